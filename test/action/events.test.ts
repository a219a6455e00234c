// The built action on merge_group, push, workflow_dispatch and in sarif/update modes, in a child
// process against the strict fake GitHub.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { ValidateFunction } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SarifLog } from "../../src/report/sarif.js";
import { lineHashes } from "../../src/action/report.js";
import { buildAction, commands, dispatchEvent, mergeGroupEvent, OWNER, prEvent, pushEvent, REPO, removeBuild, runAction } from "./support/harness.js";
import { startFake } from "../support/fake-stack.js";
import type { Fake } from "../support/fake-stack.js";
import { assertNoViolationsAfterEach } from "../support/lifecycle.js";
import { configMap, deployment } from "../support/manifests.js";
import { helmIndex, startHelmRepo } from "../support/helm-repo.js";

// ajv-formats is CommonJS: under NodeNext its default import is module.exports, whose `.default` is the plugin.
const addFormats = addFormatsModule.default;

const DOCKERFILE = "FROM alpine:3.20\nRUN if [ -f /etc/alpine-release ]; then wget -qO- https://example.com/install.sh | sh; fi\nUSER 1000\n";

let bundle: string;
let validateSarif: ValidateFunction;

beforeAll(async () => {
  bundle = await buildAction();
  const schema = JSON.parse(readFileSync(new URL("../fixtures/sarif/sarif-schema-2.1.0.json", import.meta.url), "utf8")) as object;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  validateSarif = ajv.compile(schema);
});
afterAll(() => removeBuild());
const fakes = assertNoViolationsAfterEach<Fake>();

async function repo(files: Record<string, string>): Promise<Fake> {
  const fake = fakes.track(await startFake());
  fake.gh.createRepo({ owner: OWNER, repo: REPO, files: { "README.md": "# web\n", ...files } });
  return fake;
}

function writeRoutes(f: Fake): string[] {
  return f.gh.requests.filter((r) => r.method !== "GET" && r.route !== "POST /graphql").map((r) => `${r.route} ${r.status}`);
}

describe("merge_group", () => {
  it("scans the merge group head against its base, concludes a check run on the head and gates", async () => {
    const f = await repo({ "k8s/settings.yaml": configMap("settings", { namespace: "web" }) });
    const base = f.gh.refSha(OWNER, REPO, "main")!;
    const queue = `gh-readonly-queue/main/pr-7-${base}`;
    const head = f.gh.commit({ owner: OWNER, repo: REPO, branch: queue, from: "main", files: { "k8s/web.yaml": deployment("web", { privileged: true }) } });
    const run = await runAction(bundle, f, { event: "merge_group", payload: mergeGroupEvent(head, base, queue), env: { GITHUB_SHA: head } });

    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    expect(run.outputs.conclusion).toBe("failure");
    expect(Number(run.outputs.critical)).toBe(1);
    expect(f.gh.checkRuns(OWNER, REPO)).toMatchObject([{ name: "Bulwark", head_sha: head, status: "completed", conclusion: "failure", external_id: `merge_group:${base}` }]);
    expect(f.proxy.count("GET /repos/{owner}/{repo}/compare/{basehead}")).toBe(1);
    expect(run.summary).toContain("Merge group");

    // A clean merge group passes.
    const clean = f.gh.commit({ owner: OWNER, repo: REPO, branch: `${queue}-2`, from: "main", files: { "k8s/other.yaml": configMap("other", { namespace: "web" }) } });
    const ok = await runAction(bundle, f, { event: "merge_group", payload: mergeGroupEvent(clean, base, `${queue}-2`), env: { GITHUB_SHA: clean } });
    expect(ok.code).toBe(0);
    expect(ok.outputs.conclusion).toBe("success");
  });
});

describe("push", () => {
  it("scans the files changed between before and after (compare), limited to `paths`: annotations, summary, gate", async () => {
    const f = await repo({ "k8s/old.yaml": deployment("old", { privileged: true }) });
    const before = f.gh.refSha(OWNER, REPO, "main")!;
    const after = f.gh.commit({
      owner: OWNER,
      repo: REPO,
      branch: "main",
      files: { "k8s/web.yaml": deployment("web", { privileged: true }), "other/api.yaml": deployment("api", { privileged: true }), "docker/Dockerfile": DOCKERFILE },
    });
    const run = await runAction(bundle, f, { event: "push", payload: pushEvent(before, after, "main"), inputs: { paths: "k8s/\ndocker/**" }, env: { GITHUB_SHA: after } });

    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    expect(writeRoutes(f)).toEqual([]);
    expect(f.proxy.count("GET /repos/{owner}/{repo}/compare/{basehead}")).toBe(1);
    const files = new Set(commands(run.stdout, "error").concat(commands(run.stdout, "warning"), commands(run.stdout, "notice")).map((c) => c.props.file).filter(Boolean));
    // Changed and inside `paths`: annotated. Unchanged (k8s/old.yaml) or outside `paths` (other/): not scanned.
    expect(files.has("k8s/web.yaml")).toBe(true);
    expect(files.has("docker/Dockerfile")).toBe(true);
    expect(files.has("k8s/old.yaml")).toBe(false);
    expect(files.has("other/api.yaml")).toBe(false);
    expect(run.summary).toContain("Push to main");
    expect(run.summary).toContain("outside `paths` not scanned");
    expect(run.outputs.conclusion).toBe("failure");
  });

  it("a new branch is compared with the default branch", async () => {
    const f = await repo({ "k8s/old.yaml": deployment("old", { privileged: true }) });
    const after = f.gh.commit({ owner: OWNER, repo: REPO, branch: "topic", from: "main", files: { "k8s/settings.yaml": configMap("settings", { namespace: "web" }) } });
    const run = await runAction(bundle, f, { event: "push", payload: pushEvent("0".repeat(40), after, "topic"), env: { GITHUB_SHA: after } });
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ conclusion: "success", findings: "0" });
    expect(run.summary).toContain("compared with `main`");
  });
});

describe("workflow_dispatch (a snapshot of the repository)", () => {
  it("scans every relevant file at the commit and gates on all findings", async () => {
    const f = await repo({ "k8s/web.yaml": deployment("web", { privileged: true }), "k8s/settings.yaml": configMap("settings", { namespace: "web" }) });
    const sha = f.gh.refSha(OWNER, REPO, "main")!;
    const run = await runAction(bundle, f, { event: "workflow_dispatch", payload: dispatchEvent(), inputs: { mode: "check" }, env: { GITHUB_SHA: sha, GITHUB_REF: "refs/heads/main" } });
    expect(run.code).toBe(1);
    expect(f.proxy.count("GET /repos/{owner}/{repo}/git/trees/{tree_sha}")).toBe(1);
    expect(run.summary).toContain("Manual scan");
    expect(run.summary).toContain("| Severity | Findings | Suppressed |");
    expect(commands(run.stdout, "error").some((c) => c.props.file === "k8s/web.yaml")).toBe(true);
  });
});

describe("mode: sarif", () => {
  it("writes schema-valid SARIF of every file at the commit to sarif-file in the workspace, with line hashes; exit code per fail-on", async () => {
    const f = await repo({ "k8s/old.yaml": deployment("old", { privileged: true }), "docker/Dockerfile": DOCKERFILE });
    f.gh.commit({ owner: OWNER, repo: REPO, branch: "feature", files: { "k8s/web.yaml": deployment("web") } });
    const pr = f.gh.openPullRequest({ owner: OWNER, repo: REPO, head: "feature" });
    const run = await runAction(bundle, f, { event: "pull_request", payload: prEvent(f.gh, pr.number), inputs: { mode: "sarif", "sarif-file": "reports/bulwark.sarif" }, env: { GITHUB_SHA: pr.headSha } });

    expect(run.stderr).toBe("");
    const file = join(run.workspace, "reports/bulwark.sarif");
    expect(run.outputs["sarif-file"]).toBe(file);
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, "utf8");
    const log = JSON.parse(text) as SarifLog;
    expect(validateSarif(log), JSON.stringify(validateSarif.errors?.slice(0, 5))).toBe(true);
    const results = log.runs[0]!.results;
    // Every file at the commit, not only the changed one (a partial upload would close alerts).
    const uris = new Set(results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri));
    expect(uris).toEqual(new Set(["k8s/old.yaml", "k8s/web.yaml", "docker/Dockerfile"]));
    for (const r of results) {
      expect(r.partialFingerprints["bulwarkFingerprint/v1"]).toBeTruthy();
      expect(r.partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]+:\d+$/);
      const path = r.locations[0]!.physicalLocation.artifactLocation.uri;
      const line = r.locations[0]!.physicalLocation.region.startLine!;
      expect(r.partialFingerprints.primaryLocationLineHash).toBe(lineHashes(f.gh.fileAt(OWNER, REPO, pr.headSha, path)!).get(line));
    }
    for (const rule of log.runs[0]!.tool.driver.rules) {
      expect(Number(rule.properties["security-severity"])).toBeGreaterThan(0);
      expect(rule.help.text.length).toBeGreaterThan(0);
    }
    // The gate: only the pull request's own file counts as new; its findings are high at most.
    expect(run.code).toBe(1);
    expect(run.outputs.conclusion).toBe("failure");
    expect(Number(run.outputs.critical)).toBe(1); // k8s/old.yaml, already on the base
    expect(writeRoutes(f)).toEqual([]);
    expect(commands(run.stdout, "error").filter((c) => c.props.file)).toHaveLength(0);
    expect(run.summary).toContain("reports/bulwark.sarif");

    const lenient = await runAction(bundle, f, { event: "pull_request", payload: prEvent(f.gh, pr.number), inputs: { mode: "sarif", "fail-on": "critical" }, env: { GITHUB_SHA: pr.headSha } });
    expect(lenient.code).toBe(0);
    expect(lenient.outputs.conclusion).toBe("neutral");
    expect(existsSync(join(lenient.workspace, "bulwark.sarif"))).toBe(true);
  });
});

describe("mode: update", () => {
  it("lists stale charts of every file at the commit in the job summary (schedule), opening no pull requests", async () => {
    const charts = await startHelmRepo(helmIndex({ redis: [{ version: "17.3.1" }, { version: "17.3.0" }, { version: "17.0.0" }] }));
    try {
      const chart = `apiVersion: v2\nname: web\nversion: 0.1.0\ndependencies:\n  - name: redis\n    version: 17.0.0\n    repository: "${charts.url}"\n`;
      const f = await repo({ "charts/web/Chart.yaml": chart, "other/Chart.yaml": chart.replace("name: web", "name: other") });
      const sha = f.gh.refSha(OWNER, REPO, "main")!;
      const run = await runAction(bundle, f, { event: "schedule", payload: { schedule: "0 6 * * 1" }, inputs: { mode: "update", paths: "charts/" }, env: { GITHUB_SHA: sha } });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.outputs.conclusion).toBe("neutral");
      expect(run.summary).toContain("🔄 **1 update available**");
      expect(run.summary).toContain("| `charts/web/Chart.yaml:6` | chart redis | 17.0.0 → **17.3.1** | newer |");
      expect(run.summary).not.toContain("other/Chart.yaml");
      expect(run.summary).toContain("does not open pull requests yet");
      expect(writeRoutes(f)).toEqual([]);
    } finally {
      await charts.stop();
    }
  });

  it("fails when every lookup fails", async () => {
    const f = await repo({ "Chart.yaml": 'apiVersion: v2\nname: web\nversion: 0.1.0\ndependencies:\n  - {name: redis, version: 17.0.0, repository: "http://127.0.0.1:9/charts"}\n' });
    const run = await runAction(bundle, f, { event: "workflow_dispatch", payload: dispatchEvent(), inputs: { mode: "update" }, env: { GITHUB_SHA: f.gh.refSha(OWNER, REPO, "main")! } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::Bulwark: every registry and chart-repository lookup failed/m);
  });
});

describe("the bundle", () => {
  it("ships a lazily loaded shell parser next to index.js (when the engine uses it) and no Probot", () => {
    const text = readFileSync(bundle, "utf8");
    if (text.includes('"./mvdan-sh.cjs"')) {
      const require = createRequire(join(dirname(bundle), "index.js"));
      const sh = require("./mvdan-sh.cjs") as { syntax?: { NewParser?: unknown } };
      expect(typeof sh.syntax?.NewParser).toBe("function");
      // Not inlined: the GopherJS runtime is not parsed at start-up.
      expect(text).not.toContain("$packages");
    }
    expect(text).not.toMatch(/node_modules\/probot\//);
    expect(text).not.toContain("createProbot");
  });
});
