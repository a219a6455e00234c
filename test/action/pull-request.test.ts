// The built action on pull_request events, in a child process against the strict fake GitHub.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMarker } from "../../src/github/comments.js";
import { READ_ONLY_HELP } from "../../src/action/main.js";
import { buildAction, commands, OWNER, prEvent, REPO, removeBuild, runAction, TOKEN } from "./support/harness.js";
import type { ActionRun } from "./support/harness.js";
import { startFake } from "../support/fake-stack.js";
import type { Fake } from "../support/fake-stack.js";
import { assertNoViolationsAfterEach } from "../support/lifecycle.js";
import { configMap, deployment } from "../support/manifests.js";

let bundle: string;

beforeAll(async () => {
  bundle = await buildAction();
});
afterAll(() => removeBuild());
const fakes = assertNoViolationsAfterEach<Fake>();

async function setup(head: Record<string, string | null>, base: Record<string, string> = {}, opts: { fork?: string } = {}) {
  const fake = fakes.track(await startFake());
  const gh = fake.gh;
  gh.createRepo({ owner: OWNER, repo: REPO, files: { "README.md": "# web\n", ...base } });
  let pr;
  if (opts.fork) {
    gh.fork({ owner: OWNER, repo: REPO, forkOwner: opts.fork });
    gh.commit({ owner: opts.fork, repo: REPO, branch: "patch", files: head });
    pr = gh.openPullRequest({ owner: OWNER, repo: REPO, head: `${opts.fork}:patch`, user: opts.fork });
  } else {
    gh.commit({ owner: OWNER, repo: REPO, branch: "feature", files: head });
    pr = gh.openPullRequest({ owner: OWNER, repo: REPO, head: "feature" });
  }
  return { gh, pr, fake };
}

const WRITES = /^(POST|PATCH|PUT|DELETE) /;

function writes(f: Fake): string[] {
  return f.gh.requests.filter((r) => WRITES.test(`${r.method} `) && r.route !== "POST /graphql").map((r) => `${r.route} ${r.status}`);
}

/** Lines of the job log that mention the read-only fallback (debug lines are hidden unless step debugging is on). */
function readOnlyLines(run: ActionRun): string[] {
  return run.stdout.split("\n").filter((l) => !l.startsWith("::debug::") && (l.includes("read-only") || l.includes("Resource not accessible")));
}

describe("pull_request, mode review", () => {
  it("posts one review and a failing check run, writes outputs and the summary, and exits 1 on a critical finding", async () => {
    const { gh, pr, fake: f } = await setup({ "k8s/web.yaml": deployment("web", { privileged: true }), "k8s/settings.yaml": configMap("settings", { namespace: "web" }) });
    const run = await runAction(bundle, f, { event: "pull_request", payload: prEvent(gh, pr.number) });

    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    const runs = gh.checkRuns(OWNER, REPO);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ name: "Bulwark", head_sha: pr.headSha, status: "completed", conclusion: "failure", external_id: String(pr.number) });
    const reviews = gh.reviews(OWNER, REPO, pr.number) as { commit_id: string; state: string }[];
    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({ commit_id: pr.headSha, state: "COMMENTED" });
    const comments = gh.reviewCommentsOf(OWNER, REPO, pr.number) as { body: string; path: string }[];
    expect(comments.length).toBeGreaterThan(0);
    expect(comments.some((c) => parseMarker(c.body)?.ruleId === "K8S-RUNTIME-001")).toBe(true);

    // Outputs: counts of the findings in the scanned files; the gate in `conclusion`.
    expect(run.outputs.conclusion).toBe("failure");
    expect(Number(run.outputs.critical)).toBe(1);
    expect(Number(run.outputs.findings)).toBe(["critical", "high", "medium", "low", "info"].reduce((n, s) => n + Number(run.outputs[s]), 0));
    expect(run.outputs["sarif-file"]).toBe("");

    // The job summary: severity table, top findings with permalinks, the engine's report.
    expect(run.summary).toContain("## 🛡️ Bulwark · Pull request #1");
    expect(run.summary).toContain("| Severity | New | Already on base | Suppressed |");
    expect(run.summary).toContain(`https://github.com/${OWNER}/${REPO}/blob/${pr.headSha}/k8s/web.yaml#L`);
    expect(run.summary).toContain("<details><summary>Full report");
    // The pipeline's scan counts resources too (one Deployment, one ConfigMap).
    expect(run.summary).toContain("2 files, 2 resources scanned");
    // The check run carries the annotations: no workflow annotations for the findings.
    expect(commands(run.stdout, "warning").filter((c) => c.props.file)).toHaveLength(0);
    expect(commands(run.stdout, "error").filter((c) => c.props.file)).toHaveLength(0);
    expect(run.stdout).toMatch(/^::error::Bulwark: \d+ new findings? at or above high \(.*K8S-RUNTIME-001.*\)/m);
    expect(readOnlyLines(run)).toHaveLength(0);

    // One set of reads, the review pipeline's: the action reports the pipeline's scan instead of scanning again.
    expect(f.proxy.count("GET /repos/{owner}/{repo}/pulls/{pull_number}/files")).toBe(1);
    expect(f.proxy.count("POST /graphql", (r) => r.graphql?.name === "BulwarkContents")).toBe(1);
    expect(writes(f)).toEqual([
      "POST /repos/{owner}/{repo}/check-runs 201",
      "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews 200",
      "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id} 200",
    ]);
  });

  it("exits 0 with conclusion success on a clean pull request", async () => {
    const { gh, pr, fake: f } = await setup({ "k8s/settings.yaml": configMap("settings", { namespace: "web" }) });
    const run = await runAction(bundle, f, { event: "pull_request", payload: prEvent(gh, pr.number) });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ conclusion: "success", findings: "0", critical: "0", high: "0" });
    expect(gh.checkRuns(OWNER, REPO)).toMatchObject([{ status: "completed", conclusion: "success" }]);
    expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(0);
    expect(run.summary).toContain("✅ **No findings**");
    expect(run.stdout).not.toContain("::error");
  });

  it("reports 'nothing to review' (success) when no file is a manifest, chart or Dockerfile", async () => {
    const { gh, pr, fake: f } = await setup({ "docs/guide.md": "# guide\n" });
    const run = await runAction(bundle, f, { event: "pull_request", payload: prEvent(gh, pr.number) });
    expect(run.code).toBe(0);
    expect(run.outputs.conclusion).toBe("success");
    expect(gh.checkRuns(OWNER, REPO)).toMatchObject([{ conclusion: "success", output: { title: "Nothing to review" } }]);
    expect(run.summary).toContain("Nothing to review");
  });

  it("reads the config from the base: a pull request that weakens .github/bulwark.yml on its head does not change the result", async () => {
    const strict = "failOn: high\n";
    const weakened = "failOn: critical\nrules:\n  K8S-RUNTIME-001: off\n";
    const { gh, pr, fake: f } = await setup(
      { ".github/bulwark.yml": weakened, "k8s/web.yaml": deployment("web", { privileged: true }) },
      { ".github/bulwark.yml": strict },
    );
    const run = await runAction(bundle, f, { event: "pull_request", payload: prEvent(gh, pr.number) });
    expect(run.code).toBe(1);
    expect(run.outputs.conclusion).toBe("failure");
    expect(Number(run.outputs.critical)).toBe(1);
    const base = (gh.pull(OWNER, REPO, pr.number) as { base: { sha: string } }).base.sha;
    expect(run.summary).toContain(`config \`${OWNER}/${REPO}:.github/bulwark.yml@${base}\``);
    expect(gh.checkRuns(OWNER, REPO)[0]!.conclusion).toBe("failure");
    expect((gh.reviewCommentsOf(OWNER, REPO, pr.number) as { body: string }[]).some((c) => parseMarker(c.body)?.ruleId === "K8S-RUNTIME-001")).toBe(true);
  });

  it("reads the `config` input's file from the base ref, for the gate and for the check run alike", async () => {
    // Only high findings (not privileged): failOn: critical in ci/bulwark.yml lets it pass.
    const { gh, pr, fake: f } = await setup({ "k8s/web.yaml": deployment("web") }, { "ci/bulwark.yml": "failOn: critical\n" });
    const run = await runAction(bundle, f, { event: "pull_request", payload: prEvent(gh, pr.number), inputs: { config: "ci/bulwark.yml" } });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.outputs.conclusion).toBe("neutral");
    expect(Number(run.outputs.high)).toBeGreaterThan(0);
    expect(run.summary).toContain(`:ci/bulwark.yml@`);
    expect(gh.checkRuns(OWNER, REPO)[0]!.conclusion).toBe("neutral");

    // The same pull request without the input: the default path does not exist, failOn high applies.
    const again = await runAction(bundle, f, { event: "pull_request", payload: prEvent(gh, pr.number) });
    expect(again.code).toBe(1);
    expect(again.outputs.conclusion).toBe("failure");
  });

  it("fails with annotations on the config file when the base config is invalid", async () => {
    const { gh, pr, fake: f } = await setup({ "k8s/web.yaml": deployment("web") }, { ".github/bulwark.yml": "failOn: severe\n" });
    const run = await runAction(bundle, f, { event: "pull_request", payload: prEvent(gh, pr.number) });
    expect(run.code).toBe(1);
    const errors = commands(run.stdout, "error").filter((c) => c.props.file === ".github/bulwark.yml");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.props).toMatchObject({ line: "1", title: "Invalid Bulwark config" });
    expect(gh.checkRuns(OWNER, REPO)).toMatchObject([{ conclusion: "failure" }]);
    expect(run.summary).toContain("is invalid");
  });

  it("an invalid config at the `config` input's path: annotations on that file, and the check run names it", async () => {
    const { gh, pr, fake: f } = await setup({ "k8s/web.yaml": deployment("web") }, { "ci/bulwark.yml": "# CI config\nfailOn: severe\n" });
    const run = await runAction(bundle, f, { event: "pull_request", payload: prEvent(gh, pr.number), inputs: { config: "ci/bulwark.yml" } });
    expect(run.code).toBe(1);
    expect(run.outputs.conclusion).toBe("failure");
    const errors = commands(run.stdout, "error").filter((c) => c.props.file);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.props).toMatchObject({ file: "ci/bulwark.yml", line: "2", title: "Invalid Bulwark config" });
    const base = (gh.pull(OWNER, REPO, pr.number) as { base: { sha: string } }).base.sha;
    expect(gh.checkRuns(OWNER, REPO)).toMatchObject([{ conclusion: "failure", output: { title: `Invalid config: ${OWNER}/${REPO}:ci/bulwark.yml@${base} line 2` } }]);
    expect(run.summary).toContain(`The config \`${OWNER}/${REPO}:ci/bulwark.yml@${base}\` is invalid`);
    // One read of the files and the config, by the pipeline.
    expect(f.proxy.count("POST /graphql", (r) => r.graphql?.name === "BulwarkContents")).toBe(1);
  });

  it("the fail-on input overrides the config's failOn, and the check run is re-concluded to agree with the job", async () => {
    const { gh, pr, fake: f } = await setup({ "k8s/web.yaml": deployment("web") });
    const run = await runAction(bundle, f, { event: "pull_request", payload: prEvent(gh, pr.number), inputs: { "fail-on": "critical" } });
    expect(run.code).toBe(0);
    expect(run.outputs.conclusion).toBe("neutral");
    const [check] = gh.checkRuns(OWNER, REPO);
    expect(check).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(check!.output.summary).toContain("`fail-on: critical` input overrides `failOn: high`");

    const strict = await runAction(bundle, f, { event: "pull_request", payload: prEvent(gh, pr.number), inputs: { "fail-on": "low" } });
    expect(strict.code).toBe(1);
    expect(strict.outputs.conclusion).toBe("failure");
  });

  it("comment: false concludes a check run without posting a review", async () => {
    const { gh, pr, fake: f } = await setup({ "k8s/web.yaml": deployment("web", { privileged: true }) });
    const run = await runAction(bundle, f, { event: "pull_request", payload: prEvent(gh, pr.number), inputs: { comment: "false" } });
    expect(run.code).toBe(1);
    expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(0);
    expect(gh.checkRuns(OWNER, REPO)).toMatchObject([{ conclusion: "failure", external_id: String(pr.number) }]);
  });
});

describe("pull_request, mode check", () => {
  it("makes no API writes: annotations, summary and the exit code carry the result", async () => {
    const { gh, pr, fake: f } = await setup({ "k8s/web.yaml": deployment("web", { privileged: true }) });
    const run = await runAction(bundle, f, { event: "pull_request", payload: prEvent(gh, pr.number), inputs: { mode: "check" } });
    expect(run.code).toBe(1);
    expect(writes(f)).toEqual([]);
    expect(gh.checkRuns(OWNER, REPO)).toHaveLength(0);
    const errors = commands(run.stdout, "error").filter((c) => c.props.file);
    expect(errors.some((e) => e.props.file === "k8s/web.yaml" && e.props.title?.startsWith("K8S-RUNTIME-001"))).toBe(true);
    expect(run.summary).toContain("mode `check`");
  });
});

describe("fork pull requests and read-only tokens", () => {
  it("falls back to annotations, the summary and the exit code when writes get 403, and says so once", async () => {
    const { gh, pr, fake: f } = await setup({ "k8s/web.yaml": deployment("web", { privileged: true }) }, {}, { fork: "contributor" });
    gh.addToken(TOKEN, { readOnly: true });
    const run = await runAction(bundle, f, { event: "pull_request", payload: prEvent(gh, pr.number, { forkOwner: "contributor" }) });

    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    // The refused write, and nothing else written.
    expect(writes(f)).toEqual(["POST /repos/{owner}/{repo}/check-runs 403"]);
    expect(gh.checkRuns(OWNER, REPO)).toHaveLength(0);
    expect(gh.reviews(OWNER, REPO, pr.number)).toHaveLength(0);

    // Workflow annotations with file, line and title; the gating finding is an error.
    const errors = commands(run.stdout, "error").filter((c) => c.props.file);
    const privileged = errors.find((e) => e.props.title?.startsWith("K8S-RUNTIME-001"));
    expect(privileged?.props).toMatchObject({ file: "k8s/web.yaml", line: "16", endLine: "16" });
    // @actions/core writes `title` first: ::error title=…,file=…,line=…,endLine=…,col=…,endColumn=…::message
    expect(run.stdout).toMatch(/^::error title=K8S-RUNTIME-001%3A [^,]*,file=k8s\/web\.yaml,line=16,endLine=16,col=13,endColumn=29::critical: /m);
    expect(commands(run.stdout, "warning").filter((c) => c.props.file).length).toBeGreaterThan(0);

    // Exactly one line explains it, with the fix, and never recommends pull_request_target.
    const lines = readOnlyLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(READ_ONLY_HELP.slice(0, 60));
    expect(lines[0]).toContain("GitHub App");
    expect(lines[0]).toContain("pull-requests: write, checks: write");
    expect(lines[0]).toMatch(/Do not switch to `pull_request_target`/);

    expect(run.outputs.conclusion).toBe("failure");
    expect(run.summary).toContain("❌");
    expect(run.summary).toContain("annotations of this job");
  });

  it("a read-only token on a clean pull request exits 0", async () => {
    const { gh, pr, fake: f } = await setup({ "k8s/settings.yaml": configMap("settings", { namespace: "web" }) }, {}, { fork: "contributor" });
    gh.addToken(TOKEN, { readOnly: true });
    const run = await runAction(bundle, f, { event: "pull_request", payload: prEvent(gh, pr.number, { forkOwner: "contributor" }) });
    expect(run.code).toBe(0);
    expect(run.outputs.conclusion).toBe("success");
    expect(readOnlyLines(run)).toHaveLength(1);
  });
});

describe("requests", () => {
  it("send the REST API version the action is written against and its user agent", async () => {
    const { gh, pr, fake: f } = await setup({ "k8s/settings.yaml": configMap("settings", { namespace: "web" }) });
    await runAction(bundle, f, { event: "pull_request", payload: prEvent(gh, pr.number), inputs: { mode: "check" } });
    expect(gh.requests.length).toBeGreaterThan(0);
    for (const r of gh.requests) {
      expect(r.headers["x-github-api-version"]).toBe("2022-11-28");
      expect(String(r.headers["user-agent"])).toMatch(/^bulwark-action /);
      expect(r.headers.authorization).toBe(`token ${TOKEN}`);
    }
  });
});
