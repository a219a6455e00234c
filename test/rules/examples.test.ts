// One generic test runs every rule's documented examples: failing examples must be
// found, passing ones must not, and fixed examples must be reproduced byte for byte by
// the rule's own fix — which must also make the finding go away.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { parseConfig } from "../../src/core/config/load.js";
import type { BulwarkConfig } from "../../src/core/config/schema.js";
import type { RuleExample, RuleMeta } from "../../src/core/engine/rule.js";
import { scan } from "../../src/core/engine/scan.js";
import { fixFiles } from "../../src/core/engine/fixes.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";

const dir = new URL("../../rules/", import.meta.url);
const rules: RuleMeta[] = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => parse(readFileSync(new URL(f, dir), "utf8")) as RuleMeta);

const NOW = new Date("2026-11-25T00:00:00Z");
// Each example runs with only its rule enabled (off-by-default rules included), under
// the example's own config when it has one.
function exampleConfig(rule: RuleMeta, ex: RuleExample): BulwarkConfig {
  const base = ex.config ? parseConfig(stringify(ex.config), `${rule.id} example "${ex.name}"`).config : structuredClone(DEFAULT_CONFIG);
  return { ...base, rules: { ...base.rules, [rule.id]: { ...base.rules[rule.id], enabled: true } } };
}

function scanExample(rule: RuleMeta, ex: RuleExample, content = ex.content) {
  return scan([{ path: ex.file ?? "manifest.yaml", text: content }], { config: exampleConfig(rule, ex), onlyRules: [rule.id], now: NOW }).findings.filter(
    (f) => f.ruleId === rule.id && !f.suppressed,
  );
}

describe.each(rules.map((r) => [r.id, r] as const))("%s", (_id, rule) => {
  const failing = rule.examples?.failing ?? [];
  const passing = rule.examples?.passing ?? [];

  it("documents at least one failing and one passing example", () => {
    expect(failing.length).toBeGreaterThan(0);
    expect(passing.length).toBeGreaterThan(0);
  });

  if (rule.online) {
    // Online rules are reported by src/updates from registry or scanner data (their examples
    // run in test/updates); the offline engine must never report them.
    for (const ex of [...failing, ...passing]) {
      it(`offline scan stays silent: ${ex.name}`, () => {
        expect(scanExample(rule, ex)).toEqual([]);
      });
    }
    return;
  }
  for (const ex of failing) {
    it(`fails: ${ex.name}`, () => {
      const found = scanExample(rule, ex);
      if (ex.count !== undefined) expect(found).toHaveLength(ex.count);
      else expect(found.length).toBeGreaterThan(0);
      for (const f of found) {
        expect(f.range.startLine).toBeGreaterThan(0);
        expect(f.message.length).toBeGreaterThan(10);
      }
    });
    if (ex.fixed !== undefined) {
      it(`fixes: ${ex.name}`, () => {
        const file = ex.file ?? "manifest.yaml";
        const out = fixFiles([{ path: file, text: ex.content }], { rules: [rule.id] }, { config: exampleConfig(rule, ex), onlyRules: [rule.id], now: NOW });
        const fixed = out.changed.get(file) ?? ex.content;
        expect(fixed).toBe(ex.fixed);
        expect(scanExample(rule, ex, fixed)).toEqual([]);
      });
    }
  }
  for (const ex of passing) {
    it(`passes: ${ex.name}`, () => {
      expect(scanExample(rule, ex)).toEqual([]);
    });
  }
  if (rule.fix === "AUTO" || rule.fix === "AUTO*") {
    it("has a fixed example (AUTO/AUTO* rule)", () => {
      expect(failing.some((e) => e.fixed !== undefined)).toBe(true);
    });
  }
});
