// Fuzzing the config loader (.github/bulwark.yml, --config, the action's `config` input).
// Properties:
//   - parseConfig never throws anything but ConfigLoadError, whatever the text;
//   - a ConfigLoadError carries at least one error, each with a line and column inside the text;
//   - a config it accepts is well-typed, and the engine scans with it without throwing;
//   - a valid config written out as YAML (any style) reads back to the same settings.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ConfigLoadError, parseConfig } from "../../src/core/config/load.js";
import type { BulwarkConfig } from "../../src/core/config/schema.js";
import { getCatalog } from "../../src/core/engine/catalog.js";
import { PROFILES } from "../../src/core/engine/rule.js";
import { scan } from "../../src/core/engine/scan.js";
import { SEVERITIES } from "../../src/core/types.js";
import { mutateAll, mutationArb, NOW, params } from "./support.js";

const RULE_IDS = [...getCatalog().ids()].sort();
const SAMPLE = [
  { path: "pod.yaml", text: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27\n      securityContext:\n        privileged: true\n" },
  { path: "Dockerfile", text: "FROM node:22-slim\nRUN npm ci\nCMD [\"node\", \"x.js\"]\n" },
];

// Values for every key: mostly valid, sometimes wrong in type or range, sometimes wild.
const wild = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -5, max: 100_000_000 }),
  fc.double({ noNaN: false }),
  fc.string({ maxLength: 12 }),
  fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 2 }),
);
const maybe = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: wild });
const globs = fc.array(fc.constantFrom("deploy/**", "**/*.yaml", "!x", "charts/*/templates/**", "[", "**"), { maxLength: 3 });
const version = fc.oneof(fc.constantFrom("1.30", "v1.29", "1.34", "latest", "1.3"), fc.constant(1.3));
const ruleSetting = fc.oneof(
  fc.constantFrom("off", "on", true, false, ...SEVERITIES),
  fc.record(
    {
      severity: maybe(fc.constantFrom(...SEVERITIES)),
      enabled: maybe(fc.boolean()),
      options: maybe(fc.dictionary(fc.constantFrom("mode", "strict", "x"), fc.oneof(fc.constantFrom("effective", "strict"), fc.boolean()), { maxKeys: 2 })),
    },
    { requiredKeys: [] },
  ),
  wild,
);
const ruleId = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...RULE_IDS) }, { weight: 1, arbitrary: fc.constantFrom("K8S-NOPE-999", "", "k8s-runtime-001") });

const configObject = fc.record(
  {
    failOn: maybe(fc.constantFrom(...SEVERITIES)),
    "fail-on": maybe(fc.constantFrom(...SEVERITIES)),
    profile: maybe(fc.constantFrom(...PROFILES)),
    include: maybe(globs),
    exclude: maybe(globs),
    trustedRegistries: maybe(fc.array(fc.constantFrom("ghcr.io/acme/", "registry.k8s.io", "*.acme.io", "docker.io/library/node"), { maxLength: 3 })),
    targetKubernetesVersion: maybe(version),
    pssVersion: maybe(version),
    rules: maybe(fc.dictionary(ruleId, ruleSetting, { maxKeys: 4 })),
    review: maybe(fc.record({ maxComments: maybe(fc.nat(80)), gate: maybe(fc.constantFrom("introduced", "all")), comments: maybe(fc.boolean()) }, { requiredKeys: [] })),
    updates: maybe(
      fc.record(
        {
          enabled: maybe(fc.boolean()),
          pinDigests: maybe(fc.boolean()),
          policy: maybe(fc.constantFrom("patch", "minor", "major")),
          openPullRequestsLimit: maybe(fc.nat(20)),
          schedule: maybe(fc.constantFrom("daily", "weekly", "6h")),
          insecureRegistries: maybe(fc.array(fc.constantFrom("localhost:5000", "registry.local"), { maxLength: 2 })),
          ignore: maybe(fc.array(fc.constantFrom("node", "redis"), { maxLength: 2 })),
        },
        { requiredKeys: [] },
      ),
    ),
    limits: maybe(
      fc.record(
        { maxFileBytes: maybe(fc.integer({ min: 1, max: 4_000_000 })), maxFiles: maybe(fc.integer({ min: 1, max: 10 })), maxDocuments: maybe(fc.integer({ min: 1, max: 50 })), maxAliasCount: maybe(fc.integer({ min: 1, max: 200 })) },
        { requiredKeys: [] },
      ),
    ),
    helm: maybe(fc.record({ valuesFiles: maybe(fc.array(fc.constantFrom("values-prod.yaml", "values.yaml"), { maxLength: 2 })) }, { requiredKeys: [] })),
    _extends: maybe(fc.constantFrom("acme/.github", "acme/repo:path/file.yml")),
    unknownKey: fc.constant("x"),
  },
  { requiredKeys: [] },
);

const styleArb = fc.record({ flow: fc.boolean(), indent: fc.integer({ min: 1, max: 6 }), quote: fc.boolean() });
function toText(obj: unknown, style: { flow: boolean; indent: number; quote: boolean }): string {
  return stringify(obj, { indent: style.indent, collectionStyle: style.flow ? "flow" : "block", defaultStringType: style.quote ? "QUOTE_DOUBLE" : "PLAIN", lineWidth: 0 });
}

/** parseConfig's outcome, or a description of the forbidden exception. */
function load(text: string, known: boolean): { config?: BulwarkConfig; error?: ConfigLoadError } {
  try {
    return { config: parseConfig(text, "fuzz.yml", known ? getCatalog().ids() : undefined).config };
  } catch (err) {
    if (err instanceof ConfigLoadError) return { error: err };
    throw new Error(`parseConfig threw ${(err as Error)?.name ?? typeof err}, not ConfigLoadError: ${(err as Error)?.stack ?? String(err)}\ninput: ${JSON.stringify(text)}`, { cause: err });
  }
}

function checkOutcome(text: string, out: { config?: BulwarkConfig; error?: ConfigLoadError }, scanIt: boolean): void {
  if (out.error) {
    const lines = text.split(/\r\n|\r|\n/).length;
    expect(out.error.errors.length).toBeGreaterThan(0);
    for (const e of out.error.errors) {
      expect(Number.isInteger(e.line) && e.line >= 1 && e.line <= lines + 1, `line ${e.line} of ${lines}: ${e.message}`).toBe(true);
      expect(Number.isInteger(e.column) && e.column >= 1, `column ${e.column}: ${e.message}`).toBe(true);
      expect(e.message.length).toBeGreaterThan(0);
    }
    expect(out.error.message).toContain("fuzz.yml:");
    return;
  }
  const c = out.config!;
  expect(SEVERITIES).toContain(c.failOn);
  expect(PROFILES).toContain(c.profile);
  for (const n of Object.values(c.limits)) expect(Number.isInteger(n) && n >= 1).toBe(true);
  expect(c.review.maxComments).toBeLessThanOrEqual(50);
  for (const list of [c.include, c.exclude, c.trustedRegistries]) for (const s of list) expect(typeof s).toBe("string");
  if (scanIt) {
    const result = scan(SAMPLE, { config: c, now: NOW });
    expect(result.findings.every((f) => !/^rule \S+ failed on this file/.test(f.message))).toBe(true);
  }
}

describe("fuzz: parseConfig", () => {
  it("random config objects, any YAML style: only ConfigLoadError, errors located, accepted configs usable", () => {
    fc.assert(
      fc.property(configObject, styleArb, fc.boolean(), (obj, style, known) => {
        const text = toText(obj, style);
        checkOutcome(text, load(text, known), true);
      }),
      params(400),
    );
  });

  it("mutated config texts (tabs, anchors, aliases, `{{`, bytes, truncation, CRLF): only ConfigLoadError", () => {
    fc.assert(
      fc.property(configObject, styleArb, fc.array(mutationArb, { minLength: 1, maxLength: 6 }), fc.boolean(), (obj, style, ms, known) => {
        const text = mutateAll(toText(obj, style), ms);
        checkOutcome(text, load(text, known), false);
      }),
      params(800),
    );
  });

  it("arbitrary strings: only ConfigLoadError", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80, unit: "binary" }), (text) => {
        checkOutcome(text, load(text, false), false);
      }),
      params(1000),
    );
  });

  it("a valid config reads back to the settings it was written from", () => {
    const valid = fc.record(
      {
        failOn: fc.constantFrom(...SEVERITIES),
        profile: fc.constantFrom(...PROFILES),
        include: fc.array(fc.constantFrom("deploy/**", "**/*.yaml"), { maxLength: 2 }),
        trustedRegistries: fc.array(fc.constantFrom("ghcr.io/acme/", "registry.k8s.io"), { maxLength: 2 }),
        targetKubernetesVersion: fc.constantFrom("1.30", "1.29", "1.34"),
        rules: fc.dictionary(fc.constantFrom(...RULE_IDS), fc.constantFrom("off", "on", ...SEVERITIES), { maxKeys: 4 }),
        review: fc.record({ maxComments: fc.nat(50), gate: fc.constantFrom("introduced" as const, "all" as const) }),
        limits: fc.record({ maxDocuments: fc.integer({ min: 1, max: 5000 }) }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(valid, styleArb, (obj, style) => {
        const text = toText(obj, style);
        const c = load(text, true).config;
        expect(c, text).toBeDefined();
        if (obj.failOn) expect(c!.failOn).toBe(obj.failOn);
        if (obj.profile) expect(c!.profile).toBe(obj.profile);
        if (obj.include) expect(c!.include).toEqual(obj.include);
        if (obj.trustedRegistries) expect(c!.trustedRegistries).toEqual(obj.trustedRegistries);
        if (obj.targetKubernetesVersion) expect(c!.targetKubernetesVersion).toBe(obj.targetKubernetesVersion);
        if (obj.review) expect(c!.review).toMatchObject(obj.review);
        if (obj.limits) expect(c!.limits.maxDocuments).toBe(obj.limits.maxDocuments);
        for (const [id, v] of Object.entries(obj.rules ?? {})) {
          const r = c!.rules[id];
          if (v === "off") expect(r.enabled).toBe(false);
          else if (v === "on") expect(r.enabled).toBe(true);
          else expect(r).toMatchObject({ enabled: true, severity: v });
        }
      }),
      params(300),
    );
  });

  // Found by this suite: rule options given through a YAML alias used to be read as the alias
  // node's own fields ({source: "o"}), and an alias to a missing anchor was accepted.
  it("rules.<ID>.options given through a YAML alias are resolved", () => {
    const text = "rules:\n  K8S-RUNTIME-001:\n    options: &o {mode: effective}\n  K8S-RUNTIME-003:\n    options: *o\n";
    expect(parseConfig(text).config.rules["K8S-RUNTIME-003"].options).toEqual({ mode: "effective" });
  });

  it("an alias to an undefined anchor in rule options is a ConfigLoadError", () => {
    expect(() => parseConfig("rules:\n  K8S-RUNTIME-003:\n    options: *nowhere\n")).toThrow(ConfigLoadError);
  });
});
