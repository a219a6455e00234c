import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import type { ValidateFunction } from "ajv";
import type { Finding } from "../../src/core/types.js";
import { artifactLocation, buildSarif, formatSarif, toSarif } from "../../src/report/sarif.js";
import type { SarifLog, SarifResult } from "../../src/report/sarif.js";
import {
  ALL,
  ctx,
  DOCKER_NO_USER,
  DOCKERFILE_CRLF,
  DOCKERFILE_CRLF_FIXED,
  LATEST_TAG_SUPPRESSED,
  MANIFEST,
  many,
  PARSE_ERROR,
  PRIVILEGED_WINDOWS,
  RUN_AS_ROOT,
  scan,
} from "./fixtures.js";

// ajv-formats is CommonJS: under NodeNext its default import is module.exports, whose `.default` is the plugin.
const addFormats = addFormatsModule.default;

let validate: ValidateFunction;

beforeAll(() => {
  const schemaPath = new URL("../fixtures/sarif/sarif-schema-2.1.0.json", import.meta.url);
  const schema = JSON.parse(readFileSync(schemaPath, "utf8")) as object;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  validate = ajv.compile(schema);
});

function expectValid(text: string): SarifLog {
  const log = JSON.parse(text) as SarifLog;
  const ok = validate(log);
  expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toEqual([]);
  expect(ok).toBe(true);
  expectGitHubConstraints(log);
  return log;
}

/** What GitHub code scanning needs beyond the schema (sarif-support-for-code-scanning docs). */
function expectGitHubConstraints(log: SarifLog): void {
  expect(log.$schema).toMatch(/^https:\/\//);
  expect(log.runs).toHaveLength(1);
  const run = log.runs[0]!;
  const rules = run.tool.driver.rules;
  expect(run.tool.driver.name).toBeTruthy();
  expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  for (const r of rules) {
    expect(r.shortDescription.text.length).toBeLessThanOrEqual(1024);
    expect(r.fullDescription.text.length).toBeLessThanOrEqual(1024);
    expect(r.help.text.length).toBeGreaterThan(0);
    expect(r.help.markdown.length).toBeGreaterThan(0);
    expect(r.properties.tags).toContain("security");
    expect(r.properties.tags.length).toBeLessThanOrEqual(10);
    const score = Number(r.properties["security-severity"]);
    expect(score).toBeGreaterThan(0);
    expect(score).toBeLessThanOrEqual(10);
  }
  expect(run.results.length).toBeLessThanOrEqual(25_000);
  const referenced = new Set<string>();
  for (const res of run.results) {
    expect(rules[res.ruleIndex]!.id).toBe(res.ruleId);
    referenced.add(res.ruleId);
    expect(res.message.text.length).toBeGreaterThan(0);
    expect(res.locations).toHaveLength(1);
    const loc = res.locations[0]!.physicalLocation;
    expect(loc.artifactLocation.uri).not.toContain("\\");
    expect(loc.region.startLine).toBeGreaterThanOrEqual(1);
  }
  // Every rule in the driver is referenced by a result (and vice versa).
  expect([...referenced].sort()).toEqual(rules.map((r) => r.id));
}

function resultFor(log: SarifLog, f: Finding): SarifResult {
  const r = log.runs[0]!.results.find((x) => x.partialFingerprints["bulwarkFingerprint/v1"] === f.fingerprint);
  expect(r, f.fingerprint).toBeDefined();
  return r!;
}

/** Apply SARIF replacements (offsets into the original text) the way a consumer does. */
function applyReplacements(text: string, res: SarifResult, uri: string): string {
  const change = res.fixes![0]!.artifactChanges.find((c) => c.artifactLocation.uri === uri)!;
  let out = text;
  for (const rep of [...change.replacements].reverse()) {
    const start = rep.deletedRegion.charOffset!;
    out = out.slice(0, start) + (rep.insertedContent?.text ?? "") + out.slice(start + rep.deletedRegion.charLength!);
  }
  return out;
}

describe("formatSarif", () => {
  it("validates against a schema that does reject bad logs", () => {
    const good = toSarif(scan(), ctx());
    expect(validate(good)).toBe(true);
    const badLevel = structuredClone(good);
    (badLevel.runs[0]!.results[0] as unknown as { level: string }).level = "critical";
    expect(validate(badLevel)).toBe(false);
    const badUri = structuredClone(good);
    badUri.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri = "a b\\c";
    expect(validate(badUri)).toBe(false);
    expect(validate({ version: "2.1.0", runs: [{ tool: { driver: {} } }] })).toBe(false);
  });

  it("is valid SARIF 2.1.0 (official schema) and meets GitHub's upload requirements", () => {
    const log = expectValid(formatSarif(scan(), ctx({ cwd: "C:\\repo" })));
    expect(log.version).toBe("2.1.0");
    expect(log.runs[0]!.tool.driver).toMatchObject({ name: "bulwark", version: "0.1.0", semanticVersion: "0.1.0", informationUri: "https://example.invalid/bulwark" });
    expect(log.runs[0]!.columnKind).toBe("utf16CodeUnits");
    expect(log.runs[0]!.invocations).toEqual([{ executionSuccessful: true }]);
  });

  it("describes every referenced rule: name, descriptions, help (description + remediation), tags, security-severity, level", () => {
    const log = toSarif(scan(), ctx());
    const rules = log.runs[0]!.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(["BULWARK-PARSE-001", "DOCKER-USER-001", "K8S-HOST-001", "K8S-IMAGE-001", "K8S-RUNTIME-002"]);
    const root = rules.find((r) => r.id === "K8S-RUNTIME-002")!;
    expect(root).toMatchObject({
      name: "ContainerMayRunAsRoot",
      shortDescription: { text: "Container may run as root" },
      fullDescription: { text: "The container does not set runAsNonRoot: true, so it may run as UID 0." },
      helpUri: "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
      defaultConfiguration: { level: "error" },
      properties: { tags: ["security", "runtime", "pss-restricted"], category: "runtime", precision: "very-high", "security-severity": "8.0" },
    });
    expect(root.help.text).toContain("Remediation: Set securityContext.runAsNonRoot: true");
    expect(root.help.markdown).toContain("### Remediation\n\nSet securityContext.runAsNonRoot: true");
    expect(root.help.markdown).toContain("- Pod Security Standards (restricted): Running as Non-root");
    expect(root.help.markdown).toContain("Kubescape C-0013; Checkov CKV_K8S_23");
    const scores = Object.fromEntries(rules.map((r) => [r.id, r.properties["security-severity"]]));
    expect(scores).toEqual({ "BULWARK-PARSE-001": "1.0", "DOCKER-USER-001": "3.0", "K8S-HOST-001": "9.5", "K8S-IMAGE-001": "5.5", "K8S-RUNTIME-002": "8.0" });
  });

  it("builds a descriptor for a rule missing from the catalog", () => {
    const parse = toSarif(scan([PARSE_ERROR]), ctx()).runs[0]!.tool.driver.rules[0]!;
    expect(parse).toMatchObject({ id: "BULWARK-PARSE-001", name: "FileCouldNotBeParsed", shortDescription: { text: "File could not be parsed" }, properties: { category: "bulwark" } });
    expect(parse.help.text).toBe("File could not be parsed");
  });

  it("uses the effective severity when config overrides the catalog", () => {
    const raised = { ...DOCKER_NO_USER, severity: "critical" as const };
    const log = toSarif(scan([raised]), ctx());
    const r = log.runs[0]!.tool.driver.rules[0]!;
    expect(r.properties["security-severity"]).toBe("9.5");
    expect(r.defaultConfiguration.level).toBe("note"); // the catalog default
    expect(log.runs[0]!.results[0]!.level).toBe("error");
  });

  it("maps severities to levels: critical/high → error, medium → warning, low/info → note", () => {
    const log = toSarif(scan(), ctx());
    expect(resultFor(log, PRIVILEGED_WINDOWS).level).toBe("error");
    expect(resultFor(log, RUN_AS_ROOT).level).toBe("error");
    expect(resultFor(log, LATEST_TAG_SUPPRESSED).level).toBe("warning");
    expect(resultFor(log, DOCKER_NO_USER).level).toBe("note");
    expect(resultFor(log, PARSE_ERROR).level).toBe("note");
  });

  it("writes the exact region, a repo-relative POSIX uri under %SRCROOT%, fingerprint and resource", () => {
    const log = toSarif(scan(), ctx({ cwd: "C:\\repo" }));
    const res = resultFor(log, RUN_AS_ROOT);
    expect(res).toMatchObject({
      ruleId: "K8S-RUNTIME-002",
      message: { text: RUN_AS_ROOT.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: "deploy/web.yaml", uriBaseId: "%SRCROOT%" },
            region: { startLine: 9, startColumn: 11, endLine: 9, endColumn: 20 },
          },
        },
      ],
      partialFingerprints: { "bulwarkFingerprint/v1": "a1b2c3d4e5f60718" },
      properties: { severity: "high", resource: "Deployment/web/app", namespace: "prod" },
    });
    expect(resultFor(log, PRIVILEGED_WINDOWS).locations[0]!.physicalLocation.artifactLocation).toEqual({ uri: "charts/db/templates/sts.yaml", uriBaseId: "%SRCROOT%" });
    expect(resultFor(log, PRIVILEGED_WINDOWS).message.text).toBe(PRIVILEGED_WINDOWS.message);
    expect(resultFor(log, PARSE_ERROR).locations[0]!.physicalLocation.artifactLocation.uri).toBe("apps/my%20app/d%C3%A9pl.yaml");
  });

  it("encodes paths as URI references", () => {
    expect(artifactLocation("./a/b c#1?.yaml")).toEqual({ uri: "a/b%20c%231%3F.yaml", uriBaseId: "%SRCROOT%" });
    expect(artifactLocation("k8s\\x:y.yaml")).toEqual({ uri: "k8s/x%3Ay.yaml", uriBaseId: "%SRCROOT%" });
    expect(artifactLocation("/work/repo/k8s/a.yaml", "/work/repo/")).toEqual({ uri: "k8s/a.yaml", uriBaseId: "%SRCROOT%" });
    expect(artifactLocation("/elsewhere/a.yaml", "/work/repo")).toEqual({ uri: "file:///elsewhere/a.yaml" });
    expect(artifactLocation("D:\\other\\a.yaml", "C:\\repo")).toEqual({ uri: "file:///D:/other/a.yaml" });
    expect(artifactLocation("c:\\REPO\\a.yaml", "C:\\repo")).toEqual({ uri: "a.yaml", uriBaseId: "%SRCROOT%" });
  });

  it("keeps regions valid when a range is degenerate", () => {
    const odd = { ...PARSE_ERROR, range: { startLine: 0, startColumn: 0, endLine: 0, endColumn: 0 } };
    const log = expectValid(formatSarif(scan([odd]), ctx()));
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.region).toEqual({ startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 });
  });

  it("writes suppressed findings as results with an inSource suppression and justification", () => {
    const log = toSarif(scan(), ctx());
    expect(resultFor(log, LATEST_TAG_SUPPRESSED).suppressions).toEqual([
      { kind: "inSource", justification: "pinned by the CD pipeline", properties: { source: "comment:deploy/web.yaml:9" } },
    ]);
    expect(resultFor(log, RUN_AS_ROOT).suppressions).toBeUndefined();
    const external = { ...LATEST_TAG_SUPPRESSED, suppressed: { reason: "", source: "config:.github/bulwark.yml" } };
    expect(toSarif(scan([external]), ctx()).runs[0]!.results[0]!.suppressions).toEqual([{ kind: "external", properties: { source: "config:.github/bulwark.yml" } }]);
  });

  it("writes fixes as artifactChanges whose replacements reproduce the fixed text (CRLF, non-BMP characters)", () => {
    const log = expectValid(formatSarif(scan(), ctx()));
    const docker = resultFor(log, DOCKER_NO_USER);
    expect(docker.fixes).toEqual([
      {
        description: { text: "Add USER 10001 (changes the runtime user)" },
        artifactChanges: [
          {
            artifactLocation: { uri: "images/api/Dockerfile", uriBaseId: "%SRCROOT%" },
            replacements: [{ deletedRegion: { charOffset: DOCKERFILE_CRLF.length, charLength: 0 }, insertedContent: { text: "USER 10001\r\n" } }],
          },
        ],
      },
    ]);
    expect(applyReplacements(DOCKERFILE_CRLF, docker, "images/api/Dockerfile")).toBe(DOCKERFILE_CRLF_FIXED);
    const root = resultFor(log, RUN_AS_ROOT);
    expect(applyReplacements(MANIFEST, root, "deploy/web.yaml")).toContain("        - name: app\n          securityContext:\n            runAsNonRoot: true\n          image: nginx:latest\n");
    expect(resultFor(log, PRIVILEGED_WINDOWS).fixes).toBeUndefined();
  });

  it("groups multi-file, multi-edit fixes by artifact with replacements in offset order", () => {
    const multi: Finding = {
      ...RUN_AS_ROOT,
      fix: {
        description: "two files",
        edits: [
          { path: "deploy/web.yaml", start: 20, end: 25, newText: "B" },
          { path: "deploy/other.yaml", start: 0, end: 0, newText: "X" },
          { path: "deploy/web.yaml", start: 2, end: 4, newText: "" },
        ],
      },
    };
    const log = expectValid(formatSarif(scan([multi]), ctx()));
    const changes = log.runs[0]!.results[0]!.fixes![0]!.artifactChanges;
    expect(changes.map((c) => c.artifactLocation.uri)).toEqual(["deploy/web.yaml", "deploy/other.yaml"]);
    expect(changes[0]!.replacements.map((r) => r.deletedRegion)).toEqual([
      { charOffset: 2, charLength: 2 },
      { charOffset: 20, charLength: 5 },
    ]);
    expect(changes[0]!.replacements[0]!.insertedContent).toEqual({ text: "" });
  });

  it("is deterministic and independent of input order", () => {
    expect(formatSarif(scan([...ALL].reverse()), ctx())).toBe(formatSarif(scan(), ctx()));
  });

  it("writes a valid log for an empty scan", () => {
    const log = expectValid(formatSarif(scan([]), ctx({ tool: { name: "bulwark", version: "dev" } })));
    expect(log.runs[0]!.results).toEqual([]);
    expect(log.runs[0]!.tool.driver.rules).toEqual([]);
    expect(log.runs[0]!.tool.driver.semanticVersion).toBeUndefined();
    expect(log.runs[0]!.tool.driver.informationUri).toBeUndefined();
  });

  it("truncates to GitHub's 25,000 results per run, most severe first, with a notification", () => {
    const findings = many(25_003, 50, 20);
    const { log, text } = buildSarif(scan(findings), ctx());
    const run = log.runs[0]!;
    expect(run.results).toHaveLength(25_000);
    // The three dropped ones are the least severe (info) with the highest positions.
    const kept = new Set(run.results.map((r) => r.partialFingerprints["bulwarkFingerprint/v1"]));
    const dropped = findings.filter((f) => !kept.has(f.fingerprint));
    expect(dropped.map((f) => f.severity)).toEqual(["info", "info", "info"]);
    const note = run.invocations[0]!.toolExecutionNotifications![0]!;
    expect(note.level).toBe("warning");
    expect(note.message.text).toContain("3 of 25003 results omitted");
    expect(note.message.text).toContain("at most 25000 results per run");
    expect(validate(JSON.parse(text))).toBe(true);
  });

  it("keeps suppressed results last in line when truncating", () => {
    const active = many(5, 1);
    const suppressed = many(5, 1).map((f, i) => ({ ...f, fingerprint: `s-${i}`, severity: "critical" as const, suppressed: { reason: "ok", source: "annotation" } }));
    const log = toSarif(scan([...suppressed, ...active]), ctx(), { maxResults: 5, maxGzipBytes: 10_000_000 });
    expect(log.runs[0]!.results.every((r) => r.suppressions === undefined)).toBe(true);
  });

  it("shrinks the log under the gzip size limit", () => {
    // Incompressible messages so the gzipped size really grows with the result count.
    const noise = (i: number): string =>
      Array.from({ length: 8 }, (_, k) => createHash("sha256").update(`${i}/${k}`).digest("base64")).join("");
    const findings = many(400, 5).map((f, i) => ({ ...f, message: noise(i) }));
    const limits = { maxResults: 25_000, maxGzipBytes: 60_000 };
    const { log, text } = buildSarif(scan(findings), ctx(), limits);
    expect(gzipSync(text).length).toBeLessThanOrEqual(limits.maxGzipBytes);
    expect(gunzipSync(gzipSync(text)).toString()).toBe(text);
    const n = log.runs[0]!.results.length;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(400);
    expect(log.runs[0]!.invocations[0]!.toolExecutionNotifications![0]!.message.text).toContain(`${400 - n} of 400 results omitted`);
    expectValid(text);
  });
});
