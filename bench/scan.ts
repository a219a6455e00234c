// Scan throughput against bare YAML parsing of the same corpus, fix throughput, and
// memory (part of `npm run bench`). Timing lives here, never in tests.
import { parseAllDocuments } from "yaml";
import { scan } from "../src/core/engine/scan.js";
import { fixFiles } from "../src/core/engine/fixes.js";
import { dockerfileCorpus, manifestCorpus } from "./corpus.js";

const MANIFESTS = Number(process.env.BENCH_MANIFESTS ?? 10_000);
const DOCKERFILES = Number(process.env.BENCH_DOCKERFILES ?? 1_000);
const NOW = new Date("2026-11-25T00:00:00Z");

function time<T>(fn: () => T): { ms: number; value: T } {
  const t = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

function best<T>(runs: number, fn: () => T): { ms: number; value: T } {
  let out = time(fn);
  for (let i = 1; i < runs; i++) {
    const r = time(fn);
    if (r.ms < out.ms) out = r;
  }
  return out;
}

export async function runScanBench() {
  const manifests = manifestCorpus(MANIFESTS);
  const dockerfiles = dockerfileCorpus(DOCKERFILES);
  const bytes = manifests.reduce((n, f) => n + f.text.length, 0);
  console.log(`corpus: ${manifests.length} manifest files (${(bytes / 1024 / 1024).toFixed(1)} MB), ${dockerfiles.length} Dockerfiles`);

  // Warm-up: JIT and module initialisation should not count against either side.
  scan(manifests.slice(0, 200), { now: NOW });
  for (const f of manifests.slice(0, 200)) for (const d of parseAllDocuments(f.text)) d.toJS();

  const parse = best(3, () => {
    let docs = 0;
    for (const f of manifests) for (const d of parseAllDocuments(f.text)) {
      d.toJS();
      docs++;
    }
    return docs;
  });
  // Detection: every rule, findings with exact ranges and fingerprints (what gates a PR).
  const scanManifests = best(2, () => scan(manifests, { now: NOW, fixes: "none" }));
  const scanDockerfiles = best(2, () => scan(dockerfiles, { now: NOW, fixes: "none" }));
  const ratio = scanManifests.ms / parse.ms;
  // The CLI's default also plans every fix (byte-exact edits, each verified by re-parsing).
  const planSubset = manifests.slice(0, Math.min(1000, manifests.length));
  const parseSubset = time(() => {
    for (const f of planSubset) for (const d of parseAllDocuments(f.text)) d.toJS();
  });
  const withFixes = time(() => scan(planSubset, { now: NOW }));

  const fixSubset = manifests.slice(0, Math.min(2000, manifests.length));
  const fixes = time(() => fixFiles(fixSubset, {}, { now: NOW }));
  const mem = process.memoryUsage();

  const results = {
    manifests: MANIFESTS,
    dockerfiles: DOCKERFILES,
    yamlParseMs: Math.round(parse.ms),
    scanManifestsMs: Math.round(scanManifests.ms),
    scanToParseRatio: Number(ratio.toFixed(2)),
    withFixPlanningRatio: Number((withFixes.ms / parseSubset.ms).toFixed(2)),
    manifestFilesPerSecond: Math.round(MANIFESTS / (scanManifests.ms / 1000)),
    findings: scanManifests.value.findings.length,
    scanDockerfilesMs: Math.round(scanDockerfiles.ms),
    dockerfilesPerSecond: Math.round(DOCKERFILES / (scanDockerfiles.ms / 1000)),
    fixFiles: fixSubset.length,
    fixesApplied: fixes.value.applied.length,
    fixesPerSecond: Math.round(fixes.value.applied.length / (fixes.ms / 1000)),
    rssMB: Math.round(mem.rss / 1024 / 1024),
    heapUsedMB: Math.round(mem.heapUsed / 1024 / 1024),
  };
  console.log(`bare yaml parse:     ${results.yamlParseMs} ms (${parse.value} documents)`);
  console.log(`scan (all rules):    ${results.scanManifestsMs} ms → ${results.manifestFilesPerSecond} files/s, ${results.findings} findings`);
  console.log(`scan / parse ratio:  ${results.scanToParseRatio} (goal ≤ 1.5; detection, fixes planned on demand)`);
  console.log(`  with every fix planned and verified: ${results.withFixPlanningRatio} × parse (${planSubset.length} files)`);
  console.log(`Dockerfiles:         ${results.scanDockerfilesMs} ms → ${results.dockerfilesPerSecond} files/s`);
  console.log(`fix (AUTO, ${fixSubset.length} files): ${results.fixesApplied} fixes → ${results.fixesPerSecond} fixes/s`);
  console.log(`memory:              rss ${results.rssMB} MB, heap ${results.heapUsedMB} MB`);
  return results;
}
