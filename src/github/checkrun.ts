// The `Bulwark` check run: created in_progress at once, always concluded. Conclusion, title,
// summary (tables by severity and rule), text (findings with permalinks), annotations (50 per
// request, appended by successive PATCHes) and the "Apply fixes" button. Builders are pure;
// `createCheckRun` / `completeCheckRun` do the I/O.
import { SEVERITIES, severityRank } from "../core/types.js";
import type { Finding, Severity } from "../core/types.js";
import { escapeMarkdown } from "../report/markdown.js";
import { plural, sanitizeInline, truncateText } from "../report/common.js";
import { SEVERITY_ICON } from "./comments.js";
import { bySeverityThenPosition, fixDescription } from "./analysis.js";
import { errorSummary } from "./client.js";
import type { GitHubClient, RepoRef } from "./client.js";

export const CHECK_NAME = "Bulwark";
/** GitHub: at most 50 annotations per request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** Annotations per check run by default (not a config key): the rest are listed in the summary/text. */
export const MAX_ANNOTATIONS = 50;
/** GitHub: output.summary and output.text hold at most 65,535 characters. */
export const OUTPUT_BUDGET = 60_000;

export const APPLY_FIXES_ACTION = { label: "Apply fixes", identifier: "apply-fixes", description: "Commit Bulwark's safe fixes" } as const;

export type Conclusion = "success" | "neutral" | "failure";

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title: string;
  raw_details?: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
}

// ---------------------------------------------------------------- I/O

export async function createCheckRun(client: GitHubClient, repo: RepoRef, headSha: string, externalId: string | undefined, startedAt: Date): Promise<number> {
  const res = await client.request("POST /repos/{owner}/{repo}/check-runs", {
    owner: repo.owner,
    repo: repo.repo,
    name: CHECK_NAME,
    head_sha: headSha,
    status: "in_progress",
    started_at: startedAt.toISOString(),
    ...(externalId !== undefined ? { external_id: externalId } : {}),
    output: { title: "Reviewing…", summary: "Bulwark is reviewing the Kubernetes manifests, Helm charts and Dockerfiles this change touches." },
  });
  const id = (res.data as { id?: unknown }).id;
  if (typeof id !== "number") throw new Error("GitHub returned a check run without an id");
  return id;
}

/**
 * Bulwark's unfinished check run for this head and external id, if any: a job taken over from a
 * worker that died mid-review resumes the run the dead worker created instead of leaving it
 * "in progress" forever next to a new one. Errors mean "none found" (a new run is created).
 */
export async function findUnfinishedCheckRun(client: GitHubClient, repo: RepoRef, headSha: string, externalId: string | undefined): Promise<number | undefined> {
  try {
    const res = await client.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { owner: repo.owner, repo: repo.repo, ref: headSha, check_name: CHECK_NAME, filter: "all", per_page: 100 });
    const runs = (res.data as { check_runs?: { id: number; status: string; external_id?: string | null; head_sha: string }[] }).check_runs ?? [];
    const open = runs.filter((r) => r.status !== "completed" && r.head_sha === headSha && (externalId === undefined || r.external_id === externalId));
    return open.sort((a, b) => b.id - a.id)[0]?.id;
  } catch {
    return undefined;
  }
}

/** `createCheckRun`, or with `resume` the unfinished run of an interrupted attempt. */
export async function openCheckRun(client: GitHubClient, repo: RepoRef, headSha: string, externalId: string | undefined, startedAt: Date, resume = false): Promise<number> {
  const existing = resume ? await findUnfinishedCheckRun(client, repo, headSha, externalId) : undefined;
  return existing ?? createCheckRun(client, repo, headSha, externalId, startedAt);
}

export interface CompleteInput {
  conclusion: Conclusion;
  output: CheckOutput;
  annotations: readonly Annotation[];
  actions?: readonly (typeof APPLY_FIXES_ACTION)[];
  completedAt: Date;
}

export interface CompleteResult {
  /** PATCH requests made. */
  requests: number;
  /** Annotations GitHub accepted. */
  annotationsPosted: number;
  /** Problems (a batch GitHub refused); the check is concluded anyway. */
  problems: string[];
}

/**
 * Conclude the check run. Annotation batches before the last are sent while the run is still
 * in_progress; the last batch rides on the completing PATCH. If GitHub rejects the completing
 * PATCH (e.g. 422 on an annotation), it is retried once without annotations and with the problem
 * in the summary, so the run is never left in_progress by Bulwark.
 */
export async function completeCheckRun(client: GitHubClient, repo: RepoRef, checkRunId: number, input: CompleteInput): Promise<CompleteResult> {
  const batches: Annotation[][] = [];
  for (let i = 0; i < input.annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(input.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const result: CompleteResult = { requests: 0, annotationsPosted: 0, problems: [] };
  const route = "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}";
  const base = { owner: repo.owner, repo: repo.repo, check_run_id: checkRunId };
  const output = (annotations: Annotation[] | undefined, extra = ""): Record<string, unknown> => ({
    title: input.output.title,
    summary: fit(input.output.summary + extra, OUTPUT_BUDGET),
    ...(input.output.text ? { text: fit(input.output.text, OUTPUT_BUDGET) } : {}),
    ...(annotations && annotations.length > 0 ? { annotations } : {}),
  });
  for (const batch of batches.slice(0, -1)) {
    try {
      result.requests++;
      await client.request(route, { ...base, status: "in_progress", output: output(batch) });
      result.annotationsPosted += batch.length;
    } catch (err) {
      result.problems.push(`an annotation batch was refused (${errorSummary(err)})`);
    }
  }
  const last = batches[batches.length - 1];
  const finish = (annotations: Annotation[] | undefined, extra: string) => ({
    ...base,
    status: "completed",
    conclusion: input.conclusion,
    completed_at: input.completedAt.toISOString(),
    output: output(annotations, extra),
    ...(input.actions && input.actions.length > 0 ? { actions: input.actions.map((a) => ({ ...a })) } : {}),
  });
  const problemsNote = () => (result.problems.length > 0 ? `\n\n> [!WARNING]\n> ${result.problems.map(sanitizeInline).join("\n> ")}` : "");
  try {
    result.requests++;
    await client.request(route, finish(last, problemsNote()));
    result.annotationsPosted += last?.length ?? 0;
  } catch (err) {
    result.problems.push(`GitHub refused the final annotations (${errorSummary(err)}); they are listed in this summary instead`);
    result.requests++;
    await client.request(route, finish(undefined, problemsNote()));
  }
  return result;
}

/** Conclude the run as failed because Bulwark itself failed (never leave it in_progress). */
export async function failCheckRun(client: GitHubClient, repo: RepoRef, checkRunId: number, err: unknown, completedAt: Date): Promise<void> {
  const message = sanitizeInline(errorSummary(err));
  await client.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
    owner: repo.owner,
    repo: repo.repo,
    check_run_id: checkRunId,
    status: "completed",
    conclusion: "failure",
    completed_at: completedAt.toISOString(),
    output: {
      title: "Bulwark could not complete the review",
      summary: `Bulwark hit an internal error and could not finish this review:\n\n\`\`\`\n${truncateText(message, 2000)}\n\`\`\`\n\nRe-run the check to try again. If it keeps failing, please report it.`,
    },
  });
}

// ---------------------------------------------------------------- builders

function fit(s: string, max: number): string {
  if (s.length <= max) return s;
  const note = "\n\n…(truncated)";
  return truncateText(s, max - note.length) + note;
}

export interface ConclusionInput {
  gate: "introduced" | "all";
  failOn: Severity;
  introduced: readonly Finding[];
  active: readonly Finding[];
}

/** Findings that fail the check, and the conclusion. */
export function decideConclusion(input: ConclusionInput): { conclusion: Conclusion; gating: Finding[] } {
  const pool = input.gate === "all" ? input.active : input.introduced;
  const gating = pool.filter((f) => !f.suppressed && severityRank(f.severity) >= severityRank(input.failOn));
  if (gating.length > 0) return { conclusion: "failure", gating };
  return { conclusion: input.active.length > 0 ? "neutral" : "success", gating };
}

export function annotationLevel(f: Finding, gating: ReadonlySet<Finding>): Annotation["annotation_level"] {
  if (gating.has(f)) return "failure";
  return severityRank(f.severity) >= severityRank("medium") ? "warning" : "notice";
}

/** Annotations for the findings, most relevant first, at most `max`. */
export function buildAnnotations(
  findings: readonly Finding[],
  gating: ReadonlySet<Finding>,
  introduced: ReadonlySet<Finding>,
  max: number,
  /** Shown first (e.g. the comments of a review GitHub refused). */
  priority: ReadonlySet<Finding> = new Set(),
): Annotation[] {
  const ordered = [...findings].sort(
    (a, b) =>
      Number(priority.has(b)) - Number(priority.has(a)) ||
      Number(gating.has(b)) - Number(gating.has(a)) ||
      Number(introduced.has(b)) - Number(introduced.has(a)) ||
      bySeverityThenPosition(a, b),
  );
  return ordered.slice(0, Math.max(0, max)).map((f) => {
    const start = Math.max(1, f.range.startLine);
    const end = Math.max(start, f.range.endLine);
    const a: Annotation = {
      path: f.path,
      start_line: start,
      end_line: end,
      annotation_level: annotationLevel(f, gating),
      message: truncateText(`${f.message}${introduced.has(f) ? "" : " (already on the base branch)"}`, 60_000),
      title: truncateText(sanitizeInline(`${f.ruleId}: ${f.title}`), 255),
    };
    if (start === end && f.range.startColumn >= 1 && f.range.endColumn > f.range.startColumn) {
      a.start_column = f.range.startColumn;
      a.end_column = f.range.endColumn;
    }
    const fix = fixDescription(f);
    if (fix) a.raw_details = truncateText(`Fix available: ${fix}${f.fix?.warning ? `\nWarning: ${f.fix.warning}` : ""}\nComment \`/bulwark fix ${f.ruleId}\` on the pull request to commit it.`, 60_000);
    return a;
  });
}

/** `https://github.com/o/r/blob/<sha>/<path>#L<n>` (GHE: the repository's html_url). */
export function permalink(htmlUrl: string, sha: string, path: string, line: number, endLine?: number): string {
  const p = path.split("/").map(encodeURIComponent).join("/");
  const anchor = endLine !== undefined && endLine > line ? `#L${line}-L${endLine}` : `#L${line}`;
  return `${htmlUrl.replace(/\/+$/, "")}/blob/${sha}/${p}${anchor}`;
}

export interface SummaryInput {
  conclusion: Conclusion;
  failOn: Severity;
  gate: "introduced" | "all";
  introduced: readonly Finding[];
  preExisting: readonly Finding[];
  suppressed: readonly Finding[];
  gating: readonly Finding[];
  filesReviewed: number;
  /** Lines for the "Notes" section (caps, degradations, config source …). */
  notes: readonly string[];
  link: (f: Finding) => string;
  inlineComments: number;
}

export function checkTitle(input: Pick<SummaryInput, "conclusion" | "failOn" | "introduced" | "preExisting" | "gating" | "gate">): string {
  const total = input.introduced.length + input.preExisting.length;
  if (input.conclusion === "failure")
    return `${plural(input.gating.length, input.gate === "all" ? "finding" : "new finding")} at or above ${input.failOn}`;
  if (total === 0) return "No findings";
  if (input.introduced.length === 0) return `No new findings (${plural(input.preExisting.length, "finding")} already on the base branch)`;
  return `${plural(input.introduced.length, "new finding")} below ${input.failOn}${input.preExisting.length ? `, ${input.preExisting.length} already on the base branch` : ""}`;
}

function countBy(findings: readonly Finding[], key: (f: Finding) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of findings) m.set(key(f), (m.get(key(f)) ?? 0) + 1);
  return m;
}

export function buildSummary(input: SummaryInput): string {
  const out: string[] = [];
  const status =
    input.conclusion === "failure"
      ? `❌ **${plural(input.gating.length, "finding")} at or above \`${input.failOn}\`** ${input.gate === "all" ? "in the changed files" : "introduced by this change"}.`
      : input.conclusion === "neutral"
        ? `⚠️ **Findings below the \`${input.failOn}\` threshold** (or already on the base branch): not blocking.`
        : "✅ **No findings.**";
  out.push(status, "");
  out.push(
    `${plural(input.filesReviewed, "file")} reviewed · ${input.introduced.length} new · ${input.preExisting.length} already on the base branch · ${input.suppressed.length} suppressed · ${plural(input.inlineComments, "inline comment")} posted`,
    "",
  );
  const all = [...input.introduced, ...input.preExisting];
  if (all.length > 0 || input.suppressed.length > 0) {
    const newBy = countBy(input.introduced, (f) => f.severity);
    const oldBy = countBy(input.preExisting, (f) => f.severity);
    const supBy = countBy(input.suppressed, (f) => f.severity);
    out.push("| Severity | New | Already on base | Suppressed |", "|---|---:|---:|---:|");
    for (const s of SEVERITIES) out.push(`| ${SEVERITY_ICON[s]} ${s} | ${newBy.get(s) ?? 0} | ${oldBy.get(s) ?? 0} | ${supBy.get(s) ?? 0} |`);
    out.push("");
    const introducedSet = new Set(input.introduced);
    const rules = new Map<string, { title: string; severity: Severity; n: number; old: number }>();
    for (const f of all) {
      const r = rules.get(f.ruleId) ?? { title: f.title, severity: f.severity, n: 0, old: 0 };
      if (severityRank(f.severity) > severityRank(r.severity)) r.severity = f.severity;
      if (introducedSet.has(f)) r.n++;
      else r.old++;
      rules.set(f.ruleId, r);
    }
    const ruleRows = [...rules].sort((a, b) => severityRank(b[1].severity) - severityRank(a[1].severity) || b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1));
    if (ruleRows.length > 0) {
      out.push("| Rule | Severity | Title | New | Already on base |", "|---|---|---|---:|---:|");
      let length = out.join("\n").length;
      let cut = 0;
      for (const [id, r] of ruleRows) {
        const line = `| \`${id}\` | ${SEVERITY_ICON[r.severity]} ${r.severity} | ${escapeMarkdown(r.title)} | ${r.n} | ${r.old} |`;
        if (length + line.length > OUTPUT_BUDGET / 2) {
          cut++;
          continue;
        }
        out.push(line);
        length += line.length + 1;
      }
      if (cut > 0) out.push(`| … | | ${plural(cut, "more rule")} | | |`);
      out.push("");
    }
  }
  if (input.notes.length > 0) {
    out.push("**Notes**", "");
    for (const n of input.notes) out.push(`- ${n}`);
    out.push("");
  }
  out.push("Findings already on the base branch are reported, not gating" + (input.gate === "all" ? " (except with `review.gate: all`, as here)." : "."));
  return fit(out.join("\n"), OUTPUT_BUDGET);
}

/** The text section: every finding with a permalink, new ones first. */
export function buildText(input: Pick<SummaryInput, "introduced" | "preExisting" | "suppressed" | "link">): string | undefined {
  const sections: [string, readonly Finding[]][] = [
    ["New findings", [...input.introduced].sort(bySeverityThenPosition)],
    ["Already on the base branch", [...input.preExisting].sort(bySeverityThenPosition)],
    ["Suppressed", [...input.suppressed].sort(bySeverityThenPosition)],
  ];
  const out: string[] = [];
  let length = 0;
  let cut = 0;
  for (const [title, list] of sections) {
    if (list.length === 0) continue;
    const head = `### ${title} (${list.length})\n\n| Severity | Rule | Location | Message |\n|---|---|---|---|`;
    if (length + head.length > OUTPUT_BUDGET - 500) {
      cut += list.length;
      continue;
    }
    out.push(head);
    length += head.length + 1;
    for (const f of list) {
      const msg = f.suppressed ? `${f.message} — suppressed: ${f.suppressed.reason}` : f.message;
      const line = `| ${SEVERITY_ICON[f.severity]} ${f.severity} | \`${f.ruleId}\` | [${escapeMarkdown(f.path)}#L${f.range.startLine}](${input.link(f)}) | ${escapeMarkdown(truncateText(msg, 400))} |`;
      if (length + line.length + 1 > OUTPUT_BUDGET - 500) {
        cut++;
        continue;
      }
      out.push(line);
      length += line.length + 1;
    }
    out.push("");
  }
  if (out.length === 0) return undefined;
  if (cut > 0) out.push(`…and ${plural(cut, "more finding")} not listed (output limit). Run \`npx bulwark scan\` locally for the full list.`);
  return out.join("\n");
}
