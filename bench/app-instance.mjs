// One app instance for bench/app.ts, as production runs it: the compiled lib/ (`npm run
// build:lib`, what `npm start` loads) in a plain Node process — no TypeScript loader, no test
// support in memory, so its RSS is the app's. Talks to the parent over IPC:
//   → { type: "ready", hook }   ← { type: "mark" } → { type: "marked" }   ← { type: "stop" } → { type: "stopped", … }
// Configuration (JSON in BULWARK_BENCH_CHILD): the fake GitHub's URL, the GitHub App's id, key
// and webhook secret, and the queue ({ kind: "redis", url, prefix } | { kind: "memory" } | { kind: "inline" }).
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setInterval, clearInterval } from "node:timers";
import { writeHeapSnapshot } from "node:v8";
import { pino } from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { BulwarkMetrics, InMemoryQueue, RedisQueue, createBulwarkApp } from "../lib/app/index.js";

const MB = 1024 * 1024;
const config = JSON.parse(process.env.BULWARK_BENCH_CHILD ?? "{}");

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const metrics = new BulwarkMetrics();
const queue =
  config.queue.kind === "redis"
    ? new RedisQueue({ url: config.queue.url, prefix: config.queue.prefix, metrics })
    : config.queue.kind === "memory"
      ? new InMemoryQueue({ metrics })
      : "inline";
let completed = 0;
const probot = Probot.defaults({
  appId: config.appId,
  privateKey: config.privateKey,
  secret: config.secret,
  baseUrl: config.baseUrl,
  log: pino({ level: "silent" }),
  Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
});
const server = new Server({ host: "127.0.0.1", port: await freePort(), log: pino({ level: "silent" }), Probot: probot });
await server.load(
  createBulwarkApp({
    rateLimits: { throttle: false },
    scan: { now: new Date(config.now) },
    queue,
    metrics,
    onReview: (e) => {
      if (e.outcome) completed++;
    },
  }),
);
const http = await server.start();

// Sampled on the event loop, so it misses what a synchronous scan allocates and frees between
// two samples; the parent reads the kernel's RSS figures, which do not.
let peakHeap = 0;
let cpu0 = process.cpuUsage();
const snapshotAt = Number(process.env.BULWARK_BENCH_HEAP_SNAPSHOT_MB ?? 0) * MB;
let snapshotted = false;
const sampler = setInterval(() => {
  const used = process.memoryUsage().heapUsed;
  peakHeap = Math.max(peakHeap, used);
  if (snapshotAt > 0 && !snapshotted && used >= snapshotAt) {
    snapshotted = true;
    console.error(`app instance: heap used ${Math.round(used / MB)} MB, heap snapshot written to ${writeHeapSnapshot(join(tmpdir(), `bulwark-app-${process.pid}.heapsnapshot`))}`);
  }
}, 25);

process.on("message", (m) => {
  if (m.type === "mark") {
    cpu0 = process.cpuUsage();
    completed = 0;
    process.send({ type: "marked" });
  } else if (m.type === "stop") {
    void (async () => {
      const cpu = process.cpuUsage(cpu0);
      clearInterval(sampler);
      if (queue !== "inline") await queue.close();
      await server.stop();
      const out = { type: "stopped", cpuMs: (cpu.user + cpu.system) / 1000, maxRssMB: (process.resourceUsage().maxRSS * 1024) / MB, peakHeapUsedMB: peakHeap / MB, completed };
      process.send(out, () => process.exit(0));
    })();
  }
});
process.send({ type: "ready", hook: `http://127.0.0.1:${http.address().port}/api/github/webhooks` });
