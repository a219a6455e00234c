// In-process: the shared review pipeline as the Action calls it, against the strict fake GitHub.
// ReviewOptions.config says where the config is read (the Action's `config` input), and the
// outcome carries the pipeline's scan (ReviewOutcome.scan), which the Action reports instead of
// scanning the change a second time.
import { getOctokit } from "@actions/github";
import { describe, expect, it } from "vitest";
import { createActionClient } from "../../src/action/client.js";
import type { ActionClient } from "../../src/action/client.js";
import { fromReview } from "../../src/action/scan.js";
import { reviewCommitRange, reviewPullRequest } from "../../src/github/review.js";
import type { ReviewOptions } from "../../src/github/review.js";
import { OWNER, REPO, TOKEN } from "./support/harness.js";
import { startFake } from "../support/fake-stack.js";
import type { Fake } from "../support/fake-stack.js";
import { assertNoViolationsAfterEach } from "../support/lifecycle.js";
import { configMap, deployment } from "../support/manifests.js";

const fakes = assertNoViolationsAfterEach<Fake>();

function actionClient(f: Fake): ActionClient {
  const octokit = getOctokit(TOKEN, { baseUrl: f.proxy.url });
  const graphql = octokit.graphql.defaults({ url: `${f.proxy.url}/graphql` });
  return createActionClient({ request: (route, params) => octokit.request(route, params), graphql: (query, params) => graphql(query, params) }, { sleep: async () => undefined });
}

async function setup(head: Record<string, string>, base: Record<string, string>, org?: Record<string, string>) {
  const fake = fakes.track(await startFake());
  const gh = fake.gh;
  gh.addToken(TOKEN);
  gh.createRepo({ owner: OWNER, repo: REPO, files: { "README.md": "# web\n", ...base } });
  if (org) gh.createRepo({ owner: OWNER, repo: ".github", files: org });
  gh.commit({ owner: OWNER, repo: REPO, branch: "feature", files: head });
  const pr = gh.openPullRequest({ owner: OWNER, repo: REPO, head: "feature" });
  const pull = gh.pull(OWNER, REPO, pr.number) as { base: { sha: string } };
  const target = { repo: { owner: OWNER, repo: REPO }, htmlUrl: `https://github.com/${OWNER}/${REPO}`, defaultBranch: pull.base.sha, number: pr.number, headSha: pr.headSha, baseSha: pull.base.sha };
  return { gh, pr, f: fake, target };
}

function review(f: Fake, target: Awaited<ReturnType<typeof setup>>["target"], options: ReviewOptions = {}) {
  return reviewPullRequest(actionClient(f), target, { scan: { now: new Date("2026-01-15T00:00:00Z") }, ...options });
}

describe("ReviewOptions.config", () => {
  it("reads the config at the given path and names it in the check run", async () => {
    const { gh, f, target } = await setup({ "k8s/web.yaml": deployment("web") }, { "ci/bulwark.yml": "failOn: critical\n", ".github/bulwark.yml": "failOn: low\n" });
    const o = await review(f, target, { config: { path: "ci/bulwark.yml" } });
    expect(o.conclusion).toBe("neutral");
    expect(o.scan).toMatchObject({ kind: "scanned", config: { ok: true, source: { label: `${OWNER}/${REPO}:ci/bulwark.yml@${target.baseSha}` } } });
    expect(gh.checkRuns(OWNER, REPO)[0]!.output.summary).toContain(`Config: \`${OWNER}/${REPO}:ci/bulwark.yml@${target.baseSha}\``);
    expect(f.proxy.count("POST /graphql", (r) => r.graphql?.name === "BulwarkContents")).toBe(1);
  });

  it("defaults to .github/bulwark.yml with the organisation fallback; orgFallback: false skips it; the defaults line names what was looked for", async () => {
    const { gh, f, target } = await setup({ "k8s/web.yaml": deployment("web") }, {}, { ".github/bulwark.yml": "failOn: critical\n" });
    const byOrg = await review(f, target);
    expect(byOrg.scan?.config).toMatchObject({ ok: true, source: { label: `${OWNER}/.github:.github/bulwark.yml` } });
    expect(byOrg.conclusion).toBe("neutral");

    const custom = await review(f, target, { config: { path: "ci/bulwark.yml" } });
    // No ci/bulwark.yml in the repository: the organisation's `.github/bulwark.yml` still applies.
    expect(custom.scan?.config).toMatchObject({ ok: true, source: { label: `${OWNER}/.github:.github/bulwark.yml` } });

    const own = await review(f, target, { config: { path: "ci/bulwark.yml", orgFallback: false } });
    expect(own.scan?.config).toMatchObject({ ok: true, source: { label: "defaults" } });
    expect(own.conclusion).toBe("failure");
    const summaries = gh.checkRuns(OWNER, REPO).map((c) => c.output.summary ?? "");
    expect(summaries.some((s) => s.includes(`Config: Bulwark's defaults (no \`ci/bulwark.yml\` on \`${target.baseSha}\`; a config added by a pull request applies once merged)`))).toBe(true);
  });

  it("an invalid config at the given path is reported under that path", async () => {
    const { gh, f, target } = await setup({ "k8s/web.yaml": deployment("web") }, { "ci/bulwark.yml": "failOn: severe\n" });
    const o = await review(f, target, { config: { path: "ci/bulwark.yml" } });
    expect(o.status).toBe("config-error");
    expect(o.scan).toMatchObject({ kind: "config-error", config: { ok: false, file: `${OWNER}/${REPO}:ci/bulwark.yml@${target.baseSha}` } });
    expect(o.scan?.kind === "config-error" && o.scan.config.errors[0]).toMatchObject({ line: 1 });
    expect(gh.checkRuns(OWNER, REPO)[0]!.output.title).toBe(`Invalid config: ${OWNER}/${REPO}:ci/bulwark.yml@${target.baseSha} line 1`);
  });
});

describe("ReviewOutcome.scan", () => {
  it("carries the findings the check run was concluded with, and fromReview turns them into the action's outcome", async () => {
    const { f, target } = await setup({ "k8s/web.yaml": deployment("web", { privileged: true }), "k8s/settings.yaml": configMap("settings", { namespace: "web" }) }, { "k8s/web.yaml": deployment("web") });
    const o = await review(f, target);
    const scan = o.scan;
    if (scan?.kind !== "scanned") throw new Error(`expected a scan, got ${scan?.kind}`);
    expect(scan.introduced).toHaveLength(o.findings.introduced);
    expect(scan.preExisting).toHaveLength(o.findings.preExisting);
    expect(scan.introduced.map((x) => x.ruleId)).toContain("K8S-RUNTIME-001");
    expect(scan.preExisting.length).toBeGreaterThan(0);
    expect(scan).toMatchObject({ filesListed: 2, listingTruncated: false, filesScanned: 2, skipped: [] });
    expect(scan.head.length).toBe(scan.introduced.length + scan.preExisting.length + scan.suppressed.length);

    const outcome = fromReview(scan, target);
    expect(outcome).toMatchObject({ kind: "scanned", headSha: target.headSha, baseSha: target.baseSha, filesScanned: 2, config: { label: "defaults" } });
    if (outcome.kind !== "scanned") throw new Error("scanned");
    expect(outcome.introduced).toBe(scan.introduced);
    expect(outcome.result.summary).toMatchObject({ files: 2, findings: scan.introduced.length + scan.preExisting.length });
  });

  it("nothing to review: the listing's size, no config read", async () => {
    const { f, target } = await setup({ "docs/guide.md": "# guide\n" }, {});
    const o = await reviewCommitRange(actionClient(f), { ...target, externalId: "x" });
    expect(o.status).toBe("nothing-to-review");
    expect(o.scan).toEqual({ kind: "nothing", filesListed: 1, listingTruncated: false, notes: [] });
    expect(fromReview(o.scan!, target)).toEqual({ kind: "nothing", headSha: target.headSha, baseSha: target.baseSha, notes: [], listed: 1 });
  });
});
