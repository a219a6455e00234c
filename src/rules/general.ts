// General hygiene (catalog §3.9, K8S-GEN-*) and software that should not be running at all
// (K8S-UPDATE-*): end-of-life images, Helm v2's Tiller and the Kubernetes Dashboard.
import { posix } from "node:path";
import type { RuleCheck } from "../core/engine/check.js";
import type { FixOp } from "../core/fix/ops.js";
import type { Severity } from "../core/types.js";
import type { Project } from "../core/engine/project.js";
import type { K8sObject } from "../core/model/k8s.js";
import { asArray, asObj, WORKLOAD_KINDS } from "../core/model/k8s.js";
import { tryParseImageRef } from "../core/image/reference.js";
import type { EolResult } from "../core/data/eol.js";
import { lookupEol } from "../core/data/eol.js";
import { isControlPlaneStaticPod } from "./audit.js";
import { containerLabel, resourceLabel } from "./helpers.js";

/** Built-in kinds that are namespaced: only for these does an unset namespace mean "wherever kubectl points". */
const NAMESPACED_KINDS = new Set([
  ...WORKLOAD_KINDS,
  "Service",
  "ServiceAccount",
  "ConfigMap",
  "Secret",
  "Role",
  "RoleBinding",
  "Ingress",
  "NetworkPolicy",
  "PersistentVolumeClaim",
  "HorizontalPodAutoscaler",
  "PodDisruptionBudget",
  "LimitRange",
  "ResourceQuota",
  "Endpoints",
  "EndpointSlice",
  "Lease",
]);

/** Cluster-scoped kinds: metadata.namespace is ignored on them, so `default` there means nothing. */
const CLUSTER_SCOPED_KINDS = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "StorageClass",
  "VolumeAttachment",
  "VolumeAttributesClass",
  "CSIDriver",
  "CSINode",
  "PriorityClass",
  "RuntimeClass",
  "IngressClass",
  "GatewayClass",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "APIService",
  "PodSecurityPolicy",
  "CertificateSigningRequest",
  "ClusterTrustBundle",
  "FlowSchema",
  "PriorityLevelConfiguration",
  "DeviceClass",
  "ResourceSlice",
  "ClusterIssuer",
]);

/** Config-file kinds (not API objects): namespaces do not apply. */
const CONFIG_GROUPS = ["kubeadm.k8s.io/", "audit.k8s.io/", "apiserver.config.k8s.io/", "kubelet.config.k8s.io/", "kubeproxy.config.k8s.io/", "kustomize.config.k8s.io/"];

function isConfigFile(o: K8sObject): boolean {
  return CONFIG_GROUPS.some((g) => o.apiVersion.startsWith(g));
}

/** Paths (files or directories) that a Kustomization setting a non-default namespace pulls in. */
function kustomizeNamespaced(p: Project): string[] {
  const out: string[] = [];
  for (const k of p.byKind("Kustomization")) {
    const ns = k.value.namespace;
    if (typeof ns !== "string" || ns === "" || ns === "default") continue;
    const dir = posix.dirname(k.file.path.replace(/\\/g, "/"));
    out.push(dir);
    for (const field of ["resources", "bases", "components"]) {
      for (const r of asArray(k.value[field])) {
        if (typeof r === "string" && !/^[a-z]+:\/\//i.test(r)) out.push(posix.normalize(posix.join(dir, r)));
      }
    }
  }
  return out;
}

function coveredBy(path: string, roots: readonly string[]): boolean {
  const file = posix.normalize(path.replace(/\\/g, "/"));
  return roots.some((r) => file === r || r === "." || file.startsWith(`${r}/`));
}

const defaultNamespace: RuleCheck = {
  id: "K8S-GEN-001",
  project(p, ctx) {
    const kustomized = kustomizeNamespaced(p);
    for (const o of p.objects) {
      if (CLUSTER_SCOPED_KINDS.has(o.kind) || isConfigFile(o)) continue;
      const label = `${o.kind} "${o.name}"`;
      if (o.namespace === "default") {
        ctx.report({
          object: o,
          path: ["metadata", "namespace"],
          message: `${label} is explicitly in the default namespace, where unrelated things end up by accident and which rarely has its own RBAC, NetworkPolicies or Pod Security labels. Give the application its own namespace.`,
        });
        continue;
      }
      if (o.namespace !== undefined || !NAMESPACED_KINDS.has(o.kind)) continue;
      if (coveredBy(o.file.path, kustomized)) continue;
      ctx.report({
        object: o,
        path: ["metadata", "namespace"],
        severity: "info",
        message: `${label} has no metadata.namespace, so it lands in whatever namespace kubectl or the deploy tool points at — often default. Set the namespace here, or in the Kustomization / Helm release that deploys it.`,
      });
    }
  },
};

const kubeSystemWorkload: RuleCheck = {
  id: "K8S-GEN-002",
  workload(w, ctx) {
    if (w.obj.namespace !== "kube-system" || isControlPlaneStaticPod(w.obj)) return;
    ctx.report({
      object: w.obj,
      path: ["metadata", "namespace"],
      message: `${resourceLabel(w)} runs in kube-system, next to the privileged service accounts and credentials of cluster components: whoever may manage workloads there can run pods with those identities. Move application workloads to their own namespace; for a genuine cluster add-on (CNI, DNS, CSI), suppress this with the reason.`,
    });
  },
};

const nakedPod: RuleCheck = {
  id: "K8S-GEN-003",
  object(o, ctx) {
    if (o.kind !== "Pod" || o.apiVersion !== "v1") return;
    const meta = asObj(o.value.metadata);
    if (asArray(meta.ownerReferences).length > 0) return;
    // Static control-plane pods are managed by the kubelet; Helm hooks are one-off by design.
    if (isControlPlaneStaticPod(o) || asObj(meta.annotations)["helm.sh/hook"] !== undefined) return;
    ctx.report({
      object: o,
      path: ["kind"],
      message: `Pod "${o.name}" is not managed by a controller: if its node fails, it is evicted or deleted, nothing recreates it, and it cannot be rolled out or scaled. Wrap it in a Deployment (long-running) or a Job (run to completion).`,
    });
  },
};

const PSA = "pod-security.kubernetes.io/";
const PSA_LEVELS = new Set(["privileged", "baseline", "restricted"]);

const namespacePsa: RuleCheck = {
  id: "K8S-GEN-004",
  object(o, ctx) {
    if (o.kind !== "Namespace" || o.apiVersion !== "v1") return;
    const labels = asObj(asObj(o.value.metadata).labels);
    const enforce = labels[`${PSA}enforce`];
    const label = `Namespace "${o.name}"`;
    if (enforce === undefined || enforce === null) {
      const ops: FixOp[] = [{ op: "set", path: ["metadata", "labels", `${PSA}enforce`], value: "baseline" }];
      // An existing warn level is a deliberate choice; only add one where there is none.
      if (labels[`${PSA}warn`] === undefined) ops.push({ op: "set", path: ["metadata", "labels", `${PSA}warn`], value: "restricted" });
      ctx.report({
        object: o,
        path: ["metadata", "labels", `${PSA}enforce`],
        message: `${label} has no ${PSA}enforce label, so Pod Security Admission applies only the cluster default (privileged unless configured): privileged, host-namespace and hostPath pods are admitted. Add enforce: baseline, and warn: restricted to see what the stricter level would reject.`,
        fix: { description: "Enforce the baseline Pod Security Standard and warn on restricted", ops },
      });
      return;
    }
    if (enforce === "privileged") {
      ctx.report({
        object: o,
        path: ["metadata", "labels", `${PSA}enforce`],
        message: `${label} enforces the privileged Pod Security level, i.e. no restriction at all. If the namespace really hosts node agents (CNI, CSI, monitoring), suppress this finding with the reason; otherwise enforce baseline or restricted.`,
      });
      return;
    }
    if (typeof enforce !== "string" || !PSA_LEVELS.has(enforce)) {
      ctx.report({
        object: o,
        path: ["metadata", "labels", `${PSA}enforce`],
        message: `${label}: ${PSA}enforce is ${JSON.stringify(enforce)}, which is not a Pod Security level (privileged, baseline or restricted); Pod Security Admission does not evaluate the namespace as intended. Use baseline or restricted.`,
      });
    }
  },
};

// ---- K8S-UPDATE-001 ------------------------------------------------------------------

const EOL_SEVERITY: Record<Exclude<EolResult["status"], "supported">, Severity> = { eol: "high", "eol-soon": "medium", "lts-only": "medium" };

function cycleName(r: { cycle: string; codename?: string }): string {
  return r.codename ? `${r.cycle} (${r.codename})` : r.cycle;
}

function eolState(r: EolResult): string {
  const date = r.eolDate ?? "an unknown date";
  if (r.status === "eol") {
    const ext = r.extendedSupportEnd ? `; extended support ended ${r.extendedSupportEnd} too` : "";
    return `reached end of life on ${date}${ext}, so it gets no more security fixes`;
  }
  if (r.status === "lts-only") {
    return `lost free security support on ${date}; only ${r.extendedSupportPaid ? "paid " : ""}extended support remains${r.extendedSupportEnd ? ` (until ${r.extendedSupportEnd})` : ""}`;
  }
  return `reaches end of life on ${date}${r.daysUntilEol !== undefined ? `, in ${r.daysUntilEol} days` : ""}`;
}

const eolImage: RuleCheck = {
  id: "K8S-UPDATE-001",
  workload(w, ctx) {
    for (const c of w.containers) {
      const image = c.value.image;
      if (typeof image !== "string") continue;
      const ref = tryParseImageRef(image);
      if (!ref) continue;
      for (const r of lookupEol(ref, ctx.now)) {
        if (r.status === "supported") continue;
        const what = `${r.matchedBy === "os-suffix" ? "based on " : ""}${r.productTitle} ${cycleName(r)}`;
        const to = r.replacement
          ? ` Move to ${r.replacement.image} (${r.productTitle} ${cycleName(r.replacement)}, supported ${r.replacement.eolDate ? `until ${r.replacement.eolDate}` : "with no announced end"}); check that the tag exists and test the upgrade.`
          : r.advice
            ? ` ${r.advice}`
            : ` No supported ${r.productTitle} release is known to the data.`;
        ctx.report({
          object: w.obj,
          container: c,
          path: [...c.path, "image"],
          key: r.product,
          severity: EOL_SEVERITY[r.status],
          message: `${resourceLabel(w)}, ${containerLabel(c)}: image ${image} is ${what}, which ${eolState(r)}.${to} (End-of-life data: snapshot of ${r.snapshotDate}, ${r.dataAgeDays} days old.)`,
        });
      }
    }
  },
};

// ---- K8S-UPDATE-003 ------------------------------------------------------------------

type Abandoned = { what: "tiller" | "dashboard"; image: string };

function abandonedComponent(image: unknown): Abandoned | undefined {
  if (typeof image !== "string") return undefined;
  const ref = tryParseImageRef(image);
  if (!ref) return undefined;
  const parts = ref.repository.split("/");
  const last = parts[parts.length - 1]!;
  // Matched on the repository's last component so that mirrored copies are recognised too.
  if (last === "tiller") return { what: "tiller", image };
  if (/^kubernetes-dashboard(?:-[a-z0-9]+)?$/.test(last) || (parts.includes("kubernetesui") && /^dashboard(?:-[a-z]+)?$/.test(last))) {
    return { what: "dashboard", image };
  }
  return undefined;
}

const tillerOrDashboard: RuleCheck = {
  id: "K8S-UPDATE-003",
  workload(w, ctx) {
    for (const c of w.containers) {
      const hit = abandonedComponent(c.value.image);
      if (!hit) continue;
      const at = `${resourceLabel(w)}, ${containerLabel(c)}`;
      if (hit.what === "tiller") {
        ctx.report({
          object: w.obj,
          container: c,
          path: [...c.path, "image"],
          severity: "high",
          message: `${at} runs Helm v2's Tiller (${hit.image}). Helm v2 has been unsupported since November 2020, and Tiller's gRPC port accepts unauthenticated commands with its (usually cluster-admin) service account, so any pod that can reach it owns the cluster. Migrate releases to Helm 3 (helm-2to3) and remove Tiller.`,
        });
      } else {
        ctx.report({
          object: w.obj,
          container: c,
          path: [...c.path, "image"],
          severity: "medium",
          message: `${at} deploys the Kubernetes Dashboard (${hit.image}), a web UI that has repeatedly been exposed with a privileged service account and used to take over clusters. Remove it, or keep it reachable only through kubectl port-forward/proxy with login required and a least-privilege service account.`,
        });
      }
    }
  },
};

export const GENERAL_CHECKS: RuleCheck[] = [defaultNamespace, kubeSystemWorkload, nakedPod, namespacePsa, eolImage, tillerOrDashboard];
