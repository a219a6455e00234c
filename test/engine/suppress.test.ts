import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";

const run = (text: string, path = "p.yaml") => scan([{ path, text }], { now: new Date("2026-11-25") }).findings;

describe("suppression", () => {
  it("a comment above the field suppresses that rule there, with its reason", () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: cni\nspec:\n  # bulwark:ignore K8S-HOST-001 the CNI plugin configures the host network\n  hostNetwork: true\n  hostPID: true\n  containers: [{name: a, image: a:1}]\n";
    const f = run(text);
    const host1 = f.find((x) => x.ruleId === "K8S-HOST-001")!;
    expect(host1.suppressed).toEqual({ reason: "the CNI plugin configures the host network", source: "comment p.yaml:6" });
    expect(f.find((x) => x.ruleId === "K8S-HOST-002")!.suppressed).toBeUndefined();
  });

  it("a comment above the resource covers every field of it", () => {
    const text = "# bulwark:ignore K8S-HOST-001,K8S-HOST-002 node agent\napiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\nspec:\n  hostNetwork: true\n  hostPID: true\n  containers: [{name: a, image: a:1}]\n";
    const f = run(text);
    expect(f.filter((x) => x.ruleId.startsWith("K8S-HOST-00") && x.suppressed).map((x) => x.ruleId).sort()).toEqual(["K8S-HOST-001", "K8S-HOST-002"]);
  });

  it("a comment above a container covers that container only", () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    # bulwark:ignore K8S-RUNTIME-001 legacy driver\n    - name: a\n      image: a:1\n      securityContext: {privileged: true}\n    - name: b\n      image: b:1\n      securityContext: {privileged: true}\n";
    const priv = run(text).filter((x) => x.ruleId === "K8S-RUNTIME-001");
    expect(priv.map((x) => [x.resource?.container, Boolean(x.suppressed)])).toEqual([
      ["a", true],
      ["b", false],
    ]);
  });

  it("the bulwark.dev/ignore annotation suppresses on the resource; without a reason it is reported", () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    bulwark.dev/ignore: K8S-HOST-001\nspec:\n  hostNetwork: true\n  containers: [{name: a, image: a:1}]\n";
    const f = run(text);
    expect(f.find((x) => x.ruleId === "K8S-HOST-001")!.suppressed?.source).toMatch(/annotation/);
    const s = f.find((x) => x.ruleId === "BULWARK-SUPPRESS")!;
    expect(s.range.startLine).toBe(6);
  });

  it("suppressed findings are counted, not dropped", () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  # bulwark:ignore K8S-HOST-001 needed\n  hostNetwork: true\n  containers: [{name: a, image: a:1}]\n";
    const result = scan([{ path: "p.yaml", text }]);
    expect(result.summary.suppressed).toBeGreaterThanOrEqual(1);
    expect(result.findings.some((x) => x.suppressed)).toBe(true);
  });

  it("works on Dockerfile instructions", () => {
    const text = "FROM alpine:3.22\n# bulwark:ignore DOCKER-017 the cache is needed by the next stage\nRUN apk add curl\nUSER 10001\n";
    const f = run(text, "Dockerfile").filter((x) => x.ruleId === "DOCKER-017");
    expect(f).toHaveLength(1);
    expect(f[0].suppressed?.reason).toBe("the cache is needed by the next stage");
  });
});
