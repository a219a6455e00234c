// Scheduled update runs on the shared queue: every instance upserts the same BullMQ job scheduler,
// and each occurrence is run by one instance — two instances do not double the passes.
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RedisQueue } from "../../src/app/queue/index.js";
import type { FakeGitHub } from "../support/fake-github.js";
import type { GitHubProxy } from "../support/github-proxy.js";
import { OWNER, startAppFake } from "../app/support/harness.js";
import { startQueuedServer, startRedis, waitFor } from "./support.js";
import type { AppServer, RedisProcess } from "./support.js";

let gh: FakeGitHub;
let proxy: GitHubProxy;
let redis: RedisProcess;
let apps: AppServer[] = [];

beforeEach(async () => {
  ({ gh, proxy } = await startAppFake());
  redis = await startRedis();
});

afterEach(async () => {
  try {
    proxy.assertNoViolations();
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
    apps = [];
    await proxy.stop();
    await gh.stop();
    await redis.stop();
  }
});

describe("scheduled update runs as a repeatable job", () => {
  it("two instances on one Redis: one pass per interval, not one per instance", async () => {
    gh.createRepo({ owner: OWNER, repo: "web", files: { "README.md": "# web\n" } });
    const prefix = `s${randomUUID().slice(0, 8)}`;
    const queue = (metrics: ConstructorParameters<typeof RedisQueue>[0]["metrics"]) => new RedisQueue({ url: redis.url, prefix, lockMs: 2000, ...(metrics ? { metrics } : {}) });
    const started = Date.now();
    apps = [await startQueuedServer(proxy.url, queue, { updates: true, updateSchedule: "1s" }), await startQueuedServer(proxy.url, queue, { updates: true, updateSchedule: "1s" })];
    // Each pass lists the app's installations first, then the repositories of each.
    const passes = () => gh.count("GET /app/installations");
    await waitFor(() => passes() >= 4, 15_000, "four scheduled passes");
    const elapsedS = (Date.now() - started) / 1000;
    const n = passes();
    // One pass per tick of the shared schedule; per-instance timers would make about twice as many.
    expect(n).toBeLessThanOrEqual(Math.floor(elapsedS) + 1);
    // Every pass visited the repository with an installation token.
    await waitFor(() => gh.count("GET /installation/repositories") >= n, 5000, "each pass to list the repositories");
  }, 30_000);
});
