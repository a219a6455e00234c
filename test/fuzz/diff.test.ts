// Fuzzing the pull-request diff model (src/github/diff.ts) and the placement planner
// (src/github/placement.ts) with random and mutated patches and with findings, both synthetic
// (random ranges, random and broken fixes) and real ones from scanning mutated manifests.
// Properties (DESIGN.md "GitHub behaviour"):
//   - fileDiff never throws; parsePatch throws nothing but PatchParseError;
//   - a well-formed patch parses, renders back byte for byte, and its RIGHT lines are exactly
//     its added and context lines, consecutive per hunk;
//   - planPlacements never throws, keeps the findings' order, never puts a comment or a
//     suggestion on a line outside `rightLines`, never lets a suggestion span two hunks or share
//     a line with another, and every suggestion applies to exactly the text the fix produces;
//     suppressed, foreign and uncommentable findings go to the summary.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";
import type { Finding, Severity } from "../../src/core/types.js";
import { SEVERITIES } from "../../src/core/types.js";
import { fileDiff, formatPatch, isRightRangeInOneHunk, parsePatch, PatchParseError } from "../../src/github/diff.js";
import type { FileDiff, PullRequestFileEntry } from "../../src/github/diff.js";
import { applyEditsToText, lineTable, planPlacements, reviewCommentFor, simulateSuggestion } from "../../src/github/placement.js";
import type { Placement } from "../../src/github/placement.js";
import { makePatch } from "../support/patch.js";
import { CORPUS, mutateAll, mutatedFrom, mutationArb, NOW, params } from "./support.js";

// ------------------------------------------------------------------------------------------ patches

const lineText = fc.constantFrom("a", "b: 1", "  - x", "", " ", "c\r", "\\ not a marker", "@@ x", "+", "-", "é😀", "\t\t");
type Op = { kind: " " | "+" | "-"; text: string };

/** A well-formed GitHub patch: hunks in order, headers matching their bodies. */
const wellFormedPatch = fc
  .array(
    fc.record({
      gap: fc.nat(6),
      ops: fc.array(fc.record({ kind: fc.constantFrom<Op["kind"]>(" ", "+", "-"), text: lineText }), { minLength: 1, maxLength: 12 }),
      section: fc.constantFrom("", " spec:", " FROM x"),
      noNewline: fc.boolean(),
    }),
    { minLength: 1, maxLength: 5 },
  )
  .map((hunks) => {
    const out: string[] = [];
    let oldNo = 1;
    let newNo = 1;
    hunks.forEach((h, i) => {
      oldNo += h.gap;
      newNo += h.gap;
      const oldCount = h.ops.filter((o) => o.kind !== "+").length;
      const newCount = h.ops.filter((o) => o.kind !== "-").length;
      const count = (n: number) => (n === 1 ? "" : `,${n}`);
      // git: a zero count names the line before the (empty) range.
      const oldStart = oldCount === 0 ? oldNo - 1 : oldNo;
      const newStart = newCount === 0 ? newNo - 1 : newNo;
      out.push(`@@ -${oldStart}${count(oldCount)} +${newStart}${count(newCount)} @@${h.section}`);
      for (const o of h.ops) out.push(o.kind + o.text);
      if (h.noNewline && i === hunks.length - 1) out.push("\\ No newline at end of file");
      oldNo += oldCount;
      newNo += newCount;
    });
    return out.join("\n");
  });

const statusArb = fc.constantFrom("added", "removed", "modified", "renamed", "copied", "changed", "unchanged", "weird");

function safeFileDiff(entry: PullRequestFileEntry): FileDiff {
  try {
    return fileDiff(entry);
  } catch (err) {
    throw new Error(`fileDiff threw: ${(err as Error).stack}\nentry: ${JSON.stringify(entry)}`, { cause: err });
  }
}

function parseOnlyPatchErrors(patch: string): void {
  try {
    parsePatch(patch);
  } catch (err) {
    if (!(err instanceof PatchParseError)) throw new Error(`parsePatch threw ${(err as Error).name}: ${(err as Error).stack}\npatch: ${JSON.stringify(patch)}`, { cause: err });
    expect(err.patchLine).toBeGreaterThanOrEqual(1);
  }
}

describe("fuzz: diff model", () => {
  it("well-formed patches parse, render back byte for byte, RIGHT lines = added + context, consecutive per hunk", () => {
    fc.assert(
      fc.property(wellFormedPatch, (patch) => {
        const hunks = parsePatch(patch);
        expect(formatPatch(hunks)).toBe(patch);
        const d = safeFileDiff({ filename: "f.yaml", status: "modified", patch });
        const expected = new Set<number>();
        for (const h of hunks) {
          const news = h.lines.filter((l) => l.kind !== "del").map((l) => l.newLine!);
          news.forEach((n, k) => expect(n).toBe(h.newStart + k));
          expect(news.length).toBe(h.newLines);
          for (const n of news) expected.add(n);
        }
        expect(new Set(d.rightLines)).toEqual(expected);
        expect(d.commentable).toBe(expected.size > 0);
        for (const n of expected) expect(isRightRangeInOneHunk(d, n, n)).toBe(true);
      }),
      params(800),
    );
  });

  it("mutated patches and arbitrary entries: fileDiff never throws, parsePatch only PatchParseError", () => {
    const patchArb = fc.oneof(
      fc.tuple(wellFormedPatch, fc.array(mutationArb, { minLength: 1, maxLength: 5 })).map(([p, ms]) => mutateAll(p, ms)),
      fc.string({ maxLength: 60, unit: "binary" }),
      fc.array(fc.constantFrom("@@ -1 +1 @@", "@@ -0,0 +1,2 @@", "@@ -1,2 +1,0 @@", "@@ -99999999999999999999,1 +1 @@", " a", "+b", "-c", "\\ No newline at end of file", "", "@@ -1,-1 +1 @@"), { maxLength: 8 }).map((r) => r.join("\n")),
    );
    fc.assert(
      fc.property(
        patchArb,
        statusArb,
        fc.option(fc.nat(10), { nil: undefined }),
        fc.option(fc.constantFrom("old.yaml", ""), { nil: null }),
        fc.constantFrom<"string" | "null" | "undefined">("string", "string", "null", "undefined"),
        (patch, status, changes, previous, kind) => {
          const entry: PullRequestFileEntry = { filename: "f.yaml", status, changes, previous_filename: previous, ...(kind === "string" ? { patch } : kind === "null" ? { patch: null } : {}) };
          const d = safeFileDiff(entry);
          parseOnlyPatchErrors(patch);
          if (!d.commentable) expect(d.rightLines.size).toBe(0);
          if (d.commentable) expect(d.rightLines.size).toBeGreaterThan(0);
          for (const n of d.rightLines) expect(Number.isInteger(n)).toBe(true);
        },
      ),
      params(1500),
    );
  });
});

// ------------------------------------------------------------------------------------------ placements

interface PlanCase {
  path: string;
  headText: string;
  diff: FileDiff;
  findings: Finding[];
}

/** Every violation of the planner's guarantees, as text (empty = fine). */
function checkPlacements(c: PlanCase, out: readonly Placement[]): string[] {
  const problems: string[] = [];
  const t = lineTable(c.headText);
  if (out.length !== c.findings.length) problems.push(`${out.length} placements for ${c.findings.length} findings`);
  const suggested = new Map<number, number>();
  out.forEach((p, i) => {
    const f = c.findings[i];
    const tag = `#${i} ${f.ruleId} ${p.kind}`;
    if (p.finding !== f) problems.push(`${tag}: placement is for another finding`);
    if (p.kind !== "summary") {
      if (f.suppressed) problems.push(`${tag}: suppressed finding commented on`);
      if (f.path !== c.path || p.path !== c.path) problems.push(`${tag}: comment on ${p.path}, finding for ${f.path}, file ${c.path}`);
      if (!c.diff.commentable) problems.push(`${tag}: comment on an uncommentable file (${c.diff.reason})`);
      const start = p.kind === "suggestion" ? p.startLine : p.line;
      for (let l = start; l <= p.line; l++) if (!c.diff.rightLines.has(l)) problems.push(`${tag}: line ${l} is not a RIGHT line of the diff`);
      if (!isRightRangeInOneHunk(c.diff, start, p.line)) problems.push(`${tag}: lines ${start}..${p.line} are not in one hunk`);
      const inOneHunk = c.diff.hunks.some((h) => h.newLines > 0 && start >= h.newStart && p.line <= h.newStart + h.newLines - 1);
      if (!inOneHunk) problems.push(`${tag}: lines ${start}..${p.line} span hunks`);
      const comment = reviewCommentFor(p, "body");
      if (!comment || comment.line !== p.line || comment.side !== "RIGHT" || (comment.start_line ?? p.line) !== start) problems.push(`${tag}: review comment ${JSON.stringify(comment)}`);
    }
    if (p.kind === "suggestion") {
      if (p.startLine > p.line || p.startLine < 1 || p.line > t.count) problems.push(`${tag}: lines ${p.startLine}..${p.line} of a ${t.count}-line file`);
      for (let l = p.startLine; l <= p.line; l++) {
        if (suggested.has(l)) problems.push(`${tag}: line ${l} already has suggestion #${suggested.get(l)}`);
        suggested.set(l, i);
      }
      const edits = (f.fix?.edits ?? []).filter((e) => e.path === c.path);
      let fixed: string | undefined;
      try {
        fixed = applyEditsToText(c.headText, edits);
      } catch {
        problems.push(`${tag}: suggestion for a fix whose edits do not apply`);
      }
      if (fixed !== undefined) {
        let simulated: string | undefined;
        try {
          simulated = simulateSuggestion(c.headText, p.startLine, p.line, p.replacement);
        } catch (err) {
          problems.push(`${tag}: suggestion cannot be applied: ${(err as Error).message}`);
        }
        if (simulated !== undefined && simulated !== fixed) problems.push(`${tag}: committing the suggestion gives a different text than the fix`);
        if (simulated === c.headText) problems.push(`${tag}: suggestion changes nothing`);
      }
    }
    if (p.kind === "summary") {
      if (f.suppressed && p.reason !== "suppressed" && p.reason !== "path-mismatch") problems.push(`${tag}: suppressed finding with reason ${p.reason}`);
    }
  });
  return problems;
}

/** How often each kind of placement came out: the generators must reach all of them. */
const seenKinds = { suggestion: 0, inline: 0, summary: 0 };

function plan(c: PlanCase): Placement[] {
  try {
    const out = planPlacements({ path: c.path, headText: c.headText, diff: c.diff, findings: c.findings });
    for (const p of out) if (p) seenKinds[p.kind]++;
    return out;
  } catch (err) {
    throw new Error(`planPlacements threw: ${(err as Error).stack}\ncase: ${JSON.stringify({ ...c, diff: { ...c.diff, rightLines: [...c.diff.rightLines] } })}`, { cause: err });
  }
}

const severityArb = fc.constantFrom<Severity>(...SEVERITIES);
const newTextArb = fc.constantFrom("", "x", "\n", "y: 1\n", "  z\n  w", "\r\n", "```", "a\nb\nc\n", "é");

/** Synthetic findings for a text: random ranges (also outside the file) and random, sometimes broken, fixes. */
function syntheticFindings(path: string, textLength: number, lines: number) {
  const edit = fc.record({ start: fc.integer({ min: -2, max: textLength + 3 }), len: fc.integer({ min: -1, max: 12 }), text: newTextArb, other: fc.nat(9) });
  return fc.array(
    fc.record({
      line: fc.integer({ min: -1, max: lines + 3 }),
      span: fc.integer({ min: -2, max: 4 }),
      severity: severityArb,
      edits: fc.option(fc.array(edit, { maxLength: 3 }), { nil: undefined }),
      suppressed: fc.nat(9),
      foreign: fc.nat(19),
    }),
    { maxLength: 8 },
  ).map((rs) =>
    rs.map((r, i): Finding => ({
      ruleId: `FUZZ-${i}`,
      severity: r.severity,
      title: "fuzz",
      message: "fuzz",
      path: r.foreign === 0 ? "other.yaml" : path,
      range: { startLine: r.line, startColumn: 1, endLine: r.line + r.span, endColumn: 1 },
      fingerprint: `f${i}`,
      ...(r.edits ? { fix: { description: "fuzz fix", edits: r.edits.map((e) => ({ path: e.other === 0 ? "other.yaml" : path, start: e.start, end: e.start + e.len, newText: e.text })) } } : {}),
      ...(r.suppressed === 0 ? { suppressed: { reason: "fuzz", source: "fuzz" } } : {}),
    })),
  );
}

describe("fuzz: placement planner", () => {
  it("synthetic findings on well-formed and real patches: comments only on RIGHT lines, suggestions in one hunk and exact", () => {
    const caseArb = fc
      .tuple(
        fc.array(fc.constantFrom("a", "b: 1", "  - x", "", "c\r", "kind: Pod", "  image: nginx"), { minLength: 0, maxLength: 25 }),
        fc.boolean(),
        fc.oneof(
          // a patch unrelated to the text (the planner must not trust it to match)
          wellFormedPatch,
          // or the real diff from a damaged base version
          fc.array(mutationArb, { minLength: 1, maxLength: 3 }).map((ms) => ({ ms })),
        ),
        fc.integer({ min: 0, max: 4 }),
        statusArb,
      )
      .chain(([rows, finalNl, patchSpec, context, status]) => {
        const headText = rows.join("\n") + (finalNl && rows.length > 0 ? "\n" : "");
        const patch = typeof patchSpec === "string" ? patchSpec : makePatch(mutateAll(headText, patchSpec.ms), headText, { context });
        const diff = fileDiff({ filename: "f.yaml", status, patch, changes: patch ? 1 : 0 });
        return syntheticFindings("f.yaml", headText.length, lineTable(headText).count).map((findings): PlanCase => ({ path: "f.yaml", headText, diff, findings }));
      });
    fc.assert(
      fc.property(caseArb, (c) => {
        expect(checkPlacements(c, plan(c))).toEqual([]);
      }),
      params(1500),
    );
    if (process.env.FUZZ_PATH !== undefined) return; // replaying one case
    expect(seenKinds.suggestion).toBeGreaterThan(10);
    expect(seenKinds.inline).toBeGreaterThan(10);
    expect(seenKinds.summary).toBeGreaterThan(10);
  });

  it("real findings of a mutated manifest against the diff from its original: same guarantees", () => {
    fc.assert(
      fc.property(mutatedFrom(CORPUS.manifests, 4), fc.integer({ min: 0, max: 3 }), fc.boolean(), (m, context, reverse) => {
        const original = CORPUS.manifests.find((x) => x.origin === m.origin)!.text;
        // Either the pull request damages the file, or it repairs it.
        const [base, head] = reverse ? [m.text, original] : [original, m.text];
        const diff = fileDiff({ filename: m.path, status: "modified", patch: makePatch(base, head, { context }), changes: 1 });
        const findings = scan([{ path: m.path, text: head }], { now: NOW }).findings;
        const c: PlanCase = { path: m.path, headText: head, diff, findings };
        expect(checkPlacements(c, plan(c))).toEqual([]);
      }),
      params(200),
    );
  });

  it("real findings of a file the pull request adds (every line on the RIGHT side): fixes that fit become exact suggestions", () => {
    fc.assert(
      fc.property(mutatedFrom(CORPUS.manifests, 2), (m) => {
        const diff = fileDiff({ filename: m.path, status: "added", patch: makePatch("", m.text), changes: 1 });
        const findings = scan([{ path: m.path, text: m.text }], { now: NOW }).findings;
        const c: PlanCase = { path: m.path, headText: m.text, diff, findings };
        expect(checkPlacements(c, plan(c))).toEqual([]);
      }),
      params(150),
    );
    if (process.env.FUZZ_PATH === undefined) expect(seenKinds.suggestion).toBeGreaterThan(50);
  });
});
