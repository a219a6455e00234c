// The CLI's helm edge: how helm is run (arguments, environment, staged copy), what a failure or
// a timeout becomes, and the end-to-end path with the real binary when it is installed.
// A stand-in `helm` script checks the wiring on machines without helm; it prints the fixture's
// recorded output and does not render anything, so it says nothing about mapping quality.
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import type { BulwarkConfig } from "../../src/core/config/schema.js";
import { scan } from "../../src/core/engine/scan.js";
import { collectFiles } from "../../src/cli/files.js";
import { fixRendered, reviewRendered, withRendered } from "../../src/cli/render.js";
import { findHelm, helmTemplate } from "../../src/helm/render.js";
import { toolError } from "../../src/helm/exec.js";

const FIXTURE = new URL("../fixtures/helm/web/", import.meta.url).pathname;
const NOW = new Date("2026-11-25T00:00:00Z");
const hasHelm = findHelm() !== undefined;

let tmp: string;
let bin: string;
let log: string;

function fakeHelm(script: string): void {
  writeFileSync(join(bin, "helm"), `#!/bin/sh\n${script}\n`);
  chmodSync(join(bin, "helm"), 0o755);
}

function setup(config: BulwarkConfig = structuredClone(DEFAULT_CONFIG)) {
  const collected = collectFiles(["charts"], config, tmp);
  const options = { config, now: NOW };
  return { input: { files: collected.files, absolute: collected.absolute, cwd: tmp, config, options, env: { PATH: `${bin}:/usr/bin:/bin`, SECRET_TOKEN: "must-not-leak" } }, collected, options };
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "bulwark-helm-test-"));
  bin = join(tmp, "bin");
  log = join(tmp, "log");
  mkdirSync(bin);
  mkdirSync(log);
  cpSync(FIXTURE, join(tmp, "charts/web"), { recursive: true, filter: (src) => !src.endsWith("rendered.yaml") });
  writeFileSync(join(tmp, "charts/web/values-prod.yaml"), "replicaCount: 3\n");
  // A link out of the chart: helm must never see it (.Files.Get could read the host).
  symlinkSync("/etc/hostname", join(tmp, "charts/web/templates/leak.yaml"));
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("helm edge (stand-in helm script)", () => {
  it("runs `helm template <release> . --namespace default -f …` in a staged copy with a scrubbed environment", () => {
    fakeHelm(`printf '%s\\n' "$@" > ${log}/args\nenv > ${log}/env\npwd > ${log}/pwd\nls -a templates > ${log}/ls\ncat ${join(FIXTURE, "rendered.yaml")}`);
    const config = { ...structuredClone(DEFAULT_CONFIG), helm: { valuesFiles: ["values-prod.yaml", "values-missing.yaml"] } };
    const { input } = setup(config);
    const review = reviewRendered({ ...input, verifyFixes: false });
    expect(readFileSync(join(log, "args"), "utf8").trim().split("\n")).toEqual(["template", "web", ".", "--namespace", "default", "-f", "values.yaml", "-f", "values-prod.yaml"]);
    const env = readFileSync(join(log, "env"), "utf8");
    expect(env).toContain("HELM_NO_PLUGINS=1");
    expect(env).toContain("HTTPS_PROXY=http://127.0.0.1:9");
    expect(env).not.toContain("must-not-leak");
    expect(env).toMatch(/^HOME=.*bulwark-render-/m);
    const pwd = readFileSync(join(log, "pwd"), "utf8").trim();
    expect(pwd).not.toBe(join(tmp, "charts/web"));
    expect(existsSync(pwd)).toBe(false); // the staged copy is removed afterwards
    expect(readFileSync(join(log, "ls"), "utf8")).not.toContain("leak.yaml");
    expect(review.notes).toEqual(["charts/web/Chart.yaml: helm.valuesFiles entry values-missing.yaml is not in this chart; rendered without it"]);
    const onValues = review.findings.filter((f) => f.path === "charts/web/values.yaml").map((f) => f.ruleId);
    expect(onValues).toContain("K8S-HOST-001");
    expect(onValues).toContain("K8S-RUNTIME-002");
  });

  it("a fix that rendering again does not confirm is withheld (the stand-in ignores values)", () => {
    fakeHelm(`cat ${join(FIXTURE, "rendered.yaml")}`);
    const { input } = setup();
    const review = reviewRendered(input);
    const hostNetwork = review.findings.find((f) => f.ruleId === "K8S-HOST-001")!;
    expect(hostNetwork.fix).toBeUndefined();
    expect(hostNetwork.message).toContain("automatic fix withheld: rendering again with it did not remove the finding");
  });

  it("a chart that fails to render is a HELM-003 finding with helm's own message, never a silent pass", () => {
    fakeHelm(`echo 'walk.go:74: found symbolic link in path' >&2\necho 'Error: template: web/templates/deployment.yaml:18:20: executing "web/templates/deployment.yaml" at <.Values.hostNetwork.x>: nil pointer evaluating interface {}.x' >&2\necho 'Use --debug flag to render out invalid YAML' >&2\nexit 1`);
    const { input } = setup();
    const review = reviewRendered(input);
    expect(review.findings.map((f) => [f.ruleId, f.path, f.range.startLine])).toEqual([["HELM-003", "charts/web/Chart.yaml", 1]]);
    expect(review.findings[0].message).toBe(
      'helm template failed for chart web: Error: template: web/templates/deployment.yaml:18:20: executing "web/templates/deployment.yaml" at <.Values.hostNetwork.x>: nil pointer evaluating interface {}.x\nUse --debug flag to render out invalid YAML. Nothing this chart deploys was reviewed as rendered.',
    );
  });

  it("missing dependencies get the vendoring hint; a hung helm is killed at the timeout", () => {
    fakeHelm(`echo 'Error: An error occurred while checking for chart dependencies. You may need to run \`helm dependency build\` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: redis' >&2\nexit 1`);
    expect(reviewRendered(setup().input).findings[0].message).toContain("Vendor the dependencies (helm dependency build) and commit charts/: Bulwark never downloads them.");
    fakeHelm("sleep 5");
    const started = Date.now();
    const review = reviewRendered({ ...setup().input, timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(review.findings[0].message).toContain("helm template failed for chart web: timed out after 0.3 s");
  });

  it("without helm the chart is still reviewed from values and templates, and one note says so", () => {
    const { input, options, collected } = setup();
    const review = reviewRendered({ ...input, env: { PATH: join(tmp, "nothing-here") } });
    expect(review.findings).toEqual([]);
    expect(review.notes).toEqual(["helm not found on PATH: 1 chart(s) reviewed from values files and templates only, not as rendered (docs/helm-kustomize.md)"]);
    const result = withRendered(scan(collected.files, options), review);
    expect(result.findings.map((f) => f.ruleId)).toContain("HELM-001");
  });

  it("toolError keeps helm's Error: lines, drops colours and noise, caps the length", () => {
    expect(toolError("\u001b[31mwarn: x\nError: boom\n  at line 3\u001b[0m")).toBe("Error: boom\n  at line 3");
    expect(toolError("a\nb\nc\nd\ne\nf\ng")).toBe("c\nd\ne\nf\ng");
    expect(toolError(`Error: ${"x".repeat(1000)}`).length).toBe(600);
  });
});

describe("helm edge (real helm binary)", () => {
  it.skipIf(!hasHelm)("renders the fixture chart exactly as recorded, maps it back, and verified values fixes remove their findings (skipped: helm is not on PATH)", () => {
    const run = helmTemplate(FIXTURE, { helm: findHelm()!, release: "web", valuesFiles: ["values.yaml"] });
    expect(run.ok).toBe(true);
    expect(run.stdout).toBe(readFileSync(join(FIXTURE, "rendered.yaml"), "utf8"));

    const { input } = setup();
    const real = { ...input, env: { PATH: process.env.PATH ?? "" } };
    const review = reviewRendered(real);
    const fixed = review.findings.filter((f) => f.fix).map((f) => f.ruleId);
    expect(fixed).toEqual(expect.arrayContaining(["K8S-HOST-001", "K8S-RUNTIME-002", "K8S-RUNTIME-009"]));
    const out = fixRendered(real, { includeBehaviourChanging: true });
    const files = input.files.map((f) => ({ path: f.path, text: out.changed.get(f.path) ?? f.text }));
    const after = reviewRendered({ ...real, files });
    for (const f of out.applied) expect(after.findings.map((x) => x.fingerprint), f.ruleId).not.toContain(f.fingerprint);
  });
});
