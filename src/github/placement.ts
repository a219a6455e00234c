// Where each finding of a changed file goes in a pull-request review. Pure: no I/O.
//
//   suggestion  the finding has a fix whose edits all lie on RIGHT lines of ONE hunk; the
//               comment spans exactly the head lines the edits touch and carries a
//               ```suggestion block with the new text of those lines (GitHub replaces lines
//               start_line..line with the block's content when someone clicks "Commit").
//   inline      the finding's line is a RIGHT line (its start line; else the first RIGHT line
//               inside its range) but there is no fix that GitHub can apply as a suggestion: a
//               plain single-line comment, with a ```diff block of the fix when there is one.
//   summary     everything else (off-diff lines, deleted/binary/too-large files, suppressed
//               findings): goes to the check run and the review body.
//
// Suggestion text decisions (documented; GitHub does not specify these):
// - CRLF files: the suggestion block uses "\n" only (GitHub renders and stores comment text with
//   LF; a "\r" in the block would be invisible noise). `simulateSuggestion` models GitHub
//   writing the replaced lines back with the line ending style of the lines they replace. That
//   GitHub preserves CRLF this way is [unverified]; `SuggestionPlacement.crlf` flags such
//   suggestions so a caller can choose to downgrade them.
// - A "\r" that is not followed by "\n" is content and is kept.
// - Missing final newline: a suggestion on the last line keeps the file without a final newline.
//   A fix that adds or removes the final newline itself cannot be expressed as a suggestion and
//   becomes an inline comment with a diff block.
// - Every suggestion is verified: applying it with `simulateSuggestion` must give exactly the
//   text that applying the fix's edits gives, and must differ from the current lines
//   (GitHub: "You must change the existing code in this line").
// - No two suggestions share a line ("Only one suggestion per line can be applied in a batch"):
//   more severe findings get the suggestion, the others become inline comments with a diff.
import type { Finding, TextEdit } from "../core/types.js";
import { severityRank } from "../core/types.js";
import { type FileDiff, type NotCommentableReason, describeNotCommentable, isRightRangeInOneHunk } from "./diff.js";

// ---------------------------------------------------------------- text helpers

/** Line table of a text. Lines are separated by "\n"; a final "\n" does not start a new line. */
export interface LineTable {
  readonly text: string;
  /** Offset of the first character of each line (index 0 = line 1). */
  readonly starts: readonly number[];
  /** Number of lines (0 for ""). */
  readonly count: number;
}

export function lineTable(text: string): LineTable {
  const starts: number[] = [];
  if (text.length > 0) {
    starts.push(0);
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10 && i + 1 < text.length) starts.push(i + 1);
  }
  return { text, starts, count: starts.length };
}

/** 1-based line of an offset; `count + 1` for the offset just after a final "\n" (or 1 for ""). */
export function lineAt(t: LineTable, offset: number): number {
  if (t.count === 0) return 1;
  if (offset >= t.text.length && t.text.endsWith("\n")) return t.count + 1;
  let lo = 0;
  let hi = t.count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (t.starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Offset where line `line` starts (`text.length` for count + 1). */
export function lineStart(t: LineTable, line: number): number {
  return line <= t.count ? t.starts[line - 1] : t.text.length;
}

/** Offset just after line `line`, including its "\n" when it has one. */
export function lineEnd(t: LineTable, line: number): number {
  return line < t.count ? t.starts[line] : t.text.length;
}

/** The text of line `line` without its "\n" (a CRLF "\r" stays). */
export function lineText(t: LineTable, line: number): string {
  const s = t.text.slice(lineStart(t, line), lineEnd(t, line));
  return s.endsWith("\n") ? s.slice(0, -1) : s;
}

export class EditError extends Error {
  override name = "EditError";
}

/**
 * Apply non-overlapping edits (offsets into `text`) and return the new text. Insertions at the
 * same offset are applied in the order given. Throws EditError on overlapping or out-of-range
 * edits.
 */
export function applyEditsToText(text: string, edits: readonly Pick<TextEdit, "start" | "end" | "newText">[]): string {
  const sorted = edits
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.start - b.e.start || a.e.end - b.e.end || a.i - b.i)
    .map((x) => x.e);
  let out = "";
  let pos = 0;
  for (const e of sorted) {
    if (!Number.isInteger(e.start) || !Number.isInteger(e.end) || e.start < 0 || e.end < e.start || e.end > text.length)
      throw new EditError(`edit [${e.start}, ${e.end}) is outside the text (length ${text.length})`);
    if (e.start < pos) throw new EditError(`edit [${e.start}, ${e.end}) overlaps the previous edit`);
    out += text.slice(pos, e.start) + e.newText;
    pos = e.end;
  }
  return out + text.slice(pos);
}

/**
 * How GitHub applies a suggestion (our model of it): lines startLine..endLine of `headText` are
 * replaced by `replacement` (one string per line, no terminators; [] deletes the lines). The new
 * lines get the line ending of the replaced lines ("\r\n" when the first replaced line ended in
 * "\r\n"); the last new line gets the terminator the last replaced line had, so a file without a
 * final newline keeps having none.
 */
export function simulateSuggestion(headText: string, startLine: number, endLine: number, replacement: readonly string[]): string {
  const t = lineTable(headText);
  if (!Number.isInteger(startLine) || !Number.isInteger(endLine) || startLine < 1 || endLine < startLine || endLine > t.count)
    throw new RangeError(`lines ${startLine}..${endLine} are not in a ${t.count}-line file`);
  const from = lineStart(t, startLine);
  const to = lineEnd(t, endLine);
  const old = headText.slice(from, to);
  const firstNl = old.indexOf("\n");
  let style: string;
  if (firstNl >= 0) style = firstNl > 0 && old[firstNl - 1] === "\r" ? "\r\n" : "\n";
  else {
    const anyNl = headText.indexOf("\n");
    style = anyNl > 0 && headText[anyNl - 1] === "\r" ? "\r\n" : "\n";
  }
  const finalTerm = old.endsWith("\r\n") ? "\r\n" : old.endsWith("\n") ? "\n" : "";
  const body = replacement.map((l, i) => l + (i < replacement.length - 1 ? style : finalTerm)).join("");
  return headText.slice(0, from) + body + headText.slice(to);
}

// ---------------------------------------------------------------- markdown helpers

/** A backtick fence longer than any run of backticks inside `text` (at least 3). */
export function fenceFor(text: string): string {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return "`".repeat(Math.max(3, longest + 1));
}

/**
 * The ```suggestion block for a replacement (one string per line; [] = delete the lines).
 * No trailing newline after the closing fence.
 */
export function suggestionBody(replacement: readonly string[]): string {
  const inner = replacement.map((l) => `${l}\n`).join("");
  const fence = fenceFor(inner);
  return `${fence}suggestion\n${inner}${fence}`;
}

/** The replacements of every ```suggestion block in a comment body, in order. */
export function parseSuggestions(commentBody: string): string[][] {
  const rows = commentBody.replace(/\r\n/g, "\n").split("\n");
  const out: string[][] = [];
  for (let i = 0; i < rows.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*suggestion\s*$/.exec(rows[i]);
    if (!open) continue;
    const fence = open[1];
    const lines: string[] = [];
    let j = i + 1;
    for (; j < rows.length; j++) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(rows[j]);
      if (close && close[1][0] === fence[0] && close[1].length >= fence.length) break;
      lines.push(rows[j]);
    }
    out.push(lines);
    i = j;
  }
  return out;
}

// ---------------------------------------------------------------- fix geometry

/** Candidate head-line spans for one edit (an insertion at a line start can hang on either line). */
function editSpans(t: LineTable, e: TextEdit): [number, number][] {
  if (e.end > e.start) return [[lineAt(t, e.start), lineAt(t, e.end - 1)]];
  const line = lineAt(t, e.start);
  const spans: [number, number][] = [];
  if (e.start === lineStart(t, line)) {
    if (line <= t.count) spans.push([line, line]); // prefix of this line
    if (line - 1 >= 1) spans.push([line - 1, line - 1]); // suffix after the previous line's "\n"
  } else if (line <= t.count) {
    spans.push([line, line]);
  }
  return spans;
}

/** Every combination of candidate spans (bounded), each reduced to its covering range. */
function candidateRanges(t: LineTable, edits: readonly TextEdit[]): [number, number][] {
  let acc: [number, number][] = [[Infinity, -Infinity]];
  for (const e of edits) {
    const spans = editSpans(t, e);
    if (spans.length === 0) return [];
    const next: [number, number][] = [];
    for (const [s, en] of acc) for (const [a, b] of spans) next.push([Math.min(s, a), Math.max(en, b)]);
    // Dedupe and cap: fixes have a handful of edits; 2^k blows up only for pathological input.
    const seen = new Set<string>();
    acc = next.filter(([s, en]) => (seen.has(`${s}:${en}`) ? false : (seen.add(`${s}:${en}`), true))).slice(0, 64);
  }
  // Smallest span first; ties keep generation order (prefix of the line before suffix of the
  // previous line). Array.prototype.sort is stable.
  return acc.sort((x, y) => x[1] - x[0] - (y[1] - y[0]));
}

interface Replacement {
  startLine: number;
  endLine: number;
  replacement: string[];
  crlf: boolean;
}

/** The replacement lines for head lines s..e after the edits, if that is a well-formed one. */
function replacementFor(t: LineTable, edits: readonly TextEdit[], s: number, e: number): Replacement | undefined {
  const from = lineStart(t, s);
  const to = lineEnd(t, e);
  for (const ed of edits) if (ed.start < from || ed.end > to) return undefined;
  const segment = t.text.slice(from, to);
  const shifted = edits.map((ed) => ({ start: ed.start - from, end: ed.end - from, newText: ed.newText }));
  const next = applyEditsToText(segment, shifted);
  let rows: string[];
  if (next === "") rows = [];
  else if (segment.endsWith("\n")) {
    if (!next.endsWith("\n")) return undefined; // would join with the following line
    rows = next.slice(0, -1).split("\n");
  } else {
    if (next.endsWith("\n")) return undefined; // would add a final newline: not expressible
    rows = next.split("\n");
  }
  // Every row but an unterminated last one was followed by "\n": its "\r" is the CRLF's.
  const terminatedCount = segment.endsWith("\n") || next === "" ? rows.length : rows.length - 1;
  let crlf = false;
  const replacement = rows.map((r, i) => {
    if (i < terminatedCount && r.endsWith("\r")) {
      crlf = true;
      return r.slice(0, -1);
    }
    return r;
  });
  return { startLine: s, endLine: e, replacement, crlf };
}

// ---------------------------------------------------------------- placements

export type NoSuggestionReason =
  /** The finding has no fix (or an empty one). */
  | "no-fix"
  /** The fix also edits other files. */
  | "fix-spans-files"
  /** The fix's edits overlap or point outside the head text (head text differs from the scan?). */
  | "invalid-edits"
  /** Some edited line is not a RIGHT line of the diff. */
  | "outside-diff"
  /** The edited lines are in the diff but not all in one hunk. */
  | "spans-hunks"
  /** The fix changes nothing. */
  | "no-op"
  /** The fix adds/removes the final newline or otherwise cannot be written as whole lines. */
  | "not-representable"
  /** A more severe finding's suggestion already covers one of these lines. */
  | "overlaps-suggestion"
  /** The suggestion block would not fit in a comment body (see `PlanInput.maxBlockChars`). */
  | "too-large";

export type SummaryReason =
  | NotCommentableReason
  /** The finding's lines are not RIGHT lines of the diff. */
  | "outside-diff"
  /** Suppressed findings are listed in the summary, never commented on. */
  | "suppressed"
  /** The finding belongs to another file than the one planned. */
  | "path-mismatch";

export interface SuggestionPlacement {
  kind: "suggestion";
  finding: Finding;
  path: string;
  side: "RIGHT";
  /** First head line replaced (start_line when < line). */
  startLine: number;
  /** Last head line replaced (`line`). */
  line: number;
  /** The new text of lines startLine..line, one string per line; [] deletes them. */
  replacement: string[];
  /** The replaced lines end in CRLF (see the module comment). */
  crlf: boolean;
}

export interface InlinePlacement {
  kind: "inline";
  finding: Finding;
  path: string;
  side: "RIGHT";
  line: number;
  /** Why there is no suggestion. */
  noSuggestion: NoSuggestionReason;
  /** ```diff block of the fix's changes to this file, when there is a fix that could be shown. */
  diff?: string;
}

export interface SummaryPlacement {
  kind: "summary";
  finding: Finding;
  path: string;
  reason: SummaryReason;
  /** One sentence for the check-run summary. */
  detail: string;
  /** ```diff block of the fix, when there is one that could be shown. */
  diff?: string;
}

export type Placement = SuggestionPlacement | InlinePlacement | SummaryPlacement;

export interface PlanInput {
  /** Head path of the file (the diff entry's `filename`). */
  path: string;
  /** The file's text at the pull request's head commit: the text the findings were computed on. */
  headText: string;
  diff: FileDiff;
  findings: readonly Finding[];
  /**
   * Largest suggestion or diff block to produce (default 60,000 characters, leaving room for the
   * prose and marker under GitHub's 65,536-character comment limit). Larger fixes get no
   * suggestion (`too-large`) and no diff block.
   */
  maxBlockChars?: number;
}

/** The first RIGHT line within a.b (inclusive), if any. */
function firstRightLineIn(diff: FileDiff, a: number, b: number): number | undefined {
  let best: number | undefined;
  for (const h of diff.hunks) {
    if (h.newLines === 0) continue;
    const lo = Math.max(a, h.newStart);
    const hi = Math.min(b, h.newStart + h.newLines - 1);
    if (lo <= hi && (best === undefined || lo < best)) best = lo;
  }
  return best;
}

interface FixAnalysis {
  suggestion?: Replacement;
  noSuggestion?: NoSuggestionReason;
  diff?: string;
}

function analyseFix(t: LineTable, path: string, diff: FileDiff, finding: Finding, maxBlockChars: number): FixAnalysis {
  const all = finding.fix?.edits ?? [];
  if (all.length === 0) return { noSuggestion: "no-fix" };
  const edits = all.filter((e) => e.path === path);
  const spansFiles = edits.length !== all.length;
  if (edits.length === 0) return { noSuggestion: "fix-spans-files" };
  let fixed: string;
  try {
    fixed = applyEditsToText(t.text, edits);
  } catch {
    return { noSuggestion: "invalid-edits" };
  }
  if (fixed === t.text) return { noSuggestion: "no-op" };
  const fullDiff = diffBlock(t.text, edits);
  const diffText = fullDiff.length <= maxBlockChars ? fullDiff : undefined;
  if (spansFiles) return { noSuggestion: "fix-spans-files", diff: diffText };

  const ranges = candidateRanges(t, edits);
  let sawRepresentable = false;
  for (const [s, e] of ranges) {
    if (s < 1 || e > t.count) continue;
    const rep = replacementFor(t, edits, s, e);
    if (!rep || simulateSuggestion(t.text, s, e, rep.replacement) !== fixed) continue;
    sawRepresentable = true;
    if (isRightRangeInOneHunk(diff, s, e)) {
      if (suggestionBody(rep.replacement).length > maxBlockChars) return { noSuggestion: "too-large", diff: diffText };
      return { suggestion: rep, diff: diffText };
    }
  }
  if (!sawRepresentable) return { noSuggestion: "not-representable", diff: diffText };
  // Distinguish "touches lines outside the diff" from "all in the diff, but in two hunks".
  const allRight = ranges.some(([s, e]) => {
    for (let l = s; l <= e; l++) if (!diff.rightLines.has(l)) return false;
    return true;
  });
  return { noSuggestion: allRight ? "spans-hunks" : "outside-diff", diff: diffText };
}

/**
 * Decide, for every finding of one file, whether it becomes a suggestion, an inline comment or a
 * summary entry. The result is in the order of `findings`. Lines of every suggestion/inline
 * placement are guaranteed to be RIGHT lines of `diff` (and within one hunk).
 */
export function planPlacements(input: PlanInput): Placement[] {
  const { path, diff, findings } = input;
  const t = lineTable(input.headText);
  const maxBlockChars = input.maxBlockChars ?? 60_000;
  const out: Placement[] = new Array(findings.length);

  // Most severe first, so they win contested lines; then by position, then input order.
  const order = findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        severityRank(b.f.severity) - severityRank(a.f.severity) ||
        a.f.range.startLine - b.f.range.startLine ||
        a.i - b.i,
    );
  const taken = new Set<number>(); // head lines already covered by a suggestion

  for (const { f, i } of order) {
    if (f.path !== path) {
      out[i] = { kind: "summary", finding: f, path: f.path, reason: "path-mismatch", detail: `finding is for ${f.path}, not ${path}` };
      continue;
    }
    if (f.suppressed) {
      out[i] = { kind: "summary", finding: f, path, reason: "suppressed", detail: `suppressed: ${f.suppressed.reason}` };
      continue;
    }
    if (!diff.commentable) {
      const reason = diff.reason ?? "no-patch";
      const fx = analyseFix(t, path, { ...diff, hunks: [], rightLines: new Set() }, f, maxBlockChars);
      out[i] = { kind: "summary", finding: f, path, reason, detail: diff.detail ?? describeNotCommentable(reason), ...(fx.diff ? { diff: fx.diff } : {}) };
      continue;
    }
    const fx = analyseFix(t, path, diff, f, maxBlockChars);
    let noSuggestion = fx.noSuggestion;
    if (fx.suggestion) {
      const { startLine, endLine } = fx.suggestion;
      let free = true;
      for (let l = startLine; l <= endLine; l++) if (taken.has(l)) free = false;
      if (free) {
        for (let l = startLine; l <= endLine; l++) taken.add(l);
        out[i] = {
          kind: "suggestion",
          finding: f,
          path,
          side: "RIGHT",
          startLine,
          line: endLine,
          replacement: fx.suggestion.replacement,
          crlf: fx.suggestion.crlf,
        };
        continue;
      }
      noSuggestion = "overlaps-suggestion";
    }
    const start = Math.max(1, f.range.startLine);
    const end = Math.max(start, f.range.endLine);
    const anchor = diff.rightLines.has(start) ? start : firstRightLineIn(diff, start, end);
    if (anchor !== undefined) {
      out[i] = {
        kind: "inline",
        finding: f,
        path,
        side: "RIGHT",
        line: anchor,
        noSuggestion: noSuggestion ?? "no-fix",
        ...(fx.diff ? { diff: fx.diff } : {}),
      };
    } else {
      out[i] = {
        kind: "summary",
        finding: f,
        path,
        reason: "outside-diff",
        detail: `line ${start} is not part of the pull request's diff`,
        ...(fx.diff ? { diff: fx.diff } : {}),
      };
    }
  }
  return out;
}

/** The `comments[]` entry of `POST /pulls/{n}/reviews` for a placement (undefined for summary). */
export function reviewCommentFor(
  p: Placement,
  body: string,
): { path: string; body: string; line: number; side: "RIGHT"; start_line?: number; start_side?: "RIGHT" } | undefined {
  if (p.kind === "summary") return undefined;
  if (p.kind === "suggestion" && p.startLine < p.line)
    return { path: p.path, body, line: p.line, side: "RIGHT", start_line: p.startLine, start_side: "RIGHT" };
  return { path: p.path, body, line: p.line, side: "RIGHT" };
}

// ---------------------------------------------------------------- diff block

/**
 * A ```diff block showing what `edits` (offsets into `headText`) change, grouped into hunks
 * with "@@ -a,b +c,d @@" headers; unchanged lines at the edges of a group are shown as
 * context. Line endings are shown without "\r". Edits for other paths are the caller's to drop.
 */
export function diffBlock(headText: string, edits: readonly Pick<TextEdit, "start" | "end" | "newText">[]): string {
  const t = lineTable(headText);
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  // Line span per edit; an insertion at EOF (after the final "\n") hangs on the last line.
  const spans = sorted.map((e) => {
    let s = lineAt(t, e.start);
    let en = e.end > e.start ? lineAt(t, e.end - 1) : s;
    if (s > t.count) s = Math.max(1, t.count);
    if (en > t.count) en = Math.max(1, t.count);
    return { e, s, en };
  });
  const groups: { s: number; en: number; edits: typeof sorted }[] = [];
  for (const sp of spans) {
    const g = groups[groups.length - 1];
    if (g && sp.s <= g.en + 1) {
      g.en = Math.max(g.en, sp.en);
      g.edits.push(sp.e);
    } else groups.push({ s: sp.s, en: sp.en, edits: [sp.e] });
  }
  const strip = (l: string): string => (l.endsWith("\r") ? l.slice(0, -1) : l);
  const toRows = (text: string): string[] => {
    if (text === "") return [];
    const body = text.endsWith("\n") ? text.slice(0, -1) : text;
    return body.split("\n").map(strip);
  };
  const out: string[] = [];
  let delta = 0;
  for (const g of groups) {
    const from = t.count === 0 ? 0 : lineStart(t, g.s);
    const to = t.count === 0 ? 0 : lineEnd(t, g.en);
    const seg = headText.slice(from, to);
    const next = applyEditsToText(
      seg,
      g.edits.map((e) => ({ start: e.start - from, end: e.end - from, newText: e.newText })),
    );
    const oldRows = toRows(seg);
    const newRows = toRows(next);
    let pre = 0;
    while (pre < oldRows.length && pre < newRows.length && oldRows[pre] === newRows[pre]) pre++;
    let suf = 0;
    while (
      suf < oldRows.length - pre &&
      suf < newRows.length - pre &&
      oldRows[oldRows.length - 1 - suf] === newRows[newRows.length - 1 - suf]
    )
      suf++;
    const oldStart = t.count === 0 ? 0 : g.s;
    const newStart = oldStart + delta;
    const count = (n: number): string => (n === 1 ? "" : `,${n}`);
    out.push(`@@ -${oldStart}${count(oldRows.length)} +${newStart}${count(newRows.length)} @@`);
    for (const r of oldRows.slice(0, pre)) out.push(` ${r}`);
    for (const r of oldRows.slice(pre, oldRows.length - suf)) out.push(`-${r}`);
    for (const r of newRows.slice(pre, newRows.length - suf)) out.push(`+${r}`);
    for (const r of oldRows.slice(oldRows.length - suf)) out.push(` ${r}`);
    delta += newRows.length - oldRows.length;
  }
  const inner = out.join("\n") + "\n";
  const fence = fenceFor(inner);
  return `${fence}diff\n${inner}${fence}`;
}
