// One scan of thousands of files as several smaller scans with the same result, so that what is
// parsed at any time is bounded (the review of a 3,000-file pull request). Rules that look at
// one file at a time run over chunks of files; rules with a cross-file (project) check run once
// over every file. A Helm chart's files stay in one chunk (chart checks see the whole chart), and
// each chunk is told the other chunks' paths (rules that ask whether a file exists, such as a
// .dockerignore next to a Dockerfile).
import type { SourceFile } from "../types.js";
import type { ScanResult } from "../../report/model.js";
import { DEFAULT_CONFIG } from "../config/schema.js";
import { detectFileKind } from "../parse/detect.js";
import { chartRoots } from "../helm/chart.js";
import { getCatalog } from "./catalog.js";
import { compareFindings, ruleSettings, scan, summarize } from "./scan.js";
import type { ScanOptions } from "./scan.js";

/** Files per chunk (a chunk may be larger when one chart has more files). */
export const DEFAULT_CHUNK_FILES = 250;

/** The files that must be scanned together with `path`: its chart, else the file alone. */
function unitOf(path: string, roots: ReadonlySet<string>): string {
  const norm = path.replace(/\\/g, "/");
  let best: string | undefined;
  for (const r of roots) if ((r === "" || norm.startsWith(`${r}/`)) && (best === undefined || r.length > best.length)) best = r;
  if (best !== undefined) return `chart:${best}`;
  const templates = /^(.*?)(?:^|\/)templates\//.exec(norm);
  if (templates) return `chart:${templates[1]}`;
  if (detectFileKind(norm) === "values") return `chart:${norm.includes("/") ? norm.slice(0, norm.lastIndexOf("/")) : ""}`;
  return `file:${norm}`;
}

function chunksOf(files: readonly SourceFile[], size: number, roots: ReadonlySet<string>): SourceFile[][] {
  const units = new Map<string, SourceFile[]>();
  for (const f of files) {
    const key = unitOf(f.path, roots);
    const list = units.get(key);
    if (list) list.push(f);
    else units.set(key, [f]);
  }
  const chunks: SourceFile[][] = [];
  let current: SourceFile[] = [];
  for (const unit of units.values()) {
    if (current.length > 0 && current.length + unit.length > size) {
      chunks.push(current);
      current = [];
    }
    current.push(...unit);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * The scans of `scanInChunks`, one result at a time (a caller that needs only part of each
 * finding, such as its fingerprint, holds no more than one chunk's findings). The cross-file
 * pass comes last and yields only the cross-file rules' findings. One scan of everything when
 * chunking does not apply (see scanInChunks).
 */
export function* scanChunks(files: readonly SourceFile[], options: ScanOptions = {}, chunkFiles = DEFAULT_CHUNK_FILES): Generator<ScanResult> {
  const config = options.config ?? DEFAULT_CONFIG;
  const catalog = options.catalog ?? getCatalog();
  const scannable = files.filter((f) => detectFileKind(f.path) !== "other").length;
  if (files.length <= chunkFiles || options.verifyFixes || scannable > config.limits.maxFiles) {
    yield scan(files, options);
    return;
  }
  const only = options.onlyRules ? new Set(options.onlyRules) : undefined;
  const running = [...catalog.entries].filter(([, e]) => e.check && ruleSettings(e.meta, config, only).enabled);
  const crossFile = new Set(running.filter(([, e]) => e.check?.project).map(([id]) => id));
  const perFile = running.filter(([id]) => !crossFile.has(id)).map(([id]) => id);

  const allPaths = [...files.map((f) => f.path), ...(options.knownPaths ?? [])];
  const roots = chartRoots(allPaths);
  for (const chunk of chunksOf(files, chunkFiles, roots)) {
    const inChunk = new Set(chunk.map((f) => f.path));
    // The engine's own findings (parse errors, limits, suppressions) come from these scans.
    yield scan(chunk, { ...options, onlyRules: perFile, knownPaths: allPaths.filter((p) => !inChunk.has(p)) });
  }
  if (crossFile.size > 0) {
    const r = scan(files, { ...options, onlyRules: [...crossFile] });
    const findings = r.findings.filter((f) => crossFile.has(f.ruleId));
    yield { findings, summary: summarize(findings, 0, 0) };
  }
}

/**
 * `scan(files, options)`, in chunks of about `chunkFiles` files when there are more. Falls back
 * to one scan when the engine's own fix verification is on (it compares whole-scan results) or
 * when the files exceed `limits.maxFiles` (the limit counts one scan's files).
 */
export function scanInChunks(files: readonly SourceFile[], options: ScanOptions = {}, chunkFiles = DEFAULT_CHUNK_FILES): ScanResult {
  const results = [...scanChunks(files, options, chunkFiles)];
  if (results.length === 1) return results[0]!;
  const findings = results.flatMap((r) => r.findings).sort(compareFindings);
  return { findings, summary: summarize(findings, results.reduce((n, r) => n + r.summary.files, 0), results.reduce((n, r) => n + r.summary.resources, 0)) };
}
