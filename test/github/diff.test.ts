import { readFileSync, existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  PatchParseError,
  describeNotCommentable,
  diffHunkUpTo,
  fileDiff,
  formatPatch,
  hunkForRightLine,
  isRightLine,
  isRightRangeInOneHunk,
  leftLines,
  parsePatch,
  rightLines,
} from "../../src/github/diff.js";

const dir = fileURLToPath(new URL("../fixtures/diffs/", import.meta.url));
const read = (name: string): string => readFileSync(dir + name, "utf8");
const maybe = (name: string): string | undefined => (existsSync(dir + name) ? read(name) : undefined);
const linesOf = (text: string): string[] => {
  if (text === "") return [];
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  return body.split("\n");
};
const cases = readdirSync(dir)
  .filter((f) => f.endsWith(".patch"))
  .map((f) => f.replace(/\.patch$/, ""))
  .sort();

describe("golden patches: every diff line matches the real before/after files", () => {
  it("has the expected fixtures", () => {
    expect(cases).toEqual([
      "add-newline-eof",
      "added-dockerfile",
      "crlf",
      "deletion-only",
      "deployment-two-hunks",
      "empty-context-stripped",
      "insert-zero-context",
      "no-newline-eof",
      "removed-manifest",
      "single-line",
    ]);
  });
  for (const name of cases) {
    it(name, () => {
      const patch = read(`${name}.patch`);
      const before = linesOf(maybe(`${name}.before`) ?? "");
      const after = linesOf(maybe(`${name}.after`) ?? "");
      const hunks = parsePatch(patch);
      expect(hunks.length).toBeGreaterThan(0);
      for (const h of hunks) {
        for (const l of h.lines) {
          if (l.oldLine !== null) expect(before[l.oldLine - 1], `${name} old ${l.oldLine}`).toBe(l.text);
          if (l.newLine !== null) expect(after[l.newLine - 1], `${name} new ${l.newLine}`).toBe(l.text);
        }
        // new-side lines of a hunk are consecutive from newStart
        const news = h.lines.filter((l) => l.newLine !== null).map((l) => l.newLine);
        expect(news).toEqual(Array.from({ length: h.newLines }, (_, i) => h.newStart + i));
        const olds = h.lines.filter((l) => l.oldLine !== null).map((l) => l.oldLine);
        expect(olds).toEqual(Array.from({ length: h.oldLines }, (_, i) => h.oldStart + i));
      }
      // Round trip (the stripped-space fixture comes back with its space).
      if (name !== "empty-context-stripped") expect(formatPatch(hunks)).toBe(patch);
    });
  }
});

describe("parsePatch / rightLines", () => {
  it("two hunks of a modified manifest", () => {
    const patch = read("deployment-two-hunks.patch");
    const hunks = parsePatch(patch);
    expect(hunks.map((h) => [h.oldStart, h.oldLines, h.newStart, h.newLines, h.section])).toEqual([
      [6, 7, 6, 7, "metadata:"],
      [17, 7, 17, 7, "spec:"],
      [29, 7, 29, 9, "spec:"],
    ]);
    expect([...rightLines(patch)]).toEqual([6, 7, 8, 9, 10, 11, 12, 17, 18, 19, 20, 21, 22, 23, 29, 30, 31, 32, 33, 34, 35, 36, 37]);
    expect(leftLines(patch).has(9)).toBe(true);
    expect(rightLines(patch).has(13)).toBe(false);
  });

  it("omitted counts: @@ -1 +1 @@", () => {
    const [h] = parsePatch(read("single-line.patch"));
    expect([h.oldStart, h.oldLines, h.newStart, h.newLines]).toEqual([1, 1, 1, 1]);
    expect([...rightLines(read("single-line.patch"))]).toEqual([1]);
  });

  it("zero-length sides: pure insertion and pure deletion hunks", () => {
    const patch = read("insert-zero-context.patch");
    const hunks = parsePatch(patch);
    expect(hunks.map((h) => [h.oldStart, h.oldLines, h.newStart, h.newLines])).toEqual([
      [5, 0, 6, 2],
      [15, 1, 16, 0],
    ]);
    expect([...rightLines(patch)]).toEqual([6, 7]);
    expect([...leftLines(patch)]).toEqual([15]);
  });

  it("added file: every line is RIGHT", () => {
    expect([...rightLines(read("added-dockerfile.patch"))]).toEqual([1, 2, 3]);
  });

  it("removed file: no RIGHT lines", () => {
    expect(rightLines(read("removed-manifest.patch")).size).toBe(0);
  });

  it("no newline at end of file", () => {
    const hunks = parsePatch(read("no-newline-eof.patch"));
    const lines = hunks[0].lines;
    expect(lines.filter((l) => l.noNewlineAtEof).map((l) => [l.kind, l.text])).toEqual([
      ["del", '  b: "2"'],
      ["add", '  b: "3"'],
    ]);
    expect([...rightLines(read("no-newline-eof.patch"))]).toEqual([1, 2, 3, 4]);
    // positions count the marker lines
    expect(lines.map((l) => l.position)).toEqual([1, 2, 3, 4, 6]);
  });

  it("CRLF: the \\r stays part of the line", () => {
    const hunks = parsePatch(read("crlf.patch"));
    expect(hunks[0].lines.every((l) => l.text.endsWith("\r"))).toBe(true);
    expect([...rightLines(read("crlf.patch"))]).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });

  it("a context line whose space was stripped counts as an empty context line", () => {
    expect([...rightLines(read("empty-context-stripped.patch"))]).toEqual([1, 2, 3, 4]);
  });

  it("accepts a trailing newline after the last line", () => {
    expect([...rightLines(read("single-line.patch") + "\n")]).toEqual([1]);
  });

  it("positions continue across hunks (later @@ lines count)", () => {
    const hunks = parsePatch(read("deployment-two-hunks.patch"));
    expect(hunks[0].lines[0].position).toBe(1);
    expect(hunks[1].lines[0].position).toBe(hunks[0].lines.length + 2);
  });

  it("rejects malformed patches", () => {
    expect(() => parsePatch("+a")).toThrow(PatchParseError);
    expect(() => parsePatch("@@ -1,2 +1,2 @@\n a")).toThrow(/short/);
    expect(() => parsePatch("@@ -1 +1 @@\n a\n b")).toThrow(/beyond|expected a hunk header/);
    expect(() => parsePatch("@@ -1 +1 @@\n*a")).toThrow(/unexpected line/);
    expect(() => parsePatch("@@ -1 +1 @@\n\\ No newline at end of file")).toThrow(/marker/);
  });

  it("empty patch has no hunks", () => {
    expect(parsePatch("")).toEqual([]);
  });
});

describe("hunk queries", () => {
  const fd = fileDiff({ filename: "deploy.yaml", status: "modified", patch: read("deployment-two-hunks.patch") });
  it("ranges must lie in one hunk", () => {
    expect(isRightRangeInOneHunk(fd, 6, 12)).toBe(true);
    expect(isRightRangeInOneHunk(fd, 9, 9)).toBe(true);
    expect(isRightRangeInOneHunk(fd, 11, 17)).toBe(false); // spans two hunks (13..16 not shown)
    expect(isRightRangeInOneHunk(fd, 12, 13)).toBe(false);
    expect(isRightRangeInOneHunk(fd, 30, 37)).toBe(true);
    expect(isRightRangeInOneHunk(fd, 30, 38)).toBe(false);
    expect(isRightRangeInOneHunk(fd, 7, 6)).toBe(false);
    expect(isRightRangeInOneHunk(fd, 0, 6)).toBe(false);
    expect(isRightLine(fd, 20)).toBe(true);
    expect(isRightLine(fd, 24)).toBe(false);
    expect(hunkForRightLine(fd, 36)?.index).toBe(2);
  });
  it("diff_hunk up to a line, like GitHub's review comment field", () => {
    expect(diffHunkUpTo(fd, 20)).toBe(
      ["@@ -17,7 +17,7 @@ spec:", "     spec:", "       containers:", "         - name: web", "-          image: nginx:1.25", "+          image: nginx:latest"].join("\n"),
    );
    expect(diffHunkUpTo(fd, 9, "LEFT")).toBe(["@@ -6,7 +6,7 @@ metadata:", "   labels:", "     app: web", " spec:", "-  replicas: 2"].join("\n"));
    expect(diffHunkUpTo(fd, 14)).toBeUndefined();
  });
});

describe("fileDiff: what the caller must report", () => {
  it("modified file with a patch is commentable", () => {
    const fd = fileDiff({ filename: "a.yaml", status: "modified", patch: read("single-line.patch"), changes: 2 });
    expect(fd.commentable).toBe(true);
    expect(fd.reason).toBeUndefined();
    expect([...fd.rightLines]).toEqual([1]);
  });
  it("renamed with edits: comment on the new name", () => {
    const fd = fileDiff({ filename: "new.yaml", previous_filename: "old.yaml", status: "renamed", patch: read("single-line.patch"), changes: 2 });
    expect(fd).toMatchObject({ path: "new.yaml", previousPath: "old.yaml", commentable: true });
  });
  it("renamed without edits: no patch, nothing commentable", () => {
    const fd = fileDiff({ filename: "new.yaml", previous_filename: "old.yaml", status: "renamed", changes: 0, additions: 0, deletions: 0 });
    expect(fd).toMatchObject({ commentable: false, reason: "no-patch" });
  });
  it("removed file, with or without its patch", () => {
    expect(fileDiff({ filename: "x", status: "removed", patch: read("removed-manifest.patch") })).toMatchObject({ commentable: false, reason: "removed" });
    expect(fileDiff({ filename: "x", status: "removed", changes: 35 })).toMatchObject({ commentable: false, reason: "removed" });
  });
  it("binary file: no patch and no counted changes", () => {
    expect(fileDiff({ filename: "logo.png", status: "modified", additions: 0, deletions: 0, changes: 0 })).toMatchObject({ commentable: false, reason: "no-patch" });
  });
  it("patch omitted by GitHub because it is too large: reported as such", () => {
    const fd = fileDiff({ filename: "huge.yaml", status: "modified", additions: 40000, deletions: 2, changes: 40002, patch: null });
    expect(fd).toMatchObject({ commentable: false, reason: "too-large" });
    expect(fd.detail).toMatch(/too large/);
    expect(describeNotCommentable("too-large")).toBe(fd.detail);
    expect(fd.rightLines.size).toBe(0);
  });
  it("too-large also detected from additions/deletions when changes is missing", () => {
    expect(fileDiff({ filename: "huge.yaml", status: "added", additions: 9000 })).toMatchObject({ reason: "too-large" });
  });
  it("a malformed patch is reported, not thrown", () => {
    const fd = fileDiff({ filename: "x", status: "modified", patch: "garbage", changes: 1 });
    expect(fd).toMatchObject({ commentable: false, reason: "unparseable" });
    expect(fd.detail).toMatch(/could not be parsed/);
  });
  it("only deletions: no RIGHT line", () => {
    const fd = fileDiff({ filename: "x", status: "modified", patch: "@@ -3,1 +2,0 @@\n-gone", changes: 1 });
    expect(fd).toMatchObject({ commentable: false, reason: "no-right-lines" });
  });
});
