import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Finding, Severity, TextEdit } from "../../src/core/types.js";
import { fileDiff, fileDiffFromPatch, isRightRangeInOneHunk, rightLines } from "../../src/github/diff.js";
import {
  applyEditsToText,
  diffBlock,
  fenceFor,
  lineAt,
  lineTable,
  parseSuggestions,
  planPlacements,
  reviewCommentFor,
  simulateSuggestion,
  suggestionBody,
  type Placement,
  type SuggestionPlacement,
} from "../../src/github/placement.js";
import { makePatch } from "../support/patch.js";

const dir = fileURLToPath(new URL("../fixtures/diffs/", import.meta.url));
const read = (f: string): string => readFileSync(dir + f, "utf8");

const HEAD = read("deployment-two-hunks.after");
const PATH = "deploy.yaml";
const DIFF = fileDiff({ filename: PATH, status: "modified", patch: read("deployment-two-hunks.patch") });

function offsetOf(text: string, needle: string, from = 0): number {
  const i = text.indexOf(needle, from);
  if (i < 0) throw new Error(`not found: ${needle}`);
  return i;
}
function lineOfOffset(text: string, off: number): number {
  return lineAt(lineTable(text), off);
}

let n = 0;
function finding(over: Partial<Finding> & { line: number; endLine?: number; edits?: Omit<TextEdit, "path">[]; path?: string }): Finding {
  const path = over.path ?? PATH;
  const f: Finding = {
    ruleId: over.ruleId ?? `BW-${++n}`,
    severity: over.severity ?? "high",
    title: "t",
    message: "m",
    path,
    range: { startLine: over.line, startColumn: 1, endLine: over.endLine ?? over.line, endColumn: 1 },
    fingerprint: `fp-${n}`,
    ...(over.edits ? { fix: { description: "fix", edits: over.edits.map((e) => ({ path, ...e })) } } : {}),
    ...(over.suppressed ? { suppressed: over.suppressed } : {}),
  };
  return f;
}

function replace(text: string, needle: string, newText: string, from = 0): Omit<TextEdit, "path"> {
  const start = offsetOf(text, needle, from);
  return { start, end: start + needle.length, newText };
}

function plan(findings: Finding[], headText = HEAD, diff = DIFF, path = PATH): Placement[] {
  return planPlacements({ path, headText, diff, findings });
}

function expectApplies(p: Placement, headText: string): SuggestionPlacement {
  expect(p.kind).toBe("suggestion");
  const s = p as SuggestionPlacement;
  const fixed = applyEditsToText(headText, s.finding.fix!.edits);
  expect(simulateSuggestion(headText, s.startLine, s.line, s.replacement)).toBe(fixed);
  // and the block GitHub shows parses back to the same lines
  expect(parseSuggestions(`Fix it.\n\n${suggestionBody(s.replacement)}\n`)).toEqual([s.replacement]);
  return s;
}

describe("planPlacements", () => {
  it("a one-line fix on an added line becomes a suggestion of exactly that line", () => {
    const line = lineOfOffset(HEAD, offsetOf(HEAD, "image: nginx:latest"));
    expect(line).toBe(20);
    const [p] = plan([finding({ line, edits: [replace(HEAD, "nginx:latest", "nginx:1.27.3")] })]);
    const s = expectApplies(p, HEAD);
    expect([s.startLine, s.line]).toEqual([20, 20]);
    expect(s.replacement).toEqual(["          image: nginx:1.27.3"]);
    expect(reviewCommentFor(s, "b")).toEqual({ path: PATH, body: "b", line: 20, side: "RIGHT" });
  });

  it("an insertion at a line start spans just the line it hangs on", () => {
    const at = offsetOf(HEAD, "          ports:");
    const block = "          securityContext:\n            runAsNonRoot: true\n";
    const [p] = plan([finding({ line: 19, edits: [{ start: at, end: at, newText: block }] })]);
    const s = expectApplies(p, HEAD);
    expect([s.startLine, s.line]).toEqual([21, 21]);
    expect(s.replacement).toEqual(["          securityContext:", "            runAsNonRoot: true", "          ports:"]);
  });

  it("an insertion at a line start falls back to the previous line when only that one is in the diff", () => {
    // line 24 ("limits:") is outside the diff; line 23 is the last context line of hunk 2
    const at = offsetOf(HEAD, "            limits:");
    const [p] = plan([finding({ line: 23, edits: [{ start: at, end: at, newText: "          # x\n" }] })]);
    const s = expectApplies(p, HEAD);
    expect([s.startLine, s.line]).toEqual([23, 23]);
    expect(s.replacement).toEqual(["          resources:", "          # x"]);
  });

  it("a multi-line fix within one hunk becomes a multi-line suggestion", () => {
    const e1 = replace(HEAD, "value: us", "value: eu");
    const e2 = replace(HEAD, '"true"', '"false"');
    const [p] = plan([finding({ line: 33, edits: [e2, e1] })]);
    const s = expectApplies(p, HEAD);
    expect([s.startLine, s.line]).toEqual([32, 34]);
    expect(reviewCommentFor(s, "b")).toEqual({ path: PATH, body: "b", line: 34, side: "RIGHT", start_line: 32, start_side: "RIGHT" });
  });

  it("deleting whole lines gives an empty suggestion", () => {
    const start = offsetOf(HEAD, "            - name: DEBUG");
    const end = offsetOf(HEAD, "      volumes:");
    const [p] = plan([finding({ line: 33, edits: [{ start, end, newText: "" }] })]);
    const s = expectApplies(p, HEAD);
    expect([s.startLine, s.line, s.replacement]).toEqual([33, 34, []]);
    expect(suggestionBody(s.replacement)).toBe("```suggestion\n```");
  });

  it("the finding's own line may be off-diff: the suggestion sits on the fix's lines", () => {
    const [p] = plan([finding({ line: 2, edits: [replace(HEAD, "replicas: 3", "replicas: 2")] })]);
    expect(expectApplies(p, HEAD).line).toBe(9);
  });

  it("a fix touching an off-diff line: inline comment with a diff block", () => {
    const [p] = plan([finding({ line: 20, edits: [replace(HEAD, "memory: 256Mi", "memory: 512Mi")] })]);
    expect(p).toMatchObject({ kind: "inline", line: 20, noSuggestion: "outside-diff" });
    expect(p.kind === "inline" && p.diff).toBe(
      "```diff\n@@ -25 +25 @@\n-              memory: 256Mi\n+              memory: 512Mi\n```",
    );
  });

  it("a fix whose lines are in two hunks: inline, spans-hunks", () => {
    const e1 = replace(HEAD, "replicas: 3", "replicas: 2");
    const e2 = replace(HEAD, "nginx:latest", "nginx:1.27");
    const [p] = plan([finding({ line: 9, edits: [e1, e2] })]);
    expect(p).toMatchObject({ kind: "inline", line: 9, noSuggestion: "outside-diff" });
    // lines 9..20 include 13..16 that are not in the diff → outside; two in-diff edits in separate hunks:
    const e3 = replace(HEAD, "        - name: web", "        - name: web2"); // line 19, hunk 2
    const e4 = replace(HEAD, "value: us", "value: eu"); // line 32, hunk 3
    const [q] = plan([finding({ line: 19, edits: [e3, e4] })]);
    expect(q).toMatchObject({ kind: "inline", noSuggestion: "outside-diff" });
  });

  it("spans-hunks is reported when every edited line is in the diff but across hunks", () => {
    const head = "a\nb\nc\nd\n";
    const diff = fileDiffFromPatch("f", "@@ -1 +1 @@\n-A\n+a\n@@ -2 +2 @@\n-B\n+b");
    const [p] = planPlacements({
      path: "f",
      headText: head,
      diff,
      findings: [finding({ path: "f", line: 1, edits: [{ start: 0, end: 1, newText: "x" }, { start: 2, end: 3, newText: "y" }] })],
    });
    expect(p).toMatchObject({ kind: "inline", line: 1, noSuggestion: "spans-hunks" });
  });

  it("no fix and on a RIGHT line: plain inline comment", () => {
    const [p] = plan([finding({ line: 30 })]);
    expect(p).toMatchObject({ kind: "inline", line: 30, noSuggestion: "no-fix" });
    expect(p.kind === "inline" ? p.diff : "n/a").toBeUndefined();
  });

  it("a finding starting off-diff is anchored on its first RIGHT line", () => {
    const [p] = plan([finding({ line: 13, endLine: 20 })]);
    expect(p).toMatchObject({ kind: "inline", line: 17 });
  });

  it("off-diff findings go to the summary, with the fix as a diff block", () => {
    const [p, q] = plan([finding({ line: 25 }), finding({ line: 25, edits: [replace(HEAD, "256Mi", "1Gi")] })]);
    expect(p).toMatchObject({ kind: "summary", reason: "outside-diff" });
    expect(q).toMatchObject({ kind: "summary", reason: "outside-diff" });
    expect(q.kind === "summary" && q.diff).toMatch(/^```diff\n@@ -25 \+25 @@/);
  });

  it("suppressed findings and findings of other files go to the summary", () => {
    const [p, q] = plan([finding({ line: 20, suppressed: { reason: "accepted", source: "annotation" } }), finding({ line: 20, path: "other.yaml" })]);
    expect(p).toMatchObject({ kind: "summary", reason: "suppressed" });
    expect(q).toMatchObject({ kind: "summary", reason: "path-mismatch" });
  });

  it("files GitHub gives no commentable diff for: everything in the summary, with the reason", () => {
    const tooLarge = fileDiff({ filename: PATH, status: "modified", patch: null, changes: 50000 });
    const removed = fileDiff({ filename: PATH, status: "removed", changes: 30 });
    const [p] = plan([finding({ line: 20, edits: [replace(HEAD, "nginx:latest", "nginx:1")] })], HEAD, tooLarge);
    expect(p).toMatchObject({ kind: "summary", reason: "too-large" });
    expect(p.kind === "summary" && p.detail).toMatch(/too large/);
    expect(p.kind === "summary" && p.diff).toContain("+          image: nginx:1");
    expect(plan([finding({ line: 20 })], HEAD, removed)[0]).toMatchObject({ kind: "summary", reason: "removed" });
  });

  it("two fixes on the same line: the more severe one gets the suggestion", () => {
    const low = finding({ line: 20, severity: "low", edits: [replace(HEAD, "nginx:latest", "nginx:stable")] });
    const crit = finding({ line: 20, severity: "critical", edits: [replace(HEAD, "image: nginx:latest", "image: nginx@sha256:abc")] });
    const [a, b] = plan([low, crit]);
    expect(a).toMatchObject({ kind: "inline", noSuggestion: "overlaps-suggestion", line: 20 });
    expect(b.kind).toBe("suggestion");
  });

  it("a no-op fix is not a suggestion", () => {
    const [p] = plan([finding({ line: 20, edits: [replace(HEAD, "nginx:latest", "nginx:latest")] })]);
    expect(p).toMatchObject({ kind: "inline", noSuggestion: "no-op" });
  });

  it("suggestions and diff blocks that would not fit in a comment are dropped", () => {
    const big = "#".repeat(200);
    const f = finding({ line: 20, edits: [replace(HEAD, "nginx:latest", `nginx:latest ${big}`)] });
    const [p] = planPlacements({ path: PATH, headText: HEAD, diff: DIFF, findings: [f], maxBlockChars: 150 });
    expect(p).toMatchObject({ kind: "inline", noSuggestion: "too-large" });
    expect(p.kind === "inline" ? p.diff : "n/a").toBeUndefined();
  });

  it("invalid (overlapping) edits are not suggested", () => {
    const e = replace(HEAD, "nginx:latest", "x");
    const [p] = plan([finding({ line: 20, edits: [e, { ...e, newText: "y" }] })]);
    expect(p).toMatchObject({ kind: "inline", noSuggestion: "invalid-edits" });
  });

  it("fixes that also edit another file are shown as a diff, not suggested", () => {
    const f = finding({ line: 20, edits: [replace(HEAD, "nginx:latest", "nginx:1")] });
    f.fix!.edits.push({ path: "other.yaml", start: 0, end: 0, newText: "x" });
    expect(plan([f])[0]).toMatchObject({ kind: "inline", noSuggestion: "fix-spans-files" });
  });
});

describe("CRLF and final newlines", () => {
  const crlfHead = read("crlf.after");
  const crlfDiff = fileDiff({ filename: "pod.yaml", status: "modified", patch: read("crlf.patch") });

  it("CRLF: the suggestion has no \\r, the simulated result keeps CRLF and equals the fix", () => {
    const e = replace(crlfHead, "  hostNetwork: true\r\n", "");
    const e2 = replace(crlfHead, "busybox:latest", "busybox:1.36");
    const [p, q] = planPlacements({
      path: "pod.yaml",
      headText: crlfHead,
      diff: crlfDiff,
      findings: [finding({ path: "pod.yaml", line: 6, edits: [e] }), finding({ path: "pod.yaml", line: 9, edits: [e2] })],
    });
    const s = expectApplies(p, crlfHead);
    expect([s.startLine, s.line, s.replacement, s.crlf]).toEqual([6, 6, [], false]);
    const t = expectApplies(q, crlfHead);
    expect(t.replacement).toEqual(["      image: busybox:1.36"]);
    expect(t.crlf).toBe(true);
    expect(simulateSuggestion(crlfHead, 9, 9, t.replacement)).toContain("busybox:1.36\r\n");
  });

  it("CRLF insertion of LF text inside a CRLF file is not representable (would mix endings)", () => {
    const at = offsetOf(crlfHead, "  containers:");
    const [p] = planPlacements({
      path: "pod.yaml",
      headText: crlfHead,
      diff: crlfDiff,
      findings: [finding({ path: "pod.yaml", line: 7, edits: [{ start: at, end: at, newText: "  hostPID: false\n" }] })],
    });
    expect(p).toMatchObject({ kind: "inline", noSuggestion: "not-representable" });
  });

  it("last line without final newline: the suggestion keeps it that way", () => {
    const head = read("no-newline-eof.after");
    const diff = fileDiff({ filename: "cm.yaml", status: "modified", patch: read("no-newline-eof.patch") });
    const [p] = planPlacements({ path: "cm.yaml", headText: head, diff, findings: [finding({ path: "cm.yaml", line: 4, edits: [replace(head, '"3"', '"4"')] })] });
    const s = expectApplies(p, head);
    expect(s.replacement).toEqual(['  b: "4"']);
    expect(simulateSuggestion(head, 4, 4, s.replacement).endsWith('"4"')).toBe(true);
  });

  it("appending after a last line without newline", () => {
    const head = read("no-newline-eof.after");
    const diff = fileDiff({ filename: "cm.yaml", status: "modified", patch: read("no-newline-eof.patch") });
    const [p] = planPlacements({
      path: "cm.yaml",
      headText: head,
      diff,
      findings: [finding({ path: "cm.yaml", line: 4, edits: [{ start: head.length, end: head.length, newText: '\n  c: "5"' }] })],
    });
    expect(expectApplies(p, head).replacement).toEqual(['  b: "3"', '  c: "5"']);
  });

  it("a fix that adds the missing final newline is not representable", () => {
    const head = read("no-newline-eof.after");
    const diff = fileDiff({ filename: "cm.yaml", status: "modified", patch: read("no-newline-eof.patch") });
    const [p] = planPlacements({
      path: "cm.yaml",
      headText: head,
      diff,
      findings: [finding({ path: "cm.yaml", line: 4, edits: [{ start: head.length, end: head.length, newText: "\n" }] })],
    });
    expect(p).toMatchObject({ kind: "inline", noSuggestion: "not-representable" });
  });

  it("insertion at the very end of a file with a final newline hangs on the last line", () => {
    const head = read("added-dockerfile.after");
    const diff = fileDiff({ filename: "Dockerfile", status: "added", patch: read("added-dockerfile.patch") });
    const [p] = planPlacements({
      path: "Dockerfile",
      headText: head,
      diff,
      findings: [finding({ path: "Dockerfile", line: 3, edits: [{ start: head.length, end: head.length, newText: "HEALTHCHECK CMD true\n" }] })],
    });
    const s = expectApplies(p, head);
    expect([s.startLine, s.line, s.replacement]).toEqual([3, 3, ["USER root", "HEALTHCHECK CMD true"]]);
  });
});

describe("markdown helpers", () => {
  it("fences grow past backtick runs in the content", () => {
    expect(fenceFor("plain")).toBe("```");
    expect(fenceFor("a ``` b")).toBe("````");
    const body = suggestionBody(["```yaml", "x: 1", "```"]);
    expect(body).toBe("````suggestion\n```yaml\nx: 1\n```\n````");
    expect(parseSuggestions(body)).toEqual([["```yaml", "x: 1", "```"]]);
  });
  it("an empty-line replacement differs from a deletion", () => {
    expect(suggestionBody([""])).toBe("```suggestion\n\n```");
    expect(parseSuggestions("```suggestion\n\n```")).toEqual([[""]]);
    expect(parseSuggestions("```suggestion\n```")).toEqual([[]]);
  });
  it("diff blocks group nearby edits and show context at the edges", () => {
    const text = "a\nb\nc\nd\ne\nf\ng\nh\n";
    const block = diffBlock(text, [
      { start: 2, end: 5, newText: "B\nC" }, // b\nc → B\nC (lines 2-3)
      { start: 12, end: 12, newText: "x\n" }, // insert before g (line 7)
    ]);
    expect(block).toBe("```diff\n@@ -2,2 +2,2 @@\n-b\n-c\n+B\n+C\n@@ -7 +7,2 @@\n+x\n g\n```");
  });
  it("simulateSuggestion rejects lines outside the file", () => {
    expect(() => simulateSuggestion("a\n", 1, 2, [])).toThrow(RangeError);
    expect(() => simulateSuggestion("a\n", 0, 1, [])).toThrow(RangeError);
  });
});

describe("property: random patches and findings never produce an off-diff comment", () => {
  const lineArb = fc.constantFrom("kind: Pod", "  a: 1", "  b: 2", "", "- x", "y\r", "# c");
  const textArb = fc
    .tuple(fc.array(lineArb, { maxLength: 25 }), fc.boolean(), fc.boolean())
    .map(([ls, nl, crlf]) => (ls.length ? ls.map((l) => (crlf && !l.endsWith("\r") ? l + "\r" : l)).join("\n") + (nl ? "\n" : "") : ""));
  const sevArb = fc.constantFrom<Severity>("critical", "high", "medium", "low", "info");
  const newTextArb = fc.constantFrom("", "z", "\n", "q: 1\n", "  r\n  s", "\r\n", "```");

  it("holds", () => {
    const seen = { suggestion: 0, inline: 0, summary: 0 };
    fc.assert(
      fc.property(
        textArb,
        textArb,
        fc.integer({ min: 0, max: 3 }),
        fc.array(
          fc.record({
            line: fc.integer({ min: 1, max: 30 }),
            span: fc.integer({ min: 0, max: 4 }),
            severity: sevArb,
            edits: fc.array(fc.record({ a: fc.nat(), b: fc.nat(8), text: newTextArb }), { maxLength: 3 }),
          }),
          { maxLength: 6 },
        ),
        (base, head, context, specs) => {
          const patch = makePatch(base, head, { context });
          const diff = fileDiff({ filename: "f.yaml", status: "modified", patch, changes: patch ? 1 : 0 });
          const allowed = patch ? rightLines(patch) : new Set<number>();
          const findings = specs.map((s, i) => {
            const edits = s.edits.map((e) => {
              const start = head.length ? e.a % (head.length + 1) : 0;
              return { path: "f.yaml", start, end: Math.min(head.length, start + e.b), newText: e.text };
            });
            const f: Finding = {
              ruleId: `R${i}`,
              severity: s.severity,
              title: "t",
              message: "m",
              path: "f.yaml",
              range: { startLine: s.line, startColumn: 1, endLine: s.line + s.span, endColumn: 1 },
              fingerprint: `f${i}`,
              ...(edits.length ? { fix: { description: "d", edits } } : {}),
            };
            return f;
          });
          const placements = planPlacements({ path: "f.yaml", headText: head, diff, findings });
          expect(placements).toHaveLength(findings.length);
          const used = new Set<number>();
          for (const p of placements) {
            seen[p.kind]++;
            if (p.kind === "summary") continue;
            expect(allowed.has(p.line)).toBe(true);
            if (p.kind === "suggestion") {
              expect(allowed.has(p.startLine)).toBe(true);
              expect(isRightRangeInOneHunk(diff, p.startLine, p.line)).toBe(true);
              expect(simulateSuggestion(head, p.startLine, p.line, p.replacement)).toBe(applyEditsToText(head, p.finding.fix!.edits));
              for (let l = p.startLine; l <= p.line; l++) {
                expect(used.has(l)).toBe(false);
                used.add(l);
              }
            }
          }
        },
      ),
      { numRuns: 500 },
    );
    // The property is not vacuous: every kind of placement occurred.
    expect(seen.suggestion).toBeGreaterThan(20);
    expect(seen.inline).toBeGreaterThan(20);
    expect(seen.summary).toBeGreaterThan(20);
  });
});

describe("end to end against the fake GitHub: planned comments are accepted and suggestions apply", () => {
  it("holds for random pull requests", async () => {
    const { FakeGitHub } = await import("../support/fake-github.js");
    const { Octokit } = await import("@octokit/rest");
    const gh = await FakeGitHub.start();
    const octokit = new Octokit({ auth: "t", baseUrl: gh.url });
    let repoNo = 0;
    let suggestionsApplied = 0;
    const lineArb = fc.constantFrom("kind: Pod", "  a: 1", "  b: 2", "", "- x", "# c", "  image: nginx");
    const textArb = fc.array(lineArb, { minLength: 1, maxLength: 20 }).map((ls) => ls.join("\n") + "\n");
    try {
      await fc.assert(
        fc.asyncProperty(
          textArb,
          textArb,
          fc.array(fc.record({ line: fc.integer({ min: 1, max: 22 }), a: fc.nat(), len: fc.nat(6), text: fc.constantFrom("", "z", "q: 1\n", "y\n  w") }), { minLength: 1, maxLength: 5 }),
          async (base, head, specs) => {
            const name = `r${repoNo++}`;
            gh.createRepo({ owner: "o", repo: name, files: { "f.yaml": base } });
            if (base === head) return;
            gh.commit({ owner: "o", repo: name, branch: "b", files: { "f.yaml": head } });
            const pr = gh.openPullRequest({ owner: "o", repo: name, head: "b" });
            const [entry] = (await octokit.rest.pulls.listFiles({ owner: "o", repo: name, pull_number: pr.number })).data;
            const diff = fileDiff(entry);
            const findings = specs.map((s, i) => {
              const start = s.a % (head.length + 1);
              return finding({ path: "f.yaml", line: s.line, edits: [{ start, end: Math.min(head.length, start + s.len), newText: s.text }], ruleId: `R${i}` });
            });
            const placements = planPlacements({ path: "f.yaml", headText: head, diff, findings });
            const comments = placements.flatMap((p) => {
              const c = reviewCommentFor(p, p.kind === "suggestion" ? suggestionBody(p.replacement) : "see diff");
              return c ? [c] : [];
            });
            if (comments.length === 0) return;
            const res = await octokit.rest.pulls.createReview({ owner: "o", repo: name, pull_number: pr.number, commit_id: pr.headSha, event: "COMMENT", body: "Bulwark", comments });
            expect(res.status).toBe(200);
            const firstSuggestion = placements.find((p): p is SuggestionPlacement => p.kind === "suggestion");
            if (!firstSuggestion) return;
            const posted = (await octokit.rest.pulls.listReviewComments({ owner: "o", repo: name, pull_number: pr.number })).data;
            const idx = comments.findIndex((c) => c.line === firstSuggestion.line && c.body === suggestionBody(firstSuggestion.replacement));
            gh.applySuggestion({ owner: "o", repo: name, commentId: posted[idx].id });
            suggestionsApplied++;
            expect(gh.fileAt("o", name, "b", "f.yaml")).toBe(applyEditsToText(head, firstSuggestion.finding.fix!.edits));
          },
        ),
        { numRuns: 60 },
      );
      gh.assertNoViolations();
      expect(suggestionsApplied).toBeGreaterThan(5);
    } finally {
      await gh.stop();
    }
  });
});
