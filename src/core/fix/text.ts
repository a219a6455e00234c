// Line-level view of the original text. The planner reasons about YAML in terms of lines and
// columns (indentation, "the line a comment sits on"), while the parser gives offsets.

const BOM = "\uFEFF";

export class SourceText {
  readonly eol: "\n" | "\r\n";
  readonly hasBom: boolean;

  constructor(readonly text: string) {
    this.eol = detectEol(text);
    this.hasBom = text.startsWith(BOM);
  }

  get length(): number {
    return this.text.length;
  }

  /** Offset of the first character of the line containing `offset`; a BOM is not part of line 1. */
  lineStart(offset: number): number {
    const start = this.text.lastIndexOf("\n", offset - 1) + 1;
    return start === 0 && this.hasBom && offset > 0 ? 1 : start;
  }

  /** Offset just after the line terminator of the line containing `offset` (or the text end). */
  lineEnd(offset: number): number {
    const newline = this.text.indexOf("\n", offset);
    return newline === -1 ? this.text.length : newline + 1;
  }

  /** End of the line holding the last character before `offset`; for "after this content". */
  endOfLineBefore(offset: number): number {
    return this.lineEnd(Math.max(offset - 1, 0));
  }

  /** True when the text up to `offset` ends with a line break. */
  isAtLineStart(offset: number): boolean {
    return offset === 0 || this.text[offset - 1] === "\n";
  }

  /** Visual column (0-based) of `offset`. */
  column(offset: number): number {
    return offset - this.lineStart(offset);
  }

  /** Content of the line containing `offset`, without its terminator. */
  lineText(offset: number): string {
    const start = this.lineStart(offset);
    const end = this.lineEnd(offset);
    return this.text.slice(start, end).replace(/\r?\n$/, "");
  }

  /** True when only spaces and tabs lie between the line start and `offset`. */
  isFirstOnLine(offset: number): boolean {
    const start = this.lineStart(offset);
    return /^[\uFEFF]?[ \t]*$/.test(this.text.slice(start, offset));
  }

  /** Offset of the first non-blank character of a line (the line start when the line is blank). */
  firstNonBlank(lineStartOffset: number): number {
    let i = lineStartOffset;
    while (i < this.text.length && (this.text[i] === " " || this.text[i] === "\t" || this.text[i] === BOM)) i++;
    return i;
  }

  /** The line is only a comment (after indentation). */
  isCommentLine(lineStartOffset: number): boolean {
    const first = this.firstNonBlank(lineStartOffset);
    return this.text[first] === "#";
  }

  isBlankLine(lineStartOffset: number): boolean {
    const first = this.firstNonBlank(lineStartOffset);
    return first >= this.text.length || this.text[first] === "\n" || this.text[first] === "\r";
  }

  /** Moves `offset` back over whitespace and line breaks, never before `floor`. */
  trimBack(offset: number, floor: number): number {
    let i = offset;
    while (i > floor && /\s/.test(this.text[i - 1] ?? "")) i--;
    return i;
  }

  /** Moves `offset` forward over spaces and tabs only. */
  skipSpaces(offset: number): number {
    let i = offset;
    while (this.text[i] === " " || this.text[i] === "\t") i++;
    return i;
  }
}

/** The file's line terminator, from its first line break; LF when the file has none. */
export function detectEol(text: string): "\n" | "\r\n" {
  const newline = text.indexOf("\n");
  return newline > 0 && text[newline - 1] === "\r" ? "\r\n" : "\n";
}

export function spaces(count: number): string {
  return " ".repeat(Math.max(count, 0));
}
