// Hardening (issue #10, item 3), proven end to end through the running app: a Probot Server with
// createBulwarkApp and the in-process queue, driven by signed HTTP webhook deliveries, against the
// strict fake GitHub (every request checked against GitHub's OpenAPI description, off-diff review
// comments refused). Between the app and the harness proxy sits a recording tap, so that the
// GraphQL queries (answered by the proxy, which the fake never sees) can be inspected too.
import { createHmac } from "node:crypto";
import { createServer, request as httpRequest } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InMemoryQueue } from "../../src/app/queue/index.js";
import type { BulwarkAppOptions } from "../../src/app/index.js";
import { parseMarker } from "../../src/github/comments.js";
import { rightLines } from "../../src/github/diff.js";
import type { CheckRunView, FakeGitHub } from "../support/fake-github.js";
import { deliverWebhook, signPayload, webhookPayload, webhookRequest } from "../support/webhooks.js";
import type { GitHubProxy } from "../support/github-proxy.js";
import { INSTALLATION_ID, OWNER, REPO, SECRET, prPayload, startAppFake } from "../app/support/harness.js";
import { deployment } from "../support/manifests.js";
import { metricValue, startQueuedServer } from "./support.js";
import type { AppServer } from "./support.js";

// ---------------------------------------------------------------- recording tap

interface Tapped {
  method: string;
  url: string;
  body: string;
}

interface Tap {
  url: string;
  requests: Tapped[];
  stop: () => Promise<void>;
}

/** A pass-through HTTP server in front of `target` that records every request with its body. */
async function startTap(target: string): Promise<Tap> {
  const requests: Tapped[] = [];
  let self = "";
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      requests.push({ method: (req.method ?? "GET").toUpperCase(), url: req.url ?? "/", body: raw.toString("utf8") });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v === undefined || ["host", "connection", "content-length", "transfer-encoding", "keep-alive"].includes(k)) continue;
        headers[k] = Array.isArray(v) ? v.join(", ") : v;
      }
      if (raw.length > 0) headers["content-length"] = String(raw.length);
      const t = new URL(req.url ?? "/", target);
      const out = httpRequest({ hostname: t.hostname, port: t.port, path: `${t.pathname}${t.search}`, method: req.method, headers, agent: false }, (up) => {
        const parts: Buffer[] = [];
        up.on("data", (c: Buffer) => parts.push(c));
        up.on("end", () => {
          const outHeaders: Record<string, string> = {};
          for (const [k, v] of Object.entries(up.headers)) {
            if (v === undefined || ["content-length", "transfer-encoding", "connection", "keep-alive"].includes(k)) continue;
            outHeaders[k] = (Array.isArray(v) ? v.join(", ") : v).split(target).join(self);
          }
          res.writeHead(up.statusCode ?? 502, outHeaders);
          res.end(Buffer.concat(parts));
        });
      });
      out.on("error", (e) => {
        res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: `tap: ${e.message}` }));
      });
      out.end(raw);
    });
  });
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  self = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: self,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Every `object(expression: "…")` the app asked GraphQL for (and `_extends` reads), decoded. */
function graphqlExpressions(t: Tap): string[] {
  const out: string[] = [];
  for (const r of t.requests) {
    if (r.method !== "POST" || new URL(r.url, "http://x").pathname !== "/graphql") continue;
    const body = JSON.parse(r.body) as { query: string; variables?: Record<string, unknown> };
    for (const m of body.query.matchAll(/object\(expression: ("(?:[^"\\]|\\.)*")\)/g)) out.push(JSON.parse(m[1]) as string);
    if (typeof body.variables?.expr === "string") out.push(body.variables.expr);
  }
  return out;
}

function graphqlOperations(t: Tap): string[] {
  return t.requests
    .filter((r) => r.method === "POST" && new URL(r.url, "http://x").pathname === "/graphql")
    .map((r) => /^\s*(?:query|mutation)\s+([A-Za-z_]\w*)/.exec((JSON.parse(r.body) as { query: string }).query)?.[1] ?? "anonymous");
}

// ---------------------------------------------------------------- fixture

let gh: FakeGitHub;
let proxy: GitHubProxy;
let tap: Tap;
let app: AppServer | undefined;

beforeEach(async () => {
  ({ gh, proxy } = await startAppFake());
  tap = await startTap(proxy.url);
});

afterEach(async () => {
  try {
    proxy.assertNoViolations();
  } finally {
    await app?.stop();
    app = undefined;
    await tap.stop();
    await proxy.stop();
    await gh.stop();
  }
});

async function startApp(opts: BulwarkAppOptions = {}): Promise<AppServer> {
  app = await startQueuedServer(tap.url, (metrics) => new InMemoryQueue({ concurrency: 2, metrics }), opts);
  return app;
}

/** Deliver pull_request.opened for `number` (signed, over HTTP) and wait for the review. */
async function review(number: number): Promise<void> {
  const res = await deliverWebhook(app!.hook, { secret: SECRET, event: "pull_request", payload: prPayload(gh, "opened", number) });
  expect(res.status).toBe(200);
  await app!.queue.idle(30_000);
}

interface CommentJson {
  id: number;
  path: string;
  line: number;
  start_line: number | null;
  side: string;
  body: string;
}

function comments(number: number): CommentJson[] {
  return gh.reviewCommentsOf(OWNER, REPO, number) as unknown as CommentJson[];
}

function runOf(headSha: string): CheckRunView {
  const runs = gh.checkRuns(OWNER, REPO, { headSha });
  expect(runs).toHaveLength(1);
  expect(runs[0].status).toBe("completed");
  return runs[0];
}

/** 1-based line of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in text`);
  return i + 1;
}

function expectOnDiffLines(number: number, list: readonly CommentJson[]): void {
  const files = gh.pullFiles(OWNER, REPO, number) as { filename: string; patch?: string }[];
  for (const c of list) {
    const right = rightLines(files.find((f) => f.filename === c.path)?.patch ?? "");
    expect(c.side).toBe("RIGHT");
    expect(right.has(c.line), `${c.path}:${c.line} is not a diff line`).toBe(true);
  }
}

const PRIVILEGED = deployment("web", { privileged: true, apeFalse: true });
const PRIV_LINE = lineOf(PRIVILEGED, "privileged: true");

function setupRepo(files: Record<string, string> = {}): void {
  gh.createRepo({ owner: OWNER, repo: REPO, files: { "README.md": "# web\n", ...files } });
}

function openPr(branch: string, files: Record<string, string | null>): { number: number; headSha: string } {
  gh.commit({ owner: OWNER, repo: REPO, branch, files });
  return gh.openPullRequest({ owner: OWNER, repo: REPO, head: branch });
}

// ---------------------------------------------------------------- 1. config

describe("the pull request's own config is never trusted", () => {
  // privileged (K8S-RUNTIME-001, critical) and no allowPrivilegeEscalation: false (K8S-RUNTIME-002, high).
  const MANIFEST = deployment("app", { privileged: true });
  const BASE_CONFIG = "failOn: high\nreview:\n  maxComments: 20\n";
  const CONFIG_LABEL = `Config: \`${OWNER}/${REPO}:.github/bulwark.yml@main\``;

  /** What every one of these pull requests must get: the default branch's gate, untouched. */
  function expectGated(pr: { number: number; headSha: string }, label: string | undefined): void {
    const run = runOf(pr.headSha);
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toBe("2 new findings at or above high");
    if (label) expect(run.output.summary).toContain(label);
    else expect(run.output.summary).toContain("Config: Bulwark's defaults");
    const list = comments(pr.number);
    expect(list.map((c) => [c.path, parseMarker(c.body)?.ruleId]).sort()).toEqual([
      ["k8s/app.yaml", "K8S-RUNTIME-001"],
      ["k8s/app.yaml", "K8S-RUNTIME-002"],
    ]);
    expectOnDiffLines(pr.number, list);
  }

  /** The config blobs each review read: always the default branch (or the organisation's HEAD), never a pull request's commit. */
  function configReads(): string[] {
    const out: string[] = [];
    for (const r of tap.requests) {
      if (r.method !== "POST" || new URL(r.url, "http://x").pathname !== "/graphql") continue;
      const q = (JSON.parse(r.body) as { query: string }).query;
      for (const m of q.matchAll(/config: object\(expression: ("(?:[^"\\]|\\.)*")\)/g)) out.push(JSON.parse(m[1]) as string);
    }
    return out;
  }

  it("disabling the rule, lowering its severity or failOn, turning comments off, excluding the file, another profile, a permissive _extends or a broken file: the default branch's config is used", async () => {
    await startApp();
    setupRepo({ ".github/bulwark.yml": BASE_CONFIG });
    // A permissive policy the pull request tries to extend.
    gh.createRepo({ owner: OWNER, repo: "permissive", files: { ".github/bulwark.yml": "failOn: critical\nrules:\n  K8S-RUNTIME-001: off\n  K8S-RUNTIME-002: off\n" } });
    const variants: Record<string, string> = {
      "rule-off": "rules:\n  K8S-RUNTIME-001: off\n  K8S-RUNTIME-002: off\n",
      "severity-low": "rules:\n  K8S-RUNTIME-001: low\n  K8S-RUNTIME-002: { severity: info }\n",
      "fail-on": "failOn: critical\n",
      "no-comments": "review:\n  comments: false\n  maxComments: 0\n",
      exclude: 'exclude: ["k8s/**"]\n',
      include: 'include: ["docs/**"]\n',
      profile: "profile: hygiene\n",
      extends: "_extends: permissive\n",
      "extends-org": `_extends: ${OWNER}/permissive:.github/bulwark.yml\n`,
      invalid: "review:\n  maxComments: lots\n",
      everything: 'failOn: critical\nprofile: hygiene\ninclude: ["docs/**"]\nexclude: ["**"]\nrules:\n  K8S-RUNTIME-001: off\n  K8S-RUNTIME-002: off\nreview: { comments: false, gate: introduced }\n_extends: permissive\n',
    };
    const prs: { name: string; number: number; headSha: string }[] = [];
    for (const [name, config] of Object.entries(variants)) prs.push({ name, ...openPr(`config-${name}`, { ".github/bulwark.yml": config, "k8s/app.yaml": MANIFEST }) });
    for (const pr of prs) await review(pr.number);

    for (const pr of prs) {
      expect(runOf(pr.headSha).output.title, pr.name).not.toMatch(/Invalid config/);
      expectGated(pr, CONFIG_LABEL);
    }
    // Every config read is the default branch's (plus the organisation fallback); `_extends` of a
    // pull request is never followed.
    expect(new Set(configReads())).toEqual(new Set(["main:.github/bulwark.yml", "HEAD:.github/bulwark.yml"]));
    expect(graphqlOperations(tap)).not.toContain("BulwarkExtends");
    expect(graphqlExpressions(tap).filter((e) => e.includes("permissive"))).toEqual([]);
  });

  it("with no config on the default branch, a pull request adding a permissive one is reviewed with the defaults", async () => {
    await startApp();
    setupRepo();
    const pr = openPr("add-config", { ".github/bulwark.yml": "failOn: critical\nrules:\n  K8S-RUNTIME-001: off\n  K8S-RUNTIME-002: off\n", "k8s/app.yaml": MANIFEST });
    await review(pr.number);
    // The defaults, and the summary says so (naming no file of the pull request's head).
    expectGated(pr, undefined);
    expect(runOf(pr.headSha).output.summary).toContain("Config: Bulwark's defaults (no `.github/bulwark.yml` on `main`");
    expect(runOf(pr.headSha).output.summary).not.toMatch(/Config: `[^`]*bulwark\.yml/);
    expect(new Set(configReads())).toEqual(new Set(["main:.github/bulwark.yml", "HEAD:.github/bulwark.yml"]));
  });

  it("a suppression comment the pull request adds: the finding is suppressed (not gating, not commented) but counted and listed with its reason; without a reason it is itself reported (README, Suppressions)", async () => {
    // README "Suppressions": `# bulwark:ignore RULE reason` above the field suppresses the finding;
    // suppressed findings are counted and listed, never dropped; a suppression without a reason
    // still applies but is reported as BULWARK-SUPPRESS. The comment is part of the diff a human
    // reviews, so a pull request may suppress its own finding, but never silently.
    await startApp();
    setupRepo({ ".github/bulwark.yml": BASE_CONFIG });
    const withReason = PRIVILEGED.replace("            privileged: true", "            # bulwark:ignore K8S-RUNTIME-001 the CNI agent needs the host's devices\n            privileged: true");
    const withoutReason = PRIVILEGED.replace("            privileged: true", "            # bulwark:ignore K8S-RUNTIME-001\n            privileged: true");
    const pr = openPr("suppress", { "k8s/agent.yaml": withReason, "k8s/lazy.yaml": withoutReason });
    await review(pr.number);

    const run = runOf(pr.headSha);
    expect(run.conclusion).toBe("neutral"); // only BULWARK-SUPPRESS (low) is left
    expect(run.output.title).toBe("1 new finding below high");
    expect(run.output.summary).toContain("2 files reviewed · 1 new · 0 already on the base branch · 2 suppressed");
    expect(run.output.summary).toContain("| `BULWARK-SUPPRESS` | 🔵 low |");
    expect(run.output.text).toContain("### Suppressed (2)");
    expect(run.output.text).toContain("suppressed: the CNI agent needs the host's devices");
    expect(run.output.text).toContain("suppressed: (no reason given)");
    expect(run.annotations.map((a) => [a.path, a.title])).toEqual([["k8s/lazy.yaml", "BULWARK-SUPPRESS: Suppression without a reason"]]);
    // Inline: only the reason-less suppression, on the comment's own line; never the suppressed findings.
    const list = comments(pr.number);
    expect(list.map((c) => [c.path, c.line, parseMarker(c.body)?.ruleId])).toEqual([["k8s/lazy.yaml", lineOf(withoutReason, "bulwark:ignore"), "BULWARK-SUPPRESS"]]);
    expectOnDiffLines(pr.number, list);
  });
});

// ---------------------------------------------------------------- 2. file names

const LONG = `k8s/${"very-long-directory-name-".repeat(4)}x/${"n".repeat(200)}.yaml`;
const ODD_NAMES = [
  "k8s/with space.yaml",
  "k8s/déploiement ünïcode.yaml",
  "k8s/日本語/デプロイ.yaml",
  "k8s/hash#1.yaml",
  "k8s/100%.yaml",
  "k8s/%2e%2e/encoded.yaml",
  "k8s/what?x=1.yaml",
  "-leading-dash.yaml",
  "k8s/-dash/--also.yaml",
  LONG,
  "k8s/..foo/app.yaml",
  "k8s/foo../app.yaml",
  // The git store (like git) allows a newline, quotes and a backslash in a name.
  "k8s/new\nline.yaml",
  'k8s/quote"and\'back\\slash.yaml',
  "k8s/tab\tand:colon.yaml",
];

describe("odd file names in the pull request", () => {
  it("every file is read by its exact name and commented on the right path and line; permalinks and annotations carry the name", async () => {
    await startApp();
    setupRepo();
    const pr = openPr("odd", Object.fromEntries(ODD_NAMES.map((n) => [n, PRIVILEGED])));
    await review(pr.number);

    const list = comments(pr.number);
    expect(list.map((c) => c.path).sort()).toEqual([...ODD_NAMES].sort());
    for (const c of list) {
      expect(parseMarker(c.body)?.ruleId).toBe("K8S-RUNTIME-001");
      expect(c.line).toBe(PRIV_LINE);
      expect(c.body).toMatch(/```suggestion\n {12}privileged: false\n```/);
    }
    expectOnDiffLines(pr.number, list);
    // The GraphQL read asked for exactly these names at the head commit (a correctly escaped string).
    const reads = graphqlExpressions(tap).filter((e) => e.startsWith(`${pr.headSha}:`));
    expect(reads.map((e) => e.slice(pr.headSha.length + 1)).sort()).toEqual([...ODD_NAMES].sort());

    const run = runOf(pr.headSha);
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toBe(`${ODD_NAMES.length} new findings at or above high`);
    expect(run.annotations.map((a) => a.path).sort()).toEqual([...ODD_NAMES].sort());
    for (const name of ODD_NAMES) {
      const encoded = name.split("/").map(encodeURIComponent).join("/");
      expect(run.output.text).toContain(`https://github.com/${OWNER}/${REPO}/blob/${pr.headSha}/${encoded}#L${PRIV_LINE}`);
    }
    // A newline in a name never breaks the check text's table row.
    expect(run.output.text).not.toContain("new\nline");
  });

  it("blobs GitHub truncates are re-read through REST with the name percent-encoded in the path", async () => {
    // A second proxy over the same fake that truncates Blob.text over 100 bytes, like GitHub does
    // for large blobs: heads are re-read by blob SHA, bases through GET /contents/{path}?ref=.
    const { GitHubProxy } = await import("../support/github-proxy.js");
    const truncating = await GitHubProxy.start(gh, { truncateTextOver: 100 });
    try {
      await tap.stop();
      tap = await startTap(truncating.url);
      await startApp();
      const clean = deployment("web", { apeFalse: true });
      setupRepo(Object.fromEntries(ODD_NAMES.map((n) => [n, clean])));
      const pr = openPr("odd", Object.fromEntries(ODD_NAMES.map((n) => [n, PRIVILEGED])));
      await review(pr.number);

      const base = (gh.pull(OWNER, REPO, pr.number) as { base: { sha: string } }).base.sha;
      const reads = gh.requests.filter((r) => r.route === "GET /repos/{owner}/{repo}/contents/{path}");
      expect(reads).toHaveLength(ODD_NAMES.length);
      const prefix = `/repos/${OWNER}/${REPO}/contents/`;
      const decoded = reads.map((r) => {
        const u = new URL(r.url, "http://x");
        expect(u.pathname.startsWith(prefix)).toBe(true);
        expect(u.search).toBe(`?ref=${base}`);
        // Nothing that would end or split the path: no raw space, #, ?, % sequence left undecoded, newline, quote.
        expect(r.url.slice(prefix.length, r.url.indexOf("?ref="))).toMatch(/^[A-Za-z0-9\-._~%!$&'()*+,;=:@]*$/);
        return decodeURIComponent(u.pathname.slice(prefix.length));
      });
      expect(decoded.sort()).toEqual([...ODD_NAMES].sort());
      expect(reads.every((r) => r.status === 200)).toBe(true);
      expect(gh.requests.filter((r) => r.route === "GET /repos/{owner}/{repo}/git/blobs/{file_sha}").length).toBe(ODD_NAMES.length);

      const list = comments(pr.number);
      expect(list.map((c) => c.path).sort()).toEqual([...ODD_NAMES].sort());
      expect(list.every((c) => c.line === PRIV_LINE && parseMarker(c.body)?.ruleId === "K8S-RUNTIME-001")).toBe(true);
      const run = runOf(pr.headSha);
      expect(run.output.summary).not.toContain("could not re-read");
      expect(run.output.summary).not.toContain("not reviewed");
    } finally {
      await truncating.stop();
    }
  });

  it("a file listing with ../ traversal, absolute or dot-segment paths: those entries are skipped, never read, never commented on; the rest is reviewed", async () => {
    await startApp();
    setupRepo({ "k8s/app.yaml": deployment("app", { apeFalse: true }) });
    const pr = openPr("traversal", { "k8s/app.yaml": PRIVILEGED, "k8s/renamed.yaml": PRIVILEGED });
    const real = gh.pullFiles(OWNER, REPO, pr.number) as Record<string, unknown>[];
    const template = real.find((f) => f.filename === "k8s/app.yaml")!;
    const crafted = [
      "../../etc/passwd.yaml",
      "k8s/../../outside.yaml",
      "/etc/kubernetes/admin.yaml",
      "k8s/./app.yaml",
      "k8s//app.yaml",
      "..",
      "k8s/..",
    ].map((filename) => ({ ...template, filename, status: "added" }));
    const listing = [
      ...real.map((f) => (f.filename === "k8s/renamed.yaml" ? { ...f, status: "renamed", previous_filename: "../../outside-base.yaml" } : f)),
      ...crafted,
      { ...template, filename: "k8s/gone.yaml", status: "removed", previous_filename: "../removed.yaml" },
      { ...template, filename: "../../etc/shadow.yaml", status: "renamed", previous_filename: "k8s/app.yaml" },
    ];
    gh.inject("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { status: 200, body: listing as never });
    await review(pr.number);

    const outside = (p: string) => p.startsWith("/") || p.split("/").some((s) => s === ".." || s === "." || s === "");
    // Never read: no GraphQL expression and no REST request names a path outside the repository.
    const reads = graphqlExpressions(tap).map((e) => e.slice(e.indexOf(":") + 1));
    expect(reads.filter(outside)).toEqual([]);
    expect(reads.filter((p) => p !== ".github/bulwark.yml").sort()).toEqual(["k8s/app.yaml", "k8s/app.yaml", "k8s/renamed.yaml"]);
    for (const r of gh.requests) expect(decodeURIComponent(r.url)).not.toMatch(/(^|\/)\.\.(\/|$)|\/\/|\/\.\//);
    // Never commented on; the real files are reviewed (renamed.yaml, whose previous name is
    // outside, is compared with nothing: its finding counts as new).
    const list = comments(pr.number);
    expect(list.map((c) => [c.path, c.line, parseMarker(c.body)?.ruleId]).sort()).toEqual([
      ["k8s/app.yaml", PRIV_LINE, "K8S-RUNTIME-001"],
      ["k8s/renamed.yaml", PRIV_LINE, "K8S-RUNTIME-001"],
    ]);
    const run = runOf(pr.headSha);
    expect(run.conclusion).toBe("failure");
    expect(run.annotations.map((a) => a.path).sort()).toEqual(["k8s/app.yaml", "k8s/renamed.yaml"]);
    // app.yaml, renamed.yaml and the removal of gone.yaml (whose previous name is dropped: nothing read).
    expect(run.output.summary).toContain("3 files reviewed · 2 new");
    for (const out of [run.output.summary ?? "", run.output.text ?? "", ...(gh.reviews(OWNER, REPO, pr.number) as { body: string }[]).map((r) => r.body)]) {
      expect(out).not.toContain("../");
      expect(out).not.toContain("/etc/");
    }
  });
});

// ---------------------------------------------------------------- 3. limits

/** A "billion laughs" ConfigMap: each level refers 9 times to the previous one. */
function aliasBomb(levels: number): string {
  const lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: lol", "data:", '  l0: &l0 "lol"'];
  for (let i = 1; i <= levels; i++) lines.push(`  l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(", ")}]`);
  return lines.join("\n") + "\n";
}

describe("limits are reported when hit", () => {
  interface AnnotationLike {
    path: string;
    title: string;
    message: string;
  }

  function limitRows(run: CheckRunView): AnnotationLike[] {
    return (run.annotations as unknown as AnnotationLike[]).filter((a) => a.title.startsWith("BULWARK-LIMIT"));
  }

  it("limits from the default branch's config (maxFileBytes, maxDocuments, maxAliasCount): each file and limit is named, the other files are still reviewed", async () => {
    await startApp();
    setupRepo({ ".github/bulwark.yml": "limits:\n  maxFileBytes: 4096\n  maxDocuments: 3\n  maxAliasCount: 20\n" });
    const big = deployment("big", { privileged: true, apeFalse: true, extraEnv: 100 });
    expect(Buffer.byteLength(big)).toBeGreaterThan(4096);
    const docs = Array.from({ length: 5 }, (_, i) => deployment(`d${i}`, { privileged: true, apeFalse: true })).join("---\n");
    expect(Buffer.byteLength(docs)).toBeLessThan(4096);
    const pr = openPr("limits", { "k8s/big.yaml": big, "k8s/docs.yaml": docs, "k8s/bomb.yaml": aliasBomb(3), "k8s/ok.yaml": PRIVILEGED });
    await review(pr.number);

    const run = runOf(pr.headSha);
    const limits = limitRows(run).map((a) => [a.path, a.message]);
    expect(limits.sort()).toEqual([
      ["k8s/big.yaml", `file is ${Math.round(Buffer.byteLength(big) / 1024)} KB, over the 4 KB limit (limits.maxFileBytes): not scanned`],
      ["k8s/bomb.yaml", "too many alias expansions (more than 20): possible alias bomb, document not scanned"],
      ["k8s/docs.yaml", "more than 3 documents in one file; the rest were not scanned (document 4)"],
    ]);
    expect(run.output.summary).toContain("| `BULWARK-LIMIT` | 🟡 medium | Safety limit reached | 3 | 0 |");
    for (const [path] of limits) expect(run.output.text).toContain(`[${path}#L`);
    expect(run.output.text).toContain("limits.maxFileBytes");
    // The rest of the pull request is reviewed: ok.yaml and the first 3 documents of docs.yaml.
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toBe("4 new findings at or above high");
    const list = comments(pr.number);
    expectOnDiffLines(pr.number, list);
    const byRule = list.map((c) => [c.path, parseMarker(c.body)?.ruleId]);
    expect(byRule.filter(([, r]) => r === "K8S-RUNTIME-001").map(([p]) => p).sort()).toEqual(["k8s/docs.yaml", "k8s/docs.yaml", "k8s/docs.yaml", "k8s/ok.yaml"]);
    expect(byRule.filter(([, r]) => r === "BULWARK-LIMIT").map(([p]) => p).sort()).toEqual(["k8s/big.yaml", "k8s/bomb.yaml", "k8s/docs.yaml"]);
  });

  it("limits.maxFiles: the files over the limit are named as not scanned, the others are reviewed", async () => {
    await startApp();
    setupRepo({ ".github/bulwark.yml": "limits: { maxFiles: 2 }\n" });
    const pr = openPr("max-files", { "k8s/a.yaml": PRIVILEGED, "k8s/b.yaml": PRIVILEGED, "k8s/c.yaml": PRIVILEGED });
    await review(pr.number);
    const run = runOf(pr.headSha);
    const limits = limitRows(run);
    expect(limits).toHaveLength(1);
    const skipped = limits[0].path;
    expect(limits[0].message).toBe(`more than 2 files in one scan: ${skipped} was not scanned`);
    const reviewed = ["k8s/a.yaml", "k8s/b.yaml", "k8s/c.yaml"].filter((p) => p !== skipped);
    expect(comments(pr.number).filter((c) => parseMarker(c.body)?.ruleId === "K8S-RUNTIME-001").map((c) => c.path).sort()).toEqual(reviewed);
    expect(run.output.title).toBe("2 new findings at or above high");
  });

  it("the default limits, without any config: an alias bomb and 1,001 documents", async () => {
    await startApp();
    setupRepo();
    const many = Array.from({ length: 1001 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\n`).join("---\n");
    const pr = openPr("default-limits", { "k8s/bomb.yaml": aliasBomb(9), "k8s/many.yaml": many, "k8s/ok.yaml": PRIVILEGED });
    await review(pr.number);
    const run = runOf(pr.headSha);
    expect(limitRows(run).map((a) => [a.path, a.message]).sort()).toEqual([
      ["k8s/bomb.yaml", "too many alias expansions (more than 100): possible alias bomb, document not scanned"],
      ["k8s/many.yaml", "more than 1000 documents in one file; the rest were not scanned (document 1001)"],
    ]);
    expect(comments(pr.number).filter((c) => parseMarker(c.body)?.ruleId === "K8S-RUNTIME-001").map((c) => c.path)).toEqual(["k8s/ok.yaml"]);
    expect(run.conclusion).toBe("failure");
  });
});

// ---------------------------------------------------------------- 4. secrets

// Literal credentials of the formats src/core/secrets/credentials.ts knows, plus ones only the
// name gives away (DB_PASSWORD) and a URL carrying its password.
const AWS_KEY = "AKIAQ3EGRZ7N4XK2PLMW";
const GH_TOKEN = `ghp_${"Zq8Yw3Lr5Tn1Vb7Xc9Mk2Pd4Hf6Js0Ga1Bc2"}`;
const DB_PASSWORD = "Tr0ub4dor-and-3-horses";
const SECRET_KEY = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYzq9secret";
const URL_PASSWORD = "Sup3rS3cretPw";
const CONN = `postgres://app:${URL_PASSWORD}@db:5432/app`;
const SECRETS = [AWS_KEY, GH_TOKEN, DB_PASSWORD, SECRET_KEY, URL_PASSWORD];

const LEAKY = [
  "apiVersion: apps/v1",
  "kind: Deployment",
  "metadata:",
  "  name: api",
  "spec:",
  "  selector:",
  "    matchLabels: {app: api}",
  "  template:",
  "    metadata:",
  "      labels: {app: api}",
  "    spec:",
  "      containers:",
  "        - name: api",
  "          image: nginx:1.27",
  "          env:",
  "            - name: AWS_ACCESS_KEY_ID",
  `              value: ${AWS_KEY}`,
  "            - name: DB_PASSWORD",
  `              value: ${DB_PASSWORD}`,
  "            - name: DATABASE_URL",
  `              value: ${CONN}`,
  "          securityContext:",
  "            privileged: true",
  // Flow style: the credential shares its line with the fields the fixes change.
  `        - {name: sidecar, image: "busybox:1.36", env: [{name: GITHUB_TOKEN, value: ${GH_TOKEN}}], securityContext: {privileged: true}}`,
  "---",
  "apiVersion: v1",
  "kind: Secret",
  "metadata:",
  "  name: creds",
  "stringData:",
  `  aws_secret_access_key: ${SECRET_KEY}`,
  `  password: ${DB_PASSWORD}`,
  "---",
  "apiVersion: v1",
  "kind: ConfigMap",
  "metadata:",
  "  name: cfg",
  "data:",
  "  app.properties: |",
  `    db.url=${CONN}`,
  `    github.token=${GH_TOKEN}`,
  "",
].join("\n");
const LEAKY_DOCKERFILE = ["FROM node:22", `ENV NPM_TOKEN=${GH_TOKEN} AWS_ACCESS_KEY_ID=${AWS_KEY}`, `ARG DB_PASSWORD=${DB_PASSWORD}`, "USER root", 'CMD ["node", "app.js"]', ""].join("\n");

describe("secrets are redacted in every output", () => {
  async function say(number: number, body: string): Promise<void> {
    const octo = new Octokit({ auth: "alice-token", baseUrl: gh.url });
    const created = (await octo.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: OWNER, repo: REPO, issue_number: number, body })).data;
    const payload = webhookPayload("issue_comment", "created", { owner: OWNER, repo: REPO, number, installationId: INSTALLATION_ID, sender: "alice", commentBody: body, commentId: Number(created.id), defaultBranch: "main" });
    const c = payload.comment as Record<string, unknown>;
    c.created_at = created.created_at;
    c.updated_at = created.updated_at;
    c.performed_via_github_app = null;
    const res = await deliverWebhook(app!.hook, { secret: SECRET, event: "issue_comment", payload });
    expect(res.status).toBe(200);
    await app!.queue.idle(30_000);
  }

  it("review body, review comments (suggestion and diff blocks included), check runs and annotations, chat-ops replies and every other write: no literal credential", async () => {
    await startApp({ scan: {} }); // every rule: the credential rules and the fixes around them
    gh.addToken("alice-token", { login: "alice" });
    setupRepo();
    gh.setPermission(OWNER, REPO, "alice", "write");
    const pr = openPr("secrets", { "k8s/api.yaml": LEAKY, Dockerfile: LEAKY_DOCKERFILE });
    await review(pr.number);

    // The credentials were found and reported, redacted ("AK******** (20 chars)").
    const first = comments(pr.number);
    const rules = new Set(first.map((c) => parseMarker(c.body)?.ruleId));
    for (const id of ["K8S-SECRET-001", "K8S-SECRET-002", "K8S-SECRET-003", "DOCKER-022"]) expect(rules).toContain(id);
    expect(first.some((c) => c.body.includes(`${AWS_KEY.slice(0, 2)}\\*\\*\\*\\*\\*\\*\\*\\* (${AWS_KEY.length} chars)`))).toBe(true);
    // The fixes of the flow-style sidecar would show its line, token included: withheld (no
    // suggestion, no diff block), said so; /bulwark fix still commits them.
    const sidecarLine = lineOf(LEAKY, "name: sidecar");
    const sidecar = first.filter((c) => c.line === sidecarLine && parseMarker(c.body)?.ruleId !== "K8S-SECRET-001");
    expect(sidecar.map((c) => parseMarker(c.body)?.ruleId)).toContain("K8S-RUNTIME-001");
    for (const c of sidecar) {
      expect(c.body).not.toContain("```suggestion");
      expect(c.body).not.toContain("```diff");
    }
    expect(sidecar.find((c) => parseMarker(c.body)?.ruleId === "K8S-RUNTIME-001")!.body).toContain("automatic fix withheld: the lines it changes hold a credential");
    // The block-style container next to the credentials keeps its one-click suggestion.
    const api = first.find((c) => c.line === lineOf(LEAKY, "privileged: true") && parseMarker(c.body)?.ruleId === "K8S-RUNTIME-001")!;
    expect(api.body).toMatch(/```suggestion\n {12}privileged: false\n```/);

    // Chat-ops on the same pull request: a fix committed on the branch, a suppression, then the
    // review of the new head.
    await say(pr.number, "/bulwark fix K8S-RUNTIME-001");
    await say(pr.number, `/bulwark ignore K8S-SECRET-001 k8s/api.yaml:${lineOf(LEAKY, `value: ${AWS_KEY}`)} rotated; kept as a test fixture`);
    const replies = (gh.issueComments(OWNER, REPO, pr.number) as { body: string; user: { login: string } }[]).filter((c) => c.user.login === "bulwark[bot]");
    expect(replies).toHaveLength(2);
    expect(replies[0].body).toContain("Fixes for 2 findings in 1 file (K8S-RUNTIME-001)");
    expect(replies[1].body).toContain("Suppression of K8S-SECRET-001 at `k8s/api.yaml:");
    const head2 = gh.refSha(OWNER, REPO, "secrets")!;
    expect(head2).not.toBe(pr.headSha);
    expect(gh.fileAt(OWNER, REPO, head2, "k8s/api.yaml")).toContain(GH_TOKEN); // the file still holds them
    const sync = await deliverWebhook(app!.hook, { secret: SECRET, event: "pull_request", payload: prPayload(gh, "synchronize", pr.number) });
    expect(sync.status).toBe(200);
    await app!.queue.idle(30_000);
    expect(gh.checkRuns(OWNER, REPO, { headSha: head2 })).toHaveLength(1);

    const outputs: [string, string][] = [];
    for (const run of gh.checkRuns(OWNER, REPO)) {
      outputs.push([`check run ${run.id}`, JSON.stringify({ output: run.output, annotations: run.annotations, actions: run.actions })]);
    }
    for (const r of gh.reviews(OWNER, REPO, pr.number) as { body: string }[]) outputs.push(["review body", r.body]);
    for (const c of comments(pr.number)) outputs.push([`review comment ${c.path}:${c.line}`, c.body]);
    for (const c of replies) outputs.push(["issue comment", c.body]);
    expect(outputs.length).toBeGreaterThan(20);
    for (const [where, text] of outputs) for (const s of SECRETS) expect(text.includes(s), `${where} shows ${s}`).toBe(false);
    // Nothing else the app sent to GitHub carries them either, except the committed file itself
    // (the git blob of /bulwark fix and /bulwark ignore).
    const writes = tap.requests.filter((r) => r.method !== "GET" && !/\/git\/blobs$/.test(new URL(r.url, "http://x").pathname));
    expect(writes.length).toBeGreaterThan(10);
    for (const r of writes) for (const s of SECRETS) expect(`${r.url}\n${r.body}`.includes(s), `${r.method} ${r.url} sends ${s}`).toBe(false);
  });
});

// ---------------------------------------------------------------- 5. signatures

describe("webhook signatures", () => {
  it("a wrong, missing, malformed or sha1-only signature, and a body altered after signing: 4xx, nothing reaches GitHub, nothing is queued, the metrics do not move", async () => {
    await startApp();
    setupRepo();
    const pr = openPr("signed", { "k8s/app.yaml": PRIVILEGED });
    const payload = prPayload(gh, "opened", pr.number);
    const metricsText = async () => (await fetch(`${app!.url}/metrics`)).text();
    const series = (text: string) => text.split("\n").filter((l) => /^bulwark_(webhooks_received_total|jobs_total|jobs_waiting|jobs_running|review_duration_seconds_count|github_requests_total)\b/.test(l));
    const before = series(await metricsText());

    const good = webhookRequest({ secret: SECRET, event: "pull_request", payload });
    const altered = JSON.stringify({ ...payload, pull_request: { ...(payload.pull_request as Record<string, unknown>), head: { ...((payload.pull_request as Record<string, unknown>).head as Record<string, unknown>), sha: "f".repeat(40) } } });
    const without = (h: Record<string, string>, name: string) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== name));
    const cases: { name: string; headers: Record<string, string>; body: string }[] = [
      { name: "wrong secret", headers: { ...good.headers, "x-hub-signature-256": signPayload("not-the-secret", good.body) }, body: good.body },
      { name: "missing signature", headers: without(good.headers, "x-hub-signature-256"), body: good.body },
      { name: "body altered after signing", headers: good.headers, body: altered },
      { name: "one byte appended", headers: good.headers, body: `${good.body} ` },
      { name: "malformed signature", headers: { ...good.headers, "x-hub-signature-256": "sha256=zz" }, body: good.body },
      { name: "empty signature", headers: { ...good.headers, "x-hub-signature-256": "" }, body: good.body },
      { name: "sha1 only", headers: { ...without(good.headers, "x-hub-signature-256"), "x-hub-signature": `sha1=${createHmac("sha1", SECRET).update(good.body).digest("hex")}` }, body: good.body },
      { name: "signature of another delivery", headers: { ...good.headers, "x-hub-signature-256": signPayload(SECRET, JSON.stringify(prPayload(gh, "synchronize", pr.number))) }, body: good.body },
    ];
    for (const c of cases) {
      const res = await fetch(app!.hook, { method: "POST", headers: c.headers, body: c.body });
      await res.text();
      expect(res.status >= 400 && res.status < 500, `${c.name}: HTTP ${res.status}`).toBe(true);
    }
    await app!.queue.idle(5_000);
    expect(gh.requests).toEqual([]);
    expect(tap.requests).toEqual([]);
    expect((app!.queue as InMemoryQueue).stats()).toMatchObject({ completed: 0, dead: 0, maxRunning: 0 });
    expect(series(await metricsText())).toEqual(before);
    expect(gh.checkRuns(OWNER, REPO)).toEqual([]);

    // The same delivery, correctly signed, is taken (the refusals were about the signature only).
    const ok = await fetch(app!.hook, { method: "POST", headers: good.headers, body: good.body });
    expect(ok.status).toBe(200);
    await app!.queue.idle(30_000);
    expect(metricValue(await metricsText(), 'bulwark_jobs_total{state="queued"}')).toBe(1);
    expect(runOf(pr.headSha).conclusion).toBe("failure");
    expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
  });
});
