// Update pull requests end to end: the fixture repository of plan.test.ts in the strict fake
// GitHub (behind test/support/github-proxy.ts for GraphQL file contents), a real docker-registry (token auth) and a loopback Helm repository. One run opens one PR
// per dependency line with the exact edits; a second run changes nothing; a newer tag updates the
// PR in place; a maintainer-closed PR stays closed; a moved base rebases; a human push stops
// rebasing; an applied update closes its PR as obsolete; the open-PR limit holds; a registry
// auth failure is reported and touches no PR.
import { Octokit } from "@octokit/rest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { updateRepository } from "../../src/action/updates.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import type { BulwarkConfig } from "../../src/core/config/schema.js";
import { applyTextEdits } from "../../src/core/engine/scan.js";
import type { SourceFile } from "../../src/core/types.js";
import type { GitHubClient } from "../../src/github/client.js";
import { parseStateMarker, syncUpdatePullRequests } from "../../src/github/update-prs.js";
import type { SyncResult } from "../../src/github/update-prs.js";
import { credentialsFromEnv, envKeyForHost } from "../../src/updates/datasource/auth.js";
import { createDatasources } from "../../src/updates/datasource/index.js";
import { groupUpdates, planUpdates } from "../../src/updates/plan.js";
import type { UpdatePlan } from "../../src/updates/plan.js";
import { GitHubProxy } from "../support/github-proxy.js";
import { FakeGitHub } from "../support/fake-github.js";
import { helmIndex, startHelmRepo } from "../support/helm-repo.js";
import type { HelmRepoServer } from "../support/helm-repo.js";
import { registryUnavailable, startRegistry } from "../support/registry.js";
import type { TestRegistry } from "../support/registry.js";
import { readFixtureRepo } from "./fixture-repo.js";

const unavailable = registryUnavailable();
const NOW = new Date("2026-11-25T00:00:00Z");
const OWNER = "acme";
const PASSWORD = "pull-only-s3cret";

const WRITES = /^(POST|PATCH|PUT|DELETE) /;

describe.skipIf(unavailable !== undefined)("update pull requests (fake GitHub, real registry and chart repository)", () => {
  let reg: TestRegistry;
  let charts: HelmRepoServer;
  let gh: FakeGitHub;
  let proxy: GitHubProxy;
  let client: GitHubClient;
  let human: Octokit;
  let fixture: Record<string, string>;
  const d: Record<string, string> = {};
  const config: BulwarkConfig = structuredClone(DEFAULT_CONFIG);
  const redis = [{ version: "2.0.0" }, { version: "1.3.0" }, { version: "1.2.3" }, { version: "1.2.0" }];
  const podinfo = [{ version: "7.0.0" }, { version: "6.5.4" }, { version: "6.5.0" }];
  let first: UpdatePlan;

  const credentials = (password: string) => credentialsFromEnv({ [envKeyForHost(reg.host)]: `bulwark:${password}` });
  const filesAt = (repo: string, ref: string): SourceFile[] => {
    const sha = gh.refSha(OWNER, repo, ref)!;
    return Object.entries(gh.commitInfo(sha)!.files).map(([path, text]) => ({ path, text }));
  };
  const plan = (repo = "web", password = PASSWORD, cfg = config) => planUpdates(filesAt(repo, "main"), { datasources: createDatasources({ credentials: credentials(password) }), config: cfg, now: NOW });
  const sync = (p: UpdatePlan, repo = "web", limit = 10): Promise<SyncResult> =>
    syncUpdatePullRequests(client, { owner: OWNER, repo }, p, { baseBranch: "main", limit, now: NOW, planSha: gh.refSha(OWNER, repo, "main")! });
  const writesDuring = async <T>(fn: () => Promise<T>): Promise<[T, string[]]> => {
    const before = gh.requests.length;
    const value = await fn();
    return [value, gh.requests.slice(before).filter((r) => WRITES.test(`${r.method} `)).map((r) => r.route ?? `${r.method} ${r.url}`)];
  };
  const pullOf = (n: number) => gh.pull(OWNER, "web", n) as { state: string; title: string; body: string; head: { ref: string; sha: string } };
  const summary = (r: SyncResult) => ({
    created: r.created.map((p) => p.branch),
    updated: r.updated.map((p) => p.branch),
    rebased: r.rebased.map((p) => p.branch),
    closed: r.closed.map((p) => p.branch),
    unchanged: r.unchanged.map((p) => p.branch),
  });

  beforeAll(async () => {
    reg = await startRegistry({ tokenAuth: { users: { bulwark: PASSWORD }, grant: (user, _repo, requested) => (user === "bulwark" ? requested.filter((a) => a === "pull") : []) } });
    for (const tag of ["1.0.0-bookworm", "1.0.1-bookworm", "1.0.1-trixie", "2.0.0-trixie"]) d[`base ${tag}`] = await reg.pushImage("acme/base", tag);
    d["web 1.0.0"] = await reg.pushImage("acme/web", "1.0.0", { created: "2026-01-01T00:00:00Z" });
    d["web 1.1.0"] = await reg.pushImage("acme/web", "1.1.0", { created: "2026-02-01T00:00:00Z" });
    d["multi 1.0.0"] = (await reg.pushIndex("acme/multi", "1.0.0", [{ architecture: "amd64" }, { architecture: "arm64", variant: "v8" }])).index;
    d["multi 1.1.0"] = (await reg.pushIndex("acme/multi", "1.1.0", [{ architecture: "amd64" }, { architecture: "arm64", variant: "v8" }])).index;
    await reg.pushChart("charts/shop-common", "1.0.0");
    await reg.pushChart("charts/shop-common", "1.1.0+build.5");
    charts = await startHelmRepo(helmIndex({ redis, podinfo }));
    fixture = readFixtureRepo({ __REGISTRY__: reg.host, __CHARTS__: charts.url, __WEB100__: d["web 1.0.0"]! });
    gh = await FakeGitHub.start();
    gh.createRepo({ owner: OWNER, repo: "web", files: fixture });
    gh.addToken("maintainer-token", { login: "maria" });
    human = new Octokit({ auth: "maintainer-token", baseUrl: gh.url });
    // GraphQL `object(expression:)` (file contents) is answered by the proxy (test/support/github-proxy.ts); the rest goes to the fake.
    proxy = await GitHubProxy.start(gh);
    const octokit = new Octokit({ auth: "bot-token", baseUrl: proxy.url });
    client = octokit as unknown as GitHubClient;
  }, 60_000);
  afterEach(() => proxy.assertNoViolations());
  afterAll(async () => {
    await proxy?.stop();
    await gh?.stop();
    await charts?.stop();
    await reg?.stop();
  });

  it("opens one pull request per dependency line, with exactly the planned edits on the branch", async () => {
    first = await plan();
    expect(first.errors).toEqual([]);
    const groups = groupUpdates(first.updates);
    const main = gh.refSha(OWNER, "web", "main")!;
    const r = await sync(first);
    expect(r.errors).toEqual([]);
    expect(r.skipped).toEqual([]);
    expect(summary(r)).toEqual({ created: groups.map((g) => g.branchName), updated: [], rebased: [], closed: [], unchanged: [] });
    expect(groups.map((g) => g.branchName)).toEqual([
      `bulwark/update/image-${reg.host.replace(":", "-")}-acme-base`,
      `bulwark/update/image-${reg.host.replace(":", "-")}-acme-web`,
      "bulwark/update/chart-redis",
      "bulwark/update/chart-shop-common",
      "bulwark/update/chart-podinfo",
      `bulwark/update/image-${reg.host.replace(":", "-")}-acme-multi`,
    ]);
    for (const [i, g] of groups.entries()) {
      const pr = pullOf(r.created[i]!.number);
      expect(pr).toMatchObject({ state: "open", title: g.title, head: { ref: g.branchName } });
      expect(parseStateMarker(pr.body)).toEqual({ base: main, commit: pr.head.sha });
      const info = gh.commitInfo(pr.head.sha)!;
      expect(info.parents).toEqual([main]);
      // Every file on the branch: the fixture, with the group's edits and nothing else.
      const expected: Record<string, string> = {};
      for (const [path, text] of Object.entries(fixture)) expected[path] = applyTextEdits(text, g.edits.filter((e) => e.path === path));
      expect(info.files).toEqual(expected);
    }
    expect(gh.fileAt(OWNER, "web", groups[1]!.branchName, "chart/values.yaml")).toContain("  tag: 1.1.0   # keep in sync with the Dockerfile");
    expect(gh.fileAt(OWNER, "web", groups[1]!.branchName, "Dockerfile")).toContain("ARG WEB_VERSION=1.1.0");
  });

  it("a second run changes nothing (no write request at all)", async () => {
    const [r, writes] = await writesDuring(async () => sync(await plan()));
    expect(writes).toEqual([]);
    expect(summary(r)).toMatchObject({ created: [], updated: [], rebased: [], closed: [] });
    expect(r.unchanged).toHaveLength(6);
  });

  it("updates the open pull request in place when a newer tag is pushed", async () => {
    d["web 1.2.0"] = await reg.pushImage("acme/web", "1.2.0", { created: "2026-04-01T00:00:00Z" });
    const branch = `bulwark/update/image-${reg.host.replace(":", "-")}-acme-web`;
    const before = (await human.request("GET /repos/{owner}/{repo}/pulls", { owner: OWNER, repo: "web", head: `${OWNER}:${branch}`, state: "all" })).data;
    expect(before).toHaveLength(1);
    const p = await plan();
    const r = await sync(p);
    expect(r.errors).toEqual([]);
    expect(summary(r)).toMatchObject({ created: [], updated: [branch], rebased: [], closed: [] });
    expect(r.updated[0]!.number).toBe(before[0]!.number);
    const pr = pullOf(before[0]!.number);
    expect(pr.title).toBe(`Update ${reg.host}/acme/web (4 references)`);
    expect(pr.body).toContain('"to":"1.2.0"');
    expect(pr.body).not.toContain('"to":"1.1.0"');
    expect(gh.fileAt(OWNER, "web", branch, "Dockerfile")).toContain("ARG WEB_VERSION=1.2.0");
    expect(gh.fileAt(OWNER, "web", branch, "k8s/deploy.yaml")).toContain(`acme/web:1.2.0@${d["web 1.2.0"]}`);
    expect(gh.commitInfo(pr.head.sha)!.parents).toEqual([gh.refSha(OWNER, "web", "main")]);
    // Still one pull request for the branch.
    expect((await human.request("GET /repos/{owner}/{repo}/pulls", { owner: OWNER, repo: "web", head: `${OWNER}:${branch}`, state: "all" })).data).toHaveLength(1);
  });

  it("never reopens or recreates a pull request a maintainer closed, until a newer version exists", async () => {
    const branch = "bulwark/update/chart-podinfo";
    const [open] = (await human.request("GET /repos/{owner}/{repo}/pulls", { owner: OWNER, repo: "web", head: `${OWNER}:${branch}`, state: "open" })).data;
    await human.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { owner: OWNER, repo: "web", pull_number: open!.number, state: "closed" });
    const r = await sync(await plan());
    expect(summary(r)).toMatchObject({ created: [], updated: [], rebased: [], closed: [] });
    expect(r.skipped).toEqual([{ branch, number: open!.number, reason: `#${open!.number} proposing this version was closed without merging: this version is ignored` }]);
    expect(pullOf(open!.number).state).toBe("closed");
    expect((await human.request("GET /repos/{owner}/{repo}/pulls", { owner: OWNER, repo: "web", head: `${OWNER}:${branch}`, state: "all" })).data).toHaveLength(1);

    // 6.5.5 is released: a fresh pull request on the same branch.
    charts.setIndex(helmIndex({ redis, podinfo: [{ version: "7.0.0" }, { version: "6.5.5" }, ...podinfo.slice(1)] }));
    const later = await sync(await plan());
    expect(summary(later)).toMatchObject({ created: [branch], updated: [], closed: [] });
    expect(gh.fileAt(OWNER, "web", branch, "flux/release.yaml")).toContain('version: "6.5.5"');
    expect(pullOf(open!.number).state).toBe("closed");
  });

  it("rebases onto a moved base, but not a branch someone else pushed to", async () => {
    const shop = "bulwark/update/chart-shop-common";
    const pushed = gh.commit({ owner: OWNER, repo: "web", branch: shop, files: { "chart/NOTES.txt": "maintainer's fix\n" } });
    const mainSha = gh.commit({ owner: OWNER, repo: "web", branch: "main", files: { "README.md": "# web\n" } });
    const r = await sync(await plan());
    expect(r.errors).toEqual([]);
    expect(r.created).toEqual([]);
    expect(r.updated).toEqual([]);
    expect(r.rebased.map((p) => p.branch).sort()).toEqual(
      [`bulwark/update/image-${reg.host.replace(":", "-")}-acme-base`, `bulwark/update/image-${reg.host.replace(":", "-")}-acme-web`, "bulwark/update/chart-redis", "bulwark/update/chart-podinfo", `bulwark/update/image-${reg.host.replace(":", "-")}-acme-multi`].sort(),
    );
    for (const p of r.rebased) {
      expect(gh.commitInfo(gh.refSha(OWNER, "web", p.branch)!)!.parents).toEqual([mainSha]);
      expect(gh.fileAt(OWNER, "web", p.branch, "README.md")).toBe("# web\n");
    }
    expect(r.skipped).toEqual([expect.objectContaining({ branch: shop, reason: `the branch has commits Bulwark did not make (head ${pushed.slice(0, 7)}): not rebased` })]);
    expect(gh.refSha(OWNER, "web", shop)).toBe(pushed);
  });

  it("closes a pull request whose update landed on the base as obsolete", async () => {
    const branch = `bulwark/update/image-${reg.host.replace(":", "-")}-acme-multi`;
    const [open] = (await human.request("GET /repos/{owner}/{repo}/pulls", { owner: OWNER, repo: "web", head: `${OWNER}:${branch}`, state: "open" })).data;
    // Someone applies the same update directly on main.
    gh.commit({ owner: OWNER, repo: "web", branch: "main", files: { "k8s/deploy.yaml": gh.fileAt(OWNER, "web", branch, "k8s/deploy.yaml")! } });
    const r = await sync(await plan());
    expect(r.closed.map((p) => [p.branch, p.number])).toEqual([[branch, open!.number]]);
    const pr = pullOf(open!.number);
    expect(pr.state).toBe("closed");
    expect(pr.title).toMatch(/ - autoclosed$/);
    expect((gh.issueComments(OWNER, "web", open!.number) as { body: string }[]).map((c) => c.body)).toEqual([expect.stringContaining("obsolete/superseded")]);
    // The autoclose is not a maintainer's "ignore": a later run does not treat it as one, and nothing else is closed.
    const again = await sync(await plan());
    expect(again.closed).toEqual([]);
    expect(again.skipped.map((s) => s.branch)).toEqual(["bulwark/update/chart-shop-common"]);
  });

  it("reports a registry auth failure and leaves every pull request as it is", async () => {
    const pullsBefore = (await human.request("GET /repos/{owner}/{repo}/pulls", { owner: OWNER, repo: "web", state: "all", per_page: 100 })).data.map((p) => [p.number, p.state, p.head.sha, p.title, p.body]);
    const bad = await plan("web", "wrong-password");
    expect(bad.errors.length).toBeGreaterThan(0);
    expect(bad.errors.map((e) => e.message).join("\n")).not.toContain("wrong-password");
    const [r, writes] = await writesDuring(() => sync(bad));
    expect(writes).toEqual([]);
    expect(r.closed).toEqual([]);
    expect(r.errors).toEqual(expect.arrayContaining(bad.errors.map((e) => expect.objectContaining({ message: e.message }))));
    expect(r.skipped.filter((s) => s.reason.includes("lookup failed")).map((s) => s.branch).sort()).toEqual(
      [`bulwark/update/image-${reg.host.replace(":", "-")}-acme-base`, `bulwark/update/image-${reg.host.replace(":", "-")}-acme-web`, "bulwark/update/chart-shop-common"].sort(),
    );
    const pullsAfter = (await human.request("GET /repos/{owner}/{repo}/pulls", { owner: OWNER, repo: "web", state: "all", per_page: 100 })).data.map((p) => [p.number, p.state, p.head.sha, p.title, p.body]);
    expect(pullsAfter).toEqual(pullsBefore);
  });

  it("respects the open pull request limit", async () => {
    gh.createRepo({ owner: OWNER, repo: "limited", files: fixture });
    const p = await plan("limited");
    const r = await sync(p, "limited", 2);
    expect(r.created).toHaveLength(2);
    expect(r.skipped.map((s) => s.reason)).toEqual(Array(4).fill("the limit of 2 open update pull requests is reached (updates.openPullRequestsLimit)"));
    const again = await sync(await plan("limited"), "limited", 2);
    expect(again.created).toEqual([]);
    expect(again.unchanged).toHaveLength(2);
    expect((await human.request("GET /repos/{owner}/{repo}/pulls", { owner: OWNER, repo: "limited", state: "all" })).data).toHaveLength(2);
  });

  it("the app's /bulwark update path (updateRepository) plans the default branch and syncs its pull requests", async () => {
    gh.createRepo({ owner: OWNER, repo: "app", files: fixture });
    const md = await updateRepository(client, { repo: { owner: OWNER, repo: "app" }, defaultBranch: "main" }, { now: NOW, env: {}, datasources: createDatasources({ credentials: credentials(PASSWORD) }) });
    expect(md).toContain("6 pull requests opened, 0 updated.");
    expect(md).toContain("**Opened**: #");
    expect((await human.request("GET /repos/{owner}/{repo}/pulls", { owner: OWNER, repo: "app", state: "open" })).data).toHaveLength(6);
    const again = await updateRepository(client, { repo: { owner: OWNER, repo: "app" }, defaultBranch: "main" }, { now: NOW, env: {}, datasources: createDatasources({ credentials: credentials(PASSWORD) }) });
    expect(again).toContain("0 pull requests opened, 0 updated.");
  });
});

if (unavailable) {
  describe("update pull requests", () => {
    it.skip(`SKIPPED: ${unavailable}`, () => undefined);
  });
}
