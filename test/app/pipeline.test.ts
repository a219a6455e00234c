// Unit tests of the pure parts of the review pipeline (src/github) and of the app's scheduler.
import { describe, expect, it } from "vitest";
import { buildContentsQuery, FILES_PER_QUERY, fetchContents } from "../../src/github/contents.js";
import type { ContentsFile } from "../../src/github/contents.js";
import { parseExtends, resolveConfig } from "../../src/github/config.js";
import { candidateFiles, listPullRequestFiles } from "../../src/github/pr-files.js";
import { BODY_BUDGET, commentMarker, parseMarker, planComments, renderCommentBody, renderReviewBody } from "../../src/github/comments.js";
import { ANNOTATIONS_PER_REQUEST, buildAnnotations, buildSummary, completeCheckRun, decideConclusion, openCheckRun, permalink } from "../../src/github/checkrun.js";
import { guardWrites, paginate, serializeWrites, graphqlPartial, WriteAbortedError } from "../../src/github/client.js";
import type { GitHubClient, GitHubResponse } from "../../src/github/client.js";
import { ReviewScheduler } from "../../src/app/scheduler.js";
import type { Finding } from "../../src/core/types.js";
import type { Placement } from "../../src/github/placement.js";
import { getCatalog } from "../../src/core/engine/catalog.js";

function finding(over: Partial<Finding> = {}): Finding {
  return {
    ruleId: "K8S-RUNTIME-001",
    severity: "critical",
    title: "Privileged container",
    message: "Deployment/web container web runs privileged",
    path: "k8s/web.yaml",
    range: { startLine: 16, startColumn: 13, endLine: 16, endColumn: 29 },
    fingerprint: "0123456789abcdef0123456789abcdef",
    ...over,
  };
}

/** A scripted client: answers requests from a function, records them. */
function scripted(answer: (route: string, params: Record<string, unknown>) => GitHubResponse | Promise<GitHubResponse>, gql?: (q: string, v: Record<string, unknown>) => unknown) {
  const calls: { route: string; params: Record<string, unknown> }[] = [];
  const client: GitHubClient = {
    request: async (route, params = {}) => {
      calls.push({ route, params });
      return answer(route, params);
    },
    graphql: async (q, v = {}) => {
      calls.push({ route: "graphql", params: { query: q, ...v } });
      return gql ? gql(q, v) : {};
    },
  };
  return { client, calls };
}

describe("contents query", () => {
  const files: ContentsFile[] = [
    { path: "k8s/web.yaml", basePath: "k8s/web.yaml", hasHead: true },
    { path: "k8s/new.yaml", hasHead: true },
    { path: 'odd "name".yaml', basePath: "old.yaml", hasHead: true },
    { path: "gone.yaml", basePath: "gone.yaml", hasHead: false },
  ];
  const req = { repo: { owner: "acme", repo: "web" }, headSha: "h".repeat(40), baseSha: "b".repeat(40), files, config: { ref: "main", orgFallback: true } };

  it("aliases head and base objects and reads the config (repo and org .github) in the same query", () => {
    const q = buildContentsQuery(req, files, 0, true);
    expect(q.aliases.map((a) => a.alias)).toEqual(["h0", "b0", "h1", "h2", "b2", "b3"]);
    expect(q.query).toContain(`h0: object(expression: "${"h".repeat(40)}:k8s/web.yaml") { ... on Blob { text isBinary byteSize } }`);
    expect(q.query).toContain(`b2: object(expression: "${"b".repeat(40)}:old.yaml")`);
    expect(q.query).toContain(String.raw`"${"h".repeat(40)}:odd \"name\".yaml"`);
    expect(q.query).toContain(`config: object(expression: "main:.github/bulwark.yml")`);
    expect(q.query).toContain(`org: repository(owner: $owner, name: ".github")`);
    expect(q.variables).toEqual({ owner: "acme", name: "web" });
  });

  it("makes one query per FILES_PER_QUERY files, the config only in the first", async () => {
    const many: ContentsFile[] = Array.from({ length: FILES_PER_QUERY * 2 + 1 }, (_, i) => ({ path: `f${i}.yaml`, hasHead: true }));
    const queries: string[] = [];
    const { client } = scripted(
      () => ({ status: 200, headers: {}, data: {} }),
      (q) => {
        queries.push(q);
        const repository: Record<string, unknown> = {};
        for (const m of q.matchAll(/(h\d+): object/g)) repository[m[1]] = { text: "a: 1\n", isBinary: false, byteSize: 5 };
        return { repository, org: null };
      },
    );
    const res = await fetchContents(client, { ...req, files: many });
    expect(queries).toHaveLength(3);
    expect(queries.filter((q) => q.includes("config:"))).toHaveLength(1);
    expect(res.head.size).toBe(many.length);
    expect(res.requests).toBe(3);
  });

  it("re-reads a blob GraphQL truncated through the git blobs API", async () => {
    const big = "x".repeat(100);
    const { client, calls } = scripted(
      () => ({ status: 200, headers: {}, data: { content: Buffer.from(big).toString("base64"), encoding: "base64" } }),
      () => ({ repository: { h0: { text: big.slice(0, 10), isBinary: false, byteSize: 100 } } }),
    );
    const res = await fetchContents(client, { repo: req.repo, headSha: req.headSha, files: [{ path: "big.yaml", hasHead: true, headBlobSha: "c".repeat(40) }] });
    expect(res.head.get("big.yaml")).toMatchObject({ text: big, truncated: false });
    expect(calls.map((c) => c.route)).toEqual(["graphql", "GET /repos/{owner}/{repo}/git/blobs/{file_sha}"]);
  });

  it("keeps partial data when the org .github repository does not exist", async () => {
    const { client } = {
      client: {
        request: () => Promise.reject(new Error("unused")),
        graphql: () => Promise.reject(Object.assign(new Error("Could not resolve to a Repository"), { errors: [{ type: "NOT_FOUND", message: "Could not resolve to a Repository" }], data: { repository: { config: null }, org: null } })),
      } satisfies GitHubClient,
    };
    const partial = await graphqlPartial<{ org: unknown }>(client, "query { x }", {});
    expect(partial.errors).toHaveLength(1);
    expect(partial.data?.org).toBeNull();
  });
});

describe("config", () => {
  it("parses _extends like Probot's config plugin", () => {
    const cur = { owner: "acme", repo: "web" };
    expect(parseExtends(".github", cur)).toEqual({ owner: "acme", repo: ".github", path: ".github/bulwark.yml" });
    expect(parseExtends("other/policies", cur)).toEqual({ owner: "other", repo: "policies", path: ".github/bulwark.yml" });
    expect(parseExtends("policies:bulwark/base.yml", cur)).toEqual({ owner: "acme", repo: "policies", path: "bulwark/base.yml" });
    expect(parseExtends("not a repo", cur)).toBeUndefined();
  });

  it("reports the file and line of a config error; defaults without a file; no request without _extends", async () => {
    const { client, calls } = scripted(() => ({ status: 200, headers: {}, data: {} }));
    const blob = (text: string) => ({ text, isBinary: false, byteSize: text.length, truncated: false });
    const bad = await resolveConfig(client, { repo: { owner: "acme", repo: "web" }, defaultBranch: "main", repoConfig: blob("failOn: high\nfailOn: low\nnope: 1\n"), knownRuleIds: getCatalog().ids() });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0].line).toBeGreaterThanOrEqual(2);
    const none = await resolveConfig(client, { repo: { owner: "acme", repo: "web" }, defaultBranch: "main", repoConfig: null, orgConfig: undefined });
    expect(none).toMatchObject({ ok: true, source: { label: "defaults" } });
    const good = await resolveConfig(client, { repo: { owner: "acme", repo: "web" }, defaultBranch: "main", repoConfig: blob("failOn: medium\n") });
    expect(good.ok && good.config.failOn).toBe("medium");
    expect(calls).toHaveLength(0);
  });
});

describe("pull request files", () => {
  it("lists exactly ⌈changed_files/100⌉ pages, capped at 3,000 files", async () => {
    const { client, calls } = scripted((_r, p) => ({ status: 200, headers: { link: '<x>; rel="next"' }, data: Array.from({ length: 100 }, (_, i) => ({ filename: `f${Number(p.page) * 100 + i}.yaml`, status: "added" })) }));
    const l = await listPullRequestFiles(client, { owner: "a", repo: "b" }, 1, 250);
    expect(calls.map((c) => [c.params.per_page, c.params.page])).toEqual([
      [100, 1],
      [100, 2],
      [100, 3],
    ]);
    expect(l.truncated).toBe(false);
    const capped = await listPullRequestFiles(client, { owner: "a", repo: "b" }, 1, 4000);
    expect(capped.pages).toBe(30);
    expect(capped.truncated).toBe(true);
  });

  it("follows link headers when the count is unknown", async () => {
    const { client, calls } = scripted((_r, p) => ({ status: 200, headers: Number(p.page) < 2 ? { link: '<x>; rel="next"' } : {}, data: [{ id: p.page }] }));
    expect(await paginate(client, "GET /x", {})).toEqual([{ id: 1 }, { id: 2 }]);
    expect(calls).toHaveLength(2);
  });

  it("selects manifests, Dockerfiles and charts by name; renames compare with the old path", () => {
    const sel = candidateFiles([
      { filename: "k8s/web.yaml", status: "modified" },
      { filename: "README.md", status: "modified" },
      { filename: "Dockerfile", status: "added" },
      { filename: "deploy/new.yml", previous_filename: "deploy/old.yml", status: "renamed" },
      { filename: "old.yaml", status: "removed" },
    ]);
    expect(sel.map((s) => [s.path, s.basePath ?? null, s.hasHead])).toEqual([
      ["k8s/web.yaml", "k8s/web.yaml", true],
      ["Dockerfile", null, true],
      ["deploy/new.yml", "deploy/old.yml", true],
      ["old.yaml", "old.yaml", false],
    ]);
  });
});

describe("comments", () => {
  it("marker round-trips and every body carries it, within the budget", () => {
    const f = finding();
    expect(parseMarker(`text\n\n${commentMarker(f)}`)).toEqual({ fingerprint: f.fingerprint, ruleId: f.ruleId });
    const huge = finding({ message: "m".repeat(70_000) });
    const body = renderCommentBody({ kind: "inline", finding: huge, path: huge.path, side: "RIGHT", line: 3, noSuggestion: "no-fix" }, getCatalog().meta(f.ruleId));
    expect(body.length).toBeLessThanOrEqual(BODY_BUDGET);
    expect(parseMarker(body)?.fingerprint).toBe(f.fingerprint);
  });

  it("SUGGEST/NONE findings show the rule's remediation, no patch", () => {
    const meta = { ...getCatalog().meta("K8S-RUNTIME-001")!, fix: "SUGGEST" as const, remediation: "Do the safe thing." };
    const f = finding();
    const body = renderCommentBody({ kind: "inline", finding: f, path: f.path, side: "RIGHT", line: 16, noSuggestion: "no-fix" }, meta);
    expect(body).toContain("**How to fix:** Do the safe thing.");
    expect(body).not.toContain("```");
  });

  it("caps inline comments, skips fingerprints already commented, most severe first", () => {
    const mk = (i: number, sev: Finding["severity"]): Placement => {
      const f = finding({ fingerprint: `fp${i}`, severity: sev, range: { startLine: i, startColumn: 1, endLine: i, endColumn: 2 } });
      return { kind: "inline", finding: f, path: f.path, side: "RIGHT", line: i, noSuggestion: "no-fix" };
    };
    const placements = [mk(1, "low"), mk(2, "critical"), mk(3, "high"), mk(4, "critical")];
    const plan = planComments(placements, new Set(["fp4"]), 2);
    expect(plan.inline.map((p) => p.finding.fingerprint)).toEqual(["fp2", "fp3"]);
    expect(plan.overflow.map((p) => p.finding.fingerprint)).toEqual(["fp1"]);
    expect(plan.alreadyCommented.map((p) => p.finding.fingerprint)).toEqual(["fp4"]);
    expect(planComments(placements, new Set(), 25, false).inline).toEqual([]);
    const body = renderReviewBody({ headSha: "a".repeat(40), plan, totalNew: 4, permalink: () => "https://x", maxComments: 2 });
    expect(body).toContain("**Not commented inline (1):**");
    expect(body).toContain(`<!-- bulwark:v1 review head=${"a".repeat(40)} -->`);
  });
});

describe("check run", () => {
  const crit = finding();
  const low = finding({ severity: "low", fingerprint: "low" });

  it("concludes failure on introduced findings at/above failOn, neutral below, success when clean; gate all counts every finding", () => {
    expect(decideConclusion({ gate: "introduced", failOn: "high", introduced: [crit], active: [crit] }).conclusion).toBe("failure");
    expect(decideConclusion({ gate: "introduced", failOn: "high", introduced: [low], active: [low, crit] }).conclusion).toBe("neutral");
    expect(decideConclusion({ gate: "all", failOn: "high", introduced: [low], active: [low, crit] }).conclusion).toBe("failure");
    expect(decideConclusion({ gate: "introduced", failOn: "high", introduced: [], active: [] }).conclusion).toBe("success");
  });

  it("annotations: failure for gating findings, columns only on single lines, capped", () => {
    const multi = finding({ fingerprint: "m", severity: "medium", range: { startLine: 3, startColumn: 2, endLine: 5, endColumn: 4 } });
    const a = buildAnnotations([low, multi, crit], new Set([crit]), new Set([crit, multi]), 2);
    expect(a.map((x) => [x.annotation_level, x.start_line])).toEqual([
      ["failure", 16],
      ["warning", 3],
    ]);
    expect(a[0]).toMatchObject({ start_column: 13, end_column: 29 });
    expect(a[1].start_column).toBeUndefined();
  });

  it("sends annotations 50 per PATCH and still concludes when GitHub refuses the last batch", async () => {
    const annotations = Array.from({ length: 120 }, (_, i) => ({ path: "a.yaml", start_line: i + 1, end_line: i + 1, annotation_level: "warning" as const, message: "m", title: "t" }));
    let n = 0;
    const { client, calls } = scripted(() => {
      n++;
      if (n === 3) throw Object.assign(new Error("Validation Failed"), { status: 422 });
      return { status: 200, headers: {}, data: {} };
    });
    const res = await completeCheckRun(client, { owner: "a", repo: "b" }, 1, { conclusion: "failure", output: { title: "t", summary: "s" }, annotations, completedAt: new Date(0) });
    const bodies = calls.map((c) => c.params as { status: string; output: { annotations?: unknown[]; summary: string } });
    expect(bodies.map((b) => [b.status, b.output.annotations?.length ?? 0])).toEqual([
      ["in_progress", ANNOTATIONS_PER_REQUEST],
      ["in_progress", ANNOTATIONS_PER_REQUEST],
      ["completed", 20],
      ["completed", 0],
    ]);
    expect(bodies[3].output.summary).toContain("GitHub refused the final annotations");
    expect(res.annotationsPosted).toBe(100);
  });

  it("summary stays under 65,535 characters; permalinks are encoded", () => {
    const many = Array.from({ length: 5000 }, (_, i) => finding({ ruleId: `RULE-${i}`, fingerprint: `f${i}`, title: "t".repeat(200) }));
    const s = buildSummary({ conclusion: "failure", failOn: "high", gate: "introduced", introduced: many, preExisting: [], suppressed: [], gating: many, filesReviewed: 1, notes: [], link: () => "", inlineComments: 0 });
    expect(s.length).toBeLessThan(65_535);
    expect(permalink("https://ghe.example/acme/web/", "abc", "dir with space/a#b.yaml", 3, 5)).toBe("https://ghe.example/acme/web/blob/abc/dir%20with%20space/a%23b.yaml#L3-L5");
  });
});

describe("writes and scheduling", () => {
  it("serialises writes in call order, reads pass through", async () => {
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const base: GitHubClient = {
      request: async (route) => {
        log.push(`start ${route}`);
        if (route === "POST /a") await gate;
        log.push(`end ${route}`);
        return { status: 200, headers: {}, data: {} };
      },
      graphql: async () => ({}),
    };
    const c = serializeWrites(base);
    const p1 = c.request("POST /a");
    const p2 = c.request("PATCH /b");
    const p3 = c.request("GET /c");
    await p3;
    await new Promise((r) => setTimeout(r, 10));
    // The read went through while the first write was blocked; the second write waits for it.
    expect([...log].sort()).toEqual(["end GET /c", "start GET /c", "start POST /a"]);
    release();
    await Promise.all([p1, p2]);
    expect(log.slice(3)).toEqual(["end POST /a", "start PATCH /b", "end PATCH /b"]);
  });

  it("guardWrites: after the abort, writes (REST and GraphQL mutations) are refused without being sent; reads pass", async () => {
    const { client, calls } = scripted(() => ({ status: 200, headers: {}, data: {} }));
    const control = new AbortController();
    const c = guardWrites(client, control.signal);
    await c.request("POST /repos/{owner}/{repo}/check-runs", {});
    control.abort(new Error("lost the lock"));
    await expect(c.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews", {})).rejects.toThrow(WriteAbortedError);
    await expect(c.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {})).rejects.toThrow(/not sent: lost the lock/);
    await expect(c.graphql("mutation { resolveReviewThread(input: {threadId: \"x\"}) { clientMutationId } }")).rejects.toThrow(WriteAbortedError);
    await c.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {});
    await c.graphql("query { viewer { login } }");
    expect(calls.map((x) => x.route)).toEqual(["POST /repos/{owner}/{repo}/check-runs", "GET /repos/{owner}/{repo}/pulls/{pull_number}", "graphql"]);
  });

  it("openCheckRun: creates a run, or on a takeover resumes Bulwark's newest unfinished run with the same external id", async () => {
    const repo = { owner: "o", repo: "r" };
    const listed = [
      { id: 5, status: "completed", external_id: "12", head_sha: "h" },
      { id: 7, status: "in_progress", external_id: "12", head_sha: "h" },
      { id: 9, status: "in_progress", external_id: "13", head_sha: "h" },
    ];
    const { client, calls } = scripted((route) => (route.startsWith("GET") ? { status: 200, headers: {}, data: { total_count: listed.length, check_runs: listed } } : { status: 201, headers: {}, data: { id: 100 } }));
    expect(await openCheckRun(client, repo, "h", "12", new Date(), true)).toBe(7);
    expect(calls.map((x) => x.route)).toEqual(["GET /repos/{owner}/{repo}/commits/{ref}/check-runs"]);
    expect(calls[0].params).toMatchObject({ ref: "h", check_name: "Bulwark", filter: "all" });
    // Nothing unfinished for this pull request: a new run.
    expect(await openCheckRun(client, repo, "h", "14", new Date(), true)).toBe(100);
    // Not a takeover: no listing at all.
    calls.length = 0;
    expect(await openCheckRun(client, repo, "h", "12", new Date())).toBe(100);
    expect(calls.map((x) => x.route)).toEqual(["POST /repos/{owner}/{repo}/check-runs"]);
  });

  it("skips duplicate triggers of the same head, runs forced re-runs, retries failed reviews", async () => {
    const s = new ReviewScheduler(60_000);
    const key = { subject: "a/b#1", headSha: "x" };
    const ok = async () => ({ value: 1, finished: true });
    expect(await s.schedule(key, { force: false, deliveryId: "d1" }, ok)).toEqual({ ran: true, value: 1 });
    expect(await s.schedule(key, { force: false, deliveryId: "d1" }, ok)).toEqual({ ran: false, reason: "duplicate-delivery" });
    expect(await s.schedule(key, { force: false, deliveryId: "d2" }, ok)).toEqual({ ran: false, reason: "already-reviewed" });
    expect(await s.schedule(key, { force: true, deliveryId: "d3" }, ok)).toEqual({ ran: true, value: 1 });
    const key2 = { subject: "a/b#2", headSha: "y" };
    expect(await s.schedule(key2, { force: false, deliveryId: "e1" }, async () => ({ value: 0, finished: false }))).toEqual({ ran: true, value: 0 });
    expect((await s.schedule(key2, { force: false, deliveryId: "e1" }, ok)).ran).toBe(true);
  });
});
