// Applying TextEdits to the ORIGINAL text. Every fix front end (CLI --fix, suggestion blocks,
// fix commits) goes through here, so the rules are strict: offsets always refer to the original
// text, overlapping edits are a planning bug and are rejected loudly instead of being guessed at.
import type { TextEdit } from "../types.js";

/** Thrown when two edits touch the same bytes; carries both so callers can report them. */
export class OverlappingEditsError extends Error {
  constructor(
    readonly first: TextEdit,
    readonly second: TextEdit,
  ) {
    super(
      `overlapping edits in ${first.path}: [${first.start}, ${first.end}) ${JSON.stringify(first.newText)} ` +
        `and [${second.start}, ${second.end}) ${JSON.stringify(second.newText)}`,
    );
    this.name = "OverlappingEditsError";
  }
}

function isSameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.path === b.path && a.start === b.start && a.end === b.end && a.newText === b.newText;
}

function compareEdits(a: TextEdit, b: TextEdit): number {
  // Zero-length inserts sort before a replacement starting at the same offset: an insert at
  // `x` means "after whatever ends at x", which is before the bytes that [x, y) removes.
  return a.start - b.start || a.end - b.end;
}

function assertValidRange(edit: TextEdit, textLength?: number): void {
  const { start, end } = edit;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
    throw new RangeError(`invalid edit range [${start}, ${end}) in ${edit.path}`);
  }
  if (textLength !== undefined && end > textLength) {
    throw new RangeError(`edit [${start}, ${end}) in ${edit.path} is past the end of the text (${textLength})`);
  }
}

/**
 * Sorts edits by offset, drops exact duplicates (two rules proposing the same patch is
 * common and harmless) and throws OverlappingEditsError when two different edits touch the same
 * bytes or two different inserts share an offset (their order would be a guess).
 */
export function mergeEdits(edits: readonly TextEdit[], textLength?: number): TextEdit[] {
  const sorted = [...edits].sort(compareEdits);
  const merged: TextEdit[] = [];
  for (const edit of sorted) {
    assertValidRange(edit, textLength);
    const previous = merged[merged.length - 1];
    if (previous === undefined) {
      merged.push(edit);
      continue;
    }
    if (isSameEdit(previous, edit)) continue;
    if (editsConflict(previous, edit)) throw new OverlappingEditsError(previous, edit);
    merged.push(edit);
  }
  return merged;
}

/** `a` sorts before `b`. Touching ranges are fine; shared bytes or shared insert points are not. */
function editsConflict(a: TextEdit, b: TextEdit): boolean {
  if (b.start < a.end) return true;
  const bothInsertsAtSameOffset = a.start === a.end && b.start === b.end && a.start === b.start;
  return bothInsertsAtSameOffset;
}

/** True when the two edit lists can be applied together (no overlap after deduplication). */
export function editsCompatible(a: readonly TextEdit[], b: readonly TextEdit[]): boolean {
  try {
    mergeEdits([...a, ...b]);
    return true;
  } catch (error) {
    if (error instanceof OverlappingEditsError) return false;
    throw error;
  }
}

/**
 * Applies edits whose offsets refer to `text` (the original) and returns the new text.
 * All edits must target the same file; see mergeEdits for ordering and overlap rules.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  assertSinglePath(edits);
  const merged = mergeEdits(edits, text.length);
  const parts: string[] = [];
  let cursor = 0;
  for (const edit of merged) {
    parts.push(text.slice(cursor, edit.start), edit.newText);
    cursor = edit.end;
  }
  parts.push(text.slice(cursor));
  return parts.join("");
}

function assertSinglePath(edits: readonly TextEdit[]): void {
  const paths = new Set(edits.map((e) => e.path));
  if (paths.size > 1) {
    throw new Error(`applyEdits got edits for several files: ${[...paths].join(", ")}; group them by path first`);
  }
}

/** Groups edits by file path, keeping each group's original order. */
export function groupEditsByPath(edits: readonly TextEdit[]): Map<string, TextEdit[]> {
  const groups = new Map<string, TextEdit[]>();
  for (const edit of edits) {
    const group = groups.get(edit.path);
    if (group) group.push(edit);
    else groups.set(edit.path, [edit]);
  }
  return groups;
}

/**
 * Maps an offset of the original text to the edited text. Offsets inside a replaced range map
 * to the start of its replacement; used to report positions in fixed text.
 */
export function mapOffset(offset: number, edits: readonly TextEdit[]): number {
  let delta = 0;
  for (const edit of mergeEdits(edits)) {
    if (edit.start >= offset && !(edit.start === offset && edit.end === offset)) break;
    if (offset < edit.end) return edit.start + delta;
    delta += edit.newText.length - (edit.end - edit.start);
  }
  return offset + delta;
}
