// The app end to end through probot.receive(), against the strict fake GitHub (every request
// checked against GitHub's OpenAPI description; off-diff comments refused like GitHub does).
import { describe, expect, it } from "vitest";
import { rightLines } from "../../src/github/diff.js";
import { parseMarker } from "../../src/github/comments.js";
import { scan } from "../../src/core/engine/scan.js";
import { faults } from "../support/fake-github.js";
import { assertNoViolationsAfterEach } from "../support/lifecycle.js";
import { webhookPayload } from "../support/webhooks.js";
import { INSTALLATION_ID, OWNER, REPO, prPayload, startHarness } from "./support/harness.js";
import type { Harness, HarnessOptions } from "./support/harness.js";
import { CLEAN_CONFIG_MAP, deployment, manyPrivileged } from "../support/manifests.js";

const RULES = { onlyRules: ["K8S-RUNTIME-001", "K8S-RUNTIME-002"] };
const ROUTE = {
  createCheck: "POST /repos/{owner}/{repo}/check-runs",
  updateCheck: "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
  files: "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
  pull: "GET /repos/{owner}/{repo}/pulls/{pull_number}",
  review: "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
  comments: "GET /repos/{owner}/{repo}/pulls/{pull_number}/comments",
  graphql: "POST /graphql",
};

interface CommentJson {
  id: number;
  path: string;
  line: number | null;
  start_line: number | null;
  side: string;
  body: string;
  commit_id: string;
  in_reply_to_id?: number;
  user: { login: string; type: string };
}

const harnesses = assertNoViolationsAfterEach<Harness>();

async function start(opts: HarnessOptions = {}): Promise<Harness> {
  return harnesses.track(await startHarness({ ...opts, app: { scan: RULES, ...opts.app } }));
}

function setupPullRequest(x: Harness, head: Record<string, string | null>, base: Record<string, string> = {}) {
  x.gh.createRepo({ owner: OWNER, repo: REPO, files: { "README.md": "# web\n", ...base } });
  x.gh.commit({ owner: OWNER, repo: REPO, branch: "feature", files: head });
  return x.gh.openPullRequest({ owner: OWNER, repo: REPO, head: "feature", title: "Deploy web" });
}

function comments(x: Harness, number: number): CommentJson[] {
  return x.gh.reviewCommentsOf(OWNER, REPO, number) as unknown as CommentJson[];
}

function expectAllOnDiffLines(x: Harness, number: number, list: CommentJson[]): void {
  const files = x.gh.pullFiles(OWNER, REPO, number) as { filename: string; patch?: string }[];
  for (const c of list) {
    const right = rightLines(files.find((f) => f.filename === c.path)?.patch ?? "");
    expect(c.side).toBe("RIGHT");
    expect(right.has(c.line!)).toBe(true);
    if (c.start_line !== null) expect(right.has(c.start_line)).toBe(true);
  }
}

/** Requests the app made for one review (the proxy sees all of them, GraphQL included). */
function requestCounts(x: Harness): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of x.proxy.requests) {
    if (r.route === "POST /app/installations/{installation_id}/access_tokens") continue;
    const k = r.route ?? `${r.method} ${r.url}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

describe("pull_request.opened", () => {
  it("creates the check in_progress at once, completes it as failure, and posts one review whose comments are all on diff lines", async () => {
    const x = await start();
    const pr = setupPullRequest(x, {
      "k8s/web.yaml": deployment("web", { privileged: true }),
      "k8s/api.yaml": deployment("api", { privileged: true, apeFalse: true }),
      "k8s/db.yaml": deployment("db"),
    });
    await x.receive("pull_request", prPayload(x.gh, "opened", pr.number));

    const writes = x.gh.requests.filter((r) => r.route !== "POST /app/installations/{installation_id}/access_tokens");
    expect(writes[0].route).toBe(ROUTE.createCheck);
    expect((writes[0].body as { status: string }).status).toBe("in_progress");
    const runs = x.gh.checkRuns(OWNER, REPO);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ name: "Bulwark", head_sha: pr.headSha, status: "completed", conclusion: "failure", external_id: String(pr.number) });
    expect(runs[0].output.title).toMatch(/new findings? at or above high/);
    expect(runs[0].output.summary).toContain("| Rule | Severity |");
    expect(runs[0].output.text).toContain(`https://github.com/${OWNER}/${REPO}/blob/${pr.headSha}/k8s/web.yaml#L`);
    expect(runs[0].annotations.length).toBe(4);
    // K8S-RUNTIME-002 is AUTO ("safe"): the Apply fixes button is offered.
    expect(runs[0].actions).toEqual([{ label: "Apply fixes", identifier: "apply-fixes", description: "Commit Bulwark's safe fixes" }]);

    const reviews = x.gh.reviews(OWNER, REPO, pr.number) as { state: string; commit_id: string; body: string }[];
    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({ state: "COMMENTED", commit_id: pr.headSha });
    expect(reviews[0].body).toContain(`<!-- bulwark:v1 review head=${pr.headSha} -->`);

    const list = comments(x, pr.number);
    expect(list).toHaveLength(4);
    expectAllOnDiffLines(x, pr.number, list);
    for (const c of list) expect(parseMarker(c.body)).toBeDefined();
    const priv = list.filter((c) => parseMarker(c.body)?.ruleId === "K8S-RUNTIME-001");
    expect(priv).toHaveLength(2);
    for (const c of priv) {
      // AUTO*: the warning line comes above the suggestion, whose text is exactly the fixed line.
      expect(c.body).toMatch(/```suggestion\n {12}privileged: false\n```/);
      expect(c.body.indexOf("[!WARNING]")).toBeGreaterThan(0);
      expect(c.body.indexOf("[!WARNING]")).toBeLessThan(c.body.indexOf("```suggestion"));
    }
    // K8S-RUNTIME-002 on db (AUTO, insertion of a new line): a suggestion without a warning.
    const ape = list.find((c) => c.path === "k8s/db.yaml")!;
    expect(ape.body).toMatch(/```suggestion\n {12}privileged: false\n {12}allowPrivilegeEscalation: false\n```/);
    expect(ape.body).not.toContain("[!WARNING]");
    expect(x.events.map((e) => e.outcome?.status)).toEqual(["reviewed"]);

    // Request budget: check create, 1 listing page, 1 GraphQL, GET pull, POST review, PATCH check.
    expect(requestCounts(x)).toEqual({ [ROUTE.createCheck]: 1, [ROUTE.files]: 1, [ROUTE.graphql]: 1, [ROUTE.pull]: 1, [ROUTE.review]: 1, [ROUTE.updateCheck]: 1 });
  });

  it("every posted suggestion, applied the way GitHub applies it, removes its finding", async () => {
    const x = await start({ app: { scan: {} } }); // the full default rule set
    const pr = setupPullRequest(x, { "k8s/web.yaml": deployment("web", { privileged: true }), "k8s/api.yaml": deployment("api", { image: "nginx:latest" }) });
    await x.receive("pull_request", prPayload(x.gh, "opened", pr.number));
    const suggestions = comments(x, pr.number).filter((c) => c.body.includes("```suggestion"));
    expect(suggestions.length).toBeGreaterThanOrEqual(2);
    expectAllOnDiffLines(x, pr.number, comments(x, pr.number));
    for (const c of suggestions) {
      const marker = parseMarker(c.body)!;
      const before = x.gh.fileAt(OWNER, REPO, "feature", c.path)!;
      expect(scan([{ path: c.path, text: before }]).findings.map((f) => f.fingerprint)).toContain(marker.fingerprint);
      // Commit suggestion: lines start_line..line of the head file replaced by the block (placement's simulateSuggestion).
      x.gh.applySuggestion({ owner: OWNER, repo: REPO, commentId: c.id });
      const after = x.gh.fileAt(OWNER, REPO, "feature", c.path)!;
      expect(after).not.toBe(before);
      const rescanned = scan([{ path: c.path, text: after }]).findings;
      expect(rescanned.map((f) => f.fingerprint), `${marker.ruleId} still reported after its suggestion`).not.toContain(marker.fingerprint);
      expect(rescanned.filter((f) => f.ruleId === "BULWARK-PARSE")).toEqual([]);
    }
  });
});

describe("new pushes and redeliveries", () => {
  it("a second delivery for a new commit comments only on what is new and resolves the threads of fixed findings", async () => {
    const x = await start();
    const pr = setupPullRequest(x, { "k8s/web.yaml": deployment("web", { privileged: true }), "k8s/api.yaml": deployment("api", { privileged: true, apeFalse: true }) });
    await x.receive("pull_request", prPayload(x.gh, "opened", pr.number));
    const first = comments(x, pr.number);
    const apiThread = first.find((c) => c.path === "k8s/api.yaml" && parseMarker(c.body)?.ruleId === "K8S-RUNTIME-001")!;
    // A human replies on the api thread; the fix lands in the next push.
    x.gh.addToken("human-token", { login: "octocat" });
    const reply = await fetch(`${x.gh.url}/repos/${OWNER}/${REPO}/pulls/${pr.number}/comments/${apiThread.id}/replies`, {
      method: "POST",
      headers: { authorization: "token human-token", "content-type": "application/json" },
      body: JSON.stringify({ body: "Good catch, fixing." }),
    });
    expect(reply.status).toBe(201);

    const head2 = x.gh.commit({
      owner: OWNER,
      repo: REPO,
      branch: "feature",
      files: { "k8s/api.yaml": deployment("api", { apeFalse: true }), "k8s/db.yaml": deployment("db", { privileged: true, apeFalse: true }) },
    });
    x.proxy.reset();
    await x.receive("pull_request", prPayload(x.gh, "synchronize", pr.number));

    const reviews = (x.gh.reviews(OWNER, REPO, pr.number) as { commit_id: string; user: { login: string } }[]).filter((r) => r.user.login === "bulwark[bot]");
    expect(reviews).toHaveLength(2);
    expect(reviews[1].commit_id).toBe(head2);
    const second = comments(x, pr.number).filter((c) => !first.some((f) => f.id === c.id) && c.in_reply_to_id === undefined);
    expect(second.map((c) => [c.path, parseMarker(c.body)?.ruleId])).toEqual([["k8s/db.yaml", "K8S-RUNTIME-001"]]);
    // No fingerprint is commented twice.
    const fps = comments(x, pr.number).map((c) => parseMarker(c.body)?.fingerprint).filter(Boolean);
    expect(new Set(fps).size).toBe(fps.length);

    const threads = x.gh.threads(OWNER, REPO, pr.number);
    const api = threads.find((t) => t.comments[0].id === apiThread.id)!;
    expect(api.isResolved).toBe(true);
    expect(api.comments.map((c) => c.user)).toEqual(["bulwark[bot]", "octocat"]); // resolved, never deleted
    const web = threads.filter((t) => t.path === "k8s/web.yaml");
    expect(web.every((t) => !t.isResolved)).toBe(true);

    const runs = x.gh.checkRuns(OWNER, REPO, { headSha: head2 });
    expect(runs).toHaveLength(1);
    expect(runs[0].output.summary).toContain("1 review thread of findings that are gone resolved");
    // Budget on a PR with comments: + comment listing + threads query + one resolve mutation.
    expect(x.proxy.count(ROUTE.comments)).toBe(1);
    expect(x.proxy.count(ROUTE.graphql)).toBe(3);
  });

  it("a redelivered event posts nothing twice (same process, and after a restart)", async () => {
    const x = await start();
    const pr = setupPullRequest(x, { "k8s/web.yaml": deployment("web", { privileged: true }) });
    const payload = prPayload(x.gh, "opened", pr.number);
    await x.receive("pull_request", payload, "delivery-1");
    await x.receive("pull_request", payload, "delivery-1");
    // check_suite.requested for the same push is a duplicate trigger too.
    await x.receive("check_suite", webhookPayload("check_suite", "requested", { owner: OWNER, repo: REPO, number: pr.number, headSha: pr.headSha, installationId: INSTALLATION_ID }));
    expect(x.gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
    expect(x.gh.checkRuns(OWNER, REPO)).toHaveLength(1);
    expect(x.events.map((e) => e.skipped ?? e.outcome?.status)).toEqual(["reviewed", "duplicate-delivery", "already-reviewed"]);

    // A new app process (no memory) receiving the redelivery: the payload now says the PR has
    // review comments, so the earlier ones are listed and nothing is repeated.
    const commentsBefore = comments(x, pr.number).length;
    const again = prPayload(x.gh, "opened", pr.number);
    expect((again.pull_request as { review_comments: number }).review_comments).toBe(commentsBefore);
    const fresh = await startHarnessOn(x);
    await fresh.receive("pull_request", again, "delivery-1");
    expect(x.gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
    expect(comments(x, pr.number)).toHaveLength(commentsBefore);
    expect(x.gh.checkRuns(OWNER, REPO).every((r) => r.status === "completed")).toBe(true);
  });

  it("posts no review when the head moved during the review, and still concludes the check", async () => {
    const x = await start();
    const pr = setupPullRequest(x, { "k8s/web.yaml": deployment("web", { privileged: true }) });
    const payload = prPayload(x.gh, "opened", pr.number);
    // Someone pushes right after the event was sent.
    const newer = x.gh.commit({ owner: OWNER, repo: REPO, branch: "feature", files: { "k8s/extra.yaml": deployment("extra") } });
    await x.receive("pull_request", payload);
    expect(x.gh.reviews(OWNER, REPO, pr.number)).toHaveLength(0);
    const [run] = x.gh.checkRuns(OWNER, REPO, { headSha: pr.headSha });
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run.output.summary).toContain(`A newer commit (\`${newer.slice(0, 7)}\`) was pushed`);
    expect(x.events[0].outcome?.reviewSkipped).toBe("head-moved");
  });
});

describe("check outcomes", () => {
  it("a broken config fails the check with the error and its line, and reviews nothing", async () => {
    const x = await start();
    const pr = setupPullRequest(x, { "k8s/web.yaml": deployment("web", { privileged: true }) }, { ".github/bulwark.yml": "failOn: high\nreview:\n  maxComments: lots\n" });
    await x.receive("pull_request", prPayload(x.gh, "opened", pr.number));
    const [run] = x.gh.checkRuns(OWNER, REPO);
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run.output.title).toBe(`Invalid config: ${OWNER}/${REPO}:.github/bulwark.yml@main line 3`);
    expect(run.output.summary).toContain(`${OWNER}/${REPO}:.github/bulwark.yml@main:3:16: review.maxComments must be an integer`);
    expect(x.gh.reviews(OWNER, REPO, pr.number)).toHaveLength(0);
  });

  it("reads the config from the organisation's .github repository and follows _extends with one extra request", async () => {
    const x = await start();
    x.gh.createRepo({ owner: OWNER, repo: ".github", files: { ".github/bulwark.yml": "_extends: policies:bulwark/base.yml\nfailOn: critical\n" } });
    x.gh.createRepo({ owner: OWNER, repo: "policies", files: { "bulwark/base.yml": "review:\n  maxComments: 1\n" } });
    const pr = setupPullRequest(x, { "k8s/web.yaml": deployment("web", { privileged: true }), "k8s/api.yaml": deployment("api", { privileged: true }) });
    await x.receive("pull_request", prPayload(x.gh, "opened", pr.number));
    const [run] = x.gh.checkRuns(OWNER, REPO);
    expect(run.output.summary).toContain(`Config: \`${OWNER}/.github:.github/bulwark.yml\` extending \`${OWNER}/policies:bulwark/base.yml\``);
    expect(run.output.title).toMatch(/at or above critical/);
    expect(comments(x, pr.number)).toHaveLength(1); // maxComments from the extended file
    expect(x.proxy.count(ROUTE.graphql)).toBe(2);
  });

  it("no relevant files: success, nothing to review", async () => {
    const x = await start();
    const pr = setupPullRequest(x, { "docs/intro.md": "# Intro\n", "src/main.go": "package main\n" });
    await x.receive("pull_request", prPayload(x.gh, "opened", pr.number));
    const [run] = x.gh.checkRuns(OWNER, REPO);
    expect(run).toMatchObject({ status: "completed", conclusion: "success" });
    expect(run.output.title).toBe("Nothing to review");
    expect(requestCounts(x)).toEqual({ [ROUTE.createCheck]: 1, [ROUTE.files]: 1, [ROUTE.updateCheck]: 1 });
  });

  it("findings below the threshold: neutral; clean manifests: success", async () => {
    const x = await start();
    const pr = setupPullRequest(x, { "k8s/cm.yaml": CLEAN_CONFIG_MAP, "k8s/web.yaml": deployment("web", { apeFalse: true }) }, { ".github/bulwark.yml": "rules:\n  K8S-RUNTIME-002: low\n" });
    await x.receive("pull_request", prPayload(x.gh, "opened", pr.number));
    expect(x.gh.checkRuns(OWNER, REPO)[0]).toMatchObject({ conclusion: "success" });
    x.gh.commit({ owner: OWNER, repo: REPO, branch: "feature", files: { "k8s/web.yaml": deployment("web") } });
    await x.receive("pull_request", prPayload(x.gh, "synchronize", pr.number));
    const runs = x.gh.checkRuns(OWNER, REPO);
    expect(runs[1]).toMatchObject({ conclusion: "neutral" });
    expect(runs[1].output.title).toBe("1 new finding below high");
  });

  it("findings already on the base branch are reported, not gating (unless review.gate: all)", async () => {
    const x = await start();
    const base = { "k8s/web.yaml": deployment("web", { privileged: true }) };
    const pr = setupPullRequest(x, { "k8s/web.yaml": deployment("web", { privileged: true, image: "nginx:1.28" }) }, base);
    await x.receive("pull_request", prPayload(x.gh, "opened", pr.number));
    const [run] = x.gh.checkRuns(OWNER, REPO);
    expect(run.conclusion).toBe("neutral");
    expect(run.output.title).toMatch(/No new findings \(2 findings already on the base branch\)/);
    expect(comments(x, pr.number)).toHaveLength(0);
    expect(x.gh.reviews(OWNER, REPO, pr.number)).toHaveLength(0);
  });

  it("an internal error concludes the check as failure instead of leaving it in_progress", async () => {
    const x = await start();
    const pr = setupPullRequest(x, { "k8s/web.yaml": deployment("web", { privileged: true }) });
    x.gh.inject(ROUTE.files, { status: 404, body: { message: "Not Found" } });
    await x.receive("pull_request", prPayload(x.gh, "opened", pr.number));
    const [run] = x.gh.checkRuns(OWNER, REPO);
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run.output.title).toBe("Bulwark could not complete the review");
    expect(x.events[0].outcome?.status).toBe("internal-error");
  });
});

describe("limits and degradation", () => {
  it("caps inline comments at review.maxComments (25) and annotations at 50, saying where the rest are", async () => {
    const x = await start({ app: { scan: { onlyRules: ["K8S-RUNTIME-001"] } } });
    const pr = setupPullRequest(x, { "k8s/many.yaml": manyPrivileged(60) });
    await x.receive("pull_request", prPayload(x.gh, "opened", pr.number));
    expect(comments(x, pr.number)).toHaveLength(25);
    expect(comments(x, pr.number).every((c) => c.body.includes("```suggestion"))).toBe(true);
    expectAllOnDiffLines(x, pr.number, comments(x, pr.number));
    const [review] = x.gh.reviews(OWNER, REPO, pr.number) as { body: string }[];
    expect(review.body).toContain("**Not commented inline (35):**");
    expect(review.body.match(/over the 25-comment limit/g)).toHaveLength(35);
    const [run] = x.gh.checkRuns(OWNER, REPO);
    expect(run.annotations).toHaveLength(50);
    expect(run.writes).toBe(2); // create + one completing PATCH
    expect(run.output.summary).toContain("50 of 60 findings are shown as annotations");
    expect(run.output.summary).toContain("35 more findings could have been commented inline");
  });

  it("sends more than 50 annotations in batches of 50 (PATCH appends)", async () => {
    const x = await start({ app: { maxAnnotations: 120, scan: { onlyRules: ["K8S-RUNTIME-001"] } } });
    const pr = setupPullRequest(x, { "k8s/many.yaml": manyPrivileged(60) });
    await x.receive("pull_request", prPayload(x.gh, "opened", pr.number));
    const [run] = x.gh.checkRuns(OWNER, REPO);
    expect(run.annotations).toHaveLength(60);
    expect(run.writes).toBe(3); // create, PATCH with 50 (in_progress), completing PATCH with 10
    const patches = x.gh.requests.filter((r) => r.route === ROUTE.updateCheck).map((r) => r.body as { status?: string; output: { annotations?: unknown[] } });
    expect(patches.map((p) => [p.status, p.output.annotations?.length])).toEqual([
      ["in_progress", 50],
      ["completed", 10],
    ]);
  });

  it("a 422 on the review degrades its comments to annotations and says so; the check is still concluded", async () => {
    const x = await start();
    const pr = setupPullRequest(x, { "k8s/web.yaml": deployment("web", { privileged: true }) });
    x.gh.inject(ROUTE.review, { status: 422, body: { message: "Validation Failed", errors: ["was submitted too quickly"], documentation_url: "https://docs.github.com/rest", status: "422" } });
    await x.receive("pull_request", prPayload(x.gh, "opened", pr.number));
    expect(x.gh.reviews(OWNER, REPO, pr.number)).toHaveLength(0);
    const [run] = x.gh.checkRuns(OWNER, REPO);
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run.output.summary).toContain("GitHub refused the review");
    expect(run.output.summary).toContain("shown as annotations of this check run instead");
    expect(run.annotations.map((a) => a.title)).toContain("K8S-RUNTIME-001: Privileged container");
    expect(x.events[0].outcome?.reviewSkipped).toBe("degraded");
  });

  it("a 5xx on the review is retried, then degraded", async () => {
    const x = await start();
    const pr = setupPullRequest(x, { "k8s/web.yaml": deployment("web", { privileged: true }) });
    x.gh.inject(ROUTE.review, faults.serverError(502), faults.serverError(502));
    await x.receive("pull_request", prPayload(x.gh, "opened", pr.number));
    expect(x.gh.count(ROUTE.review)).toBe(2); // one retry (test policy), then degraded
    const [run] = x.gh.checkRuns(OWNER, REPO);
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run.output.summary).toContain("GitHub refused the review (HTTP 502");
  });

  it("a secondary rate limit (403 + retry-after) is retried after the wait, with throttling on", async () => {
    const x = await start({ app: { rateLimits: { throttle: true, retryAfterBaseValue: 200, serverErrorRetries: 0 } } });
    const pr = setupPullRequest(x, { "k8s/web.yaml": deployment("web", { privileged: true }) });
    x.gh.inject(ROUTE.createCheck, faults.secondaryRateLimit(1));
    x.gh.inject(ROUTE.review, faults.secondaryRateLimit(1));
    const t0 = Date.now();
    await x.receive("pull_request", prPayload(x.gh, "opened", pr.number));
    expect(x.gh.count(ROUTE.createCheck)).toBe(2);
    expect(x.gh.count(ROUTE.review)).toBe(2);
    expect(x.gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
    expect(x.gh.checkRuns(OWNER, REPO)[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400); // two waits of retry-after 1 × 200 ms
  });

  it("reports a pull request with more than 3,000 files as partially reviewed", async () => {
    const x = await start();
    const files: Record<string, string> = { "k8s/web.yaml": deployment("web", { privileged: true }) };
    for (let i = 0; i < 3005; i++) files[`site/page-${String(i).padStart(4, "0")}.md`] = `page ${i}\n`;
    const pr = setupPullRequest(x, files);
    await x.receive("pull_request", prPayload(x.gh, "opened", pr.number));
    expect(x.proxy.count(ROUTE.files)).toBe(30);
    const [run] = x.gh.checkRuns(OWNER, REPO);
    expect(run.output.summary).toContain("This pull request changes 3,006 files: GitHub lists only the first 3,000");
    expect(run.conclusion).toBe("failure");
  });
});

describe("other triggers", () => {
  it("check_run.rerequested re-runs the review of the pull request in external_id", async () => {
    const x = await start();
    const pr = setupPullRequest(x, { "k8s/web.yaml": deployment("web", { privileged: true }) });
    await x.receive("pull_request", prPayload(x.gh, "opened", pr.number));
    const [first] = x.gh.checkRuns(OWNER, REPO);
    const payload = webhookPayload("check_run", "rerequested", { owner: OWNER, repo: REPO, headSha: pr.headSha, installationId: INSTALLATION_ID, checkRunName: "Bulwark", checkRunId: first.id, externalId: String(pr.number) });
    await x.receive("check_run", payload);
    const runs = x.gh.checkRuns(OWNER, REPO);
    expect(runs).toHaveLength(2);
    expect(runs[1]).toMatchObject({ status: "completed", conclusion: "failure", external_id: String(pr.number) });
    expect(x.gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1); // same head: no second review
  });

  it("check_suite.rerequested creates a new check run at once and concludes it; no second review of the same head", async () => {
    const x = await start();
    const pr = setupPullRequest(x, { "k8s/web.yaml": deployment("web", { privileged: true }) });
    await x.receive("pull_request", prPayload(x.gh, "opened", pr.number));
    await x.receive("check_suite", webhookPayload("check_suite", "rerequested", { owner: OWNER, repo: REPO, number: pr.number, headSha: pr.headSha, installationId: INSTALLATION_ID }));
    const runs = x.gh.checkRuns(OWNER, REPO);
    expect(runs.map((r) => [r.status, r.conclusion])).toEqual([
      ["completed", "failure"],
      ["completed", "failure"],
    ]);
    expect(x.gh.reviews(OWNER, REPO, pr.number)).toHaveLength(1);
    expect(x.events.map((e) => e.outcome?.status)).toEqual(["reviewed", "reviewed"]);
    // The re-run listed the earlier comments (the count is unknown without the payload) and found nothing new.
    expect(x.gh.count(ROUTE.comments)).toBe(1);
  });

  it("merge_group.checks_requested concludes a check on the merge group head", async () => {
    const x = await start();
    x.gh.createRepo({ owner: OWNER, repo: REPO, files: { "README.md": "# web\n" } });
    const base = x.gh.refSha(OWNER, REPO, "main")!;
    const head = x.gh.commit({ owner: OWNER, repo: REPO, branch: "gh-readonly-queue/main/pr-1", files: { "k8s/web.yaml": deployment("web", { privileged: true }) } });
    const payload = webhookPayload("merge_group", "checks_requested", { owner: OWNER, repo: REPO, installationId: INSTALLATION_ID });
    Object.assign(payload.merge_group as Record<string, unknown>, { head_sha: head, base_sha: base, head_ref: "refs/heads/gh-readonly-queue/main/pr-1", base_ref: "refs/heads/main" });
    await x.receive("merge_group", payload);
    const [run] = x.gh.checkRuns(OWNER, REPO, { headSha: head });
    expect(run).toMatchObject({ status: "completed", conclusion: "failure", external_id: `merge_group:${base}` });
  });
});

/** A second Probot instance (fresh memory) on the same fake: an app restart. */
async function startHarnessOn(x: Harness): Promise<Pick<Harness, "receive">> {
  const { Probot } = await import("probot");
  const { createBulwarkApp } = await import("../../src/app/index.js");
  const { probotOptions, TEST_APP_OPTIONS } = await import("./support/harness.js");
  const probot = new Probot(probotOptions(x.proxy.url));
  await probot.load(createBulwarkApp({ ...TEST_APP_OPTIONS, scan: RULES }));
  return { receive: (name, payload, id) => probot.receive({ id: id ?? "x", name, payload } as Parameters<typeof probot.receive>[0]) };
}
