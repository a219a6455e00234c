// `npm run bench`: every benchmark in one run — engine throughput (scan/parse ratio, fixes,
// memory), the app's API requests and wall time per review, the action's bundle and cold
// start. Figures print to stdout and go to bench/results.json; the README quotes them.
// Timing lives here, never in tests.
import { writeFileSync } from "node:fs";
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
results.loadAverage = loadavg()[0];
writeFileSync(new URL("./results.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
