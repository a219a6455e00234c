// fixes: "describe" (what the app's review scans with): the same findings as a full scan —
// rule, place, message, fingerprint, fixability and fix description — without keeping the
// parsed documents a later fix would be planned from.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { FIX_SOURCES, scan } from "../../src/core/engine/scan.js";
import type { Finding } from "../../src/core/types.js";

const ROOT = join(import.meta.dirname, "../..");

function filesUnder(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ path: relative(ROOT, p), text: readFileSync(p, "utf8") });
    }
  };
  walk(join(ROOT, dir));
  return out;
}

const view = (f: Finding) => ({ ruleId: f.ruleId, path: f.path, range: f.range, message: f.message, fingerprint: f.fingerprint, severity: f.severity, suppressed: f.suppressed ?? false });

describe('fixes: "describe"', () => {
  const files = [...filesUnder("examples"), ...filesUnder("test/fixtures/realworld")];
  const now = new Date("2026-11-25");

  it("finds exactly what a planning scan finds, and knows which are fixable and how", () => {
    const planned = scan(files, { now, fixes: "plan", verifyFixes: false }).findings;
    const described = scan(files, { now, fixes: "describe" }).findings;
    expect(planned.length).toBeGreaterThan(50);
    expect(described.map(view)).toEqual(planned.map(view));
    const fixable = (f: Finding) => f.fix !== undefined || FIX_SOURCES.has(f);
    expect(described.map(fixable)).toEqual(planned.map(fixable));
    expect(described.map((f) => f.fix?.description ?? FIX_SOURCES.get(f)?.description)).toEqual(planned.map((f) => f.fix?.description ?? FIX_SOURCES.get(f)?.description));
  });

  it("keeps no parsed document: no planned edits, nothing to plan them from", () => {
    const described = scan(files, { now, fixes: "describe" }).findings;
    expect(described.some((f) => FIX_SOURCES.get(f)?.kind === "yaml")).toBe(false);
    expect(described.filter((f) => f.fix !== undefined).every((f) => f.path.split("/").pop()!.toLowerCase().includes("dockerfile"))).toBe(true);
  });
});
