import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";
import { fixFiles } from "../../src/core/engine/fixes.js";

const NS = JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "x" } }, null, 2) + "\n";
const POD = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "a", image: "k8s.gcr.io/pause:3.2", securityContext: { privileged: true } }] } }, null, 2) + "\n";

describe("fixes on JSON manifests", () => {
  it("never offer an edit that turns JSON into YAML", () => {
    for (const f of scan([{ path: "ns.json", text: NS }]).findings) {
      if (!f.fix) continue;
      const edits = [...f.fix.edits].sort((a, b) => b.start - a.start);
      let out = NS;
      for (const e of edits) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
      expect(() => JSON.parse(out), f.ruleId).not.toThrow();
    }
  });

  it("scalar replacements still apply, and --fix keeps the file valid JSON", () => {
    const out = fixFiles([{ path: "pod.json", text: POD }], { rules: ["K8S-IMAGE-004", "K8S-RUNTIME-001"] });
    const fixed = out.changed.get("pod.json")!;
    expect(JSON.parse(fixed).spec.containers[0]).toMatchObject({ image: "registry.k8s.io/pause:3.2", securityContext: { privileged: false } });
  });
});
