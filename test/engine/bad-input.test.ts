// Bad input never throws and never stops the rest of the scan: each case becomes one
// clear finding with a line, and the good file next to it is still scanned.
import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";

const GOOD = {
  path: "good.yaml",
  text: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: good\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27\n      securityContext:\n        privileged: true\n",
};

function scanWith(bad: { path: string; text: string }) {
  const result = scan([bad, GOOD], { now: new Date("2026-11-25") });
  const forBad = result.findings.filter((f) => f.path === bad.path);
  const goodStillScanned = result.findings.some((f) => f.path === GOOD.path && f.ruleId === "K8S-RUNTIME-001");
  return { forBad, goodStillScanned };
}

describe("bad input", () => {
  it("invalid YAML → one BULWARK-PARSE finding with the line", () => {
    const { forBad, goodStillScanned } = scanWith({ path: "bad.yaml", text: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   labels: [\n" });
    expect(forBad.map((f) => f.ruleId)).toContain("BULWARK-PARSE");
    expect(forBad.find((f) => f.ruleId === "BULWARK-PARSE")!.range.startLine).toBeGreaterThanOrEqual(4);
    expect(goodStillScanned).toBe(true);
  });

  it("alias bomb → BULWARK-LIMIT, fast, no expansion", () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) levels.push(`${"abcdefghij"[i]}: &${"abcdefghij"[i]} [${Array(9).fill(`*${"abcdefghij"[i - 1]}`).join(",")}]`);
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n${levels.map((l) => `  ${l}`).join("\n")}\n`;
    const { forBad, goodStillScanned } = scanWith({ path: "bomb.yaml", text });
    expect(forBad).toHaveLength(1);
    expect(forBad[0].ruleId).toBe("BULWARK-LIMIT");
    expect(forBad[0].message).toMatch(/alias/);
    expect(goodStillScanned).toBe(true);
  });

  it("a 20 MB file → BULWARK-LIMIT, not parsed", () => {
    const big = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n" + "  k: " + "x".repeat(20 * 1024 * 1024) + "\n";
    const { forBad, goodStillScanned } = scanWith({ path: "big.yaml", text: big });
    expect(forBad).toHaveLength(1);
    expect(forBad[0].ruleId).toBe("BULWARK-LIMIT");
    expect(forBad[0].message).toMatch(/20\.0 MB/);
    expect(goodStillScanned).toBe(true);
  });

  it("a binary file named Dockerfile → BULWARK-PARSE", () => {
    const { forBad, goodStillScanned } = scanWith({ path: "svc/Dockerfile", text: "\u007fELF\u0002\u0001\u0001\u0000\u0000\u0000garbage" });
    expect(forBad.map((f) => f.ruleId)).toEqual(["BULWARK-PARSE"]);
    expect(forBad[0].message).toMatch(/binary/);
    expect(goodStillScanned).toBe(true);
  });

  it("a document that is a scalar is not Kubernetes: ignored quietly", () => {
    const { forBad, goodStillScanned } = scanWith({ path: "scalar.yaml", text: "just a string\n" });
    expect(forBad).toEqual([]);
    expect(goodStillScanned).toBe(true);
  });

  it("an unknown kind is scanned by nothing and reported by nothing", () => {
    const { forBad } = scanWith({ path: "crd.yaml", text: "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 3\n" });
    expect(forBad.filter((f) => f.ruleId.startsWith("BULWARK-"))).toEqual([]);
  });

  it("duplicate keys → BULWARK-PARSE on the duplicate's line", () => {
    const { forBad } = scanWith({ path: "dup.yaml", text: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\nspec: {}\n" });
    const parse = forBad.find((f) => f.ruleId === "BULWARK-PARSE");
    expect(parse).toBeDefined();
    expect(parse!.range.startLine).toBe(5);
  });

  it("a Dockerfile without FROM → BULWARK-PARSE", () => {
    const { forBad } = scanWith({ path: "Dockerfile", text: "RUN echo hi\n" });
    expect(forBad.map((f) => f.ruleId)).toEqual(["BULWARK-PARSE"]);
  });

  it("too many documents in one file → BULWARK-LIMIT and the first ones are still scanned", () => {
    const doc = (i: number) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\nspec:\n  hostPID: true\n  containers: [{name: a, image: "a:1"}]\n`;
    const text = Array.from({ length: 5 }, (_, i) => doc(i)).join("---\n");
    const result = scan([{ path: "many.yaml", text }], { config: { ...DEFAULT_CONFIG, limits: { ...DEFAULT_CONFIG.limits, maxDocuments: 3 } } });
    expect(result.findings.filter((f) => f.ruleId === "BULWARK-LIMIT")).toHaveLength(1);
    expect(result.findings.filter((f) => f.ruleId === "K8S-HOST-002")).toHaveLength(3);
  });

  it("a Helm template is skipped with an info note", () => {
    const { forBad } = scanWith({ path: "chart/templates/dep.yaml", text: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n" });
    expect(forBad.map((f) => [f.ruleId, f.severity])).toEqual([["BULWARK-SKIPPED", "info"]]);
  });

  it("non-Kubernetes YAML with errors is none of our business", () => {
    const { forBad } = scanWith({ path: ".github/workflows/ci.yml", text: "on: [push\njobs: {}\n" });
    expect(forBad).toEqual([]);
  });
});
