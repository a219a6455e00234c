// Engine-level check of a fixed YAML file before anything is suggested or committed: the
// result must parse, keep its documents, and (given the edits) change nothing outside them.
import { LineCounter, parseAllDocuments } from "yaml";
import type { TextEdit } from "../types.js";
import { mergeEdits, OverlappingEditsError } from "./apply.js";

export type VerifyProblem =
  | { kind: "parse-error"; message: string; line: number; column: number }
  | { kind: "document-count"; message: string; before: number; after: number }
  | { kind: "outside-edit"; message: string; offset: number; line: number; column: number }
  | { kind: "invalid-edits"; message: string };

export interface VerifyResult {
  ok: boolean;
  problems: VerifyProblem[];
}

/**
 * Re-parses `fixed` and compares it with `original`. Parse errors that the original already
 * had (same error code, as often) are not blamed on the fix. With `edits`, also checks that
 * `fixed` equals `original` outside the edited ranges, byte for byte.
 */
export function verifyYamlEdits(original: string, fixed: string, edits?: readonly TextEdit[]): VerifyResult {
  const problems: VerifyProblem[] = [...parseProblems(original, fixed)];
  if (edits) problems.push(...outsideEditProblems(original, fixed, edits));
  return { ok: problems.length === 0, problems };
}

interface ParsedStream {
  count: number;
  errors: { code: string; message: string; line: number; column: number }[];
}

function parseStream(text: string): ParsedStream {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter });
  const docs = Array.isArray(parsed) ? parsed : [];
  const errors = docs.flatMap((doc) =>
    doc.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { code: error.code, message: error.message.split("\n")[0]!, line, column: col };
    }),
  );
  return { count: docs.length, errors };
}

function parseProblems(original: string, fixed: string): VerifyProblem[] {
  const before = parseStream(original);
  const after = parseStream(fixed);
  const problems: VerifyProblem[] = [];
  const known = new Map<string, number>();
  for (const error of before.errors) known.set(error.code, (known.get(error.code) ?? 0) + 1);
  for (const error of after.errors) {
    const remaining = known.get(error.code) ?? 0;
    if (remaining > 0) {
      known.set(error.code, remaining - 1);
      continue;
    }
    problems.push({ kind: "parse-error", message: error.message, line: error.line, column: error.column });
  }
  if (before.count !== after.count) {
    problems.push({
      kind: "document-count",
      message: `the file had ${before.count} YAML document(s) and now has ${after.count}`,
      before: before.count,
      after: after.count,
    });
  }
  return problems;
}

/** Only the byte-preservation part of verifyYamlEdits: `fixed` equals `original` outside `edits`. */
export function outsideEditProblems(original: string, fixed: string, edits: readonly TextEdit[]): VerifyProblem[] {
  let sorted: TextEdit[];
  try {
    sorted = mergeEdits(edits, original.length);
  } catch (error) {
    if (error instanceof OverlappingEditsError || error instanceof RangeError) return [{ kind: "invalid-edits", message: error.message }];
    throw error;
  }
  let originalCursor = 0;
  let fixedCursor = 0;
  const segments: { from: number; to: number; fixedAt: number }[] = [];
  for (const edit of sorted) {
    segments.push({ from: originalCursor, to: edit.start, fixedAt: fixedCursor });
    fixedCursor += edit.start - originalCursor + edit.newText.length;
    originalCursor = edit.end;
  }
  segments.push({ from: originalCursor, to: original.length, fixedAt: fixedCursor });
  const expectedLength = fixedCursor + (original.length - originalCursor);
  for (const { from, to, fixedAt } of segments) {
    const mismatch = firstMismatch(original, from, to, fixed, fixedAt);
    if (mismatch !== undefined) return [outsideProblem(original, mismatch, "changed")];
  }
  if (fixed.length !== expectedLength) {
    return [outsideProblem(original, original.length, `file length is ${fixed.length}, edits imply ${expectedLength}`)];
  }
  return [];
}

function firstMismatch(original: string, from: number, to: number, fixed: string, fixedAt: number): number | undefined {
  for (let i = from; i < to; i++) {
    if (original[i] !== fixed[fixedAt + i - from]) return i;
  }
  return undefined;
}

function outsideProblem(original: string, offset: number, what: string): VerifyProblem {
  const lineCounter = new LineCounter();
  let next = original.indexOf("\n");
  lineCounter.addNewLine(0);
  while (next !== -1) {
    lineCounter.addNewLine(next + 1);
    next = original.indexOf("\n", next + 1);
  }
  const { line, col } = lineCounter.linePos(offset);
  return {
    kind: "outside-edit",
    message: `byte at line ${line}, column ${col} of the original (outside every edit) ${what}`,
    offset,
    line,
    column: col,
  };
}
