import { readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../src/rules/index.js";
import { RULES } from "../../src/core/data/generated/rules.js";
import { ENGINE_RULE_IDS } from "../../src/core/engine/catalog.js";
import { CATEGORIES, PROFILES } from "../../src/core/engine/rule.js";
import { SEVERITIES } from "../../src/core/types.js";

describe("rule catalog", () => {
  it("every rule file has a check and every check has a rule file", () => {
    const files = readdirSync(new URL("../../rules/", import.meta.url)).filter((f) => f.endsWith(".yaml")).map((f) => f.replace(/\.yaml$/, ""));
    const checks = CHECKS.map((c) => c.id);
    const engine = new Set<string>(ENGINE_RULE_IDS);
    const online = new Set(RULES.filter((r) => r.online).map((r) => r.id));
    expect(files.filter((id) => !checks.includes(id) && !engine.has(id) && !online.has(id))).toEqual([]);
    expect(checks.filter((id) => online.has(id))).toEqual([]);
    expect(checks.filter((id) => !files.includes(id))).toEqual([]);
    expect(new Set(checks).size).toBe(checks.length);
  });

  it("the compiled catalog module is in sync with rules/*.yaml", () => {
    expect(() => execFileSync("node", ["scripts/gen-rules.mjs", "--check"], { stdio: "pipe" })).not.toThrow();
  });

  it("rule metadata is well-formed", () => {
    for (const r of RULES) {
      expect(SEVERITIES, r.id).toContain(r.severity);
      expect(CATEGORIES, r.id).toContain(r.category);
      expect(["AUTO", "AUTO*", "SUGGEST", "NONE"], r.id).toContain(r.fix);
      for (const p of r.profiles) expect(PROFILES, r.id).toContain(p);
      expect(r.description.length, r.id).toBeGreaterThan(20);
      expect(r.remediation.length, r.id).toBeGreaterThan(10);
    }
  });
});
