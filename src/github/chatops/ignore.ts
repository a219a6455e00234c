// `/bulwark ignore RULE-ID reason`: where the suppression comment goes. Pure.
//
// The comment `# bulwark:ignore RULE-ID reason` is inserted on its own line, at the indentation
// of the line it annotates: the finding's own line first (the field, or in a Dockerfile the
// first line of the instruction, or the continuation line the finding is on), then each enclosing line (smaller indentation: the container
// item, the resource). Each candidate is re-scanned with the engine: the first one that leaves
// the file parseable and marks THIS finding suppressed wins. Nothing that does not verify is
// ever proposed.
import { scan } from "../../core/engine/scan.js";
import type { ScanOptions } from "../../core/engine/scan.js";
import type { Finding } from "../../core/types.js";
import { detectFileKind } from "../../core/parse/detect.js";

export const MAX_REASON_CHARS = 200;

export type SuppressionPlan = { ok: true; text: string; line: number } | { ok: false; reason: string };

/** One line, no control characters, bounded. */
export function cleanReason(reason: string): string {
  // eslint-disable-next-line no-control-regex
  const one = reason.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
  return one.length > MAX_REASON_CHARS ? `${one.slice(0, MAX_REASON_CHARS - 1)}…` : one;
}

function splitLines(text: string): { lines: string[]; eol: string } {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  return { lines: text.split(eol), eol };
}

/** `text` with `comment` inserted above 1-based `line`, indented like that line. */
export function insertCommentAbove(text: string, line: number, comment: string): string {
  const { lines, eol } = splitLines(text);
  const target = lines[line - 1] ?? "";
  const indent = /^[ \t]*/.exec(target)?.[0] ?? "";
  // A YAML sequence item "- name: x": the comment goes at the dash's column (a comment line may sit there).
  lines.splice(line - 1, 0, `${indent}${comment}`);
  return lines.join(eol);
}

/** Candidate lines to annotate, best first. */
function candidates(text: string, f: Finding, dockerfile: boolean): number[] {
  const { lines } = splitLines(text);
  let start = Math.min(Math.max(1, f.range.startLine), lines.length);
  if (dockerfile) {
    // The first line of the instruction (continuation lines end with a backslash).
    const own = start;
    while (start > 1 && /\\\s*$/.test(lines[start - 2] ?? "")) start--;
    // The engine matches a finding reported on a continuation line by that line: the comment
    // then goes inside the instruction (Docker drops comment lines in continuations).
    return start === own ? [start] : [start, own];
  }
  const out = [start];
  let indent = /^\s*/.exec(lines[start - 1] ?? "")?.[0].length ?? 0;
  for (let l = start - 1; l >= 1 && indent > 0; l--) {
    const s = lines[l - 1] ?? "";
    if (s.trim() === "" || s.trim().startsWith("#")) continue;
    if (s.trim() === "---") break;
    const ind = /^\s*/.exec(s)?.[0].length ?? 0;
    if (ind < indent) {
      out.push(l);
      indent = ind;
    }
  }
  return out.slice(0, 12);
}

/** Plan the suppression of `finding` in `text` (the head text of `finding.path`). */
export function planSuppression(text: string, finding: Finding, reason: string, options: ScanOptions): SuppressionPlan {
  const why = cleanReason(reason);
  if (why === "") return { ok: false, reason: "a reason is required" };
  const dockerfile = detectFileKind(finding.path) === "dockerfile";
  const comment = `# bulwark:ignore ${finding.ruleId} ${why}`;
  const opts: ScanOptions = { ...options, fixes: "none", verifyFixes: false };
  for (const line of candidates(text, finding, dockerfile)) {
    const next = insertCommentAbove(text, line, comment);
    const after = scan([{ path: finding.path, text: next }], opts).findings;
    if (after.some((x) => x.ruleId === "BULWARK-PARSE")) continue;
    const same = after.find((x) => x.fingerprint === finding.fingerprint);
    if (same?.suppressed) return { ok: true, text: next, line };
  }
  return { ok: false, reason: `no line of \`${finding.path}\` takes a suppression comment for this finding that the scanner accepts (a Helm template or a multi-line string?); add a \`bulwark.dev/ignore\` annotation instead` };
}
