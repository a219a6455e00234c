// Output formatters: pure functions from a scan result to text.
import { formatJson } from "./json.js";
import { formatMarkdown } from "./markdown.js";
import type { ReportContext, ScanResult } from "./model.js";
import { formatSarif } from "./sarif.js";
import { formatText } from "./text.js";

export const REPORT_FORMATS = ["text", "json", "sarif", "markdown"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(v: unknown): v is ReportFormat {
  return typeof v === "string" && (REPORT_FORMATS as readonly string[]).includes(v);
}

/** The report in `format`, newline-terminated. */
export function formatReport(format: ReportFormat, result: ScanResult, ctx: ReportContext): string {
  switch (format) {
    case "text":
      return formatText(result, ctx);
    case "json":
      return formatJson(result, ctx);
    case "sarif":
      return formatSarif(result, ctx);
    case "markdown":
      return formatMarkdown(result, ctx);
  }
}

export type { ReportContext, ScanResult, ScanSummary, ToolInfo } from "./model.js";
export { formatJson, toJsonReport } from "./json.js";
export type { JsonReport } from "./json.js";
export { formatText, shouldUseColor } from "./text.js";
export { formatSarif, toSarif, GITHUB_SARIF_LIMITS, SECURITY_SEVERITY, SEVERITY_LEVEL } from "./sarif.js";
export type { SarifLimits, SarifLog } from "./sarif.js";
export { formatMarkdown, escapeMarkdown, MARKDOWN_MAX_CHARS } from "./markdown.js";
export { compareFindings, sortFindings, gatingFindings } from "./common.js";
