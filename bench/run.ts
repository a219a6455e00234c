// `npm run bench`: every benchmark in one run — engine throughput (scan/parse ratio, fixes,
// memory), the app's API requests and wall time per review, the action's bundle and cold
// start, the production app end to end (queue throughput and latency, memory of a 3,000-file
// PR). Figures print to stdout and go to bench/results.json (a partial run, `npm run bench --
// app`, replaces only its own sections; date, node, cpus and loadAverage are the latest run's);
// the README quotes them. Timing lives here, never in tests.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { runScanBench } from "./scan.js";

const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, cpus: cpus().length };

if (want("scan")) {
  console.log("== engine ==");
  results.scan = await runScanBench();
}
if (want("review")) {
  console.log("\n== app review: API requests and wall time (loopback fake GitHub, 50 ms latency) ==");
  const { runReviewBench } = await import("./review.js");
  results.review = await runReviewBench({ log: (l) => console.log(l) });
}
if (want("action")) {
  console.log("\n== action: bundle, cold start, 20-file PR ==");
  const { runActionBench } = await import("./action.js");
  const a = await runActionBench();
  console.log(`bundle ${(a.bundleBytes / 1024).toFixed(0)} KiB, cold start ${a.coldStartMs} ms, 20-file PR ${a.twentyFilePrMs} ms`);
  results.action = a;
}
if (want("app")) {
  console.log("\n== app end to end: webhook bursts through the queues, memory of a 3,000-file PR (loopback fake GitHub, 50 ms latency) ==");
  const { runAppBench } = await import("./app.js");
  results.app = await runAppBench({ log: (l) => console.log(l) });
}
results.loadAverage = loadavg()[0];
const file = new URL("./results.json", import.meta.url);
const previous = only.length > 0 && existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : {};
writeFileSync(file, JSON.stringify({ ...previous, ...results }, null, 2) + "\n");
