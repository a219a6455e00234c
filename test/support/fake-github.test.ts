import { execFile } from "node:child_process";
import { generateKeyPairSync, createSign } from "node:crypto";
import { promisify } from "node:util";
import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rightLines } from "../../src/github/diff.js";
import { FakeGitHub, faults } from "./fake-github.js";
import { makePatch } from "./patch.js";

const run = promisify(execFile);

type HttpErr = { status: number; message: string; response: { headers: Record<string, string | undefined> } };
const unexpected = (): never => {
  throw new Error("expected the request to fail");
};
const asHttpError = (e: unknown): HttpErr => e as HttpErr;

const BASE_DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.25
          ports:
            - containerPort: 8080
          env:
            - name: A
              value: "1"
            - name: B
              value: "2"
            - name: C
              value: "3"
            - name: D
              value: "4"
            - name: E
              value: "5"
`;
const HEAD_DEPLOY = BASE_DEPLOY.replace("nginx:1.25", "nginx:latest").replace('value: "5"', 'value: "6"');

let gh: FakeGitHub;
let octokit: Octokit;
let pr: { number: number; headSha: string };

beforeEach(async () => {
  gh = await FakeGitHub.start();
  octokit = new Octokit({ auth: "test-token", baseUrl: gh.url });
  gh.createRepo({ owner: "acme", repo: "web", files: { "deploy.yaml": BASE_DEPLOY, "Dockerfile": "FROM alpine:3.19\n", "docs/readme.md": "hi\n" } });
  gh.commit({ owner: "acme", repo: "web", branch: "feature", files: { "deploy.yaml": HEAD_DEPLOY, "Dockerfile": null, "svc.yaml": "kind: Service\n" } });
  pr = gh.openPullRequest({ owner: "acme", repo: "web", head: "feature", title: "Bump" });
});

afterEach(async () => {
  await gh.stop();
});

const repo = { owner: "acme", repo: "web" };

describe("pull request files", () => {
  it("serves GitHub-style entries with git patches, paginated with Link headers", async () => {
    const first = await octokit.rest.pulls.listFiles({ ...repo, pull_number: pr.number, per_page: 2 });
    expect(first.headers.link).toMatch(/rel="next"/);
    const all = await octokit.paginate(octokit.rest.pulls.listFiles, { ...repo, pull_number: pr.number, per_page: 1 });
    expect(all.map((f) => [f.filename, f.status])).toEqual([
      ["Dockerfile", "removed"],
      ["deploy.yaml", "modified"],
      ["svc.yaml", "added"],
    ]);
    const deploy = all.find((f) => f.filename === "deploy.yaml")!;
    expect(deploy.patch).toBe(makePatch(BASE_DEPLOY, HEAD_DEPLOY));
    expect([deploy.additions, deploy.deletions, deploy.changes]).toEqual([2, 2, 4]);
    expect(gh.count("GET /repos/{owner}/{repo}/pulls/{pull_number}/files")).toBe(4);
    gh.assertNoViolations();
  });

  it("pull request object and the .diff media type", async () => {
    const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: pr.number });
    expect(data.head.sha).toBe(pr.headSha);
    expect(data.base.ref).toBe("main");
    expect(data.changed_files).toBe(3);
    const diff = await octokit.rest.pulls.get({ ...repo, pull_number: pr.number, mediaType: { format: "diff" } });
    expect(String(diff.data)).toContain("diff --git a/deploy.yaml b/deploy.yaml");
    expect(String(diff.data)).toContain("+          image: nginx:latest");
    gh.assertNoViolations();
  });

  it("omits the patch of huge diffs, like GitHub", async () => {
    gh.omitPatch("acme", "web", "deploy.yaml");
    const { data } = await octokit.rest.pulls.listFiles({ ...repo, pull_number: pr.number });
    const d = data.find((f) => f.filename === "deploy.yaml")!;
    expect(d.patch).toBeUndefined();
    expect(d.changes).toBe(4);
  });
});

describe("reviews", () => {
  it("accepts comments on RIGHT lines (single and multi-line in one hunk) and exposes threads", async () => {
    const right = rightLines(makePatch(BASE_DEPLOY, HEAD_DEPLOY));
    expect(right.has(10)).toBe(true);
    const res = await octokit.rest.pulls.createReview({
      ...repo,
      pull_number: pr.number,
      commit_id: pr.headSha,
      event: "COMMENT",
      body: "Bulwark found 2 issues",
      comments: [
        { path: "deploy.yaml", line: 10, side: "RIGHT", body: "```suggestion\n          image: nginx:1.27\n```" },
        { path: "deploy.yaml", start_line: 22, start_side: "RIGHT", line: 23, side: "RIGHT", body: "two lines" },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.data.state).toBe("COMMENTED");
    const comments = await octokit.paginate(octokit.rest.pulls.listReviewComments, { ...repo, pull_number: pr.number });
    expect(comments.map((c) => [c.line, c.start_line, c.side, c.user?.login])).toEqual([
      [10, null, "RIGHT", "github-actions[bot]"],
      [23, 22, "RIGHT", "github-actions[bot]"],
    ]);
    expect(comments[0].diff_hunk).toMatch(/^@@ .*\n[\s\S]*\+ {10}image: nginx:latest$/);
    const reviews = await octokit.rest.pulls.listReviews({ ...repo, pull_number: pr.number });
    expect(reviews.data).toHaveLength(1);
    gh.assertNoViolations();
  });

  it("rejects the whole review (422) when one comment is off the diff", async () => {
    const err = await octokit.rest.pulls
      .createReview({
        ...repo,
        pull_number: pr.number,
        commit_id: pr.headSha,
        event: "COMMENT",
        body: "x",
        comments: [
          { path: "deploy.yaml", line: 10, side: "RIGHT", body: "ok" },
          { path: "deploy.yaml", line: 2, side: "RIGHT", body: "off the diff" },
        ],
      })
      .then(unexpected, asHttpError);
    expect(err.status).toBe(422);
    expect(err.message).toContain("Pull request review thread line must be part of the diff");
    expect(err.message).toContain("diff hunk can't be blank");
    expect(gh.reviewCommentsOf("acme", "web", pr.number)).toEqual([]);
    expect(gh.reviews("acme", "web", pr.number)).toEqual([]);
  });

  it("rejects multi-line comments spanning two hunks, and comments on removed files", async () => {
    const span = await octokit.rest.pulls
      .createReview({ ...repo, pull_number: pr.number, event: "COMMENT", body: "x", comments: [{ path: "deploy.yaml", start_line: 10, line: 22, body: "b" }] })
      .then(unexpected, asHttpError);
    expect(span.status).toBe(422);
    expect(span.message).toContain("start line must be part of the same hunk as the line.");
    const removed = await octokit.rest.pulls
      .createReview({ ...repo, pull_number: pr.number, event: "COMMENT", body: "x", comments: [{ path: "Dockerfile", line: 1, side: "RIGHT", body: "b" }] })
      .then(unexpected, asHttpError);
    expect(removed.status).toBe(422);
    const left = await octokit.rest.pulls.createReview({ ...repo, pull_number: pr.number, event: "COMMENT", body: "x", comments: [{ path: "Dockerfile", line: 1, side: "LEFT", body: "b" }] });
    expect(left.status).toBe(200);
    const nowhere = await octokit.rest.pulls
      .createReview({ ...repo, pull_number: pr.number, event: "COMMENT", body: "x", comments: [{ path: "nope.yaml", line: 1, body: "b" }] })
      .then(unexpected, asHttpError);
    expect(nowhere.message).toContain("Path could not be resolved");
    gh.assertNoViolations();
  });

  it("rejects a commit_id that is not the head, and bodies over 65,536 characters", async () => {
    const old = gh.refSha("acme", "web", "feature")!;
    gh.commit({ owner: "acme", repo: "web", branch: "feature", files: { "svc.yaml": "kind: Service\nspec: {}\n" } });
    const stale = await octokit.rest.pulls
      .createReview({ ...repo, pull_number: pr.number, commit_id: old, event: "COMMENT", body: "x" })
      .then(unexpected, asHttpError);
    expect(stale.status).toBe(422);
    expect(stale.message).toContain("is not the head of the pull request");
    const big = await octokit.rest.issues
      .createComment({ ...repo, issue_number: pr.number, body: "x".repeat(65537) })
      .then(unexpected, asHttpError);
    expect(big.status).toBe(422);
    expect(big.message).toMatch(/too long/);
    await octokit.rest.issues.createComment({ ...repo, issue_number: pr.number, body: "x".repeat(65536) });
    gh.assertNoViolations();
  });

  it("staleCommitId: accept behaves like github.com for older PR commits", async () => {
    const lax = await FakeGitHub.start({ staleCommitId: "accept" });
    try {
      lax.createRepo({ owner: "a", repo: "b", files: { f: "1\n" } });
      const old = lax.commit({ owner: "a", repo: "b", branch: "x", files: { f: "2\n" } });
      const p = lax.openPullRequest({ owner: "a", repo: "b", head: "x" });
      lax.commit({ owner: "a", repo: "b", branch: "x", files: { f: "3\n" } });
      const ok = new Octokit({ auth: "t", baseUrl: lax.url });
      const res = await ok.rest.pulls.createReview({ owner: "a", repo: "b", pull_number: p.number, commit_id: old, event: "COMMENT", body: "b", comments: [{ path: "f", line: 1, body: "c" }] });
      expect(res.data.commit_id).toBe(old);
    } finally {
      await lax.stop();
    }
  });

  it("replies, reactions, issue comments with pagination", async () => {
    await octokit.rest.pulls.createReview({ ...repo, pull_number: pr.number, event: "COMMENT", body: "r", comments: [{ path: "svc.yaml", line: 1, body: "root" }] });
    const [root] = (await octokit.rest.pulls.listReviewComments({ ...repo, pull_number: pr.number })).data;
    const reply = await octokit.rest.pulls.createReplyForReviewComment({ ...repo, pull_number: pr.number, comment_id: root.id, body: "reply" });
    expect(reply.data.in_reply_to_id).toBe(root.id);
    const r1 = await octokit.rest.reactions.createForPullRequestReviewComment({ ...repo, comment_id: root.id, content: "eyes" });
    const r2 = await octokit.rest.reactions.createForPullRequestReviewComment({ ...repo, comment_id: root.id, content: "eyes" });
    expect([r1.status, r2.status]).toEqual([201, 200]);
    for (let i = 0; i < 5; i++) await octokit.rest.issues.createComment({ ...repo, issue_number: pr.number, body: `c${i}` });
    const ic = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: pr.number, per_page: 2 });
    expect(ic.map((c) => c.body)).toEqual(["c0", "c1", "c2", "c3", "c4"]);
    await octokit.rest.reactions.createForIssueComment({ ...repo, comment_id: ic[0].id, content: "+1" });
    expect(gh.reactions("issue_comment", ic[0].id)).toEqual([{ content: "+1", user: "github-actions[bot]" }]);
    expect(gh.threads("acme", "web", pr.number)[0].comments.map((c) => c.body)).toEqual(["root", "reply"]);
    gh.assertNoViolations();
  });
});

describe("committing a suggestion", () => {
  it("applies the block to the head branch like the Commit suggestion button", async () => {
    const body = "Pin the tag.\n\n```suggestion\n          image: nginx:1.27.3\n```";
    await octokit.rest.pulls.createReview({ ...repo, pull_number: pr.number, commit_id: pr.headSha, event: "COMMENT", body: "r", comments: [{ path: "deploy.yaml", line: 10, side: "RIGHT", body }] });
    const [c] = (await octokit.rest.pulls.listReviewComments({ ...repo, pull_number: pr.number })).data;
    const sha = gh.applySuggestion({ owner: "acme", repo: "web", commentId: c.id, user: "dev" });
    expect(gh.fileAt("acme", "web", "feature", "deploy.yaml")).toBe(HEAD_DEPLOY.replace("nginx:latest", "nginx:1.27.3"));
    expect((await octokit.rest.pulls.get({ ...repo, pull_number: pr.number })).data.head.sha).toBe(sha);
    // the comment is now outdated: applying again is refused, like GitHub
    expect(() => gh.applySuggestion({ owner: "acme", repo: "web", commentId: c.id })).toThrow(/Outdated suggestions/);
    gh.assertNoViolations();
  });
});

describe("GraphQL review threads", () => {
  it("lists threads with pagination and resolves them", async () => {
    await octokit.rest.pulls.createReview({
      ...repo,
      pull_number: pr.number,
      event: "COMMENT",
      body: "r",
      comments: [
        { path: "svc.yaml", line: 1, body: "<!-- bulwark:fp=a --> one" },
        { path: "deploy.yaml", line: 10, body: "<!-- bulwark:fp=b --> two" },
      ],
    });
    const q = `query($owner: String!, $name: String!, $number: Int!, $after: String) {
      repository(owner: $owner, name: $name) {
        pullRequest(number: $number) {
          reviewThreads(first: 1, after: $after) {
            pageInfo { hasNextPage endCursor }
            nodes { id isResolved isOutdated path comments(first: 10) { nodes { databaseId body author { login } } } }
          }
        }
      }
    }`;
    type R = { repository: { pullRequest: { reviewThreads: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: { id: string; isResolved: boolean; comments: { nodes: { body: string }[] } }[] } } } };
    const p1 = await octokit.graphql<R>(q, { owner: "acme", name: "web", number: pr.number });
    const t1 = p1.repository.pullRequest.reviewThreads;
    expect(t1.pageInfo.hasNextPage).toBe(true);
    expect(t1.nodes[0].comments.nodes[0].body).toContain("fp=a");
    const p2 = await octokit.graphql<R>(q, { owner: "acme", name: "web", number: pr.number, after: t1.pageInfo.endCursor });
    const t2 = p2.repository.pullRequest.reviewThreads;
    expect(t2.pageInfo.hasNextPage).toBe(false);
    const res = await octokit.graphql<{ resolveReviewThread: { thread: { id: string; isResolved: boolean } } }>(
      `mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { thread { id isResolved } } }`,
      { id: t2.nodes[0].id },
    );
    expect(res.resolveReviewThread.thread.isResolved).toBe(true);
    expect(gh.threads("acme", "web", pr.number).map((t) => t.isResolved)).toEqual([false, true]);
    gh.assertNoViolations();
  });

  it("reports unknown fields and missing `first` as GraphQL errors and contract violations", async () => {
    const e1 = await octokit.graphql(`{ repository(owner: "acme", name: "web") { pullRequest(number: 1) { reviewThreads { nodes { id } } } } }`).catch((e: unknown) => e as Error);
    expect(String(e1)).toMatch(/must provide a `first` or `last`/);
    const e2 = await octokit.graphql(`{ repository(owner: "acme", name: "web") { nope } }`).catch((e: unknown) => e as Error);
    expect(String(e2)).toMatch(/Field 'nope' doesn't exist on type 'Repository'/);
    expect(gh.violations.map((v) => v.errors[0].message)).toEqual([
      "You must provide a `first` or `last` value to properly paginate the `PullRequestReviewThread` connection.",
      "Field 'nope' doesn't exist on type 'Repository'",
    ]);
    gh.violations.length = 0;
    const e3 = await octokit.graphql(`{ repository(owner: "acme", name: "gone") { id } }`).catch((e: unknown) => e as Error);
    expect(String(e3)).toMatch(/Could not resolve to a Repository/);
    gh.assertNoViolations(); // NOT_FOUND is a runtime outcome, not a contract violation
  });

  it("minimizes issue comments", async () => {
    const c = await octokit.rest.issues.createComment({ ...repo, issue_number: pr.number, body: "old summary" });
    const r = await octokit.graphql<{ minimizeComment: { minimizedComment: { isMinimized: boolean; minimizedReason: string } } }>(
      `mutation { minimizeComment(input: { subjectId: "${c.data.node_id}", classifier: OUTDATED }) { minimizedComment { isMinimized minimizedReason } } }`,
    );
    expect(r.minimizeComment.minimizedComment).toEqual({ isMinimized: true, minimizedReason: "outdated" });
  });
});

describe("check runs", () => {
  it("creates, appends annotations in batches of 50, completes", async () => {
    const created = await octokit.rest.checks.create({ ...repo, name: "Bulwark", head_sha: pr.headSha, status: "in_progress", external_id: `pr:${pr.number}` });
    const ann = (i: number) => ({ path: "deploy.yaml", start_line: i + 1, end_line: i + 1, annotation_level: "warning" as const, message: `m${i}` });
    for (const batch of [0, 1]) {
      await octokit.rest.checks.update({ ...repo, check_run_id: created.data.id, output: { title: "t", summary: "s", annotations: Array.from({ length: 50 }, (_, i) => ann(batch * 50 + i)) } });
    }
    const done = await octokit.rest.checks.update({
      ...repo,
      check_run_id: created.data.id,
      conclusion: "failure",
      output: { title: "2 findings", summary: "| rule | count |" },
      actions: [{ label: "Apply fixes", description: "Commit Bulwark's fixes", identifier: "apply-fixes" }],
    });
    expect(done.data.status).toBe("completed");
    const [view] = gh.checkRuns("acme", "web", { headSha: pr.headSha });
    expect(view.annotations).toHaveLength(100);
    expect(view.output.annotations_count).toBe(100);
    expect(view.writes).toBe(4);
    expect(view.external_id).toBe("pr:1");
    gh.assertNoViolations();
  });

  it("refuses 51 annotations, a missing conclusion, and unknown commits", async () => {
    const ann = { path: "a", start_line: 1, end_line: 1, annotation_level: "notice" as const, message: "m" };
    const e1 = await octokit.rest.checks
      .create({ ...repo, name: "Bulwark", head_sha: pr.headSha, output: { title: "t", summary: "s", annotations: Array(51).fill(ann) } })
      .then(unexpected, asHttpError);
    expect(e1.status).toBe(422);
    expect(e1.message).toMatch(/50/);
    const e2 = await octokit.rest.checks.create({ ...repo, name: "Bulwark", head_sha: pr.headSha, status: "completed" }).then(unexpected, asHttpError);
    expect(e2.status).toBe(422);
    const e3 = await octokit.rest.checks.create({ ...repo, name: "Bulwark", head_sha: "f".repeat(40) }).then(unexpected, asHttpError);
    expect(e3.message).toMatch(/No commit found/);
    // the first is also a contract violation (maxItems 50 in GitHub's schema)
    expect(gh.violations.map((v) => v.errors.map((e) => e.kind))).toEqual([["body"]]);
    expect(gh.checkRuns("acme", "web")).toEqual([]);
  });
});

describe("git data API and refs", () => {
  it("creates a fix commit, fast-forwards the PR branch, outdates moved comments", async () => {
    await octokit.rest.pulls.createReview({ ...repo, pull_number: pr.number, event: "COMMENT", body: "r", comments: [{ path: "deploy.yaml", line: 10, body: "pin the tag" }] });
    const head = await octokit.rest.git.getRef({ ...repo, ref: "heads/feature" });
    const parent = await octokit.rest.git.getCommit({ ...repo, commit_sha: head.data.object.sha }).catch(() => undefined);
    expect(parent).toBeUndefined(); // GET /git/commits is not declared: the fake refuses it (404) ...
    expect(gh.violations.map((v) => v.errors[0].kind)).toEqual(["undeclared-operation"]); // ... and says why
    gh.violations.length = 0;
    const commit = await octokit.rest.repos.getCommit({ ...repo, ref: head.data.object.sha });
    const fixed = HEAD_DEPLOY.replace("nginx:latest", "nginx:1.27");
    const blob = await octokit.rest.git.createBlob({ ...repo, content: Buffer.from(fixed).toString("base64"), encoding: "base64" });
    const tree = await octokit.rest.git.createTree({ ...repo, base_tree: commit.data.commit.tree.sha, tree: [{ path: "deploy.yaml", mode: "100644", type: "blob", sha: blob.data.sha }] });
    const newCommit = await octokit.rest.git.createCommit({ ...repo, message: "bulwark: pin image", tree: tree.data.sha, parents: [head.data.object.sha] });
    const nonFf = await octokit.rest.git
      .updateRef({ ...repo, ref: "heads/feature", sha: gh.refSha("acme", "web", "main")! })
      .then(unexpected, asHttpError);
    expect(nonFf.status).toBe(422);
    expect(nonFf.message).toMatch(/not a fast forward/);
    await octokit.rest.git.updateRef({ ...repo, ref: "heads/feature", sha: newCommit.data.sha });
    expect(gh.fileAt("acme", "web", "feature", "deploy.yaml")).toBe(fixed);
    const { data: pull } = await octokit.rest.pulls.get({ ...repo, pull_number: pr.number });
    expect(pull.head.sha).toBe(newCommit.data.sha);
    const [c] = (await octokit.rest.pulls.listReviewComments({ ...repo, pull_number: pr.number })).data;
    expect(c.line).toBeNull(); // the commented line changed: outdated
    expect(gh.threads("acme", "web", pr.number)[0].isOutdated).toBe(true);
    gh.assertNoViolations();
  });

  it("creates, reads, force-updates and deletes refs; branches; compare", async () => {
    const main = gh.refSha("acme", "web", "main")!;
    await octokit.rest.git.createRef({ ...repo, ref: "refs/heads/bulwark/update-nginx", sha: main });
    const again = await octokit.rest.git.createRef({ ...repo, ref: "refs/heads/bulwark/update-nginx", sha: main }).then(unexpected, asHttpError);
    expect(again.message).toMatch(/already exists/);
    const got = await octokit.rest.git.getRef({ ...repo, ref: "heads/bulwark/update-nginx" });
    expect(got.data.object.sha).toBe(main);
    const br = await octokit.rest.repos.getBranch({ ...repo, branch: "bulwark/update-nginx" });
    expect(br.data.commit.sha).toBe(main);
    await octokit.rest.git.updateRef({ ...repo, ref: "heads/bulwark/update-nginx", sha: pr.headSha, force: true });
    const cmp = await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: "main...bulwark/update-nginx" });
    expect([cmp.data.status, cmp.data.ahead_by, cmp.data.files?.length]).toEqual(["ahead", 1, 3]);
    await octokit.rest.git.deleteRef({ ...repo, ref: "heads/bulwark/update-nginx" });
    const gone = await octokit.rest.git.getRef({ ...repo, ref: "heads/bulwark/update-nginx" }).then(unexpected, asHttpError);
    expect(gone.status).toBe(404);
    gh.assertNoViolations();
  });

  it("update PRs: create, find by head, update, close", async () => {
    const main = gh.refSha("acme", "web", "main")!;
    await octokit.rest.git.createRef({ ...repo, ref: "refs/heads/bulwark/nginx", sha: main });
    const noCommits = await octokit.rest.pulls.create({ ...repo, head: "bulwark/nginx", base: "main", title: "t" }).then(unexpected, asHttpError);
    expect(noCommits.message).toMatch(/No commits between/);
    gh.commit({ owner: "acme", repo: "web", branch: "bulwark/nginx", files: { Dockerfile: "FROM alpine:3.20\n" } });
    const created = await octokit.rest.pulls.create({ ...repo, head: "bulwark/nginx", base: "main", title: "Update alpine to 3.20", body: "why" });
    const dup = await octokit.rest.pulls.create({ ...repo, head: "bulwark/nginx", base: "main", title: "again" }).then(unexpected, asHttpError);
    expect(dup.message).toMatch(/already exists/);
    const found = await octokit.rest.pulls.list({ ...repo, head: "acme:bulwark/nginx", state: "all" });
    expect(found.data.map((p) => p.number)).toEqual([created.data.number]);
    await octokit.rest.pulls.update({ ...repo, pull_number: created.data.number, title: "Update alpine to 3.21", state: "closed" });
    expect((await octokit.rest.pulls.list({ ...repo, state: "closed" })).data.map((p) => p.title)).toEqual(["Update alpine to 3.21"]);
    gh.assertNoViolations();
  });

  it("contents, trees and blobs (JSON and raw)", async () => {
    const file = await octokit.rest.repos.getContent({ ...repo, path: "docs/readme.md", ref: "main" });
    expect(Buffer.from((file.data as { content: string }).content, "base64").toString()).toBe("hi\n");
    const raw = await octokit.rest.repos.getContent({ ...repo, path: "docs/readme.md", mediaType: { format: "raw" } });
    expect(raw.data as unknown).toBe("hi\n");
    const dir = await octokit.rest.repos.getContent({ ...repo, path: "docs" });
    expect((dir.data as { name: string; type: string }[]).map((d) => [d.name, d.type])).toEqual([["readme.md", "file"]]);
    const missing = await octokit.rest.repos.getContent({ ...repo, path: ".github/bulwark.yml" }).then(unexpected, asHttpError);
    expect(missing.status).toBe(404);
    const tree = await octokit.rest.git.getTree({ ...repo, tree_sha: pr.headSha, recursive: "1" });
    expect(tree.data.tree.map((t) => t.path)).toEqual(["deploy.yaml", "docs", "docs/readme.md", "svc.yaml"]);
    const sha = tree.data.tree.find((t) => t.path === "svc.yaml")!.sha!;
    const blob = await octokit.rest.git.getBlob({ ...repo, file_sha: sha });
    expect(Buffer.from(blob.data.content, "base64").toString()).toBe("kind: Service\n");
    gh.assertNoViolations();
  });
});

describe("contract checking, auth and faults", () => {
  it("records undeclared properties as violations while answering like GitHub", async () => {
    const res = await octokit.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews", {
      ...repo,
      pull_number: pr.number,
      event: "COMMENT",
      body: "x",
      comments: [{ path: "svc.yaml", line: 1, body: "b", startLine: 1 } as { path: string; line: number; body: string }],
    });
    expect(res.status).toBe(200);
    expect(gh.violations[0].errors[0]).toMatchObject({ kind: "unknown-property", where: "/comments/0/startLine" });
    expect(() => gh.assertNoViolations()).toThrow(/startLine/);
  });

  it("needs a token; JWTs only on /app; read-only tokens cannot write", async () => {
    const anon = new Octokit({ baseUrl: gh.url });
    const e1 = await anon.rest.pulls.get({ ...repo, pull_number: pr.number }).then(unexpected, asHttpError);
    expect(e1.status).toBe(401);
    expect(gh.violations[0].errors[0].kind).toBe("auth");
    gh.addToken("fork-token", { readOnly: true });
    const ro = new Octokit({ auth: "fork-token", baseUrl: gh.url });
    await ro.rest.pulls.get({ ...repo, pull_number: pr.number });
    const e2 = await ro.rest.checks.create({ ...repo, name: "x", head_sha: pr.headSha }).then(unexpected, asHttpError);
    expect([e2.status, e2.message]).toEqual([403, "Resource not accessible by integration - https://docs.github.com/rest"]);
  });

  it("installation tokens from an App JWT", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString("base64url");
    const unsigned = `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ iat: now - 60, exp: now + 540, iss: 4242 })}`;
    const jwt = `${unsigned}.${createSign("RSA-SHA256").update(unsigned).sign(privateKey).toString("base64url")}`;
    gh.addInstallation({ id: 7, account: "acme" });
    const app = new Octokit({ auth: jwt, baseUrl: gh.url });
    const inst = await app.rest.apps.listInstallations();
    expect(inst.data.map((i) => i.id)).toEqual([7]);
    const tok = await app.rest.apps.createInstallationAccessToken({ installation_id: 7 });
    const bot = new Octokit({ auth: tok.data.token, baseUrl: gh.url });
    const repos = await bot.rest.apps.listReposAccessibleToInstallation();
    expect(repos.data.repositories.map((r) => r.full_name)).toEqual(["acme/web"]);
    const c = await bot.rest.issues.createComment({ ...repo, issue_number: pr.number, body: "hello" });
    expect(c.data.user?.login).toBe("bulwark[bot]");
    const wrong = await bot.rest.pulls.get({ ...repo, pull_number: pr.number }).then(() => "ok");
    expect(wrong).toBe("ok");
    const misuse = await app.rest.pulls.get({ ...repo, pull_number: pr.number }).then(unexpected, asHttpError);
    expect(misuse.status).toBe(401);
  });

  it("injects canned faults per route, FIFO, and counts requests", async () => {
    gh.inject("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", faults.secondaryRateLimit(7), faults.serverError(502));
    const e1 = await octokit.rest.issues.createComment({ ...repo, issue_number: pr.number, body: "a" }).then(unexpected, asHttpError);
    expect(e1.status).toBe(403);
    expect(e1.response.headers["retry-after"]).toBe("7");
    const e2 = await octokit.rest.issues.createComment({ ...repo, issue_number: pr.number, body: "a" }).then(unexpected, asHttpError);
    expect(e2.status).toBe(502);
    await octokit.rest.issues.createComment({ ...repo, issue_number: pr.number, body: "a" });
    expect(gh.count("POST /repos/{owner}/{repo}/issues/{issue_number}/comments")).toBe(3);
    expect(gh.issueComments("acme", "web", pr.number)).toHaveLength(1);
    gh.inject("*", { delayMs: 50 });
    const t0 = Date.now();
    await octokit.rest.repos.get(repo);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    gh.assertNoViolations();
  });

  it("serves a child process through its URL (the action's undici fetch via @actions/github)", async () => {
    const script = `
      import { getOctokit } from "@actions/github";
      const o = getOctokit(process.env.GITHUB_TOKEN);
      const files = await o.paginate(o.rest.pulls.listFiles, { owner: "acme", repo: "web", pull_number: Number(process.env.PR), per_page: 1 });
      await o.rest.checks.create({ owner: "acme", repo: "web", name: "Bulwark", head_sha: process.env.SHA, status: "in_progress" });
      console.log(JSON.stringify(files.map((f) => f.filename)));
    `;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
      cwd: process.cwd(),
      env: { ...process.env, GITHUB_TOKEN: "ghs_action", GITHUB_API_URL: gh.url, PR: String(pr.number), SHA: pr.headSha },
    });
    expect(JSON.parse(stdout.trim())).toEqual(["Dockerfile", "deploy.yaml", "svc.yaml"]);
    expect(gh.checkRuns("acme", "web")).toHaveLength(1);
    gh.assertNoViolations();
  });
});
