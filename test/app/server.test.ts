// The app behind a running Probot Server: signed webhook deliveries over HTTP, as GitHub sends
// them, against the strict fake GitHub.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rightLines } from "../../src/github/diff.js";
import { parseMarker } from "../../src/github/comments.js";
import { deliverWebhook } from "../support/webhooks.js";
import type { FakeGitHub } from "../support/fake-github.js";
import type { GitHubProxy } from "../support/github-proxy.js";
import { assertNoViolationsThenStop } from "../support/lifecycle.js";
import { OWNER, REPO, SECRET, prPayload, startAppFake, startServer } from "./support/harness.js";
import { deployment } from "../support/manifests.js";

let gh: FakeGitHub;
let proxy: GitHubProxy;
let server: { url: string; stop: () => Promise<void> };

beforeEach(async () => {
  ({ gh, proxy } = await startAppFake());
  server = await startServer(proxy.url, { scan: { onlyRules: ["K8S-RUNTIME-001", "K8S-RUNTIME-002"] } });
});

afterEach(() => assertNoViolationsThenStop(proxy, () => server.stop(), () => proxy.stop(), () => gh.stop()));

const hook = () => `${server.url}/api/github/webhooks`;

describe("signed deliveries to the running server", () => {
  it("pull_request.opened → in_progress then completed check, one review on diff lines; synchronize → only new comments, fixed threads resolved", async () => {
    gh.createRepo({ owner: OWNER, repo: REPO, files: { "README.md": "# web\n", "k8s/web.yaml": deployment("web") } });
    gh.commit({ owner: OWNER, repo: REPO, branch: "feature", files: { "k8s/web.yaml": deployment("web", { privileged: true, apeFalse: true }), "k8s/api.yaml": deployment("api", { privileged: true, apeFalse: true }) } });
    const pr = gh.openPullRequest({ owner: OWNER, repo: REPO, head: "feature" });

    const res = await deliverWebhook(hook(), { secret: SECRET, event: "pull_request", payload: prPayload(gh, "opened", pr.number) });
    expect(res.status).toBe(200);
    const creates = gh.requests.filter((r) => r.route === "POST /repos/{owner}/{repo}/check-runs");
    expect(creates.map((r) => (r.body as { status: string }).status)).toEqual(["in_progress"]);
    const [run] = gh.checkRuns(OWNER, REPO);
    expect(run).toMatchObject({ status: "completed", conclusion: "failure", head_sha: pr.headSha });
    const reviews = gh.reviews(OWNER, REPO, pr.number) as { commit_id: string }[];
    expect(reviews).toHaveLength(1);
    const first = gh.reviewCommentsOf(OWNER, REPO, pr.number) as { id: number; path: string; line: number; body: string }[];
    expect(first.map((c) => c.path).sort()).toEqual(["k8s/api.yaml", "k8s/web.yaml"]);
    const patches = new Map((gh.pullFiles(OWNER, REPO, pr.number) as { filename: string; patch: string }[]).map((f) => [f.filename, rightLines(f.patch)]));
    for (const c of first) expect(patches.get(c.path)!.has(c.line)).toBe(true);

    // Fix web, break db; deliver the synchronize event for the new head.
    gh.commit({ owner: OWNER, repo: REPO, branch: "feature", files: { "k8s/web.yaml": deployment("web", { apeFalse: true }), "k8s/db.yaml": deployment("db", { privileged: true, apeFalse: true }) } });
    const res2 = await deliverWebhook(hook(), { secret: SECRET, event: "pull_request", payload: prPayload(gh, "synchronize", pr.number) });
    expect(res2.status).toBe(200);
    const all = gh.reviewCommentsOf(OWNER, REPO, pr.number) as { id: number; path: string; body: string }[];
    const added = all.filter((c) => !first.some((f) => f.id === c.id));
    expect(added.map((c) => c.path)).toEqual(["k8s/db.yaml"]);
    expect(parseMarker(added[0].body)?.ruleId).toBe("K8S-RUNTIME-001");
    const threads = gh.threads(OWNER, REPO, pr.number);
    expect(threads.find((t) => t.path === "k8s/web.yaml")?.isResolved).toBe(true);
    expect(threads.find((t) => t.path === "k8s/api.yaml")?.isResolved).toBe(false);
    expect(gh.checkRuns(OWNER, REPO).map((r) => [r.status, r.conclusion])).toEqual([
      ["completed", "failure"],
      ["completed", "failure"],
    ]);
  });

  it("refuses a delivery with a bad signature (400) and does nothing", async () => {
    gh.createRepo({ owner: OWNER, repo: REPO, files: { "README.md": "# web\n" } });
    gh.commit({ owner: OWNER, repo: REPO, branch: "feature", files: { "k8s/web.yaml": deployment("web", { privileged: true }) } });
    const pr = gh.openPullRequest({ owner: OWNER, repo: REPO, head: "feature" });
    const res = await deliverWebhook(hook(), { secret: "not-the-secret", event: "pull_request", payload: prPayload(gh, "opened", pr.number) });
    expect(res.status).toBe(400);
    expect(gh.requests).toHaveLength(0);
    expect(gh.checkRuns(OWNER, REPO)).toHaveLength(0);
  });
});
