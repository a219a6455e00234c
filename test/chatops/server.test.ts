// Chat-ops through the running Probot Server: signed issue_comment deliveries over HTTP, as
// GitHub sends them, against the strict fake GitHub.
import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixFiles } from "../../src/core/engine/fixes.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import { deliverWebhook, webhookPayload } from "../support/webhooks.js";
import type { FakeGitHub } from "../support/fake-github.js";
import type { GitHubProxy } from "../support/github-proxy.js";
import { assertNoViolationsThenStop } from "../support/lifecycle.js";
import { INSTALLATION_ID, OWNER, REPO, SECRET, startAppFake, startServer } from "../app/support/harness.js";
import { deployment } from "../support/manifests.js";

const RULES = { onlyRules: ["K8S-RUNTIME-001", "K8S-RUNTIME-002"] };
let gh: FakeGitHub;
let proxy: GitHubProxy;
let server: { url: string; stop: () => Promise<void> };

beforeEach(async () => {
  ({ gh, proxy } = await startAppFake());
  gh.addToken("alice-token", { login: "alice" });
  gh.addToken("bob-token", { login: "bob" });
  server = await startServer(proxy.url, { scan: RULES });
});

// The proxy's check includes the fake's (OpenAPI) violations.
afterEach(() => assertNoViolationsThenStop(proxy, () => server.stop(), () => proxy.stop(), () => gh.stop()));

async function say(number: number, user: "alice" | "bob", body: string) {
  const octo = new Octokit({ auth: `${user}-token`, baseUrl: gh.url });
  const created = (await octo.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: OWNER, repo: REPO, issue_number: number, body })).data;
  const payload = webhookPayload("issue_comment", "created", { owner: OWNER, repo: REPO, number, installationId: INSTALLATION_ID, sender: user, commentBody: body, commentId: Number(created.id), defaultBranch: "main" });
  const c = payload.comment as Record<string, unknown>;
  c.created_at = created.created_at;
  c.updated_at = created.updated_at;
  c.performed_via_github_app = null;
  const res = await deliverWebhook(`${server.url}/api/github/webhooks`, { secret: SECRET, event: "issue_comment", payload });
  expect(res.status).toBe(200);
}

const replies = (number: number) => (gh.issueComments(OWNER, REPO, number) as { body: string; user: { login: string } }[]).filter((c) => c.user.login === "bulwark[bot]").map((c) => c.body);

describe("chat-ops through the running server", () => {
  it("help for anyone, a refusal for a reader, and /bulwark fix commits what bulwark scan --fix writes", async () => {
    const head = { "k8s/web.yaml": deployment("web", { privileged: true }), "k8s/api.yaml": deployment("api") };
    gh.createRepo({ owner: OWNER, repo: REPO, files: { "README.md": "# web\n" } });
    gh.commit({ owner: OWNER, repo: REPO, branch: "feature", files: head });
    const pr = gh.openPullRequest({ owner: OWNER, repo: REPO, head: "feature" });
    gh.setPermission(OWNER, REPO, "alice", "write");
    gh.setPermission(OWNER, REPO, "bob", "read");

    await say(pr.number, "bob", "/bulwark help");
    expect(replies(pr.number).at(-1)).toContain("/bulwark fix [RULE-ID…]");

    await say(pr.number, "bob", "/bulwark fix");
    expect(replies(pr.number).at(-1)).toContain("needs write access");
    expect(gh.refSha(OWNER, REPO, "feature")).toBe(pr.headSha);

    const before = Object.keys(head).map((path) => ({ path, text: gh.fileAt(OWNER, REPO, "feature", path)! }));
    await say(pr.number, "alice", "/bulwark fix");
    const expected = fixFiles(before, {}, { config: DEFAULT_CONFIG, ...RULES });
    expect(expected.changed.size).toBeGreaterThan(0);
    const info = gh.commitInfo(gh.refSha(OWNER, REPO, "feature")!)!;
    expect(info.parents).toEqual([pr.headSha]);
    for (const f of before) expect(info.files[f.path]).toBe(expected.changed.get(f.path) ?? f.text);
  });
});
