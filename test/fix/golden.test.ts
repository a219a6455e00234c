import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyEdits } from "../../src/core/fix/apply.js";
import type { FixOp } from "../../src/core/fix/ops.js";
import { verifyYamlEdits } from "../../src/core/fix/verify.js";
import { parseYamlForEdits, planYamlEdits, type FailedOp } from "../../src/core/fix/yaml-edit.js";
import type { TextEdit } from "../../src/core/types.js";
import { GOLDEN_CASES } from "./golden-cases.js";

const GOLDEN_DIR = join(import.meta.dirname, "golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

function planFile(text: string, docs: { doc: number; ops: FixOp[] }[]): { edits: TextEdit[]; failed: FailedOp[] } {
  const parsed = parseYamlForEdits(text);
  const edits: TextEdit[] = [];
  const failed: FailedOp[] = [];
  for (const { doc, ops } of docs) {
    const result = planYamlEdits(text, parsed[doc]!, ops, "manifest.yaml");
    edits.push(...result.edits);
    failed.push(...result.failed);
  }
  return { edits, failed };
}

describe("golden YAML edits", () => {
  for (const [name, golden] of Object.entries(GOLDEN_CASES)) {
    it(`${name}: ${golden.about}`, () => {
      const input = readFileSync(join(GOLDEN_DIR, name, "input.yaml"), "utf8");
      const expectedPath = join(GOLDEN_DIR, name, "expected.yaml");
      const { edits, failed } = planFile(input, golden.docs);

      const allOps = golden.docs.flatMap((d) => d.ops);
      const failedIndices = failed.map((f) => allOps.indexOf(f.op));
      if (!golden.failing) expect(failed).toEqual([]);
      else expect(failedIndices).toEqual(golden.failing);

      const output = applyEdits(input, edits);
      if (UPDATE || !existsSync(expectedPath)) writeFileSync(expectedPath, output);
      expect(output).toBe(readFileSync(expectedPath, "utf8"));

      const verdict = verifyYamlEdits(input, output, edits);
      expect(verdict.problems).toEqual([]);

      for (const edit of edits) expect(edit.newText).not.toMatch(/(^|\n)\t/);
      if (input.includes("\r\n")) expect(output.replace(/\r\n/g, "")).not.toContain("\n");

      const setOnly = golden.docs.map((d) => ({ doc: d.doc, ops: d.ops.filter((op) => op.op === "set") }));
      expect(planFile(output, setOnly).edits).toEqual([]);
    });
  }
});
