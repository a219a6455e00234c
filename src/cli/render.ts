// The CLI's rendered review: charts through `helm template`, overlays through `kustomize build`
// (or `kubectl kustomize`), when those binaries are on the PATH. Everything here is I/O
// orchestration; rendering output is mapped back by the pure modules (src/core/helm,
// src/kustomize/map.ts). Without the binaries the plain scan still reviews values files and
// templates (HELM-*), and one note says what was not rendered.
import { readFileSync, rmSync } from "node:fs";
import { dirname, isAbsolute, join, posix, relative, sep } from "node:path";
import { parse } from "yaml";
import type { ScanOptions } from "../core/engine/scan.js";
import { applyTextEdits } from "../core/engine/scan.js";
import { selectFixable } from "../core/engine/fixes.js";
import type { FixSelection } from "../core/engine/fixes.js";
import type { BulwarkConfig } from "../core/config/schema.js";
import { joinPath } from "../core/helm/chart.js";
import { mergeRendered, renderFailure } from "../core/helm/merge.js";
import { RENDERED_FIXES, reviewRenderedChart } from "../core/helm/review.js";
import { planYamlEdits } from "../core/fix/yaml-edit.js";
import type { FixOp } from "../core/fix/ops.js";
import { detectFileKind } from "../core/parse/detect.js";
import { parseYamlFile } from "../core/parse/yaml.js";
import type { Finding, SourceFile, TextEdit } from "../core/types.js";
import type { ScanResult } from "../report/model.js";
import { findHelm, helmTemplate, listFiles, StageError, stageTree } from "../helm/render.js";
import { loadTree } from "../kustomize/kustomization.js";
import type { KustomizeTree } from "../kustomize/kustomization.js";
import { reviewRenderedKustomization } from "../kustomize/map.js";
import { diskReader, findKustomize, kustomizeBuild } from "../kustomize/render.js";
import type { KustomizeBinary } from "../kustomize/render.js";

export interface RenderInput {
  /** The texts being scanned, by display path (after --fix: the fixed texts). */
  files: readonly SourceFile[];
  /** Absolute path of each display path. */
  absolute: ReadonlyMap<string, string>;
  cwd: string;
  config: BulwarkConfig;
  options: ScanOptions;
  env: NodeJS.ProcessEnv;
  /** Render overlays with remote bases (git/https) — off by default: a scan does not fetch. */
  allowRemoteBases?: boolean;
  /** Re-render with the proposed values/base edits and withhold fixes that do not remove their finding (default true). */
  verifyFixes?: boolean;
  timeoutMs?: number;
}

export interface RenderedReview {
  findings: Finding[];
  /** One line each, for stderr: what was not rendered and why. */
  notes: string[];
  /**
   * Files the rendered review speaks for: strategic-merge patches of overlays that built. The
   * plain scan judges such a partial object as if it were deployed alone (no probes, no
   * resources …); the build says what is deployed.
   */
  replaces: string[];
}

/** Adds a rendered review to a scan result (see mergeRendered for what is de-duplicated). */
export function withRendered(result: ScanResult, review: RenderedReview): ScanResult {
  return review.findings.length === 0 && review.replaces.length === 0 ? result : mergeRendered(result, review.findings, new Set(review.replaces));
}

export function reviewRendered(input: RenderInput): RenderedReview {
  const out: RenderedReview = { findings: [], notes: [], replaces: [] };
  reviewCharts(input, out);
  reviewKustomizations(input, out);
  return out;
}

// ---------------------------------------------------------------------------------- Helm

interface ChartJob {
  root: string;
  chartPath: string;
  absDir: string;
  name: string;
  release: string;
}

function chartJobs(input: RenderInput, out: RenderedReview): ChartJob[] {
  const chartFiles = input.files.filter((f) => detectFileKind(f.path) === "chart");
  const roots = chartFiles.map((f) => posix.dirname(f.path)).map((d) => (d === "." ? "" : d));
  const jobs: ChartJob[] = [];
  for (const [i, f] of chartFiles.entries()) {
    const root = roots[i];
    // Subcharts render with their parent.
    if (roots.some((r) => r !== root && root.startsWith(r ? `${r}/charts/` : "charts/"))) continue;
    let data: Record<string, unknown> = {};
    try {
      const parsed: unknown = parse(f.text);
      if (parsed && typeof parsed === "object") data = parsed as Record<string, unknown>;
    } catch {
      continue; // BULWARK-PARSE already reports it
    }
    if (data.type === "library") {
      out.notes.push(`${f.path}: a library chart is not installable, so it is not rendered (its templates are reviewed where charts use them)`);
      continue;
    }
    if (typeof data.name !== "string" || data.name === "") continue; // HELM-003 reports it
    const abs = input.absolute.get(f.path);
    if (!abs) continue;
    const release = data.name.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^-+|-+$/g, "").slice(0, 53) || "release";
    jobs.push({ root, chartPath: f.path, absDir: dirname(abs), name: data.name, release });
  }
  return jobs;
}

function reviewCharts(input: RenderInput, out: RenderedReview): void {
  const jobs = chartJobs(input, out);
  if (jobs.length === 0) return;
  const helm = findHelm(input.env);
  if (!helm) {
    out.notes.push(`helm not found on PATH: ${jobs.length} chart(s) reviewed from values files and templates only, not as rendered (docs/helm-kustomize.md)`);
    return;
  }
  for (const job of jobs) {
    const texts = textsUnder(input.files, job.root);
    const render = (overlay: ReadonlyMap<string, string>) => renderChart(input, job, helm, overlay);
    const first = render(texts);
    if ("failure" in first) {
      out.findings.push(...first.failure);
      out.notes.push(...first.notes);
      continue;
    }
    out.notes.push(...first.notes);
    if (input.verifyFixes !== false) verifyRenderedFixes(first.findings, texts, job.root, (t) => render(t));
    out.findings.push(...first.findings);
  }
}

type RenderOutcome = { findings: Finding[]; notes: string[] } | { failure: Finding[]; notes: string[] };

function renderChart(input: RenderInput, job: ChartJob, helm: string, texts: ReadonlyMap<string, string>): RenderOutcome {
  const notes: string[] = [];
  let stage: string;
  try {
    stage = stageTree(job.absDir, texts);
  } catch (err) {
    if (err instanceof StageError) return { failure: [], notes: [`${job.chartPath}: ${err.message}`] };
    throw err;
  }
  try {
    const present = new Set(listFiles(stage));
    const valuesFiles: string[] = [];
    if (present.has("values.yaml")) valuesFiles.push("values.yaml");
    for (const v of input.config.helm.valuesFiles) {
      const rel = posix.normalize(v.replace(/\\/g, "/"));
      if (rel.startsWith("..") || isAbsolute(rel)) continue;
      if (present.has(rel)) {
        if (!valuesFiles.includes(rel)) valuesFiles.push(rel);
      } else notes.push(`${job.chartPath}: helm.valuesFiles entry ${v} is not in this chart; rendered without it`);
    }
    const run = helmTemplate(stage, { helm, release: job.release, valuesFiles, env: input.env, timeoutMs: input.timeoutMs });
    if (!run.ok) {
      const hint = /missing in charts\/ directory|dependencies/i.test(run.error ?? "") ? " Vendor the dependencies (helm dependency build) and commit charts/: Bulwark never downloads them." : "";
      const f = renderFailure("HELM-003", job.chartPath, texts.get("Chart.yaml"), `helm template failed for chart ${job.name}: ${run.error ?? "unknown error"}.${hint} Nothing this chart deploys was reviewed as rendered.`, { config: input.config, catalog: input.options.catalog });
      return { failure: f ? [f] : [], notes };
    }
    const files = new Map<string, string>();
    for (const rel of present) {
      if (rel === "Chart.yaml" || valuesFiles.includes(rel) || /^templates\/.+\.(?:ya?ml|tpl)$/.test(rel)) files.set(joinPath(job.root, rel), readFileSync(join(stage, ...rel.split("/")), "utf8"));
    }
    const findings = reviewRenderedChart(
      { root: job.root, name: job.name, chartYamlPath: job.chartPath, files, valuesFiles: valuesFiles.map((v) => joinPath(job.root, v)) },
      run.stdout,
      { ...input.options, config: input.config },
    );
    return { findings, notes };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** In-memory texts of the files under `root`, keyed by their path relative to it. */
function textsUnder(files: readonly SourceFile[], root: string): Map<string, string> {
  const m = new Map<string, string>();
  const prefix = root ? `${root}/` : "";
  for (const f of files) if (f.path.startsWith(prefix)) m.set(f.path.slice(prefix.length), f.text);
  return m;
}

// ----------------------------------------------------------------------------- Kustomize

function reviewKustomizations(input: RenderInput, out: RenderedReview): void {
  const kfiles = input.files.filter((f) => detectFileKind(f.path) === "kustomization");
  if (kfiles.length === 0) return;
  const texts = new Map(input.files.map((f) => [f.path, f.text]));
  const reader = diskReader(input.cwd, texts);
  const trees: KustomizeTree[] = [];
  for (const k of kfiles) {
    const tree = loadTree(posix.dirname(k.path), reader);
    if (tree) trees.push(tree);
  }
  // A kustomization another one builds on is reviewed through it (and by the plain scan).
  const included = new Set(trees.flatMap((t) => t.layers.filter((l) => l !== t.root).map((l) => l.k.path)));
  const roots = trees.filter((t) => !included.has(t.root.k.path) && !t.root.k.component);
  if (roots.length === 0) return;
  const bin = findKustomize(input.env);
  if (!bin) {
    out.notes.push(`neither kustomize nor kubectl found on PATH: ${roots.length} kustomization(s) reviewed file by file, not as built (docs/helm-kustomize.md)`);
    return;
  }
  for (const tree of roots) {
    if (tree.remotes.length > 0 && !input.allowRemoteBases) {
      out.notes.push(`${tree.root.k.path}: uses the remote base ${tree.remotes[0].entry.raw}; not built (a scan does not fetch; the local files were still scanned one by one)`);
      continue;
    }
    const build = (overlay: ReadonlyMap<string, string>) => buildOverlay(input, tree, bin, overlay);
    const first = build(new Map());
    if ("failure" in first) {
      out.findings.push(...first.failure);
      out.notes.push(...first.notes);
      continue;
    }
    if (input.verifyFixes !== false) verifyRenderedFixes(first.findings, textsOf(tree, reader), "", (t) => build(t));
    out.findings.push(...first.findings);
    for (const p of tree.patches) if (p.entry.file && !p.entry.json6902 && !out.replaces.includes(p.entry.file)) out.replaces.push(p.entry.file);
  }
}

function textsOf(tree: KustomizeTree, reader: ReturnType<typeof diskReader>): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of tree.files.keys()) {
    const t = reader.read(p);
    if (t !== undefined) m.set(p, t);
  }
  return m;
}

/**
 * Builds the overlay. In place when nothing differs from the disk (kustomize only reads);
 * otherwise in a staged copy of the directory that holds every file of the tree, with the
 * in-memory texts laid over it.
 */
function buildOverlay(input: RenderInput, tree: KustomizeTree, bin: KustomizeBinary, overrides: ReadonlyMap<string, string>): RenderOutcome {
  const abs = (p: string) => (isAbsolute(p) ? p : join(input.cwd, p));
  const inMemory = new Map<string, string>();
  for (const f of input.files) if (tree.files.has(f.path)) inMemory.set(f.path, f.text);
  for (const [p, t] of overrides) inMemory.set(p, t);
  const dirty = [...inMemory].filter(([p, t]) => {
    try {
      return readFileSync(abs(p), "utf8") !== t;
    } catch {
      return true;
    }
  });
  let cwd = input.cwd;
  let dir = tree.root.k.dir;
  let stage: string | undefined;
  if (dirty.length > 0) {
    const ancestor = commonDir([...tree.files.keys()].map(abs));
    try {
      stage = stageTree(ancestor, new Map(dirty.map(([p, t]) => [relative(ancestor, abs(p)).split(sep).join("/"), t])));
    } catch (err) {
      if (err instanceof StageError) return { failure: [], notes: [`${tree.root.k.path}: ${err.message}`] };
      throw err;
    }
    cwd = stage;
    dir = relative(ancestor, abs(tree.root.k.dir)).split(sep).join("/") || ".";
  }
  try {
    const run = kustomizeBuild(bin, dir, { cwd, env: input.env, timeoutMs: input.timeoutMs, allowNetwork: input.allowRemoteBases === true && tree.remotes.length > 0 });
    if (!run.ok) {
      const tool = bin.kind === "kustomize" ? "kustomize build" : "kubectl kustomize";
      const f = renderFailure("BULWARK-PARSE", tree.root.k.path, tree.files.get(tree.root.k.path), `${tool} failed: ${run.error ?? "unknown error"}. The overlay was not reviewed as built; its files were still scanned one by one.`, { config: input.config, catalog: input.options.catalog });
      return { failure: f ? [f] : [], notes: [] };
    }
    const view: KustomizeTree = overrides.size === 0 ? tree : { ...tree, files: new Map([...tree.files].map(([p, t]) => [p, overrides.get(p) ?? t])) };
    return { findings: reviewRenderedKustomization(view, run.stdout, { ...input.options, config: input.config }), notes: [] };
  } finally {
    if (stage) rmSync(stage, { recursive: true, force: true });
  }
}

function commonDir(paths: readonly string[]): string {
  const dirs = paths.map((p) => dirname(p).split(sep));
  let common = dirs[0] ?? [];
  for (const d of dirs.slice(1)) {
    let i = 0;
    while (i < common.length && i < d.length && common[i] === d[i]) i++;
    common = common.slice(0, i);
  }
  return common.join(sep) || sep;
}

// ---------------------------------------------------------------------------------- Fixes

/**
 * Plans the fixes of rendered findings on the current texts, jointly per document (several
 * values keys under one securityContext become one edit). Texts are keyed by the findings' paths.
 */
export function planRenderedFixes(findings: readonly Finding[], texts: ReadonlyMap<string, string>): { changed: Map<string, string>; used: Finding[] } {
  const groups = new Map<string, { path: string; doc: number; ops: FixOp[]; findings: Finding[] }>();
  for (const f of findings) {
    const rf = RENDERED_FIXES.get(f);
    if (!rf || !f.fix) continue;
    const key = `${rf.path}\u0000${rf.doc}`;
    const g = groups.get(key) ?? { path: rf.path, doc: rf.doc, ops: [], findings: [] };
    g.ops.push(...rf.ops);
    g.findings.push(f);
    groups.set(key, g);
  }
  const editsByFile = new Map<string, TextEdit[]>();
  const used: Finding[] = [];
  for (const g of groups.values()) {
    const text = texts.get(g.path);
    if (text === undefined) continue;
    const doc = parseYamlFile(g.path, text).docs[g.doc];
    if (!doc) continue;
    const planned = planYamlEdits(text, doc.doc, g.ops, g.path);
    const edits = editsByFile.get(g.path) ?? [];
    if (planned.failed.length === 0 && planned.edits.length > 0) {
      edits.push(...planned.edits);
      used.push(...g.findings);
    } else {
      const first = g.findings[0];
      if (first.fix && !first.fix.edits.some((e) => edits.some((x) => e.start < x.end && x.start < e.end))) {
        edits.push(...first.fix.edits);
        used.push(first);
      }
    }
    editsByFile.set(g.path, edits);
  }
  const changed = new Map<string, string>();
  for (const [path, edits] of editsByFile) {
    if (edits.length === 0) continue;
    try {
      changed.set(path, applyTextEdits(texts.get(path)!, edits));
    } catch {
      // overlapping edits from two plans: leave the file for the next run
    }
  }
  return { changed, used: used.filter((f) => changed.has(f.path)) };
}


/**
 * Applies every proposed fix at once, renders again, and withholds the fix of each finding the
 * new render still reports: the mapping back is heuristic, the render is not.
 */
function verifyRenderedFixes(findings: Finding[], texts: ReadonlyMap<string, string>, root: string, rerender: (texts: Map<string, string>) => RenderOutcome): void {
  const withFix = findings.filter((f) => f.fix && RENDERED_FIXES.has(f));
  if (withFix.length === 0) return;
  const display = new Map<string, string>();
  for (const [rel, t] of texts) display.set(joinPath(root, rel), t);
  const { changed } = planRenderedFixes(withFix, display);
  if (changed.size === 0) return;
  const overlay = new Map(texts);
  for (const [p, t] of changed) overlay.set(root && p.startsWith(`${root}/`) ? p.slice(root.length + 1) : p, t);
  const again = rerender(overlay);
  const still = new Set("findings" in again ? again.findings.map((f) => f.fingerprint) : []);
  for (const f of withFix) {
    if ("failure" in again || still.has(f.fingerprint)) {
      delete f.fix;
      RENDERED_FIXES.delete(f);
      f.message += " (automatic fix withheld: rendering again with it did not remove the finding)";
    }
  }
}

/**
 * `--fix` for rendered findings: plans and applies the selected fixes of a fresh rendered
 * review of `input.files`. Returns the changed texts (the caller writes them) and the findings
 * they fix.
 */
export function fixRendered(input: RenderInput, sel: FixSelection): { changed: Map<string, string>; applied: Finding[]; notes: string[] } {
  const review = reviewRendered(input);
  const texts = new Map(input.files.map((f) => [f.path, f.text]));
  // Only files of this scan are written: a base outside it is someone else's to change.
  const chosen = selectFixable(review.findings, sel, input.options).filter((f) => RENDERED_FIXES.has(f) && texts.has(RENDERED_FIXES.get(f)!.path));
  const { changed, used } = planRenderedFixes(chosen, texts);
  return { changed, applied: used, notes: review.notes };
}
