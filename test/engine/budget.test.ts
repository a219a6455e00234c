// limits.maxScanMs: a file whose parsing and checks take too long has its remaining checks
// skipped and is reported (BULWARK-LIMIT); the other files are scanned in full. The clock is
// driven by the test (a check that "takes" 20 s on one object), never measured.
import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";
import { Catalog, getCatalog } from "../../src/core/engine/catalog.js";
import type { RuleCheck } from "../../src/core/engine/check.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import { parseConfig } from "../../src/core/config/load.js";
import { ScanBudget } from "../../src/core/engine/budget.js";

const pod = (name: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  hostNetwork: true\n  containers:\n    - name: app\n      image: nginx:1.27\n      securityContext:\n        privileged: true\n        runAsUser: 0\n`;

/** The default catalog with one check made slow: it advances the test clock by 20 s on the object named "slow". */
function slowCatalog(clock: { now: number }, slowRule: string): Catalog {
  const base = getCatalog();
  const checks: RuleCheck[] = [];
  for (const [id, e] of base.entries) {
    if (!e.check) continue;
    if (id !== slowRule) checks.push(e.check);
    else
      checks.push({
        ...e.check,
        object: (o, ctx) => {
          if (o.name === "slow") clock.now += 20_000;
          e.check!.object?.(o, ctx);
        },
      });
  }
  return new Catalog([...base.metas.values()], checks);
}

describe("per-file scan time (limits.maxScanMs)", () => {
  it("skips the remaining checks of the slow file, reports it, and scans the others in full", () => {
    const clock = { now: 0 };
    const ids = [...getCatalog().entries].filter(([, e]) => e.check?.object).map(([id]) => id);
    // The first object-check rule is the slow one, so every later check of the file is skipped.
    const catalog = slowCatalog(clock, ids[0]!);
    const files = [
      { path: "k8s/slow.yaml", text: pod("slow") },
      { path: "k8s/fast.yaml", text: pod("fast") },
    ];
    const result = scan(files, { catalog, clock: () => clock.now, now: new Date("2026-11-25") });
    const slow = result.findings.filter((f) => f.path === "k8s/slow.yaml");
    const fast = result.findings.filter((f) => f.path === "k8s/fast.yaml");
    const limit = slow.filter((f) => f.ruleId === "BULWARK-LIMIT");
    expect(limit).toHaveLength(1);
    expect(limit[0]!.message).toMatch(/^scanning this file took 20000 ms, over the 10000 ms limit \(limits\.maxScanMs\): \d+ rule checks were skipped, so findings may be missing$/);
    expect(limit[0]!.range.startLine).toBe(1);
    // The fast file got every finding (privileged, host network, root…); the slow one fewer.
    expect(fast.map((f) => f.ruleId)).toEqual(expect.arrayContaining(["K8S-RUNTIME-001", "K8S-HOST-001"]));
    expect(fast.some((f) => f.ruleId === "BULWARK-LIMIT")).toBe(false);
    expect(slow.filter((f) => f.ruleId !== "BULWARK-LIMIT").length).toBeLessThan(fast.length);
  });

  it("a higher limit from the config lets the same file finish", () => {
    const clock = { now: 0 };
    const ids = [...getCatalog().entries].filter(([, e]) => e.check?.object).map(([id]) => id);
    const { config } = parseConfig("limits: { maxScanMs: 60000 }\n");
    expect(config.limits).toEqual({ ...DEFAULT_CONFIG.limits, maxScanMs: 60_000 });
    const result = scan([{ path: "k8s/slow.yaml", text: pod("slow") }], { catalog: slowCatalog(clock, ids[0]!), clock: () => clock.now, config, now: new Date("2026-11-25") });
    expect(result.findings.some((f) => f.ruleId === "BULWARK-LIMIT")).toBe(false);
    expect(result.findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(["K8S-RUNTIME-001", "K8S-HOST-001"]));
  });

  it("ScanBudget charges work to its file and skips a file once it is over", () => {
    let now = 0;
    const b = new ScanBudget(100, () => now);
    expect(b.charge("a", () => ((now += 150), "parsed"))).toBe("parsed");
    let ran = 0;
    expect(b.run("a", () => ran++)).toBe(false);
    expect(b.run("b", () => ((now += 50), ran++))).toBe(true);
    expect(b.run("b", () => ran++)).toBe(true);
    expect(ran).toBe(2);
    expect(b.overBudget()).toEqual([{ path: "a", spentMs: 150, skippedChecks: 1 }]);
    // A check that throws is still charged.
    expect(() => b.run("c", () => ((now += 500), (() => { throw new Error("boom"); })()))).toThrow("boom");
    expect(b.isOver("c")).toBe(true);
  });
});
