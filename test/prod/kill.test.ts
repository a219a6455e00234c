// A worker killed mid-job (SIGKILL of a real app process): the job is taken over by another
// instance and the review is posted exactly once, with one check run that ends concluded.
// In-process "kills" cannot prove this (an async function keeps running after its worker is
// closed), so the dying instance runs in a child process (test/prod/app-process.ts).
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RedisQueue } from "../../src/app/queue/index.js";
import type { FakeGitHub } from "../support/fake-github.js";
import { deliverWebhook } from "../support/webhooks.js";
import type { GitHubProxy } from "../support/github-proxy.js";
import { OWNER, REPO, SECRET, prPayload, startAppFake } from "../app/support/harness.js";
import { openPullRequests, startQueuedServer, startRedis, waitFor } from "./support.js";
import type { AppServer, RedisProcess } from "./support.js";

let gh: FakeGitHub;
let proxy: GitHubProxy;
let redis: RedisProcess;
let child: ChildProcess | undefined;
let survivor: AppServer | undefined;

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Start one app instance in a child process; resolves with its webhook URL. */
async function startChild(prefix: string): Promise<{ proc: ChildProcess; hook: string }> {
  const proc = spawn(process.execPath, ["--import", "tsx", "test/prod/app-process.ts"], {
    cwd: ROOT,
    env: { ...process.env, BULWARK_TEST_GITHUB: proxy.url, REDIS_URL: redis.url, BULWARK_QUEUE_PREFIX: prefix },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const hook = await new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    const t = setTimeout(() => reject(new Error(`app process did not start: ${out}${err}`)), 30_000);
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^ready (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
    proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    proc.once("exit", (code, signal) => reject(new Error(`app process exited (${code ?? signal}): ${err}`)));
  });
  return { proc, hook };
}

function kill9(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once("exit", () => resolve());
    proc.kill("SIGKILL");
  });
}

beforeEach(async () => {
  ({ gh, proxy } = await startAppFake());
  redis = await startRedis();
});

afterEach(async () => {
  try {
    proxy.assertNoViolations();
  } finally {
    if (child) await kill9(child);
    child = undefined;
    await survivor?.stop();
    survivor = undefined;
    await proxy.stop();
    await gh.stop();
    await redis.stop();
  }
});

const survivorQueue = (prefix: string) => (metrics: ConstructorParameters<typeof RedisQueue>[0]["metrics"]) =>
  new RedisQueue({ url: redis.url, prefix, concurrency: 2, attempts: 3, backoffMs: 50, lockMs: 2000, lockRetryMs: 30, ...(metrics ? { metrics } : {}) });

/** Deliver one PR to a child instance, SIGKILL it when `killWhen` holds, let a survivor finish. */
async function killMidJob(killWhen: () => boolean, what: string) {
  const prefix = `k${randomUUID().slice(0, 8)}`;
  const [pr] = openPullRequests(gh, 1);
  const started = await startChild(prefix);
  child = started.proc;
  const res = await deliverWebhook(started.hook, { secret: SECRET, event: "pull_request", payload: prPayload(gh, "opened", pr.number) });
  expect(res.status).toBe(200);
  await waitFor(killWhen, 20_000, what);
  await kill9(child);
  child = undefined;
  survivor = await startQueuedServer(proxy.url, survivorQueue(prefix));
  await waitFor(() => gh.checkRuns(OWNER, REPO).length > 0 && gh.checkRuns(OWNER, REPO).every((r) => r.status === "completed"), 25_000, "every check run concluded");
  await survivor.queue.idle(10_000);
  return pr;
}

describe("a worker process killed mid-job (SIGKILL)", () => {
  it("killed before anything was posted: the survivor takes the job over, resumes the dead run's check run and posts the review once", async () => {
    // The review stalls in the listing of the files, after the check run was created.
    gh.inject("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { delayMs: 10_000 });
    const pr = await killMidJob(() => gh.count("GET /repos/{owner}/{repo}/pulls/{pull_number}/files") > 0, "the child to start the review");
    expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
    const runs = gh.checkRuns(OWNER, REPO, { headSha: pr.headSha });
    // One run: the survivor concluded the one the dead worker had opened, not a second one.
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(gh.count("POST /repos/{owner}/{repo}/check-runs")).toBe(1);
    expect(survivor!.queue.stats().completed).toBe(1);
  }, 60_000);

  it("killed after its review request was sent: the survivor sees the review and does not post a second one", async () => {
    // The review request reaches GitHub (and is applied) but the process dies before the answer.
    gh.inject("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews", { delayMs: 1000 });
    const pr = await killMidJob(() => gh.count("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews") > 0, "the child to send its review");
    expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
    expect(gh.count("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews")).toBe(1);
    const runs = gh.checkRuns(OWNER, REPO, { headSha: pr.headSha });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    // The survivor saw the dead worker's comments (their fingerprints) and had nothing new to post.
    expect(gh.reviewCommentsOf(OWNER, REPO, pr.number).length).toBeGreaterThan(0);
    expect(gh.count("GET /repos/{owner}/{repo}/pulls/{pull_number}/comments")).toBeGreaterThan(0);
  }, 60_000);
});
