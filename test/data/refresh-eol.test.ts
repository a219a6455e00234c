// scripts/refresh-eol.mjs needs the network in real use; --from-dir feeds it endoflife.date API v0
// responses from disk so its merge logic is tested offline. Always --dry-run: the committed
// snapshot must not change under test.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EOL_SNAPSHOT } from "../../src/core/data/eol.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCRIPT = join(ROOT, "scripts/refresh-eol.mjs");
const SNAPSHOT_FILE = join(ROOT, "rules/data/eol-snapshot.yaml");

let dir: string;

/** Fake API v0 answers built from the current snapshot: capitalised codenames, a new Node major, a RHEL minor. */
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bulwark-eol-"));
  for (const p of Object.values(EOL_SNAPSHOT.products)) {
    if (!p.endoflife) continue;
    const rows: Record<string, unknown>[] = p.cycles.map((c) => ({
      cycle: c.cycle,
      releaseDate: "2020-01-01",
      codename: c.codename ? `${c.codename[0]!.toUpperCase()}${c.codename.slice(1)} Something` : null,
      eol: c.eol,
      lts: c.lts ?? false,
      support: c.support ?? true,
      extendedSupport: c.extendedSupport ?? false,
      latest: "1.0.0",
    }));
    if (p.endoflife === "nodejs") rows.unshift({ cycle: "27", eol: "2028-06-01", lts: false, support: "2027-10-20", latest: "27.0.0" });
    if (p.endoflife === "rhel") rows.push({ cycle: "9.4", eol: "2026-04-30", lts: false });
    if (p.endoflife === "python") rows.shift(); // upstream "forgets" 3.14: kept, with a warning
    writeFileSync(join(dir, `${p.endoflife}.json`), JSON.stringify(rows));
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  return spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: "utf8" });
}

describe("scripts/refresh-eol.mjs", () => {
  it("--dry-run prints a refreshed, valid snapshot and writes nothing", () => {
    const before = readFileSync(SNAPSHOT_FILE, "utf8");
    const r = run("--dry-run", `--from-dir=${dir}`, "--date=2026-09-01");
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(SNAPSHOT_FILE, "utf8")).toBe(before);

    const next = parse(r.stdout);
    expect(next.snapshotDate).toBe("2026-09-01");
    expect(next.sourceRef).toMatch(/API v0.*fetched 2026-09-01/);
    // New upstream cycle, normalised codenames, filtered RHEL minors, kept curated cycle.
    expect(next.products.node.cycles[0]).toEqual({ cycle: "27", support: "2027-10-20", eol: "2028-06-01" });
    expect(next.products.ubuntu.cycles.find((c: { cycle: string }) => c.cycle === "22.04").codename).toBe("jammy");
    expect(next.products.ubi.cycles.map((c: { cycle: string }) => c.cycle)).toEqual(["10", "9", "8", "7"]);
    expect(next.products.python.cycles.at(-1).cycle).toBe("3.14");
    expect(r.stderr).toMatch(/node: \+1 \(27\)/);
    expect(r.stderr).toMatch(/python: kept, not upstream: 3\.14/);
    // Everything that is not cycle data survives, comments included.
    expect(next.images).toEqual(EOL_SNAPSHOT.images);
    expect(next.osSuffixes).toEqual(EOL_SNAPSHOT.osSuffixes);
    expect(next.products["ingress-nginx"]).toEqual(EOL_SNAPSHOT.products["ingress-nginx"]);
    expect(next.products.python.allEolUpTo).toBe("3.9");
    expect(r.stdout).toContain("# End-of-life snapshot for base images");
  });

  it("when upstream agrees, only the snapshotDate and sourceRef lines change", () => {
    const r = run("--dry-run", `--from-dir=${dir}`, "--date=2026-09-01", "--only=debian,alpine,golang");
    expect(r.status, r.stderr).toBe(0);
    const before = readFileSync(SNAPSHOT_FILE, "utf8").split("\n");
    const after = r.stdout.split("\n");
    expect(after.length).toBe(before.length);
    const changed = after.filter((l, i) => l !== before[i]);
    expect(changed).toEqual([expect.stringMatching(/^snapshotDate: 2026-09-01$/), expect.stringMatching(/^sourceRef: .*debian, alpine, golang/)]);
  });

  it("aborts without writing when any product cannot be fetched", () => {
    const partial = mkdtempSync(join(tmpdir(), "bulwark-eol-partial-"));
    try {
      writeFileSync(join(partial, "debian.json"), readFileSync(join(dir, "debian.json")));
      const before = readFileSync(SNAPSHOT_FILE, "utf8");
      const r = run(`--from-dir=${partial}`, "--date=2026-09-01");
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/refresh-eol: .*ENOENT/);
      expect(readFileSync(SNAPSHOT_FILE, "utf8")).toBe(before);
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
  });

  it("rejects malformed upstream rows and unknown arguments", () => {
    const bad = mkdtempSync(join(tmpdir(), "bulwark-eol-bad-"));
    try {
      writeFileSync(join(bad, "nodejs.json"), JSON.stringify([{ cycle: "22", eol: "soon" }]));
      const r = run("--dry-run", `--from-dir=${bad}`, "--only=node");
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/node 22: unexpected eol "soon"/);
      expect(run("--frobnicate").stderr).toMatch(/unknown argument --frobnicate/);
      expect(run("--dry-run", "--only=ingress-nginx").stderr).toMatch(/not a product with an endoflife slug/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});
