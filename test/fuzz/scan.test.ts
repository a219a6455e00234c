// Fuzzing the engine with damaged real input: the repository's example manifests, every rule
// example (`rules/*.yaml`), deploy/, and Dockerfiles from the same sources, mutated (lines
// deleted, duplicated, swapped, re-indented, tabs, `&`, `*`, `{{`, random bytes, truncation,
// CRLF, BOM). Properties (DESIGN.md "Failure rules", "Contracts"):
//   - scan() never throws, and no rule crashes (a crash becomes a "rule … failed" finding);
//   - every finding names a scanned file and has a valid range inside it (1 ≤ line ≤ lines,
//     columns ≥ 1 and within the line, start ≤ end), a known severity and a fingerprint;
//   - every fix edits only its own file, with in-range, non-overlapping edits that apply;
//     the fixed text scans without throwing;
//   - fixFiles (`--fix`, "Apply fixes") never throws, and a file it changes still parses.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import type { BulwarkConfig } from "../../src/core/config/schema.js";
import { fixFiles } from "../../src/core/engine/fixes.js";
import { applyTextEdits, scan } from "../../src/core/engine/scan.js";
import type { ScanOptions } from "../../src/core/engine/scan.js";
import { SEVERITIES } from "../../src/core/types.js";
import type { Finding, SourceFile } from "../../src/core/types.js";
import { CORPUS, lineLengths, mutatedFrom, NOW, params } from "./support.js";

const PROFILES = ["hardened", "pss-baseline", "pss-restricted", "hygiene"] as const;

function configFor(profile: (typeof PROFILES)[number], trusted: boolean): BulwarkConfig {
  const c = structuredClone(DEFAULT_CONFIG);
  c.profile = profile;
  if (trusted) c.trustedRegistries = ["ghcr.io/acme/", "registry.k8s.io"];
  return c;
}

const optionsArb = fc.record({
  profile: fc.constantFrom(...PROFILES),
  trusted: fc.boolean(),
  rendered: fc.boolean(),
});

/** Everything that must hold of a scan result, as a list of violations (empty = fine). */
export function checkFindings(files: readonly SourceFile[], findings: readonly Finding[]): string[] {
  const problems: string[] = [];
  const byPath = new Map(files.map((f) => [f.path, f.text]));
  for (const f of findings) {
    const where = `${f.ruleId} ${f.path}:${f.range.startLine}:${f.range.startColumn}-${f.range.endLine}:${f.range.endColumn}`;
    if (/^rule \S+ failed on this file/.test(f.message)) problems.push(`${where}: a rule crashed: ${f.message}`);
    const text = byPath.get(f.path);
    if (text === undefined) {
      problems.push(`${where}: path is not one of the scanned files`);
      continue;
    }
    if (!SEVERITIES.includes(f.severity)) problems.push(`${where}: severity ${String(f.severity)}`);
    if (!/^[0-9a-f]{32}$/.test(f.fingerprint)) problems.push(`${where}: fingerprint ${f.fingerprint}`);
    const lens = lineLengths(text);
    const r = f.range;
    const ints = [r.startLine, r.startColumn, r.endLine, r.endColumn].every((n) => Number.isInteger(n));
    if (!ints) problems.push(`${where}: non-integer range`);
    else if (r.startLine < 1 || r.startLine > lens.length || r.endLine < 1 || r.endLine > lens.length) problems.push(`${where}: line outside the ${lens.length}-line file`);
    else if (r.startColumn < 1 || r.endColumn < 1) problems.push(`${where}: column < 1`);
    else if (r.startColumn > lens[r.startLine - 1] + 1 || r.endColumn > lens[r.endLine - 1] + 1) problems.push(`${where}: column beyond the end of its line`);
    else if (r.endLine < r.startLine || (r.endLine === r.startLine && r.endColumn < r.startColumn)) problems.push(`${where}: range ends before it starts`);
    if (f.fix) {
      const edits = f.fix.edits;
      if (edits.length === 0) problems.push(`${where}: fix without edits`);
      const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
      let pos = 0;
      for (const e of sorted) {
        if (e.path !== f.path) problems.push(`${where}: fix edits another file (${e.path})`);
        if (!Number.isInteger(e.start) || !Number.isInteger(e.end) || e.start < 0 || e.end < e.start || e.end > text.length)
          problems.push(`${where}: edit [${e.start}, ${e.end}) outside the ${text.length}-character text`);
        if (e.start < pos) problems.push(`${where}: overlapping edits at ${e.start}`);
        pos = Math.max(pos, e.end);
      }
    }
  }
  return problems;
}

function scanAndCheck(files: SourceFile[], options: ScanOptions): Finding[] {
  let result: ReturnType<typeof scan>;
  try {
    result = scan(files, options);
  } catch (err) {
    throw new Error(`scan() threw: ${(err as Error).stack ?? String(err)}`, { cause: err });
  }
  const problems = checkFindings(files, result.findings);
  expect(problems).toEqual([]);
  return result.findings;
}

/** Apply each fix on its own and re-scan the result: applying must work, scanning must not throw. */
function checkFixesApply(files: SourceFile[], findings: Finding[], options: ScanOptions, limit: number): void {
  let n = 0;
  for (const f of findings) {
    if (!f.fix || n >= limit) continue;
    n++;
    const file = files.find((x) => x.path === f.path)!;
    const fixed = applyTextEdits(file.text, f.fix.edits);
    const again = files.map((x) => (x.path === f.path ? { path: x.path, text: fixed } : x));
    scanAndCheck(again, { ...options, fixes: "none" });
  }
}

describe("fuzz: scan() on mutated manifests", () => {
  it("corpus is there", () => {
    expect(CORPUS.manifests.length).toBeGreaterThan(100);
    expect(CORPUS.dockerfiles.length).toBeGreaterThan(30);
  });

  const manifestPaths = fc.constantFrom("manifest.yaml", "deploy/app.yml", "k8s/templates/app.yaml", "chart/values.yaml", "chart/Chart.yaml", "kustomization.yaml", "x.json");

  it("one mutated manifest: never throws, ranges valid, fixes well-formed and applicable", () => {
    fc.assert(
      fc.property(mutatedFrom(CORPUS.manifests), fc.option(manifestPaths, { nil: undefined }), optionsArb, (m, path, o) => {
        const files = [{ path: path ?? m.path, text: m.text }];
        const options: ScanOptions = { config: configFor(o.profile, o.trusted), now: NOW, rendered: o.rendered };
        const findings = scanAndCheck(files, options);
        checkFixesApply(files, findings, options, 3);
      }),
      params(500),
    );
  });

  it("several mutated manifests together (cross-resource rules, charts): same properties", () => {
    const fileArb = fc.tuple(mutatedFrom(CORPUS.manifests, 3), manifestPaths, fc.nat(3));
    fc.assert(
      fc.property(fc.array(fileArb, { minLength: 2, maxLength: 4 }), optionsArb, (entries, o) => {
        const seen = new Set<string>();
        const files: SourceFile[] = [];
        for (const [m, path, dir] of entries) {
          const p = `d${dir}/${path}`;
          if (seen.has(p)) continue;
          seen.add(p);
          files.push({ path: p, text: m.text });
        }
        scanAndCheck(files, { config: configFor(o.profile, o.trusted), now: NOW, rendered: o.rendered });
      }),
      params(150),
    );
  });

  it("with verifyFixes (the CLI's mode): never throws, same properties", () => {
    fc.assert(
      fc.property(mutatedFrom(CORPUS.manifests, 3), (m) => {
        scanAndCheck([{ path: m.path, text: m.text }], { now: NOW, verifyFixes: true });
      }),
      params(60),
    );
  });

  it("fixFiles (--fix, AUTO and AUTO* fixes) on mutated manifests and Dockerfiles: never throws, changed files still parse", () => {
    const input = fc.oneof(
      mutatedFrom(CORPUS.manifests, 3),
      mutatedFrom(CORPUS.dockerfiles, 3).map((m) => ({ ...m, path: "Dockerfile", text: m.text })),
    );
    fc.assert(
      fc.property(input, fc.boolean(), (m, all) => {
        const files = [{ path: m.path, text: m.text }];
        let outcome: ReturnType<typeof fixFiles>;
        try {
          outcome = fixFiles(files, { includeBehaviourChanging: all }, { now: NOW });
        } catch (err) {
          throw new Error(`fixFiles threw: ${(err as Error).stack}`, { cause: err });
        }
        for (const [path, text] of outcome.changed) {
          const findings = scanAndCheck([{ path, text }], { now: NOW, fixes: "none" });
          const before = scan(files, { now: NOW, fixes: "none" }).findings.filter((f) => f.ruleId === "BULWARK-PARSE").length;
          expect(findings.filter((f) => f.ruleId === "BULWARK-PARSE").length, `fixed ${path} no longer parses:\n${text}`).toBeLessThanOrEqual(before);
        }
      }),
      params(50),
    );
  });

  it("random YAML-ish text from scratch: never throws, ranges valid", () => {
    const token = fc.constantFrom("apiVersion: v1", "apiVersion: apps/v1", "kind: Pod", "kind: Deployment", "metadata:", "name: x", "spec:", "template:", "containers:", "- name: c", "image: nginx", "securityContext:", "privileged: true", "- ", "---", "&a", "*a", "{{ x }}", "[", "]", "{", "}", ":", "#", "'", '"', "\t", "");
    const line = fc.tuple(fc.nat(8), fc.array(token, { maxLength: 3 })).map(([indent, parts]) => " ".repeat(indent) + parts.join(" "));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.constantFrom("\n", "\r\n"), (lines, nl) => {
        const text = lines.join(nl);
        scanAndCheck([{ path: "random.yaml", text }], { now: NOW });
      }),
      params(300),
    );
  });
});


describe("fuzz: scan() on mutated Dockerfiles", () => {
  it("a lone CR inside a RUN line keeps every offset inside the text", () => {
    // Found by the property below (seed 184662604), minimised by hand: dockerfile-ast breaks
    // lines at a lone CR, Docker does not, and the offsets used to drift past the end.
    const text = "FROM debian:13-slim\nRUN a \rb\n"; // 29 characters
    const findings = scan([{ path: "Dockerfile", text }], { now: NOW, onlyRules: ["DOCKER-001"] }).findings;
    const fix = findings.find((f) => f.ruleId === "DOCKER-001")?.fix;
    expect(fix).toBeDefined();
    expect(checkFindings([{ path: "Dockerfile", text }], findings)).toEqual([]);
  });

  const dockerPaths = fc.constantFrom("Dockerfile", "build/Dockerfile.prod", "app.dockerfile", "Containerfile");

  it("one mutated Dockerfile: never throws, ranges valid, fixes well-formed and applicable", () => {
    fc.assert(
      fc.property(mutatedFrom(CORPUS.dockerfiles), dockerPaths, optionsArb, (m, path, o) => {
        const files = [{ path, text: m.text }];
        const options: ScanOptions = { config: configFor(o.profile, o.trusted), now: NOW, knownPaths: o.rendered ? [".dockerignore"] : [] };
        const findings = scanAndCheck(files, options);
        checkFixesApply(files, findings, options, 3);
      }),
      params(500),
    );
  });

  it("random Dockerfiles assembled from instructions: never throws, ranges valid", () => {
    const instr = fc.constantFrom(
      "FROM node:22-slim AS build", "FROM build", "FROM scratch", "FROM ${BASE}", "FROM --platform=linux/amd64 python:3.8", "ARG BASE=alpine:3.19", "ARG TOKEN",
      "RUN apt-get update && apt-get install -y curl", "RUN curl -fsSL https://x.sh | sh", "RUN set -o pipefail; a | b", "RUN <<EOF\necho hi\nEOF", "RUN echo \\",
      "USER root", "USER 10001", "USER ${U}", "WORKDIR app", "COPY . .", "COPY --from=build /a /b", "ADD https://x/y.tgz /", "ENV PASSWORD=hunter2",
      "EXPOSE 22", "HEALTHCHECK CMD true", "HEALTHCHECK NONE", "CMD [\"node\"", "ENTRYPOINT [\"x\"]", "MAINTAINER me", "# comment", "# bulwark:ignore DOCKER-001 because", "",
      "ONBUILD RUN x", "SHELL [\"/bin/bash\", \"-c\"]", "RUN pip install x", "RUN apk add x", "RUN yum install -y x", "RUN sudo x", "STOPSIGNAL 9", "\\", "\t",
    );
    fc.assert(
      fc.property(fc.array(instr, { maxLength: 20 }), fc.constantFrom("\n", "\r\n"), (lines, nl) => {
        scanAndCheck([{ path: "Dockerfile", text: lines.join(nl) }], { now: NOW });
      }),
      params(300),
    );
  });
});
