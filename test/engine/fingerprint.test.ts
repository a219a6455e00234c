import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";

const POD = (prefix: string) => `${prefix}apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27\n      securityContext:\n        privileged: true\n`;

describe("fingerprints", () => {
  it("do not change when unrelated lines move the finding", () => {
    const a = scan([{ path: "p.yaml", text: POD("") }], { onlyRules: ["K8S-RUNTIME-001"] }).findings[0];
    const b = scan([{ path: "p.yaml", text: POD("# a comment\n# another\n") }], { onlyRules: ["K8S-RUNTIME-001"] }).findings[0];
    expect(b.range.startLine).toBe(a.range.startLine + 2);
    expect(b.fingerprint).toBe(a.fingerprint);
  });

  it("differ per container, rule and resource", () => {
    const text = POD("") + "    - name: two\n      image: nginx:1.27\n      securityContext:\n        privileged: true\n";
    const f = scan([{ path: "p.yaml", text }], { onlyRules: ["K8S-RUNTIME-001"] }).findings;
    expect(f).toHaveLength(2);
    expect(f[0].fingerprint).not.toBe(f[1].fingerprint);
    const renamed = scan([{ path: "p.yaml", text: POD("").replace("name: p", "name: q") }], { onlyRules: ["K8S-RUNTIME-001"] }).findings[0];
    expect(renamed.fingerprint).not.toBe(f[0].fingerprint);
  });
});
