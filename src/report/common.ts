// Helpers shared by the formatters: ordering, counting, paths and safe inline text.
import { SEVERITIES, severityRank } from "../core/types.js";
import type { Finding, ResourceRef, Severity } from "../core/types.js";

function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** path, line, column, ruleId, then fingerprint: a total, locale-independent order. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.path, b.path) ||
    cmp(a.range.startLine, b.range.startLine) ||
    cmp(a.range.startColumn, b.range.startColumn) ||
    cmp(a.ruleId, b.ruleId) ||
    cmp(a.fingerprint, b.fingerprint)
  );
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

export function isAtOrAbove(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}

/** Not-suppressed findings at or above the threshold: what makes the CLI exit 1. */
export function gatingFindings(findings: readonly Finding[], failOn: Severity): Finding[] {
  return findings.filter((f) => !f.suppressed && isAtOrAbove(f.severity, failOn));
}

export function hasFix(f: Finding): boolean {
  return f.fix !== undefined && f.fix.edits.length > 0;
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const out = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) out[f.severity] = (out[f.severity] ?? 0) + 1;
  return out;
}

/** "1 critical, 2 high" (non-zero severities, most severe first); "" when all are zero. */
export function severityBreakdown(counts: Record<Severity, number>): string {
  return SEVERITIES.filter((s) => (counts[s] ?? 0) > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(", ");
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "Deployment/web/app" (kind/name[/container]); undefined without a resource. */
export function resourceLabel(r: ResourceRef | undefined): string | undefined {
  if (!r) return undefined;
  const base = `${r.kind}/${r.name}`;
  return r.container ? `${base}/${r.container}` : base;
}

function isAbsolutePosix(p: string): boolean {
  return p.startsWith("/") || /^[A-Za-z]:\//.test(p);
}

function normalizeSlashes(p: string): string {
  return p.replace(/\\/g, "/").replace(/\/{2,}/g, "/");
}

/**
 * A POSIX path, relative to `cwd` when the path is absolute and inside it; leading "./" dropped.
 * Backslashes are treated as separators (Windows input). `..` is kept as is.
 */
export function toPosixPath(path: string, cwd?: string): string {
  let p = normalizeSlashes(path);
  if (cwd && isAbsolutePosix(p)) {
    const base = normalizeSlashes(cwd).replace(/\/+$/, "");
    const windows = /^[A-Za-z]:\//.test(base);
    const inside = windows
      ? p.toLowerCase().startsWith(`${base.toLowerCase()}/`)
      : p.startsWith(`${base}/`);
    if (base !== "" && inside) p = p.slice(base.length + 1);
  }
  while (p.startsWith("./")) p = p.slice(2);
  return p;
}

export function isAbsolutePath(posixPath: string): boolean {
  return isAbsolutePosix(posixPath);
}

// C0/C1 controls (ESC included: no terminal escapes from manifest content) and the bidi
// overrides/isolates used in "Trojan Source" attacks.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** One line of text that is safe to print: newlines/tabs become spaces, controls become \\xNN / \\uNNNN. */
export function sanitizeInline(s: string): string {
  return s
    .replace(/\r\n|\r|\n|\t/g, " ")
    .replace(UNSAFE, (c) => {
      const code = c.charCodeAt(0);
      return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
    });
}

export function truncateText(s: string, max: number): string {
  if (s.length <= max) return s;
  // Do not split a surrogate pair.
  let cut = max - 1;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${s.slice(0, cut)}…`;
}
