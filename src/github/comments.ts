// Review comments: the hidden marker, comment bodies (suggestion / diff / remediation), the
// choice of which placements become inline comments, and the review body. Pure.
import type { RuleMeta } from "../core/engine/rule.js";
import type { Finding, Severity } from "../core/types.js";
import { escapeMarkdown } from "../report/markdown.js";
import { plural, sanitizeInline, truncateText } from "../report/common.js";
import { suggestionBody, reviewCommentFor } from "./placement.js";
import type { InlinePlacement, NoSuggestionReason, Placement, SuggestionPlacement, SummaryPlacement } from "./placement.js";
import { bySeverityThenPosition, isFixable } from "./analysis.js";

/** GitHub rejects bodies over 65,536 characters; Bulwark stays well below. */
export const BODY_BUDGET = 60_000;

export const SEVERITY_ICON: Record<Severity, string> = { critical: "🔴", high: "🟠", medium: "🟡", low: "🔵", info: "⚪" };

// ---------------------------------------------------------------- marker

const MARKER_RE = /<!-- bulwark:v1 fp=([0-9A-Za-z_-]+) rule=([A-Za-z0-9_.-]+) -->/;

export function commentMarker(f: Pick<Finding, "fingerprint" | "ruleId">): string {
  return `<!-- bulwark:v1 fp=${f.fingerprint} rule=${f.ruleId} -->`;
}

export function parseMarker(body: string | null | undefined): { fingerprint: string; ruleId: string } | undefined {
  const m = body ? MARKER_RE.exec(body) : null;
  return m ? { fingerprint: m[1], ruleId: m[2] } : undefined;
}

/** Marker of the review body (one review per head commit). */
export function reviewMarker(headSha: string): string {
  return `<!-- bulwark:v1 review head=${headSha} -->`;
}

// ---------------------------------------------------------------- comment bodies

const NO_SUGGESTION_TEXT: Record<NoSuggestionReason, string> = {
  "no-fix": "",
  "fix-spans-files": "the fix also changes other files",
  "invalid-edits": "the fix does not apply to this version of the file",
  "outside-diff": "the fix changes lines that are not part of this diff",
  "spans-hunks": "the fix changes lines in more than one part of the diff",
  "no-op": "",
  "not-representable": "the fix changes the end of the file in a way a suggestion cannot express",
  "overlaps-suggestion": "another suggestion already covers these lines",
  "too-large": "the fix is too large for a suggestion",
};

function heading(f: Finding, meta: RuleMeta | undefined): string {
  const title = escapeMarkdown(meta?.title ?? f.title);
  return `**${SEVERITY_ICON[f.severity]} ${f.severity} · \`${f.ruleId}\` · ${title}**`;
}

function remediation(meta: RuleMeta | undefined): string | undefined {
  const text = meta?.remediation?.trim();
  return text ? `**How to fix:** ${text}` : undefined;
}

function warningLine(f: Finding): string | undefined {
  const w = f.fix?.warning?.trim();
  return w ? `> [!WARNING]\n> ${sanitizeInline(w)}` : undefined;
}

export type CommentPlacement = SuggestionPlacement | InlinePlacement;

export interface RenderedComment {
  placement: CommentPlacement;
  /** The `comments[]` entry for POST /pulls/{n}/reviews. */
  comment: { path: string; body: string; line: number; side: "RIGHT"; start_line?: number; start_side?: "RIGHT" };
}

/** The body of one review comment. Always ends with the marker; never longer than BODY_BUDGET. */
export function renderCommentBody(p: CommentPlacement, meta: RuleMeta | undefined): string {
  return render(p, meta, false).body;
}

function render(p: CommentPlacement, meta: RuleMeta | undefined, plain: boolean): { body: string; plain: boolean } {
  const f = p.finding;
  const parts = [heading(f, meta), escapeMarkdown(f.message)];
  const marker = commentMarker(f);
  const hasPatch = p.kind === "suggestion" || (p.kind === "inline" && p.diff !== undefined);
  if (!plain && p.kind === "suggestion") {
    const warn = warningLine(f);
    if (warn) parts.push(warn);
    parts.push(`${escapeMarkdown(f.fix?.description ?? "Suggested fix")}:\n${suggestionBody(p.replacement)}`);
  } else if (!plain && p.kind === "inline" && p.diff) {
    const why = NO_SUGGESTION_TEXT[p.noSuggestion];
    const warn = warningLine(f);
    if (warn) parts.push(warn);
    parts.push(`${escapeMarkdown(f.fix?.description ?? "Fix")}${why ? ` (not offered as a one-click suggestion: ${why})` : ""}:\n${p.diff}`);
    parts.push(`Comment \`/bulwark fix ${f.ruleId}\` on this pull request to have Bulwark commit it.`);
  } else {
    // SUGGEST / NONE rules (and fixes too long to show): the rule's remediation template.
    const r = remediation(meta);
    if (r) parts.push(r);
    if (isFixable(f)) parts.push(`${hasPatch ? "The fix is too long to show here: comment" : "Comment"} \`/bulwark fix ${f.ruleId}\` on this pull request to have Bulwark commit it.`);
  }
  parts.push(marker);
  const body = parts.join("\n\n");
  if (body.length <= BODY_BUDGET) return { body, plain: plain && hasPatch };
  if (!plain && hasPatch) return render(p, meta, true);
  return { body: `${truncateText(parts.slice(0, -1).join("\n\n"), BODY_BUDGET - marker.length - 2)}\n\n${marker}`, plain: plain && hasPatch };
}

/** Render a placement as a review comment; a suggestion too long for a comment loses its block but keeps its last line. */
export function renderComment(p: CommentPlacement, meta: RuleMeta | undefined): RenderedComment {
  const { body, plain } = render(p, meta, false);
  const effective: CommentPlacement =
    plain && p.kind === "suggestion" ? { kind: "inline", finding: p.finding, path: p.path, side: "RIGHT", line: p.line, noSuggestion: "not-representable" } : p;
  return { placement: effective, comment: reviewCommentFor(effective, body)! };
}

// ---------------------------------------------------------------- selection

export interface CommentPlan {
  /** Placements that become inline comments in this review (at most maxComments), most severe first. */
  inline: CommentPlacement[];
  /** Commentable placements over the cap. */
  overflow: CommentPlacement[];
  /** Placements already commented on by an earlier review (same fingerprint). */
  alreadyCommented: CommentPlacement[];
  /** Findings that cannot be commented inline (off-diff, no patch …). */
  summaryOnly: SummaryPlacement[];
}

export function planComments(placements: readonly Placement[], existing: ReadonlySet<string>, maxComments: number, commentsEnabled = true): CommentPlan {
  const commentable = placements.filter((p): p is CommentPlacement => p.kind !== "summary").sort((a, b) => bySeverityThenPosition(a.finding, b.finding));
  const summaryOnly = placements.filter((p): p is SummaryPlacement => p.kind === "summary").sort((a, b) => bySeverityThenPosition(a.finding, b.finding));
  const alreadyCommented = commentable.filter((p) => existing.has(p.finding.fingerprint));
  const fresh = commentable.filter((p) => !existing.has(p.finding.fingerprint));
  const cap = commentsEnabled ? Math.max(0, maxComments) : 0;
  return { inline: fresh.slice(0, cap), overflow: fresh.slice(cap), alreadyCommented, summaryOnly };
}

// ---------------------------------------------------------------- review body

export interface ReviewBodyInput {
  headSha: string;
  plan: CommentPlan;
  /** Introduced (or gating) findings in total, for the headline. */
  totalNew: number;
  permalink: (f: Finding) => string;
  maxComments: number;
}

function row(f: Finding, permalink: (f: Finding) => string, why: string): string {
  const loc = `[${escapeMarkdown(f.path)}#L${f.range.startLine}](${permalink(f)})`;
  return `| ${SEVERITY_ICON[f.severity]} ${f.severity} | \`${f.ruleId}\` | ${loc} | ${escapeMarkdown(truncateText(f.message, 300))} | ${why} |`;
}

/** The review body: what is inline, what is not and where to find it. Under BODY_BUDGET. */
export function renderReviewBody(input: ReviewBodyInput): string {
  const { plan } = input;
  const lines: string[] = [];
  const short = input.headSha.slice(0, 7);
  lines.push(`### 🛡️ Bulwark: ${plural(input.totalNew, "new finding")} in \`${short}\``);
  lines.push(
    `${plural(plan.inline.length, "inline comment")} below${plan.inline.some((p) => p.kind === "suggestion") ? " (suggestions can be committed from the comment)" : ""}. ` +
      `The **Bulwark** check run has the full report and annotations.`,
  );
  const rest: { f: Finding; why: string }[] = [
    ...plan.overflow.map((p) => ({ f: p.finding, why: `over the ${input.maxComments}-comment limit` })),
    ...plan.summaryOnly.map((p) => ({ f: p.finding, why: escapeMarkdown(truncateText(p.detail, 120)) })),
  ];
  const marker = reviewMarker(input.headSha);
  if (rest.length > 0) {
    lines.push("", `**Not commented inline (${rest.length}):**`, "", "| Severity | Rule | Location | Message | Why not inline |", "|---|---|---|---|---|");
    let used = lines.join("\n").length + marker.length + 200;
    let cut = 0;
    for (const r of rest) {
      const text = row(r.f, input.permalink, r.why);
      if (used + text.length + 1 > BODY_BUDGET) {
        cut++;
        continue;
      }
      lines.push(text);
      used += text.length + 1;
    }
    if (cut > 0) lines.push("", `…and ${plural(cut, "more finding")}, listed in the check run.`);
  }
  lines.push("", marker);
  return lines.join("\n");
}
