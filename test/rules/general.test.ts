// General hygiene (K8S-GEN-*) and update rules (K8S-UPDATE-001/003).
import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import type { SourceFile } from "../../src/core/types.js";

function findings(ruleId: string, files: SourceFile[] | string, now = new Date("2026-11-25T00:00:00Z")) {
  const list = typeof files === "string" ? [{ path: "m.yaml", text: files }] : files;
  const config = { ...DEFAULT_CONFIG, rules: { [ruleId]: { enabled: true } } };
  return scan(list, { config, onlyRules: [ruleId], now }).findings.filter((f) => f.ruleId === ruleId && !f.suppressed);
}

const deployment = (ns?: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
${ns ? `  namespace: ${ns}\n` : ""}spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;

describe("K8S-GEN-001", () => {
  it("explicit default is low, unset is info", () => {
    expect(findings("K8S-GEN-001", deployment("default"))[0]!.severity).toBe("low");
    expect(findings("K8S-GEN-001", deployment())[0]!.severity).toBe("info");
  });

  it("does not report unset namespaces of files a namespaced Kustomization includes", () => {
    const kustomization = { path: "overlays/prod/kustomization.yaml", text: "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources:\n  - ../../base\n" };
    expect(findings("K8S-GEN-001", [kustomization, { path: "base/deploy.yaml", text: deployment() }])).toEqual([]);
    expect(findings("K8S-GEN-001", [kustomization, { path: "other/deploy.yaml", text: deployment() }])).toHaveLength(1);
    const toDefault = { ...kustomization, text: kustomization.text.replace("namespace: shop", "namespace: default") };
    expect(findings("K8S-GEN-001", [toDefault, { path: "base/deploy.yaml", text: deployment() }])).toHaveLength(1);
  });

  it("ignores control-plane config files and cluster-scoped kinds even with namespace: default", () => {
    expect(findings("K8S-GEN-001", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r, namespace: default}\nrules: []\n")).toEqual([]);
    expect(findings("K8S-GEN-001", "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Metadata}]\n")).toEqual([]);
  });
});

describe("K8S-GEN-002 / 003", () => {
  it("reports a kube-system workload but not the static kube-apiserver Pod", () => {
    expect(findings("K8S-GEN-002", deployment("kube-system"))).toHaveLength(1);
    const apiserver = "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n    - {name: kube-apiserver, image: registry.k8s.io/kube-apiserver:v1.34.1, command: [kube-apiserver]}\n";
    expect(findings("K8S-GEN-002", apiserver)).toEqual([]);
    expect(findings("K8S-GEN-003", apiserver)).toEqual([]);
  });

  it("reports naked Pods inside a List", () => {
    const list = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: a}\n    spec: {containers: [{name: a, image: busybox:1.36}]}\n";
    expect(findings("K8S-GEN-003", list)).toHaveLength(1);
  });
});

describe("K8S-GEN-004", () => {
  it("reports an invalid level without a fix", () => {
    const [f] = findings("K8S-GEN-004", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  labels: {pod-security.kubernetes.io/enforce: strict}\n");
    expect(f!.message).toContain("not a Pod Security level");
    expect(f!.fix).toBeUndefined();
  });

  it("offers an AUTO* fix with a warning when the label is missing", () => {
    const [f] = findings("K8S-GEN-004", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n");
    expect(f!.fix?.warning).toContain("baseline");
  });
});

describe("K8S-UPDATE-001", () => {
  const pod = (image: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: ${image}\n`;

  it("grades by the injected date: medium before end of life, high after", () => {
    const before = findings("K8S-UPDATE-001", pod("python:3.10-slim"), new Date("2026-09-15T00:00:00Z"));
    expect(before.map((f) => f.severity)).toEqual(["medium"]);
    expect(before[0]!.message).toContain("2026-10-31");
    const after = findings("K8S-UPDATE-001", pod("python:3.10-slim"), new Date("2026-11-25T00:00:00Z"));
    expect(after.map((f) => f.severity)).toEqual(["high"]);
  });

  it("names the replacement and the age of the data", () => {
    const [f] = findings("K8S-UPDATE-001", pod("node:18-alpine"));
    expect(f!.message).toContain("node:22-alpine");
    expect(f!.message).toMatch(/snapshot of \d{4}-\d{2}-\d{2}, \d+ days old/);
    expect(f!.fix).toBeUndefined();
  });

  it("skips templated and floating references", () => {
    expect(findings("K8S-UPDATE-001", pod("python:${PY_VERSION}"))).toEqual([]);
    expect(findings("K8S-UPDATE-001", pod("python:3"))).toEqual([]);
  });
});

describe("K8S-UPDATE-003", () => {
  it("rates Tiller high and the Dashboard medium", () => {
    const pod = (image: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - {name: c, image: ${image}}\n`;
    expect(findings("K8S-UPDATE-003", pod("ghcr.io/helm/tiller:v2.17.0"))[0]!.severity).toBe("high");
    expect(findings("K8S-UPDATE-003", pod("docker.io/kubernetesui/dashboard-api:1.10.1"))[0]!.severity).toBe("medium");
    expect(findings("K8S-UPDATE-003", pod("example.com/dashboard:1.0"))).toEqual([]);
  });
});
