// Control-plane audit rules: how kube-apiserver flags are read from static Pods and kubeadm
// configs, and the first-match semantics of audit policies (K8S-AUDIT-004).
import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import { makeObjects } from "../../src/core/model/k8s.js";
import { parseYamlFile } from "../../src/core/parse/yaml.js";
import { apiServerConfigs } from "../../src/rules/audit.js";

function findings(ruleId: string, text: string) {
  const config = { ...DEFAULT_CONFIG, rules: { [ruleId]: { enabled: true } } };
  return scan([{ path: "cp.yaml", text }], { config, onlyRules: [ruleId], now: new Date("2026-11-25T00:00:00Z") }).findings.filter((f) => f.ruleId === ruleId);
}

function configsOf(text: string) {
  return makeObjects(parseYamlFile("cp.yaml", text)).flatMap(apiServerConfigs);
}

const staticPod = (lines: string[], args?: string[]) => `apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
    - name: kube-apiserver
      image: registry.k8s.io/kube-apiserver:v1.34.1
      command:
${lines.map((l) => `        - ${JSON.stringify(l)}`).join("\n")}
${args ? `      args:\n${args.map((l) => `        - ${JSON.stringify(l)}`).join("\n")}\n` : ""}`;

describe("kube-apiserver flag reader", () => {
  it("reads --flag=value and --flag value, command then args, last occurrence wins", () => {
    const [cfg] = configsOf(staticPod(["kube-apiserver", "--audit-log-maxage=5", "--audit-log-path", "/var/log/a.log", "--profiling"], ["--audit-log-maxage=40"]));
    expect(cfg!.flags.get("audit-log-path")?.value).toBe("/var/log/a.log");
    expect(cfg!.flags.get("audit-log-path")?.path).toEqual(["spec", "containers", 0, "command", 3]);
    expect(cfg!.flags.get("audit-log-maxage")?.value).toBe("40");
    expect(cfg!.flags.get("audit-log-maxage")?.path).toEqual(["spec", "containers", 0, "args", 0]);
    expect(cfg!.flags.get("profiling")?.value).toBeUndefined();
  });

  it("takes a lone - as a value (stdout), not as a flag", () => {
    const [cfg] = configsOf(staticPod(["kube-apiserver", "--audit-log-path", "-", "--audit-log-maxage", "1"]));
    expect(cfg!.flags.get("audit-log-path")?.value).toBe("-");
    expect(findings("K8S-AUDIT-001", staticPod(["kube-apiserver", "--audit-log-path", "-"]))).toEqual([]);
  });

  it("accepts a path to the binary and ignores other containers and other namespaces", () => {
    expect(configsOf(staticPod(["/usr/local/bin/kube-apiserver"]))).toHaveLength(1);
    expect(configsOf(staticPod(["kube-controller-manager"]))).toHaveLength(0);
    expect(configsOf(staticPod(["kube-apiserver"]).replace("namespace: kube-system", "namespace: default"))).toHaveLength(0);
  });

  it("reads kubeadm extraArgs as a map (v1beta3) and as a list (v1beta4)", () => {
    const [map] = configsOf("apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\napiServer:\n  extraArgs:\n    audit-log-path: /a.log\n");
    expect(map!.flags.get("audit-log-path")?.path).toEqual(["apiServer", "extraArgs", "audit-log-path"]);
    const [list] = configsOf("apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\napiServer:\n  extraArgs:\n    - {name: audit-log-path, value: /a.log}\n    - {name: audit-log-path, value: /b.log}\n");
    expect(list!.flags.get("audit-log-path")?.value).toBe("/b.log");
    expect(list!.flags.get("audit-log-path")?.path).toEqual(["apiServer", "extraArgs", 1, "value"]);
  });

  it("ignores kubeadm InitConfiguration and non-kubeadm ClusterConfiguration kinds", () => {
    expect(configsOf("apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n")).toHaveLength(0);
    expect(configsOf("apiVersion: example.com/v1\nkind: ClusterConfiguration\napiServer: {}\n")).toHaveLength(0);
  });
});

describe("K8S-AUDIT-001 / 002", () => {
  it("reports a missing flag at the command list, naming the container", () => {
    const [f] = findings("K8S-AUDIT-001", staticPod(["kube-apiserver", "--etcd-servers=https://127.0.0.1:2379"]));
    expect(f!.range.startLine).toBe(10);
    expect(f!.resource?.container).toBe("kube-apiserver");
    expect(f!.message).toContain("--audit-log-path");
  });

  it("counts a webhook backend and treats an empty policy file as missing", () => {
    expect(findings("K8S-AUDIT-001", staticPod(["kube-apiserver", "--audit-webhook-config-file=/etc/wh.yaml"]))).toEqual([]);
    expect(findings("K8S-AUDIT-002", staticPod(["kube-apiserver", "--audit-policy-file="]))).toHaveLength(1);
  });

  it("stays silent when no control-plane configuration is in the scan", () => {
    expect(findings("K8S-AUDIT-001", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n")).toEqual([]);
  });
});

describe("K8S-AUDIT-003", () => {
  it("reports only explicit values under the minimums, one finding per flag", () => {
    const fs = findings("K8S-AUDIT-003", staticPod(["kube-apiserver", "--audit-log-path=/a.log", "--audit-log-maxage=29", "--audit-log-maxbackup=9", "--audit-log-maxsize=99"]));
    expect(fs.map((f) => f.message.match(/--(audit-log-\w+)=/)?.[1])).toEqual(["audit-log-maxage", "audit-log-maxbackup", "audit-log-maxsize"]);
    expect(fs.every((f) => f.fix?.warning)).toBe(true);
  });

  it("does not judge retention without a file backend", () => {
    expect(findings("K8S-AUDIT-003", staticPod(["kube-apiserver", "--audit-log-maxage=1"]))).toEqual([]);
  });
});

const policy = (rules: string) => `apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n${rules}`;

describe("K8S-AUDIT-004 first-match semantics", () => {
  it("an earlier Metadata rule covering the later rule's users protects it", () => {
    const text = policy(`  - level: Metadata
    resources: [{group: "", resources: [secrets, configmaps]}, {group: authentication.k8s.io, resources: [tokenreviews]}]
  - level: RequestResponse
    users: [admin]
`);
    expect(findings("K8S-AUDIT-004", text)).toEqual([]);
  });

  it("an earlier rule restricted to some users or names does not protect a broader later rule", () => {
    const byUser = policy(`  - level: Metadata
    users: [admin]
    resources: [{group: "", resources: ["*"]}]
  - level: Request
    resources: [{group: ""}]
`);
    const [f] = findings("K8S-AUDIT-004", byUser);
    expect(f!.message).toContain("secrets, configmaps");
    expect(f!.message).not.toContain("tokenreviews");
    const byName = policy(`  - level: Metadata
    resources: [{group: "", resources: [secrets], resourceNames: [tls]}]
  - level: Request
    resources: [{group: "", resources: [secrets]}]
`);
    expect(findings("K8S-AUDIT-004", byName)).toHaveLength(1);
  });

  it("subresource wildcards and namespace selectors match like the apiserver", () => {
    expect(findings("K8S-AUDIT-004", policy(`  - level: Request\n    resources: [{group: "", resources: ["secrets/*"]}]\n`))).toHaveLength(1);
    expect(findings("K8S-AUDIT-004", policy(`  - level: Request\n    resources: [{group: "", resources: ["*/status"]}]\n`))).toEqual([]);
    // tokenreviews are cluster-scoped (namespace ""); secrets are namespaced.
    const [f] = findings("K8S-AUDIT-004", policy(`  - level: RequestResponse\n    namespaces: ["kube-system"]\n`));
    expect(f!.message).toContain("secrets, configmaps");
    expect(f!.message).not.toContain("tokenreviews");
  });

  it("only the first reachable payload rule is reported", () => {
    const fs = findings("K8S-AUDIT-004", policy(`  - level: Request\n  - level: RequestResponse\n`));
    expect(fs).toHaveLength(1);
    expect(fs[0]!.range.startLine).toBe(4);
  });

  it("applies to older audit.k8s.io versions, not to other Policy kinds", () => {
    expect(findings("K8S-AUDIT-004", policy("  - level: Request\n").replace("audit.k8s.io/v1", "audit.k8s.io/v1beta1"))).toHaveLength(1);
    expect(findings("K8S-AUDIT-004", policy("  - level: Request\n").replace("audit.k8s.io/v1", "kyverno.io/v1"))).toEqual([]);
  });
});
