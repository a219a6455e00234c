// Kustomize overlays rendered for real (kustomize, else kubectl kustomize) and mapped back to
// the base or patch file that defines each field; fixes edit that file.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import { scan } from "../../src/core/engine/scan.js";
import { collectFiles } from "../../src/cli/files.js";
import { fixRendered, reviewRendered, withRendered } from "../../src/cli/render.js";
import { findKustomize } from "../../src/kustomize/render.js";
import type { Finding } from "../../src/core/types.js";

const FIXTURE = new URL("../fixtures/kustomize/shop/", import.meta.url).pathname;
const NOW = new Date("2026-11-25T00:00:00Z");
const bin = findKustomize();
const RULES = ["K8S-RUNTIME-001", "K8S-RUNTIME-002", "K8S-RUNTIME-015", "K8S-HOST-002", "K8S-RES-006"];
const config = { ...structuredClone(DEFAULT_CONFIG), rules: Object.fromEntries(RULES.map((id) => [id, { enabled: true }])) };
const options = { config, onlyRules: RULES, now: NOW };

let tmp: string;

function input(dir = "shop", extra: Partial<Parameters<typeof reviewRendered>[0]> = {}) {
  const collected = collectFiles([dir], config, tmp);
  return { collected, input: { files: collected.files, absolute: collected.absolute, cwd: tmp, config, options, env: { PATH: process.env.PATH ?? "" }, ...extra } };
}

const short = (f: Finding) => [f.ruleId, f.path, f.range.startLine, f.resource?.name, f.resource?.container ?? null, f.fix ? "fix" : null];

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "bulwark-kustomize-test-"));
  cpSync(FIXTURE, join(tmp, "shop"), { recursive: true });
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!bin)(`kustomize overlays built with ${bin ? `${bin.kind} (${bin.path})` : "nothing (skipped: neither kustomize nor kubectl is on PATH)"}`, () => {
  it("each finding lands on the file that defines the field: patch (strategic merge or JSON 6902) or base", () => {
    const review = reviewRendered(input().input);
    expect(review.notes).toEqual([]);
    expect(review.findings.filter((f) => f.resource?.name === "prod-web").map(short)).toEqual([
      // Missing everywhere: the base, with the rule's fix there.
      ["K8S-RES-006", "shop/base/deployment.yaml", 24, "prod-web", "web", null],
      ["K8S-RUNTIME-015", "shop/base/deployment.yaml", 26, "prod-web", "web", "fix"],
      // privileged: true comes from the overlay's strategic-merge patch: fixed there.
      ["K8S-RUNTIME-001", "shop/overlays/prod/debug-patch.yaml", 12, "prod-web", "web", "fix"],
      ["K8S-RES-006", "shop/base/deployment.yaml", 33, "prod-web", "log", null],
      ["K8S-RUNTIME-002", "shop/base/deployment.yaml", 35, "prod-web", "log", "fix"],
      // readOnlyRootFilesystem: false comes from a JSON 6902 op: its value line, no patch edit.
      ["K8S-RUNTIME-015", "shop/overlays/prod/log-escalation.yaml", 3, "prod-web", "log", null],
      ["K8S-HOST-002", "shop/overlays/prod/debug-patch.yaml", 8, "prod-web", null, "fix"],
    ]);
    // The dev overlay (nameSuffix) is built too; the base alone is not (it is reviewed through both, and file by file).
    expect(new Set(review.findings.map((f) => f.resource?.name))).toEqual(new Set(["prod-web", "web-dev"]));
    const privileged = review.findings.find((f) => f.ruleId === "K8S-RUNTIME-001")!;
    expect(privileged.message).toContain("[Kustomize: set by patch shop/overlays/prod/debug-patch.yaml in shop/overlays/prod/kustomization.yaml]");
  });

  it("merged with the plain scan, a base finding seen through two overlays and directly is listed once", () => {
    const { input: inp, collected } = input();
    const merged = withRendered(scan(collected.files, options), reviewRendered(inp));
    const logProbe = merged.findings.filter((f) => f.ruleId === "K8S-RES-006" && f.path === "shop/base/deployment.yaml" && f.range.startLine === 33);
    expect(logProbe).toHaveLength(1);
    // Alone, the patch looks like a Deployment without probes; built, it only adds hostPID and privileged.
    expect(scan(collected.files, options).findings.filter((f) => f.path === "shop/overlays/prod/debug-patch.yaml").map((f) => f.ruleId)).toContain("K8S-RES-006");
    expect(merged.findings.filter((f) => f.path === "shop/overlays/prod/debug-patch.yaml").map((f) => f.ruleId).sort()).toEqual(["K8S-HOST-002", "K8S-RUNTIME-001"]);
  });

  it("--fix edits the patch that sets the field and the base that lacks it; rebuilding confirms", () => {
    const { input: inp } = input();
    const out = fixRendered(inp, { rules: ["K8S-RUNTIME-001", "K8S-HOST-002", "K8S-RUNTIME-002"] });
    expect([...out.changed.keys()].sort()).toEqual(["shop/base/deployment.yaml", "shop/overlays/prod/debug-patch.yaml"]);
    expect(out.changed.get("shop/overlays/prod/debug-patch.yaml")).toBe(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          securityContext:\n            privileged: false\n",
    );
    expect(out.changed.get("shop/base/deployment.yaml")).toBe(
      readFileSync(join(FIXTURE, "base/deployment.yaml"), "utf8").replace("              drop: [ALL]\n          resources:\n            requests: {cpu: 10m", "              drop: [ALL]\n            allowPrivilegeEscalation: false\n          resources:\n            requests: {cpu: 10m"),
    );
    const files = inp.files.map((f) => ({ path: f.path, text: out.changed.get(f.path) ?? f.text }));
    const after = reviewRendered({ ...inp, files });
    for (const f of out.applied) expect(after.findings.map((x) => x.fingerprint), f.ruleId).not.toContain(f.fingerprint);
  });

  it("a build that fails is a finding with the tool's message, never a silent pass", () => {
    const dir = join(tmp, "broken");
    mkdirSync(dir);
    writeFileSync(join(dir, "kustomization.yaml"), "resources:\n  - deployment.yaml\npatches:\n  - path: missing-patch.yaml\n");
    writeFileSync(join(dir, "deployment.yaml"), readFileSync(join(FIXTURE, "base/deployment.yaml"), "utf8"));
    const review = reviewRendered(input("broken").input);
    expect(review.findings.map((f) => [f.ruleId, f.path, f.range.startLine])).toEqual([["BULWARK-PARSE", "broken/kustomization.yaml", 1]]);
    expect(review.findings[0].message).toMatch(/^(kustomize build|kubectl kustomize) failed: .*missing-patch\.yaml/s);
  });

  describe("remote bases", () => {
    let repo: string;
    beforeAll(() => {
      // A git repository reached through a file:// URL: remote to kustomize, no network for the test.
      repo = join(tmp, "remote-repo");
      mkdirSync(join(repo, "base"), { recursive: true });
      writeFileSync(join(repo, "base/kustomization.yaml"), "resources:\n  - pod.yaml\n");
      writeFileSync(join(repo, "base/pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: tool\nspec:\n  containers:\n    - name: tool\n      image: busybox:1.36\n      securityContext:\n        privileged: true\n");
      const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: repo, stdio: "pipe" });
      git("init", "-q", "-b", "main", ".");
      git("add", ".");
      git("commit", "-q", "-m", "base");
      mkdirSync(join(tmp, "edge"));
      writeFileSync(join(tmp, "edge/kustomization.yaml"), `namePrefix: edge-\nresources:\n  - file://${repo}//base?ref=main\n`);
    });

    it("are not fetched unless the caller allows it; a note says what was not built", () => {
      const review = reviewRendered(input("edge").input);
      expect(review.findings).toEqual([]);
      expect(review.notes).toEqual([`edge/kustomization.yaml: uses the remote base file://${repo}//base?ref=main; not built (a scan does not fetch; the local files were still scanned one by one)`]);
    });

    it("when allowed, findings on remote objects point at the remote entry with a strategic-merge patch to add", () => {
      const review = reviewRendered(input("edge", { allowRemoteBases: true }).input);
      const f = review.findings.find((x) => x.ruleId === "K8S-RUNTIME-001")!;
      expect(short(f)).toEqual(["K8S-RUNTIME-001", "edge/kustomization.yaml", 3, "edge-tool", "tool", null]);
      expect(f.message).toContain(`[Kustomize: Pod/edge-tool comes from the remote base file://${repo}//base?ref=main, which Bulwark does not edit; add this strategic-merge patch to edge/kustomization.yaml under \`patches:\`]\napiVersion: v1\nkind: Pod\nmetadata:\n  name: edge-tool\nspec:\n  containers:\n    - name: tool\n      securityContext:\n        privileged: false`);
    });
  });
});
