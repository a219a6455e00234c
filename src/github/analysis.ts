// Pure part of a pull-request review: scan the head and the base of the changed files, tell the
// findings this pull request introduces from those already on the base branch, and place each
// finding (suggestion / inline comment / summary) on the diff.
import { FIX_SOURCES, scan } from "../core/engine/scan.js";
import { scanChunks, scanInChunks } from "../core/engine/chunked.js";
import { getCatalog } from "../core/engine/catalog.js";
import type { Catalog } from "../core/engine/catalog.js";
import type { ScanOptions } from "../core/engine/scan.js";
import type { BulwarkConfig } from "../core/config/schema.js";
import { severityRank } from "../core/types.js";
import type { Finding, SourceFile } from "../core/types.js";
import { fileDiff } from "./diff.js";
import type { FileDiff } from "./diff.js";
import { applyEditsToText, lineAt, lineTable, planPlacements } from "./placement.js";
import type { InlinePlacement, Placement, SuggestionPlacement } from "./placement.js";
import type { BlobText } from "./contents.js";
import type { SelectedFile } from "./pr-files.js";
import { hasCredentialFormat } from "../core/secrets/credentials.js";

/** Scan options a caller may pass through (tests pin the catalog or the rules; the app the clock). */
export type ScanPassThrough = Pick<ScanOptions, "catalog" | "onlyRules" | "now">;

/** Largest suggestion/diff block in a comment: leaves room for the prose and the marker in 60,000. */
export const MAX_BLOCK_CHARS = 50_000;

export interface FileAnalysis {
  path: string;
  /** Head text; undefined when the file is removed or could not be read. */
  headText?: string;
  diff: FileDiff;
  /** Head findings of this file (suppressed ones included, marked). */
  findings: Finding[];
}

export interface Analysis {
  files: FileAnalysis[];
  /** Every head finding, suppressed included. */
  head: Finding[];
  /** Unsuppressed head findings whose fingerprint is not in the base scan. */
  introduced: Finding[];
  /** Unsuppressed head findings already present on the base. */
  preExisting: Finding[];
  suppressed: Finding[];
  /** Findings eligible for inline comments (introduced, or all with `review.gate: all`). */
  commentable: Finding[];
  /** Placement of every commentable finding. */
  placements: Placement[];
  /** Head paths whose findings are fully known (scanned, or removed in this pull request). */
  analysedPaths: Set<string>;
  /** Files that could not be scanned, with the reason. */
  skipped: { path: string; reason: string }[];
  /** Head texts of the scanned files. */
  headTexts: ReadonlyMap<string, string>;
  /** The options the scans ran with (config included). */
  scanOptions: ScanOptions;
  /** Resources (Kubernetes objects and Dockerfile stages) the head scan read. */
  resources: number;
}

export interface AnalysisInput {
  files: readonly SelectedFile[];
  head: ReadonlyMap<string, BlobText | null>;
  base: ReadonlyMap<string, BlobText | null>;
  config: BulwarkConfig;
  scan?: ScanPassThrough;
}

/** Text the engine can scan, or the reason it cannot. Binary blobs become one NUL byte so that the
 * engine reports them as one BULWARK-PARSE finding, as it does for the CLI. */
function scannableText(blob: BlobText | null | undefined): { text: string } | { reason: string } {
  if (!blob) return { reason: "not found at that commit" };
  if (blob.isBinary || blob.text === null) return { text: "\u0000" };
  if (blob.truncated) return { reason: `too large to read through the API (${blob.byteSize} bytes)` };
  return { text: blob.text };
}

export function analyse(input: AnalysisInput): Analysis {
  const { config } = input;
  const headFiles: SourceFile[] = [];
  const baseFiles: SourceFile[] = [];
  const skipped: Analysis["skipped"] = [];
  const analysedPaths = new Set<string>();
  const headTexts = new Map<string, string>();
  for (const f of input.files) {
    if (!f.hasHead) {
      analysedPaths.add(f.path);
      continue;
    }
    const h = scannableText(input.head.get(f.path));
    if ("reason" in h) {
      skipped.push({ path: f.path, reason: h.reason });
      continue;
    }
    headFiles.push({ path: f.path, text: h.text });
    headTexts.set(f.path, h.text);
    analysedPaths.add(f.path);
    if (f.basePath !== undefined) {
      const b = scannableText(input.base.get(f.path));
      // The base is scanned under the HEAD path so that fingerprints (which include the path)
      // of a renamed file match.
      if ("text" in b) baseFiles.push({ path: f.path, text: b.text });
    }
  }
  const scanOptions: ScanOptions = { ...input.scan, config };
  // Detection only: fix planning costs about as much as the scan itself and is needed only for
  // the comments a review shows (see refinePlacements); fixes are then verified only where they
  // are shown (see verifyShownFixes): the engine's verifyFixes re-scans the file once per
  // finding, which is quadratic on large files. "describe" also lets every parsed document go
  // once scanned (a finding keeps its fix's description, not the document to plan it from): a
  // 3,000-file pull request holds its findings, not 3,000 syntax trees; and the scans run in
  // chunks (scanInChunks), so that only a chunk of files is parsed at a time.
  const detect: ScanOptions = { ...scanOptions, fixes: "describe", verifyFixes: false };
  const headScan = headFiles.length > 0 ? scanInChunks(headFiles, detect) : undefined;
  const head = headScan?.findings ?? [];
  // The base scan only has to tell whether each head finding was already there: it runs the
  // rules that fired at the head, on the files that have head findings (all base files when a
  // cross-resource rule fired, since those look at other files).
  const firing = new Set(head.filter((f) => !f.suppressed).map((f) => f.ruleId));
  const withFindings = new Set(head.filter((f) => !f.suppressed).map((f) => f.path));
  const catalog = scanOptions.catalog ?? getCatalog();
  const crossResource = [...firing].some((id) => isProjectRule(catalog, id));
  const baseNeeded = crossResource ? baseFiles : baseFiles.filter((f) => withFindings.has(f.path));
  const baseFingerprints = new Set<string>();
  if (baseNeeded.length > 0 && firing.size > 0) for (const r of scanChunks(baseNeeded, { ...detect, onlyRules: [...firing] })) for (const f of r.findings) baseFingerprints.add(f.fingerprint);

  const active = head.filter((f) => !f.suppressed);
  const introduced = active.filter((f) => !baseFingerprints.has(f.fingerprint));
  const preExisting = active.filter((f) => baseFingerprints.has(f.fingerprint));
  const suppressed = head.filter((f) => f.suppressed);
  const commentable = config.review.gate === "all" ? active : introduced;

  const byPath = new Map<string, Finding[]>();
  for (const f of head) {
    const list = byPath.get(f.path);
    if (list) list.push(f);
    else byPath.set(f.path, [f]);
  }
  const commentableSet = new Set(commentable);
  const files: FileAnalysis[] = [];
  const placements: Placement[] = [];
  for (const f of input.files) {
    const diff = fileDiff(f.entry);
    const findings = byPath.get(f.path) ?? [];
    const headText = headTexts.get(f.path);
    files.push({ path: f.path, ...(headText !== undefined ? { headText } : {}), diff, findings });
    const mine = findings.filter((x) => commentableSet.has(x));
    if (mine.length > 0 && headText !== undefined) placements.push(...planPlacements({ path: f.path, headText, diff, findings: mine, maxBlockChars: MAX_BLOCK_CHARS }));
  }
  return { files, head, introduced, preExisting, suppressed, commentable, placements, analysedPaths, skipped, headTexts, scanOptions, resources: headScan?.summary.resources ?? 0 };
}

/** True when the engine can produce a fix for this finding (planned or deferred). */
export function isFixable(f: Finding): boolean {
  return (f.fix !== undefined && f.fix.edits.length > 0) || FIX_SOURCES.has(f);
}

/** A fix description even when planning was deferred (annotations, summaries). */
export function fixDescription(f: Finding): string | undefined {
  return f.fix?.description ?? FIX_SOURCES.get(f)?.description;
}

/**
 * Plan the fixes of the files that hold `wanted` (the findings a review is about to comment on)
 * and re-place those files' commentable findings with their fixes, so that they can become
 * suggestions. One scan of those files, running only the wanted findings' rules; everything else
 * keeps its detection-only placement.
 */
export function refinePlacements(analysis: Pick<Analysis, "files" | "placements" | "commentable" | "headTexts" | "scanOptions">, wanted: readonly Finding[]): Placement[] {
  const deferred = wanted.filter((f) => FIX_SOURCES.has(f) && f.fix === undefined);
  const paths = new Set(deferred.map((f) => f.path));
  if (paths.size === 0) return [...analysis.placements];
  const files = [...paths].flatMap((path) => {
    const text = analysis.headTexts.get(path);
    return text === undefined ? [] : [{ path, text }];
  });
  const rules = [...new Set(deferred.map((f) => f.ruleId))];
  const planned = new Map(scan(files, { ...analysis.scanOptions, onlyRules: rules, fixes: "plan", verifyFixes: false }).findings.map((f) => [f.fingerprint, f]));
  const commentable = new Set(analysis.commentable);
  const replaced: Placement[] = [];
  for (const fa of analysis.files) {
    if (!paths.has(fa.path) || fa.headText === undefined) continue;
    const mine = fa.findings
      .filter((f) => commentable.has(f))
      .map((f) => {
        const p = planned.get(f.fingerprint);
        return p?.fix ? { ...f, fix: p.fix } : f;
      });
    replaced.push(...planPlacements({ path: fa.path, headText: fa.headText, diff: fa.diff, findings: mine, maxBlockChars: MAX_BLOCK_CHARS }));
  }
  return [...analysis.placements.filter((p) => !paths.has(p.path)), ...replaced];
}

function isProjectRule(catalog: Catalog, ruleId: string): boolean {
  return Boolean(catalog.entries.get(ruleId)?.check?.project);
}

/**
 * Check the fixes about to be shown (suggestions and diff blocks) the way the engine's
 * verifyFixes does, but only for these, and batched: each fixed file is re-scanned (one scan per
 * batch of distinct files), and a fix is withheld when its file no longer parses, its finding is
 * still there, or another finding appears. Findings of cross-resource rules are left out of the
 * comparison (they depend on the other files of the batch). Returns the placements with failing
 * fixes downgraded to plain inline comments.
 */
export function verifyShownFixes<P extends CommentLike>(analysis: Pick<Analysis, "head" | "headTexts" | "scanOptions">, placements: readonly P[]): (P | InlinePlacement)[] {
  const catalog = analysis.scanOptions.catalog ?? getCatalog();
  const local = (f: Finding) => !isProjectRule(catalog, f.ruleId);
  const before = new Map<string, Set<string>>();
  for (const f of analysis.head) {
    if (!local(f)) continue;
    const set = before.get(f.path) ?? new Set<string>();
    set.add(f.fingerprint);
    before.set(f.path, set);
  }
  const problems = new Map<P, string>();
  const batches: { p: P; text: string }[][] = [];
  const credentials = credentialLines(analysis.head);
  for (const p of placements) {
    const f = p.finding;
    const showsFix = p.kind === "suggestion" || (p.kind === "inline" && p.diff !== undefined);
    const original = analysis.headTexts.get(p.path);
    if (!showsFix || !f.fix || original === undefined) continue;
    if (showsCredential(p, original, credentials.get(p.path))) {
      problems.set(p, `the lines it changes hold a credential, which Bulwark never copies into a comment; /bulwark fix ${f.ruleId} still commits it`);
      continue;
    }
    let text: string;
    try {
      text = applyEditsToText(original, f.fix.edits.filter((e) => e.path === p.path));
    } catch (err) {
      problems.set(p, err instanceof Error ? err.message : String(err));
      continue;
    }
    let batch = batches.find((b) => !b.some((x) => x.p.path === p.path));
    if (!batch) {
      batch = [];
      batches.push(batch);
    }
    batch.push({ p, text });
  }
  for (const batch of batches) {
    const after = scan(
      batch.map((x) => ({ path: x.p.path, text: x.text })),
      { ...analysis.scanOptions, fixes: "none", verifyFixes: false },
    ).findings;
    for (const { p } of batch) {
      const mine = after.filter((x) => x.path === p.path);
      const known = before.get(p.path) ?? new Set<string>();
      const parse = mine.find((x) => x.ruleId === "BULWARK-PARSE");
      const added = mine.filter((x) => local(x) && !known.has(x.fingerprint) && !x.ruleId.startsWith("BULWARK-"));
      if (parse) problems.set(p, `the fixed file does not parse (${parse.message})`);
      else if (local(p.finding) && mine.some((x) => x.fingerprint === p.finding.fingerprint)) problems.set(p, "the finding is still there after the fix");
      else if (added.length > 0) problems.set(p, `the fix would add ${added[0].ruleId}`);
    }
  }
  return placements.map((p) => {
    const problem = problems.get(p);
    if (!problem) return p;
    const { fix: _withheld, ...rest } = p.finding;
    void _withheld;
    const finding: Finding = { ...rest, message: `${p.finding.message} (automatic fix withheld: ${problem})` };
    return { kind: "inline", finding, path: p.path, side: "RIGHT", line: p.line, noSuggestion: "invalid-edits" } satisfies InlinePlacement;
  });
}

type CommentLike = SuggestionPlacement | InlinePlacement;

/**
 * Rules whose findings point at a literal credential (the value itself: an env value, Secret
 * data, a ConfigMap key, a Helm value, a Dockerfile ENV/ARG). Their messages redact the value;
 * a suggestion or diff block that shows one of those lines would copy it verbatim into a review
 * comment, which outlives the commit (a force-push that removes the secret leaves the comment).
 */
export const CREDENTIAL_RULES: ReadonlySet<string> = new Set(["K8S-SECRET-001", "K8S-SECRET-002", "K8S-SECRET-003", "K8S-SECRET-005", "DOCKER-022"]);

/** Head lines (per path) that hold a credential according to the scan (suppressed findings included). */
export function credentialLines(head: readonly Finding[]): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  for (const f of head) {
    if (!CREDENTIAL_RULES.has(f.ruleId)) continue;
    const list = out.get(f.path) ?? [];
    list.push([f.range.startLine, Math.max(f.range.startLine, f.range.endLine)]);
    out.set(f.path, list);
  }
  return out;
}

/**
 * True when the suggestion / diff block of `p` would show a credential: one of its head lines
 * holds a value a credential rule reported, or its text has a known credential format (also when
 * the credential rules are not selected).
 */
function showsCredential(p: CommentLike, original: string, reported: readonly [number, number][] | undefined): boolean {
  let shown: string;
  const spans: [number, number][] = [];
  if (p.kind === "suggestion") {
    shown = p.replacement.join("\n");
    spans.push([p.startLine, p.line]);
  } else {
    shown = p.diff ?? "";
    const t = lineTable(original);
    for (const e of p.finding.fix?.edits ?? []) {
      if (e.path !== p.path) continue;
      const s = lineAt(t, e.start);
      spans.push([s, e.end > e.start ? lineAt(t, e.end - 1) : s]);
    }
  }
  if (hasCredentialFormat(shown)) return true;
  return (reported ?? []).some(([a, b]) => spans.some(([s, e]) => a <= e && s <= b));
}

/** Most severe first, then path, line, rule, fingerprint: the order of comments and annotations. */
export function bySeverityThenPosition(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    a.range.startLine - b.range.startLine ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0)
  );
}
