// What the action reports on the workflow run: outputs, workflow-command annotations, the job
// summary and the SARIF file. Pure builders; main.ts does the I/O through @actions/core.
import { SEVERITIES, severityRank } from "../core/types.js";
import type { Finding, Severity } from "../core/types.js";
import { TOOL } from "../cli/version.js";
import { getCatalog } from "../core/engine/catalog.js";
import { formatMarkdown, escapeMarkdown } from "../report/markdown.js";
import { buildSarif } from "../report/sarif.js";
import type { SarifLog } from "../report/sarif.js";
import { countBySeverity, plural, sanitizeInline, truncateText } from "../report/common.js";
import type { ScanResult } from "../report/model.js";
import { bySeverityThenPosition } from "../github/analysis.js";
import type { Conclusion } from "../github/checkrun.js";

export const SEVERITY_ICON: Record<Severity, string> = { critical: "🔴", high: "🟠", medium: "🟡", low: "🔵", info: "⚪" };

// ---------------------------------------------------------------- outputs

export type Outputs = Record<Severity | "findings" | "conclusion" | "sarif-file", string>;

/** Counts are of unsuppressed findings in the scanned files (new and already on the base). */
export function buildOutputs(active: readonly Finding[], conclusion: Conclusion | "skipped", sarifFile?: string): Outputs {
  const counts = countBySeverity(active);
  return {
    critical: String(counts.critical),
    high: String(counts.high),
    medium: String(counts.medium),
    low: String(counts.low),
    info: String(counts.info),
    findings: String(active.length),
    conclusion,
    "sarif-file": sarifFile ?? "",
  };
}

// ---------------------------------------------------------------- annotations

export type AnnotationKind = "error" | "warning" | "notice";

export interface WorkflowAnnotation {
  kind: AnnotationKind;
  message: string;
  title: string;
  file: string;
  startLine: number;
  endLine: number;
  startColumn?: number;
  endColumn?: number;
}

/** GitHub shows 10 error and 10 warning annotations per step; notices get the same budget. */
export const ANNOTATIONS_PER_KIND = 10;

export interface AnnotationPlan {
  annotations: WorkflowAnnotation[];
  /** Findings that did not get an annotation (they are in the job summary). */
  omitted: number;
}

/**
 * Workflow-command annotations (`::error file=…,line=…::`), most relevant first: findings that fail
 * the gate are errors, other findings of medium and above warnings, the rest notices.
 */
export function planAnnotations(introduced: readonly Finding[], preExisting: readonly Finding[], gating: ReadonlySet<Finding>, perKind = ANNOTATIONS_PER_KIND): AnnotationPlan {
  const isNew = new Set(introduced);
  const ordered = [...introduced, ...preExisting].sort(
    (a, b) => Number(gating.has(b)) - Number(gating.has(a)) || Number(isNew.has(b)) - Number(isNew.has(a)) || bySeverityThenPosition(a, b),
  );
  const used: Record<AnnotationKind, number> = { error: 0, warning: 0, notice: 0 };
  const annotations: WorkflowAnnotation[] = [];
  for (const f of ordered) {
    const kind: AnnotationKind = gating.has(f) ? "error" : severityRank(f.severity) >= severityRank("medium") ? "warning" : "notice";
    if (used[kind] >= perKind) continue;
    used[kind]++;
    const startLine = Math.max(1, f.range.startLine);
    const endLine = Math.max(startLine, f.range.endLine);
    const a: WorkflowAnnotation = {
      kind,
      file: f.path,
      startLine,
      endLine,
      title: truncateText(sanitizeInline(`${f.ruleId}: ${f.title}`), 255),
      message: truncateText(`${f.severity}: ${f.message}${isNew.has(f) ? "" : " (already on the base branch)"}`, 4000),
    };
    if (startLine === endLine && f.range.startColumn >= 1 && f.range.endColumn > f.range.startColumn) {
      a.startColumn = f.range.startColumn;
      a.endColumn = f.range.endColumn;
    }
    annotations.push(a);
  }
  return { annotations, omitted: ordered.length - annotations.length };
}

// ---------------------------------------------------------------- job summary

export interface JobSummaryInput {
  /** "Pull request #12", "Merge group", "Push to main", "Scheduled scan" … */
  subject: string;
  /** Extra facts for the second line: commits, mode, config. */
  facts: string[];
  conclusion: Conclusion | "skipped";
  failOn: Severity;
  /** Whether a base exists (tables split new / already on base). */
  hasBase: boolean;
  introduced: readonly Finding[];
  preExisting: readonly Finding[];
  suppressed: readonly Finding[];
  gating: readonly Finding[];
  filesScanned: number;
  notes: readonly string[];
  link: (f: Finding) => string;
  /** The engine's report of the scanned files (markdown format), folded away. */
  report?: ScanResult;
  /** Title line when nothing was scanned or the config is broken. */
  headline?: string;
}

const TOP_FINDINGS = 15;
const MAX_NOTES = 50;
/** GitHub: 1 MiB per step summary; stay far below. */
export const SUMMARY_BUDGET = 200_000;

function statusLine(s: JobSummaryInput): string {
  if (s.headline) return s.headline;
  const total = s.introduced.length + s.preExisting.length;
  if (s.conclusion === "failure") return `❌ **${plural(s.gating.length, s.hasBase ? "new finding" : "finding")} at or above \`${s.failOn}\`**`;
  if (total === 0) return "✅ **No findings**";
  if (s.hasBase && s.introduced.length === 0) return `✅ **No new findings** (${plural(s.preExisting.length, "finding")} already on the base branch)`;
  return `⚠️ **${plural(s.hasBase ? s.introduced.length : total, s.hasBase ? "new finding" : "finding")} below \`${s.failOn}\`**: not blocking`;
}

export function renderJobSummary(s: JobSummaryInput): string {
  const out: string[] = [`## 🛡️ Bulwark · ${escapeMarkdown(s.subject)}`, "", statusLine(s), ""];
  if (s.facts.length > 0) out.push(s.facts.join(" · "), "");
  const all = [...s.introduced, ...s.preExisting];
  if (all.length > 0 || s.suppressed.length > 0) {
    const by = (list: readonly Finding[]) => countBySeverity(list);
    const n = by(s.introduced);
    const o = by(s.preExisting);
    const sup = by(s.suppressed);
    if (s.hasBase) {
      out.push("| Severity | New | Already on base | Suppressed |", "|---|---:|---:|---:|");
      for (const sev of SEVERITIES) out.push(`| ${SEVERITY_ICON[sev]} ${sev} | ${n[sev]} | ${o[sev]} | ${sup[sev]} |`);
    } else {
      out.push("| Severity | Findings | Suppressed |", "|---|---:|---:|");
      for (const sev of SEVERITIES) out.push(`| ${SEVERITY_ICON[sev]} ${sev} | ${n[sev] + o[sev]} | ${sup[sev]} |`);
    }
    out.push("");
  }
  if (all.length > 0) {
    const gating = new Set(s.gating);
    const isNew = new Set(s.introduced);
    const top = [...all]
      .sort((a, b) => Number(gating.has(b)) - Number(gating.has(a)) || Number(isNew.has(b)) - Number(isNew.has(a)) || bySeverityThenPosition(a, b))
      .slice(0, TOP_FINDINGS);
    out.push(`### Top findings${all.length > top.length ? ` (${top.length} of ${all.length})` : ""}`, "");
    out.push(s.hasBase ? "| Severity | Rule | Location | Message | |" : "| Severity | Rule | Location | Message |", s.hasBase ? "|---|---|---|---|---|" : "|---|---|---|---|");
    for (const f of top) {
      const loc = `[${escapeMarkdown(f.path)}#L${f.range.startLine}](${s.link(f)})`;
      const row = `| ${SEVERITY_ICON[f.severity]} ${f.severity} | \`${sanitizeInline(f.ruleId).replace(/[`|]/g, "")}\` | ${loc} | ${escapeMarkdown(truncateText(f.message, 300))} |`;
      out.push(s.hasBase ? `${row} ${isNew.has(f) ? "new" : "on base"} |` : row);
    }
    out.push("");
  }
  if (s.notes.length > 0) {
    out.push("**Notes**", "");
    for (const note of s.notes.slice(0, MAX_NOTES)) out.push(`- ${note}`);
    if (s.notes.length > MAX_NOTES) out.push(`- …and ${plural(s.notes.length - MAX_NOTES, "more note")}.`);
    out.push("");
  }
  let text = out.join("\n");
  if (s.report && (s.report.findings.length > 0 || s.report.summary.files > 0)) {
    const ctx = { tool: TOOL, rules: getCatalog().metas, failOn: s.failOn, color: false };
    const md = formatMarkdown(s.report, ctx, Math.min(65_000, SUMMARY_BUDGET - text.length - 200));
    text += `\n<details><summary>Full report of the ${plural(s.filesScanned, "scanned file")}</summary>\n\n${md}\n</details>\n`;
  }
  return text;
}

// ---------------------------------------------------------------- SARIF

/** SARIF for code scanning, with `primaryLocationLineHash` computed from the scanned texts. */
export function buildActionSarif(result: ScanResult, texts: ReadonlyMap<string, string>): { log: SarifLog; text: string } {
  const ctx = { tool: TOOL, rules: getCatalog().metas, failOn: "high" as Severity, color: false };
  const { log } = buildSarif(result, ctx);
  addLineHashes(log, texts);
  return { log, text: `${JSON.stringify(log, null, 2)}\n` };
}

/**
 * Code scanning deduplicates alerts by `partialFingerprints.primaryLocationLineHash`.
 * `upload-sarif` computes it only for files it finds in a checkout, and this action needs none,
 * so it is computed here from the texts that were scanned, by the algorithm `upload-sarif` uses
 * (a rolling hash over the next 100 non-blank characters of each line; CR, LF and CRLF count as
 * one LF; `<hash>:<n>` with n counting repeats). Values match what upload-sarif computes from a
 * checkout of the same commit, so it never overrides them with different ones.
 */
export function addLineHashes(log: SarifLog, texts: ReadonlyMap<string, string>): void {
  const byFile = new Map<string, Map<number, string>>();
  for (const run of log.runs) {
    for (const r of run.results) {
      const loc = r.locations[0]?.physicalLocation;
      const line = loc?.region.startLine;
      if (!loc || line === undefined || r.partialFingerprints.primaryLocationLineHash) continue;
      let path: string;
      try {
        path = decodeURIComponent(loc.artifactLocation.uri);
      } catch {
        continue;
      }
      const text = texts.get(path);
      if (text === undefined) continue;
      let hashes = byFile.get(path);
      if (!hashes) {
        hashes = lineHashes(text);
        byFile.set(path, hashes);
      }
      const h = hashes.get(line);
      if (h) r.partialFingerprints.primaryLocationLineHash = h;
    }
  }
}

const WINDOW = 100;
const MASK = (1n << 64n) - 1n;
const MULT = 37n;
const MULT_POW_WINDOW = (() => {
  let p = 1n;
  for (let i = 0; i < WINDOW; i++) p = (p * MULT) & MASK;
  return p;
})();

/** 1-based line → `<hex>:<occurrence>` for every line of `text`. */
export function lineHashes(text: string): Map<number, string> {
  const out = new Map<number, string>();
  const chars = new Array<number>(WINDOW).fill(0);
  const startsLine = new Array<number>(WINDOW).fill(-1);
  const seen = new Map<string, number>();
  let hash = 0n;
  let slot = 0;
  let line = 0;
  let atLineStart = true;
  let afterCR = false;

  const emit = (): void => {
    const hex = hash.toString(16);
    const n = (seen.get(hex) ?? 0) + 1;
    seen.set(hex, n);
    out.set(startsLine[slot]!, `${hex}:${n}`);
    startsLine[slot] = -1;
  };
  const push = (c: number): void => {
    const leaving = chars[slot]!;
    chars[slot] = c;
    hash = (MULT * hash + BigInt(c) - MULT_POW_WINDOW * BigInt(leaving)) & MASK;
    slot = (slot + 1) % WINDOW;
  };
  const feed = (code: number): void => {
    // Blanks never count; a LF right after a CR is the same line break.
    if (code === 0x20 || code === 0x09 || (afterCR && code === 0x0a)) {
      afterCR = false;
      return;
    }
    let c = code;
    afterCR = c === 0x0d;
    if (afterCR) c = 0x0a;
    if (startsLine[slot] !== -1) emit();
    if (atLineStart) {
      atLineStart = false;
      line++;
      startsLine[slot] = line;
    }
    if (c === 0x0a) atLineStart = true;
    push(c);
  };
  for (let i = 0; i < text.length; i++) feed(text.charCodeAt(i));
  feed(0xffff); // end-of-input marker
  for (let i = 0; i < WINDOW; i++) {
    if (startsLine[slot] !== -1) emit();
    push(0);
  }
  return out;
}
