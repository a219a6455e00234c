// `--format sarif`: SARIF 2.1.0 for GitHub code scanning (github/codeql-action/upload-sarif).
//
// - One run; tool.driver.rules holds every rule that a written result references (ruleIndex points
//   into it). Rules missing from the catalog (e.g. a parse-error pseudo-rule) get a descriptor built
//   from the finding.
// - Regions are the finding's range as is (1-based lines and columns, end column exclusive, columns
//   in UTF-16 code units: run.columnKind says so). Fix offsets are UTF-16 offsets into the original
//   text, written as deletedRegion.charOffset/charLength.
// - partialFingerprints carries Bulwark's own fingerprint; upload-sarif adds primaryLocationLineHash.
// - Suppressed findings are results with `suppressions` (GitHub dismisses those alerts).
// - GitHub limits (25,000 results per run, 10 MB gzipped): beyond them the least severe results
//   are dropped and a tool-execution notification says how many.
import { gzipSync } from "node:zlib";
import type { RuleMeta } from "../core/engine/rule.js";
import { severityRank } from "../core/types.js";
import type { Finding, Severity, TextEdit } from "../core/types.js";
import { compareFindings, isAbsolutePath, resourceLabel, toPosixPath, truncateText } from "./common.js";
import type { ReportContext, ScanResult } from "./model.js";

export const SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
export const SRCROOT = "%SRCROOT%";
export const FINGERPRINT_KEY = "bulwarkFingerprint/v1";

export type SarifLevel = "error" | "warning" | "note" | "none";

export const SEVERITY_LEVEL: Readonly<Record<Severity, SarifLevel>> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
  info: "note",
};

/** GitHub's security-severity score (a numeric string): > 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low. */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
  info: "1.0",
};

export interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

export interface SarifRegion {
  startLine?: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
  charOffset?: number;
  charLength?: number;
}

export interface SarifReplacement {
  deletedRegion: SarifRegion;
  insertedContent?: { text: string };
}

export interface SarifArtifactChange {
  artifactLocation: SarifArtifactLocation;
  replacements: SarifReplacement[];
}

export interface SarifFix {
  description?: SarifMessage;
  artifactChanges: SarifArtifactChange[];
}

export interface SarifSuppression {
  kind: "inSource" | "external";
  justification?: string;
  properties?: { source: string };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: { physicalLocation: { artifactLocation: SarifArtifactLocation; region: SarifRegion } }[];
  partialFingerprints: Record<string, string>;
  suppressions?: SarifSuppression[];
  fixes?: SarifFix[];
  properties: { severity: Severity; resource?: string; namespace?: string };
}

export interface SarifReportingDescriptor {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: { text: string; markdown: string };
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; category: string; precision: "very-high"; "security-severity": string };
}

export interface SarifNotification {
  level: SarifLevel;
  message: SarifMessage;
  descriptor: { id: string };
}

export interface SarifRun {
  tool: {
    driver: {
      name: string;
      version: string;
      semanticVersion?: string;
      informationUri?: string;
      rules: SarifReportingDescriptor[];
    };
  };
  invocations: { executionSuccessful: boolean; toolExecutionNotifications?: SarifNotification[] }[];
  columnKind: "utf16CodeUnits";
  results: SarifResult[];
}

export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: SarifRun[];
}

export interface SarifLimits {
  /** Results per run (GitHub: 25,000). */
  maxResults: number;
  /** Gzipped size of the serialised log in bytes (GitHub: 10 MB). */
  maxGzipBytes: number;
}

export const GITHUB_SARIF_LIMITS: Readonly<SarifLimits> = { maxResults: 25_000, maxGzipBytes: 10_000_000 };

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const DESCRIPTION_MAX = 1024; // GitHub: shortDescription / fullDescription text

// ---------------------------------------------------------------------------------------------
// Paths

function encodePath(posix: string): string {
  return posix
    .split("/")
    .map((seg) => encodeURIComponent(seg))
    .join("/");
}

/** artifactLocation: repo-relative POSIX under %SRCROOT%, or a file: URI for paths outside cwd. */
export function artifactLocation(path: string, cwd?: string): SarifArtifactLocation {
  const posix = toPosixPath(path, cwd);
  if (isAbsolutePath(posix)) {
    const abs = posix.startsWith("/") ? posix : `/${posix}`;
    // Keep the drive letter's colon readable ("file:///C:/…").
    return { uri: `file://${encodePath(abs).replace(/^\/([A-Za-z])%3A\//, "/$1:/")}` };
  }
  return { uri: encodePath(posix), uriBaseId: SRCROOT };
}

// ---------------------------------------------------------------------------------------------
// Rules

function pascalName(title: string, fallback: string): string {
  const words = title.match(/[A-Za-z0-9]+/g) ?? [];
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
  return name === "" ? fallback : name;
}

function referenceLines(meta: RuleMeta): string[] {
  const r = meta.references ?? {};
  const out: string[] = [];
  if (r.pss) out.push(`Pod Security Standards (${r.pss.level}): ${r.pss.control}`);
  if (r.cis?.length) out.push(`CIS Kubernetes Benchmark: ${r.cis.join(", ")}`);
  if (r.nsa) out.push("NSA/CISA Kubernetes Hardening Guidance");
  const peers: [string, string[] | undefined][] = [
    ["Kubescape", r.kubescape],
    ["Checkov", r.checkov],
    ["Trivy", r.trivy],
    ["KubeLinter", r.kubelinter],
    ["Polaris", r.polaris],
    ["Hadolint", r.hadolint],
    ["kube-score", r.kubescore],
  ];
  const peerText = peers.filter(([, ids]) => ids && ids.length > 0).map(([tool, ids]) => `${tool} ${ids!.join(", ")}`);
  if (peerText.length) out.push(`Equivalent checks: ${peerText.join("; ")}`);
  return out;
}

function httpsLinks(meta: RuleMeta): string[] {
  return (meta.references?.links ?? []).filter((l) => /^https?:\/\/\S+$/.test(l));
}

function ruleDescriptor(id: string, meta: RuleMeta | undefined, sample: Finding, effective: Severity): SarifReportingDescriptor {
  const title = meta?.title ?? sample.title;
  const description = (meta?.description ?? "").trim() || title;
  const remediation = (meta?.remediation ?? "").trim();
  const category = meta?.category ?? "bulwark";
  const refs = meta ? referenceLines(meta) : [];
  const links = meta ? httpsLinks(meta) : [];

  const text = [description, remediation && `Remediation: ${remediation}`, ...refs, ...links].filter(Boolean).join("\n\n");
  const md = [`**${title}**`, description];
  if (remediation) md.push(`### Remediation\n\n${remediation}`);
  if (meta?.fixWarning) md.push(`> **Note:** ${meta.fixWarning}`);
  const refItems = [...refs, ...links.map((l) => `<${l}>`)];
  if (refItems.length) md.push(`### References\n\n${refItems.map((r) => `- ${r}`).join("\n")}`);

  const tags = ["security", category, ...(meta?.profiles ?? [])].filter((t, i, all) => all.indexOf(t) === i).slice(0, 10);
  const descriptor: SarifReportingDescriptor = {
    id,
    name: pascalName(title, id),
    shortDescription: { text: truncateText(title, DESCRIPTION_MAX) },
    fullDescription: { text: truncateText(description, DESCRIPTION_MAX) },
    help: { text, markdown: md.join("\n\n") },
    ...(links[0] ? { helpUri: links[0] } : {}),
    defaultConfiguration: { level: SEVERITY_LEVEL[meta?.severity ?? effective] },
    properties: { tags, category, precision: "very-high", "security-severity": SECURITY_SEVERITY[effective] },
  };
  return descriptor;
}

// ---------------------------------------------------------------------------------------------
// Results

function region(f: Finding): SarifRegion {
  const startLine = Math.max(1, Math.trunc(f.range.startLine) || 1);
  const startColumn = Math.max(1, Math.trunc(f.range.startColumn) || 1);
  let endLine = Math.max(startLine, Math.trunc(f.range.endLine) || startLine);
  let endColumn = Math.max(1, Math.trunc(f.range.endColumn) || 1);
  if (endLine === startLine && endColumn < startColumn) {
    endLine = startLine;
    endColumn = startColumn;
  }
  return { startLine, startColumn, endLine, endColumn };
}

function fixes(f: Finding, cwd: string | undefined): SarifFix[] | undefined {
  if (!f.fix || f.fix.edits.length === 0) return undefined;
  const byPath = new Map<string, TextEdit[]>();
  for (const e of f.fix.edits) {
    const list = byPath.get(e.path);
    if (list) list.push(e);
    else byPath.set(e.path, [e]);
  }
  const artifactChanges: SarifArtifactChange[] = [];
  for (const [path, edits] of byPath) {
    artifactChanges.push({
      artifactLocation: artifactLocation(path, cwd),
      replacements: [...edits]
        .sort((a, b) => a.start - b.start || a.end - b.end)
        .map((e) => ({
          deletedRegion: { charOffset: e.start, charLength: Math.max(0, e.end - e.start) },
          insertedContent: { text: e.newText },
        })),
    });
  }
  const description = f.fix.warning ? `${f.fix.description} (${f.fix.warning})` : f.fix.description;
  return [{ description: { text: description }, artifactChanges }];
}

function suppression(f: Finding): SarifSuppression[] | undefined {
  if (!f.suppressed) return undefined;
  const { reason, source } = f.suppressed;
  const s: SarifSuppression = { kind: /^(config|cli|baseline)/i.test(source) ? "external" : "inSource" };
  if (reason.trim() !== "") s.justification = reason;
  if (source) s.properties = { source };
  return [s];
}

function sarifResult(f: Finding, ruleIndex: number, cwd: string | undefined): SarifResult {
  const r: SarifResult = {
    ruleId: f.ruleId,
    ruleIndex,
    level: SEVERITY_LEVEL[f.severity],
    message: { text: f.message.trim() === "" ? f.title : f.message },
    locations: [{ physicalLocation: { artifactLocation: artifactLocation(f.path, cwd), region: region(f) } }],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    properties: { severity: f.severity },
  };
  const res = resourceLabel(f.resource);
  if (res) r.properties.resource = res;
  if (f.resource?.namespace) r.properties.namespace = f.resource.namespace;
  const sup = suppression(f);
  if (sup) r.suppressions = sup;
  const fx = fixes(f, cwd);
  if (fx) r.fixes = fx;
  return r;
}

/** Keep order: not suppressed first, most severe first, then the usual order. */
function priority(a: Finding, b: Finding): number {
  return (
    Number(Boolean(a.suppressed)) - Number(Boolean(b.suppressed)) ||
    severityRank(b.severity) - severityRank(a.severity) ||
    compareFindings(a, b)
  );
}

function buildLog(kept: readonly Finding[], dropped: number, total: number, ctx: ReportContext, reason: string): SarifLog {
  const sorted = [...kept].sort(compareFindings);

  // Effective severity per rule (config may override the catalog): the most severe seen.
  const effective = new Map<string, Severity>();
  const sample = new Map<string, Finding>();
  for (const f of sorted) {
    const prev = effective.get(f.ruleId);
    if (!prev || severityRank(f.severity) > severityRank(prev)) effective.set(f.ruleId, f.severity);
    if (!sample.has(f.ruleId)) sample.set(f.ruleId, f);
  }
  const ruleIds = [...effective.keys()].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const rules = ruleIds.map((id) => ruleDescriptor(id, ctx.rules.get(id), sample.get(id)!, effective.get(id)!));

  const invocation: SarifRun["invocations"][number] = { executionSuccessful: true };
  if (dropped > 0) {
    invocation.toolExecutionNotifications = [
      {
        level: "warning",
        message: {
          text: `SARIF output truncated: ${dropped} of ${total} results omitted (${reason}); the least severe were dropped first. Run \`${ctx.tool.name} scan --format json\` for the full list.`,
        },
        descriptor: { id: "sarif-truncated" },
      },
    ];
  }

  const driver: SarifRun["tool"]["driver"] = {
    name: ctx.tool.name,
    version: ctx.tool.version,
    ...(SEMVER.test(ctx.tool.version) ? { semanticVersion: ctx.tool.version } : {}),
    ...(ctx.tool.informationUri ? { informationUri: ctx.tool.informationUri } : {}),
    rules,
  };

  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: { driver },
        invocations: [invocation],
        columnKind: "utf16CodeUnits",
        results: sorted.map((f) => sarifResult(f, ruleIndex.get(f.ruleId)!, ctx.cwd)),
      },
    ],
  };
}

function serialise(log: SarifLog): string {
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** The SARIF log, already within `limits`, plus its serialised text. */
export function buildSarif(result: ScanResult, ctx: ReportContext, limits: SarifLimits = GITHUB_SARIF_LIMITS): { log: SarifLog; text: string } {
  const all = [...result.findings].sort(priority);
  const total = all.length;
  let keep = Math.min(total, limits.maxResults);
  const reasons: string[] = keep < total ? [`GitHub accepts at most ${limits.maxResults} results per run`] : [];

  for (;;) {
    const log = buildLog(all.slice(0, keep), total - keep, total, ctx, reasons.join("; "));
    const text = serialise(log);
    // The raw size bounds the gzipped size, so only compress when the raw text is over the limit.
    if (keep === 0 || Buffer.byteLength(text, "utf8") <= limits.maxGzipBytes) return { log, text };
    const size = gzipSync(text).length;
    if (size <= limits.maxGzipBytes) return { log, text };
    // Shrink in proportion, with a margin, and always by at least one result.
    if (reasons.length === 0 || !reasons[reasons.length - 1]!.includes("gzip")) {
      reasons.push(`the upload must stay under ${limits.maxGzipBytes} bytes gzipped`);
    }
    keep = Math.max(0, Math.min(keep - 1, Math.floor((keep * limits.maxGzipBytes * 0.9) / size)));
  }
}

export function toSarif(result: ScanResult, ctx: ReportContext, limits?: SarifLimits): SarifLog {
  return buildSarif(result, ctx, limits).log;
}

/** Pretty-printed (2 spaces), newline-terminated SARIF 2.1.0. */
export function formatSarif(result: ScanResult, ctx: ReportContext, limits?: SarifLimits): string {
  return buildSarif(result, ctx, limits).text;
}
