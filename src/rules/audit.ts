// API audit logging (catalog §3.6). These rules only see control-plane configuration
// that is committed to the repository: the kube-apiserver static Pod and kubeadm's
// ClusterConfiguration (read through apiServerConfigs(), shared with storage.ts), and
// audit Policy files. Managed clusters configure audit elsewhere, so no finding is made
// when none of these are present.
import type { CheckContext, RuleCheck } from "../core/engine/check.js";
import type { FixOp, Path } from "../core/fix/ops.js";
import type { ContainerRef, K8sObject, Obj } from "../core/model/k8s.js";
import { asArray, asObj, isObj, toWorkload } from "../core/model/k8s.js";

/** One occurrence of a kube-apiserver flag, with what a fix needs to rewrite its value. */
export interface ApiServerFlag {
  name: string;
  /** undefined for a bare `--flag` with no value. */
  value: string | undefined;
  /** Path of the node that holds the value (the `--flag=value` item, the item after `--flag`, or the map/list value). */
  path: Path;
  /** Ops that replace this flag's value, keeping how it is written. */
  setValue(value: string): FixOp[];
}

/** A kube-apiserver configuration found in the repo. */
export interface ApiServerConfig {
  object: K8sObject;
  container?: ContainerRef;
  /** Names the configuration in messages: `Pod "kube-apiserver", container "kube-apiserver"`. */
  label: string;
  /** Where a missing flag is reported (the command/args or extraArgs node). */
  missingPath: Path;
  /** Last occurrence of each flag wins, as with the apiserver's flag parser. */
  flags: Map<string, ApiServerFlag>;
}

function scalarString(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

export function isApiServerCommand(command: unknown): boolean {
  const first = scalarString(asArray(command)[0]);
  return first !== undefined && first.trim().endsWith("kube-apiserver");
}

/** Static control-plane Pods live in kube-system and are managed by the kubelet, not a controller. */
export function isControlPlaneStaticPod(o: K8sObject): boolean {
  if (o.kind !== "Pod" || o.namespace !== "kube-system") return false;
  return asArray(asObj(o.value.spec).containers).some((c) => {
    const first = scalarString(asArray(asObj(c).command)[0])?.trim() ?? "";
    return /(?:^|\/)(?:kube-apiserver|kube-controller-manager|kube-scheduler|etcd)$/.test(first);
  });
}

function parseCommandFlags(tokens: { value: string; path: Path }[]): Map<string, ApiServerFlag> {
  const flags = new Map<string, ApiServerFlag>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const m = /^--([^=\s]+)(?:=(.*))?$/s.exec(t.value.trim());
    if (!m) continue;
    const name = m[1]!;
    if (m[2] !== undefined) {
      const path = t.path;
      flags.set(name, { name, value: m[2], path, setValue: (v) => [{ op: "set", path, value: `--${name}=${v}` }] });
      continue;
    }
    const next = tokens[i + 1];
    // A following "-" is a value (--audit-log-path - means stdout); "-x"/"--x" start another flag.
    if (next && (next.value === "-" || !next.value.startsWith("-"))) {
      const path = next.path;
      flags.set(name, { name, value: next.value, path, setValue: (v) => [{ op: "set", path, value: v }] });
      i++;
      continue;
    }
    const path = t.path;
    flags.set(name, { name, value: undefined, path, setValue: (v) => [{ op: "set", path, value: `--${name}=${v}` }] });
  }
  return flags;
}

function staticPodConfigs(o: K8sObject): ApiServerConfig[] {
  if (o.kind !== "Pod" || o.namespace !== "kube-system") return [];
  const w = toWorkload(o);
  if (!w) return [];
  const out: ApiServerConfig[] = [];
  for (const c of w.containers) {
    if (c.set !== "containers" || !isApiServerCommand(c.value.command)) continue;
    const tokens: { value: string; path: Path }[] = [];
    // command[0] is the binary; the kubelet appends args after command.
    asArray(c.value.command).forEach((v, i) => {
      const s = scalarString(v);
      if (i > 0 && s !== undefined) tokens.push({ value: s, path: [...c.path, "command", i] });
    });
    asArray(c.value.args).forEach((v, i) => {
      const s = scalarString(v);
      if (s !== undefined) tokens.push({ value: s, path: [...c.path, "args", i] });
    });
    out.push({
      object: o,
      container: c,
      label: `Pod "${o.name}", container "${c.name}"`,
      missingPath: [...c.path, "command"],
      flags: parseCommandFlags(tokens),
    });
  }
  return out;
}

function kubeadmConfig(o: K8sObject): ApiServerConfig | undefined {
  if (o.kind !== "ClusterConfiguration" || !o.apiVersion.startsWith("kubeadm.k8s.io/")) return undefined;
  const base: Path = ["apiServer", "extraArgs"];
  const extraArgs = asObj(o.value.apiServer).extraArgs;
  const flags = new Map<string, ApiServerFlag>();
  if (Array.isArray(extraArgs)) {
    // v1beta4: a list of {name, value}; repeated names are all passed, so the last one wins.
    extraArgs.forEach((item, i) => {
      if (!isObj(item) || typeof item.name !== "string") return;
      const name = item.name;
      const path: Path = [...base, i, "value"];
      flags.set(name, { name, value: scalarString(item.value), path, setValue: (v) => [{ op: "set", path, value: v }] });
    });
  } else if (isObj(extraArgs)) {
    // v1beta3 and older: a map of flag name to string value.
    for (const [name, value] of Object.entries(extraArgs)) {
      const path: Path = [...base, name];
      flags.set(name, { name, value: scalarString(value), path, setValue: (v) => [{ op: "set", path, value: v }] });
    }
  }
  const name = o.name === "(unnamed)" ? "" : ` "${o.name}"`;
  return { object: o, label: `kubeadm ClusterConfiguration${name} (apiServer.extraArgs)`, missingPath: base, flags };
}

/** Every kube-apiserver configuration in one object (none for ordinary manifests). */
export function apiServerConfigs(o: K8sObject): ApiServerConfig[] {
  const kubeadm = kubeadmConfig(o);
  return kubeadm ? [kubeadm] : staticPodConfigs(o);
}

/** A flag set to a non-empty value; `--flag=` (empty) leaves the feature off, as if unset. */
export function flagValue(cfg: ApiServerConfig, name: string): ApiServerFlag | undefined {
  const f = cfg.flags.get(name);
  return f && f.value !== undefined && f.value.trim() !== "" ? f : undefined;
}

export function reportMissingFlag(ctx: CheckContext, cfg: ApiServerConfig, message: string): void {
  ctx.report({ object: cfg.object, container: cfg.container, path: cfg.missingPath, message });
}

const auditBackend: RuleCheck = {
  id: "K8S-AUDIT-001",
  object(o, ctx) {
    for (const cfg of apiServerConfigs(o)) {
      if (flagValue(cfg, "audit-log-path") || flagValue(cfg, "audit-webhook-config-file")) continue;
      reportMissingFlag(
        ctx,
        cfg,
        `${cfg.label}: kube-apiserver has no audit backend (neither --audit-log-path nor --audit-webhook-config-file), so API requests — who read which Secret, who created which RoleBinding — are not recorded anywhere. Add --audit-log-path=/var/log/kubernetes/audit/audit.log (with a hostPath mount) or a webhook backend.`,
      );
    }
  },
};

const auditPolicyFile: RuleCheck = {
  id: "K8S-AUDIT-002",
  object(o, ctx) {
    for (const cfg of apiServerConfigs(o)) {
      if (flagValue(cfg, "audit-policy-file")) continue;
      reportMissingFlag(
        ctx,
        cfg,
        `${cfg.label}: kube-apiserver has no --audit-policy-file; without a policy no audit events are generated, even with a log or webhook backend configured. Add --audit-policy-file pointing at an audit.k8s.io/v1 Policy mounted into the Pod.`,
      );
    }
  },
};

/** CIS 1.2.17–1.2.19 minimums. */
const RETENTION: readonly { flag: string; min: number; what: string }[] = [
  { flag: "audit-log-maxage", min: 30, what: "days of audit logs kept" },
  { flag: "audit-log-maxbackup", min: 10, what: "rotated audit log files kept" },
  { flag: "audit-log-maxsize", min: 100, what: "MB per audit log file before rotation" },
];

const auditRetention: RuleCheck = {
  id: "K8S-AUDIT-003",
  object(o, ctx) {
    for (const cfg of apiServerConfigs(o)) {
      const logPath = flagValue(cfg, "audit-log-path");
      // "-" writes to stdout: the container runtime's log rotation applies, not these flags.
      if (!logPath || logPath.value!.trim() === "-") continue;
      for (const r of RETENTION) {
        const f = flagValue(cfg, r.flag);
        if (!f) continue;
        const text = f.value!.trim();
        if (!/^\d+$/.test(text)) continue;
        const n = Number(text);
        // 0 is the apiserver's default and means "no limit" (maxsize 0 rotates at 100 MB).
        if (n === 0 || n >= r.min) continue;
        ctx.report({
          object: cfg.object,
          container: cfg.container,
          path: f.path,
          key: r.flag,
          message: `${cfg.label}: --${r.flag}=${n} keeps too little audit history (${n} ${r.what}; at least ${r.min} recommended by CIS), so evidence of an intrusion may be rotated away before anyone looks. Raise it to ${r.min} or more.`,
          fix: { description: `Set --${r.flag}=${r.min}`, ops: f.setValue(String(r.min)) },
        });
      }
    }
  },
};

// ---- K8S-AUDIT-004: audit Policy rule order ------------------------------------------

interface SensitiveResource {
  group: string;
  resource: string;
  namespaced: boolean;
}

const SENSITIVE: readonly SensitiveResource[] = [
  { group: "", resource: "secrets", namespaced: true },
  { group: "", resource: "configmaps", namespaced: true },
  { group: "authentication.k8s.io", resource: "tokenreviews", namespaced: false },
];

const PAYLOAD_LEVELS = new Set(["Request", "RequestResponse"]);

function strings(v: unknown): string[] {
  return asArray(v).filter((s): s is string => typeof s === "string");
}

/**
 * How a policy rule's resource selectors match requests for `r` (any verb, user, name):
 * "none", "some" (only certain names) or "all". Mirrors the apiserver's ruleMatchesResource.
 */
function resourceMatch(rule: Obj, r: SensitiveResource): "none" | "some" | "all" {
  const namespaces = strings(rule.namespaces);
  const resources = asArray(rule.resources);
  if (namespaces.length === 0 && resources.length === 0) {
    // A rule with only nonResourceURLs never matches a resource request.
    return strings(rule.nonResourceURLs).length > 0 ? "none" : "all";
  }
  // Cluster-scoped resources are requested with namespace "".
  if (namespaces.length > 0 && !namespaces.some((ns) => (r.namespaced ? ns !== "" : ns === ""))) return "none";
  if (resources.length === 0) return "all";
  let best: "none" | "some" | "all" = "none";
  for (const item of resources) {
    const gr = asObj(item);
    const group = typeof gr.group === "string" ? gr.group : "";
    if (group !== r.group) continue;
    const names = strings(gr.resources);
    const hit = names.length === 0 || names.some((res) => res === r.resource || res === "*" || (res.endsWith("/*") && res.replace(/[/*]+$/, "") === r.resource));
    if (!hit) continue;
    if (strings(gr.resourceNames).length > 0) best = "some";
    else return "all";
  }
  return best;
}

/** Does `earlier` match every request for `r` that `later` matches? */
function covers(earlier: Obj, later: Obj, r: SensitiveResource): boolean {
  for (const dim of ["users", "userGroups", "verbs", "namespaces"] as const) {
    const e = strings(earlier[dim]);
    if (e.length === 0) continue;
    const l = strings(later[dim]);
    if (l.length === 0 || !l.every((x) => e.includes(x))) return false;
  }
  return resourceMatch(earlier, r) === "all";
}

const auditSecretPayloads: RuleCheck = {
  id: "K8S-AUDIT-004",
  object(o, ctx) {
    if (o.kind !== "Policy" || !o.apiVersion.startsWith("audit.k8s.io/")) return;
    const rules = asArray(o.value.rules).map(asObj);
    rules.forEach((rule, i) => {
      const level = rule.level;
      if (typeof level !== "string" || !PAYLOAD_LEVELS.has(level)) return;
      const leaked = SENSITIVE.filter((r) => resourceMatch(rule, r) !== "none" && !rules.slice(0, i).some((e) => covers(e, rule, r)));
      if (leaked.length === 0) return;
      const names = leaked.map((r) => (r.group ? `${r.resource}.${r.group}` : r.resource));
      const name = o.name === "(unnamed)" ? "" : ` "${o.name}"`;
      ctx.report({
        object: o,
        path: ["rules", i, "level"],
        message: `audit Policy${name}: rules[${i}] (level ${level}) is the first rule to match requests for ${names.join(", ")}, so their ${level === "Request" ? "request bodies" : "request and response bodies"} — Secret values, ConfigMap data, bearer tokens — are written to the audit log, where anyone who can read the logs gets them. Put a rule with level: Metadata for these resources before it.`,
      });
    });
  },
};

export const AUDIT_CHECKS: RuleCheck[] = [auditBackend, auditPolicyFile, auditRetention, auditSecretPayloads];
