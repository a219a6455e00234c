// BullMQ on a real redis-server (started here on a random loopback port): two app instances share
// the work of a 200-delivery burst, every head reviewed exactly once (cross-instance dedupe), per-PR
// serialisation, readiness following Redis, a Redis restart mid-run loses no job, a worker that
// dies mid-job leaves the job to the other instance, and the closed worker's own run writes nothing more.
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RedisQueue } from "../../src/app/queue/index.js";
import type { FakeGitHub } from "../support/fake-github.js";
import { deliverWebhook, webhookPayload } from "../support/webhooks.js";
import type { GitHubProxy } from "../support/github-proxy.js";
import { INSTALLATION_ID, OWNER, REPO, SECRET, prPayload, startAppFake } from "../app/support/harness.js";
import { metricValue, openPullRequests, startQueuedServer, startRedis, waitFor } from "./support.js";
import type { AppServer, RedisProcess } from "./support.js";

let gh: FakeGitHub;
let proxy: GitHubProxy;
let redis: RedisProcess;
let apps: AppServer[] = [];

beforeEach(async () => {
  ({ gh, proxy } = await startAppFake());
});

afterEach(async () => {
  try {
    proxy.assertNoViolations();
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
    apps = [];
    await proxy.stop();
    await gh.stop();
    await redis?.stop();
  }
});

const queueOn = (url: string, prefix: string, extra: Partial<ConstructorParameters<typeof RedisQueue>[0]> = {}) => (metrics: ConstructorParameters<typeof RedisQueue>[0]["metrics"]) =>
  new RedisQueue({ url, prefix, concurrency: 3, attempts: 3, backoffMs: 50, lockMs: 2000, lockRetryMs: 30, ...(metrics ? { metrics } : {}), ...extra });

describe("BullMQ on Redis, two instances", () => {
  it("a 200-delivery burst split over two instances: every head reviewed exactly once, both instances worked, concurrency ≤ 3 each; /readyz follows Redis", async () => {
    redis = await startRedis();
    const prefix = `t${randomUUID().slice(0, 8)}`;
    apps = [await startQueuedServer(proxy.url, queueOn(redis.url, prefix)), await startQueuedServer(proxy.url, queueOn(redis.url, prefix))];
    expect((await fetch(`${apps[0].url}/readyz`)).status).toBe(200);
    const prs = openPullRequests(gh, 50);
    const deliveries = prs.flatMap((pr) => {
      const id = randomUUID();
      return [
        { event: "pull_request", payload: prPayload(gh, "opened", pr.number), deliveryId: id },
        { event: "pull_request", payload: prPayload(gh, "opened", pr.number), deliveryId: id },
        { event: "pull_request", payload: prPayload(gh, "synchronize", pr.number) },
        { event: "check_suite", payload: webhookPayload("check_suite", "requested", { owner: OWNER, repo: REPO, number: pr.number, headSha: pr.headSha, installationId: INSTALLATION_ID }) },
      ];
    });
    // Alternate instances: the duplicates of one push land on different instances.
    const statuses = await Promise.all(deliveries.map((d, i) => deliverWebhook(apps[i % 2].hook, { secret: SECRET, ...d }).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    await apps[0].queue.idle(45_000);
    for (const pr of prs) expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
    expect(gh.checkRuns(OWNER, REPO)).toHaveLength(50);
    const [a, b] = apps.map((x) => x.queue.stats());
    expect(a.completed + b.completed).toBe(50);
    expect(a.completed).toBeGreaterThan(0);
    expect(b.completed).toBeGreaterThan(0);
    expect(Math.max(a.maxRunning, b.maxRunning)).toBeLessThanOrEqual(3);
    const texts = await Promise.all(apps.map(async (x) => (await fetch(`${x.url}/metrics`)).text()));
    const sum = (series: string) => texts.reduce((n, t) => n + metricValue(t, series), 0);
    expect(sum('bulwark_jobs_total{state="queued"}')).toBe(50);
    expect(sum('bulwark_jobs_total{state="duplicate"}')).toBe(150);

    await redis.stop();
    await waitFor(async () => (await fetch(`${apps[0].url}/readyz`)).status === 503, 5000, "readyz 503");
    await redis.restart(0);
    await waitFor(async () => (await fetch(`${apps[0].url}/readyz`)).status === 200, 5000, "readyz 200 again");
  }, 60_000);

  it("Redis killed and restarted mid-run (AOF): no job lost, each head reviewed once", async () => {
    redis = await startRedis({ persist: true });
    const prefix = `t${randomUUID().slice(0, 8)}`;
    apps = [await startQueuedServer(proxy.url, queueOn(redis.url, prefix)), await startQueuedServer(proxy.url, queueOn(redis.url, prefix))];
    const prs = openPullRequests(gh, 20);
    gh.inject("*", { delayMs: 40, times: 400 });
    const first = prs.slice(0, 10).map((pr, i) => deliverWebhook(apps[i % 2].hook, { secret: SECRET, event: "pull_request", payload: prPayload(gh, "opened", pr.number) }));
    await Promise.all(first);
    await redis.restart(300);
    // Deliveries during and after the restart wait for the reconnection.
    const second = prs.slice(10).map((pr, i) => deliverWebhook(apps[i % 2].hook, { secret: SECRET, event: "pull_request", payload: prPayload(gh, "opened", pr.number) }));
    expect((await Promise.all(second)).every((r) => r.status === 200)).toBe(true);
    await waitFor(() => prs.every((pr) => gh.reviews(OWNER, REPO, pr.number).length >= 1), 40_000, "all reviews");
    await apps[0].queue.idle(20_000);
    for (const pr of prs) expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
  }, 60_000);

  it("an instance that dies mid-job (worker closed without finishing): the other instance takes the job over and finishes it", async () => {
    redis = await startRedis();
    const prefix = `t${randomUUID().slice(0, 8)}`;
    // Only the first instance works at first; the second joins after the first dies.
    const dying = await startQueuedServer(proxy.url, queueOn(redis.url, prefix, { concurrency: 1 }));
    const [pr] = openPullRequests(gh, 1);
    // The review stalls in the listing of the pull request's files, before anything is posted.
    gh.inject("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { delayMs: 4000 });
    await deliverWebhook(dying.hook, { secret: SECRET, event: "pull_request", payload: prPayload(gh, "opened", pr.number) });
    await waitFor(() => gh.requests.some((r) => r.route === "GET /repos/{owner}/{repo}/pulls/{pull_number}/files"), 10_000, "the first instance to start");
    // "Kill": stop the worker without waiting and without releasing anything (its locks expire).
    await (dying.queue as RedisQueue).close(true);
    const survivor = await startQueuedServer(proxy.url, queueOn(redis.url, prefix));
    apps = [survivor];
    await waitFor(() => gh.checkRuns(OWNER, REPO).some((r) => r.status === "completed"), 20_000, "a completed check run");
    // The survivor took the job over (after the dead worker's lock expired) and finished it.
    await survivor.queue.idle(10_000);
    expect(survivor.queue.stats().completed).toBe(1);
    // The closed worker's review keeps running (an async function cannot be killed), but its
    // writes are refused from the moment it lost the job: one review, one check run.
    // (test/prod/kill.test.ts kills a real worker process.)
    await waitFor(() => gh.count("GET /repos/{owner}/{repo}/pulls/{pull_number}/files") >= 2 && gh.requests.filter((r) => r.route === "GET /repos/{owner}/{repo}/pulls/{pull_number}/files").every((r) => r.status !== 0), 10_000, "the closed worker's listing to come back");
    await new Promise((r) => setTimeout(r, 300));
    expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
    expect(gh.checkRuns(OWNER, REPO, { headSha: pr.headSha })).toHaveLength(1);
    expect(gh.checkRuns(OWNER, REPO, { headSha: pr.headSha })[0]).toMatchObject({ status: "completed", conclusion: "failure" });
  }, 40_000);
});
