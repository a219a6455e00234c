import { describe, expect, it } from "vitest";
import { ConfigLoadError, mergeConfigs, parseConfig } from "../../src/core/config/load.js";
import { scan } from "../../src/core/engine/scan.js";

function errorsOf(text: string): string[] {
  try {
    parseConfig(text, ".github/bulwark.yml", new Set(["K8S-RUNTIME-001", "K8S-HOST-001"]));
  } catch (err) {
    if (err instanceof ConfigLoadError) return err.errors.map((e) => `${e.line}:${e.column} ${e.message}`);
    throw err;
  }
  return [];
}

describe("config", () => {
  it("reads every documented key", () => {
    const { config, extends: ext } = parseConfig(
      "_extends: acme/.github\nfailOn: medium\nprofile: pss-restricted\ninclude: [deploy/**]\nexclude: [deploy/legacy/**]\ntrustedRegistries: [ghcr.io/acme/]\ntargetKubernetesVersion: '1.31'\nrules:\n  K8S-HOST-001: off\n  K8S-RUNTIME-001: {severity: high}\nreview: {maxComments: 10, gate: all}\n",
    );
    expect(ext).toBe("acme/.github");
    expect(config.failOn).toBe("medium");
    expect(config.profile).toBe("pss-restricted");
    expect(config.include).toEqual(["deploy/**"]);
    expect(config.targetKubernetesVersion).toBe("1.31");
    expect(config.rules["K8S-HOST-001"]).toEqual({ enabled: false });
    expect(config.rules["K8S-RUNTIME-001"]).toEqual({ severity: "high" });
    expect(config.review).toMatchObject({ maxComments: 10, gate: "all" });
  });

  it("reports errors with their line and column", () => {
    expect(errorsOf("failOn: severe\n")).toEqual(['1:9 failOn must be one of critical, high, medium, low, info (got "severe")']);
    expect(errorsOf("profile: hardened\nfailon: high\n")[0]).toMatch(/^2:1 unknown key "failon"/);
    expect(errorsOf("rules:\n  K8S-NOPE-001: off\n")[0]).toMatch(/^2:3 unknown rule K8S-NOPE-001/);
    expect(errorsOf("review:\n  maxComments: many\n")[0]).toMatch(/^2:16 review.maxComments must be an integer/);
    expect(errorsOf("targetKubernetesVersion: 1.30\n")[0]).toMatch(/quote it/);
    expect(errorsOf("failOn: [high\n")[0]).toMatch(/^\d+:\d+ /);
  });

  it("an empty file is the default config", () => {
    expect(parseConfig("").config.failOn).toBe("high");
  });

  it("_extends: the repository's keys override the organisation's", () => {
    const org = parseConfig("failOn: low\nprofile: pss-baseline\nrules:\n  K8S-HOST-001: off\n").config;
    const repoText = "failOn: critical\nrules:\n  K8S-RUNTIME-001: off\n";
    const merged = mergeConfigs(org, parseConfig(repoText).config, repoText);
    expect(merged.failOn).toBe("critical");
    expect(merged.profile).toBe("pss-baseline");
    expect(merged.rules).toEqual({ "K8S-HOST-001": { enabled: false }, "K8S-RUNTIME-001": { enabled: false } });
  });

  it("profiles select rules: pss-baseline runs no restricted rule", () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: a:1}]\n";
    const baseline = scan([{ path: "p.yaml", text }], { config: parseConfig("profile: pss-baseline").config });
    expect(baseline.findings.filter((f) => !f.ruleId.startsWith("BULWARK-"))).toEqual([]);
    const restricted = scan([{ path: "p.yaml", text }], { config: parseConfig("profile: pss-restricted").config });
    expect(new Set(restricted.findings.map((f) => f.ruleId))).toEqual(new Set(["K8S-RUNTIME-002", "K8S-RUNTIME-003", "K8S-RUNTIME-007", "K8S-RUNTIME-009"]));
  });
});
