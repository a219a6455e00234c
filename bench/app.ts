// The production app end to end: Probot `Server`s running `createBulwarkApp` with a review queue,
// each in its own child process (bench/app-instance.mjs on the compiled lib/), fed signed webhook
// deliveries over HTTP, against the loopback fake GitHub with latency (test/support: the
// strict fake + the proxy that adds GraphQL `object` and `latencyMs` before every answer). The
// fake, the proxy, redis-server and the load generator live in this (parent) process.
//
//   npx tsx bench/app.ts               (standalone)
//   import { runAppBench } from "./app.js"   (npm run bench -- app)
//
// 1. Burst: `burst` pull_request.opened deliveries (one per PR, each PR adding 5 Deployments, one
//    privileged: one introduced finding, one review comment), sent all at once, per setup:
//      redis ×1, redis ×2   RedisQueue (BullMQ) on one real redis-server, deliveries alternating
//                           between the instances (skipped, with a message, without redis-server)
//      memory ×1            InMemoryQueue (the default without REDIS_URL)
//      inline ×1            queue: "inline" (reviews run inside the delivery)
//    Figures: acknowledgement latency (HTTP response time of the delivery), end-to-end latency per
//    review (delivery sent → the check run's last write answered by the fake; the review is
//    posted before it), the review itself (its first request naming the PR → concluded: end to
//    end minus the wait for a worker), wall time of the burst and reviews/s, CPU time of the
//    instances per review. Before the burst: one warm-up PR per instance (not measured), then 4
//    lone deliveries, one at a time to idle instances (the queue's own cost, without the backlog).
// 2. Memory: one PR changing 3,000 manifest files (GitHub lists at most 3,000), reviewed by one
//    instance (InMemoryQueue), twice: with Node's default heap sizing, and with the production
//    image's NODE_OPTIONS (deploy/Dockerfile: a heap limit). The child's RSS is sampled from /proc/<pid>/status by this process
//    every 20 ms (not blocked by the child's own event loop), and the kernel's peak (VmHWM / ru_maxrss)
//    is read at the end. Goal ≤ 300 MB. The child runs the compiled lib/ that `npm start` runs
//    (bench/run.ts builds it first), with nothing else in its memory.
//    Diagnostics: BULWARK_BENCH_NODE_ARGS="--max-old-space-size=256" passes Node flags to the
//    instances; BULWARK_BENCH_HEAP_SNAPSHOT_MB=400 makes an instance write one heap snapshot (after
//    a full GC: what is live) to the temporary directory when its heap use first reaches 400 MB.
//
// Defaults: every rule (scan clock pinned), queue concurrency 4 (the default), writes serialised
// per installation (src/github WriteQueue, as in production), Probot's write throttling (≥ 1 s
// between writes, as GitHub asks) off — as in bench/review.ts, it would dominate every figure.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { FakeGitHub } from "../test/support/fake-github.js";
import { pullRequestPayload, webhookRequest } from "../test/support/webhooks.js";
import type { WebhookPayload } from "../test/support/webhooks.js";
import type { GitHubProxy } from "../test/support/github-proxy.js";
import { INSTALLATION_ID, OWNER, SECRET, probotOptions, startAppFake } from "../test/app/support/harness.js";
import { deployment } from "../test/support/manifests.js";
import { startRedis } from "../test/prod/support.js";
import type { RedisProcess } from "../test/prod/support.js";

const NOW = new Date("2026-11-25T00:00:00Z");
const REDIS_SERVER = "/usr/bin/redis-server";
const MB = 1024 * 1024;
const WARM_PER_INSTANCE = 1;
/** Lone deliveries (one at a time, idle instances) measured before the burst. */
const LONE = 4;
const FILES_PER_PR = 5;

type QueueKind = "redis" | "memory" | "inline";

export interface AppBenchRow {
  queue: QueueKind;
  instances: number;
  reviews: number;
  /** Delivery acknowledgement: HTTP response time of the webhook POST. */
  ackMs: { p50: number; p95: number; max: number };
  /** One delivery at a time to idle instances (after a warm-up one): acknowledgement and end to end, medians of 4. */
  lone: { ackMs: number; endToEndMs: number };
  /** Deliveries answered 202 "still processing" (the handler outlived Probot's 9 s timeout). */
  answered202: number;
  /** GitHub requests per review (mean over the burst), and how many of them were writes. */
  requestsPerReview: number;
  writesPerReview: number;
  /** Requests of the burst by route, per review. */
  byRoute: Record<string, number>;
  /** Delivery sent → check run concluded (its last write answered by the fake). */
  endToEndMs: { p50: number; p95: number; max: number };
  /** The review itself: its first request naming the pull request → check run concluded (end to end minus the wait for a worker). */
  reviewMs: { p50: number; p95: number; max: number };
  /** First delivery sent → last check run concluded. */
  wallMs: number;
  reviewsPerSecond: number;
  /** CPU time (user + system) of the app instances during the burst, per review. */
  appCpuMsPerReview: number;
  /** CPU time of this process (fake GitHub, proxy, load generator) during the burst, per review. */
  fakeCpuMsPerReview: number;
  /** Highest peak RSS (kernel VmHWM) among the instances, whole life. */
  peakRssMB: number;
  /** Reviews per instance (the split of the work). */
  perInstance: number[];
  conclusions: Record<string, number>;
}

export interface AppBenchMemory {
  files: number;
  /** Node options of the instance: none (V8's default heap sizing), or the image's (deploy/Dockerfile). */
  nodeOptions: string;
  /** Wall time of the review (delivery sent → check run concluded). */
  reviewMs: number;
  /** RSS of the idle instance after start-up. */
  idleRssMB: number;
  /** Highest RSS sampled during the review (every 20 ms, from /proc). */
  sampledPeakRssMB: number;
  /** The kernel's peak RSS of the instance over its whole life (VmHWM / ru_maxrss). */
  peakRssMB: number;
  /** Highest V8 heapUsed the instance saw (sampled by itself every 25 ms). */
  peakHeapUsedMB: number;
  goalMB: number;
  goalMet: boolean;
  requests: number;
  comments: number;
  annotations: number;
  conclusion: string;
  measuredIn: "child process";
}

export interface AppBenchResult {
  latencyMs: number;
  burst: number;
  filesPerPr: number;
  machine: { loadAverage: number; cpus: number };
  /** Why the Redis rows are missing, when they are. */
  redisSkipped?: string;
  rows: AppBenchRow[];
  /**
   * Each other setup on 1 instance against InMemoryQueue on 1 instance: lone delivery (ack and end
   * to end, ms more), burst (end-to-end p50/p95, ms more; reviews/s ratio).
   */
  overhead: { queue: string; loneAckMs: number; loneEndToEndMs: number; burstEndToEndP50Ms: number; burstEndToEndP95Ms: number; reviewsPerSecondRatio: number }[];
  memory?: AppBenchMemory[];
}

export interface AppBenchOptions {
  /** Deliveries per burst (default 100). */
  burst?: number;
  /** Latency of every GitHub request, ms (default 50). */
  latencyMs?: number;
  /** Files of the memory PR (default 3,000); 0 skips it. */
  memoryFiles?: number;
  /** Which burst setups (default all). */
  setups?: readonly { queue: QueueKind; instances: number }[];
  log?: (line: string) => void;
}

// ------------------------------------------------------------------ child process (one instance)

/** What bench/app-instance.mjs reads from BULWARK_BENCH_CHILD. */
interface ChildConfig {
  baseUrl: string;
  queue: { kind: "redis"; url: string; prefix: string } | { kind: "memory" } | { kind: "inline" };
  appId: number;
  privateKey: string;
  secret: string;
  /** The scan clock (ISO). */
  now: string;
}

type ToChild = { type: "mark" } | { type: "stop" };
type FromChild =
  | { type: "ready"; hook: string }
  | { type: "marked" }
  | { type: "stopped"; cpuMs: number; maxRssMB: number; peakHeapUsedMB: number; completed: number };

class Instance {
  private waiters: ((m: FromChild) => void)[] = [];
  hook = "";

  private constructor(readonly proc: ChildProcess) {
    proc.on("message", (m: FromChild) => this.waiters.shift()?.(m));
  }

  static async start(target: Pick<ChildConfig, "baseUrl" | "queue">, nodeArgs: readonly string[] = []): Promise<Instance> {
    const { appId, privateKey, secret } = probotOptions(target.baseUrl);
    const config: ChildConfig = { ...target, appId, privateKey, secret, now: NOW.toISOString() };
    const extra = (process.env.BULWARK_BENCH_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
    const proc = spawn(process.execPath, [...nodeArgs, ...extra, fileURLToPath(new URL("./app-instance.mjs", import.meta.url))], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: { ...process.env, BULWARK_BENCH_CHILD: JSON.stringify(config) },
    });
    const inst = new Instance(proc);
    const ready = await inst.next(60_000, "start");
    if (ready.type !== "ready") throw new Error(`instance: unexpected ${ready.type}`);
    inst.hook = ready.hook;
    return inst;
  }

  private next(timeoutMs: number, what: string): Promise<FromChild> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`app instance did not answer (${what}) within ${timeoutMs} ms`)), timeoutMs);
      const onExit = (code: number | null, signal: string | null) => {
        clearTimeout(t);
        reject(new Error(`app instance exited (${what}): code ${code}, signal ${signal}`));
      };
      this.proc.once("exit", onExit);
      this.waiters.push((m) => {
        clearTimeout(t);
        this.proc.off("exit", onExit);
        resolve(m);
      });
    });
  }

  async mark(): Promise<void> {
    const r = this.next(10_000, "mark");
    this.proc.send({ type: "mark" } satisfies ToChild);
    await r;
  }

  async stop(): Promise<Extract<FromChild, { type: "stopped" }>> {
    const exited = new Promise<void>((resolve) => (this.proc.exitCode !== null ? resolve() : this.proc.once("exit", () => resolve())));
    const r = this.next(30_000, "stop");
    this.proc.send({ type: "stop" } satisfies ToChild);
    const m = await r;
    await exited;
    if (m.type !== "stopped") throw new Error(`instance: unexpected ${m.type}`);
    return m;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  get exitDetail(): string {
    return this.proc.signalCode !== null ? `signal ${this.proc.signalCode}` : `exit code ${this.proc.exitCode}`;
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
  }

  /** Current RSS from /proc (Linux), bytes; undefined elsewhere. */
  rss(): number | undefined {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.proc.pid}/status`, "utf8"));
      return m ? Number(m[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }
}

// ------------------------------------------------------------------ parent

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

function dist(xs: number[]): { p50: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: Math.round(percentile(s, 50)), p95: Math.round(percentile(s, 95)), max: Math.round(s[s.length - 1] ?? 0) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pull_request.opened delivery GitHub would send for PR `number` of `repo` in the fake (not yet reviewed: review_comments 0). */
function openedPayload(gh: FakeGitHub, repo: string, number: number): WebhookPayload {
  return pullRequestPayload(gh, "opened", { owner: OWNER, repo, number, installationId: INSTALLATION_ID });
}

/** Sends one delivery; resolves with its send time (Date.now) and acknowledgement time (ms). */
async function deliver(hook: string, payload: WebhookPayload): Promise<{ sentAt: number; ackMs: number; status: number }> {
  const { headers, body } = webhookRequest({ secret: SECRET, event: "pull_request", payload });
  const sentAt = Date.now();
  const t = performance.now();
  const res = await fetch(hook, { method: "POST", headers, body });
  await res.text();
  const ackMs = performance.now() - t;
  // 202: Probot's webhook middleware answers "still processing" when the handlers take longer than
  // its timeout (9 s), so that GitHub (10 s) does not count the delivery as failed.
  if (res.status !== 200 && res.status !== 202) throw new Error(`delivery answered ${res.status}`);
  return { sentAt, ackMs, status: res.status };
}

/** When PR `number`'s check run was concluded: the end of the last write to it, Date.now time. */
function concludedAt(gh: FakeGitHub, proxy: GitHubProxy, repo: string): Map<number, number> {
  const runOf = new Map<number, number>(); // check run id → PR number
  for (const c of gh.checkRuns(OWNER, repo)) if (c.status === "completed" && c.external_id) runOf.set(c.id, Number(c.external_id));
  const out = new Map<number, number>();
  for (const r of proxy.requests) {
    if (r.method !== "PATCH") continue;
    const m = /\/check-runs\/(\d+)(?:\?|$)/.exec(r.url);
    const pr = m ? runOf.get(Number(m[1])) : undefined;
    if (pr === undefined) continue;
    out.set(pr, Math.max(out.get(pr) ?? 0, r.at + r.ms));
  }
  return out;
}

async function waitConcluded(gh: FakeGitHub, repo: string, numbers: readonly number[], timeoutMs: number, what: string, instances: readonly Instance[]): Promise<void> {
  const want = new Set(numbers.map(String));
  const until = Date.now() + timeoutMs;
  for (;;) {
    const dead = instances.find((i) => !i.alive);
    if (dead) throw new Error(`${what}: an app instance died (${dead.exitDetail}) before every check run was concluded`);
    let done = 0;
    for (const c of gh.checkRuns(OWNER, repo)) if (c.status === "completed" && c.external_id && want.has(c.external_id)) done++;
    if (done >= want.size) return;
    if (Date.now() > until) throw new Error(`${what}: only ${done} of ${want.size} check runs concluded after ${timeoutMs / 1000} s`);
    await sleep(20);
  }
}

/** A repository with `count` pull requests, each adding FILES_PER_PR Deployments (the first privileged). */
function burstRepo(gh: FakeGitHub, repo: string, count: number): number[] {
  gh.createRepo({ owner: OWNER, repo, files: { "README.md": "# bench\n" } });
  const numbers: number[] = [];
  for (let i = 0; i < count; i++) {
    const files: Record<string, string> = {};
    for (let j = 0; j < FILES_PER_PR; j++) files[`k8s/svc-${i}/app-${j}.yaml`] = deployment(`svc-${i}-${j}`, { apeFalse: true, privileged: j === 0 });
    gh.commit({ owner: OWNER, repo, branch: `pr-${i}`, files });
    numbers.push(gh.openPullRequest({ owner: OWNER, repo, head: `pr-${i}`, title: `Service ${i}` }).number);
  }
  return numbers;
}

async function runBurst(gh: FakeGitHub, proxy: GitHubProxy, setup: { queue: QueueKind; instances: number }, burst: number, redis: RedisProcess | undefined): Promise<AppBenchRow> {
  const repo = `burst-${setup.queue}-${setup.instances}`;
  const warm = WARM_PER_INSTANCE * setup.instances + LONE;
  const numbers = burstRepo(gh, repo, warm + burst);
  const config: Pick<ChildConfig, "baseUrl" | "queue"> = {
    baseUrl: proxy.url,
    queue: setup.queue === "redis" ? { kind: "redis", url: redis!.url, prefix: `bench${randomUUID().slice(0, 8)}` } : { kind: setup.queue },
  };
  const instances: Instance[] = [];
  try {
    for (let k = 0; k < setup.instances; k++) instances.push(await Instance.start(config));
    // One warm-up delivery per instance (JIT, installation token, connections; not measured), then
    // LONE lone deliveries, one at a time: the figures of an idle app.
    const lone: { n: number; sentAt: number; ackMs: number }[] = [];
    for (let w = 0; w < warm; w++) {
      if (w === warm - LONE) proxy.reset();
      const d = await deliver(instances[w % instances.length].hook, openedPayload(gh, repo, numbers[w]));
      if (w >= warm - LONE) lone.push({ n: numbers[w], ...d });
      await waitConcluded(gh, repo, [numbers[w]], 60_000, "warm-up", instances);
    }
    const loneDone = concludedAt(gh, proxy, repo);
    const measured = numbers.slice(warm);
    const payloads = measured.map((n) => openedPayload(gh, repo, n));
    await Promise.all(instances.map((i) => i.mark()));
    proxy.reset();
    const cpu0 = process.cpuUsage();
    const sent = await Promise.all(payloads.map((p, i) => deliver(instances[i % instances.length].hook, p)));
    await waitConcluded(gh, repo, measured, 180_000, `${setup.queue} ×${setup.instances}`, instances);
    const cpu = process.cpuUsage(cpu0);
    const concluded = concludedAt(gh, proxy, repo);
    const requests = proxy.requests.length;
    // When each review started: its first request that names the pull request (the check run is created just before).
    const started = new Map<number, number>();
    for (const q of proxy.requests) {
      const m = new RegExp(`/repos/${OWNER}/${repo}/pulls/(\\d+)`).exec(q.url);
      if (m && !started.has(Number(m[1]))) started.set(Number(m[1]), q.at);
    }
    const byRoute: Record<string, number> = {};
    for (const q of proxy.requests) {
      const key = q.graphql ? `POST /graphql ${q.graphql.kind} ${q.graphql.name ?? ""}`.trim() : (q.route ?? `${q.method} ${q.url}`);
      byRoute[key] = (byRoute[key] ?? 0) + 1;
    }
    for (const k of Object.keys(byRoute)) byRoute[k] = Number((byRoute[k] / burst).toFixed(2));
    const writes = proxy.requests.filter((r) => r.method !== "GET" && !(r.graphql && r.graphql.kind === "query")).length;
    const e2e = measured.map((n, i) => concluded.get(n)! - sent[i].sentAt);
    const first = Math.min(...sent.map((s) => s.sentAt));
    const last = Math.max(...measured.map((n) => concluded.get(n)!));
    const conclusions: Record<string, number> = {};
    const measuredSet = new Set(measured.map(String));
    for (const c of gh.checkRuns(OWNER, repo)) if (c.external_id && measuredSet.has(c.external_id)) conclusions[c.conclusion ?? "none"] = (conclusions[c.conclusion ?? "none"] ?? 0) + 1;
    for (const n of measured) {
      const reviews = gh.reviews(OWNER, repo, n).length;
      if (reviews !== 1) throw new Error(`${repo}#${n}: ${reviews} reviews (expected 1)`);
    }
    const stops = [];
    for (const i of instances) stops.push(await i.stop());
    instances.length = 0;
    const wallMs = last - first;
    return {
      queue: setup.queue,
      instances: setup.instances,
      reviews: burst,
      lone: { ackMs: dist(lone.map((l) => l.ackMs)).p50, endToEndMs: dist(lone.map((l) => loneDone.get(l.n)! - l.sentAt)).p50 },
      ackMs: dist(sent.map((s) => s.ackMs)),
      answered202: sent.filter((s) => s.status === 202).length,
      requestsPerReview: Number((requests / burst).toFixed(1)),
      writesPerReview: Number((writes / burst).toFixed(1)),
      byRoute,
      endToEndMs: dist(e2e),
      reviewMs: dist(measured.map((n) => concluded.get(n)! - started.get(n)!)),
      wallMs,
      reviewsPerSecond: Number(((burst * 1000) / wallMs).toFixed(1)),
      appCpuMsPerReview: Math.round(stops.reduce((s, x) => s + x.cpuMs, 0) / burst),
      fakeCpuMsPerReview: Math.round((cpu.user + cpu.system) / 1000 / burst),
      peakRssMB: Math.round(Math.max(...stops.map((s) => s.maxRssMB))),
      perInstance: stops.map((s) => s.completed),
      conclusions,
    };
  } finally {
    for (const i of instances) i.kill();
  }
}

/** NODE_OPTIONS of the production image, read from deploy/Dockerfile so the two cannot drift. */
export const IMAGE_NODE_OPTIONS = /NODE_OPTIONS=(\S+)/.exec(readFileSync(new URL("../deploy/Dockerfile", import.meta.url), "utf8"))?.[1] ?? "";

async function runMemory(gh: FakeGitHub, proxy: GitHubProxy, files: number, goalMB: number, nodeOptions: string): Promise<AppBenchMemory> {
  const repo = `big-${files}-${nodeOptions ? "image" : "default"}`;
  const name = (i: number) => `k8s/app-${String(i).padStart(4, "0")}.yaml`;
  const base: Record<string, string> = { "README.md": "# bench\n" };
  for (let i = 0; i < files; i++) base[name(i)] = deployment(`app-${i}`, { apeFalse: true });
  gh.createRepo({ owner: OWNER, repo, files: base });
  const head: Record<string, string> = {};
  // Every file changes (image bump); one in five also turns privileged (an introduced finding).
  for (let i = 0; i < files; i++) head[name(i)] = deployment(`app-${i}`, { apeFalse: true, image: "nginx:1.28", privileged: i % 5 === 0 });
  gh.commit({ owner: OWNER, repo, branch: "big-change", files: head });
  const pr = gh.openPullRequest({ owner: OWNER, repo, head: "big-change", title: "Bump every image" });
  const inst = await Instance.start({ baseUrl: proxy.url, queue: { kind: "memory" } }, nodeOptions.split(/\s+/).filter(Boolean));
  let sampler: NodeJS.Timeout | undefined;
  try {
    await sleep(500);
    const idle = inst.rss() ?? 0;
    let peak = idle;
    sampler = setInterval(() => (peak = Math.max(peak, inst.rss() ?? 0)), 20);
    proxy.reset();
    const { sentAt } = await deliver(inst.hook, openedPayload(gh, repo, pr.number));
    await waitConcluded(gh, repo, [pr.number], 150_000, `${files}-file review`, [inst]);
    clearInterval(sampler);
    const done = concludedAt(gh, proxy, repo).get(pr.number)!;
    const requests = proxy.requests.length;
    const stopped = await inst.stop();
    const run = gh.checkRuns(OWNER, repo)[0];
    const review = gh.reviews(OWNER, repo, pr.number)[0] as { id?: number } | undefined;
    const peakRssMB = Math.round(stopped.maxRssMB);
    return {
      files,
      nodeOptions,
      reviewMs: done - sentAt,
      idleRssMB: Math.round(idle / MB),
      sampledPeakRssMB: Math.round(peak / MB),
      peakRssMB,
      peakHeapUsedMB: Math.round(stopped.peakHeapUsedMB),
      goalMB,
      goalMet: peakRssMB <= goalMB,
      requests,
      comments: review ? gh.reviewCommentsOf(OWNER, repo, pr.number).length : 0,
      annotations: run?.annotations.length ?? 0,
      conclusion: run?.conclusion ?? "none",
      measuredIn: "child process",
    };
  } finally {
    if (sampler) clearInterval(sampler);
    inst.kill();
  }
}

const LABEL: Record<QueueKind, string> = { redis: "RedisQueue (BullMQ)", memory: "InMemoryQueue", inline: "inline" };

export async function runAppBench(opts: AppBenchOptions = {}): Promise<AppBenchResult> {
  const burst = opts.burst ?? 100;
  const latencyMs = opts.latencyMs ?? 50;
  const memoryFiles = opts.memoryFiles ?? 3000;
  const log = opts.log ?? (() => undefined);
  let setups = opts.setups ?? [
    { queue: "redis", instances: 1 },
    { queue: "redis", instances: 2 },
    { queue: "memory", instances: 1 },
    { queue: "inline", instances: 1 },
  ];
  let redisSkipped: string | undefined;
  if (setups.some((s) => s.queue === "redis") && !existsSync(REDIS_SERVER)) {
    redisSkipped = `${REDIS_SERVER} not found: the RedisQueue rows are skipped`;
    log(`(${redisSkipped})`);
    setups = setups.filter((s) => s.queue !== "redis");
  }
  const { gh, proxy } = await startAppFake(latencyMs);
  let redis: RedisProcess | undefined;
  const rows: AppBenchRow[] = [];
  let memory: AppBenchMemory[] | undefined;
  try {
    if (setups.some((s) => s.queue === "redis")) redis = await startRedis();
    log(`burst of ${burst} pull_request.opened deliveries (${FILES_PER_PR} files per PR), ${latencyMs} ms per GitHub request, every rule, concurrency 4 per instance`);
    const widths = [22, 4, 6, 13, 15, 25, 19, 6, 9, 13, 11];
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[0]) : c.padStart(widths[i]))).join("  ");
    log(`${" ".repeat(widths[0] + widths[1] + 4)}${"lone, idle".padEnd(widths[2] + widths[3] + 2)}  burst of ${burst}`);
    log(line(["queue", "inst", "ack ms", "end-to-end ms", "ack p50/p95 ms", "end-to-end p50/p95/max ms", "in review p50/p95 ms", "wall s", "reviews/s", "CPU ms/review", "peak RSS MB"]));
    for (const s of setups) {
      const r = await runBurst(gh, proxy, s, burst, redis);
      rows.push(r);
      log(
        line([
          LABEL[r.queue],
          String(r.instances),
          String(r.lone.ackMs),
          String(r.lone.endToEndMs),
          `${r.ackMs.p50}/${r.ackMs.p95}`,
          `${r.endToEndMs.p50}/${r.endToEndMs.p95}/${r.endToEndMs.max}`,
          `${r.reviewMs.p50}/${r.reviewMs.p95}`,
          (r.wallMs / 1000).toFixed(1),
          r.reviewsPerSecond.toFixed(1),
          String(r.appCpuMsPerReview),
          String(r.peakRssMB),
        ]) +
          (r.instances > 1 ? `   (split ${r.perInstance.join("/")})` : "") +
          (r.answered202 > 0 ? `   (${r.answered202} answered 202 "still processing" after Probot's 9 s timeout)` : ""),
      );
    }
    if (memoryFiles > 0) {
      memory = [];
      for (const nodeOptions of ["", IMAGE_NODE_OPTIONS]) {
        const m = await runMemory(gh, proxy, memoryFiles, 300, nodeOptions);
        memory.push(m);
        log(
          `memory, one ${memoryFiles.toLocaleString("en-US")}-file PR (InMemoryQueue, child process, ${nodeOptions ? `the image's ${nodeOptions}` : "Node's default heap sizing"}): idle ${m.idleRssMB} MB → peak RSS ${m.peakRssMB} MB ` +
            `(sampled ${m.sampledPeakRssMB} MB, heap used ≤ ${m.peakHeapUsedMB} MB) — goal ≤ ${m.goalMB} MB ${m.goalMet ? "✓" : "✗ NOT MET"}; ` +
            `review ${(m.reviewMs / 1000).toFixed(1)} s, ${m.requests} requests, ${m.comments} comments, ${m.annotations} annotations, ${m.conclusion}`,
        );
      }
    }
    proxy.assertNoViolations();
  } finally {
    await redis?.stop();
    await proxy.stop();
    await gh.stop();
  }
  const ref = rows.find((r) => r.queue === "memory" && r.instances === 1);
  const overhead = ref
    ? rows
        .filter((r) => r !== ref && r.instances === 1)
        .map((r) => ({
          queue: r.queue,
          loneAckMs: r.lone.ackMs - ref.lone.ackMs,
          loneEndToEndMs: r.lone.endToEndMs - ref.lone.endToEndMs,
          burstEndToEndP50Ms: r.endToEndMs.p50 - ref.endToEndMs.p50,
          burstEndToEndP95Ms: r.endToEndMs.p95 - ref.endToEndMs.p95,
          reviewsPerSecondRatio: Number((r.reviewsPerSecond / ref.reviewsPerSecond).toFixed(2)),
        }))
    : [];
  const signed = (n: number) => `${n >= 0 ? "+" : ""}${n} ms`;
  for (const o of overhead)
    log(
      `${LABEL[o.queue as QueueKind]} vs InMemoryQueue (1 instance): lone delivery ack ${signed(o.loneAckMs)}, end to end ${signed(o.loneEndToEndMs)}; ` +
        `burst end to end p50 ${signed(o.burstEndToEndP50Ms)}, p95 ${signed(o.burstEndToEndP95Ms)}, throughput ×${o.reviewsPerSecondRatio}`,
    );
  return {
    latencyMs,
    burst,
    filesPerPr: FILES_PER_PR,
    machine: { loadAverage: Number(loadavg()[0].toFixed(1)), cpus: cpus().length },
    ...(redisSkipped ? { redisSkipped } : {}),
    rows,
    overhead,
    ...(memory ? { memory } : {}),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runAppBench({ log: (l) => console.log(l) });
  console.log(`load average ${result.machine.loadAverage} on ${result.machine.cpus} CPUs`);
}
