// Support for the production-behaviour tests: a Probot Server running the app with a queue, a
// throwaway redis-server on a random loopback port, small pull requests in the fake.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BulwarkAppOptions } from "../../src/app/index.js";
import { BulwarkMetrics } from "../../src/app/metrics.js";
import type { ReviewQueue } from "../../src/app/queue/index.js";
import { OWNER, REPO, startServer } from "../app/support/harness.js";
import type { FakeGitHub } from "../support/fake-github.js";
import { deployment } from "../support/manifests.js";
import { freePort } from "../support/ports.js";

export const SCAN = { onlyRules: ["K8S-RUNTIME-001", "K8S-RUNTIME-002"] };

export interface AppServer {
  url: string;
  hook: string;
  metrics: BulwarkMetrics;
  queue: ReviewQueue;
  stop: () => Promise<void>;
}

/** A Probot Server (the app harness's startServer) with the app on `queue`, scanning SCAN unless `app` says otherwise. */
export async function startQueuedServer(baseUrl: string, makeQueue: (metrics: BulwarkMetrics) => ReviewQueue, app: BulwarkAppOptions = {}): Promise<AppServer> {
  const metrics = new BulwarkMetrics();
  const queue = makeQueue(metrics);
  const server = await startServer(baseUrl, { scan: SCAN, ...app, queue, metrics });
  return {
    url: server.url,
    hook: `${server.url}/api/github/webhooks`,
    metrics,
    queue,
    stop: async () => {
      await queue.close();
      await server.stop();
    },
  };
}

/** `n` open pull requests, each adding one privileged Deployment (one finding on a diff line). */
export function openPullRequests(gh: FakeGitHub, n: number, prefix = "f"): { number: number; headSha: string }[] {
  gh.createRepo({ owner: OWNER, repo: REPO, files: { "README.md": "# web\n" } });
  const out: { number: number; headSha: string }[] = [];
  for (let i = 0; i < n; i++) {
    gh.commit({ owner: OWNER, repo: REPO, branch: `${prefix}-${i}`, files: { [`k8s/app-${i}.yaml`]: deployment(`app-${i}`, { privileged: true, apeFalse: true }) } });
    out.push(gh.openPullRequest({ owner: OWNER, repo: REPO, head: `${prefix}-${i}` }));
  }
  return out;
}

export interface RedisProcess {
  url: string;
  port: number;
  stop: () => Promise<void>;
  /** Kill (SIGKILL) and start again on the same port and data directory. */
  restart: (downMs?: number) => Promise<void>;
}

/** A redis-server on a random loopback port. `persist`: AOF with fsync always (survives a kill). */
export async function startRedis(opts: { persist?: boolean } = {}): Promise<RedisProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "bulwark-redis-"));
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir, ...(opts.persist ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"])];
  let proc: ChildProcess;
  const launch = async () => {
    proc = spawn("/usr/bin/redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const t = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
      proc.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("Ready to accept connections")) {
          clearTimeout(t);
          resolve();
        }
      });
      proc.once("exit", (code) => reject(new Error(`redis-server exited ${code}: ${out}`)));
    });
  };
  const kill = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once("exit", () => resolve());
      proc.kill("SIGKILL");
    });
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: kill,
    restart: async (downMs = 500) => {
      await kill();
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
  };
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 30_000, what = "condition"): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The value of one series in Prometheus text ("name{a=\"b\"}"), 0 when absent. */
export function metricValue(text: string, series: string): number {
  for (const line of text.split("\n")) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}
