// In-process tests of the action's parts: SARIF line hashes, the Octokit adapter, inputs, events,
// annotation planning.
import { describe, expect, it } from "vitest";
import { createActionClient, isPermissionDenied } from "../../src/action/client.js";
import type { OctokitLike } from "../../src/action/client.js";
import { parseEvent, ZERO_SHA } from "../../src/action/event.js";
import { InputError, parseList, readInputs } from "../../src/action/inputs.js";
import { ANNOTATIONS_PER_KIND, buildOutputs, lineHashes, planAnnotations, renderJobSummary } from "../../src/action/report.js";
import { ACTION_DEFAULTS, actionMetadata } from "./support/harness.js";
import { buildContentsQuery } from "../../src/github/contents.js";
import type { Finding, Severity } from "../../src/core/types.js";

describe("lineHashes (code scanning's primaryLocationLineHash)", () => {
  // Expected values: the test vectors of github/codeql-action src/fingerprints.test.ts.
  const cases: [string, string[]][] = [
    ["", ["c129715d7a2bc9a3:1"]],
    [" a\nb\n  \t\tc\n d", ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"]],
    [" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End", ["8b7cf3e952e7aeb2:1", "b1ae1287ec4718d9:1", "bff680108adb0fcc:1", "c6805c5e1288b612:1", "b86d3392aea1be30:1", "e6ceba753e1a442:1"]],
  ];
  const withNewline = ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1", "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"];
  cases.push(
    [" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n", withNewline],
    [" hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r", withNewline],
    [" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n", withNewline],
    [" hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n", withNewline],
    [
      "Lorem ipsum dolor sit amet.\n".repeat(10),
      [
        ...[1, 2, 3, 4, 5, 6].map((n) => `a7f2ff13bc495cf2:${n}`),
        "a7f2ff1481e87703:1",
        "a9cf91f7bbf1862b:1",
        "55ec222b86bcae53:1",
        "cc97dc7b1d7d8f7b:1",
        "c129715d7a2bc9a3:1",
      ],
    ],
  );
  it.each(cases.map(([text, hashes], i) => ({ i, text, hashes })))("vector $i", ({ text, hashes }) => {
    const got = lineHashes(text);
    expect([...got.keys()]).toEqual(hashes.map((_, i) => i + 1));
    expect([...got.values()]).toEqual(hashes);
  });
});

// ---------------------------------------------------------------- the Octokit adapter

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly response: { headers: Record<string, string> } = { headers: {} },
  ) {
    super(message);
  }
}

function fakeOctokit(answer: (route: string, params: Record<string, unknown>) => unknown): OctokitLike & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    request: async (route, params = {}) => {
      calls.push(route);
      const a = answer(route, params);
      if (a instanceof Error) throw a;
      return { status: 200, headers: { "x-test": "1" }, data: a };
    },
    graphql: async (query, params = {}) => {
      calls.push(`graphql ${query}`);
      const a = answer(`graphql ${query}`, params);
      if (a instanceof Error) throw a;
      return a;
    },
  };
}

const noSleep = { sleep: async () => undefined };

describe("createActionClient", () => {
  it("records a write refused with 403 'Resource not accessible by integration' and rethrows it", async () => {
    const o = fakeOctokit(() => new HttpError(403, "Resource not accessible by integration"));
    const c = createActionClient(o, noSleep);
    await expect(c.request("POST /repos/{owner}/{repo}/check-runs", { owner: "a", repo: "b" })).rejects.toThrow(/not accessible/);
    expect(c.denials).toEqual([{ route: "POST /repos/{owner}/{repo}/check-runs", status: 403, message: "Resource not accessible by integration" }]);
    expect(o.calls).toHaveLength(1); // never retried
  });

  it("records a GraphQL mutation answered FORBIDDEN", async () => {
    const forbidden = Object.assign(new Error("Resource not accessible by integration"), { errors: [{ type: "FORBIDDEN", message: "Resource not accessible by integration" }] });
    const c = createActionClient(fakeOctokit(() => forbidden), noSleep);
    await expect(c.graphql("mutation { resolveReviewThread(input: {}) { clientMutationId } }")).rejects.toThrow();
    expect(c.denials.map((d) => d.route)).toEqual(["graphql mutation"]);
    expect(isPermissionDenied(new HttpError(403, "API rate limit exceeded", { headers: { "x-ratelimit-remaining": "0" } }))).toBe(false);
  });

  it("retries reads on 5xx, never writes", async () => {
    let n = 0;
    const o = fakeOctokit((route) => (route.startsWith("GET") && n++ === 0 ? new HttpError(502, "Bad Gateway") : route.startsWith("POST") ? new HttpError(502, "Bad Gateway") : { ok: true }));
    const c = createActionClient(o, noSleep);
    await expect(c.request("GET /repos/{owner}/{repo}", {})).resolves.toMatchObject({ data: { ok: true } });
    await expect(c.request("POST /repos/{owner}/{repo}/check-runs", {})).rejects.toThrow(/Bad Gateway/);
    expect(o.calls.filter((x) => x.startsWith("POST"))).toHaveLength(1);
    expect(o.calls.filter((x) => x.startsWith("GET"))).toHaveLength(2);
    expect(c.denials).toEqual([]);
  });

  it("waits retry-after on a secondary rate limit, for writes too", async () => {
    const waits: number[] = [];
    let n = 0;
    const o = fakeOctokit(() => (n++ === 0 ? new HttpError(403, "You have exceeded a secondary rate limit", { headers: { "retry-after": "3" } }) : { id: 1 }));
    const c = createActionClient(o, { sleep: async (ms) => void waits.push(ms) });
    await expect(c.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews", {})).resolves.toMatchObject({ data: { id: 1 } });
    expect(waits).toEqual([3000]);
    expect(c.denials).toEqual([]);
  });

  it("serves repeated reads at fixed commits from one request, but not other reads", async () => {
    const o = fakeOctokit(() => ({ files: [] }));
    const c = createActionClient(o, noSleep);
    const p = { owner: "a", repo: "b", basehead: "x...y", per_page: 100 };
    await c.request("GET /repos/{owner}/{repo}/compare/{basehead}", p);
    await c.request("GET /repos/{owner}/{repo}/compare/{basehead}", { per_page: 100, basehead: "x...y", repo: "b", owner: "a" });
    await c.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: "a", repo: "b", pull_number: 1 });
    await c.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: "a", repo: "b", pull_number: 1 });
    const q = 'query Q { repository(owner: "a", name: "b") { h0: object(expression: "abc:x.yaml") { ... on Blob { text } } } }';
    await c.graphql(q, { owner: "a" });
    await c.graphql(q, { owner: "a" });
    expect(o.calls.filter((x) => x.includes("compare"))).toHaveLength(1);
    expect(o.calls.filter((x) => x.endsWith("{pull_number}"))).toHaveLength(2);
    expect(o.calls.filter((x) => x.startsWith("graphql"))).toHaveLength(1);
    expect(c.sent).toBe(4);
  });

  it("keeps a GraphQL answer with field errors (missing org .github repository) but not a transport failure", async () => {
    let n = 0;
    const partial = Object.assign(new Error("Could not resolve to a Repository"), { errors: [{ type: "NOT_FOUND", message: "Could not resolve" }], data: { repository: {} } });
    const o = fakeOctokit(() => (n++ === 0 ? partial : new HttpError(500, "boom")));
    const c = createActionClient(o, { ...noSleep, retry: { retries: 0 } });
    const q = 'query Q { repository(owner: "a", name: "b") { config: object(expression: "abc:.github/bulwark.yml") { ... on Blob { text } } } }';
    await expect(c.graphql(q)).rejects.toBe(partial);
    await expect(c.graphql(q)).rejects.toBe(partial);
    expect(n).toBe(1);
  });

  it("sends queries as written: the contents query reads the config at the `config` input's path itself", async () => {
    // The `config` input reaches the pipeline as ReviewOptions.config (the action's own scans as
    // ScanSettings.configPath): the query names the path, and the client no longer rewrites it.
    const seen: string[] = [];
    const c = createActionClient(
      fakeOctokit((route) => (seen.push(route), {})),
      noSleep,
    );
    const { query } = buildContentsQuery(
      { repo: { owner: "a", repo: "b" }, headSha: "0123abc", files: [], config: { ref: "0123abc", orgFallback: true, path: "ci/bulwark config.yml" } },
      [{ path: ".github/bulwark.yml", hasHead: true }],
      0,
      true,
    );
    await c.graphql(query);
    expect(seen).toEqual([`graphql ${query}`]);
    expect(query).toContain('config: object(expression: "0123abc:ci/bulwark config.yml")');
    // A changed file that happens to be the default config path, and the organisation fallback
    // (the `.github` repository's `HEAD:.github/bulwark.yml`), stay.
    expect(query).toContain('h0: object(expression: "0123abc:.github/bulwark.yml")');
    expect(query).toContain('config: object(expression: "HEAD:.github/bulwark.yml")');
  });
});

// ---------------------------------------------------------------- inputs and events

describe("readInputs", () => {
  const read = (m: Record<string, string>) => (n: string) => m[n] ?? "";
  it("applies defaults and parses lists", () => {
    expect(readInputs(read({ "github-token": "t" }))).toEqual({ token: "t", configPath: ".github/bulwark.yml", mode: "review", paths: [], comment: true, sarifFile: "bulwark.sarif", openPullRequests: false });
    expect(readInputs(read({ "github-token": "t", mode: "update", "open-pull-requests": "true" }))).toMatchObject({ mode: "update", openPullRequests: true });
    expect(readInputs(read({ "github-token": "t", "fail-on": "Critical", mode: "SARIF", comment: "false", paths: "k8s/\n# comment\n./charts/**, docker" }))).toMatchObject({
      failOn: "critical",
      mode: "sarif",
      comment: false,
      paths: ["k8s/", "charts/**", "docker"],
    });
    expect(parseList(" a ,\n\n b ")).toEqual(["a", "b"]);
  });
  it("rejects bad values with a message naming the input", () => {
    expect(() => readInputs(read({}))).toThrow(InputError);
    expect(() => readInputs(read({ "github-token": "t", mode: "fix" }))).toThrow(/input mode/);
    expect(() => readInputs(read({ "github-token": "t", "fail-on": "severe" }))).toThrow(/input fail-on/);
    expect(() => readInputs(read({ "github-token": "t", comment: "maybe" }))).toThrow(/input comment/);
    expect(() => readInputs(read({ "github-token": "t", "open-pull-requests": "sometimes" }))).toThrow(/input open-pull-requests/);
    expect(() => readInputs(read({ "github-token": "t", config: "../secrets.yml" }))).toThrow(/input config/);
    expect(() => readInputs(read({ "github-token": "t", "sarif-file": "../../etc/x" }))).toThrow(/input sarif-file/);
  });
});

describe("parseEvent", () => {
  const env = { GITHUB_REPOSITORY: "acme/web", GITHUB_SHA: "f".repeat(40) };
  it("pull requests: numbers, shas, forks", () => {
    const payload = {
      pull_request: { number: 4, head: { sha: "h", repo: { full_name: "someone/web" } }, base: { sha: "b", ref: "main", repo: { full_name: "acme/web" } }, changed_files: 3 },
      repository: { full_name: "acme/web", html_url: "https://ghe.example/acme/web", default_branch: "main" },
    };
    expect(parseEvent("pull_request", payload, env)).toMatchObject({
      event: { kind: "pull-request", number: 4, headSha: "h", baseSha: "b", fromFork: true, changedFiles: 3 },
      repository: { repo: { owner: "acme", repo: "web" }, htmlUrl: "https://ghe.example/acme/web", defaultBranch: "main" },
    });
  });
  it("push of a new branch, schedule without a repository payload", () => {
    expect(parseEvent("push", { before: ZERO_SHA, after: "a", ref: "refs/heads/x" }, env).event).toMatchObject({ kind: "push", created: true, deleted: false });
    expect(parseEvent("schedule", { schedule: "0 6 * * 1" }, { ...env, GITHUB_SERVER_URL: "https://ghe.example/" })).toMatchObject({
      event: { kind: "snapshot", name: "schedule", sha: "f".repeat(40) },
      repository: { htmlUrl: "https://ghe.example/acme/web" },
    });
  });
  it("refuses a pull request payload without shas", () => {
    expect(() => parseEvent("pull_request", { pull_request: { number: 1 } }, env)).toThrow(/head sha/);
  });
});

// ---------------------------------------------------------------- annotations

function finding(i: number, severity: Severity, line = i + 1): Finding {
  return {
    ruleId: `R-${i}`,
    severity,
    title: `Rule ${i}`,
    message: `message ${i}`,
    path: "k8s/a.yaml",
    range: { startLine: line, startColumn: 3, endLine: line, endColumn: 9 },
    fingerprint: `fp${i}`,
  };
}

describe("planAnnotations", () => {
  it("errors for gating findings, warnings for medium and above, notices below; at most 10 of each; new before old", () => {
    const introduced = Array.from({ length: 12 }, (_, i) => finding(i, "critical"));
    const old = [finding(100, "high"), finding(101, "low")];
    const plan = planAnnotations(introduced, old, new Set(introduced));
    const kinds = plan.annotations.map((a) => a.kind);
    expect(kinds.filter((k) => k === "error")).toHaveLength(ANNOTATIONS_PER_KIND);
    expect(plan.annotations.find((a) => a.title.startsWith("R-100"))).toMatchObject({ kind: "warning", message: "high: message 100 (already on the base branch)" });
    expect(plan.annotations.find((a) => a.title.startsWith("R-101"))?.kind).toBe("notice");
    expect(plan.omitted).toBe(2);
    expect(plan.annotations[0]).toMatchObject({ file: "k8s/a.yaml", startLine: 1, endLine: 1, startColumn: 3, endColumn: 9 });
  });
  it("no columns on multi-line findings", () => {
    const f = { ...finding(1, "high"), range: { startLine: 2, startColumn: 1, endLine: 4, endColumn: 5 } };
    expect(planAnnotations([f], [], new Set()).annotations[0]).not.toHaveProperty("startColumn");
  });
});

// ---------------------------------------------------------------- action.yml

describe("action.yml", () => {
  const meta = actionMetadata();
  it("runs dist/index.js on node24 with the shield branding", () => {
    expect(meta.runs).toEqual({ using: "node24", main: "dist/index.js" });
    expect(meta.branding).toEqual({ icon: "shield", color: "blue" });
  });
  it("declares exactly the inputs the action reads, with defaults it accepts", () => {
    expect(Object.keys(meta.inputs).sort()).toEqual(["comment", "config", "fail-on", "github-token", "mode", "open-pull-requests", "paths", "sarif-file"]);
    expect(meta.inputs["github-token"]!.default).toBe("${{ github.token }}");
    expect(readInputs((n) => (n === "github-token" ? "t" : (ACTION_DEFAULTS[n] ?? "")))).toEqual({
      token: "t",
      configPath: ".github/bulwark.yml",
      mode: "review",
      paths: [],
      comment: true,
      sarifFile: "bulwark.sarif",
      openPullRequests: false,
    });
  });
  it("declares exactly the outputs the action writes", () => {
    expect(Object.keys(meta.outputs).sort()).toEqual(Object.keys(buildOutputs([], "success")).sort());
  });
});

// ---------------------------------------------------------------- job summary

describe("renderJobSummary", () => {
  it("without a base: one findings column; caps the notes", () => {
    const f = finding(1, "high");
    const md = renderJobSummary({
      subject: "Scheduled scan",
      facts: ["commit `abc1234`"],
      conclusion: "failure",
      failOn: "high",
      hasBase: false,
      introduced: [f],
      preExisting: [],
      suppressed: [],
      gating: [f],
      filesScanned: 1,
      notes: Array.from({ length: 60 }, (_, i) => `note ${i}`),
      link: () => "https://github.com/acme/web/blob/abc/k8s/a.yaml#L2",
    });
    expect(md).toContain("❌ **1 finding at or above `high`**");
    expect(md).toContain("| Severity | Findings | Suppressed |");
    expect(md).toContain("| 🟠 high | `R-1` | [k8s/a.yaml#L2](https://github.com/acme/web/blob/abc/k8s/a.yaml#L2) | message 1 |");
    expect(md).toContain("- note 49\n- …and 10 more notes.");
    expect(md).not.toContain("note 50\n");
  });
});
