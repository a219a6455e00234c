import { describe, expect, it } from "vitest";
import { applyEdits, editsCompatible, groupEditsByPath, mapOffset, mergeEdits, OverlappingEditsError } from "../../src/core/fix/apply.js";
import type { TextEdit } from "../../src/core/types.js";

const edit = (start: number, end: number, newText: string, path = "a.yaml"): TextEdit => ({ path, start, end, newText });

describe("applyEdits", () => {
  it("applies edits given in any order against the original offsets", () => {
    expect(applyEdits("abcdef", [edit(4, 5, "E"), edit(0, 1, "A"), edit(2, 2, "+")])).toBe("Ab+cdEf");
  });

  it("deduplicates identical edits", () => {
    expect(applyEdits("abc", [edit(1, 2, "B"), edit(1, 2, "B")])).toBe("aBc");
  });

  it("rejects overlapping edits with both edits in the error", () => {
    const run = () => applyEdits("abcdef", [edit(1, 4, "x"), edit(3, 5, "y")]);
    expect(run).toThrow(OverlappingEditsError);
    expect(run).toThrow(/overlapping edits in a\.yaml: \[1, 4\) "x" and \[3, 5\) "y"/);
  });

  it("rejects two different inserts at the same offset (their order would be a guess)", () => {
    expect(() => applyEdits("abc", [edit(1, 1, "x"), edit(1, 1, "y")])).toThrow(OverlappingEditsError);
  });

  it("allows touching ranges and an insert at the start of a replaced range (insert first)", () => {
    expect(applyEdits("abcdef", [edit(1, 3, ""), edit(3, 4, "D"), edit(1, 1, "^")])).toBe("a^Def");
  });

  it("rejects invalid ranges and edits for several files", () => {
    expect(() => applyEdits("abc", [edit(2, 1, "")])).toThrow(RangeError);
    expect(() => applyEdits("abc", [edit(0, 9, "")])).toThrow(RangeError);
    expect(() => applyEdits("abc", [edit(0, 1, "", "a"), edit(1, 2, "", "b")])).toThrow(/several files/);
  });

  it("returns the text unchanged without edits", () => {
    expect(applyEdits("abc", [])).toBe("abc");
  });
});

describe("edit helpers", () => {
  it("mergeEdits sorts and deduplicates", () => {
    expect(mergeEdits([edit(3, 4, "x"), edit(0, 1, "y"), edit(3, 4, "x")])).toEqual([edit(0, 1, "y"), edit(3, 4, "x")]);
  });

  it("editsCompatible tells whether two fixes can be applied together", () => {
    expect(editsCompatible([edit(0, 2, "x")], [edit(2, 3, "y")])).toBe(true);
    expect(editsCompatible([edit(0, 2, "x")], [edit(1, 3, "y")])).toBe(false);
  });

  it("groupEditsByPath keeps order per file", () => {
    const groups = groupEditsByPath([edit(0, 1, "a", "x"), edit(0, 1, "b", "y"), edit(2, 3, "c", "x")]);
    expect([...groups.keys()]).toEqual(["x", "y"]);
    expect(groups.get("x")!.map((e) => e.newText)).toEqual(["a", "c"]);
  });

  it("mapOffset follows inserts and replacements", () => {
    const edits = [edit(1, 1, "XX"), edit(3, 5, "y")];
    expect(mapOffset(0, edits)).toBe(0);
    expect(mapOffset(1, edits)).toBe(3);
    expect(mapOffset(4, edits)).toBe(5);
    expect(mapOffset(6, edits)).toBe(7);
  });
});
