// Chat-ops end to end: @octokit/webhooks-examples payloads through probot.receive(), against the
// strict fake GitHub (every request checked against GitHub's OpenAPI description).
import { Octokit } from "@octokit/rest";
import { createTwoFilesPatch } from "diff";
import { describe, expect, it } from "vitest";
import { fixFiles } from "../../src/core/engine/fixes.js";
import { scan } from "../../src/core/engine/scan.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import { assertNoViolationsAfterEach } from "../support/lifecycle.js";
import { webhookPayload } from "../support/webhooks.js";
import type { WebhookPayload } from "../support/webhooks.js";
import { INSTALLATION_ID, OWNER, REPO, startHarness } from "../app/support/harness.js";
import type { Harness } from "../app/support/harness.js";
import { deployment } from "../support/manifests.js";

const RULES = { onlyRules: ["K8S-RUNTIME-001", "K8S-RUNTIME-002"] };
const ALICE = "alice";

// Harness.assertNoViolations() is the proxy's: the fake's OpenAPI violations, then the proxy's GraphQL ones.
const harnesses = assertNoViolationsAfterEach<Harness>();

async function start(): Promise<Harness> {
  const h = harnesses.track(await startHarness({ app: { scan: RULES } }));
  h.gh.addToken("alice-token", { login: ALICE });
  h.gh.addToken("bob-token", { login: "bob" });
  return h;
}

const HEAD = {
  "k8s/web.yaml": deployment("web", { privileged: true }),
  "k8s/api.yaml": deployment("api", { privileged: true, apeFalse: true }),
  "k8s/db.yaml": deployment("db"),
};

function setupPullRequest(x: Harness, head: Record<string, string> = HEAD) {
  x.gh.createRepo({ owner: OWNER, repo: REPO, files: { "README.md": "# web\n" } });
  x.gh.commit({ owner: OWNER, repo: REPO, branch: "feature", files: head });
  return x.gh.openPullRequest({ owner: OWNER, repo: REPO, head: "feature" });
}

/** Post a real comment in the fake (so reactions and replies have something to point at) and the matching payload. */
async function comment(x: Harness, number: number, body: string, opts: { user?: string; action?: "created" | "edited"; from?: string } = {}): Promise<{ payload: WebhookPayload; id: number }> {
  const user = opts.user ?? ALICE;
  const octo = new Octokit({ auth: `${user === ALICE ? "alice" : "bob"}-token`, baseUrl: x.gh.url });
  const created = (await octo.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: OWNER, repo: REPO, issue_number: number, body })).data;
  const payload = webhookPayload("issue_comment", opts.action ?? "created", { owner: OWNER, repo: REPO, number, installationId: INSTALLATION_ID, sender: user, commentBody: body, commentId: Number(created.id), defaultBranch: "main" });
  const c = payload.comment as Record<string, unknown>;
  c.created_at = created.created_at;
  c.updated_at = created.updated_at;
  c.performed_via_github_app = null;
  if (opts.from !== undefined) payload.changes = { body: { from: opts.from } };
  return { payload, id: Number(created.id) };
}

function replies(x: Harness, number: number): string[] {
  return (x.gh.issueComments(OWNER, REPO, number) as { body: string; user: { login: string } }[]).filter((c) => c.user.login === "bulwark[bot]").map((c) => c.body);
}

function headFiles(x: Harness, paths: readonly string[]): { path: string; text: string }[] {
  return paths.map((p) => ({ path: p, text: x.gh.fileAt(OWNER, REPO, "feature", p)! }));
}

describe("help, explain, unknown commands", () => {
  it("answers help with the command list, with an eyes reaction, to anyone", async () => {
    const x = await start();
    const pr = setupPullRequest(x);
    const { payload, id } = await comment(x, pr.number, "/bulwark help", { user: "bob" });
    await x.receive("issue_comment", payload);
    const r = replies(x, pr.number);
    expect(r).toHaveLength(1);
    expect(r[0]).toContain(`<!-- bulwark:reply comment=${id} `);
    expect(r[0]).toContain("/bulwark fix [RULE-ID…]");
    expect(x.gh.reactions("issue_comment", id)).toEqual([{ content: "eyes", user: "bulwark[bot]" }]);
    // help needs no permission lookup
    expect(x.gh.count("GET /repos/{owner}/{repo}/collaborators/{username}/permission")).toBe(0);
  });

  it("explains a rule with its Markdown document and refuses unknown rules", async () => {
    const x = await start();
    const pr = setupPullRequest(x);
    await x.receive("issue_comment", (await comment(x, pr.number, "/bulwark explain k8s-runtime-001", { user: "bob" })).payload);
    await x.receive("issue_comment", (await comment(x, pr.number, "/bulwark explain K8S-NOPE-999", { user: "bob" })).payload);
    const r = replies(x, pr.number);
    expect(r[0]).toContain("## K8S-RUNTIME-001 — ");
    expect(r[0]).toContain("### Why");
    expect(r[0].length).toBeLessThan(65_000);
    expect(r[1]).toContain("no rule `K8S-NOPE-999`");
  });

  it("answers an unknown command with the help", async () => {
    const x = await start();
    const pr = setupPullRequest(x);
    await x.receive("issue_comment", (await comment(x, pr.number, "/bulwark deploy prod")).payload);
    const r = replies(x, pr.number);
    expect(r[0]).toContain("unknown command `deploy`");
    expect(r[0]).toContain("**Bulwark commands**");
  });
});

describe("authorization and filtering", () => {
  it("refuses fix to a read-only collaborator politely and changes nothing", async () => {
    const x = await start();
    const pr = setupPullRequest(x);
    x.gh.setPermission(OWNER, REPO, "bob", "read");
    const before = x.gh.refSha(OWNER, REPO, "feature");
    await x.receive("issue_comment", (await comment(x, pr.number, "/bulwark fix", { user: "bob" })).payload);
    expect(replies(x, pr.number)[0]).toContain("Sorry @bob, `fix` needs write access");
    expect(x.gh.refSha(OWNER, REPO, "feature")).toBe(before);
    expect(x.gh.count("POST /repos/{owner}/{repo}/git/blobs")).toBe(0);
    expect(x.gh.count("GET /repos/{owner}/{repo}/pulls/{pull_number}/files")).toBe(0);
  });

  it("ignores bots, comments without commands, non-PR issues and edits that keep the same commands", async () => {
    const x = await start();
    const pr = setupPullRequest(x);
    const bot = webhookPayload("issue_comment", "created", { owner: OWNER, repo: REPO, number: pr.number, installationId: INSTALLATION_ID, sender: "dependabot[bot]", commentBody: "/bulwark help", commentId: 5 });
    await x.receive("issue_comment", bot);
    const plain = webhookPayload("issue_comment", "created", { owner: OWNER, repo: REPO, number: pr.number, installationId: INSTALLATION_ID, sender: ALICE, commentBody: "LGTM", commentId: 6 });
    await x.receive("issue_comment", plain);
    const issue = webhookPayload("issue_comment", "created", { owner: OWNER, repo: REPO, number: pr.number, installationId: INSTALLATION_ID, sender: ALICE, commentBody: "/bulwark help", commentId: 7, isPullRequest: false });
    await x.receive("issue_comment", issue);
    const edited = await comment(x, pr.number, "/bulwark help\nthanks!", { action: "edited", from: "/bulwark help\nthanks" });
    await x.receive("issue_comment", edited.payload);
    expect(replies(x, pr.number)).toHaveLength(0);
    // Nothing read, nothing reacted to: the only requests are the test's own comment.
    expect(x.gh.requests.filter((r) => r.method === "GET" || r.route?.includes("reactions"))).toHaveLength(0);
  });

  it("answers a duplicate delivery once", async () => {
    const x = await start();
    const pr = setupPullRequest(x);
    const { payload } = await comment(x, pr.number, "/bulwark help");
    await Promise.all([x.receive("issue_comment", payload, "d1"), x.receive("issue_comment", structuredClone(payload), "d1")]);
    await x.receive("issue_comment", structuredClone(payload), "d2");
    expect(replies(x, pr.number)).toHaveLength(1);
  });
});

describe("/bulwark fix", () => {
  it("commits the AUTO fixes on the same-repo head branch: the tree equals fixFiles (= bulwark scan --fix)", async () => {
    const x = await start();
    const pr = setupPullRequest(x);
    x.gh.setPermission(OWNER, REPO, ALICE, "write");
    const before = headFiles(x, Object.keys(HEAD));
    await x.receive("issue_comment", (await comment(x, pr.number, "/bulwark fix")).payload);
    const expected = fixFiles(before, {}, { config: DEFAULT_CONFIG, ...RULES });
    expect(expected.changed.size).toBeGreaterThan(0);
    const head = x.gh.refSha(OWNER, REPO, "feature")!;
    const info = x.gh.commitInfo(head)!;
    expect(info.parents).toEqual([pr.headSha]);
    expect(info.message).toBe(`bulwark: fix ${expected.rules.join(", ")} (${expected.applied.length} finding${expected.applied.length === 1 ? "" : "s"})`);
    for (const f of before) expect(info.files[f.path]).toBe(expected.changed.get(f.path) ?? f.text);
    expect(info.files["README.md"]).toBe("# web\n");
    // AUTO only: privileged (AUTO*) stays.
    expect(info.files["k8s/web.yaml"]).toContain("privileged: true");
    expect(expected.rules).toEqual(["K8S-RUNTIME-002"]);
    const r = replies(x, pr.number)[0];
    expect(r).toContain(`Committed ${head.slice(0, 7)} on \`feature\``);
    expect(r).toContain("/bulwark fix K8S-RUNTIME-001");
    expect(x.gh.requests.find((q) => q.route === "PATCH /repos/{owner}/{repo}/git/refs/{ref}")?.body).toMatchObject({ force: false });
  });

  it("applies AUTO* fixes only for the rules named", async () => {
    const x = await start();
    const pr = setupPullRequest(x);
    x.gh.setPermission(OWNER, REPO, ALICE, "maintain");
    const before = headFiles(x, Object.keys(HEAD));
    await x.receive("issue_comment", (await comment(x, pr.number, "/bulwark fix K8S-RUNTIME-001")).payload);
    const expected = fixFiles(before, { rules: ["K8S-RUNTIME-001"] }, { config: DEFAULT_CONFIG, ...RULES });
    const info = x.gh.commitInfo(x.gh.refSha(OWNER, REPO, "feature")!)!;
    expect(info.message).toMatch(/^bulwark: fix K8S-RUNTIME-001 \(2 findings\)$/);
    for (const f of before) expect(info.files[f.path]).toBe(expected.changed.get(f.path) ?? f.text);
    const after = scan(headFiles(x, Object.keys(HEAD)), RULES).findings;
    expect(after.filter((f) => f.ruleId === "K8S-RUNTIME-001")).toHaveLength(0);
    // K8S-RUNTIME-002 was not named: not fixed.
    expect(after.filter((f) => f.ruleId === "K8S-RUNTIME-002").length).toBeGreaterThan(0);
  });

  it("recomputes once when the head moves during the command, never overwriting the push", async () => {
    const x = await start();
    const pr = setupPullRequest(x);
    x.gh.setPermission(OWNER, REPO, ALICE, "write");
    const { payload } = await comment(x, pr.number, "/bulwark fix");
    x.gh.inject("POST /repos/{owner}/{repo}/git/commits", { delayMs: 150 });
    const done = x.receive("issue_comment", payload);
    await until(() => x.gh.count("POST /repos/{owner}/{repo}/git/commits") === 1);
    const pushed = x.gh.commit({ owner: OWNER, repo: REPO, branch: "feature", files: { "k8s/cache.yaml": deployment("cache") }, message: "add cache" });
    await done;
    const head = x.gh.refSha(OWNER, REPO, "feature")!;
    const info = x.gh.commitInfo(head)!;
    expect(info.parents).toEqual([pushed]);
    // Recomputed from the pushed head: the new file is fixed too, the push is kept.
    const moved = [...Object.keys(HEAD), "k8s/cache.yaml"].map((p) => ({ path: p, text: x.gh.commitInfo(pushed)!.files[p]! }));
    const expected = fixFiles(moved, {}, { config: DEFAULT_CONFIG, ...RULES });
    for (const f of moved) expect(info.files[f.path]).toBe(expected.changed.get(f.path) ?? f.text);
    expect(expected.changed.has("k8s/cache.yaml")).toBe(true);
    expect(replies(x, pr.number)[0]).toContain("recomputed on the newer head");
  });

  it("refuses when the head moves twice", async () => {
    const x = await start();
    const pr = setupPullRequest(x);
    x.gh.setPermission(OWNER, REPO, ALICE, "write");
    const { payload } = await comment(x, pr.number, "/bulwark fix");
    x.gh.inject("POST /repos/{owner}/{repo}/git/commits", { delayMs: 150 }, { delayMs: 150 });
    const done = x.receive("issue_comment", payload);
    await until(() => x.gh.count("POST /repos/{owner}/{repo}/git/commits") === 1);
    x.gh.commit({ owner: OWNER, repo: REPO, branch: "feature", files: { "a.txt": "1\n" } });
    await until(() => x.gh.count("POST /repos/{owner}/{repo}/git/commits") === 2);
    const last = x.gh.commit({ owner: OWNER, repo: REPO, branch: "feature", files: { "a.txt": "2\n" } });
    await done;
    expect(x.gh.refSha(OWNER, REPO, "feature")).toBe(last);
    expect(replies(x, pr.number)[0]).toContain("never overwrites a push");
  });

  it("replies with a diff for a fork without maintainer edits, and commits on the fork when they are allowed", async () => {
    const x = await start();
    x.gh.createRepo({ owner: OWNER, repo: REPO, files: { "README.md": "# web\n" } });
    x.gh.fork({ owner: OWNER, repo: REPO, forkOwner: "carol" });
    x.gh.commit({ owner: "carol", repo: REPO, branch: "feature", files: HEAD });
    const pr = x.gh.openPullRequest({ owner: OWNER, repo: REPO, head: "carol:feature", user: "carol" });
    x.gh.setPermission(OWNER, REPO, ALICE, "write");
    const forkHead = x.gh.refSha("carol", REPO, "feature");

    await x.receive("issue_comment", (await comment(x, pr.number, "/bulwark fix")).payload);
    let r = replies(x, pr.number)[0];
    expect(r).toContain("does not allow edits by maintainers");
    expect(r).toContain("```diff\n--- a/k8s/db.yaml\n+++ b/k8s/db.yaml");
    expect(x.gh.refSha("carol", REPO, "feature")).toBe(forkHead);

    // "Allow edits by maintainers": the app may push to the fork's branch.
    await new Octokit({ auth: "alice-token", baseUrl: x.gh.url }).request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { owner: OWNER, repo: REPO, pull_number: pr.number, maintainer_can_modify: true });
    // GitHub lets the base repository's installation push to a fork branch whose pull request allows
    // maintainer edits; the fake scopes installation tokens by repository, so list the fork too.
    x.gh.addInstallation({ id: INSTALLATION_ID, account: OWNER, repositories: [`${OWNER}/${REPO}`, `carol/${REPO}`], permissions: { checks: "write", pull_requests: "write", contents: "write", issues: "write", metadata: "read" } });
    await x.receive("issue_comment", (await comment(x, pr.number, "/bulwark fix")).payload);
    r = replies(x, pr.number)[1];
    const after = x.gh.refSha("carol", REPO, "feature")!;
    expect(after).not.toBe(forkHead);
    expect(x.gh.commitInfo(after)!.parents).toEqual([forkHead]);
    expect(r).toContain(`on \`carol:feature\``);
  });
});

// A fork without maintainer edits gets the patch in an issue comment, which outlives a force-push:
// a credential on a line the patch shows (context or changed) must not be copied into it.
describe("/bulwark fix and ignore on a fork without maintainer edits: no credential in the reply", () => {
  const GH_TOKEN = `ghp_${"Zq8Yw3Lr5Tn1Vb7Xc9Mk2Pd4Hf6Js0Ga1Bc2"}`;
  const URL_PASSWORD = "Sup3rS3cretPw";
  const DB_PASSWORD = "Tr0ub4dor-and-3-horses"; // no known format: only K8S-SECRET-001 (by its name) knows
  const SECRETS = [GH_TOKEN, URL_PASSWORD, DB_PASSWORD];
  const FIX_RULES = ["K8S-RUNTIME-001", "K8S-RUNTIME-015"];

  /** A Deployment with a privileged container whose env entries (`- …` lines) sit just above its securityContext. */
  function leaky(env: readonly string[]): string {
    return [
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
      ...env.map((l) => `            ${l}`),
      "          securityContext:",
      "            privileged: true",
      "",
    ].join("\n");
  }

  /** The app selects only the fix rules: the credential rules are not among them. */
  async function forkPullRequest(files: Record<string, string>) {
    const h = harnesses.track(await startHarness({ app: { scan: { onlyRules: FIX_RULES } } }));
    h.gh.addToken("alice-token", { login: ALICE });
    h.gh.createRepo({ owner: OWNER, repo: REPO, files: { "README.md": "# web\n" } });
    h.gh.fork({ owner: OWNER, repo: REPO, forkOwner: "carol" });
    h.gh.commit({ owner: "carol", repo: REPO, branch: "feature", files });
    const pr = h.gh.openPullRequest({ owner: OWNER, repo: REPO, head: "carol:feature", user: "carol" });
    h.gh.setPermission(OWNER, REPO, ALICE, "write");
    return { x: h, pr, forkHead: h.gh.refSha("carol", REPO, "feature") };
  }

  /** Every request the app sent to GitHub (and the test's own comments): url and body. */
  function expectNoSecretSent(x: Harness): void {
    expect(x.gh.requests.length).toBeGreaterThan(5);
    for (const r of x.gh.requests) {
      const sent = `${r.url}\n${JSON.stringify(r.body ?? null)}`;
      for (const secret of SECRETS) expect(sent.includes(secret), `${r.method} ${r.url} sends ${secret}`).toBe(false);
    }
  }

  it("withholds the patch whose context shows a URL password and a GitHub token, says so, and sends them nowhere", async () => {
    const { x, pr, forkHead } = await forkPullRequest({ "k8s/api.yaml": leaky([`- {name: DATABASE_URL, value: "postgres://app:${URL_PASSWORD}@db:5432/app"}`, `- {name: GITHUB_TOKEN, value: ${GH_TOKEN}}`]) });
    await x.receive("issue_comment", (await comment(x, pr.number, `/bulwark fix ${FIX_RULES.join(" ")}`)).payload);
    const r = replies(x, pr.number);
    expect(r).toHaveLength(1);
    expect(r[0]).toContain("Fixes for 2 findings in 1 file (K8S-RUNTIME-001, K8S-RUNTIME-015)");
    expect(r[0]).toContain("does not allow edits by maintainers, so Bulwark cannot push to `carol:feature`. The patch is not shown here: its lines hold a credential");
    expect(r[0]).toContain("run `npx bulwark scan --fix --fix-rules K8S-RUNTIME-001,K8S-RUNTIME-015 k8s/api.yaml` on the branch");
    expect(r[0]).toContain('tick "Allow edits by maintainers" and ask again');
    expect(r[0]).toContain("Patch withheld for:\n- `k8s/api.yaml` (K8S-RUNTIME-001, K8S-RUNTIME-015): it would show a GitHub token, a URL with its password, a value a credential rule reports");
    expect(r[0]).not.toContain("```diff");
    expect(r[0]).not.toContain("Apply this patch");
    expectNoSecretSent(x);
    expect(x.gh.refSha("carol", REPO, "feature")).toBe(forkHead);
  });

  it("withholds a patch that shows a value only a credential rule recognizes, and still shows the patch of a clean file", async () => {
    const clean = deployment("web", { privileged: true });
    const { x, pr } = await forkPullRequest({ "k8s/api.yaml": leaky(["- name: DB_PASSWORD", `  value: ${DB_PASSWORD}`]), "k8s/web.yaml": clean });
    await x.receive("issue_comment", (await comment(x, pr.number, "/bulwark fix K8S-RUNTIME-001")).payload);
    const r = replies(x, pr.number)[0];
    const fixed = fixFiles([{ path: "k8s/web.yaml", text: clean }], { rules: ["K8S-RUNTIME-001"] }, { config: DEFAULT_CONFIG, onlyRules: FIX_RULES }).changed.get("k8s/web.yaml")!;
    const patch = createTwoFilesPatch("a/k8s/web.yaml", "b/k8s/web.yaml", clean, fixed, undefined, undefined, { context: 3 }).replace(/^=+\n/, "").replace(/^Index:.*\n/, "");
    expect(r).toContain('Apply this patch (`git apply`), or tick "Allow edits by maintainers" and ask again:');
    expect(r).toContain(`(1 file)</summary>\n\n\`\`\`diff\n${patch.replace(/\n$/, "")}\n\`\`\``);
    expect(r).not.toContain("a/k8s/api.yaml");
    expect(r).toContain("The patch of 1 other file is not shown here: its lines hold a credential");
    expect(r).toContain("For it, run `npx bulwark scan --fix --fix-rules K8S-RUNTIME-001 k8s/api.yaml` on the branch");
    expect(r).toContain("- `k8s/api.yaml` (K8S-RUNTIME-001): it would show a value a credential rule reports");
    expectNoSecretSent(x);
  });

  it("posts a patch without credentials exactly as before", async () => {
    const text = deployment("api", { privileged: true, extraEnv: 2 });
    const { x, pr } = await forkPullRequest({ "k8s/api.yaml": text });
    await x.receive("issue_comment", (await comment(x, pr.number, "/bulwark fix K8S-RUNTIME-001")).payload);
    const fixed = fixFiles([{ path: "k8s/api.yaml", text }], { rules: ["K8S-RUNTIME-001"] }, { config: DEFAULT_CONFIG, onlyRules: FIX_RULES }).changed.get("k8s/api.yaml")!;
    const patch = createTwoFilesPatch("a/k8s/api.yaml", "b/k8s/api.yaml", text, fixed, undefined, undefined, { context: 3 }).replace(/^=+\n/, "").replace(/^Index:.*\n/, "");
    expect(patch).toContain("value: \"1\""); // the env lines are in the context
    const head = x.gh.refSha("carol", REPO, "feature")!;
    const asked = x.gh.issueComments(OWNER, REPO, pr.number)[0] as { id: number; updated_at: string };
    expect(replies(x, pr.number)[0]).toBe(
      [
        `<!-- bulwark:reply comment=${asked.id} updated=${asked.updated_at} -->`,
        "Fixes for 1 finding in 1 file (K8S-RUNTIME-001):",
        "",
        "- `k8s/api.yaml:21` K8S-RUNTIME-001: Set privileged: false",
        "",
        "Behaviour-changing fixes (AUTO*) are applied only when named: `/bulwark fix K8S-RUNTIME-015`.",
        "",
        'This pull request comes from a fork that does not allow edits by maintainers, so Bulwark cannot push to `carol:feature`. Apply this patch (`git apply`), or tick "Allow edits by maintainers" and ask again:',
        "",
        `<details><summary>Patch against \`${head.slice(0, 7)}\` (1 file)</summary>`,
        "",
        `\`\`\`diff\n${patch.replace(/\n$/, "")}\n\`\`\``,
        "",
        "</details>",
      ].join("\n"),
    );
  });

  it("withholds the suppression patch of ignore the same way", async () => {
    const { x, pr } = await forkPullRequest({ "k8s/api.yaml": leaky(["- name: GITHUB_TOKEN", `  value: ${GH_TOKEN}`]) });
    await x.receive("issue_comment", (await comment(x, pr.number, "/bulwark ignore K8S-RUNTIME-001 k8s/api.yaml the CNI agent needs it")).payload);
    const r = replies(x, pr.number)[0];
    expect(r).toContain("Suppression of K8S-RUNTIME-001 at `k8s/api.yaml:19`");
    expect(r).toContain("The patch is not shown here: its lines hold a credential");
    expect(r).toContain("add `# bulwark:ignore K8S-RUNTIME-001 the CNI agent needs it` on its own line above line 19 of `k8s/api.yaml`");
    expect(r).toContain("- `k8s/api.yaml` (K8S-RUNTIME-001): it would show a GitHub token, a value a credential rule reports");
    expect(r).not.toContain("```diff");
    expectNoSecretSent(x);
  });
});

describe("/bulwark ignore, rescan, update, the Apply fixes button", () => {
  it("commits the suppression with its reason; the re-scan shows the finding suppressed", async () => {
    const x = await start();
    const pr = setupPullRequest(x, { "k8s/web.yaml": deployment("web", { privileged: true, apeFalse: true }) });
    x.gh.setPermission(OWNER, REPO, ALICE, "write");
    await x.receive("issue_comment", (await comment(x, pr.number, "/bulwark ignore K8S-RUNTIME-001 k8s/web.yaml the CNI agent needs it")).payload);
    const text = x.gh.fileAt(OWNER, REPO, "feature", "k8s/web.yaml")!;
    expect(text).toContain("            # bulwark:ignore K8S-RUNTIME-001 the CNI agent needs it\n            privileged: true");
    const f = scan([{ path: "k8s/web.yaml", text }], RULES).findings.find((x2) => x2.ruleId === "K8S-RUNTIME-001");
    expect(f?.suppressed?.reason).toBe("the CNI agent needs it");
    expect(replies(x, pr.number)[0]).toContain("Committed");
  });

  it("refuses ignore without a reason", async () => {
    const x = await start();
    const pr = setupPullRequest(x);
    x.gh.setPermission(OWNER, REPO, ALICE, "write");
    const before = x.gh.refSha(OWNER, REPO, "feature");
    await x.receive("issue_comment", (await comment(x, pr.number, "/bulwark ignore K8S-RUNTIME-001")).payload);
    expect(replies(x, pr.number)[0]).toContain("`ignore` needs a reason");
    expect(x.gh.refSha(OWNER, REPO, "feature")).toBe(before);
  });

  it("ignores the finding of the Bulwark review comment it replies to", async () => {
    const x = await start();
    const pr = setupPullRequest(x);
    x.gh.setPermission(OWNER, REPO, ALICE, "write");
    await x.receive("pull_request", prPayloadFor(x, pr.number));
    const c = (x.gh.reviewCommentsOf(OWNER, REPO, pr.number) as { id: number; path: string; body: string; line: number }[]).find((k) => k.path === "k8s/api.yaml" && k.body.includes("rule=K8S-RUNTIME-001"))!;
    expect(c).toBeDefined();
    const octo = new Octokit({ auth: "alice-token", baseUrl: x.gh.url });
    const reply = (await octo.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies", { owner: OWNER, repo: REPO, pull_number: pr.number, comment_id: c.id, body: "/bulwark ignore K8S-RUNTIME-001 debugging sidecar" })).data;
    const payload = webhookPayload("pull_request_review_comment", "created", { owner: OWNER, repo: REPO, number: pr.number, installationId: INSTALLATION_ID, sender: ALICE });
    Object.assign(payload.comment as Record<string, unknown>, { id: reply.id, body: reply.body, in_reply_to_id: c.id, path: c.path, created_at: reply.created_at, updated_at: reply.updated_at, user: { login: ALICE, type: "User" } });
    await x.receive("pull_request_review_comment", payload);
    const api = x.gh.fileAt(OWNER, REPO, "feature", "k8s/api.yaml")!;
    expect(api).toContain("# bulwark:ignore K8S-RUNTIME-001 debugging sidecar");
    expect(x.gh.fileAt(OWNER, REPO, "feature", "k8s/web.yaml")).not.toContain("bulwark:ignore");
    const thread = x.gh.threads(OWNER, REPO, pr.number).find((t) => t.comments[0].id === c.id)!;
    expect(thread.comments.map((k) => k.user)).toEqual(["bulwark[bot]", ALICE, "bulwark[bot]"]);
    expect(x.gh.reactions("review_comment", Number(reply.id))).toEqual([{ content: "eyes", user: "bulwark[bot]" }]);
  });

  it("rescan re-runs the review (a new check run) for writers only", async () => {
    const x = await start();
    const pr = setupPullRequest(x);
    x.gh.setPermission(OWNER, REPO, ALICE, "admin");
    await x.receive("issue_comment", (await comment(x, pr.number, "/bulwark rescan")).payload);
    expect(x.gh.checkRuns(OWNER, REPO, { headSha: pr.headSha })).toHaveLength(1);
    expect(x.gh.checkRuns(OWNER, REPO)[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(x.events.map((e) => e.event)).toEqual(["issue_comment.created"]);
    expect(replies(x, pr.number)[0]).toContain(`Reviewed \`${pr.headSha.slice(0, 7)}\` again`);
  });

  it("update says plainly that update pull requests are not wired yet", async () => {
    const x = await start();
    const pr = setupPullRequest(x);
    x.gh.setPermission(OWNER, REPO, ALICE, "write");
    await x.receive("issue_comment", (await comment(x, pr.number, "/bulwark update")).payload);
    expect(replies(x, pr.number)[0]).toContain("not wired into the app yet");
  });

  it("the Apply fixes button does what /bulwark fix does, for the sender, PR from external_id", async () => {
    const x = await start();
    const pr = setupPullRequest(x);
    x.gh.setPermission(OWNER, REPO, ALICE, "write");
    const before = headFiles(x, Object.keys(HEAD));
    const payload = webhookPayload("check_run", "requested_action", { owner: OWNER, repo: REPO, headSha: pr.headSha, installationId: INSTALLATION_ID, sender: ALICE, checkRunName: "Bulwark", externalId: String(pr.number), requestedAction: "apply-fixes" });
    (payload.check_run as Record<string, unknown>).pull_requests = [];
    await x.receive("check_run", payload);
    const expected = fixFiles(before, {}, { config: DEFAULT_CONFIG, ...RULES });
    const info = x.gh.commitInfo(x.gh.refSha(OWNER, REPO, "feature")!)!;
    for (const f of before) expect(info.files[f.path]).toBe(expected.changed.get(f.path) ?? f.text);
    expect(replies(x, pr.number)[0]).toContain("clicked **Apply fixes**");

    // bob (read) clicks: refused, nothing committed.
    const head = x.gh.refSha(OWNER, REPO, "feature");
    await x.receive("check_run", { ...payload, sender: { ...(payload.sender as Record<string, unknown>), login: "bob" } });
    expect(replies(x, pr.number)[1]).toContain("Sorry @bob");
    expect(x.gh.refSha(OWNER, REPO, "feature")).toBe(head);
  });
});

function prPayloadFor(x: Harness, number: number): WebhookPayload {
  const pull = x.gh.pull(OWNER, REPO, number) as { head: { sha: string; ref: string }; base: { sha: string; ref: string }; changed_files: number };
  const p = webhookPayload("pull_request", "opened", { owner: OWNER, repo: REPO, number, headSha: pull.head.sha, headRef: pull.head.ref, baseSha: pull.base.sha, baseRef: pull.base.ref, defaultBranch: "main", installationId: INSTALLATION_ID });
  Object.assign(p.pull_request as Record<string, unknown>, { changed_files: pull.changed_files, review_comments: 0, state: "open" });
  return p;
}

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
}
