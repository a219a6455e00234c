// Suppressions: `# bulwark:ignore RULE-ID[,RULE-ID…] reason` above (or at the end of) a
// resource, field or Dockerfile instruction line, and the `bulwark.dev/ignore`
// annotation on a resource or its pod template. Suppressed findings are kept, marked.
import type { LineIndex } from "../parse/positions.js";

export interface SuppressionComment {
  line: number;
  /** The line the comment applies to: the next non-comment line, or its own line for a trailing comment. */
  target: number;
  ruleIds: string[];
  reason: string;
  column: number;
}

const PATTERN = /#\s*bulwark:ignore[:=]?\s+([A-Za-z0-9_*-]+(?:\s*,\s*[A-Za-z0-9_*-]+)*)(?:\s+(.*?))?\s*$/;

export function findSuppressionComments(lines: LineIndex): SuppressionComment[] {
  const out: SuppressionComment[] = [];
  const total = lines.lineCount;
  for (let line = 1; line <= total; line++) {
    const text = lines.lineText(line);
    const hash = text.indexOf("#");
    if (hash < 0 || !text.includes("bulwark:ignore")) continue;
    const m = PATTERN.exec(text.slice(hash));
    if (!m) continue;
    const fullLine = text.slice(0, hash).trim() === "";
    let target = line;
    if (fullLine) {
      target = line + 1;
      while (target <= total && /^\s*#/.test(lines.lineText(target))) target++;
    }
    out.push({
      line,
      target,
      ruleIds: m[1].split(",").map((s) => s.trim().toUpperCase()),
      reason: (m[2] ?? "").replace(/^[-–—:]\s*/, "").trim(),
      column: hash + 1,
    });
  }
  return out;
}

export class SuppressionIndex {
  private readonly byTarget = new Map<number, SuppressionComment[]>();

  constructor(readonly comments: SuppressionComment[]) {
    for (const c of comments) {
      const list = this.byTarget.get(c.target);
      if (list) list.push(c);
      else this.byTarget.set(c.target, [c]);
    }
  }

  /** The first comment that suppresses `ruleId` on any of `lines`. */
  match(ruleId: string, lines: Iterable<number>): SuppressionComment | undefined {
    for (const line of lines) {
      for (const c of this.byTarget.get(line) ?? []) {
        if (c.ruleIds.includes(ruleId) || c.ruleIds.includes("*") || c.ruleIds.includes("ALL")) return c;
      }
    }
    return undefined;
  }
}

export const IGNORE_ANNOTATION = "bulwark.dev/ignore";
export const IGNORE_REASON_ANNOTATION = "bulwark.dev/ignore-reason";

export function parseIgnoreAnnotation(value: unknown): string[] {
  if (typeof value !== "string") return [];
  return value
    .split(",")
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
}
