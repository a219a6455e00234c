// The GitHub Action: events in, the shared review pipeline (src/github) and the engine run through
// the API (no checkout needed), results out as a review + check run, workflow annotations, a job
// summary, a SARIF file, step outputs and the exit code (the gate).
//
//   pull_request(_target) · review  → check run + review (reviewPullRequest); gate
//                         · review, comment: false → check run only (reviewCommitRange); gate
//   merge_group           · review  → check run on the merge group head (reviewCommitRange); gate
//   pull_request, merge_group · check → no API writes: annotations + summary; gate
//   push                  · review/check → files changed between `before` and `after` (compare),
//                           limited to `paths`: annotations + summary; gate
//   schedule, workflow_dispatch, others · review/check → every file at the commit (limited to
//                           `paths`): annotations + summary; gate on all findings
//   any event             · sarif   → every file at the commit → SARIF file + summary; gate
//   any event             · update  → stale images and charts (src/updates) in the summary
//
// In `review` mode the pipeline's own scan (ReviewOutcome.scan; the `config` input reaches it as
// ReviewOptions.config) is the action's result: summary, outputs, annotations and the `fail-on`
// gate come from it, with no second scan. The action scans by itself in `check` mode, on pushes
// and schedules, and when the pipeline could not start (its check run refused).
//
// A write the token may not make (403 "Resource not accessible by integration": fork pull
// requests, missing `permissions:`) never fails the job by itself: the findings go to workflow
// annotations, the summary and the exit code instead, and one log line says how to get reviews.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import * as core from "@actions/core";
import { context as ghContext, getOctokit } from "@actions/github";
import type { Finding, Severity } from "../core/types.js";
import { DEFAULT_CONFIG } from "../core/config/schema.js";
import type { RepoRef } from "../github/client.js";
import { errorSummary } from "../github/client.js";
import { buildSummary, buildText, checkTitle, decideConclusion, permalink } from "../github/checkrun.js";
import type { Conclusion } from "../github/checkrun.js";
import { listPullRequestFiles } from "../github/pr-files.js";
import type { PullFile } from "../github/pr-files.js";
import { reviewCommitRange, reviewPullRequest } from "../github/review.js";
import type { ReviewLogger, ReviewOptions, ReviewOutcome, ReviewScan } from "../github/review.js";
import { plural, sanitizeInline } from "../report/common.js";
import { createActionClient } from "./client.js";
import type { ActionClient, OctokitLike } from "./client.js";
import { EventError, parseEvent, ZERO_SHA } from "./event.js";
import type { ActionContext, ActionEvent } from "./event.js";
import { InputError, readInputs } from "./inputs.js";
import type { ActionInputs } from "./inputs.js";
import { buildActionSarif, buildOutputs, planAnnotations, renderJobSummary } from "./report.js";
import type { JobSummaryInput } from "./report.js";
import { fromReview, scanChanges, scanTree } from "./scan.js";
import type { ScanOutcome, ScanSettings, Scanned } from "./scan.js";
import { openUpdatePullRequests, runUpdateMode } from "./updates.js";

/** The one line that explains a read-only token (printed at most once per run). */
export const READ_ONLY_HELP =
  "Bulwark could not write to this pull request: the GITHUB_TOKEN is read-only (403 Resource not accessible by integration), as it always is for pull requests from forks. " +
  "Findings are reported as workflow annotations, in the job summary and by the exit code instead. " +
  "For inline reviews and the Bulwark check run, install the Bulwark GitHub App (it also reviews fork pull requests), or, for pull requests from branches of this repository, " +
  "run on `pull_request` with `permissions: { contents: read, pull-requests: write, checks: write }`. Do not switch to `pull_request_target` with a checkout of the pull request's code.";

/** The side effects of a run (core in production; tests of main() in-process may record them). */
export interface ActionIO {
  getInput(name: string): string;
  info(msg: string): void;
  debug(msg: string): void;
  annotate(kind: "error" | "warning" | "notice", msg: string, props?: core.AnnotationProperties): void;
  setOutput(name: string, value: string): void;
  setFailed(msg: string): void;
  writeSummary(markdown: string): Promise<void>;
}

export interface RunDeps {
  env: Readonly<Record<string, string | undefined>>;
  io: ActionIO;
  eventName: string;
  payload: Record<string, unknown>;
  octokit: (token: string) => OctokitLike;
  now: () => Date;
}

function coreIO(): ActionIO {
  return {
    getInput: (name) => core.getInput(name),
    info: (msg) => core.info(msg),
    debug: (msg) => core.debug(msg),
    annotate: (kind, msg, props) => (kind === "error" ? core.error(msg, props) : kind === "warning" ? core.warning(msg, props) : core.notice(msg, props)),
    setOutput: (name, value) => core.setOutput(name, value),
    setFailed: (msg) => core.setFailed(msg),
    writeSummary: async (markdown) => {
      await core.summary.addRaw(markdown, true).write();
    },
  };
}

function defaultDeps(): RunDeps {
  const env = process.env;
  return {
    env,
    io: coreIO(),
    eventName: ghContext.eventName ?? env.GITHUB_EVENT_NAME ?? "",
    payload: ghContext.payload as Record<string, unknown>,
    octokit: (token) => {
      const octokit = getOctokit(token, { baseUrl: (env.GITHUB_API_URL ?? "https://api.github.com").replace(/\/+$/, ""), userAgent: "bulwark-action" });
      // The REST version Bulwark is written against (2026-03-10 changes some shapes).
      octokit.hook.before("request", (options) => {
        options.headers["x-github-api-version"] = "2022-11-28";
      });
      // Octokit derives the GraphQL endpoint from the API URL; GITHUB_GRAPHQL_URL is authoritative.
      const graphql = env.GITHUB_GRAPHQL_URL ? octokit.graphql.defaults({ url: env.GITHUB_GRAPHQL_URL }) : octokit.graphql;
      return { request: (route, params) => octokit.request(route, params), graphql: (query, params) => graphql(query, params) };
    },
    now: () => new Date(),
  };
}

/** What one run found and decided; turned into outputs, annotations, summary and exit code. */
interface RunResult {
  subject: string;
  facts: string[];
  outcome?: ScanOutcome;
  failOn: Severity;
  conclusion: Conclusion | "skipped";
  gating: Finding[];
  /** Emit workflow annotations (no check run carries the findings). */
  annotate: boolean;
  /** Scanned commit for permalinks. */
  linkSha?: string;
  sarifFile?: string;
  notes: string[];
  /** Fails the job besides the gate (internal error, invalid config). */
  error?: string;
  /** Extra markdown for the summary (update mode). */
  extraSummary?: string;
  /** Replaces the findings headline (summary and log). */
  headline?: string;
}

/** What a run of the shared pipeline adds to the result (see Runner.pipeline). */
type PipelineReport = Pick<RunResult, "facts" | "notes" | "annotate" | "error">;

const PR_LISTING_TRUNCATED = "This pull request changes more files than GitHub lists (3,000): the others were not scanned.";
const COMPARE_TRUNCATED = "GitHub lists at most 300 files of a comparison: files beyond that were not scanned.";

class Runner {
  private helpShown = false;

  constructor(
    private readonly deps: RunDeps,
    private readonly inputs: ActionInputs,
    private readonly ctx: ActionContext,
    private readonly client: ActionClient,
  ) {}

  get repo(): RepoRef {
    return this.ctx.repository.repo;
  }

  get settings(): ScanSettings {
    return { repo: this.repo, configPath: this.inputs.configPath, now: this.deps.now() };
  }

  /** The shared pipeline's options: its log, the `config` input's path, the run's clock for the scan. */
  get reviewOptions(): ReviewOptions {
    return { log: this.log, config: { path: this.inputs.configPath }, scan: { now: this.deps.now() } };
  }

  private log: ReviewLogger = {
    // The pipeline's own lines; a denied write is explained once by the action instead.
    info: (m) => this.deps.io.info(m),
    warn: (m) => (this.client.denials.length > 0 ? this.deps.io.debug(m) : this.deps.io.info(`warning: ${m}`)),
    error: (m) => (this.client.denials.length > 0 ? this.deps.io.debug(m) : this.deps.io.info(`error: ${m}`)),
  };

  /** Say once why nothing was written and how to fix it. */
  explainReadOnly(): void {
    if (this.helpShown) return;
    this.helpShown = true;
    const first = this.client.denials[0];
    this.deps.io.annotate("warning", `${READ_ONLY_HELP}${first ? ` (first refused request: ${first.route})` : ""}`);
  }

  private failOnFor(outcome: ScanOutcome | undefined): Severity {
    const cfg = outcome && "config" in outcome && outcome.config && "config" in outcome.config ? outcome.config.config : undefined;
    return this.inputs.failOn ?? cfg?.failOn ?? DEFAULT_CONFIG.failOn;
  }

  /** Conclusion and gating findings for an outcome, with the effective fail-on. */
  decide(outcome: ScanOutcome): { conclusion: Conclusion; gating: Finding[]; failOn: Severity } {
    const failOn = this.failOnFor(outcome);
    if (outcome.kind !== "scanned") return { conclusion: outcome.kind === "config-error" ? "failure" : "success", gating: [], failOn };
    const { conclusion, gating } = decideConclusion({
      gate: outcome.config.config.review.gate,
      failOn,
      introduced: outcome.introduced,
      active: [...outcome.introduced, ...outcome.preExisting],
    });
    return { conclusion, gating, failOn };
  }

  private result(subject: string, facts: string[], outcome: ScanOutcome, annotate: boolean, notes: string[] = []): RunResult {
    const d = this.decide(outcome);
    const r: RunResult = { subject, facts, outcome, failOn: d.failOn, conclusion: d.conclusion, gating: d.gating, annotate, linkSha: outcome.headSha, notes: [...notes, ...outcome.notes] };
    if (outcome.kind === "scanned") r.facts.push(`config \`${outcome.config.label}\``);
    if (outcome.kind === "config-error") r.error = `the Bulwark config is invalid: ${outcome.message.split("\n")[0]}`;
    return r;
  }

  // ------------------------------------------------------------ listings

  async compare(base: string, head: string): Promise<{ files: PullFile[]; mergeBase?: string }> {
    // The request reviewCommitRange makes; the action makes it only where the pipeline does not run.
    const res = await this.client.request("GET /repos/{owner}/{repo}/compare/{basehead}", { owner: this.repo.owner, repo: this.repo.repo, basehead: `${base}...${head}`, per_page: 100 });
    const data = res.data as { files?: PullFile[]; merge_base_commit?: { sha?: string } };
    return { files: data.files ?? [], ...(data.merge_base_commit?.sha ? { mergeBase: data.merge_base_commit.sha } : {}) };
  }

  async defaultBranch(): Promise<string> {
    if (this.ctx.repository.defaultBranch) return this.ctx.repository.defaultBranch;
    const res = await this.client.request("GET /repos/{owner}/{repo}", { owner: this.repo.owner, repo: this.repo.repo });
    const branch = (res.data as { default_branch?: string }).default_branch ?? "main";
    this.ctx.repository.defaultBranch = branch;
    return branch;
  }

  async commitSha(ref: string): Promise<string> {
    const res = await this.client.request("GET /repos/{owner}/{repo}/commits/{ref}", { owner: this.repo.owner, repo: this.repo.repo, ref });
    const sha = (res.data as { sha?: string }).sha;
    if (!sha) throw new Error(`GitHub returned no commit for ${ref}`);
    return sha;
  }

  // ------------------------------------------------------------ pipeline writes

  /**
   * Run a write of the shared pipeline. A refused write (read-only token) falls back to
   * annotations; any other failure is reported and fails the job (the check run, if any, was
   * concluded by the pipeline).
   */
  async pipeline(run: () => Promise<ReviewOutcome>, r: PipelineReport): Promise<ReviewOutcome | undefined> {
    let outcome: ReviewOutcome | undefined;
    try {
      outcome = await run();
    } catch (err) {
      if (this.client.denials.length === 0) {
        r.error = `Bulwark could not create its check run: ${errorSummary(err)}`;
        r.annotate = true;
        return undefined;
      }
    }
    if (this.client.denials.length > 0) {
      r.annotate = true;
      r.notes.push(`The token could not write to the pull request (${this.client.denials[0]!.route}: ${sanitizeInline(this.client.denials[0]!.message)}): findings are shown as annotations of this job instead.`);
      this.explainReadOnly();
      return outcome;
    }
    if (outcome?.status === "internal-error") r.error = `the Bulwark review failed: ${outcome.error ?? "internal error"}`;
    if (outcome?.review) r.facts.push(`review posted with ${plural(outcome.review.comments, "inline comment")}`);
    if (outcome?.reviewSkipped && outcome.reviewSkipped !== "degraded") r.notes.push(`No review posted (${outcome.reviewSkipped}).`);
    if (outcome) r.facts.push(`check run \`${outcome.conclusion}\``);
    return outcome;
  }

  /**
   * The `fail-on` input overrides the config's `failOn`; the pipeline concluded the check run with
   * the config's. When that changes the conclusion, the check run is concluded again so that it
   * and the job agree.
   */
  async reconclude(po: ReviewOutcome | undefined, r: RunResult, outcome: Scanned): Promise<void> {
    if (!po || po.status !== "reviewed" || this.client.denials.length > 0 || r.conclusion === "skipped" || po.conclusion === r.conclusion) return;
    const cfgFailOn = outcome.config.config.failOn;
    const link = (f: Finding) => permalink(this.ctx.repository.htmlUrl, outcome.headSha, f.path, f.range.startLine, f.range.endLine);
    const input = {
      conclusion: r.conclusion,
      failOn: r.failOn,
      gate: outcome.config.config.review.gate,
      introduced: outcome.introduced,
      preExisting: outcome.preExisting,
      suppressed: outcome.suppressed,
      gating: r.gating,
      filesReviewed: outcome.filesScanned,
      notes: [`The action's \`fail-on: ${r.failOn}\` input overrides \`failOn: ${cfgFailOn}\` of the config.`, ...po.notes],
      link,
      inlineComments: po.review?.comments ?? 0,
    };
    const text = buildText(input);
    try {
      await this.client.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
        owner: this.repo.owner,
        repo: this.repo.repo,
        check_run_id: po.checkRunId,
        status: "completed",
        conclusion: r.conclusion,
        completed_at: this.deps.now().toISOString(),
        output: { title: checkTitle(input), summary: buildSummary(input), ...(text ? { text } : {}) },
      });
      r.facts.push(`check run re-concluded \`${r.conclusion}\` for fail-on ${r.failOn}`);
    } catch (err) {
      if (this.client.denials.length > 0) this.explainReadOnly();
      r.notes.push(`The check run could not be re-concluded with fail-on ${r.failOn} (${sanitizeInline(errorSummary(err))}).`);
    }
  }

  /**
   * A change reviewed by the shared pipeline, its result built from the pipeline's scan. When the
   * pipeline could not start (its check run refused, e.g. a read-only token), `ownScan` scans the
   * change instead, for annotations, summary and gate.
   */
  async reviewed(
    head: { subject: string; facts: string[]; notes: string[]; headSha: string; baseSha: string },
    review: () => Promise<ReviewOutcome>,
    ownScan: () => Promise<{ outcome: ScanOutcome; notes: string[] }>,
    listingNotes: (scan: ReviewScan) => string[],
  ): Promise<RunResult> {
    const { subject, facts, notes } = head;
    const report: PipelineReport = { facts: [], notes: [], annotate: false };
    const po = await this.pipeline(review, report);
    let r: RunResult;
    if (po?.scan) {
      r = this.result(subject, facts, fromReview(po.scan, head), false, [...notes, ...listingNotes(po.scan)]);
    } else if (po) {
      // The pipeline failed before its scan finished (its error says why; the check run says so too).
      r = { subject, facts, failOn: this.failOnFor(undefined), conclusion: "failure", gating: [], annotate: false, linkSha: head.headSha, notes: [...notes], error: `the Bulwark review failed: ${po.error ?? "internal error"}` };
    } else {
      const own = await ownScan();
      r = this.result(subject, facts, own.outcome, false, [...notes, ...own.notes]);
    }
    r.facts.push(...report.facts);
    r.notes.push(...report.notes);
    if (report.annotate) r.annotate = true;
    if (report.error) r.error = report.error;
    if (r.outcome?.kind === "scanned") await this.reconclude(po, r, r.outcome);
    return r;
  }

  /** The pull request's files (listing) scanned by the action itself. */
  async scanPullRequest(ev: Extract<ActionEvent, { kind: "pull-request" }>): Promise<{ outcome: ScanOutcome; notes: string[] }> {
    const listing = await listPullRequestFiles(this.client, this.repo, ev.number, ev.changedFiles);
    const outcome = await scanChanges(this.client, this.settings, { headSha: ev.headSha, baseSha: ev.baseSha, files: listing.files });
    return { outcome, notes: listing.truncated ? [PR_LISTING_TRUNCATED] : [] };
  }

  /** A comparison (merge groups; pull requests with `comment: false`) scanned by the action itself. */
  async scanComparison(base: string, head: string, truncationNote: boolean): Promise<{ outcome: ScanOutcome; notes: string[] }> {
    const cmp = await this.compare(base, head);
    const outcome = await scanChanges(this.client, this.settings, { headSha: head, baseSha: base, files: cmp.files });
    return { outcome, notes: truncationNote && cmp.files.length >= 300 ? [COMPARE_TRUNCATED] : [] };
  }

  // ------------------------------------------------------------ events

  async pullRequest(ev: Extract<ActionEvent, { kind: "pull-request" }>): Promise<RunResult> {
    const subject = `Pull request #${ev.number}`;
    const facts = [`head \`${ev.headSha.slice(0, 7)}\` vs base \`${ev.baseSha.slice(0, 7)}\``, `mode \`${this.inputs.mode}\``];
    if (ev.state === "closed" || ev.action === "closed")
      return { subject, facts, failOn: this.failOnFor(undefined), conclusion: "skipped", gating: [], annotate: false, notes: ["The pull request is closed: nothing to review."] };
    if (this.inputs.mode !== "review") {
      const own = await this.scanPullRequest(ev);
      return this.result(subject, facts, own.outcome, true, own.notes);
    }
    const head = { subject, facts, notes: ev.fromFork ? ["The pull request comes from a fork."] : [], headSha: ev.headSha, baseSha: ev.baseSha };
    if (!this.inputs.comment) {
      // comment: false → the pipeline's no-review path (a comparison of base...head), check run only.
      return this.reviewed(
        head,
        () => reviewCommitRange(this.client, { ...this.target(ev.baseSha), headSha: ev.headSha, baseSha: ev.baseSha, externalId: String(ev.number) }, this.reviewOptions),
        () => this.scanComparison(ev.baseSha, ev.headSha, false),
        () => [],
      );
    }
    return this.reviewed(
      head,
      () =>
        reviewPullRequest(
          this.client,
          {
            ...this.target(ev.baseSha),
            number: ev.number,
            headSha: ev.headSha,
            baseSha: ev.baseSha,
            ...(ev.changedFiles !== undefined ? { changedFiles: ev.changedFiles } : {}),
            ...(ev.reviewComments !== undefined ? { reviewComments: ev.reviewComments } : {}),
          },
          this.reviewOptions,
        ),
      () => this.scanPullRequest(ev),
      (scan) => (scan.listingTruncated ? [PR_LISTING_TRUNCATED] : []),
    );
  }

  /** Repository target for the pipeline; `defaultBranch` is where it reads the config: the base. */
  private target(configRef: string) {
    return { repo: this.repo, htmlUrl: this.ctx.repository.htmlUrl, defaultBranch: configRef };
  }

  async mergeGroup(ev: Extract<ActionEvent, { kind: "merge-group" }>): Promise<RunResult> {
    const subject = "Merge group";
    const facts = [`head \`${ev.headSha.slice(0, 7)}\` vs base \`${ev.baseSha.slice(0, 7)}\``, `mode \`${this.inputs.mode}\``];
    if (this.inputs.mode !== "review") {
      const own = await this.scanComparison(ev.baseSha, ev.headSha, true);
      return this.result(subject, facts, own.outcome, true, own.notes);
    }
    return this.reviewed(
      { subject, facts, notes: [], headSha: ev.headSha, baseSha: ev.baseSha },
      () => reviewCommitRange(this.client, { ...this.target(ev.baseSha), headSha: ev.headSha, baseSha: ev.baseSha, externalId: `merge_group:${ev.baseSha}` }, this.reviewOptions),
      () => this.scanComparison(ev.baseSha, ev.headSha, true),
      (scan) => (scan.listingTruncated ? [COMPARE_TRUNCATED] : []),
    );
  }

  /** The base of a push: `before`, or the default branch for a new branch; undefined: scan the tree. */
  async pushBase(ev: Extract<ActionEvent, { kind: "push" }>): Promise<{ base?: string; note?: string }> {
    if (!ev.created && ev.before !== ZERO_SHA) return { base: ev.before };
    const main = await this.defaultBranch();
    if (ev.ref === `refs/heads/${main}`) return { note: `First push of \`${main}\`: every file was scanned.` };
    return { base: main, note: `New branch: compared with \`${main}\`.` };
  }

  async push(ev: Extract<ActionEvent, { kind: "push" }>): Promise<RunResult> {
    const branch = ev.ref?.replace(/^refs\/(heads|tags)\//, "") ?? "?";
    const subject = `Push to ${branch}`;
    const facts = [`\`${ev.before.slice(0, 7)}\`…\`${ev.after.slice(0, 7)}\``, `mode \`${this.inputs.mode}\``];
    if (ev.deleted) return { subject, facts, failOn: this.failOnFor(undefined), conclusion: "skipped", gating: [], annotate: false, notes: ["The branch was deleted: nothing to scan."] };
    const { base, note } = await this.pushBase(ev);
    const notes = note ? [note] : [];
    if (base !== undefined) {
      let cmp: { files: PullFile[]; mergeBase?: string } | undefined;
      try {
        cmp = await this.compare(base, ev.after);
      } catch (err) {
        notes.push(`\`${base.slice(0, 12)}\` could not be compared with \`${ev.after.slice(0, 7)}\` (${sanitizeInline(errorSummary(err))}), e.g. after a force push: every file was scanned.`);
      }
      if (cmp) {
        const baseSha = cmp.mergeBase ?? base;
        const outcome = await scanChanges(this.client, this.settings, { headSha: ev.after, baseSha, files: cmp.files, paths: this.inputs.paths });
        return this.result(subject, facts, outcome, true, [...notes, ...(cmp.files.length >= 300 ? [COMPARE_TRUNCATED] : [])]);
      }
    }
    const outcome = await scanTree(this.client, this.settings, { sha: ev.after, paths: this.inputs.paths });
    return this.result(subject, facts, outcome, true, notes);
  }

  async snapshotSha(ev: Extract<ActionEvent, { kind: "snapshot" }>): Promise<string> {
    return ev.sha ?? (await this.commitSha(await this.defaultBranch()));
  }

  async snapshot(ev: Extract<ActionEvent, { kind: "snapshot" }>): Promise<RunResult> {
    const sha = await this.snapshotSha(ev);
    const subject = ev.name === "schedule" ? "Scheduled scan" : ev.name === "workflow_dispatch" ? "Manual scan" : `Scan (${ev.name})`;
    const facts = [`commit \`${sha.slice(0, 7)}\``, `mode \`${this.inputs.mode}\``];
    const notes = ["schedule", "workflow_dispatch"].includes(ev.name) ? [] : [`Bulwark has no special handling for \`${ev.name}\` events: it scanned the repository at the commit.`];
    const outcome = await scanTree(this.client, this.settings, { sha, paths: this.inputs.paths });
    return this.result(subject, facts, outcome, true, notes);
  }

  /** mode: sarif — every file of the commit, new-vs-base for the files the change touches. */
  async sarif(ev: ActionEvent): Promise<RunResult> {
    const env = this.deps.env;
    let sha: string;
    let baseSha: string | undefined;
    let changed: PullFile[] | undefined;
    let subject: string;
    const notes: string[] = [];
    switch (ev.kind) {
      case "pull-request": {
        // upload-sarif files the analysis under GITHUB_SHA (the test merge commit).
        sha = env.GITHUB_SHA || ev.headSha;
        baseSha = ev.baseSha;
        changed = (await listPullRequestFiles(this.client, this.repo, ev.number, ev.changedFiles)).files;
        subject = `Pull request #${ev.number}`;
        break;
      }
      case "merge-group":
        sha = env.GITHUB_SHA || ev.headSha;
        baseSha = ev.baseSha;
        changed = (await this.compare(ev.baseSha, ev.headSha)).files;
        subject = "Merge group";
        break;
      case "push": {
        subject = `Push to ${ev.ref?.replace(/^refs\/(heads|tags)\//, "") ?? "?"}`;
        if (ev.deleted) return { subject, facts: [], failOn: this.failOnFor(undefined), conclusion: "skipped", gating: [], annotate: false, notes: ["The branch was deleted: nothing to scan."] };
        sha = ev.after;
        const { base, note } = await this.pushBase(ev);
        if (note) notes.push(note);
        if (base !== undefined) {
          try {
            const cmp = await this.compare(base, ev.after);
            baseSha = cmp.mergeBase ?? base;
            changed = cmp.files;
          } catch (err) {
            notes.push(`\`${base.slice(0, 12)}\` could not be compared with \`${ev.after.slice(0, 7)}\` (${sanitizeInline(errorSummary(err))}): every finding counts as new.`);
          }
        }
        break;
      }
      case "snapshot":
        sha = env.GITHUB_SHA || (await this.snapshotSha(ev));
        subject = ev.name === "schedule" ? "Scheduled scan" : ev.name === "workflow_dispatch" ? "Manual scan" : `Scan (${ev.name})`;
        break;
    }
    const outcome = await scanTree(this.client, this.settings, { sha, ...(baseSha ? { baseSha } : {}), ...(changed ? { changed } : {}), paths: this.inputs.paths, fixes: "plan" });
    const facts = [`commit \`${sha.slice(0, 7)}\`${baseSha ? ` vs base \`${baseSha.slice(0, 7)}\`` : ""}`, "mode `sarif`"];
    const r = this.result(subject, facts, outcome, false, notes);
    if (outcome.kind === "scanned" || outcome.kind === "nothing") {
      const file = this.sarifPath();
      const scanned = outcome.kind === "scanned" ? outcome : undefined;
      const empty = { findings: [], summary: { files: 0, resources: 0, findings: 0, suppressed: 0, bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, byRule: {}, errors: 0 } };
      const sarif = buildActionSarif(scanned?.result ?? empty, scanned?.texts ?? new Map());
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, sarif.text, "utf8");
      r.sarifFile = file;
      r.facts.push(`SARIF: \`${this.inputs.sarifFile}\` (${plural(sarif.log.runs[0]?.results.length ?? 0, "result")})`);
    }
    return r;
  }

  sarifPath(): string {
    const ws = this.deps.env.GITHUB_WORKSPACE || process.cwd();
    return isAbsolute(this.inputs.sarifFile) ? this.inputs.sarifFile : resolve(ws, this.inputs.sarifFile);
  }

  async update(ev: ActionEvent): Promise<RunResult> {
    const sha = ev.kind === "pull-request" || ev.kind === "merge-group" ? ev.headSha : ev.kind === "push" ? ev.after : await this.snapshotSha(ev);
    const u = await runUpdateMode(this.client, {
      repo: this.repo,
      sha,
      paths: this.inputs.paths,
      configPath: this.inputs.configPath,
      now: this.deps.now(),
      env: this.deps.env,
      ...(this.inputs.openPullRequests ? { openPullRequests: openUpdatePullRequests } : {}),
    });
    const n = u.plan?.updates.length ?? 0;
    return {
      subject: "Dependency updates",
      facts: [`commit \`${sha.slice(0, 7)}\``, "mode `update`"],
      failOn: this.failOnFor(undefined),
      conclusion: u.error ? "failure" : n > 0 ? "neutral" : "success",
      gating: [],
      annotate: false,
      notes: u.notes,
      extraSummary: u.markdown,
      headline: n > 0 ? `🔄 **${plural(n, "update")} available**` : "✅ **Everything is up to date**",
      ...(u.error ? { error: u.error } : {}),
    };
  }

  async run(): Promise<RunResult> {
    const ev = this.ctx.event;
    if (this.inputs.mode === "update") return this.update(ev);
    if (this.inputs.mode === "sarif") return this.sarif(ev);
    switch (ev.kind) {
      case "pull-request":
        return this.pullRequest(ev);
      case "merge-group":
        return this.mergeGroup(ev);
      case "push":
        return this.push(ev);
      case "snapshot":
        return this.snapshot(ev);
    }
  }
}

// ------------------------------------------------------------ reporting

async function report(deps: RunDeps, inputs: ActionInputs, ctx: ActionContext, r: RunResult): Promise<void> {
  const { io } = deps;
  const outcome = r.outcome;
  const scanned = outcome?.kind === "scanned" ? outcome : undefined;
  const active = scanned ? [...scanned.introduced, ...scanned.preExisting] : [];
  const link = (f: Finding) => permalink(ctx.repository.htmlUrl, r.linkSha ?? scanned?.headSha ?? "HEAD", f.path, f.range.startLine, f.range.endLine);

  for (const [name, value] of Object.entries(buildOutputs(active, r.conclusion, r.sarifFile))) io.setOutput(name, value);

  const notes = [...r.notes];
  if (outcome?.kind === "config-error") {
    // The config errors point at the config file's lines.
    for (const e of outcome.errors.slice(0, 10)) io.annotate("error", e.message, { title: "Invalid Bulwark config", file: inputs.configPath, startLine: Math.max(1, e.line), startColumn: Math.max(1, e.column) });
    notes.unshift(`The config \`${outcome.label}\` is invalid, so nothing was scanned. Fix it on the base branch (a change cannot alter the config it is reviewed with).`);
  } else if (scanned && r.annotate) {
    const plan = planAnnotations(scanned.introduced, scanned.preExisting, new Set(r.gating));
    for (const a of plan.annotations) {
      io.annotate(a.kind, a.message, {
        title: a.title,
        file: a.file,
        startLine: a.startLine,
        endLine: a.endLine,
        ...(a.startColumn !== undefined ? { startColumn: a.startColumn, endColumn: a.endColumn } : {}),
      });
    }
    if (plan.omitted > 0) notes.push(`${plural(plan.omitted, "more finding")} ${plan.omitted === 1 ? "is" : "are"} listed here but not annotated (GitHub shows 10 annotations of each kind per step).`);
  }

  const summaryInput: JobSummaryInput = {
    subject: r.subject,
    facts: r.facts,
    conclusion: r.conclusion,
    failOn: r.failOn,
    hasBase: outcome?.baseSha !== undefined,
    introduced: scanned?.introduced ?? [],
    preExisting: scanned?.preExisting ?? [],
    suppressed: scanned?.suppressed ?? [],
    gating: r.gating,
    filesScanned: scanned?.filesScanned ?? 0,
    notes,
    link,
    ...(scanned ? { report: scanned.result } : {}),
  };
  if (r.error) summaryInput.headline = `❌ **${sanitizeInline(r.error)}**`;
  else if (r.headline) summaryInput.headline = r.headline;
  else if (r.conclusion === "skipped" && !r.extraSummary) summaryInput.headline = "⏭️ **Nothing to do**";
  else if (outcome?.kind === "nothing") summaryInput.headline = `✅ **Nothing to review**: none of the ${plural(outcome.listed, "file")} is a Kubernetes manifest, Helm chart, Kustomize file or Dockerfile Bulwark scans${outcome.notes.length ? " (see the notes)" : ""}.`;
  let markdown = renderJobSummary(summaryInput);
  if (r.extraSummary) markdown += `\n${r.extraSummary}\n`;
  try {
    await io.writeSummary(markdown);
  } catch (err) {
    io.info(`The job summary could not be written (${err instanceof Error ? err.message : String(err)}).`);
  }

  if (r.error) {
    io.setFailed(`Bulwark: ${r.error}`);
    return;
  }
  const headline = r.headline
    ? r.headline.replace(/\*\*/g, "").replace(/^\S+ /, "").toLowerCase()
    : r.conclusion === "failure"
      ? `${plural(r.gating.length, outcome?.baseSha !== undefined ? "new finding" : "finding")} at or above ${r.failOn}`
      : r.conclusion === "skipped"
        ? "nothing to do"
        : active.length === 0
          ? "no findings"
          : `${plural(active.length, "finding")}, none ${outcome?.baseSha !== undefined ? "new " : ""}at or above ${r.failOn}`;
  io.info(`Bulwark: ${r.subject}: ${headline}.`);
  if (r.conclusion === "failure" && r.gating.length > 0) {
    const rules = [...new Set(r.gating.map((f) => f.ruleId))].slice(0, 5).join(", ");
    io.setFailed(`Bulwark: ${headline} (${rules}${new Set(r.gating.map((f) => f.ruleId)).size > 5 ? ", …" : ""}). See the job summary.`);
  }
}

/** Run the action; resolves with the exit code it set (1 when the gate or the run failed). */
export async function run(deps: RunDeps = defaultDeps()): Promise<number> {
  const { io } = deps;
  let failed = false;
  const io2: ActionIO = { ...io, setFailed: (m) => ((failed = true), io.setFailed(m)) };
  try {
    const inputs = readInputs((n) => io.getInput(n));
    const ctx = parseEvent(deps.eventName, deps.payload, deps.env);
    const client = createActionClient(deps.octokit(inputs.token), { debug: (m) => io.debug(m) });
    const runner = new Runner({ ...deps, io: io2 }, inputs, ctx, client);
    let result: RunResult;
    try {
      result = await runner.run();
    } catch (err) {
      if (client.denials.length > 0) runner.explainReadOnly();
      result = {
        subject: ctx.event.kind === "pull-request" ? `Pull request #${ctx.event.number}` : ctx.event.name,
        facts: [`mode \`${inputs.mode}\``],
        failOn: inputs.failOn ?? DEFAULT_CONFIG.failOn,
        conclusion: "failure",
        gating: [],
        annotate: false,
        notes: [],
        error: `the run failed: ${errorSummary(err)}`,
      };
      io.debug(err instanceof Error && err.stack ? err.stack : String(err));
    }
    await report({ ...deps, io: io2 }, inputs, ctx, result);
  } catch (err) {
    const message = err instanceof InputError || err instanceof EventError ? err.message : errorSummary(err);
    io2.setFailed(`Bulwark: ${message}`);
  }
  return failed ? 1 : 0;
}
