// Resources and probes: which containers and kinds are judged, and that no fix is ever offered.
import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";

const RES = ["K8S-RES-001", "K8S-RES-002", "K8S-RES-003", "K8S-RES-004", "K8S-RES-005", "K8S-RES-006", "K8S-RES-007", "K8S-RES-008"];

function findings(text: string, ids: readonly string[] = RES) {
  const config = { ...DEFAULT_CONFIG, rules: Object.fromEntries(ids.map((id) => [id, { enabled: true }])) };
  return scan([{ path: "w.yaml", text }], { config, onlyRules: ids }).findings.filter((f) => ids.includes(f.ruleId));
}

const workload = (kind: string, apiVersion: string, containers: string) => `apiVersion: ${apiVersion}
kind: ${kind}
metadata:
  name: w
spec:
  selector:
    matchLabels: {app: w}
  template:
    metadata:
      labels: {app: w}
    spec:
      containers:
${containers}`;

const bare = "        - name: app\n          image: example.com/app:1.0\n";

describe("resource rules", () => {
  it("a bare container gets every resource and probe finding, none with a fix", () => {
    const fs = findings(workload("Deployment", "apps/v1", bare));
    expect(fs.map((f) => f.ruleId).sort()).toEqual(["K8S-RES-001", "K8S-RES-002", "K8S-RES-003", "K8S-RES-004", "K8S-RES-005", "K8S-RES-006", "K8S-RES-007"]);
    expect(fs.every((f) => f.fix === undefined)).toBe(true);
  });

  it("K8S-RES-004 is off by default", () => {
    const result = scan([{ path: "w.yaml", text: workload("Deployment", "apps/v1", bare) }], { config: DEFAULT_CONFIG });
    expect(result.findings.some((f) => f.ruleId === "K8S-RES-004")).toBe(false);
    expect(result.findings.some((f) => f.ruleId === "K8S-RES-001")).toBe(true);
  });

  it("limits default the requests; the finding points at the missing key's parent", () => {
    const text = workload("Deployment", "apps/v1", `${bare}          resources:\n            limits: {cpu: 500m, memory: 256Mi}\n`);
    expect(findings(text, ["K8S-RES-002", "K8S-RES-003"])).toEqual([]);
    const [f] = findings(text, ["K8S-RES-005"]);
    expect(f!.range.startLine).toBe(16);
  });

  it("pod-level resources cover cpu and memory, not ephemeral storage", () => {
    const text = `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  resources:\n    limits: {cpu: "1", memory: 1Gi}\n  containers:\n${bare.replace(/^ {6}/gm, "  ")}`;
    expect(findings(text, ["K8S-RES-001", "K8S-RES-002", "K8S-RES-003", "K8S-RES-004"])).toEqual([]);
    expect(findings(text, ["K8S-RES-005"])).toHaveLength(1);
  });
});

describe("probe rules", () => {
  it("judge Argo Rollouts but not PodTemplates, Jobs or run-once Pods", () => {
    expect(findings(workload("Rollout", "argoproj.io/v1alpha1", bare), ["K8S-RES-006", "K8S-RES-007"])).toHaveLength(2);
    expect(findings(workload("Job", "batch/v1", bare), ["K8S-RES-006", "K8S-RES-007"])).toEqual([]);
    const podTemplate = `apiVersion: v1\nkind: PodTemplate\nmetadata: {name: t}\ntemplate:\n  spec:\n    containers:\n      - name: app\n        image: example.com/app:1.0\n`;
    expect(findings(podTemplate, ["K8S-RES-006", "K8S-RES-007"])).toEqual([]);
    const onFailure = `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  restartPolicy: OnFailure\n  containers:\n      - name: app\n        image: example.com/app:1.0\n`;
    expect(findings(onFailure, ["K8S-RES-006"])).toEqual([]);
  });

  it("judge native sidecars but not plain init containers", () => {
    const text = `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n    - {name: init, image: busybox:1.36}\n    - {name: side, image: example.com/side:1, restartPolicy: Always, readinessProbe: {tcpSocket: {port: 1}}}\n  containers:\n    - {name: app, image: example.com/app:1, readinessProbe: {tcpSocket: {port: 2}}}\n`;
    const fs = findings(text, ["K8S-RES-006", "K8S-RES-007"]);
    expect(fs.map((f) => `${f.ruleId} ${f.resource?.container}`).sort()).toEqual(["K8S-RES-007 app", "K8S-RES-007 side"]);
  });
});

describe("K8S-RES-008", () => {
  it("rates an undeclared named port medium (certain failure) and a numeric mismatch low", () => {
    const text = workload(
      "Deployment",
      "apps/v1",
      `${bare}          ports: [{name: http, containerPort: 8080}]\n          readinessProbe: {httpGet: {port: web}}\n          livenessProbe: {tcpSocket: {port: 9999}}\n          startupProbe: {httpGet: {port: http}}\n`,
    );
    const fs = findings(text, ["K8S-RES-008"]);
    expect(fs.map((f) => f.severity).sort()).toEqual(["low", "medium"]);
    expect(fs.find((f) => f.severity === "medium")!.message).toContain('"http"');
  });

  it("skips probes that name another host", () => {
    const text = workload("Deployment", "apps/v1", `${bare}          ports: [{containerPort: 8080}]\n          livenessProbe: {httpGet: {host: 10.0.0.1, port: 80}}\n`);
    expect(findings(text, ["K8S-RES-008"])).toEqual([]);
  });
});
