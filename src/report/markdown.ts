// `--format markdown`, and the action's job summary: GitHub-flavoured markdown.
// A headline, a table by severity, a table by rule, then one collapsible <details> per file and one
// for suppressed findings. Text from the scanned files is escaped for table cells (no `|`, backtick,
// HTML or @mention can break out), and the whole report stays under MARKDOWN_MAX_CHARS
// (GitHub comment bodies hold 65,536) by cutting rows and saying so.
import { SEVERITIES, severityRank } from "../core/types.js";
import type { Finding, Severity } from "../core/types.js";
import {
  compareFindings,
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

export const MARKDOWN_MAX_CHARS = 65_000;

const SEVERITY_ICON: Record<Severity, string> = {
  critical: "🔴",
  high: "🟠",
  medium: "🟡",
  low: "🔵",
  info: "⚪",
};

/** Escape text for a GFM table cell (or any inline position). */
export function escapeMarkdown(s: string): string {
  return sanitizeInline(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/@/g, "@\u200b"); // no @mentions of users or teams from manifest text
}

function escapeHtml(s: string): string {
  return sanitizeInline(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/@/g, "@\u200b");
}

/** A rule id in a code span; ids are plain, but never let one break the span or the table. */
function code(s: string): string {
  const clean = sanitizeInline(s).replace(/[`|]/g, "");
  return `\`${clean}\``;
}

function sev(s: Severity): string {
  return `${SEVERITY_ICON[s]} ${s}`;
}

interface RuleRow {
  id: string;
  title: string;
  severity: Severity;
  active: number;
  suppressed: number;
}

function ruleRows(findings: readonly Finding[], ctx: ReportContext): RuleRow[] {
  const rows = new Map<string, RuleRow>();
  for (const f of findings) {
    let row = rows.get(f.ruleId);
    if (!row) {
      row = { id: f.ruleId, title: ctx.rules.get(f.ruleId)?.title ?? f.title, severity: f.severity, active: 0, suppressed: 0 };
      rows.set(f.ruleId, row);
    }
    if (severityRank(f.severity) > severityRank(row.severity)) row.severity = f.severity;
    if (f.suppressed) row.suppressed += 1;
    else row.active += 1;
  }
  return [...rows.values()].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || b.active - a.active || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

function messageCell(f: Finding): string {
  let cell = escapeMarkdown(f.message);
  const res = resourceLabel(f.resource);
  if (res) cell += ` <sub>${escapeHtml(res)}</sub>`;
  if (hasFix(f)) cell += " · 🔧 fix available";
  return cell;
}

function headline(result: ScanResult, active: readonly Finding[], suppressed: number, ctx: ReportContext): string {
  const s = result.summary;
  const gating = gatingFindings(active, ctx.failOn).length;
  const scanned = `${plural(s.files, "file")}, ${plural(s.resources, "resource")} scanned`;
  const extras = [scanned];
  if (suppressed > 0) extras.push(`${suppressed} suppressed`);
  if (s.errors > 0) extras.push(plural(s.errors, "file error"));
  const status =
    active.length === 0
      ? "✅ **No findings**"
      : gating > 0
        ? `❌ **${plural(gating, "finding")} at or above \`${ctx.failOn}\`** (${plural(active.length, "finding")} in total)`
        : `⚠️ **${plural(active.length, "finding")}**, none at or above \`${ctx.failOn}\``;
  return `${status} · ${extras.join(" · ")}`;
}

/** Adds blocks while they fit in the budget; remembers what was left out. */
class Budget {
  readonly parts: string[] = [];
  private used = 0;
  constructor(private readonly limit: number) {}
  fits(text: string | number): boolean {
    const length = typeof text === "number" ? text : text.length;
    return this.used + length + 1 <= this.limit;
  }
  add(text: string): void {
    this.parts.push(text);
    this.used += text.length + 1;
  }
  remaining(): number {
    return this.limit - this.used;
  }
  tryAdd(text: string): boolean {
    if (!this.fits(text)) return false;
    this.add(text);
    return true;
  }
}

const NOTE_RESERVE = 600;

/** Newline-terminated markdown report, at most `maxChars` UTF-16 code units long. */
export function formatMarkdown(result: ScanResult, ctx: ReportContext, maxChars: number = MARKDOWN_MAX_CHARS): string {
  const sorted = sortFindings(result.findings);
  const active = sorted.filter((f) => !f.suppressed);
  const suppressed = sorted.filter((f) => f.suppressed);
  const budget = new Budget(Math.max(0, maxChars - NOTE_RESERVE));
  let omitted = 0;

  budget.add(`## ${escapeMarkdown(ctx.tool.name)} report\n`);
  budget.add(`${headline(result, active, suppressed.length, ctx)}\n`);

  if (sorted.length > 0) {
    const counts = countBySeverity(active);
    const supCounts = countBySeverity(suppressed);
    const sevTable = ["| Severity | Findings | Suppressed |", "|---|---:|---:|"];
    for (const s of SEVERITIES) sevTable.push(`| ${sev(s)} | ${counts[s]} | ${supCounts[s]} |`);
    budget.tryAdd(`${sevTable.join("\n")}\n`);

    const ruleTable = ["| Rule | Severity | Title | Findings | Suppressed |", "|---|---|---|---:|---:|"];
    let rulesCut = 0;
    let length = ruleTable.join("\n").length;
    for (const r of ruleRows(sorted, ctx)) {
      const row = `| ${code(r.id)} | ${sev(r.severity)} | ${escapeMarkdown(r.title)} | ${r.active} | ${r.suppressed} |`;
      // Leave room for the per-file sections: the rule table gets at most a quarter of the budget.
      if (length + row.length + 1 > maxChars / 4) {
        rulesCut += 1;
      } else {
        ruleTable.push(row);
        length += row.length + 1;
      }
    }
    if (rulesCut > 0) ruleTable.push(`| … | | ${plural(rulesCut, "more rule")} | | |`);
    budget.tryAdd(`${ruleTable.join("\n")}\n`);
  }

  // One <details> per file. When not everything fits, the most severe findings are kept, wherever
  // they are, and a file whose table is cut says how many of its findings it shows.
  const byPath = new Map<string, Finding[]>();
  for (const f of active) {
    const list = byPath.get(f.path);
    if (list) list.push(f);
    else byPath.set(f.path, [f]);
  }
  const close = "\n</details>\n";
  const fileOpen = (path: string, findings: readonly Finding[], shown: number, partial: boolean): string =>
    `<details><summary><code>${escapeHtml(toPosixPath(path, ctx.cwd))}</code> · ${plural(findings.length, "finding")} ` +
    `(${severityBreakdown(countBySeverity(findings))})${partial ? `, ${shown} shown` : ""}</summary>\n\n` +
    "| Line | Severity | Rule | Message |\n|---:|---|---|---|";
  const rowOf = new Map(active.map((f) => [f, `| ${f.range.startLine} | ${sev(f.severity)} | ${code(f.ruleId)} | ${messageCell(f)} |`]));

  const shown = new Set<Finding>();
  const opened = new Set<string>();
  let room = budget.remaining();
  const mostSevereFirst = [...active].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || compareFindings(a, b));
  for (const f of mostSevereFirst) {
    let cost = rowOf.get(f)!.length + 1;
    // Charge a new file's header at its longest (the ", N shown" form).
    if (!opened.has(f.path)) cost += fileOpen(f.path, byPath.get(f.path)!, byPath.get(f.path)!.length, true).length + close.length + 1;
    if (cost > room) break;
    room -= cost;
    shown.add(f);
    opened.add(f.path);
  }
  for (const [path, findings] of byPath) {
    const rows = findings.filter((f) => shown.has(f)).map((f) => rowOf.get(f)!);
    if (rows.length === 0) continue;
    budget.add([fileOpen(path, findings, rows.length, rows.length < findings.length), ...rows].join("\n") + close);
  }
  omitted += active.length - shown.size;

  if (suppressed.length > 0) {
    const open = `<details><summary>Suppressed findings (${suppressed.length})</summary>\n\n| File | Line | Rule | Message | Reason |\n|---|---:|---|---|---|`;
    const rows: string[] = [];
    let length = open.length + close.length;
    for (const f of suppressed) {
      const reason = f.suppressed!.reason.trim() === "" ? "_no reason given_" : escapeMarkdown(f.suppressed!.reason);
      const row = `| <code>${escapeHtml(toPosixPath(f.path, ctx.cwd))}</code> | ${f.range.startLine} | ${code(f.ruleId)} | ${escapeMarkdown(f.message)} | ${reason} |`;
      if (!budget.fits(length + row.length + 1)) break;
      rows.push(row);
      length += row.length + 1;
    }
    omitted += suppressed.length - rows.length;
    if (rows.length > 0) budget.add([open, ...rows].join("\n") + close);
  }

  const parts = [...budget.parts];
  if (omitted > 0) {
    parts.push(
      `> [!WARNING]\n> Report truncated to stay under ${maxChars} characters: ${plural(omitted, "finding")} not shown. ` +
        `Run \`${sanitizeInline(ctx.tool.name).replace(/`/g, "")} scan --format sarif\` (or \`--format json\`) for the full list.\n`,
    );
  }
  return parts.join("\n");
}
