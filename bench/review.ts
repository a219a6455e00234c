// Review benchmark: API requests per review and wall time for pull requests that change 10, 100
// and 1,000 manifest files, against the loopback fake GitHub with 50 ms of latency per request
// (added by test/support/github-proxy.ts, which also serves GraphQL `object` reads).
//
//   npx tsx bench/review.ts            (standalone)
//   import { runReviewBench } from "./review.js"   (npm run bench)
//
// Goal: at most ⌈files/100⌉ listing pages + 6 other requests (≤ 7 at 10 and 100 files, ≤ 16 at
// 1,000), and p95 ≤ 1 s at 100 files. The client is a plain Octokit with writes serialised
// (src/github serializeWrites): the app adds Probot's throttling on top, which spaces writes by
// ≥ 1 s as GitHub asks and is deliberately not part of these figures.
import { cpus, loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { Octokit } from "@octokit/rest";
import { reviewPullRequest } from "../src/github/review.js";
import { serializeWrites } from "../src/github/client.js";
import type { GitHubClient } from "../src/github/client.js";
import type { FakeGitHub } from "../test/support/fake-github.js";
import { startFake } from "../test/support/fake-stack.js";
import { deployment } from "../test/support/manifests.js";

const OWNER = "bench";
const NOW = new Date("2026-11-25T00:00:00Z");

export interface ReviewBenchCase {
  files: number;
  runs: number;
  /** Requests of one review, by kind (the same for every run). */
  requests: { total: number; listingPages: number; others: number; budget: number; byRoute: Record<string, number> };
  withinBudget: boolean;
  wallMs: { p50: number; p95: number; max: number };
  /** Time spent waiting for the API (sum over the review's sequential requests), median. */
  apiMs: number;
  /** Wall time minus API time (scan, placement, rendering), median. */
  computeMs: number;
  findings: { introduced: number; comments: number; annotations: number };
  conclusion: string;
}

export interface ReviewBenchResult {
  latencyMs: number;
  /** 1-minute load average and CPU count when the bench ended: wall times depend on them. */
  machine: { loadAverage: number; cpus: number };
  cases: ReviewBenchCase[];
  goals: { budgetMet: boolean; p95At100Ms: number | undefined; p95At100Met: boolean | undefined };
}

export interface ReviewBenchOptions {
  sizes?: readonly number[];
  latencyMs?: number;
  /** Measured runs per size (default: 20, 20, 3). */
  runs?: (files: number) => number;
  log?: (line: string) => void;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

/** Counts the time the client spends waiting on requests. */
function timed(client: GitHubClient, acc: { ms: number }): GitHubClient {
  const wrap = async <T>(p: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await p();
    } finally {
      acc.ms += performance.now() - t;
    }
  };
  return { request: (r, p) => wrap(() => client.request(r, p)), graphql: (q, v) => wrap(() => client.graphql(q, v)) };
}

/** A repository whose main has `n` Deployments, and a branch per run that changes all of them. */
function setupRepo(gh: FakeGitHub, repo: string, n: number, branches: number): { number: number; headSha: string; baseSha: string }[] {
  const base: Record<string, string> = { "README.md": "# bench\n" };
  for (let i = 0; i < n; i++) base[`k8s/app-${String(i).padStart(4, "0")}.yaml`] = deployment(`app-${i}`, { apeFalse: true });
  gh.createRepo({ owner: OWNER, repo, files: base });
  const baseSha = gh.refSha(OWNER, repo, "main")!;
  const prs: { number: number; headSha: string; baseSha: string }[] = [];
  for (let b = 0; b < branches; b++) {
    const head: Record<string, string> = {};
    // Every file changes (image bump); one in five also turns privileged (an introduced finding).
    for (let i = 0; i < n; i++) head[`k8s/app-${String(i).padStart(4, "0")}.yaml`] = deployment(`app-${i}`, { apeFalse: true, image: `nginx:1.${28 + b}`, privileged: i % 5 === 0 });
    gh.commit({ owner: OWNER, repo, branch: `change-${b}`, from: "main", files: head });
    const pr = gh.openPullRequest({ owner: OWNER, repo, head: `change-${b}`, title: `Change ${b}` });
    prs.push({ ...pr, baseSha });
  }
  return prs;
}

export async function runReviewBench(opts: ReviewBenchOptions = {}): Promise<ReviewBenchResult> {
  const sizes = opts.sizes ?? [10, 100, 1000];
  const latencyMs = opts.latencyMs ?? 50;
  const runsFor = opts.runs ?? ((n: number) => (n >= 1000 ? 3 : 20));
  const log = opts.log ?? (() => undefined);
  const fake = await startFake({ latencyMs: 0 });
  const { gh, proxy } = fake;
  const cases: ReviewBenchCase[] = [];
  try {
    for (const n of sizes) {
      const runs = runsFor(n);
      const repo = `repo-${n}`;
      const prs = setupRepo(gh, repo, n, runs + 1);
      const octokit = new Octokit({ auth: "bench-token", baseUrl: proxy.url });
      const walls: number[] = [];
      const apis: number[] = [];
      let first: ReviewBenchCase["requests"] | undefined;
      let findings: ReviewBenchCase["findings"] = { introduced: 0, comments: 0, annotations: 0 };
      let conclusion = "";
      for (let r = 0; r <= runs; r++) {
        const pr = prs[r];
        // Run 0 warms up the JIT and the fake's diff cache without latency; it is not measured.
        proxy.setLatency(r === 0 ? 0 : latencyMs);
        proxy.reset();
        const acc = { ms: 0 };
        const client = timed(serializeWrites(octokit), acc);
        const target = {
          repo: { owner: OWNER, repo },
          htmlUrl: `https://github.com/${OWNER}/${repo}`,
          defaultBranch: "main",
          number: pr.number,
          headSha: pr.headSha,
          baseSha: pr.baseSha,
          changedFiles: n,
          reviewComments: 0,
        };
        const t = performance.now();
        const outcome = await reviewPullRequest(client, target, { scan: { now: NOW } });
        const wall = performance.now() - t;
        if (outcome.status !== "reviewed") throw new Error(`bench review of ${n} files ended with ${outcome.status}: ${outcome.error ?? ""}`);
        if (r === 0) continue;
        walls.push(wall);
        apis.push(acc.ms);
        const byRoute: Record<string, number> = {};
        for (const q of proxy.requests) byRoute[q.route ?? q.url] = (byRoute[q.route ?? q.url] ?? 0) + 1;
        const listingPages = byRoute["GET /repos/{owner}/{repo}/pulls/{pull_number}/files"] ?? 0;
        const total = proxy.requests.length;
        first ??= { total, listingPages, others: total - listingPages, budget: Math.ceil(n / 100) + 6, byRoute };
        findings = { introduced: outcome.findings.introduced, comments: outcome.review?.comments ?? 0, annotations: outcome.annotations };
        conclusion = outcome.conclusion;
      }
      walls.sort((a, b) => a - b);
      apis.sort((a, b) => a - b);
      const p50 = percentile(walls, 50);
      const apiMs = percentile(apis, 50);
      const c: ReviewBenchCase = {
        files: n,
        runs,
        requests: first!,
        withinBudget: first!.total <= first!.budget,
        wallMs: { p50: Math.round(p50), p95: Math.round(percentile(walls, 95)), max: Math.round(walls[walls.length - 1]) },
        apiMs: Math.round(apiMs),
        computeMs: Math.round(p50 - apiMs),
        findings,
        conclusion,
      };
      cases.push(c);
      log(
        `${String(n).padStart(5)} files: ${c.requests.total} requests (${c.requests.listingPages} listing + ${c.requests.others} others; budget ${c.requests.budget}) ` +
          `${c.withinBudget ? "✓" : "✗"} · wall p50 ${c.wallMs.p50} ms, p95 ${c.wallMs.p95} ms (API ${c.apiMs} ms + compute ${c.computeMs} ms) · ` +
          `${c.findings.introduced} new findings, ${c.findings.comments} comments, ${c.findings.annotations} annotations, ${c.conclusion}`,
      );
    }
    gh.assertNoViolations();
    if (proxy.violations.length > 0) throw new Error(proxy.violations.join("\n"));
  } finally {
    await fake.stop();
  }
  const at100 = cases.find((c) => c.files === 100);
  return {
    latencyMs,
    machine: { loadAverage: Number(loadavg()[0].toFixed(1)), cpus: cpus().length },
    cases,
    goals: { budgetMet: cases.every((c) => c.withinBudget), p95At100Ms: at100?.wallMs.p95, p95At100Met: at100 ? at100.wallMs.p95 <= 1000 : undefined },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runReviewBench({ log: (l) => console.log(l) });
  console.log(`request budget met: ${result.goals.budgetMet ? "yes" : "NO"}; p95 at 100 files: ${result.goals.p95At100Ms} ms (goal ≤ 1000: ${result.goals.p95At100Met ? "met" : "NOT met"}); load average ${result.machine.loadAverage} on ${result.machine.cpus} CPUs`);
  console.log(JSON.stringify(result.cases.map((c) => ({ files: c.files, requests: c.requests.byRoute })), null, 2));
}
