// The review pipeline for one pull-request head commit (and, without the review, for a merge
// group). Requests, in order, for a pull request with no earlier review comments:
//
//   POST check-runs (in_progress) · ⌈files/100⌉ × GET pulls/{n}/files · 1 GraphQL (head + base
//   contents and the config, per 1,000 files) · GET pulls/{n} (right before posting: has the head
//   moved?) · POST reviews · PATCH check-runs (completed, ≤ 50 annotations)
//
// and only when needed: 1 GraphQL for `_extends`; GET pulls/{n}/comments pages when the pull
// request has review comments; after the review, 1 GraphQL query + 1 mutation resolving the
// threads of findings that are gone; one PATCH per further 50 annotations. Every error after the
// check run exists ends in a concluded check run (failure "internal error" at worst).
//
// The config is `.github/bulwark.yml` on the default branch, else the organisation `.github`
// repository's (ReviewOptions.config changes the path: the Action's `config` input). The outcome
// carries the scan itself (ReviewOutcome.scan) for callers that report it their own way: the
// Action builds its job summary, outputs, annotations and `fail-on` gate from it.
import { getCatalog } from "../core/engine/catalog.js";
import type { Finding, Severity } from "../core/types.js";
import { analyse, isFixable, refinePlacements, verifyShownFixes } from "./analysis.js";
import type { Analysis, ScanPassThrough } from "./analysis.js";
import { errorStatus, errorSummary } from "./client.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { planComments, renderComment, renderReviewBody } from "./comments.js";
import type { CommentPlan, RenderedComment } from "./comments.js";
import {
  APPLY_FIXES_ACTION,
  MAX_ANNOTATIONS,
  buildAnnotations,
  buildSummary,
  buildText,
  checkTitle,
  completeCheckRun,
  openCheckRun,
  decideConclusion,
  failCheckRun,
  permalink,
} from "./checkrun.js";
import type { Conclusion } from "./checkrun.js";
import { resolveConfig } from "./config.js";
import type { ResolvedConfig } from "./config.js";
import { CONFIG_PATH, fetchContents } from "./contents.js";
import { isRightRangeInOneHunk } from "./diff.js";
import { PR_FILES_CAP, candidateFiles, listPullRequestFiles, selectByConfig } from "./pr-files.js";
import type { PullFile, SelectedFile } from "./pr-files.js";
import { listBulwarkComments, resolveThreads } from "./threads.js";
import type { ExistingComment } from "./threads.js";
import { countBySeverity, plural, sanitizeInline } from "../report/common.js";

export interface ReviewLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

const SILENT: ReviewLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface RepositoryTarget {
  repo: RepoRef;
  /** Repository web URL (`repository.html_url`), for permalinks; GHE-safe. */
  htmlUrl: string;
  defaultBranch: string;
}

export interface PullRequestTarget extends RepositoryTarget {
  number: number;
  headSha: string;
  baseSha: string;
  /** `pull_request.changed_files` (decides the number of listing pages; > 3,000 is reported). */
  changedFiles?: number;
  /** `pull_request.review_comments` from the event; 0 skips listing earlier comments unless the re-read pull says otherwise. */
  reviewComments?: number;
}

export interface ReviewOptions {
  /** Clock, engine catalog and rule selection for the scan. */
  scan?: ScanPassThrough;
  /** Annotations per check run (default MAX_ANNOTATIONS = 50). */
  maxAnnotations?: number;
  /** Reuse a check run created by the caller (e.g. created at once when the event arrived). */
  checkRunId?: number;
  /**
   * This run takes over an interrupted one (a queue job whose worker died): resume Bulwark's
   * unfinished check run on the head instead of creating a second one.
   */
  resumeCheckRun?: boolean;
  /**
   * Where the config is read. Default: `.github/bulwark.yml` on the target's default branch, else
   * `.github/bulwark.yml` of the organisation's `.github` repository. `path` replaces the
   * repository's path (the Action's `config` input; the organisation fallback keeps its path);
   * `orgFallback: false` never reads the organisation repository.
   */
  config?: ConfigLocation;
  clock?: () => Date;
  log?: ReviewLogger;
}

export interface ConfigLocation {
  /** Repository path of the config (default CONFIG_PATH, `.github/bulwark.yml`). */
  path?: string;
  /** Fall back to the organisation `.github` repository's `.github/bulwark.yml` (default true). */
  orgFallback?: boolean;
}

type ValidConfig = Extract<ResolvedConfig, { ok: true }>;
type InvalidConfig = Extract<ResolvedConfig, { ok: false }>;

/**
 * What the pipeline's scan read and found, for callers that report it themselves (the Action's
 * job summary, outputs, workflow annotations and `fail-on` gate). `notes` are the scan's own
 * (unreadable file versions, files excluded by the config's globs); the check summary's are
 * `ReviewOutcome.notes`.
 */
export type ReviewScan = {
  /** Files GitHub listed for the change (pull request files, or the comparison's). */
  filesListed: number;
  /** The listing is incomplete: over 3,000 pull request files, or 300 files of a comparison. */
  listingTruncated: boolean;
  notes: string[];
} & (
  | {
      kind: "nothing";
      /** Absent when no changed file is one Bulwark scans (the config was not read). */
      config?: ValidConfig;
    }
  | { kind: "config-error"; config: InvalidConfig }
  | {
      kind: "scanned";
      config: ValidConfig;
      /** Every head finding (suppressed included), in the engine's order. */
      head: Finding[];
      /** Unsuppressed findings the change introduces. */
      introduced: Finding[];
      /** Unsuppressed findings already on the base. */
      preExisting: Finding[];
      suppressed: Finding[];
      /** Head files that were scanned. */
      filesScanned: number;
      /** Resources (Kubernetes objects, Dockerfile stages) in them. */
      resources: number;
      /** Files that could not be scanned, with the reason. */
      skipped: { path: string; reason: string }[];
    }
);

export interface ReviewOutcome {
  checkRunId: number;
  conclusion: Conclusion;
  /** "internal-error" when Bulwark failed and concluded the run as failure for that reason. */
  status: "reviewed" | "nothing-to-review" | "config-error" | "internal-error";
  /** The posted review, if any. */
  review?: { id?: number; comments: number };
  /** Why no review was posted although there were new inline comments. */
  reviewSkipped?: "head-moved" | "already-reviewed" | "degraded";
  degraded?: string;
  resolvedThreads: number;
  annotations: number;
  findings: {
    introduced: number;
    preExisting: number;
    suppressed: number;
    /** Active findings (introduced and pre-existing) by severity; absent when nothing was scanned. */
    bySeverity?: { introduced: Partial<Record<Severity, number>>; preExisting: Partial<Record<Severity, number>> };
  };
  notes: string[];
  error?: string;
  /** The scan behind the conclusion; absent when Bulwark failed before it finished. */
  scan?: ReviewScan;
}

/** The scan of a run, kept for its outcome even when a later step fails. */
interface Progress {
  scan?: ReviewScan;
}

function configLocation(options: ReviewOptions): Required<ConfigLocation> {
  return { path: options.config?.path ?? CONFIG_PATH, orgFallback: options.config?.orgFallback ?? true };
}

interface PullData {
  head?: { sha?: string };
  review_comments?: number;
  changed_files?: number;
  state?: string;
}

async function getPull(client: GitHubClient, repo: RepoRef, number: number): Promise<PullData> {
  const res = await client.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: repo.owner, repo: repo.repo, pull_number: number });
  return res.data as PullData;
}

function short(sha: string): string {
  return sha.slice(0, 7);
}

/** Review one pull request head commit end to end. Never throws once the check run exists. */
export async function reviewPullRequest(client: GitHubClient, target: PullRequestTarget, options: ReviewOptions = {}): Promise<ReviewOutcome> {
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? SILENT;
  const checkRunId = options.checkRunId ?? (await openCheckRun(client, target.repo, target.headSha, String(target.number), clock(), options.resumeCheckRun));
  const progress: Progress = {};
  try {
    return await runReview(client, target, checkRunId, options, progress);
  } catch (err) {
    return await concludeWithError(client, target.repo, checkRunId, err, clock, log, progress.scan);
  }
}

async function concludeWithError(client: GitHubClient, repo: RepoRef, checkRunId: number, err: unknown, clock: () => Date, log: ReviewLogger, scan: ReviewScan | undefined): Promise<ReviewOutcome> {
  log.error(`Bulwark review failed: ${errorSummary(err)}`);
  try {
    await failCheckRun(client, repo, checkRunId, err, clock());
  } catch (err2) {
    log.error(`could not conclude check run ${checkRunId}: ${errorSummary(err2)}`);
  }
  return {
    checkRunId,
    conclusion: "failure",
    status: "internal-error",
    resolvedThreads: 0,
    annotations: 0,
    findings: { introduced: 0, preExisting: 0, suppressed: 0 },
    notes: [],
    error: errorSummary(err),
    ...(scan ? { scan } : {}),
  };
}

interface Reviewed {
  analysis: Analysis;
  config: ValidConfig;
  selected: SelectedFile[];
}

type Prepared = ({ kind: "nothing" } | { kind: "config-error"; config: InvalidConfig } | ({ kind: "ok" } & Reviewed)) & { scan: ReviewScan };

/**
 * List → read → config → scan: shared by pull requests and merge groups. The scan is recorded in
 * `progress` (and so reaches the outcome, even one of a later failure).
 */
async function prepare(
  client: GitHubClient,
  target: RepositoryTarget,
  headSha: string,
  baseSha: string | undefined,
  listing: { files: readonly PullFile[]; truncated: boolean },
  notes: string[],
  options: ReviewOptions,
  progress: Progress,
): Promise<Prepared> {
  const done = (p: Prepared): Prepared => {
    progress.scan = p.scan;
    return p;
  };
  const listed = { filesListed: listing.files.length, listingTruncated: listing.truncated };
  const candidates = candidateFiles(listing.files);
  if (candidates.length === 0) return done({ kind: "nothing", scan: { kind: "nothing", ...listed, notes: [] } });
  const where = configLocation(options);
  const contents = await fetchContents(client, {
    repo: target.repo,
    headSha,
    ...(baseSha ? { baseSha } : {}),
    files: candidates.map((c) => ({ path: c.path, ...(c.basePath !== undefined ? { basePath: c.basePath } : {}), hasHead: c.hasHead, headBlobSha: c.entry.sha ?? null })),
    config: { ref: target.defaultBranch, orgFallback: where.orgFallback, path: where.path },
  });
  const scanNotes = [...contents.notes];
  notes.push(...contents.notes);
  const config = await resolveConfig(client, {
    repo: target.repo,
    defaultBranch: target.defaultBranch,
    path: where.path,
    repoConfig: contents.repoConfig,
    orgConfig: contents.orgConfig,
    knownRuleIds: (options.scan?.catalog ?? getCatalog()).ids(),
  });
  if (!config.ok) return done({ kind: "config-error", config, scan: { kind: "config-error", ...listed, notes: scanNotes, config } });
  const selected = selectByConfig(candidates, config.config);
  if (selected.length === 0) {
    const excluded = `${plural(candidates.length, "candidate file")} excluded by the include/exclude globs of ${config.source.label}.`;
    notes.push(excluded);
    return done({ kind: "nothing", scan: { kind: "nothing", ...listed, notes: [...scanNotes, excluded], config } });
  }
  const analysis = analyse({ files: selected, head: contents.head, base: contents.base, config: config.config, scan: { now: new Date(), ...options.scan } });
  for (const s of analysis.skipped) notes.push(`\`${sanitizeInline(s.path)}\` was not reviewed: ${s.reason}.`);
  return done({
    kind: "ok",
    analysis,
    config,
    selected,
    scan: {
      kind: "scanned",
      ...listed,
      notes: scanNotes,
      config,
      head: analysis.head,
      introduced: analysis.introduced,
      preExisting: analysis.preExisting,
      suppressed: analysis.suppressed,
      filesScanned: analysis.headTexts.size,
      resources: analysis.resources,
      skipped: analysis.skipped,
    },
  });
}

/** The check summary's line for Bulwark's defaults: which files were looked for, and where. */
function noConfigLine(where: Required<ConfigLocation>, ref: string): string {
  const path = `\`${sanitizeInline(where.path)}\``;
  const on = `on \`${sanitizeInline(ref)}\``;
  if (!where.orgFallback) return `no ${path} ${on}`;
  if (where.path === CONFIG_PATH) return `no ${path} ${on} or in the organisation's \`.github\` repository`;
  return `no ${path} ${on}, nor \`${CONFIG_PATH}\` in the organisation's \`.github\` repository`;
}

async function runReview(client: GitHubClient, target: PullRequestTarget, checkRunId: number, options: ReviewOptions, progress: Progress): Promise<ReviewOutcome> {
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? SILENT;
  const { repo, headSha } = target;
  const notes: string[] = [];
  const listing = await listPullRequestFiles(client, repo, target.number, target.changedFiles);
  if (listing.truncated)
    notes.push(
      `This pull request changes ${listing.changedFiles !== undefined ? listing.changedFiles.toLocaleString("en-US") : "more than 3,000"} files: GitHub lists only the first ${PR_FILES_CAP.toLocaleString("en-US")}, so the others were **not reviewed**. Split the change, or run \`npx bulwark scan\` on the branch.`,
    );
  const prepared = await prepare(client, target, headSha, target.baseSha, listing, notes, options, progress);
  const link = (f: Finding) => permalink(target.htmlUrl, headSha, f.path, f.range.startLine, f.range.endLine);
  const { scan } = prepared;

  if (prepared.kind === "config-error") return { ...(await concludeConfigError(client, repo, checkRunId, prepared.config, clock)), scan };
  if (prepared.kind === "nothing") {
    // Earlier threads on files that are no longer part of the change still get resolved.
    let earlier: ExistingComment[] = [];
    if ((target.reviewComments ?? 0) > 0) earlier = (await listBulwarkComments(client, repo, target.number).catch(() => ({ comments: [] }))).comments;
    const resolved = await resolveGone(client, target, undefined, earlier, listing.files, listing.truncated, log);
    if (resolved.resolved > 0) notes.push(`${plural(resolved.resolved, "review thread")} of findings that are gone resolved.`);
    await completeCheckRun(client, repo, checkRunId, {
      conclusion: "success",
      output: { title: "Nothing to review", summary: nothingSummary(listing.files.length, notes) },
      annotations: [],
      completedAt: clock(),
    });
    return { checkRunId, conclusion: "success", status: "nothing-to-review", resolvedThreads: resolved.resolved, annotations: 0, findings: { introduced: 0, preExisting: 0, suppressed: 0 }, notes, scan };
  }

  const { analysis, config } = prepared;
  const cfg = config.config;
  // Always say which config decided: a config changed by the pull request itself never applies, and the summary should not leave authors guessing.
  if (config.source.label !== "defaults") notes.push(`Config: \`${config.source.label}\`${config.source.extends ? ` extending \`${config.source.extends}\`` : ""}.`);
  else notes.push(`Config: Bulwark's defaults (${noConfigLine(configLocation(options), target.defaultBranch)}; a config added by a pull request applies once merged).`);

  // Earlier Bulwark comments: listed only when the pull request has review comments (the
  // event's count; unknown counts are settled by the re-read below).
  const problems: string[] = [];
  let existing: ExistingComment[] = [];
  let listed = false;
  const list = async () => {
    listed = true;
    try {
      existing = (await listBulwarkComments(client, repo, target.number)).comments;
    } catch (err) {
      problems.push(`Earlier review comments could not be listed (${errorSummary(err)}); some comments may repeat.`);
    }
  };
  if ((target.reviewComments ?? 0) > 0) await list();
  // Fixes are planned only for the files of the comments this review will show.
  const makePlan = () => {
    const fps = new Set(existing.map((c) => c.fingerprint));
    const preliminary = planComments(analysis.placements, fps, cfg.review.maxComments, cfg.review.comments);
    return planComments(refinePlacements(analysis, preliminary.inline.map((p) => p.finding)), fps, cfg.review.maxComments, cfg.review.comments);
  };
  const catalog = options.scan?.catalog ?? getCatalog();
  const diffs = new Map(analysis.files.map((f) => [f.path, f.diff]));
  const render = (pl: CommentPlan): RenderedComment[] =>
    verifyShownFixes(analysis, pl.inline)
      .map((p) => renderComment(p, catalog.meta(p.finding.ruleId)))
      // Belt and braces: placement guarantees this; a comment off the diff would lose the whole review.
      .filter((r) => {
        const d = diffs.get(r.comment.path);
        return d !== undefined && isRightRangeInOneHunk(d, r.comment.start_line ?? r.comment.line, r.comment.line);
      });
  let plan = makePlan();
  let rendered = plan.inline.length > 0 ? render(plan) : [];

  // Right before posting: has the head moved? Does the pull request have comments the event did not count?
  const fresh = await getPull(client, repo, target.number);
  const headMoved = typeof fresh.head?.sha === "string" && fresh.head.sha !== headSha;
  const unknownCount = typeof fresh.review_comments !== "number" && typeof target.reviewComments !== "number";
  if (!listed && !headMoved && ((fresh.review_comments ?? 0) > 0 || unknownCount)) {
    await list();
    plan = makePlan();
    rendered = plan.inline.length > 0 ? render(plan) : [];
  }
  notes.push(...problems);
  const alreadyReviewed = existing.some((c) => c.originalCommitId === headSha);
  let review: ReviewOutcome["review"];
  let reviewSkipped: ReviewOutcome["reviewSkipped"];
  let degraded: string | undefined;
  let failedComments: RenderedComment[] = [];
  if (plan.inline.length > 0) {
    if (headMoved) {
      reviewSkipped = "head-moved";
      notes.push(`A newer commit (\`${short(fresh.head!.sha!)}\`) was pushed during this review: no inline comments were posted for \`${short(headSha)}\`; the review of the new commit will post them.`);
    } else if (alreadyReviewed) {
      reviewSkipped = "already-reviewed";
      notes.push(`Bulwark already posted a review on \`${short(headSha)}\`: no second review for the same commit.`);
    } else {
      const body = renderReviewBody({ headSha, plan, totalNew: analysis.commentable.length, permalink: link, maxComments: cfg.review.maxComments });
      try {
        const res = await client.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews", {
          owner: repo.owner,
          repo: repo.repo,
          pull_number: target.number,
          commit_id: headSha,
          event: "COMMENT",
          body,
          comments: rendered.map((r) => r.comment),
        });
        review = { id: (res.data as { id?: number }).id, comments: rendered.length };
      } catch (err) {
        const status = errorStatus(err);
        reviewSkipped = "degraded";
        failedComments = rendered;
        degraded = `GitHub refused the review (${errorSummary(err)}${status === 422 ? "; possibly its anti-spam limit" : ""}): its ${plural(rendered.length, "inline comment")} ${rendered.length === 1 ? "is" : "are"} shown as annotations of this check run instead.`;
        notes.unshift(`⚠️ ${degraded}`);
        log.warn(`review on ${repo.owner}/${repo.repo}#${target.number} degraded to annotations: ${errorSummary(err)}`);
      }
    }
  }
  // Threads of findings that are gone: resolved (never deleted), unless a newer commit is coming.
  const resolved = headMoved ? { resolved: 0, problems: [] } : await resolveGone(client, target, analysis, existing, listing.files, listing.truncated, log);
  if (resolved.resolved > 0) notes.push(`${plural(resolved.resolved, "review thread")} of findings that are gone resolved.`);
  notes.push(...resolved.problems);
  if (plan.overflow.length > 0)
    notes.push(`${plural(plan.overflow.length, "more finding")} could have been commented inline but ${plan.overflow.length === 1 ? "was" : "were"} over the limit of ${cfg.review.maxComments} comments per review (\`review.maxComments\`); see the list below.`);
  if (plan.summaryOnly.length > 0) notes.push(`${plural(plan.summaryOnly.length, "finding")} ${plan.summaryOnly.length === 1 ? "is" : "are"} on lines outside the diff (or in files without a text diff) and only reported here.`);
  if (!cfg.review.comments) notes.push("Inline comments are off (`review.comments: false`).");

  const outcome = await conclude(client, target, checkRunId, analysis, cfg, notes, link, options, failedComments.map((r) => r.placement.finding), review?.comments ?? 0, prepared.selected.length);
  return { ...outcome, status: "reviewed", resolvedThreads: resolved.resolved, ...(review ? { review } : {}), ...(reviewSkipped ? { reviewSkipped } : {}), ...(degraded ? { degraded } : {}), scan };
}

async function conclude(
  client: GitHubClient,
  target: RepositoryTarget,
  checkRunId: number,
  analysis: Analysis,
  cfg: ValidConfig["config"],
  notes: string[],
  link: (f: Finding) => string,
  options: ReviewOptions,
  priority: readonly Finding[],
  inlineComments: number,
  filesReviewed: number,
): Promise<Omit<ReviewOutcome, "status" | "resolvedThreads">> {
  const clock = options.clock ?? (() => new Date());
  const active = [...analysis.introduced, ...analysis.preExisting];
  const { conclusion, gating } = decideConclusion({ gate: cfg.review.gate, failOn: cfg.failOn, introduced: analysis.introduced, active });
  const max = options.maxAnnotations ?? MAX_ANNOTATIONS;
  const annotations = buildAnnotations(active, new Set(gating), new Set(analysis.introduced), max, new Set(priority));
  if (active.length > annotations.length)
    notes.push(`${annotations.length} of ${plural(active.length, "finding")} are shown as annotations (Bulwark's limit per check run); all of them are listed below.`);
  const catalog = options.scan?.catalog ?? getCatalog();
  // "Apply fixes" commits the safe (AUTO) fixes; planning may have been deferred, so ask the engine's record.
  const fixable = active.some((f) => isFixable(f) && catalog.meta(f.ruleId)?.fix === "AUTO");
  const summaryInput = {
    conclusion,
    failOn: cfg.failOn,
    gate: cfg.review.gate,
    introduced: analysis.introduced,
    preExisting: analysis.preExisting,
    suppressed: analysis.suppressed,
    gating,
    filesReviewed,
    notes,
    link,
    inlineComments,
  };
  const text = buildText(summaryInput);
  const done = await completeCheckRun(client, target.repo, checkRunId, {
    conclusion,
    output: { title: checkTitle(summaryInput), summary: buildSummary(summaryInput), ...(text ? { text } : {}) },
    annotations,
    ...(fixable ? { actions: [APPLY_FIXES_ACTION] } : {}),
    completedAt: clock(),
  });
  return {
    checkRunId,
    conclusion,
    annotations: done.annotationsPosted,
    findings: {
      introduced: analysis.introduced.length,
      preExisting: analysis.preExisting.length,
      suppressed: analysis.suppressed.length,
      bySeverity: { introduced: countBySeverity(analysis.introduced), preExisting: countBySeverity(analysis.preExisting) },
    },
    notes: [...notes, ...done.problems],
  };
}

async function concludeConfigError(client: GitHubClient, repo: RepoRef, checkRunId: number, config: InvalidConfig, clock: () => Date): Promise<ReviewOutcome> {
  const first = config.errors[0];
  const lines = config.errors.map((e) => `${config.file}:${e.line}:${e.column}: ${sanitizeInline(e.message)}`);
  const summary = [
    `❌ **The Bulwark config is invalid**, so nothing was reviewed. Fix it on the default branch (a pull request cannot change the config it is reviewed with).`,
    "",
    "```",
    ...lines.slice(0, 50),
    "```",
    ...(lines.length > 50 ? [`…and ${lines.length - 50} more errors.`] : []),
  ].join("\n");
  await completeCheckRun(client, repo, checkRunId, {
    conclusion: "failure",
    output: { title: `Invalid config: ${config.file} line ${first?.line ?? 1}`, summary },
    annotations: [],
    completedAt: clock(),
  });
  return { checkRunId, conclusion: "failure", status: "config-error", resolvedThreads: 0, annotations: 0, findings: { introduced: 0, preExisting: 0, suppressed: 0 }, notes: lines, error: config.message };
}

function nothingSummary(files: number, notes: readonly string[]): string {
  const out = [`✅ None of the ${plural(files, "changed file")} is a Kubernetes manifest, Helm chart, Kustomize file or Dockerfile that Bulwark reviews.`];
  if (notes.length > 0) out.push("", "**Notes**", "", ...notes.map((n) => `- ${n}`));
  return out.join("\n");
}

/**
 * Resolve the threads of earlier Bulwark comments whose finding is gone. With `analysis`
 * undefined no file was analysed: only threads on files that left the pull request are resolved.
 * A comment on a file that was not analysed this time (excluded, unreadable, beyond the 3,000-file
 * listing) is left alone.
 */
async function resolveGone(
  client: GitHubClient,
  target: PullRequestTarget,
  analysis: Analysis | undefined,
  existing: readonly ExistingComment[],
  files: readonly PullFile[],
  listingTruncated: boolean,
  log: ReviewLogger,
): Promise<{ resolved: number; problems: string[] }> {
  if (existing.length === 0) return { resolved: 0, problems: [] };
  const current = new Set((analysis?.head ?? []).filter((f) => !f.suppressed).map((f) => f.fingerprint));
  const inPr = new Set(files.map((f) => f.filename));
  const gone = new Set(
    existing
      .filter((c) => !current.has(c.fingerprint) && (analysis?.analysedPaths.has(c.path) === true || (!listingTruncated && !inPr.has(c.path))))
      .map((c) => c.id),
  );
  if (gone.size === 0) return { resolved: 0, problems: [] };
  try {
    const r = await resolveThreads(client, target.repo, target.number, gone);
    return { resolved: r.resolved, problems: r.problems };
  } catch (err) {
    log.warn(`resolving threads failed: ${errorSummary(err)}`);
    return { resolved: 0, problems: [`Threads of fixed findings could not be resolved (${errorSummary(err)}).`] };
  }
}

// ---------------------------------------------------------------- merge groups

export interface CommitRangeTarget extends RepositoryTarget {
  headSha: string;
  baseSha: string;
  /** `external_id` of the check run (the app stores "merge_group:<base sha>" to allow re-runs). */
  externalId?: string;
}

interface CompareData {
  files?: PullFile[];
}

/**
 * Review a merge group (or any base...head range): same scan and gate, no review comments.
 * Files come from `GET /compare/{base}...{head}` (GitHub lists at most 300 there).
 */
export async function reviewCommitRange(client: GitHubClient, target: CommitRangeTarget, options: ReviewOptions = {}): Promise<ReviewOutcome> {
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? SILENT;
  const checkRunId = options.checkRunId ?? (await openCheckRun(client, target.repo, target.headSha, target.externalId, clock(), options.resumeCheckRun));
  const progress: Progress = {};
  try {
    const notes: string[] = [];
    const res = await client.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
      owner: target.repo.owner,
      repo: target.repo.repo,
      basehead: `${target.baseSha}...${target.headSha}`,
      per_page: 100,
    });
    const files = (res.data as CompareData).files ?? [];
    if (files.length >= 300) notes.push("GitHub lists at most 300 files of a comparison: files beyond that were not reviewed.");
    const prepared = await prepare(client, target, target.headSha, target.baseSha, { files, truncated: files.length >= 300 }, notes, options, progress);
    const { scan } = prepared;
    if (prepared.kind === "config-error") return { ...(await concludeConfigError(client, target.repo, checkRunId, prepared.config, clock)), scan };
    if (prepared.kind === "nothing") {
      await completeCheckRun(client, target.repo, checkRunId, { conclusion: "success", output: { title: "Nothing to review", summary: nothingSummary(files.length, notes) }, annotations: [], completedAt: clock() });
      return { checkRunId, conclusion: "success", status: "nothing-to-review", resolvedThreads: 0, annotations: 0, findings: { introduced: 0, preExisting: 0, suppressed: 0 }, notes, scan };
    }
    const link = (f: Finding) => permalink(target.htmlUrl, target.headSha, f.path, f.range.startLine, f.range.endLine);
    const outcome = await conclude(client, target, checkRunId, prepared.analysis, prepared.config.config, notes, link, options, [], 0, prepared.selected.length);
    return { ...outcome, status: "reviewed", resolvedThreads: 0, scan };
  } catch (err) {
    return concludeWithError(client, target.repo, checkRunId, err, clock, log, progress.scan);
  }
}

export type { CommentPlan };
