// What the engine hands to the formatters, and what the formatters need to know about the run.
// The engine imports ScanSummary / ScanResult from here; keep their shape stable.
import type { RuleMeta } from "../core/engine/rule.js";
import type { Finding, Severity } from "../core/types.js";

export interface ScanSummary {
  /** Files scanned. */
  files: number;
  /** Resources (YAML documents / Dockerfile stages) modelled. */
  resources: number;
  /** Findings that are NOT suppressed. */
  findings: number;
  /** Findings that are suppressed (still listed in ScanResult.findings). */
  suppressed: number;
  /** Not-suppressed findings per severity. */
  bySeverity: Record<Severity, number>;
  /** Not-suppressed findings per rule id. */
  byRule: Record<string, number>;
  /** Files that could not be read or parsed. */
  errors: number;
}

export interface ScanResult {
  findings: Finding[] /* includes suppressed ones, marked with .suppressed */;
  summary: ScanSummary;
}

export interface ToolInfo {
  name: string;
  version: string;
  informationUri?: string;
}

export interface ReportContext {
  tool: ToolInfo;
  /** The rule catalog (id → metadata); findings of unknown rules still render. */
  rules: ReadonlyMap<string, RuleMeta>;
  /** The severity at or above which the scan fails (shown in text / markdown). */
  failOn: Severity;
  /** Absolute directory that paths are shown relative to (POSIX or Windows form). */
  cwd?: string;
  /** ANSI colour in the text format; the CLI decides (see shouldUseColor). */
  color: boolean;
}
