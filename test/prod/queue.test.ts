// The app behind a running Probot Server with the in-process queue: health and metrics endpoints,
// answering fast, idempotency, a 200-delivery burst with bounded concurrency, dead letters.
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InMemoryQueue } from "../../src/app/queue/index.js";
import { faults } from "../support/fake-github.js";
import type { FakeGitHub } from "../support/fake-github.js";
import { deliverWebhook, webhookPayload } from "../support/webhooks.js";
import type { GitHubProxy } from "../support/github-proxy.js";
import { INSTALLATION_ID, OWNER, REPO, SECRET, prPayload, startAppFake } from "../app/support/harness.js";
import { metricValue, openPullRequests, startQueuedServer } from "./support.js";
import type { AppServer } from "./support.js";

let gh: FakeGitHub;
let proxy: GitHubProxy;
let app: AppServer | undefined;

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

describe("in-process queue behind the server", () => {
  it("/healthz, /readyz, /metrics; a delivery is answered before the review, reviewed once, redeliveries and the check_suite twin do nothing", async () => {
    app = await startQueuedServer(proxy.url, (metrics) => new InMemoryQueue({ concurrency: 2, metrics }));
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", queue: "in-process" });

    const [pr] = openPullRequests(gh, 1);
    // Slow GitHub: the delivery must still be answered at once.
    gh.inject("*", { delayMs: 300, times: 3 });
    const id = randomUUID();
    const res = await deliverWebhook(app.hook, { secret: SECRET, event: "pull_request", payload: prPayload(gh, "opened", pr.number), deliveryId: id });
    expect(res.status).toBe(200);
    // Answered before the review: GitHub's first three answers alone take 900 ms.
    expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(0);
    // Redelivery of the same delivery, and the check_suite twin of the push.
    expect((await deliverWebhook(app.hook, { secret: SECRET, event: "pull_request", payload: prPayload(gh, "opened", pr.number), deliveryId: id })).status).toBe(200);
    const suite = webhookPayload("check_suite", "requested", { owner: OWNER, repo: REPO, number: pr.number, headSha: pr.headSha, installationId: INSTALLATION_ID });
    expect((await deliverWebhook(app.hook, { secret: SECRET, event: "check_suite", payload: suite })).status).toBe(200);
    await app.queue.idle(20_000);

    expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
    expect(gh.checkRuns(OWNER, REPO).map((r) => [r.status, r.conclusion])).toEqual([["completed", "failure"]]);
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(metricValue(text, 'bulwark_webhooks_received_total{event="pull_request.opened"}')).toBe(2);
    expect(metricValue(text, 'bulwark_webhooks_received_total{event="check_suite.requested"}')).toBe(1);
    expect(metricValue(text, 'bulwark_jobs_total{state="queued"}')).toBe(1);
    expect(metricValue(text, 'bulwark_jobs_total{state="duplicate"}')).toBe(2);
    expect(metricValue(text, 'bulwark_jobs_total{state="completed"}')).toBe(1);
    expect(metricValue(text, 'bulwark_review_duration_seconds_count{status="reviewed"}')).toBe(1);
    expect(metricValue(text, 'bulwark_findings_total{kind="introduced"}')).toBe(1);
    expect(metricValue(text, 'bulwark_github_requests_total{method="POST",status="201"}')).toBeGreaterThanOrEqual(2);
    expect(text).toContain("bulwark_github_rate_limit_remaining");
    expect(metricValue(text, "bulwark_jobs_running")).toBe(0);
  });

  it("200 deliveries in a burst (50 pushes, each as pull_request, its redelivery, synchronize and check_suite): every head reviewed once, none lost, concurrency ≤ 3", async () => {
    const queue = new InMemoryQueue({ concurrency: 3 });
    app = await startQueuedServer(proxy.url, () => queue);
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
    expect(deliveries).toHaveLength(200);
    const statuses = await Promise.all(deliveries.map((d) => deliverWebhook(app!.hook, { secret: SECRET, ...d }).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    await queue.idle(45_000);
    for (const pr of prs) expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
    expect(gh.checkRuns(OWNER, REPO)).toHaveLength(50);
    expect(gh.checkRuns(OWNER, REPO).every((r) => r.status === "completed" && r.conclusion === "failure")).toBe(true);
    const stats = queue.stats();
    expect(stats.completed).toBe(50);
    expect(stats.maxRunning).toBeLessThanOrEqual(3);
    expect(stats.maxRunning).toBeGreaterThan(1);
    expect(stats.dead).toBe(0);
  }, 60_000);

  it("a job that keeps failing is retried with back-off, then dead-lettered (logged, counted); a redelivery may try again", async () => {
    let queue!: InMemoryQueue;
    app = await startQueuedServer(proxy.url, (metrics) => (queue = new InMemoryQueue({ concurrency: 2, attempts: 3, backoffMs: 20, metrics })));
    const [pr] = openPullRequests(gh, 1);
    // Creating the check run fails every time (5xx after the client's own retry).
    gh.inject("POST /repos/{owner}/{repo}/check-runs", { ...faults.serverError(500), times: 6 });
    const id = randomUUID();
    await deliverWebhook(app.hook, { secret: SECRET, event: "pull_request", payload: prPayload(gh, "opened", pr.number), deliveryId: id });
    await queue.idle(20_000);
    const dead = await queue.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ attempts: 3, job: { subject: `${OWNER}/${REPO}#${pr.number}`, headSha: pr.headSha } });
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(metricValue(text, 'bulwark_jobs_total{state="dead"}')).toBe(1);
    expect(metricValue(text, 'bulwark_jobs_total{state="retried"}')).toBe(2);
    expect(metricValue(text, 'bulwark_github_requests_total{method="POST",status="500"}')).toBe(3);
    // GitHub is fine again; the redelivery reviews.
    await deliverWebhook(app.hook, { secret: SECRET, event: "pull_request", payload: prPayload(gh, "opened", pr.number), deliveryId: id });
    await queue.idle(20_000);
    expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
  });
});
