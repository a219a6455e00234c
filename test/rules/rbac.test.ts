// RBAC and service-account rules: authorizer-style matching, one finding per rules[i],
// built-in exclusions, and the cross-resource lookups (bindings → roles, aggregation,
// pods → ServiceAccounts → bindings) across files.
import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";
import { fixFiles } from "../../src/core/engine/fixes.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import type { SourceFile } from "../../src/core/types.js";

const NOW = new Date("2026-11-25T00:00:00Z");
const RBAC_RULES = Array.from({ length: 13 }, (_, i) => `K8S-RBAC-${String(i + 1).padStart(3, "0")}`);

function run(rules: string[] | string, files: SourceFile[] | string, verifyFixes = false) {
  const ids = typeof rules === "string" ? [rules] : rules;
  const list = typeof files === "string" ? [{ path: "manifest.yaml", text: files }] : files;
  const config = { ...DEFAULT_CONFIG, rules: Object.fromEntries(ids.map((id) => [id, { enabled: true }])) };
  return scan(list, { config, onlyRules: ids, now: NOW, verifyFixes }).findings.filter((f) => ids.includes(f.ruleId));
}

const clusterRole = (name: string, rules: string, labels = "") => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${name}
${labels ? `  labels: ${labels}\n` : ""}rules:
${rules}`;

const binding = (kind: "RoleBinding" | "ClusterRoleBinding", name: string, ns: string | undefined, roleKind: string, role: string, subjects: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata:
  name: ${name}
${ns ? `  namespace: ${ns}\n` : ""}roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ${roleKind}
  name: ${role}
subjects:
${subjects}`;

describe("role rules", () => {
  it("reports a `*`-on-`*` entry once, as critical K8S-RBAC-001, not ten times", () => {
    const found = run(RBAC_RULES, clusterRole("god", '  - apiGroups: [""]\n    resources: ["*"]\n    verbs: ["*"]\n'));
    expect(found.map((f) => [f.ruleId, f.severity])).toEqual([["K8S-RBAC-001", "critical"]]);
  });

  it("one finding per offending entry, located on that entry", () => {
    const text = clusterRole("reader", '  - apiGroups: [""]\n    resources: [configmaps]\n    verbs: [get]\n  - apiGroups: [""]\n    resources: [secrets]\n    verbs: [list]\n  - apiGroups: ["*"]\n    resources: [secrets]\n    verbs: [watch]\n');
    const found = run("K8S-RBAC-003", text);
    expect(found.map((f) => f.range.startLine)).toEqual([9, 12]);
    expect(found.every((f) => f.severity === "critical")).toBe(true);
  });

  it("does not judge built-in role names", () => {
    const everything = '  - apiGroups: ["*"]\n    resources: ["*"]\n    verbs: ["*"]\n  - apiGroups: [""]\n    resources: [secrets, pods/exec]\n    verbs: [get, create]\n';
    for (const name of ["cluster-admin", "admin", "edit", "view", "system:controller:foo"]) {
      expect(run(RBAC_RULES, clusterRole(name, everything))).toEqual([]);
    }
    expect(run(RBAC_RULES, clusterRole("my-admin", everything)).map((f) => f.ruleId).sort()).toEqual(["K8S-RBAC-001", "K8S-RBAC-003", "K8S-RBAC-005"]);
    // Only the ClusterRoles are built in: a namespaced Role called "admin" is judged.
    const role = clusterRole("admin", everything).replace("kind: ClusterRole", "kind: Role").replace("  name: admin\n", "  name: admin\n  namespace: shop\n");
    expect(run("K8S-RBAC-001", role)).toHaveLength(1);
  });

  it("pods does not cover pods/exec, but * and */exec do; other API groups do not count", () => {
    const r = (resources: string, groups = '[""]') => clusterRole("r", `  - apiGroups: ${groups}\n    resources: ${resources}\n    verbs: [create]\n`);
    expect(run("K8S-RBAC-005", r("[pods]"))).toEqual([]);
    expect(run("K8S-RBAC-005", r("[pods/exec]", "[apps]"))).toEqual([]);
    expect(run("K8S-RBAC-005", r("[pods/exec]", '["*"]'))).toHaveLength(1);
    expect(run("K8S-RBAC-005", r("['*/exec']"))).toHaveLength(1);
    expect(run("K8S-RBAC-005", r("['*']"))).toHaveLength(1);
  });

  it("impersonation of uids and userextras is judged in authentication.k8s.io", () => {
    const r = (groups: string, resources: string) => clusterRole("imp", `  - apiGroups: ${groups}\n    resources: ${resources}\n    verbs: [impersonate]\n`);
    expect(run("K8S-RBAC-004", r("[authentication.k8s.io]", "[userextras/scopes]"))).toHaveLength(1);
    expect(run("K8S-RBAC-004", r("[authentication.k8s.io]", "[uids]"))).toHaveLength(1);
    expect(run("K8S-RBAC-004", r('[""]', "[uids]"))).toEqual([]);
  });
});

describe("K8S-RBAC-002 cross-resource", () => {
  const everything = '  - apiGroups: ["*"]\n    resources: ["*"]\n    verbs: ["*"]\n';
  const sa = "  - kind: ServiceAccount\n    name: app\n    namespace: shop\n";

  it("follows bindings to in-scan roles in other files, and places the finding on the binding", () => {
    const files = [
      { path: "roles.yaml", text: clusterRole("app-all", everything) },
      { path: "bindings.yaml", text: binding("ClusterRoleBinding", "app-all", undefined, "ClusterRole", "app-all", sa) },
    ];
    const found = run("K8S-RBAC-002", files);
    expect(found.map((f) => [f.path, f.severity, f.range.startLine])).toEqual([["bindings.yaml", "critical", 8]]);
  });

  it("matches a RoleBinding's Role in the binding's namespace only", () => {
    const role = (ns: string) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: all\n  namespace: ${ns}\nrules:\n${everything}`;
    const rb = binding("RoleBinding", "all", "shop", "Role", "all", sa);
    expect(run("K8S-RBAC-002", [role("other"), rb].join("---\n"))).toEqual([]);
    expect(run("K8S-RBAC-002", [role("shop"), rb].join("---\n")).map((f) => f.severity)).toEqual(["high"]);
  });

  it("follows nested aggregation and survives aggregation cycles", () => {
    const agg = (name: string, selectLabel: string, ownLabel: string) =>
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ${name}\n  labels: {${ownLabel}: "true"}\naggregationRule:\n  clusterRoleSelectors:\n    - matchLabels: {${selectLabel}: "true"}\nrules: []\n`;
    const docs = [
      agg("top", "to-top", "unused"),
      agg("middle", "to-middle", "to-top"),
      clusterRole("leaf", everything, '{to-middle: "true"}'),
      binding("ClusterRoleBinding", "top", undefined, "ClusterRole", "top", sa),
    ];
    expect(run("K8S-RBAC-002", docs.join("---\n"))).toHaveLength(1);
    const cycle = [agg("a", "to-a", "to-b"), agg("b", "to-b", "to-a"), binding("ClusterRoleBinding", "a", undefined, "ClusterRole", "a", sa)];
    expect(run("K8S-RBAC-002", cycle.join("---\n"))).toEqual([]);
  });

  it("skips the API server's own bindings", () => {
    expect(run("K8S-RBAC-002", binding("ClusterRoleBinding", "system:kube-controller-manager", undefined, "ClusterRole", "cluster-admin", sa))).toEqual([]);
  });
});

describe("K8S-RBAC-012", () => {
  it("system:authenticated bound to a role that only reads non-resource URLs passes", () => {
    const role = clusterRole("health", '  - nonResourceURLs: ["/healthz", "/readyz"]\n    verbs: [get]\n');
    const b = binding("ClusterRoleBinding", "health", undefined, "ClusterRole", "health", "  - kind: Group\n    name: system:authenticated\n");
    expect(run("K8S-RBAC-012", [role, b].join("---\n"))).toEqual([]);
    expect(run("K8S-RBAC-012", b)).toHaveLength(1);
  });
});

describe("service accounts", () => {
  const pod = (ns: string, sa?: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ${ns}\nspec:\n${sa ? `  serviceAccountName: ${sa}\n` : ""}  containers:\n    - name: c\n      image: nginx:1.27\n`;

  it("K8S-SA-001 finds the ServiceAccount in another file of the scan, same namespace only", () => {
    const saFile = { path: "sa.yaml", text: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  namespace: shop\nautomountServiceAccountToken: false\n" };
    expect(run("K8S-SA-001", [saFile, { path: "pod.yaml", text: pod("shop", "web") }])).toEqual([]);
    expect(run("K8S-SA-001", [saFile, { path: "pod.yaml", text: pod("other", "web") }])).toHaveLength(1);
  });

  it("K8S-SA-001 withholds the patch when any binding form names the account", () => {
    const subjects = [
      "  - kind: ServiceAccount\n    name: web\n    namespace: shop\n",
      "  - kind: User\n    name: system:serviceaccount:shop:web\n",
      "  - kind: Group\n    name: system:serviceaccounts:shop\n",
      "  - kind: Group\n    name: system:serviceaccounts\n",
    ];
    for (const s of subjects) {
      const b = binding("ClusterRoleBinding", "b", undefined, "ClusterRole", "view", s);
      const found = run("K8S-SA-001", [{ path: "b.yaml", text: b }, { path: "pod.yaml", text: pod("shop", "web") }]);
      expect(found).toHaveLength(1);
      expect(found[0].fix).toBeUndefined();
    }
    const other = binding("ClusterRoleBinding", "b", undefined, "ClusterRole", "view", "  - kind: ServiceAccount\n    name: web\n    namespace: elsewhere\n");
    expect(run("K8S-SA-001", [{ path: "b.yaml", text: other }, { path: "pod.yaml", text: pod("shop", "web") }])[0].fix).toBeDefined();
  });

  it("K8S-SA-001's patch passes fix verification and removes the finding", () => {
    const text = pod("shop");
    const [f] = run("K8S-SA-001", text, true);
    expect(f.fix).toBeDefined();
    const out = fixFiles([{ path: "manifest.yaml", text }], { rules: ["K8S-SA-001"] }, { config: DEFAULT_CONFIG, onlyRules: ["K8S-SA-001"], now: NOW });
    const fixed = out.changed.get("manifest.yaml")!;
    expect(fixed).toContain("automountServiceAccountToken: false");
    expect(run("K8S-SA-001", fixed)).toEqual([]);
  });

  it("K8S-SA-002 ignores pods without a token and uses the deprecated field when it is the only one", () => {
    const noToken = pod("shop").replace("spec:\n", "spec:\n  automountServiceAccountToken: false\n");
    expect(run("K8S-SA-002", noToken)).toEqual([]);
    const legacy = pod("shop").replace("spec:\n", "spec:\n  serviceAccount: web\n");
    expect(run("K8S-SA-002", legacy)).toEqual([]);
  });
});
