// Network rules: label-selector semantics, namespace defaulting and the cross-file view of
// NET-001/002 (policies and workloads usually live in different files).
import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import type { SourceFile } from "../../src/core/types.js";
import { selectorMatches } from "../../src/rules/network.js";

const NOW = new Date("2026-11-25T00:00:00Z");

function run(rule: string, files: SourceFile[] | string, options: Record<string, unknown> = {}) {
  const list = typeof files === "string" ? [{ path: "manifest.yaml", text: files }] : files;
  const config = { ...DEFAULT_CONFIG, rules: { [rule]: { enabled: true, options } } };
  return scan(list, { config, onlyRules: [rule], now: NOW }).findings.filter((f) => f.ruleId === rule);
}

const deployment = (name: string, ns: string | undefined, labels: string, extra = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${ns ? `  namespace: ${ns}\n` : ""}spec:
  selector:
    matchLabels: ${labels}
  template:
    metadata:
      labels: ${labels}
    spec:
${extra}      containers:
        - name: app
          image: nginx:1.27
`;

const policy = (name: string, ns: string | undefined, podSelector: string, rest = "") => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
${ns ? `  namespace: ${ns}\n` : ""}spec:
  podSelector: ${podSelector}
${rest}`;

describe("selectorMatches", () => {
  const labels = { app: "web", tier: "frontend" };
  it("follows metav1.LabelSelector semantics", () => {
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches(undefined, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: "web" } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: "api" } }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["frontend"] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "Exists" }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, labels)).toBe(false);
    // matchLabels AND matchExpressions
    expect(selectorMatches({ matchLabels: { app: "web" }, matchExpressions: [{ key: "x", operator: "Exists" }] }, labels)).toBe(false);
    // An operator the API rejects selects nothing rather than everything.
    expect(selectorMatches({ matchExpressions: [{ key: "app", operator: "Equals", values: ["web"] }] }, labels)).toBe(false);
    // Numbers written unquoted compare as the strings the API would store.
    expect(selectorMatches({ matchLabels: { v: 1 } }, { v: "1" })).toBe(true);
  });
});

describe("K8S-NET-001", () => {
  it("sees policies in other files of the same scan", () => {
    const files = [
      { path: "deploy/web.yaml", text: deployment("web", "shop", "{app: web}") },
      { path: "deploy/netpol.yaml", text: policy("web", "shop", "{matchLabels: {app: web}}") },
    ];
    expect(run("K8S-NET-001", files)).toEqual([]);
    expect(run("K8S-NET-001", files.slice(0, 1))).toHaveLength(1);
  });

  it("defaults unset namespaces to default on both sides", () => {
    expect(run("K8S-NET-001", [deployment("web", "default", "{app: web}"), policy("all", undefined, "{}")].join("---\n"))).toEqual([]);
    expect(run("K8S-NET-001", [deployment("web", undefined, "{app: web}"), policy("all", "default", "{}")].join("---\n"))).toEqual([]);
  });

  it("reports info 'unknown' only when the namespace has no policy and is not created here", () => {
    const unknown = run("K8S-NET-001", deployment("web", "team-a", "{app: web}"));
    expect(unknown.map((f) => f.severity)).toEqual(["info"]);
    expect(unknown[0].message).toMatch(/unknown/);
    const created = run("K8S-NET-001", ["apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n", deployment("web", "team-a", "{app: web}")].join("---\n"));
    expect(created.map((f) => f.severity)).toEqual(["medium"]);
    const otherPolicy = run("K8S-NET-001", [policy("api", "team-a", "{matchLabels: {app: api}}"), deployment("web", "team-a", "{app: web}")].join("---\n"));
    expect(otherPolicy.map((f) => f.severity)).toEqual(["medium"]);
    expect(otherPolicy[0].message).toContain("app=web");
  });

  it("skips hostNetwork pods and PodTemplates, and points at the pod labels", () => {
    expect(run("K8S-NET-001", deployment("agent", "ns", "{app: a}", "      hostNetwork: true\n"))).toEqual([]);
    expect(run("K8S-NET-001", "apiVersion: v1\nkind: PodTemplate\nmetadata: {name: t}\ntemplate:\n  spec:\n    containers: [{name: c, image: 'x:1'}]\n")).toEqual([]);
    const [f] = run("K8S-NET-001", deployment("web", "team-a", "{app: web}"));
    expect(f.range.startLine).toBe(11);
  });

  it("ignores NetworkPolicies of other API groups", () => {
    const calico = "apiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata: {name: all, namespace: shop}\nspec:\n  selector: all()\n";
    expect(run("K8S-NET-001", [calico, deployment("web", "shop", "{app: web}")].join("---\n")).map((f) => f.severity)).toEqual(["info"]);
  });
});

describe("K8S-NET-002", () => {
  const ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n";
  it("accepts explicit Ingress with an empty rule list; strict mode also needs Egress", () => {
    const deny = policy("deny", "shop", "{}", "  policyTypes: [Ingress]\n  ingress: []\n");
    expect(run("K8S-NET-002", [ns, deny].join("---\n"))).toEqual([]);
    const strict = run("K8S-NET-002", [ns, deny].join("---\n"), { strict: true });
    expect(strict).toHaveLength(1);
    expect(strict[0].message).toContain("ingress and egress");
    const both = policy("deny", "shop", "{}", "  policyTypes: [Ingress, Egress]\n");
    expect(run("K8S-NET-002", [ns, both].join("---\n"), { strict: true })).toEqual([]);
  });

  it("a selector with matchExpressions is not a default deny", () => {
    const partial = policy("deny", "shop", "{matchExpressions: [{key: app, operator: Exists}]}", "  policyTypes: [Ingress]\n");
    expect(run("K8S-NET-002", [ns, partial].join("---\n"))).toHaveLength(1);
  });

  it("anchors on the Namespace, even when it is in another file", () => {
    const found = run("K8S-NET-002", [
      { path: "a/policies.yaml", text: policy("web", "shop", "{matchLabels: {app: web}}") },
      { path: "b/namespace.yaml", text: ns },
    ]);
    expect(found).toHaveLength(1);
    expect(found[0].path).toBe("b/namespace.yaml");
    expect(found[0].fix).toBeUndefined();
  });

  it("does not judge namespaces only seen through workloads", () => {
    expect(run("K8S-NET-002", deployment("web", undefined, "{app: web}"))).toEqual([]);
  });
});

describe("K8S-NET-003 strict egress", () => {
  it("judges egress only with strict: true", () => {
    const text = policy("p", "shop", "{}", "  policyTypes: [Egress]\n  egress:\n    - to:\n        - ipBlock: {cidr: '::/0'}\n");
    expect(run("K8S-NET-003", text)).toEqual([]);
    expect(run("K8S-NET-003", text, { strict: true })).toHaveLength(1);
  });
});

describe("K8S-NET-004 / 007 details", () => {
  it("GKE and Azure internal annotations pass; an AWS internal false does not", () => {
    const svc = (ann: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations: {${ann}}\nspec:\n  type: LoadBalancer\n  ports: [{port: 80}]\n`;
    expect(run("K8S-NET-004", svc("networking.gke.io/load-balancer-type: Internal"))).toEqual([]);
    expect(run("K8S-NET-004", svc('service.beta.kubernetes.io/azure-load-balancer-internal: "true"'))).toEqual([]);
    expect(run("K8S-NET-004", svc('service.beta.kubernetes.io/aws-load-balancer-internal: "false"'))).toHaveLength(1);
  });

  it("a tls entry without hosts covers every host; a wildcard covers one label only", () => {
    const ing = (tls: string, host: string) => `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  tls: ${tls}\n  rules:\n    - host: ${host}\n`;
    expect(run("K8S-NET-007", ing("[{secretName: default-cert}]", "a.example.com"))).toEqual([]);
    expect(run("K8S-NET-007", ing("[{hosts: ['*.example.com']}]", "a.example.com"))).toEqual([]);
    expect(run("K8S-NET-007", ing("[{hosts: ['*.example.com']}]", "a.b.example.com"))).toHaveLength(1);
    expect(run("K8S-NET-007", ing("[{hosts: ['*.example.com']}]", "example.com"))).toHaveLength(1);
  });
});
