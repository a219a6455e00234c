// RBAC least privilege and service accounts (catalog §3.5). Role rules are judged with the
// authorizer's own matching (rbac/v1 helpers: "*" everywhere, "*/subresource"), one finding
// per offending rules[i] entry, so the reviewer sees which entry to narrow.
import type { CheckContext, RuleCheck } from "../core/engine/check.js";
import type { Project } from "../core/engine/project.js";
import type { K8sObject, Workload } from "../core/model/k8s.js";
import { asArray, asObj, isObj } from "../core/model/k8s.js";
import type { Severity } from "../core/types.js";
import type { Path } from "../core/fix/ops.js";
import { resourceLabel } from "./helpers.js";
import { namespaceOf, selectorMatches } from "./network.js";

const RBAC_GROUP = "rbac.authorization.k8s.io/";

interface PolicyRule {
  index: number;
  path: Path;
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

function strings(v: unknown): string[] {
  return asArray(v).filter((x): x is string => typeof x === "string");
}

function isRole(o: K8sObject): boolean {
  return (o.kind === "Role" || o.kind === "ClusterRole") && o.apiVersion.startsWith(RBAC_GROUP);
}

function isBinding(o: K8sObject): boolean {
  return (o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding") && o.apiVersion.startsWith(RBAC_GROUP);
}

/**
 * Roles the API server creates and reconciles itself: not this repository's to judge. The
 * user-facing four are ClusterRoles; a namespaced Role called "admin" is an ordinary role.
 */
function isBuiltinRole(o: K8sObject): boolean {
  if (o.name.startsWith("system:")) return true;
  return o.kind === "ClusterRole" && ["cluster-admin", "admin", "edit", "view"].includes(o.name);
}

function rulesOf(o: K8sObject): PolicyRule[] {
  return asArray(o.value.rules).flatMap((r, index) => {
    if (!isObj(r)) return [];
    return [{ index, path: ["rules", index], apiGroups: strings(r.apiGroups), resources: strings(r.resources), verbs: strings(r.verbs), resourceNames: strings(r.resourceNames), nonResourceURLs: strings(r.nonResourceURLs) }];
  });
}

/** Roles defined in this repository, minus the built-ins; the unit RBAC-001 and 003…011 judge. */
function definedRules(o: K8sObject): PolicyRule[] {
  if (!isRole(o) || isBuiltinRole(o)) return [];
  return rulesOf(o);
}

function groupMatches(r: PolicyRule, group: string): boolean {
  return r.apiGroups.includes("*") || r.apiGroups.includes(group);
}

/** rbac/v1 ResourceMatches: "*", exact "res" / "res/sub", or "*\/sub" for a subresource. */
function resourceMatches(r: PolicyRule, resource: string): boolean {
  const slash = resource.indexOf("/");
  const sub = slash === -1 ? "" : resource.slice(slash + 1);
  return r.resources.some((x) => x === "*" || x === resource || (sub !== "" && x === `*/${sub}`));
}

function verbsGranted(r: PolicyRule, verbs: readonly string[]): string[] {
  if (r.verbs.includes("*")) return ["*"];
  return verbs.filter((v) => r.verbs.includes(v));
}

function grants(r: PolicyRule, group: string, resource: string, verbs: readonly string[]): string[] {
  if (!groupMatches(r, group) || !resourceMatches(r, resource)) return [];
  return verbsGranted(r, verbs);
}

/**
 * `verbs: ["*"]` with `resources: ["*"]` grants everything K8S-RBAC-003…011 look for; RBAC-001
 * reports it once, as critical, instead of ten rules repeating it on the same entry.
 */
function isFullWildcard(r: PolicyRule): boolean {
  return r.verbs.includes("*") && r.resources.includes("*");
}

function roleLabel(o: K8sObject): string {
  return `${o.kind} "${o.name}"`;
}

function fmt(list: readonly string[]): string {
  return list.map((x) => (x === "" ? '""' : x)).join(", ");
}

// ---------------------------------------------------------------------------------------
// Role rules

const wildcards: RuleCheck = {
  id: "K8S-RBAC-001",
  object(o, ctx) {
    for (const r of definedRules(o)) {
      const fields = (["apiGroups", "resources", "nonResourceURLs", "verbs"] as const).filter((f) => r[f].includes("*"));
      if (fields.length === 0) continue;
      const everything = isFullWildcard(r);
      ctx.report({
        object: o,
        path: r.path,
        severity: everything ? "critical" : undefined,
        message: everything
          ? `${roleLabel(o)}: rules[${r.index}] grants every verb on every resource${r.apiGroups.includes("*") ? " of every API group — Secrets, exec, escalate and bind included" : ` of API group(s) ${fmt(r.apiGroups)}`}. List the resources and verbs this subject really uses.`
          : `${roleLabel(o)}: rules[${r.index}] uses "*" in ${fields.join(" and ")}, which also grants whatever is added to the API later. List the ${fields.join(" and ")} explicitly.`,
      });
    }
  },
};

const READ_SECRET_VERBS = ["get", "list", "watch"];

const secretsAccess: RuleCheck = {
  id: "K8S-RBAC-003",
  object(o, ctx) {
    for (const r of definedRules(o)) {
      if (isFullWildcard(r)) continue;
      const verbs = grants(r, "", "secrets", READ_SECRET_VERBS);
      if (verbs.length === 0) continue;
      const bulk = verbs.includes("*") || verbs.includes("list") || verbs.includes("watch");
      let severity: Severity | undefined;
      let scope = "";
      if (bulk && o.kind === "ClusterRole") {
        severity = "critical";
        scope = " in every namespace (list/watch return the Secrets' values)";
      } else if (!bulk && r.resourceNames.length > 0) {
        // `get` on named Secrets is the least-privilege way to read a credential.
        severity = "medium";
        scope = ` limited to ${r.resourceNames.length === 1 ? "Secret" : "Secrets"} ${fmt(r.resourceNames)}`;
      }
      ctx.report({
        object: o,
        path: r.path,
        severity,
        message: `${roleLabel(o)}: rules[${r.index}] can read Secrets (${fmt(verbs)})${scope}. ${
          severity === "medium" ? "Check that each named Secret is needed; mounting it into the pod avoids the permission altogether." : "Grant get on the specific resourceNames needed, or mount the Secret into the pod instead."
        }`,
      });
    }
  },
};

const IMPERSONATE_TARGETS: { group: string; resource: string }[] = [
  { group: "", resource: "users" },
  { group: "", resource: "groups" },
  { group: "", resource: "serviceaccounts" },
  { group: "authentication.k8s.io", resource: "uids" },
];

function impersonates(r: PolicyRule): boolean {
  if (verbsGranted(r, ["impersonate"]).length === 0) return false;
  if (IMPERSONATE_TARGETS.some((t) => groupMatches(r, t.group) && resourceMatches(r, t.resource))) return true;
  return groupMatches(r, "authentication.k8s.io") && r.resources.some((x) => x.startsWith("userextras/"));
}

const escalation: RuleCheck = {
  id: "K8S-RBAC-004",
  object(o, ctx) {
    for (const r of definedRules(o)) {
      if (isFullWildcard(r)) continue;
      const found: string[] = [];
      const effects: string[] = [];
      for (const res of ["roles", "clusterroles"]) {
        const v = grants(r, "rbac.authorization.k8s.io", res, ["escalate", "bind"]);
        if (v.length > 0) found.push(`${fmt(v)} on ${res}`);
      }
      if (found.length > 0) effects.push("grant itself any permission, cluster-admin included");
      if (impersonates(r)) {
        found.push(`impersonate on ${fmt(r.resources)}`);
        effects.push("act as another user, group or service account");
      }
      if (found.length === 0) continue;
      // resourceNames caps what can be bound or impersonated: still powerful, no longer unbounded.
      const limited = r.resourceNames.length > 0;
      ctx.report({
        object: o,
        path: r.path,
        severity: limited ? "high" : undefined,
        message: limited
          ? `${roleLabel(o)}: rules[${r.index}] grants ${found.join("; ")}, limited to ${fmt(r.resourceNames)}: whoever holds it can do that for each of these. Check that every name is needed.`
          : `${roleLabel(o)}: rules[${r.index}] grants ${found.join("; ")}: whoever holds it can ${effects.join(" and ")}. Remove these verbs, or limit them with resourceNames to what a controller hands out.`,
      });
    }
  },
};

const execAttach: RuleCheck = {
  id: "K8S-RBAC-005",
  object(o, ctx) {
    for (const r of definedRules(o)) {
      if (isFullWildcard(r)) continue;
      const found = ["pods/exec", "pods/attach"].flatMap((res) => {
        const v = grants(r, "", res, ["create", "get"]);
        return v.length > 0 ? [`${fmt(v)} on ${res}`] : [];
      });
      if (found.length === 0) continue;
      ctx.report({
        object: o,
        path: r.path,
        message: `${roleLabel(o)}: rules[${r.index}] grants ${found.join("; ")}: a shell in any pod of its scope, with that pod's Secrets and service-account token. Use logs or port-forward, or grant exec to a break-glass role only.`,
      });
    }
  },
};

const WORKLOAD_RESOURCES: { group: string; resource: string }[] = [
  { group: "", resource: "pods" },
  { group: "", resource: "replicationcontrollers" },
  { group: "apps", resource: "deployments" },
  { group: "apps", resource: "daemonsets" },
  { group: "apps", resource: "statefulsets" },
  { group: "apps", resource: "replicasets" },
  { group: "batch", resource: "jobs" },
  { group: "batch", resource: "cronjobs" },
];

const createWorkloads: RuleCheck = {
  id: "K8S-RBAC-006",
  object(o, ctx) {
    for (const r of definedRules(o)) {
      if (isFullWildcard(r)) continue;
      const found = WORKLOAD_RESOURCES.filter((t) => grants(r, t.group, t.resource, ["create"]).length > 0).map((t) => t.resource);
      if (found.length === 0) continue;
      ctx.report({
        object: o,
        path: r.path,
        message: `${roleLabel(o)}: rules[${r.index}] can create ${found.join(", ")}: a new pod can mount any Secret and run as any service account of its namespace. Grant create only to deployment tooling.`,
      });
    }
  },
};

interface SimpleRule {
  id: string;
  targets: { group: string; resource: string }[];
  verbs: readonly string[];
  what: string;
}

const WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection"];

function simpleRule(spec: SimpleRule): RuleCheck {
  return {
    id: spec.id,
    object(o, ctx) {
      for (const r of definedRules(o)) {
        if (isFullWildcard(r)) continue;
        const hits = spec.targets.flatMap((t) => {
          const v = grants(r, t.group, t.resource, spec.verbs);
          return v.length > 0 ? [`${fmt(v)} on ${t.resource}`] : [];
        });
        if (hits.length === 0) continue;
        ctx.report({ object: o, path: r.path, message: `${roleLabel(o)}: rules[${r.index}] grants ${hits.join("; ")}: ${spec.what}` });
      }
    },
  };
}

const nodesProxy = simpleRule({
  id: "K8S-RBAC-007",
  targets: [{ group: "", resource: "nodes/proxy" }],
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"],
  what: "the kubelet API behind it runs commands in any pod on the node and bypasses audit logging and admission. Remove it; read metrics through nodes/metrics or the metrics API.",
});

const webhooks = simpleRule({
  id: "K8S-RBAC-008",
  targets: [
    { group: "admissionregistration.k8s.io", resource: "validatingwebhookconfigurations" },
    { group: "admissionregistration.k8s.io", resource: "mutatingwebhookconfigurations" },
  ],
  verbs: WRITE_VERBS,
  what: "it can disable admission policies or intercept and rewrite every object sent to the API. Limit it to the operator that owns the webhook, with resourceNames.",
});

const csrApproval: RuleCheck = {
  id: "K8S-RBAC-009",
  object(o, ctx) {
    const rules = definedRules(o).filter((r) => !isFullWildcard(r));
    // Approving a CSR takes both permissions; either alone is harmless.
    const canApprove = rules.some((r) => grants(r, "certificates.k8s.io", "signers", ["approve"]).length > 0);
    if (!canApprove) return;
    for (const r of rules) {
      const v = grants(r, "certificates.k8s.io", "certificatesigningrequests/approval", ["update", "patch"]);
      if (v.length === 0) continue;
      ctx.report({
        object: o,
        path: r.path,
        message: `${roleLabel(o)}: rules[${r.index}] grants ${fmt(v)} on certificatesigningrequests/approval and the role can approve for signers: it can mint client certificates for any user or group its signers allow (system:masters included for kubernetes.io/kube-apiserver-client). Leave CSR approval to the controller manager.`,
      });
    }
  },
};

const saTokens = simpleRule({
  id: "K8S-RBAC-010",
  targets: [{ group: "", resource: "serviceaccounts/token" }],
  verbs: ["create"],
  what: "it can mint tokens for every service account in its scope and act with their permissions. Remove it, or restrict it with resourceNames.",
});

const persistentVolumes = simpleRule({
  id: "K8S-RBAC-011",
  targets: [{ group: "", resource: "persistentvolumes" }],
  verbs: ["create"],
  what: "a hostPath PersistentVolume gives any pod that claims it the node's filesystem. Let a StorageClass provision volumes instead.",
});

// ---------------------------------------------------------------------------------------
// Bindings

interface Subject {
  index: number;
  kind: string;
  name: string;
  namespace?: string;
}

function subjectsOf(o: K8sObject): Subject[] {
  return asArray(o.value.subjects).flatMap((s, index) => {
    if (!isObj(s) || typeof s.kind !== "string" || typeof s.name !== "string") return [];
    return [{ index, kind: s.kind, name: s.name, ...(typeof s.namespace === "string" && s.namespace !== "" ? { namespace: s.namespace } : {}) }];
  });
}

function roleRef(o: K8sObject): { kind: string; name: string } | undefined {
  const r = asObj(o.value.roleRef);
  return typeof r.kind === "string" && typeof r.name === "string" ? { kind: r.kind, name: r.name } : undefined;
}

/** A binding of the same name as a built-in one is the API server's own (or a copy of it). */
function isBuiltinBinding(o: K8sObject): boolean {
  return o.name === "cluster-admin" || o.name.startsWith("system:");
}

function grantsEverything(o: K8sObject): boolean {
  return rulesOf(o).some((r) => r.apiGroups.includes("*") && r.resources.includes("*") && r.verbs.includes("*"));
}

/** The role a binding points at, when it is defined in this scan. */
function boundRole(p: Project, b: K8sObject): K8sObject | undefined {
  const ref = roleRef(b);
  if (!ref) return undefined;
  if (ref.kind === "ClusterRole") return p.byKind("ClusterRole").find((r) => isRole(r) && r.name === ref.name);
  if (ref.kind === "Role" && b.kind === "RoleBinding") return p.byKind("Role").find((r) => isRole(r) && r.name === ref.name && namespaceOf(r) === namespaceOf(b));
  return undefined;
}

/**
 * The in-scan ClusterRole that makes `role` all-powerful: itself, or one of the roles its
 * aggregationRule pulls in (recursively, as the aggregation controller does).
 */
function allPowerfulSource(p: Project, role: K8sObject, seen = new Set<K8sObject>()): K8sObject | undefined {
  if (seen.has(role)) return undefined;
  seen.add(role);
  if (grantsEverything(role)) return role;
  if (role.kind !== "ClusterRole") return undefined;
  const selectors = asArray(asObj(role.value.aggregationRule).clusterRoleSelectors);
  if (selectors.length === 0) return undefined;
  for (const part of p.byKind("ClusterRole")) {
    if (part === role || !isRole(part)) continue;
    const labels = Object.fromEntries(Object.entries(asObj(asObj(part.value.metadata).labels)).map(([k, v]) => [k, String(v)]));
    if (!selectors.some((s) => selectorMatches(s, labels))) continue;
    const found = allPowerfulSource(p, part, seen);
    if (found) return found;
  }
  return undefined;
}

const clusterAdminBinding: RuleCheck = {
  id: "K8S-RBAC-002",
  project(p, ctx) {
    for (const b of p.objects) {
      if (!isBinding(b) || isBuiltinBinding(b)) continue;
      const ref = roleRef(b);
      if (!ref) continue;
      const severity: Severity = b.kind === "ClusterRoleBinding" ? "critical" : "high";
      const scope = b.kind === "ClusterRoleBinding" ? "on the whole cluster" : `in namespace "${namespaceOf(b)}"`;
      if (ref.kind === "ClusterRole" && ref.name === "cluster-admin") {
        ctx.report({
          object: b,
          path: ["roleRef", "name"],
          severity,
          message: `${b.kind} "${b.name}" grants cluster-admin ${scope} to ${subjectsText(b)}. Bind a role with only the permissions they use.`,
        });
        continue;
      }
      const role = boundRole(p, b);
      if (!role || isBuiltinRole(role)) continue;
      const source = allPowerfulSource(p, role);
      if (!source) continue;
      const via = source === role ? "" : ` (it aggregates ClusterRole "${source.name}")`;
      ctx.report({
        object: b,
        path: ["roleRef", "name"],
        severity,
        message: `${b.kind} "${b.name}" binds ${roleLabel(role)}, which grants "*" verbs on "*" resources in "*" API groups${via}: cluster-admin in all but name, ${scope}, for ${subjectsText(b)}. Bind a role with only the permissions they use.`,
      });
    }
  },
};

function subjectsText(b: K8sObject): string {
  const s = subjectsOf(b);
  if (s.length === 0) return "no subjects yet";
  const shown = s.slice(0, 3).map((x) => `${x.kind} ${x.namespace ? `${x.namespace}/` : ""}${x.name}`);
  return shown.join(", ") + (s.length > 3 ? ` and ${s.length - 3} more` : "");
}

/** Bindings of these to system:authenticated are how discovery and self-review work. */
const DISCOVERY_ROLES = new Set(["system:discovery", "system:basic-user", "system:public-info-viewer"]);

const SELF_REVIEW_RESOURCES = new Set(["selfsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews"]);

/** An in-scan role that only allows self-review and read-only non-resource URLs. */
function isDiscoveryOnly(role: K8sObject): boolean {
  const rules = asArray(role.value.rules).map(asObj);
  return rules.length > 0 && rules.every((r) => {
    const verbs = strings(r.verbs);
    const resources = strings(r.resources);
    const urls = strings(r.nonResourceURLs);
    if (urls.length > 0) return resources.length === 0 && verbs.every((v) => v === "get");
    return resources.length > 0 && resources.every((x) => SELF_REVIEW_RESOURCES.has(x)) && verbs.every((v) => v === "create");
  });
}

const anonymousSubjects: RuleCheck = {
  id: "K8S-RBAC-012",
  project(p, ctx) {
    for (const b of p.objects) {
      if (!isBinding(b) || isBuiltinBinding(b)) continue;
      const ref = roleRef(b);
      for (const s of subjectsOf(b)) {
        const anonymous = (s.kind === "User" && s.name === "system:anonymous") || (s.kind === "Group" && s.name === "system:unauthenticated");
        const everyone = s.kind === "Group" && s.name === "system:authenticated";
        if (!anonymous && !everyone) continue;
        if (everyone) {
          const role = boundRole(p, b);
          if (ref && DISCOVERY_ROLES.has(ref.name)) continue;
          if (role && isDiscoveryOnly(role)) continue;
        }
        const who = anonymous ? "unauthenticated requests" : "every authenticated user and service account in the cluster";
        ctx.report({
          object: b,
          path: ["subjects", s.index],
          severity: anonymous ? "critical" : "high",
          message: `${b.kind} "${b.name}" binds ${ref ? `${ref.kind} "${ref.name}"` : "its role"} to ${s.kind} ${s.name}, i.e. ${who}. Bind it to the specific users, groups or service accounts that need it.`,
        });
      }
    }
  },
};

const systemMasters: RuleCheck = {
  id: "K8S-RBAC-013",
  object(b, ctx) {
    // The built-in cluster-admin binding is how system:masters is defined.
    if (!isBinding(b) || isBuiltinBinding(b)) return;
    for (const s of subjectsOf(b)) {
      if (s.kind !== "Group" || s.name !== "system:masters") continue;
      ctx.report({
        object: b,
        path: ["subjects", s.index],
        message: `${b.kind} "${b.name}" names the group system:masters: its members bypass RBAC and admission webhooks entirely, so this binding is meaningless and suggests credentials in that group are in use. Use a named group bound to a least-privilege role.`,
      });
    }
  },
};

// ---------------------------------------------------------------------------------------
// Service accounts

/** The service account a pod runs as; the deprecated field counts only when the new one is absent. */
function serviceAccountOf(w: Workload): string {
  const name = w.podSpec.serviceAccountName ?? w.podSpec.serviceAccount;
  return typeof name === "string" && name !== "" ? name : "default";
}

/** Does an in-scan binding give this service account API permissions? */
function isBound(p: Project, ns: string, sa: string): boolean {
  for (const b of p.objects) {
    if (!isBinding(b)) continue;
    for (const s of subjectsOf(b)) {
      if (s.kind === "ServiceAccount") {
        // RoleBinding subjects without a namespace mean the binding's namespace.
        const subjectNs = s.namespace ?? (b.kind === "RoleBinding" ? namespaceOf(b) : undefined);
        if (s.name === sa && subjectNs === ns) return true;
      } else if (s.kind === "Group") {
        if (s.name === "system:serviceaccounts" || s.name === `system:serviceaccounts:${ns}`) return true;
      } else if (s.kind === "User" && s.name === `system:serviceaccount:${ns}:${sa}`) return true;
    }
  }
  return false;
}

function findServiceAccount(p: Project, ns: string, name: string): K8sObject | undefined {
  return p.byKind("ServiceAccount").find((o) => o.apiVersion === "v1" && o.name === name && namespaceOf(o) === ns);
}

const automount: RuleCheck = {
  id: "K8S-SA-001",
  project(p, ctx) {
    for (const w of p.workloads) {
      const pod = w.podSpec.automountServiceAccountToken;
      if (pod === false) continue;
      const ns = namespaceOf(w.obj);
      const saName = serviceAccountOf(w);
      const sa = findServiceAccount(p, ns, saName);
      const saValue = sa ? asObj(sa.value).automountServiceAccountToken : undefined;
      // The pod field overrides the ServiceAccount's; only an unset pod field inherits.
      if (pod === undefined && saValue === false) continue;
      reportAutomount(w, ctx, { pod, saName, ns, sa, bound: isBound(p, ns, saName) });
    }
  },
};

function reportAutomount(w: Workload, ctx: CheckContext, a: { pod: unknown; saName: string; ns: string; sa?: K8sObject; bound: boolean }): void {
  const path: Path = [...w.podSpecPath, "automountServiceAccountToken"];
  const why =
    a.pod === true
      ? "sets automountServiceAccountToken: true"
      : a.sa
        ? `leaves automountServiceAccountToken unset and ServiceAccount "${a.saName}" does not set it to false`
        : `leaves automountServiceAccountToken unset and ServiceAccount "${a.saName}" (namespace "${a.ns}") is not in this scan, so the API default (true) applies`;
  const tail = a.bound
    ? ` ServiceAccount "${a.saName}" is bound to a role here, so the workload probably calls the API: keep the token, but scope the role tightly.`
    : " Set automountServiceAccountToken: false unless it calls the Kubernetes API.";
  ctx.report({
    object: w.obj,
    path,
    message: `${resourceLabel(w)} ${why}: a compromised container gets a credential for the Kubernetes API.${tail}`,
    // A workload whose account has in-scan permissions uses the API; disabling the token would break it.
    fix: a.bound ? undefined : { description: "Set automountServiceAccountToken: false on the pod spec", ops: [{ op: "set", path, value: false }] },
  });
}

const defaultServiceAccount: RuleCheck = {
  id: "K8S-SA-002",
  workload(w, ctx) {
    // Without a token the pod cannot act as the account, so which account it is hardly matters.
    if (w.podSpec.automountServiceAccountToken === false) return;
    if (serviceAccountOf(w) !== "default") return;
    const explicit = typeof w.podSpec.serviceAccountName === "string" ? "serviceAccountName" : typeof w.podSpec.serviceAccount === "string" ? "serviceAccount" : undefined;
    ctx.report({
      object: w.obj,
      path: [...w.podSpecPath, explicit ?? "serviceAccountName"],
      message: `${resourceLabel(w)} runs as the namespace's "default" ServiceAccount${explicit ? "" : " (serviceAccountName unset)"}, shared by every pod that does not choose one: permissions granted to one of them are granted to all. Create a ServiceAccount for this workload and set serviceAccountName.`,
    });
  },
  object(b, ctx) {
    if (!isBinding(b)) return;
    for (const s of subjectsOf(b)) {
      if (s.kind !== "ServiceAccount" || s.name !== "default") continue;
      const ns = s.namespace ?? (b.kind === "RoleBinding" ? namespaceOf(b) : "?");
      ctx.report({
        object: b,
        path: ["subjects", s.index],
        message: `${b.kind} "${b.name}" grants permissions to the "default" ServiceAccount of namespace "${ns}": every pod there that does not choose an account gets them. Bind a dedicated ServiceAccount instead.`,
      });
    }
  },
};

const deprecatedField: RuleCheck = {
  id: "K8S-SA-003",
  workload(w, ctx) {
    const old = w.podSpec.serviceAccount;
    if (old === undefined) return;
    const current = w.podSpec.serviceAccountName;
    const path: Path = [...w.podSpecPath, "serviceAccount"];
    const base = `${resourceLabel(w)} uses the deprecated pod field serviceAccount`;
    if (current === undefined) {
      ctx.report({
        object: w.obj,
        path,
        message: `${base}; rename it to serviceAccountName.`,
        fix: { description: "Rename serviceAccount to serviceAccountName", ops: [{ op: "rename", path, newKey: "serviceAccountName" }] },
      });
    } else if (current === old) {
      ctx.report({
        object: w.obj,
        path,
        message: `${base} next to serviceAccountName with the same value; remove it.`,
        fix: { description: "Remove the deprecated serviceAccount field", ops: [{ op: "delete", path }] },
      });
    } else {
      ctx.report({
        object: w.obj,
        path,
        message: `${base} ("${String(old)}") next to serviceAccountName ("${String(current)}"): the API uses serviceAccountName and ignores it. Remove serviceAccount after checking which account is meant.`,
      });
    }
  },
};

export const RBAC_CHECKS: RuleCheck[] = [
  wildcards,
  clusterAdminBinding,
  secretsAccess,
  escalation,
  execAttach,
  createWorkloads,
  nodesProxy,
  webhooks,
  csrApproval,
  saTokens,
  persistentVolumes,
  anonymousSubjects,
  systemMasters,
  automount,
  defaultServiceAccount,
  deprecatedField,
];

