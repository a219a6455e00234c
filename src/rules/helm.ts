// Helm charts reviewed without helm: the knobs charts expose in values.yaml (HELM-001),
// risky fields written literally in templates (HELM-002), charts that cannot render
// (HELM-003) and credentials committed in values files (K8S-SECRET-005). Rendered charts are
// reviewed by the whole catalog elsewhere (src/core/helm/review.ts); these checks are what a
// pull request that touches only values.yaml or a template still gets.
import type { CheckContext, RuleCheck } from "../core/engine/check.js";
import type { FixOp, Path } from "../core/fix/ops.js";
import type { HelmChart, HelmValuesFile } from "../core/helm/chart.js";
import { VALUES_API_VERSION } from "../core/helm/chart.js";
import { findValuesSecrets } from "../core/helm/secrets.js";
import { checkTemplateSyntax, findHardcoded } from "../core/helm/template.js";
import type { HardcodedField } from "../core/helm/template.js";
import { effectiveIn, findImages, findMaps, findRbacRules, findSecurityContexts, findTrueFlags } from "../core/helm/values.js";
import type { ValuesSecurityContext } from "../core/helm/values.js";
import { asArray, asObj, isObj } from "../core/model/k8s.js";
import { locateNode } from "../core/parse/yaml.js";
import type { Severity } from "../core/types.js";

/** `a.b[0].c` — how a values key is written in messages and in `--set`. */
export function valuesKey(path: Path): string {
  let out = "";
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

function fileName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function isDefaultValues(chart: HelmChart, v: HelmValuesFile): boolean {
  return chart.values[0] === v && /^values\.ya?ml$/i.test(fileName(v.path));
}

const DANGEROUS_CAPABILITIES = new Set(["ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "SYS_RAWIO", "BPF", "PERFMON", "DAC_READ_SEARCH", "SYS_BOOT", "MAC_ADMIN", "MAC_OVERRIDE"]);

function capName(c: unknown): string {
  return String(c).toUpperCase().replace(/^CAP_/, "");
}

interface Missing {
  what: string;
  ops: FixOp[];
}

function reportSecurityContext(v: HelmValuesFile, sc: ValuesSecurityContext, checkMissing: boolean, ctx: CheckContext): void {
  const object = v.object!;
  const file = fileName(v.path);
  const key = valuesKey(sc.path);
  if (sc.enabled === false) {
    ctx.report({
      object,
      path: [...sc.path, "enabled"],
      message: `${file} \`${key}.enabled\` is false: the chart renders none of this securityContext, so its settings never reach the pod. Enable it and review its fields.`,
      fix: { description: `Set ${key}.enabled: true`, ops: [{ op: "set", path: [...sc.path, "enabled"], value: true }] },
      key: "enabled",
    });
    return;
  }
  const s = sc.value;
  const caps = asObj(s.capabilities);
  const adds = asArray(caps.add).map(capName);
  const runAsUser = effectiveIn(sc, "runAsUser");
  const nonZeroUser = typeof runAsUser.value === "number" && runAsUser.value > 0;
  const cannotDisableEscalation = s.privileged === true || adds.includes("SYS_ADMIN");

  if (sc.level === "container") {
    if (s.privileged === true) {
      ctx.report({
        object,
        path: [...sc.path, "privileged"],
        severity: "critical",
        message: `${file} \`${key}.privileged\` is true: the container gets every device and capability of the node. Set it to false unless this chart is a node agent that truly needs it.`,
        fix: { description: `Set ${key}.privileged: false`, ops: [{ op: "set", path: [...sc.path, "privileged"], value: false }] },
        key: "privileged",
      });
    }
    if (s.allowPrivilegeEscalation === true) {
      ctx.report({
        object,
        path: [...sc.path, "allowPrivilegeEscalation"],
        severity: "high",
        message: `${file} \`${key}.allowPrivilegeEscalation\` is true: setuid binaries can gain privileges. Set it to false.`,
        ...(cannotDisableEscalation ? {} : { fix: { description: `Set ${key}.allowPrivilegeEscalation: false`, ops: [{ op: "set" as const, path: [...sc.path, "allowPrivilegeEscalation"], value: false }] } }),
        key: "allowPrivilegeEscalation",
      });
    }
    if (s.readOnlyRootFilesystem === false) {
      ctx.report({
        object,
        path: [...sc.path, "readOnlyRootFilesystem"],
        message: `${file} \`${key}.readOnlyRootFilesystem\` is false: an attacker can modify the container's filesystem. Set it to true and mount an emptyDir where the app must write.`,
        fix: { description: `Set ${key}.readOnlyRootFilesystem: true`, ops: [{ op: "set", path: [...sc.path, "readOnlyRootFilesystem"], value: true }] },
        key: "readOnlyRootFilesystem",
      });
    }
    for (const [i, c] of asArray(caps.add).entries()) {
      if (!DANGEROUS_CAPABILITIES.has(capName(c))) continue;
      ctx.report({
        object,
        path: [...sc.path, "capabilities", "add", i],
        severity: "high",
        message: `${file} \`${key}.capabilities.add\` grants ${capName(c)}: a container escape or node takeover primitive. Remove it, or document why this chart needs it.`,
        key: `cap:${capName(c)}`,
      });
    }
  }
  if (s.runAsNonRoot === false) {
    ctx.report({
      object,
      path: [...sc.path, "runAsNonRoot"],
      severity: "high",
      message: `${file} \`${key}.runAsNonRoot\` is false: the kubelet will start the container as root if the image says so. ${nonZeroUser ? "runAsUser is already non-zero, so true is safe." : "Set a non-zero runAsUser the image supports, then runAsNonRoot: true."}`,
      ...(nonZeroUser && sc.level === "container" ? { fix: { description: `Set ${key}.runAsNonRoot: true`, ops: [{ op: "set" as const, path: [...sc.path, "runAsNonRoot"], value: true }] } } : {}),
      key: "runAsNonRoot",
    });
  }
  if (s.runAsUser === 0 || s.runAsUser === "0") {
    ctx.report({
      object,
      path: [...sc.path, "runAsUser"],
      severity: "high",
      message: `${file} \`${key}.runAsUser\` is 0: the container runs as root. Use the non-root UID the image provides (e.g. 65532 for distroless, 101 for nginx-unprivileged).`,
      key: "runAsUser",
    });
  }
  const seccomp = asObj(s.seccompProfile);
  if (seccomp.type === "Unconfined") {
    ctx.report({
      object,
      path: [...sc.path, "seccompProfile", "type"],
      severity: "high",
      message: `${file} \`${key}.seccompProfile.type\` is Unconfined: every syscall is allowed. Use RuntimeDefault.`,
      fix: { description: `Set ${key}.seccompProfile.type: RuntimeDefault`, ops: [{ op: "set", path: [...sc.path, "seccompProfile", "type"], value: "RuntimeDefault" }] },
      key: "seccomp",
    });
  }
  if (!checkMissing || sc.level !== "container") return;

  // Fields that are absent: one finding per securityContext with every fixable default.
  const missing: Missing[] = [];
  const unfixable: string[] = [];
  if (s.allowPrivilegeEscalation === undefined || s.allowPrivilegeEscalation === null) {
    if (cannotDisableEscalation) unfixable.push("allowPrivilegeEscalation: false (remove privileged / SYS_ADMIN first)");
    else missing.push({ what: "allowPrivilegeEscalation: false", ops: [{ op: "set", path: [...sc.path, "allowPrivilegeEscalation"], value: false }] });
  }
  if (s.readOnlyRootFilesystem === undefined || s.readOnlyRootFilesystem === null) {
    missing.push({ what: "readOnlyRootFilesystem: true", ops: [{ op: "set", path: [...sc.path, "readOnlyRootFilesystem"], value: true }] });
  }
  const drop = caps.drop;
  if (drop === undefined || drop === null || Array.isArray(drop)) {
    if (!asArray(drop).map(capName).includes("ALL")) {
      if (s.capabilities === undefined || s.capabilities === null || isObj(s.capabilities)) {
        missing.push({ what: "capabilities.drop: [ALL]", ops: [{ op: "append", path: [...sc.path, "capabilities", "drop"], value: "ALL" }] });
      } else unfixable.push("capabilities.drop: [ALL]");
    }
  }
  if (effectiveIn(sc, "runAsNonRoot").value === undefined) {
    if (nonZeroUser) missing.push({ what: "runAsNonRoot: true", ops: [{ op: "set", path: [...sc.path, "runAsNonRoot"], value: true }] });
    else unfixable.push("runAsNonRoot: true (set a non-zero runAsUser the image supports first)");
  }
  if (effectiveIn(sc, "seccompProfile").value === undefined) {
    missing.push({ what: "seccompProfile.type: RuntimeDefault", ops: [{ op: "set", path: [...sc.path, "seccompProfile", "type"], value: "RuntimeDefault" }] });
  }
  if (missing.length === 0 && unfixable.length === 0) return;
  const list = [...missing.map((m) => m.what), ...unfixable];
  ctx.report({
    object,
    path: sc.path,
    message: `${file} \`${key}\` leaves the chart's default container unhardened: missing ${list.join(", ")}. Every install that does not override it runs that way.`,
    ...(missing.length > 0 ? { fix: { description: `Harden ${key}: ${missing.map((m) => m.what).join(", ")}`, ops: missing.flatMap((m) => m.ops) } } : {}),
    key: "missing",
  });
}

function reportFlags(v: HelmValuesFile, ctx: CheckContext): void {
  const object = v.object!;
  const file = fileName(v.path);
  const meaning: Record<string, { severity: Severity; text: string }> = {
    hostNetwork: { severity: "high", text: "pods share the node's network namespace (they see every connection on the node and bypass NetworkPolicies)" },
    hostPID: { severity: "high", text: "pods see and can signal every process on the node" },
    hostIPC: { severity: "high", text: "pods share the node's IPC namespace" },
    privileged: { severity: "critical", text: "containers get every device and capability of the node" },
  };
  for (const hit of findTrueFlags(v.data, Object.keys(meaning))) {
    const name = String(hit.path[hit.path.length - 1]);
    const key = valuesKey(hit.path);
    ctx.report({
      object,
      path: hit.path,
      severity: meaning[name].severity,
      message: `${file} \`${key}\` is true: ${meaning[name].text}. Default it to false and let the few installs that need it opt in.`,
      fix: { description: `Set ${key}: false`, ops: [{ op: "set", path: hit.path, value: false }] },
      key: `flag:${name}`,
    });
  }
}

function reportServiceAccounts(v: HelmValuesFile, ctx: CheckContext): void {
  const object = v.object!;
  const file = fileName(v.path);
  const paths: Path[] = [];
  for (const sa of findMaps(v.data, "serviceAccount")) if (sa.value.automount === true) paths.push([...sa.path, "automount"]);
  for (const hit of findTrueFlags(v.data, ["automountServiceAccountToken"])) paths.push(hit.path);
  for (const path of paths) {
    const key = valuesKey(path);
    ctx.report({
      object,
      path,
      message: `${file} \`${key}\` is true: every pod gets an API token it may not need, usable by anyone who compromises it. Set it to false unless the app calls the Kubernetes API.`,
      fix: { description: `Set ${key}: false`, ops: [{ op: "set", path, value: false }] },
      key: `automount:${key}`,
    });
  }
}

function reportNetwork(v: HelmValuesFile, ctx: CheckContext): void {
  const object = v.object!;
  const file = fileName(v.path);
  for (const name of ["networkPolicy", "networkPolicies", "netpol"]) {
    for (const np of findMaps(v.data, name)) {
      if (np.value.enabled !== false) continue;
      const path = [...np.path, "enabled"];
      ctx.report({
        object,
        path,
        message: `${file} \`${valuesKey(path)}\` is false: the chart ships a NetworkPolicy but leaves it off, so its pods accept traffic from anywhere in the cluster. Enable it (and check the allowed sources).`,
        fix: { description: `Set ${valuesKey(path)}: true`, ops: [{ op: "set", path, value: true }] },
        key: `netpol:${valuesKey(path)}`,
      });
    }
  }
  for (const ing of findMaps(v.data, "ingress")) {
    if (ing.value.enabled !== true) continue;
    const tls = ing.value.tls;
    const empty = tls === undefined || tls === null || tls === false || (Array.isArray(tls) && tls.length === 0) || (isObj(tls) && Object.keys(tls).length === 0);
    if (!empty) continue;
    ctx.report({
      object,
      path: [...ing.path, "tls"],
      message: `${file} \`${valuesKey(ing.path)}\` is enabled without TLS: traffic (and any credentials in it) crosses the network in clear text. Add \`tls: [{secretName: <tls-secret>, hosts: [<host>]}]\` (or a cert-manager annotation).`,
      key: `ingress:${valuesKey(ing.path)}`,
    });
  }
}

function reportRbac(v: HelmValuesFile, ctx: CheckContext): void {
  const object = v.object!;
  const file = fileName(v.path);
  for (const { path, rule } of findRbacRules(v.data)) {
    const fields = ["apiGroups", "resources", "verbs"].filter((f) => asArray(rule[f]).includes("*"));
    if (fields.length === 0) continue;
    ctx.report({
      object,
      path,
      severity: "high",
      message: `${file} \`${valuesKey(path)}\` grants "*" in ${fields.join(", ")}: the chart's role can do far more than it needs, including future resource types. List the exact groups, resources and verbs.`,
      key: `rbac:${valuesKey(path)}`,
    });
  }
}

function reportImages(v: HelmValuesFile, ctx: CheckContext): void {
  const object = v.object!;
  const file = fileName(v.path);
  for (const img of findImages(v.data)) {
    if (img.digest || img.tag === undefined || img.tag.toLowerCase() !== "latest") continue;
    const path = img.tagPath ?? img.path;
    ctx.report({
      object,
      path,
      message: `${file} \`${valuesKey(path)}\` uses the mutable tag "latest": what runs changes without a change in git, and rollbacks are impossible. Pin a version (and ideally a digest).`,
      key: `image:${valuesKey(path)}`,
    });
  }
}

function reportResources(v: HelmValuesFile, ctx: CheckContext): void {
  const object = v.object!;
  const file = fileName(v.path);
  for (const r of findMaps(v.data, "resources")) {
    if (Object.keys(r.value).some((k) => !["limits", "requests"].includes(k))) continue;
    if (isObj(r.value.limits) && r.value.limits.memory !== undefined) continue;
    ctx.report({
      object,
      path: [...r.path, "limits"],
      severity: "low",
      message: `${file} \`${valuesKey(r.path)}\` sets no memory limit: one leaking pod can starve the node. Set requests and a memory limit sized from real usage (no placeholder values).`,
      key: `resources:${valuesKey(r.path)}`,
    });
  }
}

const insecureValues: RuleCheck = {
  id: "HELM-001",
  chart(c, ctx) {
    for (const v of c.values) {
      if (!v.object) continue;
      const checkMissing = isDefaultValues(c, v);
      for (const sc of findSecurityContexts(v.data)) reportSecurityContext(v, sc, checkMissing, ctx);
      reportFlags(v, ctx);
      reportServiceAccounts(v, ctx);
      reportNetwork(v, ctx);
      reportRbac(v, ctx);
      reportImages(v, ctx);
      if (checkMissing) reportResources(v, ctx);
    }
  },
};

const HARDCODED: Record<HardcodedField["field"], { severity: Severity; text: string; knob: string }> = {
  privileged: { severity: "critical", text: "every container it applies to gets every device and capability of the node", knob: "privileged: {{ .Values.securityContext.privileged | default false }}" },
  hostNetwork: { severity: "high", text: "every install shares the node's network namespace", knob: "hostNetwork: {{ .Values.hostNetwork | default false }}" },
  hostPID: { severity: "high", text: "every install sees every process on the node", knob: "hostPID: {{ .Values.hostPID | default false }}" },
  hostIPC: { severity: "high", text: "every install shares the node's IPC namespace", knob: "hostIPC: {{ .Values.hostIPC | default false }}" },
  allowPrivilegeEscalation: { severity: "high", text: "setuid binaries can gain privileges in every install", knob: "securityContext: {{- toYaml .Values.securityContext | nindent N }}" },
  runAsUser: { severity: "high", text: "the container runs as root in every install", knob: "runAsUser: {{ .Values.securityContext.runAsUser }}" },
  hostPath: { severity: "high", text: "every install mounts a directory of the node", knob: "{{- if .Values.hostPath.enabled }} … {{- end }}" },
};

const hardcodedTemplateField: RuleCheck = {
  id: "HELM-002",
  chart(c, ctx) {
    for (const t of c.templates) {
      const seen = new Map<string, number>();
      for (const hit of findHardcoded(t.text)) {
        const nth = seen.get(hit.field) ?? 0;
        seen.set(hit.field, nth + 1);
        const info = HARDCODED[hit.field];
        const rel = t.path.startsWith(c.root ? `${c.root}/` : "") ? t.path.slice(c.root ? c.root.length + 1 : 0) : t.path;
        ctx.report({
          source: { path: t.path, text: t.text, lines: t.lines },
          start: hit.start,
          end: hit.end,
          severity: info.severity,
          resource: { apiVersion: VALUES_API_VERSION, kind: "HelmTemplate", name: rel },
          message: `${rel} hard-codes \`${t.text.slice(hit.start, hit.end)}\`${hit.condition ? ` (inside {{ ${hit.condition} }})` : ""}: ${info.text}, and values cannot turn it off. Remove it, or make it a value that defaults to the safe setting, e.g. \`${info.knob}\`.`,
          // Several hostPath volumes in one template: the occurrence tells them apart.
          key: `${hit.field}:${nth}`,
        });
      }
    }
  },
};

const chartFailsToRender: RuleCheck = {
  id: "HELM-003",
  chart(c, ctx) {
    const cf = c.chartFile;
    if (cf && cf.file.docs[0]?.problems.length === 0) {
      const data = cf.data;
      const at = (path: string[]): { start: number; end: number } => {
        const doc = cf.file.docs[0]!.doc;
        const loc = locateNode(doc, path);
        if (!loc.node) {
          // A missing key: point at the first line of the document, not at all of it.
          const start = (doc.contents as { range?: number[] } | null)?.range?.[0] ?? 0;
          const nl = cf.file.text.indexOf("\n", start);
          return { start, end: nl < 0 ? cf.file.text.length : nl };
        }
        const start = (loc.pair?.key as { range?: number[] } | undefined)?.range?.[0] ?? loc.node.range?.[0] ?? 0;
        return { start, end: loc.node.range?.[1] ?? start };
      };
      const problems: { path: string[]; message: string }[] = [];
      if (data.apiVersion === undefined) problems.push({ path: ["apiVersion"], message: "has no apiVersion (helm requires v2, or v1 for Helm 2 charts)" });
      else if (data.apiVersion !== "v1" && data.apiVersion !== "v2") problems.push({ path: ["apiVersion"], message: `has apiVersion ${JSON.stringify(data.apiVersion)}; helm accepts v1 or v2` });
      if (typeof data.name !== "string" || data.name.trim() === "") problems.push({ path: ["name"], message: "has no name" });
      if (data.version === undefined || data.version === null || String(data.version).trim() === "") problems.push({ path: ["version"], message: "has no version" });
      else if (!/^v?\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(String(data.version))) problems.push({ path: ["version"], message: `has version ${JSON.stringify(String(data.version))}, which is not SemVer` });
      for (const p of problems) {
        const span = at(p.path);
        ctx.report({
          source: { path: cf.path, text: cf.file.text, lines: cf.file.lines },
          ...span,
          message: `${fileName(cf.path)} ${p.message}: \`helm template\` and \`helm install\` refuse this chart, so nothing in it can be reviewed as deployed.`,
          resource: { apiVersion: VALUES_API_VERSION, kind: "HelmChart", name: c.name },
          key: p.path.join("."),
        });
      }
    }
    for (const t of c.templates) {
      for (const p of checkTemplateSyntax(t.text)) {
        ctx.report({
          source: { path: t.path, text: t.text, lines: t.lines },
          start: p.start,
          end: p.end,
          message: `${fileName(t.path)}: ${p.message}. helm fails to parse this template, so the chart does not render.`,
          resource: { apiVersion: VALUES_API_VERSION, kind: "HelmChart", name: c.name },
          key: p.message,
        });
      }
    }
  },
};

const valuesSecrets: RuleCheck = {
  id: "K8S-SECRET-005",
  chart(c, ctx) {
    for (const v of c.values) {
      if (!v.object) continue;
      for (const s of findValuesSecrets(v.data)) {
        const key = valuesKey(s.path);
        ctx.report({
          object: v.object,
          path: s.path,
          severity: s.severity,
          message: s.placeholder
            ? `${fileName(v.path)} \`${key}\` holds a placeholder credential (${s.length} characters): ${s.reason}. Leave it empty and make the chart require it (\`required\`) or read it from an existing Secret.`
            : `${fileName(v.path)} \`${key}\` holds a credential in clear text (${s.length} characters; ${s.reason}). It is in git history now: rotate it, then pass it at install time or reference an existing Secret (e.g. \`existingSecret\`).`,
          key: `secret:${key}`,
        });
      }
    }
  },
};

export const HELM_CHECKS: RuleCheck[] = [insecureValues, hardcodedTemplateField, chartFailsToRender, valuesSecrets];
