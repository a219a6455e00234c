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
import { Context } from "probot";
import type { ApplicationFunction, ApplicationFunctionOptions, Probot } from "probot";
import { CHECK_NAME, completeCheckRun, failCheckRun, openCheckRun } from "../github/checkrun.js";
import { errorSummary, guardWrites, serializeWrites, WriteQueue } from "../github/client.js";
import type { GitHubClient } from "../github/client.js";
import { reviewCommitRange, reviewPullRequest } from "../github/review.js";
import type { PullRequestTarget, ReviewLogger, ReviewOptions, ReviewOutcome } from "../github/review.js";
import type { ScanPassThrough } from "../github/analysis.js";
import { DEFAULT_RATE_LIMIT_POLICY, reviewClientFor } from "./octokit.js";
import type { RateLimitPolicy } from "./octokit.js";
import { ReviewScheduler } from "./scheduler.js";
import { healthHandler } from "./health.js";
import { BulwarkMetrics } from "./metrics.js";
import { queueFromEnv, rerunJobId, reviewJobId } from "./queue/index.js";
import type { JobRunner, QueueLog, ReviewJobData, ReviewQueue } from "./queue/index.js";
import { registerChatOps } from "./chatops.js";
import { updateRepository } from "../action/updates.js";
import type { UpdateDatasources } from "../updates/datasource/index.js";
import { detectFileKind } from "../core/parse/detect.js";
import { parseInterval, runScheduledUpdates, startUpdateSchedule } from "./update-schedule.js";

/** The repeatable job of the scheduled update runs (Redis queue). */
export const UPDATE_TASK = "update-pull-requests";

export { DEFAULT_RATE_LIMIT_POLICY } from "./octokit.js";
export { BulwarkMetrics } from "./metrics.js";
export { InMemoryQueue, RedisQueue, queueFromEnv } from "./queue/index.js";
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
  /**
   * Where reviews run. "inline" (the default of createBulwarkApp): inside the webhook delivery,
   * serialised by the per-process scheduler. A ReviewQueue: handlers enqueue and answer at once,
   * the queue's workers review. "env": `queueFromEnv()` (REDIS_URL → BullMQ, else in-process).
   */
  queue?: ReviewQueue | "inline" | "env";
  /** Metrics registry (default: a new one per app). */
  metrics?: BulwarkMetrics;
  /** Register /healthz, /readyz and /metrics on Probot's Server (default true; skipped without a server). */
  httpEndpoints?: boolean;
  /**
   * `/bulwark update`: plan the default branch and open/update/close its update pull requests
   * (`updateRepository`). Off unless set (the production export sets it); `datasources` for tests.
   */
  updates?: boolean | { datasources?: UpdateDatasources; now?: () => Date };
  /** Interval of the scheduled update runs ("24h", "off"); needs `updates`. The production export reads BULWARK_UPDATE_INTERVAL (default 24h). */
  updateSchedule?: string;
}

/** A worker's context: run only the job for this subject and head. */
interface WorkerTarget {
  subject: string;
  headSha: string;
  done: boolean;
  finished: boolean;
  detail?: string;
  /** Aborted when the job is no longer this instance's: its writes are refused from then on. */
  signal?: AbortSignal;
  /** The job was interrupted before: resume its check run. */
  takeover?: boolean;
}
const workerTargets = new WeakMap<object, WorkerTarget>();

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

/** Files whose change can add, move or drop an image or chart reference (or the update config). */
function isUpdateRelevant(path: string): boolean {
  return path === ".github/bulwark.yml" || detectFileKind(path) !== "other";
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
  const metrics = options.metrics ?? new BulwarkMetrics();
  let queue: ReviewQueue | undefined;
  /** Handlers by "event.action" (and "event"), for workers to replay a queued delivery. */
  const handlers = new Map<string, (context: Context) => Promise<void>>();
  const queues = new Map<string, WriteQueue>();

  const clientFor = async (context: Context): Promise<GitHubClient> => {
    const id = String((context.payload as { installation?: { id?: number } }).installation?.id ?? "none");
    let q = queues.get(id);
    if (!q) {
      q = new WriteQueue();
      queues.set(id, q);
    }
    const client = reviewClientFor(context, policy, (method, status, headers) => metrics.observeGitHub(method, status, headers, id));
    // Guarded under the write queue: a write waiting in it is checked when its turn comes.
    const signal = workerTargets.get(context)?.signal;
    return serializeWrites(signal ? guardWrites(client, signal) : client, q);
  };

  const reviewOptions = (context: Context, extra: Partial<ReviewOptions> = {}): ReviewOptions => ({
    log: loggerOf(context),
    ...(options.scan ? { scan: options.scan } : {}),
    ...(options.maxAnnotations !== undefined ? { maxAnnotations: options.maxAnnotations } : {}),
    ...(workerTargets.get(context)?.takeover ? { resumeCheckRun: true } : {}),
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
    const [, prNumber] = /#(\d+)$/.exec(key.subject) ?? [];
    const target = workerTargets.get(context);
    if (!target) {
      metrics.webhooks.inc({ event });
      context.log = context.log.child({ deliveryId: context.id, repo: key.subject.replace(/[#@].*$/, ""), ...(prNumber ? { pr: Number(prNumber) } : {}), headSha: key.headSha });
    }
    if (queue && !target && handlers.has(event)) {
      const installationId = (context.payload as { installation?: { id?: number } }).installation?.id;
      const data: ReviewJobData = {
        id: force ? rerunJobId(key.subject, key.headSha, context.id) : reviewJobId(key.subject, key.headSha),
        // One delivery may queue several subjects (a check suite with several pull requests).
        deliveryId: `${context.id}/${key.subject}`,
        name: context.name,
        payload: context.payload as unknown as Record<string, unknown>,
        ...key,
        force,
        ...(installationId !== undefined ? { installationId } : {}),
        enqueuedAt: Date.now(),
      };
      const r = await queue.enqueue(data);
      context.log.info(r.queued ? `Bulwark ${key.subject}@${key.headSha.slice(0, 7)}: queued` : `Bulwark ${key.subject}@${key.headSha.slice(0, 7)}: not queued (${r.reason})`);
      if (!r.queued) options.onReview?.({ event, deliveryId: context.id, ...key, skipped: r.reason });
      return;
    }
    if (target) {
      // A worker replaying the delivery: only the queued subject/head runs, without the scheduler (the queue serialises).
      if (target.subject !== key.subject || target.headSha !== key.headSha || target.done) return;
      target.done = true;
      const started = process.hrtime.bigint();
      const o = await job(await clientFor(context));
      metrics.observeReview(o, Number(process.hrtime.bigint() - started) / 1e9);
      target.finished = o.status !== "internal-error";
      if (o.error !== undefined) target.detail = o.error;
      context.log.info(`Bulwark ${key.subject}@${key.headSha.slice(0, 7)}: ${o.status}, ${o.conclusion}, ${o.review?.comments ?? 0} comments${o.reviewSkipped ? ` (review ${o.reviewSkipped})` : ""}`);
      options.onReview?.({ event, deliveryId: context.id, ...key, outcome: o });
      return;
    }
    const res = await scheduler.schedule(key, { force, deliveryId: context.id }, async () => {
      const client = await clientFor(context);
      const started = process.hrtime.bigint();
      const outcome = await job(client);
      metrics.observeReview(outcome, Number(process.hrtime.bigint() - started) / 1e9);
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
    const checkRunId = await openCheckRun(client, base.repo, headSha, String(number), new Date(), workerTargets.get(context)?.takeover);
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

  /** A worker: replay the queued delivery through its handler, running only the queued subject/head. */
  const runnerFor =
    (app: Probot): JobRunner =>
    async (job, attempt, control) => {
      const octokit = await app.auth(job.installationId);
      const [, pr] = /#(\d+)$/.exec(job.subject) ?? [];
      const log = app.log.child({ deliveryId: job.deliveryId.split("/")[0], repo: job.subject.replace(/[#@].*$/, ""), ...(pr ? { pr: Number(pr) } : {}), headSha: job.headSha, jobId: job.id, attempt });
      const context = new Context({ id: job.deliveryId.split("/")[0], name: job.name, payload: job.payload } as unknown as ConstructorParameters<typeof Context>[0], octokit, log);
      const target: WorkerTarget = { subject: job.subject, headSha: job.headSha, done: false, finished: false, ...(control ? { signal: control.signal, takeover: control.takeover } : {}) };
      workerTargets.set(context, target);
      const action = (job.payload as { action?: string }).action ?? "";
      const handler = handlers.get(`${job.name}.${action}`);
      if (!handler) return { finished: true, detail: `no handler for ${job.name}.${action}` };
      await handler(context);
      // The handler may decide there is nothing to do (a closed pull request): that is finished too.
      return target.done ? { finished: target.finished, ...(target.detail !== undefined ? { detail: target.detail } : {}) } : { finished: true };
    };

  return async (app: Probot, appOptions?: ApplicationFunctionOptions) => {
    const on = (names: string | readonly string[], fn: (context: Context) => Promise<void>): void => {
      for (const n of typeof names === "string" ? [names] : names) handlers.set(n, fn);
      app.on(names as Parameters<Probot["on"]>[0], fn as unknown as Parameters<Probot["on"]>[1]);
    };
    if (options.queue === "env") {
      const log = app.log.child({ component: "queue" });
      const queueLog: QueueLog = { info: (o, m) => log.info(o, m), warn: (o, m) => log.warn(o, m), error: (o, m) => log.error(o, m) };
      queue = queueFromEnv(process.env, { log: queueLog, metrics, ...(options.dedupeWindowMs !== undefined ? { dedupeWindowMs: options.dedupeWindowMs } : {}) });
    } else if (options.queue && options.queue !== "inline") queue = options.queue;
    if (queue) await queue.start(runnerFor(app));
    if (options.httpEndpoints !== false && appOptions?.addHandler) {
      const ready = queue ? () => queue!.ready() : async () => ({ ok: true, detail: "inline" });
      try {
        appOptions.addHandler(healthHandler({ metrics, ready }));
      } catch {
        // probot.load() without a Server (tests, receive()): no HTTP endpoints.
      }
    }
    const updateOpts = typeof options.updates === "object" ? options.updates : {};
    const updates = options.updates
      ? (client: GitHubClient, target: { repo: { owner: string; repo: string }; defaultBranch: string }) =>
          updateRepository(client, target, {
            ...(updateOpts.datasources ? { datasources: updateOpts.datasources } : {}),
            ...(updateOpts.now ? { now: updateOpts.now() } : {}),
            onRegistryResponse: (r) => metrics.observeRegistry(r),
          })
      : undefined;
    if (updates && options.updateSchedule !== undefined) {
      const intervalMs = parseInterval(options.updateSchedule);
      if (intervalMs !== undefined) {
        const deps = { auth: async (id?: number) => (await app.auth(id)) as unknown as GitHubClient, update: updates, log: app.log };
        if (queue?.repeat) {
          // Shared queue: one schedule for all instances, each run taken by one of them.
          await queue.repeat(UPDATE_TASK, intervalMs, () => runScheduledUpdates(deps));
          app.log.info(`update pull requests re-planned every ${options.updateSchedule} for every installation (repeatable job, one instance per run)`);
        } else {
          startUpdateSchedule(deps, intervalMs);
          app.log.info(`update pull requests re-planned every ${options.updateSchedule} for every installation (in-process timer)`);
        }
      }
    }
    if (updates) {
      // A push to the default branch that touches an image or chart reference re-plans the
      // repository's update pull requests (new dependency lines, obsolete ones closed).
      app.on("push", async (context) => {
        const p = context.payload as unknown as { ref: string; deleted?: boolean; repository: RepoPayload; commits?: { added?: string[]; modified?: string[] }[] };
        if (p.deleted || p.ref !== `refs/heads/${p.repository.default_branch}`) return;
        const touched = (p.commits ?? []).flatMap((c) => [...(c.added ?? []), ...(c.modified ?? [])]);
        if (!touched.some(isUpdateRelevant)) return;
        const { repo, defaultBranch } = repoTarget(p.repository);
        try {
          const summary = await updates(await clientFor(context), { repo, defaultBranch });
          context.log.info(`updates for ${repo.owner}/${repo.repo} after a push to ${defaultBranch}: ${summary.split("\n")[0]}`);
        } catch (err) {
          context.log.error(`updates for ${repo.owner}/${repo.repo} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      });
    }
    registerChatOps(app, { clientFor, scan: options.scan, ...(updates ? { updates } : {}), review: (context, target) => run(context, { subject: `${target.repo.owner}/${target.repo.repo}#${target.number}`, headSha: target.headSha }, true, (client) => reviewPullRequest(client, target, reviewOptions(context))) });
    on([...PULL_REQUEST_EVENTS], async (context) => {
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

    on([...CHECK_SUITE_EVENTS], async (context) => {
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

    on("check_run.rerequested", async (context) => {
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

    on("merge_group.checks_requested", async (context) => {
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
const bulwark: ApplicationFunction = createBulwarkApp({
  queue: "env",
  metrics: new BulwarkMetrics({ processMetrics: true }),
  updates: true,
  updateSchedule: process.env.BULWARK_UPDATE_INTERVAL ?? "24h",
});
export default bulwark;
