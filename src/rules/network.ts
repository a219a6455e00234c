// Network security (catalog §3.4): NetworkPolicy coverage (cross-resource), Services and Ingresses.
import type { CheckContext, RuleCheck } from "../core/engine/check.js";
import type { Project } from "../core/engine/project.js";
import type { K8sObject, Obj, Workload } from "../core/model/k8s.js";
import { asArray, asObj, isObj } from "../core/model/k8s.js";
import type { Path } from "../core/fix/ops.js";
import { resourceLabel } from "./helpers.js";

/** The namespace an object lands in when applied without `-n`: unset means "default". */
export function namespaceOf(o: K8sObject): string {
  return o.namespace && o.namespace !== "" ? o.namespace : "default";
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(asObj(v))) {
    if (val === null || val === undefined || typeof val === "object") continue;
    out[k] = String(val);
  }
  return out;
}

/**
 * metav1.LabelSelector semantics: matchLabels AND matchExpressions; an empty selector
 * selects everything; an expression the API would reject selects nothing.
 */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const sel = asObj(selector);
  for (const [k, v] of Object.entries(stringMap(sel.matchLabels))) {
    if (labels[k] !== v) return false;
  }
  for (const e of asArray(sel.matchExpressions)) {
    if (!isObj(e) || typeof e.key !== "string") return false;
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = asArray(e.values).map((x) => String(x));
    switch (e.operator) {
      case "In":
        if (!has || !values.includes(labels[e.key])) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[e.key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function isEmptySelector(selector: unknown): boolean {
  const sel = asObj(selector);
  return Object.keys(asObj(sel.matchLabels)).length === 0 && asArray(sel.matchExpressions).length === 0;
}

function networkPolicies(p: Project): K8sObject[] {
  return p.byKind("NetworkPolicy").filter((o) => o.apiVersion.startsWith("networking.k8s.io/"));
}

function namespacesCreated(p: Project): Set<string> {
  return new Set(p.byKind("Namespace").filter((o) => o.apiVersion === "v1").map((o) => o.name));
}

function spec(o: K8sObject): Obj {
  return asObj(o.value.spec);
}

function annotations(o: K8sObject): Record<string, string> {
  return stringMap(asObj(o.value.metadata).annotations);
}

/** Effective policyTypes: unset means Ingress, plus Egress when the policy has egress rules. */
function policyTypes(np: K8sObject): string[] {
  const s = spec(np);
  const set = asArray(s.policyTypes).filter((t): t is string => typeof t === "string");
  if (set.length > 0) return set;
  return s.egress !== undefined && s.egress !== null ? ["Ingress", "Egress"] : ["Ingress"];
}

const notSelected: RuleCheck = {
  id: "K8S-NET-001",
  project(p, ctx) {
    const policies = networkPolicies(p);
    const created = namespacesCreated(p);
    for (const w of p.workloads) {
      // A PodTemplate runs nothing; hostNetwork pods share the node's network namespace,
      // where NetworkPolicy does not apply, so a policy would not isolate them anyway.
      if (w.obj.kind === "PodTemplate" || w.podSpec.hostNetwork === true) continue;
      const ns = namespaceOf(w.obj);
      const inNs = policies.filter((np) => namespaceOf(np) === ns);
      const labels = stringMap(w.podMeta.labels);
      if (inNs.some((np) => selectorMatches(spec(np).podSelector, labels))) continue;
      reportNotSelected(w, labels, ns, inNs.length, created.has(ns), ctx);
    }
  },
};

function labelText(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  if (pairs.length === 0) return "its pods (they have no labels: add some first)";
  return `its pod labels (${pairs.slice(0, 4).join(", ")}${pairs.length > 4 ? ", …" : ""})`;
}

function reportNotSelected(w: Workload, labels: Record<string, string>, ns: string, policiesInNs: number, nsCreated: boolean, ctx: CheckContext): void {
  const path: Path = [...w.podMetaPath, "labels"];
  if (policiesInNs === 0 && !nsCreated) {
    // The catalog's main false-positive guard: the namespace is managed elsewhere and so,
    // probably, are its policies. Say so at info level rather than claim a failure.
    ctx.report({
      object: w.obj,
      path,
      severity: "info",
      message: `${resourceLabel(w)}: unknown whether a NetworkPolicy selects its pods: this scan has no NetworkPolicy for namespace "${ns}" and does not create the namespace, so policies may live elsewhere. If none exist, add one (ingress from the pods that call it, egress to DNS and its dependencies).`,
    });
    return;
  }
  const why =
    policiesInNs === 0
      ? `namespace "${ns}" is created here but has no NetworkPolicy`
      : policiesInNs === 1
        ? `the only NetworkPolicy in namespace "${ns}" does not select its pods`
        : `none of the ${policiesInNs} NetworkPolicies in namespace "${ns}" selects its pods`;
  ctx.report({
    object: w.obj,
    path,
    message: `${resourceLabel(w)}: ${why}, so its pods accept traffic from anywhere in the cluster and can reach anything. Add a NetworkPolicy whose podSelector matches ${labelText(labels)}, allowing ingress from the pods that call it and egress to DNS and its dependencies.`,
  });
}

/**
 * A default-deny policy selects every pod and lists the direction in policyTypes without
 * any rule for it. With `options.strict`, egress must be denied too.
 */
function isDefaultDeny(np: K8sObject, strict: boolean): boolean {
  const s = spec(np);
  if (!isEmptySelector(s.podSelector)) return false;
  const types = policyTypes(np);
  const denies = (dir: "Ingress" | "Egress") => types.includes(dir) && asArray(s[dir === "Ingress" ? "ingress" : "egress"]).length === 0;
  return denies("Ingress") && (!strict || denies("Egress"));
}

const noDefaultDeny: RuleCheck = {
  id: "K8S-NET-002",
  project(p, ctx) {
    const strict = ctx.settings.options.strict === true;
    const policies = networkPolicies(p);
    const namespaces = new Map<string, K8sObject>();
    for (const o of p.byKind("Namespace")) if (o.apiVersion === "v1" && !namespaces.has(o.name)) namespaces.set(o.name, o);
    // Namespaces this scan manages: created here, or with policies here. A workload alone
    // in a namespace created elsewhere says nothing about that namespace's policies
    // (K8S-NET-001 reports such workloads as "unknown").
    const managed = new Set<string>([...namespaces.keys(), ...policies.map(namespaceOf)]);
    for (const ns of [...managed].sort()) {
      const inNs = policies.filter((np) => namespaceOf(np) === ns);
      if (inNs.some((np) => isDefaultDeny(np, strict))) continue;
      const anchor = namespaces.get(ns) ?? inNs[0];
      const direction = strict ? "ingress and egress" : "ingress";
      const where = namespaces.has(ns) ? `Namespace "${ns}"` : `namespace "${ns}" (NetworkPolicies here: ${inNs.slice(0, 3).map((np) => np.name).join(", ")}${inNs.length > 3 ? ", …" : ""})`;
      ctx.report({
        object: anchor,
        path: ["metadata", "name"],
        message: `${where} has no default-deny NetworkPolicy for ${direction}: any pod no policy selects is open. Add one: apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: default-deny, namespace: ${ns}}, spec: {podSelector: {}, policyTypes: [${strict ? "Ingress, Egress" : "Ingress"}]}, then allow what each workload needs.`,
      });
    }
  },
};

function isOpenCidr(cidr: unknown): boolean {
  return cidr === "0.0.0.0/0" || cidr === "::/0";
}

const overPermissive: RuleCheck = {
  id: "K8S-NET-003",
  object(o, ctx) {
    if (o.kind !== "NetworkPolicy" || !o.apiVersion.startsWith("networking.k8s.io/")) return;
    const strict = ctx.settings.options.strict === true;
    const s = spec(o);
    const directions: { field: "ingress" | "egress"; peers: "from" | "to" }[] = [{ field: "ingress", peers: "from" }];
    if (strict) directions.push({ field: "egress", peers: "to" });
    for (const { field, peers } of directions) {
      asArray(s[field]).forEach((rule, i) => {
        const r = asObj(rule);
        const list = asArray(r[peers]);
        const who = field === "ingress" ? "from any source" : "to any destination";
        if (list.length === 0) {
          ctx.report({
            object: o,
            path: ["spec", field, i],
            message: `${o.kind} "${o.name}": ${field}[${i}] has no "${peers}" peers, so it allows traffic ${who}${r.ports ? " on its ports" : ""}. List the pods, namespaces or CIDRs that need access.`,
          });
          return;
        }
        list.forEach((peer, j) => {
          const block = asObj(asObj(peer).ipBlock);
          if (!isOpenCidr(block.cidr) || asArray(block.except).length > 0) return;
          ctx.report({
            object: o,
            path: ["spec", field, i, peers, j, "ipBlock", "cidr"],
            message: `${o.kind} "${o.name}": ${field}[${i}].${peers}[${j}] allows ${String(block.cidr)} with no "except", i.e. traffic ${who} on the network. Narrow the CIDR.`,
          });
        });
      });
    }
  },
};

function isService(o: K8sObject): boolean {
  return o.kind === "Service" && o.apiVersion === "v1";
}

/** Cloud annotations that make a LoadBalancer Service internal-only. */
function isInternalLoadBalancer(a: Record<string, string>): boolean {
  const truthy = (v: string | undefined) => v !== undefined && v.trim().toLowerCase() !== "false" && v.trim() !== "";
  return (
    // Historically any value ("true", "0.0.0.0/0") made an AWS load balancer internal.
    truthy(a["service.beta.kubernetes.io/aws-load-balancer-internal"]) ||
    a["service.beta.kubernetes.io/aws-load-balancer-scheme"]?.toLowerCase() === "internal" ||
    a["networking.gke.io/load-balancer-type"]?.toLowerCase() === "internal" ||
    a["cloud.google.com/load-balancer-type"]?.toLowerCase() === "internal" ||
    a["service.beta.kubernetes.io/azure-load-balancer-internal"]?.toLowerCase() === "true" ||
    a["service.beta.kubernetes.io/oci-load-balancer-internal"]?.toLowerCase() === "true" ||
    a["service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type"]?.toLowerCase() === "private"
  );
}

const publicLoadBalancer: RuleCheck = {
  id: "K8S-NET-004",
  object(o, ctx) {
    if (!isService(o) || spec(o).type !== "LoadBalancer") return;
    if (isInternalLoadBalancer(annotations(o))) return;
    const ranges = asArray(spec(o).loadBalancerSourceRanges).filter((r): r is string => typeof r === "string" && r.trim() !== "");
    if (ranges.length > 0 && !ranges.some((r) => isOpenCidr(r.trim()))) return;
    const why = ranges.length > 0 ? `loadBalancerSourceRanges includes ${ranges.find((r) => isOpenCidr(r.trim()))}` : "it has no loadBalancerSourceRanges and no internal load-balancer annotation";
    ctx.report({
      object: o,
      path: ranges.length > 0 ? ["spec", "loadBalancerSourceRanges"] : ["spec", "type"],
      message: `Service "${o.name}" is a LoadBalancer reachable from the internet: ${why}. Restrict spec.loadBalancerSourceRanges to the client CIDRs, or make it internal (e.g. service.beta.kubernetes.io/aws-load-balancer-scheme: internal, networking.gke.io/load-balancer-type: Internal, service.beta.kubernetes.io/azure-load-balancer-internal: "true").`,
    });
  },
};

const nodePort: RuleCheck = {
  id: "K8S-NET-005",
  object(o, ctx) {
    if (!isService(o) || spec(o).type !== "NodePort") return;
    ctx.report({
      object: o,
      path: ["spec", "type"],
      message: `Service "${o.name}" is of type NodePort: it opens its port on every node, bypassing ingress controllers and load-balancer restrictions. Use ClusterIP behind an Ingress or an internal LoadBalancer.`,
    });
  },
};

const externalIPs: RuleCheck = {
  id: "K8S-NET-006",
  object(o, ctx) {
    if (!isService(o)) return;
    const ips = asArray(spec(o).externalIPs);
    if (ips.length === 0) return;
    ctx.report({
      object: o,
      path: ["spec", "externalIPs"],
      message: `Service "${o.name}" sets spec.externalIPs (${ips.map(String).join(", ")}): the cluster then intercepts traffic to those addresses for every pod (CVE-2020-8554). Remove externalIPs and use a LoadBalancer or Ingress; block the field cluster-wide with DenyServiceExternalIPs.`,
    });
  },
};

function isIngress(o: K8sObject): boolean {
  return o.kind === "Ingress" && (o.apiVersion.startsWith("networking.k8s.io/") || o.apiVersion.startsWith("extensions/"));
}

/** TLS host matching as the controllers do it: exact, or one leading `*.` label. */
function tlsCovers(tlsHost: string, host: string): boolean {
  const t = tlsHost.toLowerCase();
  const h = host.toLowerCase();
  if (t === h) return true;
  if (!t.startsWith("*.")) return false;
  const rest = h.indexOf(".");
  return rest > 0 && h.slice(rest) === t.slice(1);
}

const ingressWithoutTls: RuleCheck = {
  id: "K8S-NET-007",
  object(o, ctx) {
    if (!isIngress(o)) return;
    const s = spec(o);
    const tls = asArray(s.tls).map(asObj);
    const a = annotations(o);
    const redirect = "nginx.ingress.kubernetes.io/ssl-redirect";
    if (a[redirect]?.trim().toLowerCase() === "false") {
      ctx.report({
        object: o,
        path: ["metadata", "annotations", redirect],
        key: "ssl-redirect",
        message: `Ingress "${o.name}" sets ${redirect}: "false", so clients are served over plain HTTP instead of being redirected to HTTPS. Remove the annotation.`,
      });
    }
    if (tls.length === 0) {
      ctx.report({
        object: o,
        path: ["spec", "tls"],
        message: `Ingress "${o.name}" has no spec.tls: its traffic is plain HTTP. Add tls: [{hosts: [<every rules[].host>], secretName: <certificate secret>}], or a cert-manager.io/cluster-issuer annotation with the same tls block.`,
      });
      return;
    }
    // A tls entry without hosts gets the controller's default certificate for every host.
    if (tls.some((t) => asArray(t.hosts).length === 0)) return;
    const tlsHosts = tls.flatMap((t) => asArray(t.hosts).filter((h): h is string => typeof h === "string"));
    asArray(s.rules).forEach((rule, i) => {
      const host = asObj(rule).host;
      if (typeof host !== "string" || host === "") return;
      if (tlsHosts.some((t) => tlsCovers(t, host))) return;
      ctx.report({
        object: o,
        path: ["spec", "rules", i, "host"],
        message: `Ingress "${o.name}": host "${host}" (rules[${i}]) is not listed in any spec.tls[].hosts, so it is served without TLS. Add it to a tls entry with a certificate that covers it.`,
      });
    });
  },
};

const SNIPPET_ANNOTATION = /^nginx\.ingress\.kubernetes\.io\/[a-z-]*snippet$/;

const snippetAnnotations: RuleCheck = {
  id: "K8S-NET-008",
  object(o, ctx) {
    if (!isIngress(o)) return;
    for (const key of Object.keys(asObj(asObj(o.value.metadata).annotations))) {
      if (!SNIPPET_ANNOTATION.test(key)) continue;
      ctx.report({
        object: o,
        path: ["metadata", "annotations", key],
        message: `Ingress "${o.name}" uses the ${key} annotation: raw NGINX configuration injected by whoever can edit Ingresses, which can read the controller's service-account token and every Secret it sees (CVE-2021-25742). Replace it with dedicated annotations or a ConfigMap owned by the platform team, and keep allow-snippet-annotations off.`,
      });
    }
  },
};

export const NETWORK_CHECKS: RuleCheck[] = [notSelected, noDefaultDeny, overPermissive, publicLoadBalancer, nodePort, externalIPs, ingressWithoutTls, snippetAnnotations];
