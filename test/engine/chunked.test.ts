// scanInChunks: the same result as one scan (findings in order, suppressions, summary), while
// each scan sees at most a chunk of files. Run with tiny chunks over every kind of input the
// repository ships: manifests with cross-resource findings, a Helm chart, a Kustomize tree,
// Dockerfiles, and bad input.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it, vi } from "vitest";
import * as engine from "../../src/core/engine/scan.js";
import { scanInChunks } from "../../src/core/engine/chunked.js";
import { parseConfig } from "../../src/core/config/load.js";
import type { Finding, SourceFile } from "../../src/core/types.js";

const ROOT = join(import.meta.dirname, "../..");

function filesUnder(dir: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ path: relative(ROOT, p), text: readFileSync(p, "utf8") });
    }
  };
  walk(join(ROOT, dir));
  return out;
}

const view = (f: Finding) => ({ ruleId: f.ruleId, path: f.path, range: f.range, message: f.message, fingerprint: f.fingerprint, severity: f.severity, suppressed: f.suppressed ?? null, fix: f.fix?.edits ?? null });

const BAD: SourceFile[] = [
  { path: "bad/invalid.yaml", text: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   labels: [\n" },
  { path: "bad/Dockerfile", text: "RUN echo no from\n" },
  { path: "bad/suppressed.yaml", text: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: s\nspec:\n  # bulwark:ignore K8S-RUNTIME-001\n  containers:\n    - name: a\n      image: nginx:1.27\n      securityContext: {privileged: true}\n" },
];

describe("scanInChunks", () => {
  const files = [...filesUnder("examples"), ...filesUnder("test/fixtures/realworld"), ...filesUnder("test/fixtures/helm"), ...filesUnder("test/fixtures/kustomize"), ...filesUnder("deploy"), ...BAD];
  const now = new Date("2026-11-25");

  it.each([
    ["describe", 3],
    ["plan", 7],
    ["describe", 1],
  ] as const)("fixes: %s, chunks of %i files: the findings and summary of one scan", (fixes, size) => {
    const one = engine.scan(files, { now, fixes });
    const chunked = scanInChunks(files, { now, fixes }, size);
    expect(one.findings.length).toBeGreaterThan(100);
    // Cross-file rules fired (so both passes are exercised).
    expect(one.findings.some((f) => ["K8S-NET-001", "K8S-RBAC-010"].includes(f.ruleId) || f.ruleId.startsWith("K8S-NET"))).toBe(true);
    expect(chunked.findings.map(view)).toEqual(one.findings.map(view));
    expect(chunked.summary).toEqual(one.summary);
  });

  it("the same with a config (profile, disabled rule, onlyRules) and known paths", () => {
    const { config } = parseConfig("profile: pss-restricted\nrules:\n  K8S-RUNTIME-001: off\n");
    const opts = { now, config, knownPaths: ["examples/.dockerignore"] };
    expect(scanInChunks(files, opts, 4).findings.map(view)).toEqual(engine.scan(files, opts).findings.map(view));
    const only = { now, onlyRules: ["K8S-RUNTIME-002", "K8S-NET-001"] };
    expect(scanInChunks(files, only, 4).findings.map(view)).toEqual(engine.scan(files, only).findings.map(view));
  });

  it("no scan sees more than a chunk, except the one cross-file pass; a chart stays in one chunk", () => {
    const spy = vi.spyOn(engine, "scan");
    try {
      scanInChunks(files, { now }, 5);
      const sizes = spy.mock.calls.map((c) => c[0].length);
      expect(sizes.filter((n) => n === files.length)).toHaveLength(1);
      const chartFiles = files.filter((f) => f.path.startsWith("test/fixtures/helm/web/")).length;
      // A chunk grows past 5 only to keep a chart whole (this repository's own chart has 8 files).
      const largestChart = Math.max(chartFiles, files.filter((f) => f.path.startsWith("deploy/helm/bulwark/")).length);
      expect(sizes.filter((n) => n !== files.length).every((n) => n <= Math.max(5, largestChart))).toBe(true);
      const chartScans = spy.mock.calls.filter((c) => c[0].length !== files.length && c[0].some((f) => f.path.startsWith("test/fixtures/helm/web/")));
      expect(chartScans).toHaveLength(1);
      expect(chartScans[0]![0].filter((f) => f.path.startsWith("test/fixtures/helm/web/"))).toHaveLength(chartFiles);
    } finally {
      spy.mockRestore();
    }
  });

  it("falls back to one scan with the engine's fix verification, or over limits.maxFiles", () => {
    const spy = vi.spyOn(engine, "scan");
    try {
      scanInChunks(files.slice(0, 10), { now, verifyFixes: true }, 2);
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockClear();
      const { config } = parseConfig("limits: { maxFiles: 5 }\n");
      const r = scanInChunks(files, { now, config }, 2);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(r.findings.some((f) => f.ruleId === "BULWARK-LIMIT" && /more than 5 files/.test(f.message))).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });
});
