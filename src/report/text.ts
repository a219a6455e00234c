// `--format text` (the default): findings grouped by file for a terminal.
//
//   deploy/web.yaml
//     12:7  high      K8S-RUNTIME-002  Container "app" runs as root  [Deployment/web/app]  fix available
//
// Everything taken from the scanned files is passed through sanitizeInline, so a manifest cannot
// smuggle terminal escape sequences or line breaks into the output.
import type { Finding, Severity } from "../core/types.js";
import {
  countBySeverity,
  gatingFindings,
  hasFix,
  plural,
  resourceLabel,
  sanitizeInline,
  severityBreakdown,
  sortFindings,
  toPosixPath,
} from "./common.js";
import type { ReportContext, ScanResult } from "./model.js";

/**
 * Whether the text report should be coloured.
 * - FORCE_COLOR wins when set: "0" / "false" disable, any other value ("", "1", "true", "2", "3") enables.
 * - Otherwise NO_COLOR with any non-empty value disables (https://no-color.org).
 * - Otherwise colour only on a TTY whose TERM is not "dumb".
 */
export function shouldUseColor(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === "0" || force.toLowerCase() === "false");
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return isTTY;
}

const SGR = {
  bold: "1",
  dim: "2",
  underline: "4",
  red: "31",
  green: "32",
  yellow: "33",
  magenta: "35",
  cyan: "36",
} as const;
type Style = keyof typeof SGR;

const SEVERITY_STYLE: Record<Severity, Style[]> = {
  critical: ["bold", "magenta"],
  high: ["red"],
  medium: ["yellow"],
  low: ["cyan"],
  info: ["dim"],
};

type Paint = (text: string, ...styles: Style[]) => string;

function painter(color: boolean): Paint {
  if (!color) return (text) => text;
  return (text, ...styles) => (styles.length === 0 ? text : `\u001b[${styles.map((s) => SGR[s]).join(";")}m${text}\u001b[0m`);
}

const SEVERITY_WIDTH = Math.max(...Object.keys(SEVERITY_STYLE).map((s) => s.length));

function groupByPath(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = groups.get(f.path);
    if (list) list.push(f);
    else groups.set(f.path, [f]);
  }
  return groups;
}

function loc(f: Finding): string {
  return `${f.range.startLine}:${f.range.startColumn}`;
}

function fileSection(path: string, findings: readonly Finding[], ctx: ReportContext, paint: Paint): string[] {
  const locWidth = Math.max(...findings.map((f) => loc(f).length));
  const ruleWidth = Math.max(...findings.map((f) => f.ruleId.length));
  const lines = [paint(sanitizeInline(toPosixPath(path, ctx.cwd)), "bold", "underline")];
  for (const f of findings) {
    const parts = [
      paint(loc(f).padEnd(locWidth), "dim"),
      paint(f.severity.padEnd(SEVERITY_WIDTH), ...SEVERITY_STYLE[f.severity]),
      paint(sanitizeInline(f.ruleId).padEnd(ruleWidth), "dim"),
      sanitizeInline(f.message),
    ];
    const res = resourceLabel(f.resource);
    if (res) parts.push(paint(`[${sanitizeInline(res)}]`, "dim"));
    if (hasFix(f)) parts.push(paint("fix available", "green"));
    lines.push(`  ${parts.join("  ")}`);
  }
  return lines;
}

function suppressedSection(findings: readonly Finding[], ctx: ReportContext, paint: Paint): string[] {
  const lines = [paint(`Suppressed (${findings.length})`, "bold")];
  for (const f of findings) {
    const where = `${sanitizeInline(toPosixPath(f.path, ctx.cwd))}:${loc(f)}`;
    const s = f.suppressed!;
    const reason = s.reason.trim() === "" ? "no reason given" : sanitizeInline(s.reason);
    lines.push(
      `  ${paint(where, "dim")}  ${paint(f.severity, ...SEVERITY_STYLE[f.severity])}  ${paint(sanitizeInline(f.ruleId), "dim")}  ${sanitizeInline(f.message)}`,
    );
    lines.push(`    ${paint("reason:", "dim")} ${reason}${s.source ? paint(` (${sanitizeInline(s.source)})`, "dim") : ""}`);
  }
  return lines;
}

function summaryLines(result: ScanResult, active: readonly Finding[], suppressed: number, ctx: ReportContext, paint: Paint): string[] {
  const s = result.summary;
  const scanned = `${plural(s.files, "file")}, ${plural(s.resources, "resource")} scanned`;
  const extras: string[] = [];
  if (suppressed > 0) extras.push(`${suppressed} suppressed`);
  const fixable = active.filter(hasFix).length;
  if (fixable > 0) extras.push(`${fixable} fixable`);
  if (s.errors > 0) extras.push(plural(s.errors, "file error"));

  if (active.length === 0) {
    return [`${paint("✔", "green")} No findings${extras.length ? ` · ${extras.join(" · ")}` : ""} · ${scanned}`];
  }
  const counts = countBySeverity(active);
  const gating = gatingFindings(active, ctx.failOn).length;
  const head = `${plural(active.length, "finding")} (${severityBreakdown(counts)})`;
  const mark = gating > 0 ? paint("✖", "red", "bold") : paint("!", "yellow", "bold");
  const gate =
    gating > 0
      ? paint(`${gating} at or above fail-on threshold "${ctx.failOn}"`, "red")
      : `none at or above fail-on threshold "${ctx.failOn}"`;
  return [`${mark} ${head}${extras.length ? `, ${extras.join(", ")}` : ""}`, `  ${gate} · ${scanned}`];
}

/** Newline-terminated terminal report. */
export function formatText(result: ScanResult, ctx: ReportContext): string {
  const paint = painter(ctx.color);
  const sorted = sortFindings(result.findings);
  const active = sorted.filter((f) => !f.suppressed);
  const suppressed = sorted.filter((f) => f.suppressed);

  const blocks: string[][] = [];
  for (const [path, findings] of groupByPath(active)) blocks.push(fileSection(path, findings, ctx, paint));
  if (suppressed.length > 0) blocks.push(suppressedSection(suppressed, ctx, paint));
  blocks.push(summaryLines(result, active, suppressed.length, ctx, paint));
  return `${blocks.map((b) => b.join("\n")).join("\n\n")}\n`;
}
