// `npx tsx bench/updates.ts`: dependency extraction throughput over the benchmark corpus, and
// planner overhead (versioning, edits, engine re-scan of each edited file) with an in-memory
// datasource, so the figures measure Bulwark and not a registry.
import { parseYamlFile } from "../src/core/parse/yaml.js";
import { extractDependencies } from "../src/updates/extract/index.js";
import { planUpdates } from "../src/updates/plan.js";
import type { UpdateDatasources } from "../src/updates/datasource/index.js";
import { dockerfileCorpus, manifestCorpus } from "./corpus.js";

const MANIFESTS = Number(process.env.BENCH_MANIFESTS ?? 5_000);
const DOCKERFILES = Number(process.env.BENCH_DOCKERFILES ?? 1_000);
const NOW = new Date("2026-11-25T00:00:00Z");

const files = [...manifestCorpus(MANIFESTS), ...dockerfileCorpus(DOCKERFILES)];

function ms(t: bigint): number {
  return Number(process.hrtime.bigint() - t) / 1e6;
}

extractDependencies(files.slice(0, 200));
// Baseline: parsing the YAML alone (extraction cannot be cheaper than that).
let t = process.hrtime.bigint();
for (const f of files) if (!/Dockerfile/.test(f.path)) parseYamlFile(f.path, f.text);
const parseMs = ms(t);
t = process.hrtime.bigint();
const extraction = extractDependencies(files);
const extractMs = ms(t);

// Every repository has a patch, a minor and a major newer than any tag in the corpus.
const memory: UpdateDatasources = {
  imageTags: async (repo) => ["1.0.0", "1.0.1", "1.1.0", "2.0.0", "3.12.9-slim", "3.13.1-slim", "1.27", "1.29", "22-alpine", `${repo.repository.length}.0.0`],
  resolveDigest: async () => ({ digest: `sha256:${"a".repeat(64)}`, kind: "index" }),
  published: async () => new Date("2026-01-01T00:00:00Z"),
  platformDigests: async () => new Map(),
  chartVersions: async () => [{ version: "1.0.0", deprecated: false }, { version: "1.1.0", deprecated: false }],
  ociChartVersions: async () => [],
};
t = process.hrtime.bigint();
const plan = await planUpdates(files, { datasources: memory, now: NOW, extraction });
const planMs = ms(t);

const results = {
  files: files.length,
  dependencies: extraction.dependencies.length,
  skipped: extraction.skipped.length,
  yamlParseMs: Math.round(parseMs),
  extractMs: Math.round(extractMs),
  filesPerSecond: Math.round(files.length / (extractMs / 1000)),
  updates: plan.updates.length,
  planMs: Math.round(planMs),
  updatesPerSecond: Math.round(plan.updates.length / (planMs / 1000)),
};
console.log(JSON.stringify(results, null, 2));
