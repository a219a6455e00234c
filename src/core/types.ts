// The contracts every layer relies on (see DESIGN.md "Contracts other parts rely on").
// Kept dependency-free so that reports, the GitHub layer and the action can import
// them without pulling in parsers.

export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is more severe; used for thresholds and sorting. */
export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s);
}

export function isSeverity(v: unknown): v is Severity {
  return typeof v === "string" && (SEVERITIES as readonly string[]).includes(v);
}

/** 1-based, end inclusive of the last character's column + 1 (LSP-like, but 1-based). */
export interface Range {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

/** A replacement of original[start, end) by newText; offsets are UTF-16 indices into the ORIGINAL text. */
export interface TextEdit {
  path: string;
  start: number;
  end: number;
  newText: string;
}

export type FixClass = "AUTO" | "AUTO*" | "SUGGEST" | "NONE";

export interface Fix {
  description: string;
  edits: TextEdit[];
  /** AUTO* fixes change runtime behaviour; reviewers see this warning next to the patch. */
  warning?: string;
}

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  container?: string;
}

export interface Suppression {
  reason: string;
  /** Where the suppression came from, e.g. "comment:deploy.yaml:12" or "annotation". */
  source: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  title: string;
  message: string;
  path: string;
  range: Range;
  resource?: ResourceRef;
  fingerprint: string;
  fix?: Fix;
  suppressed?: Suppression;
}

/** A file handed to the engine. The engine never touches the filesystem. */
export interface SourceFile {
  path: string;
  text: string;
}
