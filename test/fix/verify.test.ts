import { describe, expect, it } from "vitest";
import { verifyYamlEdits } from "../../src/core/fix/verify.js";

describe("verifyYamlEdits", () => {
  it("accepts a valid edit that only touches its ranges", () => {
    const original = "a: 1\nb: 2\n";
    const fixed = "a: 1\nb: 3\n";
    expect(verifyYamlEdits(original, fixed, [{ path: "f", start: 8, end: 9, newText: "3" }])).toEqual({ ok: true, problems: [] });
  });

  it("reports new parse errors with their position", () => {
    const result = verifyYamlEdits("a: 1\n", "a: 1\n  b: 2\n");
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatchObject({ kind: "parse-error", line: 1, column: 4 });
  });

  it("does not blame the fix for errors the original already had", () => {
    expect(verifyYamlEdits("a: [\n", "a: [\n# c\n").ok).toBe(true);
  });

  it("reports a changed number of documents", () => {
    const result = verifyYamlEdits("a: 1\n---\nb: 2\n", "a: 1\nb: 2\n");
    expect(result.problems).toEqual([expect.objectContaining({ kind: "document-count", before: 2, after: 1 })]);
  });

  it("finds a byte changed outside the edit ranges", () => {
    const result = verifyYamlEdits("a: 1\nb: 2\n", "a: 9\nb: 3\n", [{ path: "f", start: 8, end: 9, newText: "3" }]);
    expect(result.problems).toEqual([expect.objectContaining({ kind: "outside-edit", offset: 3, line: 1, column: 4 })]);
  });

  it("finds text added outside the edits", () => {
    const result = verifyYamlEdits("a: 1\n", "a: 1\nb: 2\n", []);
    expect(result.problems).toEqual([expect.objectContaining({ kind: "outside-edit" })]);
  });

  it("reports overlapping edits instead of throwing", () => {
    const result = verifyYamlEdits("a: 1\n", "a: 1\n", [
      { path: "f", start: 0, end: 2, newText: "" },
      { path: "f", start: 1, end: 3, newText: "" },
    ]);
    expect(result.problems).toEqual([expect.objectContaining({ kind: "invalid-edits" })]);
  });
});
