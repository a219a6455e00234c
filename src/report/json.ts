// `--format json`: { "tool": {name, version}, "findings": [Finding…], "summary": {…} } (DESIGN.md).
// Findings are sorted (path, line, column, ruleId) and every object is rebuilt with a fixed key
// order, so the output is byte-stable for the same scan whatever order the engine produced.
import { SEVERITIES } from "../core/types.js";
import type { Finding, Fix, Range, ResourceRef, Suppression, TextEdit } from "../core/types.js";
import { sortFindings } from "./common.js";
import type { ReportContext, ScanResult, ScanSummary } from "./model.js";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

export interface JsonReport {
  tool: { name: string; version: string };
  findings: Finding[];
  summary: ScanSummary;
}

/** Copy `known` keys first (in that order, skipping undefined), then any extra keys sorted. */
function ordered(src: object, known: readonly string[], convert: (key: string, v: unknown) => JsonValue | undefined): JsonObject {
  const rec = src as Record<string, unknown>;
  const out: JsonObject = {};
  const extras = Object.keys(rec)
    .filter((k) => !known.includes(k))
    .sort();
  for (const k of [...known, ...extras]) {
    if (rec[k] === undefined) continue;
    const v = convert(k, rec[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Plain data (extra fields a newer engine may add): objects with sorted keys. */
function plain(v: unknown): JsonValue | undefined {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) return v.map((x) => plain(x) ?? null);
  if (typeof v === "object") return ordered(v, [], (_k, x) => plain(x));
  return undefined;
}

function rangeJson(r: Range): JsonObject {
  return ordered(r, ["startLine", "startColumn", "endLine", "endColumn"], (_k, v) => plain(v));
}

function resourceJson(r: ResourceRef): JsonObject {
  return ordered(r, ["apiVersion", "kind", "name", "namespace", "container"], (_k, v) => plain(v));
}

function editJson(e: TextEdit): JsonObject {
  return ordered(e, ["path", "start", "end", "newText"], (_k, v) => plain(v));
}

function fixJson(f: Fix): JsonObject {
  return ordered(f, ["description", "warning", "edits"], (k, v) =>
    k === "edits" ? (v as TextEdit[]).map(editJson) : plain(v),
  );
}

function suppressionJson(s: Suppression): JsonObject {
  return ordered(s, ["reason", "source"], (_k, v) => plain(v));
}

const FINDING_KEYS = [
  "ruleId",
  "severity",
  "title",
  "message",
  "path",
  "range",
  "resource",
  "fingerprint",
  "fix",
  "suppressed",
] as const;

export function findingJson(f: Finding): JsonObject {
  return ordered(f, FINDING_KEYS, (k, v) => {
    switch (k) {
      case "range":
        return rangeJson(v as Range);
      case "resource":
        return resourceJson(v as ResourceRef);
      case "fix":
        return fixJson(v as Fix);
      case "suppressed":
        return suppressionJson(v as Suppression);
      default:
        return plain(v);
    }
  });
}

export function summaryJson(s: ScanSummary): JsonObject {
  const bySeverity: JsonObject = {};
  for (const sev of SEVERITIES) bySeverity[sev] = s.bySeverity?.[sev] ?? 0;
  const byRule: JsonObject = {};
  for (const id of Object.keys(s.byRule ?? {}).sort()) byRule[id] = s.byRule[id] ?? 0;
  return ordered(s, ["files", "resources", "findings", "suppressed", "bySeverity", "byRule", "errors"], (k, v) =>
    k === "bySeverity" ? bySeverity : k === "byRule" ? byRule : plain(v),
  );
}

/** The report object (sorted, key-ordered) before serialisation. */
export function toJsonReport(result: ScanResult, ctx: ReportContext): JsonObject {
  return {
    tool: { name: ctx.tool.name, version: ctx.tool.version },
    findings: sortFindings(result.findings).map(findingJson),
    summary: summaryJson(result.summary),
  };
}

/** Pretty-printed (2 spaces), newline-terminated. */
export function formatJson(result: ScanResult, ctx: ReportContext): string {
  return `${JSON.stringify(toJsonReport(result, ctx), null, 2)}\n`;
}
