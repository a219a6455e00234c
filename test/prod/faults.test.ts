// Faults on the queued production path (issue #10), loopback only: the app behind a Probot Server
// with a job queue — the in-process InMemoryQueue and BullMQ on a real redis-server started here —
// driven by signed webhook deliveries, against the strict fake GitHub (behind the proxy, which
// records every request with its arrival time and duration). Each case asserts what GitHub
// received and what /metrics says:
//
//  - 5xx bursts longer than the client's own retries: the attempt fails, the queue retries it after
//    its back-off, the review is posted once and every check run is concluded; a job that fails
//    every attempt is dead-lettered and its check runs say so (none left in_progress).
//  - Secondary rate limits (403 and 429 with retry-after): the client waits, then retries once;
//    a wait over the policy's maximum is not retried early.
//  - 422 on the review: one request, no retry storm, the review degrades to annotations, the job is
//    completed (neither retried nor dead).
//  - Slow GitHub: a burst of deliveries is answered at once (handlers enqueue), every pull request
//    is reviewed once with at most `concurrency` jobs running.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { BulwarkAppOptions } from "../../src/app/index.js";
import type { BulwarkMetrics } from "../../src/app/metrics.js";
import { InMemoryQueue, RedisQueue } from "../../src/app/queue/index.js";
import type { ReviewQueue } from "../../src/app/queue/index.js";
import { faults } from "../support/fake-github.js";
import type { Fault, FakeGitHub } from "../support/fake-github.js";
import { deliverWebhook } from "../support/webhooks.js";
import type { GitHubProxy, ProxyRequest } from "../support/github-proxy.js";
import { OWNER, REPO, SECRET, prPayload, startAppFake } from "../app/support/harness.js";
import { metricValue, openPullRequests, startQueuedServer, startRedis, waitFor } from "./support.js";
import type { AppServer, RedisProcess } from "./support.js";

const ROUTE = {
  createCheck: "POST /repos/{owner}/{repo}/check-runs",
  updateCheck: "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
  files: "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
  review: "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
};

/** Queue back-off of these tests: retries after 200 ms, then 400 ms. */
const BACKOFF_MS = 200;
/** Timer and clock granularity when comparing two Date.now() readings of one process. */
const SLACK_MS = 50;

type Backend = "memory" | "redis";
const BACKENDS: Backend[] = ["memory", "redis"];

let gh: FakeGitHub;
let proxy: GitHubProxy;
let redis: RedisProcess | undefined;
let app: AppServer | undefined;

beforeAll(async () => {
  // One redis-server for the file; every test has its own key prefix.
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
});

beforeEach(async () => {
  ({ gh, proxy } = await startAppFake());
});

afterEach(async () => {
  try {
    proxy.assertNoViolations();
  } finally {
    await app?.stop();
    app = undefined;
    await proxy.stop();
    await gh.stop();
  }
});

/** The app on `backend` with `concurrency` workers, 3 attempts, back-off BACKOFF_MS. */
async function startApp(backend: Backend, opts: { concurrency?: number } = {}, appOptions: BulwarkAppOptions = {}): Promise<AppServer> {
  const common = { concurrency: opts.concurrency ?? 2, attempts: 3, backoffMs: BACKOFF_MS };
  const make = (metrics: BulwarkMetrics): ReviewQueue =>
    backend === "memory"
      ? new InMemoryQueue({ ...common, metrics })
      : new RedisQueue({ ...common, metrics, url: redis!.url, prefix: `f${randomUUID().slice(0, 8)}`, lockMs: 5000, lockRetryMs: 30 });
  app = await startQueuedServer(proxy.url, make, appOptions);
  return app;
}

async function metricsText(a: AppServer): Promise<string> {
  const res = await fetch(`${a.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

function jobs(text: string, state: string): number {
  return metricValue(text, `bulwark_jobs_total{state="${state}"}`);
}

/** The proxy's record of the requests to `route` (optionally of one pull request), in arrival order. */
function seen(route: string, pr?: number): ProxyRequest[] {
  return proxy.requests.filter((r) => r.route === route && (pr === undefined || new URL(r.url, "http://x").pathname.includes(`/pulls/${pr}/`)));
}

/** When the proxy finished answering `r` (the client cannot act on it earlier). */
const answeredAt = (r: ProxyRequest) => r.at + r.ms;

async function deliverOpened(a: AppServer, number: number, deliveryId?: string): Promise<void> {
  const res = await deliverWebhook(a.hook, { secret: SECRET, event: "pull_request", payload: prPayload(gh, "opened", number), ...(deliveryId ? { deliveryId } : {}) });
  expect(res.status).toBe(200);
}

/** Dead letters: Redis records them in a `failed` event handler, shortly after the queue is idle. */
async function deadLettersOf(a: AppServer, n: number) {
  await waitFor(async () => (await a.queue.deadLetters()).length >= n, 5000, `${n} dead letter(s)`);
  return a.queue.deadLetters();
}

const FINDING_TITLE = "K8S-RUNTIME-001: Privileged container";

describe.each(BACKENDS)("queued app (%s): GitHub 5xx bursts", (backend) => {
  it("502 on creating the check run, longer than the client's retry: the job is retried after its back-off; one check run, one review", async () => {
    const a = await startApp(backend);
    const [pr] = openPullRequests(gh, 1);
    // The client retries a 5xx once (test policy): two 502s fail the first attempt.
    gh.inject(ROUTE.createCheck, { ...faults.serverError(502), times: 2 });
    await deliverOpened(a, pr.number);
    await a.queue.idle(20_000);

    const creates = seen(ROUTE.createCheck);
    expect(creates.map((r) => r.status)).toEqual([502, 502, 201]);
    // The second attempt came after the queue's back-off, counted from the failure of the first.
    expect(creates[2].at - answeredAt(creates[1])).toBeGreaterThanOrEqual(BACKOFF_MS - SLACK_MS);
    expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
    expect(seen(ROUTE.review)).toHaveLength(1);
    const runs = gh.checkRuns(OWNER, REPO);
    expect(runs.map((r) => [r.status, r.conclusion])).toEqual([["completed", "failure"]]);
    expect(runs[0].output.title).toMatch(/new findings? at or above high/);

    const text = await metricsText(a);
    expect(jobs(text, "queued")).toBe(1);
    expect(jobs(text, "started")).toBe(2);
    expect(jobs(text, "failed")).toBe(1);
    expect(jobs(text, "retried")).toBe(1);
    expect(jobs(text, "completed")).toBe(1);
    expect(jobs(text, "dead")).toBe(0);
    // The review client reports what its caller saw, after its own retry: one 502, then the 201s.
    expect(metricValue(text, 'bulwark_github_requests_total{method="POST",status="502"}')).toBe(1);
    expect(metricValue(text, "bulwark_jobs_running")).toBe(0);
    expect(await a.queue.deadLetters()).toEqual([]);
  });

  it("502 on the files listing, longer than the client's retry: the first check run is concluded as an internal error, the retry reviews", async () => {
    const a = await startApp(backend);
    const [pr] = openPullRequests(gh, 1);
    gh.inject(ROUTE.files, { ...faults.serverError(502), times: 2 });
    await deliverOpened(a, pr.number);
    await a.queue.idle(20_000);

    expect(seen(ROUTE.files).map((r) => r.status)).toEqual([502, 502, 200]);
    expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
    expect(seen(ROUTE.review).map((r) => r.status)).toEqual([200]);
    // Every check run is concluded: the failed attempt's says why, the retry's has the findings.
    const runs = gh.checkRuns(OWNER, REPO);
    expect(runs.map((r) => [r.status, r.conclusion])).toEqual([
      ["completed", "failure"],
      ["completed", "failure"],
    ]);
    expect(runs[0].output.title).toBe("Bulwark could not complete the review");
    expect(runs[0].output.summary).toContain("502");
    expect(runs[1].output.title).toMatch(/new findings? at or above high/);
    expect(runs[1].annotations.map((x) => x.title)).toContain(FINDING_TITLE);
    // The retry started after the back-off, counted from the end of the failed attempt (its concluding PATCH).
    const [failedPatch] = seen(ROUTE.updateCheck);
    expect(seen(ROUTE.createCheck)[1].at - answeredAt(failedPatch)).toBeGreaterThanOrEqual(BACKOFF_MS - SLACK_MS);

    const text = await metricsText(a);
    expect(jobs(text, "failed")).toBe(1);
    expect(jobs(text, "retried")).toBe(1);
    expect(jobs(text, "completed")).toBe(1);
    expect(jobs(text, "dead")).toBe(0);
    expect(metricValue(text, 'bulwark_review_duration_seconds_count{status="internal-error"}')).toBe(1);
    expect(metricValue(text, 'bulwark_review_duration_seconds_count{status="reviewed"}')).toBe(1);
    expect(metricValue(text, 'bulwark_github_requests_total{method="GET",status="502"}')).toBe(1);
  });

  it("502 on the files listing at every attempt: dead-lettered after 3 attempts with growing back-off; every check run concluded as failure saying so, none in_progress; a redelivery reviews", async () => {
    const a = await startApp(backend);
    const [pr] = openPullRequests(gh, 1);
    // 3 attempts × (request + the client's retry).
    gh.inject(ROUTE.files, { ...faults.serverError(502), times: 6 });
    const deliveryId = randomUUID();
    await deliverOpened(a, pr.number, deliveryId);
    await a.queue.idle(20_000);

    const dead = await deadLettersOf(a, 1);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ attempts: 3, job: { subject: `${OWNER}/${REPO}#${pr.number}`, headSha: pr.headSha } });
    expect(dead[0].error).toContain("502");
    expect(seen(ROUTE.files).map((r) => r.status)).toEqual([502, 502, 502, 502, 502, 502]);
    expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(0);
    expect(seen(ROUTE.review)).toHaveLength(0);
    const runs = gh.checkRuns(OWNER, REPO);
    expect(runs).toHaveLength(3);
    for (const run of runs) {
      expect(run).toMatchObject({ status: "completed", conclusion: "failure", head_sha: pr.headSha });
      expect(run.output.title).toBe("Bulwark could not complete the review");
      expect(run.output.summary).toContain("502");
    }
    // Back-off between attempts: 200 ms, then 400 ms.
    const patches = seen(ROUTE.updateCheck);
    const creates = seen(ROUTE.createCheck);
    expect(creates[1].at - answeredAt(patches[0])).toBeGreaterThanOrEqual(BACKOFF_MS - SLACK_MS);
    expect(creates[2].at - answeredAt(patches[1])).toBeGreaterThanOrEqual(2 * BACKOFF_MS - SLACK_MS);

    const text = await metricsText(a);
    expect(jobs(text, "queued")).toBe(1);
    expect(jobs(text, "started")).toBe(3);
    expect(jobs(text, "failed")).toBe(3);
    expect(jobs(text, "retried")).toBe(2);
    expect(jobs(text, "dead")).toBe(1);
    expect(jobs(text, "completed")).toBe(0);
    expect(metricValue(text, 'bulwark_review_duration_seconds_count{status="internal-error"}')).toBe(3);
    expect(metricValue(text, "bulwark_jobs_running")).toBe(0);
    expect(a.queue.stats().dead).toBe(1);

    // GitHub is fine again: a redelivery of the dead job's delivery is queued and reviews.
    await deliverOpened(a, pr.number, deliveryId);
    await a.queue.idle(20_000);
    await waitFor(() => gh.reviews(OWNER, REPO, pr.number).length > 0, 10_000, "the review after the redelivery");
    expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
    const after = gh.checkRuns(OWNER, REPO);
    expect(after).toHaveLength(4);
    expect(after.every((r) => r.status === "completed")).toBe(true);
    expect(after[3].output.title).toMatch(/new findings? at or above high/);
    const text2 = await metricsText(a);
    expect(jobs(text2, "queued")).toBe(2);
    expect(jobs(text2, "completed")).toBe(1);
    expect(jobs(text2, "dead")).toBe(1);
  });
});

/** Throttling on, with real seconds: `retry-after: 2` is a 2 s wait. */
const THROTTLED: BulwarkAppOptions = { rateLimits: { throttle: true, retryAfterBaseValue: 1000, serverErrorRetries: 1 } };
const SECONDARY_MESSAGE = (faults.secondaryRateLimit(1).body as { message: string }).message;

describe.each(BACKENDS)("queued app (%s): secondary rate limits on the review", (backend) => {
  // retry-after 2 s: longer than the throttling plugin's 1 s spacing of writes, so the gap below is the wait's.
  const cases: [string, Fault][] = [
    ["403", faults.secondaryRateLimit(2)],
    ["429", { ...faults.secondaryRateLimit(2), status: 429, body: { message: SECONDARY_MESSAGE, documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits", status: "429" } }],
  ];
  it.each(cases)("%s with retry-after: 2 → the client waits at least 2 s, retries once; the review is posted once, the job completes without a queue retry", async (status, fault) => {
    const a = await startApp(backend, {}, THROTTLED);
    const [pr] = openPullRequests(gh, 1);
    gh.inject(ROUTE.review, fault);
    await deliverOpened(a, pr.number);
    await a.queue.idle(25_000);

    const posts = seen(ROUTE.review);
    expect(posts.map((r) => r.status)).toEqual([Number(status), 200]);
    expect(posts[1].at - answeredAt(posts[0])).toBeGreaterThanOrEqual(2000 - SLACK_MS);
    expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
    const runs = gh.checkRuns(OWNER, REPO);
    expect(runs.map((r) => [r.status, r.conclusion])).toEqual([["completed", "failure"]]);
    expect(runs[0].output.summary).not.toContain("GitHub refused the review");
    // The check run is concluded after the review, not before the wait ended.
    expect(seen(ROUTE.updateCheck)[0].at).toBeGreaterThanOrEqual(answeredAt(posts[1]));

    const text = await metricsText(a);
    expect(jobs(text, "started")).toBe(1);
    expect(jobs(text, "completed")).toBe(1);
    expect(jobs(text, "retried")).toBe(0);
    expect(jobs(text, "failed")).toBe(0);
    // The caller saw only the retried request's answer, never the rate limit.
    expect(metricValue(text, `bulwark_github_requests_total{method="POST",status="${status}"}`)).toBe(0);
  }, 30_000);

  // The policy gives up on waits over maxWaitSeconds. Before src/app/octokit.ts passed 429 in the
  // retry plugin's doNotRetry, that plugin retried the 429 itself ~3 s later (retry-after: 5) and
  // posted the review: GitHub's wait ignored, and a retry after the policy had given up.
  it.each(cases)("%s with a retry-after over the policy's longest wait → not retried (early or at all): the review degrades to annotations, the job completes", async (status, fault) => {
    const a = await startApp(backend, {}, { rateLimits: { ...THROTTLED.rateLimits, maxWaitSeconds: 1 } });
    const [pr] = openPullRequests(gh, 1);
    gh.inject(ROUTE.review, { ...fault, headers: { "retry-after": "5" } });
    await deliverOpened(a, pr.number);
    await a.queue.idle(25_000);

    expect(seen(ROUTE.review).map((r) => r.status)).toEqual([Number(status)]);
    expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(0);
    const [run] = gh.checkRuns(OWNER, REPO);
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run.output.summary).toContain(`GitHub refused the review (HTTP ${status}`);
    expect(run.annotations.map((x) => x.title)).toContain(FINDING_TITLE);
    const text = await metricsText(a);
    expect(jobs(text, "completed")).toBe(1);
    expect(jobs(text, "retried")).toBe(0);
    expect(metricValue(text, `bulwark_github_requests_total{method="POST",status="${status}"}`)).toBe(1);
  }, 30_000);
});

describe.each(BACKENDS)("queued app (%s): 422 on the review", (backend) => {
  const refusals: [string, Fault][] = [
    ["anti-spam", { status: 422, body: { message: "Unprocessable Entity", errors: ["was submitted too quickly"], documentation_url: "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request", status: "422" } }],
    ["line not resolved", { status: 422, body: { message: "Unprocessable Entity", errors: ["Line could not be resolved"], documentation_url: "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request", status: "422" } }],
  ];
  it.each(refusals)("%s: one POST, no retry storm; the comments become annotations; the job is completed, neither retried nor dead", async (_name, fault) => {
    const a = await startApp(backend);
    const [pr] = openPullRequests(gh, 1);
    gh.inject(ROUTE.review, fault);
    await deliverOpened(a, pr.number);
    await a.queue.idle(20_000);
    // Nothing comes later either (no delayed queue retry).
    await new Promise((r) => setTimeout(r, 4 * BACKOFF_MS));

    expect(seen(ROUTE.review).map((r) => r.status)).toEqual([422]);
    expect(seen(ROUTE.createCheck)).toHaveLength(1);
    expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(0);
    const runs = gh.checkRuns(OWNER, REPO);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(runs[0].output.summary).toContain("GitHub refused the review (HTTP 422");
    expect(runs[0].output.summary).toContain("shown as annotations of this check run instead");
    expect(runs[0].annotations.map((x) => x.title)).toContain(FINDING_TITLE);

    const text = await metricsText(a);
    expect(jobs(text, "started")).toBe(1);
    expect(jobs(text, "completed")).toBe(1);
    expect(jobs(text, "retried")).toBe(0);
    expect(jobs(text, "failed")).toBe(0);
    expect(jobs(text, "dead")).toBe(0);
    expect(metricValue(text, 'bulwark_review_duration_seconds_count{status="reviewed"}')).toBe(1);
    expect(metricValue(text, 'bulwark_github_requests_total{method="POST",status="422"}')).toBe(1);
    expect(await a.queue.deadLetters()).toEqual([]);
  });
});

describe.each(BACKENDS)("queued app (%s): slow GitHub", (backend) => {
  it("300 ms on every answer, 10 pull requests at once, concurrency 2: deliveries answered before their reviews, each reviewed once, at most 2 jobs at a time", async () => {
    const a = await startApp(backend, { concurrency: 2 });
    const prs = openPullRequests(gh, 10);
    gh.inject("*", { delayMs: 300, times: 1000 });
    const answered = new Map<number, number>();
    await Promise.all(
      prs.map(async (pr) => {
        await deliverOpened(a, pr.number);
        answered.set(pr.number, Date.now());
      }),
    );
    await waitFor(() => prs.every((pr) => gh.reviews(OWNER, REPO, pr.number).length > 0), 28_000, "every review");
    await a.queue.idle(10_000);

    for (const pr of prs) {
      expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
      const [post] = seen(ROUTE.review, pr.number);
      // Handlers enqueue and answer: each delivery was answered before its review was even sent.
      expect(answered.get(pr.number)!).toBeLessThan(post.at);
    }
    const runs = gh.checkRuns(OWNER, REPO);
    expect(runs).toHaveLength(10);
    expect(runs.every((r) => r.status === "completed" && r.conclusion === "failure")).toBe(true);
    expect(seen(ROUTE.review)).toHaveLength(10);
    const stats = a.queue.stats();
    expect(stats.maxRunning).toBeLessThanOrEqual(2);
    expect(stats.completed).toBe(10);

    const text = await metricsText(a);
    expect(jobs(text, "queued")).toBe(10);
    expect(jobs(text, "completed")).toBe(10);
    expect(jobs(text, "retried")).toBe(0);
    expect(metricValue(text, "bulwark_jobs_running")).toBe(0);
    expect(metricValue(text, 'bulwark_review_duration_seconds_count{status="reviewed"}')).toBe(10);
  }, 30_000);
});
