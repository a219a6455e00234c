// What the action scans, read through the API with the shared pipeline's pieces:
//
//  - `fromReview`: no scan of its own when the shared review pipeline ran (mode `review` on pull
//    requests and merge groups): the pipeline's scan (ReviewOutcome.scan) in the action's terms,
//    so the gate, outputs and summary are those of the check run the pipeline concluded.
//  - `scanChanges`: the files a change touches (a pull request's file listing, or a comparison
//    for merge groups and pushes), head vs base, classified like the review pipeline does (the
//    same contents query and config resolution), for mode `check`, pushes, and pull requests or
//    merge groups whose pipeline could not start (its check run refused: a read-only token).
//  - `scanTree`: every Kubernetes/Helm/Kustomize/Dockerfile file of a commit (git tree), for
//    SARIF (code scanning treats an upload as the complete analysis: a partial one would close the
//    alerts of the files it left out) and for scheduled/manual runs. With a base, findings count as
//    new only in the files the change touches.
//
// The config (the `config` input's path) is always read from the base of the change (a pull
// request cannot weaken its own review), or from the commit itself when there is no base
// (schedule, workflow_dispatch).
import { getCatalog } from "../core/engine/catalog.js";
import { scan, summarize } from "../core/engine/scan.js";
import { isPathSelected } from "../core/config/globs.js";
import type { BulwarkConfig } from "../core/config/schema.js";
import type { ConfigError } from "../core/config/load.js";
import type { Finding, SourceFile } from "../core/types.js";
import type { ScanResult } from "../report/model.js";
import { plural, sanitizeInline } from "../report/common.js";
import type { GitHubClient, RepoRef } from "../github/client.js";
import { resolveConfig } from "../github/config.js";
import type { ResolvedConfig } from "../github/config.js";
import { fetchContents } from "../github/contents.js";
import type { BlobText, ContentsFile } from "../github/contents.js";
import type { ReviewScan } from "../github/review.js";
import { candidateFiles, isCandidatePath, selectByConfig } from "../github/pr-files.js";
import type { PullFile, SelectedFile } from "../github/pr-files.js";

export interface ScanSettings {
  repo: RepoRef;
  /** The repository path of the config (the `config` input). */
  configPath: string;
  /** Clock for date-dependent rules (end-of-life data). */
  now: Date;
  /** Rule selection for tests (`BULWARK_ONLY_RULES`); never set by action.yml. */
  onlyRules?: readonly string[];
}

export interface ConfigInfo {
  config: BulwarkConfig;
  /** "owner/repo:path@ref", "owner/.github:…" or "defaults". */
  label: string;
}

export type ScanOutcome =
  | { kind: "nothing"; headSha: string; baseSha?: string; notes: string[]; listed: number; config?: ConfigInfo }
  | { kind: "config-error"; headSha: string; baseSha?: string; file: string; label: string; errors: ConfigError[]; message: string; notes: string[] }
  | ({ kind: "scanned" } & Scanned);

export interface Scanned {
  headSha: string;
  baseSha?: string;
  config: ConfigInfo;
  /** Unsuppressed findings the change introduces (all of them when there is no base). */
  introduced: Finding[];
  /** Unsuppressed findings already on the base. */
  preExisting: Finding[];
  suppressed: Finding[];
  /** Every head finding (suppressed included) with the engine's summary: reports and SARIF. */
  result: ScanResult;
  /** Head texts of the scanned files (SARIF line hashes); absent from the pipeline's scans (no SARIF is made of those). */
  texts?: Map<string, string>;
  filesScanned: number;
  notes: string[];
}

function configInfo(resolved: Extract<ResolvedConfig, { ok: true }>): ConfigInfo {
  return { config: resolved.config, label: resolved.source.label + (resolved.source.extends ? ` extending ${resolved.source.extends}` : "") };
}

function configError(resolved: Extract<ResolvedConfig, { ok: false }>, headSha: string, baseSha: string | undefined, notes: string[]): ScanOutcome {
  return { kind: "config-error", headSha, ...(baseSha ? { baseSha } : {}), file: resolved.file, label: resolved.source.label, errors: resolved.errors, message: resolved.message, notes };
}

function configOutcome(resolved: ResolvedConfig, headSha: string, baseSha: string | undefined, notes: string[]): ScanOutcome | ConfigInfo {
  return resolved.ok ? configInfo(resolved) : configError(resolved, headSha, baseSha, notes);
}

/** The config as the contents query reads it: the `config` input's path, with the organisation fallback. */
function configRead(settings: ScanSettings, ref: string) {
  return { ref, orgFallback: true, path: settings.configPath };
}

/**
 * The review pipeline's scan (ReviewOutcome.scan) as the action's outcome: the same findings,
 * config and notes its own scan of the change would have had.
 */
export function fromReview(review: ReviewScan, change: { headSha: string; baseSha: string }): ScanOutcome {
  const { headSha, baseSha } = change;
  switch (review.kind) {
    case "nothing":
      return { kind: "nothing", headSha, baseSha, notes: [...review.notes], listed: review.filesListed, ...(review.config ? { config: configInfo(review.config) } : {}) };
    case "config-error":
      return configError(review.config, headSha, baseSha, [...review.notes]);
    case "scanned":
      return {
        kind: "scanned",
        headSha,
        baseSha,
        config: configInfo(review.config),
        introduced: review.introduced,
        preExisting: review.preExisting,
        suppressed: review.suppressed,
        result: { findings: review.head, summary: summarize(review.head, review.filesScanned, review.resources) },
        filesScanned: review.filesScanned,
        notes: [...review.notes, ...review.skipped.map((s) => `\`${sanitizeInline(s.path)}\` was not scanned: ${s.reason}.`)],
      };
  }
}

function scanOptions(settings: ScanSettings) {
  return { now: settings.now, ...(settings.onlyRules ? { onlyRules: settings.onlyRules } : {}) };
}

/**
 * One engine pass over the head texts (suppressed findings included: reports list them), one over
 * the base texts (scanned under the head path, so a renamed file's fingerprints match), and the
 * classification `analyse` makes: new = the fingerprint is not in the base scan; with `changed`,
 * only files the change touches can hold new findings.
 */
function evaluate(
  texts: ReadonlyMap<string, string>,
  baseFiles: readonly SourceFile[],
  changed: ((path: string) => boolean) | undefined,
  config: BulwarkConfig,
  settings: ScanSettings,
  fixes: "plan" | "none",
): Pick<Scanned, "introduced" | "preExisting" | "suppressed" | "result"> {
  const files: SourceFile[] = [...texts].map(([path, text]) => ({ path, text }));
  const result: ScanResult = scan(files, { ...scanOptions(settings), config, fixes });
  const baseFingerprints = new Set(baseFiles.length > 0 ? scan(baseFiles, { ...scanOptions(settings), config, fixes: "none" }).findings.map((f) => f.fingerprint) : []);
  const active = result.findings.filter((f) => !f.suppressed);
  const isNew = (f: Finding): boolean => (changed === undefined || changed(f.path)) && !baseFingerprints.has(f.fingerprint);
  return { introduced: active.filter(isNew), preExisting: active.filter((f) => !isNew(f)), suppressed: result.findings.filter((f) => f.suppressed), result };
}

function scannable(blob: BlobText | null | undefined): { text: string } | { reason: string } {
  if (!blob) return { reason: "not found at that commit" };
  if (blob.isBinary || blob.text === null) return { text: "\u0000" };
  if (blob.truncated) return { reason: `too large to read through the API (${blob.byteSize} bytes)` };
  return { text: blob.text };
}

/** Head texts and base files of the selected files; an unreadable file becomes a note. */
function collectTexts(
  selected: readonly { path: string; basePath?: string; hasHead: boolean }[],
  head: ReadonlyMap<string, BlobText | null>,
  base: ReadonlyMap<string, BlobText | null>,
  notes: string[],
): { texts: Map<string, string>; baseFiles: SourceFile[] } {
  const texts = new Map<string, string>();
  const baseFiles: SourceFile[] = [];
  for (const f of selected) {
    if (!f.hasHead) continue;
    const h = scannable(head.get(f.path));
    if ("reason" in h) {
      notes.push(`\`${sanitizeInline(f.path)}\` was not scanned: ${h.reason}.`);
      continue;
    }
    texts.set(f.path, h.text);
    if (f.basePath !== undefined) {
      const b = scannable(base.get(f.path));
      if ("text" in b) baseFiles.push({ path: f.path, text: b.text });
    }
  }
  return { texts, baseFiles };
}

export interface ChangeTarget {
  headSha: string;
  baseSha: string;
  /** The files the change touches (pull request listing or comparison), in GitHub's order. */
  files: readonly PullFile[];
  /** Limit to these globs/directories (push scans). */
  paths?: readonly string[];
  /** Plan fixes for the reports (SARIF `fixes`); the gate does not need them. */
  fixes?: "plan" | "none";
}

/**
 * Scan the files a change touches, the way `reviewPullRequest`/`reviewCommitRange` do: the same
 * contents request, the same config, the same classification (new = not in the base scan).
 */
export async function scanChanges(client: GitHubClient, settings: ScanSettings, target: ChangeTarget): Promise<ScanOutcome> {
  const { headSha, baseSha } = target;
  const notes: string[] = [];
  let candidates = candidateFiles(target.files);
  if (target.paths && target.paths.length > 0) {
    const before = candidates.length;
    candidates = candidates.filter((c) => isPathSelected(c.path, { include: [...target.paths!], exclude: [] }));
    if (candidates.length < before) notes.push(`${plural(before - candidates.length, "changed file")} outside \`paths\` not scanned.`);
  }
  if (candidates.length === 0) return { kind: "nothing", headSha, baseSha, notes, listed: target.files.length };
  const contents = await fetchContents(client, {
    repo: settings.repo,
    headSha,
    baseSha,
    files: candidates.map((c) => ({ path: c.path, ...(c.basePath !== undefined ? { basePath: c.basePath } : {}), hasHead: c.hasHead, headBlobSha: c.entry.sha ?? null })),
    config: configRead(settings, baseSha),
  });
  notes.push(...contents.notes);
  const resolved = await resolveConfig(client, {
    repo: settings.repo,
    defaultBranch: baseSha,
    path: settings.configPath,
    repoConfig: contents.repoConfig,
    orgConfig: contents.orgConfig,
    knownRuleIds: getCatalog().ids(),
  });
  const cfg = configOutcome(resolved, headSha, baseSha, notes);
  if ("kind" in cfg) return cfg;
  const selected = selectByConfig(candidates, cfg.config);
  if (selected.length === 0) {
    notes.push(`${plural(candidates.length, "candidate file")} excluded by the include/exclude globs of ${cfg.label}.`);
    return { kind: "nothing", headSha, baseSha, notes, listed: target.files.length, config: cfg };
  }
  const { texts, baseFiles } = collectTexts(selected, contents.head, contents.base, notes);
  return {
    kind: "scanned",
    headSha,
    baseSha,
    config: cfg,
    ...evaluate(texts, baseFiles, undefined, cfg.config, settings, target.fixes ?? "none"),
    texts,
    filesScanned: texts.size,
    notes,
  };
}

interface TreeEntry {
  path?: string;
  type?: string;
  sha?: string;
  size?: number;
}

export interface TreeTarget {
  /** The commit to scan. */
  sha: string;
  /** The base of the change, if any: the config is read there, and only `changed` files can hold new findings. */
  baseSha?: string;
  /** Files the change touches (with base paths for renames); undefined: no base, every finding counts. */
  changed?: readonly PullFile[];
  paths?: readonly string[];
  fixes?: "plan" | "none";
}

export interface TreeFile {
  path: string;
  sha?: string;
}

/** The files of a commit Bulwark reads (git tree), limited to `paths`, and the config (read at `configRef`). */
export async function readTree(
  client: GitHubClient,
  settings: ScanSettings,
  sha: string,
  configRef: string,
  paths: readonly string[] | undefined,
): Promise<{ ok: true; files: TreeFile[]; config: ConfigInfo; notes: string[] } | { ok: false; outcome: ScanOutcome }> {
  const notes: string[] = [];
  const tree = (
    await client.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", { owner: settings.repo.owner, repo: settings.repo.repo, tree_sha: sha, recursive: "1" })
  ).data as { tree?: TreeEntry[]; truncated?: boolean };
  if (tree.truncated) notes.push("The repository tree is larger than GitHub lists in one request: files beyond that were not scanned.");
  let files: TreeFile[] = (tree.tree ?? [])
    .filter((e) => e.type === "blob" && typeof e.path === "string" && isCandidatePath(e.path))
    .map((e) => ({ path: e.path!, ...(e.sha ? { sha: e.sha } : {}) }));
  if (paths && paths.length > 0) files = files.filter((e) => isPathSelected(e.path, { include: [...paths], exclude: [] }));
  // The config first (one small query), so that excluded files are never read.
  const read = await fetchContents(client, { repo: settings.repo, headSha: sha, files: [], config: configRead(settings, configRef) });
  const resolved = await resolveConfig(client, {
    repo: settings.repo,
    defaultBranch: configRef,
    path: settings.configPath,
    repoConfig: read.repoConfig,
    orgConfig: read.orgConfig,
    knownRuleIds: getCatalog().ids(),
  });
  const cfg = configOutcome(resolved, sha, configRef === sha ? undefined : configRef, notes);
  if ("kind" in cfg) return { ok: false, outcome: cfg };
  return { ok: true, files, config: cfg, notes };
}

/** Scan every relevant file of a commit (git tree), with new-vs-base for the files a change touches. */
export async function scanTree(client: GitHubClient, settings: ScanSettings, target: TreeTarget): Promise<ScanOutcome> {
  const { sha } = target;
  const baseSha = target.baseSha;
  const read = await readTree(client, settings, sha, baseSha ?? sha, target.paths);
  if (!read.ok) return read.outcome;
  const { config: cfg, notes } = read;

  const changed = new Map<string, SelectedFile>();
  for (const c of candidateFiles(target.changed ?? [])) changed.set(c.path, c);
  const files: SelectedFile[] = [];
  for (const e of read.files) {
    const c = changed.get(e.path);
    files.push(c && c.hasHead ? c : { entry: { filename: e.path, status: "unchanged", sha: e.sha ?? null }, path: e.path, hasHead: true });
  }
  let selected = selectByConfig(files, cfg.config);
  const max = cfg.config.limits.maxFiles;
  if (selected.length > max) {
    notes.push(`${plural(selected.length, "file")} match; only the first ${max} were scanned (\`limits.maxFiles\`).`);
    selected = selected.slice(0, max);
  }
  if (selected.length === 0) return { kind: "nothing", headSha: sha, ...(baseSha ? { baseSha } : {}), notes, listed: read.files.length, config: cfg };

  const contentsFiles: ContentsFile[] = selected.map((f) => ({
    path: f.path,
    // Only changed files need their base version.
    ...(baseSha && changed.has(f.path) && f.basePath !== undefined ? { basePath: f.basePath } : {}),
    hasHead: true,
    headBlobSha: f.entry.sha ?? null,
  }));
  const contents = await fetchContents(client, { repo: settings.repo, headSha: sha, ...(baseSha ? { baseSha } : {}), files: contentsFiles });
  notes.push(...contents.notes);

  const { texts, baseFiles } = collectTexts(contentsFiles, contents.head, contents.base, notes);
  return {
    kind: "scanned",
    headSha: sha,
    ...(baseSha ? { baseSha } : {}),
    config: cfg,
    ...evaluate(texts, baseFiles, target.changed === undefined ? undefined : (p) => changed.has(p), cfg.config, settings, target.fixes ?? "none"),
    texts,
    filesScanned: texts.size,
    notes,
  };
}
