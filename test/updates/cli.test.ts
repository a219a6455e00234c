// `bulwark updates` (runUpdates) per the DESIGN.md contract, against a real registry.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUpdates } from "../../src/cli/updates.js";
import type { UpdatesIo } from "../../src/cli/updates.js";
import { envKeyForHost } from "../../src/updates/datasource/auth.js";
import { registryUnavailable, startRegistry } from "../support/registry.js";
import type { TestRegistry } from "../support/registry.js";

const unavailable = registryUnavailable();
const NOW = new Date("2026-11-25T00:00:00Z");

function writeTree(root: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
}

async function run(args: string[], cwd: string, env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const io: UpdatesIo = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env, cwd, now: NOW };
  const code = await runUpdates(args, io);
  return { code, stdout, stderr };
}

describe("bulwark updates: usage", () => {
  const dir = mkdtempSync(join(tmpdir(), "bulwark-updates-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("documents the exit codes in --help", async () => {
    const r = await run(["--help"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("bulwark updates [PATH…] [--format text|json] [--config FILE]");
    expect(r.stdout).toContain("1 every registry/repository lookup failed");
  });

  it("exits 2 on usage and config errors", async () => {
    expect((await run(["--format", "sarif"], dir)).code).toBe(2);
    expect((await run(["--bogus"], dir)).code).toBe(2);
    expect((await run(["does-not-exist"], dir)).code).toBe(2);
    writeFileSync(join(dir, "bad.yml"), "updates:\n  policy: weekly\n");
    const bad = await run(["--config", "bad.yml"], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("invalid config");
    expect(bad.stderr).toContain("updates.policy");
  });

  it("does nothing when updates are disabled", async () => {
    writeFileSync(join(dir, "off.yml"), "updates:\n  enabled: false\n");
    const r = await run(["--config", "off.yml", "--format", "json"], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ updates: [], errors: [] });
    expect(r.stderr).toContain("updates.enabled: false");
  });

  it("exits 0 with nothing to look up, 1 when every lookup fails", async () => {
    const empty = mkdtempSync(join(tmpdir(), "bulwark-updates-empty-"));
    try {
      const none = await run([], empty);
      expect(none.code).toBe(0);
      expect(none.stdout).toContain("Everything is up to date.");
      writeTree(empty, { Dockerfile: "FROM 127.0.0.1:9/acme/app:1.0.0\n" });
      const dead = await run(["--format", "json"], empty);
      expect(dead.code).toBe(1);
      const out = JSON.parse(dead.stdout) as { updates: unknown[]; errors: { path: string; dependency: string; message: string }[] };
      expect(out.updates).toEqual([]);
      expect(out.errors).toHaveLength(1);
      expect(out.errors[0]).toMatchObject({ path: "Dockerfile", dependency: "127.0.0.1:9/acme/app" });
      expect(out.errors[0]!.message).toContain("cannot reach 127.0.0.1:9");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe.skipIf(unavailable !== undefined)("bulwark updates against a registry", () => {
  let reg: TestRegistry;
  let auth: TestRegistry;
  let dir: string;

  beforeAll(async () => {
    reg = await startRegistry();
    for (const t of ["1.0.0", "1.0.3", "1.1.0", "2.0.0"]) await reg.pushImage("acme/api", t);
    auth = await startRegistry({ tokenAuth: { users: { ci: "ci-token-value" }, grant: (user, _repo, req) => (user === "ci" ? req : []) } });
    for (const t of ["5.0.0", "5.1.0"]) await auth.pushImage("team/worker", t);
    dir = mkdtempSync(join(tmpdir(), "bulwark-updates-cli-"));
    writeTree(dir, {
      "Dockerfile": `FROM ${reg.host}/acme/api:1.0.0 AS base\nFROM base\n`,
      "k8s/worker.yaml": `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: worker}\nspec:\n  template:\n    spec:\n      containers:\n        - name: worker\n          image: ${auth.host}/team/worker:5.0.0\n`,
      "notes.txt": "not scanned",
    });
  });
  afterAll(async () => {
    await reg?.stop();
    await auth?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("prints the JSON contract and exits 0 even with updates and some failed lookups", async () => {
    const r = await run(["--format", "json"], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      updates: [
        {
          path: "Dockerfile",
          range: { startLine: 1, startColumn: 6, endLine: 1, endColumn: 6 + `${reg.host}/acme/api:1.0.0`.length },
          kind: "image",
          name: `${reg.host}/acme/api`,
          current: "1.0.0",
          proposed: "1.1.0",
          reasons: ["newer"],
          major: false,
        },
      ],
      errors: [
        {
          path: "k8s/worker.yaml",
          dependency: `${auth.host}/team/worker`,
          message: `${auth.host}/team/worker tags: ${auth.host} requires authentication (HTTP 401); set ${envKeyForHost(auth.host)}`,
        },
      ],
    });
  });

  it("uses BULWARK_REGISTRY_AUTH_<HOST> credentials, the config's policy, and prints text", async () => {
    writeFileSync(join(dir, "bulwark.yml"), "updates:\n  policy: major\n");
    const r = await run(["--config", "bulwark.yml", "."], dir, { [envKeyForHost(auth.host)]: "ci:ci-token-value" });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^Dockerfile:1 +image ${reg.host.replace(/\./g, "\\.")}/acme/api +1\\.0\\.0 → 2\\.0\\.0 +newer \\(major\\)$`));
    expect(lines[1]).toMatch(/^k8s\/worker\.yaml:9 +image .+\/team\/worker +5\.0\.0 → 5\.1\.0 +newer$/);
    expect(lines.at(-1)).toBe("2 updates for 2 dependencies.");
    expect(r.stdout).not.toContain("ci-token-value");
  });

  it("reads a docker config.json named by BULWARK_DOCKER_CONFIG", async () => {
    writeFileSync(join(dir, "docker.json"), JSON.stringify({ auths: { [auth.host]: { auth: Buffer.from("ci:ci-token-value").toString("base64") } } }));
    const r = await run(["--format", "json", "k8s"], dir, { BULWARK_DOCKER_CONFIG: "docker.json" });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { updates: { proposed: string }[] }).updates.map((u) => u.proposed)).toEqual(["5.1.0"]);
  });
});

if (unavailable) {
  describe("bulwark updates against a registry", () => {
    it.skip(`SKIPPED: ${unavailable}`, () => undefined);
  });
}
