// The pull-request diff model: which lines of a changed file GitHub lets us comment on.
//
// Input is the `patch` of one entry of `GET /repos/{o}/{r}/pulls/{n}/files`: unified-diff hunks
// without file headers ("@@ -a,b +c,d @@ section" followed by " ", "-", "+" lines and
// "\ No newline at end of file" markers). GitHub accepts a review comment with `side: RIGHT` on
// a line of the head file only when that line is shown in a hunk as an added or a context line,
// and a multi-line comment only when start_line and line are in the same hunk
// (docs/notes: github-platform.md §1.2). Everything here is pure.

/** `status` of a diff entry as GitHub reports it. */
export type DiffStatus = "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";

/** The fields of a `GET /pulls/{n}/files` entry this module reads. */
export interface PullRequestFileEntry {
  filename: string;
  status: DiffStatus | string;
  /** Absent or null for binary files, pure renames, empty files and diffs GitHub found too large. */
  patch?: string | null;
  previous_filename?: string | null;
  additions?: number;
  deletions?: number;
  changes?: number;
}

export type DiffLineKind = "context" | "add" | "del";

export interface DiffLine {
  kind: DiffLineKind;
  /** Line number in the base file; null for added lines. */
  oldLine: number | null;
  /** Line number in the head file; null for deleted lines. */
  newLine: number | null;
  /** The line's text without the leading marker and without "\n"; a "\r" of a CRLF file stays. */
  text: string;
  /** True when "\ No newline at end of file" followed this line. */
  noNewlineAtEof: boolean;
  /** GitHub's legacy diff `position` (1 = the line below the first "@@"; later "@@" lines count). */
  position: number;
}

export interface Hunk {
  /** 0-based index of the hunk in the patch. */
  index: number;
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Text after the closing "@@" (git's function/section context), without the leading space. */
  section: string;
  /** The "@@ … @@" line itself. */
  header: string;
  lines: DiffLine[];
}

export class PatchParseError extends Error {
  constructor(
    message: string,
    /** 1-based line of the patch text. */
    readonly patchLine: number,
  ) {
    super(`${message} (patch line ${patchLine})`);
    this.name = "PatchParseError";
  }
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;
const NO_NEWLINE = "\\ No newline at end of file";

/**
 * Parse a GitHub `patch` into hunks. Throws PatchParseError when the text is not a sequence of
 * well-formed hunks whose line counts match their headers. Lines are split on "\n" only: a
 * "\r" before it is part of the line's text (CRLF files keep their "\r" on both sides).
 */
export function parsePatch(patch: string): Hunk[] {
  const hunks: Hunk[] = [];
  if (patch === "") return hunks;
  const rows = patch.split("\n");
  // A trailing "\n" after the last line produces one empty element: not a line of the diff.
  if (rows.length > 1 && rows[rows.length - 1] === "") rows.pop();

  let current: Hunk | undefined;
  let oldLeft = 0;
  let newLeft = 0;
  let oldNo = 0;
  let newNo = 0;
  let position = 0;
  let last: DiffLine | undefined;

  const finish = (rowNo: number): void => {
    if (current && (oldLeft !== 0 || newLeft !== 0)) {
      throw new PatchParseError(
        `hunk ${current.header} is short by ${oldLeft} old and ${newLeft} new lines`,
        rowNo,
      );
    }
  };

  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const rowNo = i + 1;
    const header = HUNK_HEADER.exec(row);
    if (header && oldLeft === 0 && newLeft === 0) {
      finish(rowNo);
      const oldStart = Number(header[1]);
      const oldLines = header[2] === undefined ? 1 : Number(header[2]);
      const newStart = Number(header[3]);
      const newLines = header[4] === undefined ? 1 : Number(header[4]);
      if (hunks.length > 0) position++; // later hunk headers occupy a position
      current = {
        index: hunks.length,
        oldStart,
        oldLines,
        newStart,
        newLines,
        section: header[5] ?? "",
        header: row,
        lines: [],
      };
      hunks.push(current);
      oldLeft = oldLines;
      newLeft = newLines;
      // With a count of 0 the start names the line *before* the (empty) range.
      oldNo = oldLines === 0 ? oldStart + 1 : oldStart;
      newNo = newLines === 0 ? newStart + 1 : newStart;
      last = undefined;
      continue;
    }
    if (!current) throw new PatchParseError(`expected a hunk header, got ${JSON.stringify(row.slice(0, 40))}`, rowNo);
    if (row.startsWith("\\")) {
      // "\ No newline at end of file" (git localises nothing here, but be lenient on the text).
      if (!last) throw new PatchParseError("no-newline marker before any line", rowNo);
      last.noNewlineAtEof = true;
      position++;
      continue;
    }
    // Some tools strip the single space of an empty context line; accept "" as context.
    const marker = row === "" ? " " : row[0];
    const text = row === "" ? "" : row.slice(1);
    let line: DiffLine;
    if (marker === " ") {
      if (oldLeft === 0 || newLeft === 0) throw new PatchParseError(`context line beyond hunk ${current.header}`, rowNo);
      line = { kind: "context", oldLine: oldNo++, newLine: newNo++, text, noNewlineAtEof: false, position: ++position };
      oldLeft--;
      newLeft--;
    } else if (marker === "-") {
      if (oldLeft === 0) throw new PatchParseError(`deleted line beyond hunk ${current.header}`, rowNo);
      line = { kind: "del", oldLine: oldNo++, newLine: null, text, noNewlineAtEof: false, position: ++position };
      oldLeft--;
    } else if (marker === "+") {
      if (newLeft === 0) throw new PatchParseError(`added line beyond hunk ${current.header}`, rowNo);
      line = { kind: "add", oldLine: null, newLine: newNo++, text, noNewlineAtEof: false, position: ++position };
      newLeft--;
    } else {
      throw new PatchParseError(`unexpected line ${JSON.stringify(row.slice(0, 40))}`, rowNo);
    }
    current.lines.push(line);
    last = line;
  }
  finish(rows.length);
  return hunks;
}

/** New-side line numbers GitHub accepts for `side: RIGHT` comments: added and context lines. */
export function rightLines(patch: string): Set<number> {
  const out = new Set<number>();
  for (const h of parsePatch(patch)) for (const l of h.lines) if (l.newLine !== null) out.add(l.newLine);
  return out;
}

/** Old-side line numbers GitHub accepts for `side: LEFT` comments: deleted and context lines. */
export function leftLines(patch: string): Set<number> {
  const out = new Set<number>();
  for (const h of parsePatch(patch)) for (const l of h.lines) if (l.oldLine !== null) out.add(l.oldLine);
  return out;
}

/** Why a file of the pull request has no commentable lines. */
export type NotCommentableReason =
  /** The file was deleted: there is no head file to comment on. */
  | "removed"
  /** GitHub omitted the patch although the file changed: the diff is too large to show. */
  | "too-large"
  /** No patch and no changed lines: binary file, empty file, or a rename/copy without edits. */
  | "no-patch"
  /** A patch we could not parse (never expected from GitHub; reported rather than thrown). */
  | "unparseable"
  /** A patch whose hunks show no head-side line at all (e.g. only deletions). */
  | "no-right-lines";

export interface FileDiff {
  /** Head path (`filename`); comments use this one. */
  path: string;
  /** Base path for renames and copies. */
  previousPath?: string;
  status: string;
  hunks: Hunk[];
  /** Every RIGHT-side line (added + context) of every hunk. */
  rightLines: ReadonlySet<number>;
  /** False when no line of this file can carry a review comment; `reason` says why. */
  commentable: boolean;
  reason?: NotCommentableReason;
  /** Human-readable explanation for the check-run summary when not commentable. */
  detail?: string;
}

const REASON_TEXT: Record<NotCommentableReason, string> = {
  removed: "the file is deleted in this pull request",
  "too-large": "GitHub did not include this file's diff because it is too large, so no line can be commented on",
  "no-patch": "GitHub shows no text diff for this file (binary, empty, or renamed without changes)",
  unparseable: "the diff GitHub returned for this file could not be parsed",
  "no-right-lines": "the diff shows no line of the new version of this file",
};

export function describeNotCommentable(reason: NotCommentableReason): string {
  return REASON_TEXT[reason];
}

/** Build the diff model of one `GET /pulls/{n}/files` entry. Never throws. */
export function fileDiff(entry: PullRequestFileEntry): FileDiff {
  const base = {
    path: entry.filename,
    ...(entry.previous_filename ? { previousPath: entry.previous_filename } : {}),
    status: entry.status,
  };
  const notCommentable = (reason: NotCommentableReason, hunks: Hunk[] = [], detail?: string): FileDiff => ({
    ...base,
    hunks,
    rightLines: new Set<number>(),
    commentable: false,
    reason,
    detail: detail ?? REASON_TEXT[reason],
  });

  const patch = entry.patch ?? "";
  if (patch === "") {
    if (entry.status === "removed") return notCommentable("removed");
    const changes = entry.changes ?? (entry.additions ?? 0) + (entry.deletions ?? 0);
    return notCommentable(changes > 0 ? "too-large" : "no-patch");
  }
  let hunks: Hunk[];
  try {
    hunks = parsePatch(patch);
  } catch (e) {
    return notCommentable("unparseable", [], `${REASON_TEXT.unparseable}: ${(e as Error).message}`);
  }
  if (entry.status === "removed") return notCommentable("removed", hunks);
  const right = new Set<number>();
  for (const h of hunks) for (const l of h.lines) if (l.newLine !== null) right.add(l.newLine);
  if (right.size === 0) return notCommentable("no-right-lines", hunks);
  return { ...base, hunks, rightLines: right, commentable: true };
}

/** Build a FileDiff straight from patch text (tests, the action's local diffs). */
export function fileDiffFromPatch(path: string, patch: string | null | undefined, status: DiffStatus = "modified"): FileDiff {
  return fileDiff({ filename: path, status, patch, changes: patch ? 1 : 0 });
}

/** The first and last RIGHT-side line of a hunk, or undefined when it shows none. */
export function hunkRightRange(h: Hunk): { start: number; end: number } | undefined {
  if (h.newLines === 0) return undefined;
  return { start: h.newStart, end: h.newStart + h.newLines - 1 };
}

/** The hunk that shows head line `line` on the RIGHT side. */
export function hunkForRightLine(diff: Pick<FileDiff, "hunks">, line: number): Hunk | undefined {
  // The new-side lines of a hunk are consecutive: newStart .. newStart + newLines - 1.
  return diff.hunks.find((h) => {
    const r = hunkRightRange(h);
    return r !== undefined && line >= r.start && line <= r.end;
  });
}

/**
 * True when head lines start..end (inclusive) are all RIGHT-side lines of ONE hunk, i.e. a
 * (multi-line) comment with start_line=start, line=end is accepted by GitHub.
 */
export function isRightRangeInOneHunk(diff: Pick<FileDiff, "hunks">, start: number, end: number): boolean {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 1 || end < start) return false;
  const h = hunkForRightLine(diff, start);
  if (!h) return false;
  return end <= h.newStart + h.newLines - 1;
}

/** True when head line `line` can carry a `side: RIGHT` comment. */
export function isRightLine(diff: Pick<FileDiff, "hunks">, line: number): boolean {
  return hunkForRightLine(diff, line) !== undefined;
}

/**
 * GitHub's `diff_hunk` for a comment on `line` of `side`: the hunk header and every diff line
 * up to and including the commented one. Undefined when the line is not in the diff.
 */
export function diffHunkUpTo(diff: Pick<FileDiff, "hunks">, line: number, side: "LEFT" | "RIGHT" = "RIGHT"): string | undefined {
  for (const h of diff.hunks) {
    const idx = h.lines.findIndex((l) => (side === "RIGHT" ? l.newLine === line : l.oldLine === line && l.kind !== "add"));
    if (idx === -1) continue;
    const out = [h.header];
    for (const l of h.lines.slice(0, idx + 1)) {
      out.push((l.kind === "add" ? "+" : l.kind === "del" ? "-" : " ") + l.text);
      if (l.noNewlineAtEof) out.push(NO_NEWLINE);
    }
    return out.join("\n");
  }
  return undefined;
}

/** Render hunks back to GitHub's patch text (no trailing newline, like the API). */
export function formatPatch(hunks: readonly Hunk[]): string {
  const out: string[] = [];
  for (const h of hunks) {
    out.push(h.header);
    for (const l of h.lines) {
      out.push((l.kind === "add" ? "+" : l.kind === "del" ? "-" : " ") + l.text);
      if (l.noNewlineAtEof) out.push(NO_NEWLINE);
    }
  }
  return out.join("\n");
}
