import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { FakeGitHub } from "./fake-github.js";
import { adaptPayload, deliverWebhook, loadWebhookExample, signPayload, webhookEvents, webhookPayload, webhookRequest } from "./webhooks.js";

describe("webhook examples", () => {
  it("loads examples by event and action", () => {
    expect(webhookEvents()).toEqual(expect.arrayContaining(["pull_request", "issue_comment", "check_run", "check_suite", "installation"]));
    expect(loadWebhookExample("pull_request", "synchronize").action).toBe("synchronize");
    expect(loadWebhookExample("check_run", "requested_action").requested_action).toBeDefined();
    expect(() => loadWebhookExample("pull_request", "opened", 99)).toThrow(/no example #99/);
    expect(() => loadWebhookExample("nope")).toThrow(/no webhook examples/);
  });

  it("returns independent copies", () => {
    const a = loadWebhookExample("pull_request", "opened");
    a.number = 999;
    expect(loadWebhookExample("pull_request", "opened").number).not.toBe(999);
  });

  it("adapts a pull_request payload to a test repo, PR and commits", () => {
    const p = webhookPayload("pull_request", "opened", { owner: "acme", repo: "web", number: 7, headSha: "a".repeat(40), baseSha: "b".repeat(40), headRef: "feature", installationId: 42, sender: "dev" });
    expect(JSON.stringify(p)).not.toContain("Codertocat/Hello-World");
    expect(p).toMatchObject({
      number: 7,
      installation: { id: 42 },
      repository: { full_name: "acme/web", name: "web", owner: { login: "acme" } },
      sender: { login: "dev", type: "User" },
      pull_request: {
        number: 7,
        url: "https://api.github.com/repos/acme/web/pulls/7",
        head: { sha: "a".repeat(40), ref: "feature", label: "acme:feature", repo: { full_name: "acme/web" } },
        base: { sha: "b".repeat(40), repo: { full_name: "acme/web" } },
      },
    });
  });

  it("fork pull requests get a head repo of the fork owner", () => {
    const p = webhookPayload("pull_request", "synchronize", { owner: "acme", repo: "web", number: 3, forkOwner: "mallory" });
    expect(p).toMatchObject({ pull_request: { head: { label: expect.stringMatching(/^mallory:/), repo: { full_name: "mallory/web", fork: true } }, base: { repo: { full_name: "acme/web" } } } });
  });

  it("issue_comment on a pull request carries the slash command", () => {
    const p = webhookPayload("issue_comment", "created", { owner: "acme", repo: "web", number: 5, commentBody: "/bulwark fix", sender: "maintainer", commentId: 77 });
    expect(p).toMatchObject({ issue: { number: 5, pull_request: { url: "https://api.github.com/repos/acme/web/pulls/5" } }, comment: { id: 77, body: "/bulwark fix", user: { login: "maintainer" } } });
    const plain = adaptPayload(loadWebhookExample("issue_comment", "created"), { number: 5, isPullRequest: false });
    expect((plain.issue as Record<string, unknown>).pull_request).toBeUndefined();
  });

  it("check_run requested_action and check_suite point at the PR", () => {
    const p = webhookPayload("check_run", "requested_action", { owner: "acme", repo: "web", number: 2, headSha: "c".repeat(40), requestedAction: "apply-fixes", externalId: "pr:2" });
    expect(p).toMatchObject({ requested_action: { identifier: "apply-fixes" }, check_run: { head_sha: "c".repeat(40), external_id: "pr:2", pull_requests: [{ number: 2 }] } });
  });

  it("signs like GitHub (documented test vector)", () => {
    expect(signPayload("It's a Secret to Everybody", "Hello, World!")).toBe("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
    const req = webhookRequest({ secret: "s", event: "ping", payload: { zen: "x" }, deliveryId: "d1" });
    expect(req.headers).toMatchObject({ "x-github-event": "ping", "x-github-delivery": "d1", "x-hub-signature-256": signPayload("s", req.body) });
  });
});

describe("Probot against the fake GitHub", () => {
  let gh: FakeGitHub | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await new Promise((r) => server!.close(r));
    await gh?.stop();
  });

  it("a signed delivery reaches the app, which authenticates as the installation", async () => {
    gh = await FakeGitHub.start({ appId: 4242 });
    gh.createRepo({ owner: "acme", repo: "web", files: { "deploy.yaml": "kind: Pod\n" } });
    const headSha = gh.commit({ owner: "acme", repo: "web", branch: "feature", files: { "deploy.yaml": "kind: Pod\nspec: {}\n" } });
    const pr = gh.openPullRequest({ owner: "acme", repo: "web", head: "feature" });
    gh.addInstallation({ id: 99, account: "acme" });
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const secret = "webhook-secret";
    const seen: string[] = [];
    const probot = new Probot({
      appId: 4242,
      privateKey,
      secret,
      baseUrl: gh.url,
      logLevel: "fatal",
      Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
    });
    const middleware = await createNodeMiddleware(
      (app: Probot) => {
        app.on("pull_request.opened", async (context) => {
          const files = await context.octokit.rest.pulls.listFiles(context.pullRequest());
          seen.push(...files.data.map((f) => f.filename));
          await context.octokit.rest.checks.create(context.repo({ name: "Bulwark", head_sha: context.payload.pull_request.head.sha, status: "in_progress" as const }));
        });
      },
      { probot },
    );
    server = createServer((req, res) => void middleware(req, res));
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
    const payload = webhookPayload("pull_request", "opened", { owner: "acme", repo: "web", number: pr.number, headSha, installationId: 99 });
    const ok = await deliverWebhook(url, { secret, event: "pull_request", payload });
    expect(ok.status).toBe(200);
    expect(seen).toEqual(["deploy.yaml"]);
    expect(gh.count("POST /app/installations/{installation_id}/access_tokens")).toBe(1);
    expect(gh.checkRuns("acme", "web", { headSha })).toHaveLength(1);
    const bad = await deliverWebhook(url, { secret: "wrong", event: "pull_request", payload });
    expect(bad.status).toBe(400);
    gh.assertNoViolations();
  });
});
