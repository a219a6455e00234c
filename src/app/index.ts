// Bulwark as a GitHub App (Probot 14). `npm start` runs `probot run ./lib/app/index.js`; GitHub
// Enterprise Server through Probot's GHE_HOST. The app is a thin adapter: events in, the review
// pipeline of src/github out (which knows nothing about Probot).
//
//   pull_request opened/synchronize/reopened/ready_for_review → check run + review of the head
//   check_suite requested/rerequested, check_run rerequested  → the same for the suite's PRs
//   merge_group checks_requested                               → check run on the merge group
//
// Every check run Bulwark creates is concluded: the pipeline turns its own failures into a
// failure conclusion that says so.
import type { ApplicationFunction, Context, Probot } from "probot";
import { CHECK_NAME, completeCheckRun, createCheckRun, failCheckRun } from "../github/checkrun.js";
import { errorSummary, serializeWrites, WriteQueue } from "../github/client.js";
import type { GitHubClient } from "../github/client.js";
import { reviewCommitRange, reviewPullRequest } from "../github/review.js";
import type { PullRequestTarget, ReviewLogger, ReviewOptions, ReviewOutcome } from "../github/review.js";
import type { ScanPassThrough } from "../github/analysis.js";
import { DEFAULT_RATE_LIMIT_POLICY, reviewClientFor } from "./octokit.js";
import type { RateLimitPolicy } from "./octokit.js";
import { ReviewScheduler } from "./scheduler.js";
import { registerChatOps } from "./chatops.js";

export { DEFAULT_RATE_LIMIT_POLICY } from "./octokit.js";
export type { RateLimitPolicy } from "./octokit.js";

export const PULL_REQUEST_EVENTS = ["pull_request.opened", "pull_request.synchronize", "pull_request.reopened", "pull_request.ready_for_review"] as const;
export const CHECK_SUITE_EVENTS = ["check_suite.requested", "check_suite.rerequested"] as const;

/** What triggered a review, for logs and the `onReview` hook. */
export interface ReviewEvent {
  event: string;
  deliveryId: string;
  subject: string;
  headSha: string;
  /** The outcome, or why the review did not run. */
  outcome?: ReviewOutcome;
  skipped?: string;
}

export interface BulwarkAppOptions {
  /** Rate-limit and retry behaviour of the review client. */
  rateLimits?: Partial<RateLimitPolicy>;
  /** Scan catalog / rule selection / clock (tests pin these). */
  scan?: ScanPassThrough;
  /** Annotations per check run (default 50). */
  maxAnnotations?: number;
  /** How long a finished review of a head commit suppresses a duplicate trigger (ms, default 10 min). */
  dedupeWindowMs?: number;
  /** Called after every handled trigger (tests, metrics). */
  onReview?: (e: ReviewEvent) => void;
}

interface RepoPayload {
  id: number;
  url?: string;
  name: string;
  html_url: string;
  default_branch: string;
  owner: { login: string };
}

interface PullPayload {
  number: number;
  state?: string;
  head: { sha: string };
  base: { sha: string; repo?: { id?: number } };
  changed_files?: number;
  review_comments?: number;
}

interface PullRef {
  number: number;
  head: { sha: string };
  base: { sha: string; repo?: { id?: number; url?: string } };
}

function repoTarget(repo: RepoPayload) {
  return { repo: { owner: repo.owner.login, repo: repo.name }, htmlUrl: repo.html_url, defaultBranch: repo.default_branch };
}

function loggerOf(context: Context): ReviewLogger {
  return { info: (m) => context.log.info(m), warn: (m) => context.log.warn(m), error: (m) => context.log.error(m) };
}

/** The Probot application function, configurable for tests and embedding. */
export function createBulwarkApp(options: BulwarkAppOptions = {}): ApplicationFunction {
  const policy: RateLimitPolicy = { ...DEFAULT_RATE_LIMIT_POLICY, ...options.rateLimits };
  const scheduler = new ReviewScheduler(options.dedupeWindowMs);
  const queues = new Map<string, WriteQueue>();

  const clientFor = async (context: Context): Promise<GitHubClient> => {
    const id = String((context.payload as { installation?: { id?: number } }).installation?.id ?? "none");
    let q = queues.get(id);
    if (!q) {
      q = new WriteQueue();
      queues.set(id, q);
    }
    return serializeWrites(reviewClientFor(context, policy), q);
  };

  const reviewOptions = (context: Context, extra: Partial<ReviewOptions> = {}): ReviewOptions => ({
    log: loggerOf(context),
    ...(options.scan ? { scan: options.scan } : {}),
    ...(options.maxAnnotations !== undefined ? { maxAnnotations: options.maxAnnotations } : {}),
    ...extra,
  });

  /** Run one review under the scheduler and report it. */
  const run = async (
    context: Context,
    key: { subject: string; headSha: string },
    force: boolean,
    job: (client: GitHubClient) => Promise<ReviewOutcome>,
  ): Promise<void> => {
    const event = `${context.name}.${(context.payload as { action?: string }).action ?? ""}`;
    const res = await scheduler.schedule(key, { force, deliveryId: context.id }, async () => {
      const client = await clientFor(context);
      const outcome = await job(client);
      return { value: outcome, finished: outcome.status !== "internal-error" };
    });
    if (res.ran) {
      const o = res.value;
      context.log.info(`Bulwark ${key.subject}@${key.headSha.slice(0, 7)}: ${o.status}, ${o.conclusion}, ${o.review?.comments ?? 0} comments${o.reviewSkipped ? ` (review ${o.reviewSkipped})` : ""}`);
      options.onReview?.({ event, deliveryId: context.id, ...key, outcome: o });
    } else {
      context.log.info(`Bulwark ${key.subject}@${key.headSha.slice(0, 7)}: skipped (${res.reason})`);
      options.onReview?.({ event, deliveryId: context.id, ...key, skipped: res.reason });
    }
  };

  /** Review a pull request known only by number (check suite / check run triggers). */
  const reviewByNumber = async (context: Context, client: GitHubClient, repo: RepoPayload, number: number, headSha: string): Promise<ReviewOutcome> => {
    const base = repoTarget(repo);
    // Created at once, before anything else can fail or take time.
    const checkRunId = await createCheckRun(client, base.repo, headSha, String(number), new Date());
    let pull: PullPayload;
    try {
      pull = (await client.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: base.repo.owner, repo: base.repo.repo, pull_number: number })).data as PullPayload;
    } catch (err) {
      context.log.error(`GET pulls/${number} failed: ${errorSummary(err)}`);
      await failCheckRun(client, base.repo, checkRunId, err, new Date()).catch((e2: unknown) => context.log.error(`could not conclude check run ${checkRunId}: ${errorSummary(e2)}`));
      return { checkRunId, conclusion: "failure", status: "internal-error", resolvedThreads: 0, annotations: 0, findings: { introduced: 0, preExisting: 0, suppressed: 0 }, notes: [], error: errorSummary(err) };
    }
    if (pull.head.sha !== headSha) {
      await completeCheckRun(client, base.repo, checkRunId, {
        conclusion: "neutral",
        output: { title: "Superseded", summary: `Pull request #${number} has moved on to \`${pull.head.sha.slice(0, 7)}\`; Bulwark reviews that commit instead of \`${headSha.slice(0, 7)}\`.` },
        annotations: [],
        completedAt: new Date(),
      });
      return { checkRunId, conclusion: "neutral", status: "nothing-to-review", resolvedThreads: 0, annotations: 0, findings: { introduced: 0, preExisting: 0, suppressed: 0 }, notes: ["superseded"] };
    }
    const target: PullRequestTarget = {
      ...base,
      number,
      headSha,
      baseSha: pull.base.sha,
      ...(pull.changed_files !== undefined ? { changedFiles: pull.changed_files } : {}),
      ...(pull.review_comments !== undefined ? { reviewComments: pull.review_comments } : {}),
    };
    return reviewPullRequest(client, target, reviewOptions(context, { checkRunId }));
  };

  return (app: Probot) => {
    registerChatOps(app, { clientFor, scan: options.scan, review: (context, target) => run(context, { subject: `${target.repo.owner}/${target.repo.repo}#${target.number}`, headSha: target.headSha }, true, (client) => reviewPullRequest(client, target, reviewOptions(context))) });
    app.on([...PULL_REQUEST_EVENTS], async (context) => {
      const payload = context.payload as unknown as { pull_request: PullPayload; repository: RepoPayload };
      const pr = payload.pull_request;
      if (pr.state && pr.state !== "open") return;
      const target: PullRequestTarget = {
        ...repoTarget(payload.repository),
        number: pr.number,
        headSha: pr.head.sha,
        baseSha: pr.base.sha,
        ...(pr.changed_files !== undefined ? { changedFiles: pr.changed_files } : {}),
        ...(pr.review_comments !== undefined ? { reviewComments: pr.review_comments } : {}),
      };
      const subject = `${target.repo.owner}/${target.repo.repo}#${pr.number}`;
      await run(context, { subject, headSha: pr.head.sha }, false, (client) => reviewPullRequest(client, target, reviewOptions(context)));
    });

    app.on([...CHECK_SUITE_EVENTS], async (context) => {
      const payload = context.payload as unknown as { action: string; check_suite: { head_sha: string; pull_requests: PullRef[] }; repository: RepoPayload };
      const force = payload.action === "rerequested";
      // Fork pull requests are not listed here (pull_requests is []): their pull_request events cover them.
      const repo = payload.repository;
      const prs = payload.check_suite.pull_requests.filter((p) => !p.base.repo || p.base.repo.id === repo.id || (p.base.repo.url !== undefined && p.base.repo.url === repo.url));
      for (const p of prs) {
        const subject = `${payload.repository.owner.login}/${payload.repository.name}#${p.number}`;
        await run(context, { subject, headSha: payload.check_suite.head_sha }, force, (client) => reviewByNumber(context, client, payload.repository, p.number, payload.check_suite.head_sha));
      }
    });

    app.on("check_run.rerequested", async (context) => {
      const payload = context.payload as unknown as { check_run: { name: string; head_sha: string; external_id?: string | null; pull_requests: PullRef[] }; repository: RepoPayload };
      const cr = payload.check_run;
      if (cr.name !== CHECK_NAME) return;
      const repo = payload.repository;
      const mg = /^merge_group:([0-9a-f]{40})$/.exec(cr.external_id ?? "");
      if (mg) {
        const subject = `${repo.owner.login}/${repo.name}@merge-group`;
        await run(context, { subject, headSha: cr.head_sha }, true, (client) =>
          reviewCommitRange(client, { ...repoTarget(repo), headSha: cr.head_sha, baseSha: mg[1], externalId: cr.external_id! }, reviewOptions(context)),
        );
        return;
      }
      const fromExternal = Number.parseInt(cr.external_id ?? "", 10);
      const number = Number.isInteger(fromExternal) && fromExternal > 0 ? fromExternal : cr.pull_requests[0]?.number;
      if (number === undefined) {
        context.log.warn(`check_run.rerequested for ${cr.head_sha}: no pull request to review`);
        return;
      }
      const subject = `${repo.owner.login}/${repo.name}#${number}`;
      await run(context, { subject, headSha: cr.head_sha }, true, (client) => reviewByNumber(context, client, repo, number, cr.head_sha));
    });

    app.on("merge_group.checks_requested", async (context) => {
      const payload = context.payload as unknown as { merge_group: { head_sha: string; base_sha: string }; repository: RepoPayload };
      const mg = payload.merge_group;
      const repo = payload.repository;
      const subject = `${repo.owner.login}/${repo.name}@merge-group`;
      await run(context, { subject, headSha: mg.head_sha }, false, (client) =>
        reviewCommitRange(client, { ...repoTarget(repo), headSha: mg.head_sha, baseSha: mg.base_sha, externalId: `merge_group:${mg.base_sha}` }, reviewOptions(context)),
      );
    });
  };
}

/** `probot run ./lib/app/index.js` loads this. */
const bulwark: ApplicationFunction = createBulwarkApp();
export default bulwark;
