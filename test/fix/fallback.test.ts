// The planner checks its own output. Here the emitter is made to write broken YAML for one op,
// to show that only that op fails and the others still get their edits.
import { describe, expect, it, vi } from "vitest";
import { applyEdits } from "../../src/core/fix/apply.js";
import { parseYamlForEdits, planYamlEdits } from "../../src/core/fix/yaml-edit.js";

vi.mock("../../src/core/fix/emit.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/core/fix/emit.js")>();
  return {
    ...real,
    emitPlan: (...args: Parameters<typeof real.emitPlan>) =>
      real.emitPlan(...args).map((edit) => (edit.text.includes("BREAK") ? { ...edit, text: edit.text.replace("BREAK", "[unclosed") } : edit)),
  };
});

describe("planner safety net", () => {
  it("re-plans op by op when the combined edit does not verify, failing only the culprit", () => {
    const text = "a: 0\nb: 0\nc: 0\n";
    const ops = [
      { op: "set", path: ["a"], value: 1 },
      { op: "set", path: ["b"], value: "BREAK" },
      { op: "set", path: ["c"], value: 3 },
    ] as const;
    const result = planYamlEdits(text, parseYamlForEdits(text)[0]!, ops, "m.yaml");
    expect(result.failed).toEqual([{ op: ops[1], reason: expect.stringMatching(/^no safe text edit found \(edited document does not parse/) }]);
    expect(applyEdits(text, result.edits)).toBe("a: 1\nb: 0\nc: 3\n");
  });

  it("with verify: false the broken edit is returned (benchmarks only)", () => {
    const text = "b: 0\n";
    const result = planYamlEdits(text, parseYamlForEdits(text)[0]!, [{ op: "set", path: ["b"], value: "BREAK" }], "m.yaml", { verify: false });
    expect(applyEdits(text, result.edits)).toBe("b: [unclosed\n");
  });
});
