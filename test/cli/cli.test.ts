// The CLI contract of DESIGN.md: commands, formats, exit codes 0/1/2, --fix in place.
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";

async function cli(args: string[], cwd = process.cwd(), env: NodeJS.ProcessEnv = {}) {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env, cwd, now: new Date("2026-11-25T00:00:00Z") });
  return { code, stdout, stderr };
}

function tmp(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "bulwark-cli-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const INSECURE = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: app\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27\n      securityContext:\n        privileged: true\n";
const CLEAN = `apiVersion: v1
kind: Pod
metadata:
  name: clean
  namespace: app
spec:
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      image: ghcr.io/acme/app:1.2.3@sha256:${"a".repeat(64)}
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: [ALL]
`;

describe("bulwark scan", () => {
  it("exits 1 when something at or above --fail-on is found, 0 otherwise", async () => {
    const dir = tmp({ "pod.yaml": INSECURE });
    expect((await cli(["scan", dir, "--fail-on", "critical"])).code).toBe(1);
    const lenient = await cli(["scan", dir, "--config", writeConfig(dir, "rules:\n  K8S-RUNTIME-001: low\n"), "--fail-on", "critical"]);
    expect(lenient.code).toBe(0);
  });

  it("--format json prints the DESIGN.md contract", async () => {
    const dir = tmp({ "pod.yaml": INSECURE });
    const { code, stdout } = await cli(["scan", join(dir, "pod.yaml"), "--format", "json"], dir);
    expect(code).toBe(1);
    const out = JSON.parse(stdout);
    expect(Object.keys(out)).toEqual(["tool", "findings", "summary"]);
    expect(out.tool).toEqual({ name: "bulwark", version: expect.any(String) });
    const f = out.findings.find((x: { ruleId: string }) => x.ruleId === "K8S-RUNTIME-001");
    expect(f).toMatchObject({
      severity: "critical",
      path: "pod.yaml",
      range: { startLine: 11, startColumn: 9, endLine: 11, endColumn: 25 },
      resource: { apiVersion: "v1", kind: "Pod", name: "p", namespace: "app", container: "app" },
      fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
      fix: { description: expect.any(String), edits: [expect.objectContaining({ path: "pod.yaml", start: expect.any(Number), end: expect.any(Number), newText: "false" })] },
    });
    expect(out.summary.bySeverity.critical).toBeGreaterThanOrEqual(1);
  });

  it("a manifest that meets PSS restricted has no findings under that profile and exits 0", async () => {
    const dir = tmp({ "pod.yaml": CLEAN });
    const { code, stdout } = await cli(["scan", dir, "--format", "json", "--fail-on", "info", "--profile", "pss-restricted"], dir);
    expect(JSON.parse(stdout).findings.map((f: { ruleId: string; message: string }) => `${f.ruleId}: ${f.message}`)).toEqual([]);
    expect(code).toBe(0);
  });

  it("exits 2 on usage and config errors, naming the line", async () => {
    const dir = tmp({ "pod.yaml": INSECURE });
    expect((await cli(["scan", dir, "--format", "xml"])).code).toBe(2);
    expect((await cli(["scan", dir, "--fail-on", "severe"])).code).toBe(2);
    expect((await cli(["scan", join(dir, "missing")])).code).toBe(2);
    expect((await cli(["frobnicate"])).code).toBe(2);
    expect((await cli(["scan", "--bogus"])).code).toBe(2);
    const bad = await cli(["scan", dir, "--config", writeConfig(dir, "profile: hardened\nfailOn: extreme\n")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bulwark\.yml:2:9: failOn must be one of/);
  });

  it("--fix writes AUTO fixes in place; the rescan shows what has no safe fix", async () => {
    const dir = tmp({ "pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: k8s.gcr.io/pause:3.2\n" });
    const before = JSON.parse((await cli(["scan", dir, "--format", "json"], dir)).stdout).findings as { ruleId: string }[];
    const fixed = await cli(["scan", dir, "--fix", "--format", "json"], dir);
    const after = JSON.parse(fixed.stdout).findings as { ruleId: string; fix?: unknown }[];
    expect(readFileSync(join(dir, "pod.yaml"), "utf8")).toContain("registry.k8s.io/pause:3.2");
    expect(after.length).toBeLessThan(before.length);
    expect(fixed.stderr).toMatch(/fixed \d+ finding/);
  });

  it("--fix --dry-run prints a unified diff and writes nothing", async () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: k8s.gcr.io/pause:3.2\n";
    const dir = tmp({ "pod.yaml": text });
    const { stdout } = await cli(["scan", "pod.yaml", "--fix", "--dry-run"], dir);
    expect(stdout).toContain("--- a/pod.yaml");
    expect(stdout).toContain("+      image: registry.k8s.io/pause:3.2");
    expect(readFileSync(join(dir, "pod.yaml"), "utf8")).toBe(text);
  });

  it("--fix-rules limits fixes and enables AUTO* fixes named explicitly", async () => {
    const dir = tmp({ "pod.yaml": INSECURE });
    await cli(["scan", "pod.yaml", "--fix", "--fix-rules", "K8S-RUNTIME-001"], dir);
    const text = readFileSync(join(dir, "pod.yaml"), "utf8");
    expect(text).toBe(INSECURE.replace("privileged: true", "privileged: false"));
  });
});

describe("bulwark rules / explain", () => {
  it("lists the catalog with severities", async () => {
    const { code, stdout } = await cli(["rules"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/K8S-RUNTIME-001\s+critical/);
    const json = JSON.parse((await cli(["rules", "--format", "json"])).stdout);
    expect(json.rules.length).toBeGreaterThan(20);
  });

  it("explains a rule with its examples; unknown IDs exit 2", async () => {
    const { code, stdout } = await cli(["explain", "k8s-runtime-001"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Privileged container");
    expect(stdout).toContain("Failing: privileged container in a Deployment");
    expect((await cli(["explain", "NOPE-1"])).code).toBe(2);
  });
});

describe("the installed binary", () => {
  it("runs as a process with the documented exit codes", () => {
    const dir = tmp({ "pod.yaml": INSECURE });
    const run = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "scan", dir, "--format", "sarif"], { encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).version).toBe("2.1.0");
    expect(execFileSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "--version"], { encoding: "utf8" })).toMatch(/^bulwark \d+\.\d+\.\d+/);
  });
});

function writeConfig(dir: string, text: string): string {
  const p = join(dir, "bulwark.yml");
  writeFileSync(p, text);
  return p;
}
