// The pure scan: files in, findings out. No filesystem, network or clock access: the
// caller passes texts, config and "now". Bad input becomes findings, never exceptions.
import { createHash } from "node:crypto";
import type { FixOp, Path } from "../fix/ops.js";
import { planYamlEdits } from "../fix/yaml-edit.js";
import { applyEdits } from "../fix/apply.js";
import type { Finding, Fix, ResourceRef, Severity, SourceFile, TextEdit } from "../types.js";
import { severityRank } from "../types.js";
import { detectFileKind, looksBinary, looksLikeHelmTemplate } from "../parse/detect.js";
import { parseDockerfile } from "../parse/dockerfile.js";
import type { DockerfileModel } from "../parse/dockerfile.js";
import { LineIndex } from "../parse/positions.js";
import { ancestorStarts, locateNode, nodeRange, parseYamlFile } from "../parse/yaml.js";
import type { YamlFile } from "../parse/yaml.js";
import { asObj, makeObjects, toWorkload } from "../model/k8s.js";
import type { K8sObject, Workload } from "../model/k8s.js";
import { DEFAULT_CONFIG } from "../config/schema.js";
import type { BulwarkConfig, RuleSettings } from "../config/schema.js";
import type { CheckContext, DockerReport, K8sReport, RuleCheck, TextReport } from "./check.js";
import { ChartCollector } from "../helm/chart.js";
import type { HelmChart } from "../helm/chart.js";
import { getCatalog, inProfile } from "./catalog.js";
import type { Catalog } from "./catalog.js";
import { makeProject } from "./project.js";
import { schemaRegressions } from "./schema.js";
import { findSuppressionComments, IGNORE_ANNOTATION, IGNORE_REASON_ANNOTATION, parseIgnoreAnnotation, SuppressionIndex } from "./suppress.js";
import type { ScanResult, ScanSummary } from "../../report/model.js";
import type { RuleMeta } from "./rule.js";
import { ScanBudget } from "./budget.js";

export interface ScanOptions {
  config?: BulwarkConfig;
  /** Injected clock for date-dependent rules. */
  now?: Date;
  catalog?: Catalog;
  /** Run only these rules (tests, `--fix-rules`, chat-ops). */
  onlyRules?: readonly string[];
  /** Re-scan each fixed file and drop fixes that do not remove the finding or add another. */
  verifyFixes?: boolean;
  /** Paths that exist but are not scanned (e.g. .dockerignore), for rules that ask about them. */
  knownPaths?: readonly string[];
  /** The files are `helm template` / `kustomize build` output: `{{` in them is data, not template syntax. */
  rendered?: boolean;
  /**
   * "plan" (default): every fixable finding carries its byte-exact edits. "none": skip the
   * planning (detection only, e.g. a gate that shows no patches); `fixFiles` still works.
   * "describe": like "none", but the findings keep only whether they are fixable and how (not
   * the parsed documents `fixFiles` would plan from): what a review of thousands of files can
   * hold in memory; re-scan the files it shows with "plan".
   */
  fixes?: "plan" | "none" | "describe";
  /** Monotonic milliseconds for the per-file time budget (default `performance.now`; tests inject one). */
  clock?: () => number;
}

interface FileState {
  path: string;
  text: string;
  lines: LineIndex;
  yaml?: YamlFile;
  dockerfile?: DockerfileModel;
  suppressions?: SuppressionIndex;
}

/** How a finding's fix was made, so that several fixes of one document can be re-planned together. */
export type FixSource =
  | { kind: "yaml"; object: K8sObject; ops: FixOp[]; description: string }
  | { kind: "edits"; description: string }
  /** `fixes: "describe"`: fixable, with this description; nothing kept to plan it from (re-scan with "plan"). */
  | { kind: "described"; description: string };
export const FIX_SOURCES = new WeakMap<Finding, FixSource>();

const DEFAULT_FIX_WARNING = "This fix changes runtime behaviour: check that the workload still starts and works before merging.";

export function scan(files: readonly SourceFile[], options: ScanOptions = {}): ScanResult {
  const config = options.config ?? DEFAULT_CONFIG;
  const catalog = options.catalog ?? getCatalog();
  const now = options.now ?? new Date(0);
  const findings: Finding[] = [];
  const states = new Map<string, FileState>();
  const objects: K8sObject[] = [];
  const workloads: Workload[] = [];
  const dockerfiles: DockerfileModel[] = [];
  const engineReport = makeEngineReporter(catalog, config, findings);
  const charts = new ChartCollector([...files.map((f) => f.path), ...(options.knownPaths ?? [])]);
  const budget = new ScanBudget(config.limits.maxScanMs, options.clock ?? (() => performance.now()));

  let considered = 0;
  for (const file of files) {
    const kind = detectFileKind(file.path);
    if (kind === "other") continue;
    considered++;
    const lines = new LineIndex(file.text);
    const state: FileState = { path: file.path, text: file.text, lines };
    states.set(file.path, state);
    if (considered > config.limits.maxFiles) {
      engineReport("BULWARK-LIMIT", file.path, lines, 0, 0, `more than ${config.limits.maxFiles} files in one scan: ${file.path} was not scanned`);
      continue;
    }
    const bytes = Buffer.byteLength(file.text, "utf8");
    if (bytes > config.limits.maxFileBytes) {
      engineReport("BULWARK-LIMIT", file.path, lines, 0, 0, `file is ${formatBytes(bytes)}, over the ${formatBytes(config.limits.maxFileBytes)} limit (limits.maxFileBytes): not scanned`);
      continue;
    }
    if (looksBinary(file.text)) {
      engineReport("BULWARK-PARSE", file.path, lines, 0, 0, `binary content in a file named like a ${kind === "dockerfile" ? "Dockerfile" : "YAML manifest"}: not scanned`);
      continue;
    }
    if (kind === "dockerfile") {
      try {
        const model = budget.charge(file.path, () => parseDockerfile(file.path, file.text));
        if (model.stages.length === 0 && file.text.trim() !== "") {
          engineReport("BULWARK-PARSE", file.path, lines, 0, 0, "no FROM instruction: this is not a Dockerfile Bulwark can analyse");
          continue;
        }
        state.dockerfile = model;
        state.suppressions = new SuppressionIndex(findSuppressionComments(lines));
        dockerfiles.push(model);
      } catch (err) {
        engineReport("BULWARK-PARSE", file.path, lines, 0, 0, `Dockerfile could not be parsed: ${errorMessage(err)}`);
      }
      continue;
    }
    const helmData = kind === "values" || kind === "chart";
    if (!helmData && !options.rendered && looksLikeHelmTemplate(file.path, file.text)) {
      // Templates of a chart whose Chart.yaml is known are reviewed with the chart (chart checks).
      state.suppressions = new SuppressionIndex(findSuppressionComments(lines));
      if (!charts.addTemplate(file.path, file.text, lines)) {
        const at = Math.max(0, file.text.indexOf("{{"));
        engineReport("BULWARK-SKIPPED", file.path, lines, at, at + 2, "Helm template syntax ({{ … }}) with no Chart.yaml for it in this scan: only hard-coded fields were checked; scan the chart directory to review what it deploys");
      }
      continue;
    }
    let yaml: YamlFile;
    try {
      const limits = { maxAliasCount: config.limits.maxAliasCount, maxDocuments: config.limits.maxDocuments, keepSourceTokens: options.fixes !== "describe" };
      yaml = budget.charge(file.path, () => parseYamlFile(file.path, file.text, limits));
    } catch (err) {
      engineReport("BULWARK-PARSE", file.path, lines, 0, 0, `YAML could not be parsed: ${errorMessage(err)}`);
      continue;
    }
    state.yaml = yaml;
    state.lines = yaml.lines;
    state.suppressions = new SuppressionIndex(findSuppressionComments(yaml.lines));
    const fileObjects = helmData ? [] : makeObjects(yaml);
    // Only files that look like Kubernetes manifests get their parse errors reported:
    // other YAML (CI workflows, app config) is none of our business.
    const relevant = helmData || fileObjects.length > 0 || /^\s*(?:apiVersion|kind)\s*:|"(?:apiVersion|kind)"\s*:/m.test(file.text);
    for (const d of yaml.docs) {
      for (const p of d.problems) {
        if (!relevant && p.kind === "error") continue;
        const id = p.kind === "limit" ? "BULWARK-LIMIT" : "BULWARK-PARSE";
        const start = yaml.lines.offset(p.range.startLine, p.range.startColumn);
        const end = yaml.lines.offset(p.range.endLine, p.range.endColumn);
        engineReport(id, file.path, yaml.lines, start, end, `${p.kind === "limit" ? "" : "invalid YAML: "}${p.message}${yaml.docs.length > 1 ? ` (document ${d.index + 1})` : ""}`);
      }
    }
    if (helmData) {
      charts.addData(kind, yaml);
      continue;
    }
    for (const o of fileObjects) {
      objects.push(o);
      const w = toWorkload(o);
      if (w) workloads.push(w);
    }
  }

  const project = makeProject(objects, workloads, dockerfiles, [...files.map((f) => f.path), ...(options.knownPaths ?? [])]);
  const helmCharts = charts.build();
  const only = options.onlyRules ? new Set(options.onlyRules) : undefined;
  for (const [id, entry] of catalog.entries) {
    const check = entry.check;
    if (!check) continue;
    const settings = ruleSettings(entry.meta, config, only);
    if (!settings.enabled) continue;
    const ctx = makeContext(entry.meta, settings, config, now, (r) => {
      const f = toFinding(r, entry.meta, settings, states, options.fixes ?? "plan");
      if (f) findings.push(f);
    });
    runCheck(check, ctx, objects, workloads, dockerfiles, helmCharts, project, budget, (where, err) => {
      findings.push(internalError(catalog, id, where, err, states));
    });
  }
  // A file that went over budget only with its last check lost nothing: not reported.
  for (const over of budget.overBudget()) {
    const state = states.get(over.path);
    if (!state || over.skippedChecks === 0) continue;
    engineReport(
      "BULWARK-LIMIT",
      over.path,
      state.lines,
      0,
      0,
      `scanning this file took ${Math.round(over.spentMs)} ms, over the ${config.limits.maxScanMs} ms limit (limits.maxScanMs): ${over.skippedChecks} rule check${over.skippedChecks === 1 ? " was" : "s were"} skipped, so findings may be missing`,
    );
  }

  applyAnnotationSuppressions(findings, objects, catalog, config, states);
  applyCommentSuppressions(findings, states, catalog, config);
  if (options.verifyFixes) verifyFixes(findings, files, options);

  findings.sort(compareFindings);
  return { findings, summary: summarize(findings, considered, objects.length + dockerfiles.length) };
}

function runCheck(
  check: RuleCheck,
  ctx: CheckContext,
  objects: K8sObject[],
  workloads: Workload[],
  dockerfiles: DockerfileModel[],
  helmCharts: HelmChart[],
  project: ReturnType<typeof makeProject>,
  budget: ScanBudget,
  onError: (where: { path: string }, err: unknown) => void,
): void {
  // Per-file checks are charged to their file; the project check spans every file and is not.
  const guard = (where: { path: string }, fn: () => void, charged = true) => {
    const attempt = () => {
      try {
        fn();
      } catch (err) {
        onError(where, err);
      }
    };
    if (charged) budget.run(where.path, attempt);
    else attempt();
  };
  if (check.object) for (const o of objects) guard({ path: o.file.path }, () => check.object!(o, ctx));
  if (check.workload) for (const w of workloads) guard({ path: w.obj.file.path }, () => check.workload!(w, ctx));
  if (check.dockerfile) for (const d of dockerfiles) guard({ path: d.path }, () => check.dockerfile!(d, ctx));
  if (check.chart) for (const c of helmCharts) guard({ path: c.chartFile?.path ?? c.values[0]?.path ?? c.templates[0]?.path ?? "" }, () => check.chart!(c, ctx));
  if (check.project) guard({ path: project.objects[0]?.file.path ?? project.dockerfiles[0]?.path ?? "" }, () => check.project!(project, ctx), false);
}

export function ruleSettings(meta: RuleMeta, config: BulwarkConfig, only?: ReadonlySet<string>): RuleSettings {
  const override = config.rules[meta.id] ?? {};
  let enabled = meta.category === "bulwark" || (meta.defaultEnabled && inProfile(meta, config.profile));
  if (override.enabled !== undefined) enabled = override.enabled;
  if (only && meta.category !== "bulwark") enabled = only.has(meta.id) && (override.enabled !== false || only.size > 0);
  return { enabled, severity: override.severity, options: override.options ?? {} };
}

function makeContext(meta: RuleMeta, settings: RuleSettings, config: BulwarkConfig, now: Date, report: (r: K8sReport | DockerReport) => void): CheckContext {
  return {
    meta,
    settings,
    now,
    targetKubernetesVersion: config.targetKubernetesVersion,
    pssVersion: config.pssVersion,
    trustedRegistries: config.trustedRegistries,
    profile: config.profile,
    report,
  };
}

function isK8sReport(r: K8sReport | DockerReport | TextReport): r is K8sReport {
  return "object" in r;
}

function toFinding(r: K8sReport | DockerReport | TextReport, meta: RuleMeta, settings: RuleSettings, states: Map<string, FileState>, fixes: NonNullable<ScanOptions["fixes"]>): Finding | undefined {
  const severity: Severity = settings.severity ?? r.severity ?? meta.severity;
  const base = { ruleId: meta.id, severity, title: meta.title, message: flat(r.message) };
  if (isK8sReport(r)) {
    const o = r.object;
    const docPath: Path = [...o.basePath, ...r.path];
    const loc = locateNode(o.doc.doc, docPath);
    const range = loc.node ? nodeRange(o.file.lines, loc.node, loc.pair) : nodeRange(o.file.lines, loc.deepest.node, loc.deepest.pair);
    const resource: ResourceRef = r.container ? resourceRef(o.ref, r.container.name) : o.ref;
    const finding = makeFinding(
      base,
      o.file.path,
      range,
      resource,
      fingerprint([meta.id, o.file.path, o.apiVersion.split("/")[0], o.kind, o.namespace ?? "", o.name, r.container?.name ?? "", r.path.join("."), r.key ?? ""]),
    );
    if (r.fix && (meta.fix === "AUTO" || meta.fix === "AUTO*")) {
      if (fixes === "describe") FIX_SOURCES.set(finding, { kind: "described", description: r.fix.description });
      else if (fixes === "none") FIX_SOURCES.set(finding, { kind: "yaml", object: o, ops: r.fix.ops, description: r.fix.description });
      else {
        const fix = planK8sFix(o, r.fix, meta);
        if (fix) {
          finding.fix = fix;
          FIX_SOURCES.set(finding, { kind: "yaml", object: o, ops: r.fix.ops, description: r.fix.description });
        }
      }
    }
    return finding;
  }
  if ("source" in r) return textFinding(r, base, meta);
  const d = r.dockerfile;
  const state = states.get(d.path);
  const lines = state?.lines ?? d.lines;
  const stage = r.stage !== undefined ? d.stages[r.stage] : undefined;
  const finding = makeFinding(
    base,
    d.path,
    lines.range(r.start, r.end),
    { apiVersion: "dockerfile", kind: "Stage", name: stage?.alias ?? (r.stage !== undefined ? `stage ${r.stage}` : "file") },
    fingerprint([meta.id, d.path, stage?.alias ?? String(r.stage ?? ""), normalizeWs(d.text.slice(r.start, r.end)), r.key ?? ""]),
  );
  if (r.fix && (meta.fix === "AUTO" || meta.fix === "AUTO*") && r.fix.edits.length > 0) {
    finding.fix = withWarning({ description: r.fix.description, edits: r.fix.edits.map((e) => ({ path: d.path, ...e })) }, meta);
    FIX_SOURCES.set(finding, { kind: "edits", description: r.fix.description });
  }
  return finding;
}

// Findings are built with one literal of fixed property order (not object spread): a review
// holds tens of thousands of them, and spread-built objects each got a hidden class of their
// own (V8's clone slow path), about 300 bytes apiece on top of the object.
function makeFinding(base: Pick<Finding, "ruleId" | "severity" | "title" | "message">, path: string, range: Finding["range"], resource: ResourceRef | undefined, fp: string): Finding {
  return resource === undefined
    ? { ruleId: base.ruleId, severity: base.severity, title: base.title, message: base.message, path, range, fingerprint: fp }
    : { ruleId: base.ruleId, severity: base.severity, title: base.title, message: base.message, path, range, resource, fingerprint: fp };
}

function resourceRef(ref: ResourceRef, container: string): ResourceRef {
  return ref.namespace !== undefined
    ? { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace: ref.namespace, container }
    : { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, container };
}

/**
 * The string flattened in place: a message built from template pieces is a tree of V8 cons
 * strings (one node per piece) until something reads it; ToNumber flattens it to one block, so
 * a finding holds one string, not its pieces (the "flatstr" idiom).
 */
function flat(s: string): string {
  void Number(s);
  return s;
}

function textFinding(r: TextReport, base: Pick<Finding, "ruleId" | "severity" | "title" | "message">, meta: RuleMeta): Finding {
  const src = r.source;
  // The text of the span, not its line: stable when unrelated lines move.
  return makeFinding(base, src.path, src.lines.range(r.start, r.end), r.resource, fingerprint([meta.id, src.path, r.resource?.kind ?? "", r.resource?.name ?? "", normalizeWs(src.text.slice(r.start, r.end)), r.key ?? ""]));
}

function planK8sFix(o: K8sObject, fix: NonNullable<K8sReport["fix"]>, meta: RuleMeta): Fix | undefined {
  const ops = fix.ops.map((op) => ({ ...op, path: [...o.basePath, ...op.path] }));
  try {
    const planned = planYamlEdits(o.file.text, o.doc.doc, ops, o.file.path);
    if (planned.failed.length > 0 || planned.edits.length === 0) return undefined;
    if (!keepsJsonValid(o.file.path, o.file.text, planned.edits)) return undefined;
    return withWarning({ description: fix.description, edits: planned.edits }, meta);
  } catch {
    return undefined;
  }
}

/**
 * The edit planner writes YAML; a JSON manifest must stay JSON. Edits that would make a
 * .json file YAML-only (new keys in flow style without quotes) are not offered.
 */
export function keepsJsonValid(path: string, text: string, edits: readonly Pick<TextEdit, "start" | "end" | "newText">[]): boolean {
  if (!/\.json$/i.test(path)) return true;
  try {
    JSON.parse(applyTextEdits(text, edits));
    return true;
  } catch {
    return false;
  }
}

function withWarning(fix: Fix, meta: RuleMeta): Fix {
  return meta.fix === "AUTO*" ? { ...fix, warning: meta.fixWarning?.trim() || DEFAULT_FIX_WARNING } : fix;
}

export function fingerprint(parts: readonly string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);
}

function normalizeWs(s: string): string {
  return s.replace(/\\\r?\n/g, " ").replace(/\s+/g, " ").trim();
}

function makeEngineReporter(catalog: Catalog, config: BulwarkConfig, findings: Finding[]) {
  return (ruleId: string, path: string, lines: LineIndex, start: number, end: number, message: string) => {
    const meta = catalog.meta(ruleId);
    const override = config.rules[ruleId];
    if (override?.enabled === false) return;
    findings.push({
      ruleId,
      severity: override?.severity ?? meta?.severity ?? "medium",
      title: meta?.title ?? ruleId,
      message,
      path,
      range: lines.range(start, end),
      fingerprint: fingerprint([ruleId, path, message]),
    });
  };
}

function internalError(catalog: Catalog, ruleId: string, where: { path: string }, err: unknown, states: Map<string, FileState>): Finding {
  const meta = catalog.meta("BULWARK-PARSE");
  const lines = states.get(where.path)?.lines ?? new LineIndex("");
  const message = `rule ${ruleId} failed on this file (${errorMessage(err)}); other rules still ran. Please report this.`;
  return {
    ruleId: "BULWARK-PARSE",
    severity: "info",
    title: meta?.title ?? "Could not analyse",
    message,
    path: where.path,
    range: lines.range(0, 0),
    fingerprint: fingerprint(["BULWARK-PARSE", where.path, ruleId]),
  };
}

function applyAnnotationSuppressions(findings: Finding[], objects: K8sObject[], catalog: Catalog, config: BulwarkConfig, states: Map<string, FileState>): void {
  const byResource = new Map<string, { ids: string[]; reason: string; obj: K8sObject }>();
  for (const o of objects) {
    const annotations = [asObj(asObj(o.value.metadata).annotations)];
    const w = toWorkload(o);
    if (w) annotations.push(asObj(w.podMeta.annotations));
    const ids = annotations.flatMap((a) => parseIgnoreAnnotation(a[IGNORE_ANNOTATION]));
    if (ids.length === 0) continue;
    const reasonRaw = annotations.map((a) => a[IGNORE_REASON_ANNOTATION]).find((r) => typeof r === "string" && r.trim() !== "");
    const reason = typeof reasonRaw === "string" ? reasonRaw.trim() : "";
    byResource.set(resourceKey(o.file.path, o.ref), { ids, reason, obj: o });
    if (!reason) {
      const loc = locateNode(o.doc.doc, [...o.basePath, "metadata", "annotations", IGNORE_ANNOTATION]);
      const node = loc.node ?? loc.deepest.node;
      const range = nodeRange(o.file.lines, node, loc.node ? loc.pair : loc.deepest.pair);
      pushSuppressWithoutReason(findings, catalog, config, o.file.path, range, `${o.kind}/${o.name}: ${IGNORE_ANNOTATION} has no reason; add a ${IGNORE_REASON_ANNOTATION} annotation saying why`);
    }
  }
  if (byResource.size === 0) return;
  for (const f of findings) {
    if (!f.resource || f.suppressed) continue;
    const entry = byResource.get(resourceKey(f.path, f.resource));
    if (entry && (entry.ids.includes(f.ruleId) || entry.ids.includes("*") || entry.ids.includes("ALL"))) {
      f.suppressed = { reason: entry.reason || "(no reason given)", source: `annotation ${IGNORE_ANNOTATION} on ${entry.obj.kind}/${entry.obj.name}` };
    }
  }
  void states;
}

function resourceKey(path: string, r: ResourceRef): string {
  return [path, r.apiVersion, r.kind, r.namespace ?? "", r.name].join("\u0000");
}

function applyCommentSuppressions(findings: Finding[], states: Map<string, FileState>, catalog: Catalog, config: BulwarkConfig): void {
  for (const state of states.values()) {
    const index = state.suppressions;
    if (!index) continue;
    for (const c of index.comments) {
      if (!c.reason) {
        const start = state.lines.offset(c.line, c.column);
        pushSuppressWithoutReason(findings, catalog, config, state.path, state.lines.range(start, state.lines.offset(c.line + 1) - 1), `suppression of ${c.ruleIds.join(", ")} has no reason: write \`# bulwark:ignore ${c.ruleIds.join(",")} <why>\``);
      }
    }
  }
  for (const f of findings) {
    if (f.suppressed || f.ruleId.startsWith("BULWARK-")) continue;
    const state = states.get(f.path);
    const index = state?.suppressions;
    if (!state || !index || index.comments.length === 0) continue;
    const candidates = candidateLines(f, state);
    const hit = index.match(f.ruleId, candidates);
    if (hit) f.suppressed = { reason: hit.reason || "(no reason given)", source: `comment ${f.path}:${hit.line}` };
  }
}

/** Lines whose suppression comment covers a finding: its own line and every ancestor's start line. */
function candidateLines(f: Finding, state: FileState): number[] {
  const lines = new Set<number>([f.range.startLine]);
  if (state.yaml && f.resource) {
    for (const d of state.yaml.docs) {
      const start = d.doc.range?.[0] ?? 0;
      const end = d.doc.range?.[2] ?? 0;
      const at = state.lines.offset(f.range.startLine, f.range.startColumn);
      if (at < start || at > end) continue;
      // Walk the document from its root along the node path to the finding's offset.
      for (const s of ancestorsAt(d.doc, at)) lines.add(state.lines.position(s).line);
    }
  }
  if (state.dockerfile) {
    const at = state.lines.offset(f.range.startLine, f.range.startColumn);
    for (const stage of state.dockerfile.stages) {
      const next = state.dockerfile.stages[stage.index + 1];
      if (at >= stage.from.start && (!next || at < next.from.start)) lines.add(stage.from.range.startLine);
    }
  }
  return [...lines];
}

function ancestorsAt(doc: YamlFile["docs"][number]["doc"], offset: number): number[] {
  // Find the node path containing `offset`, then reuse ancestorStarts.
  const path: (string | number)[] = [];
  let node: unknown = doc.contents;
  for (;;) {
    const n = node as { items?: unknown[]; range?: [number, number, number] } | null;
    if (!n || !Array.isArray(n.items)) break;
    let advanced = false;
    for (let i = 0; i < n.items.length; i++) {
      const item = n.items[i] as { key?: { value?: unknown; range?: [number, number, number] }; value?: { range?: [number, number, number] }; range?: [number, number, number] };
      if (item && "key" in item && item.key !== undefined) {
        const s = item.key?.range?.[0] ?? -1;
        const e = item.value?.range?.[2] ?? item.key?.range?.[2] ?? -1;
        if (offset >= s && offset <= e) {
          path.push(String(item.key?.value));
          node = item.value;
          advanced = true;
          break;
        }
      } else if (item?.range && offset >= item.range[0] && offset <= item.range[2]) {
        path.push(i);
        node = item;
        advanced = true;
        break;
      }
    }
    if (!advanced) break;
  }
  return ancestorStarts(doc, path);
}

function pushSuppressWithoutReason(findings: Finding[], catalog: Catalog, config: BulwarkConfig, path: string, range: Finding["range"], message: string): void {
  const meta = catalog.meta("BULWARK-SUPPRESS");
  if (config.rules["BULWARK-SUPPRESS"]?.enabled === false) return;
  findings.push({
    ruleId: "BULWARK-SUPPRESS",
    severity: config.rules["BULWARK-SUPPRESS"]?.severity ?? meta?.severity ?? "low",
    title: meta?.title ?? "Suppression without a reason",
    message,
    path,
    range,
    fingerprint: fingerprint(["BULWARK-SUPPRESS", path, message]),
  });
}

/**
 * Engine-level fix verification: apply, re-parse, re-scan the file; drop fixes that
 * misbehave. Per file, the non-overlapping fixes are first tried together with one
 * re-scan; only when that combined result is not clean is each fix checked on its own.
 */
function verifyFixes(findings: Finding[], files: readonly SourceFile[], options: ScanOptions): void {
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!f.fix || f.suppressed || !texts.has(f.path)) continue;
    const list = byFile.get(f.path);
    if (list) list.push(f);
    else byFile.set(f.path, [f]);
  }
  const rescan = (path: string, text: string) => scan([{ path, text }], { ...options, verifyFixes: false, fixes: "none" }).findings;
  for (const [path, fileFindings] of byFile) {
    const original = texts.get(path)!;
    const before = new Set(rescan(path, original).map((x) => x.fingerprint));
    const verified = new Set<Finding>();
    const batch: Finding[] = [];
    const taken: { start: number; end: number }[] = [];
    for (const f of fileFindings) {
      const edits = f.fix!.edits;
      if (edits.some((e) => taken.some((t) => e.start < t.end && t.start < e.end || e.start === t.start))) continue;
      batch.push(f);
      taken.push(...edits);
    }
    if (batch.length > 1) {
      try {
        const fixed = applyTextEdits(original, batch.flatMap((f) => f.fix!.edits));
        const after = rescan(path, fixed);
        const afterSet = new Set(after.map((x) => x.fingerprint));
        const clean =
          !after.some((x) => x.ruleId === "BULWARK-PARSE") &&
          !after.some((x) => !before.has(x.fingerprint) && !x.ruleId.startsWith("BULWARK-") && !isCrossResource(x.ruleId, options)) &&
          schemaRegressions(path, original, fixed).length === 0;
        if (clean) for (const f of batch) if (!afterSet.has(f.fingerprint) || isCrossResource(f.ruleId, options)) verified.add(f);
      } catch {
        // fall through to one-by-one checks
      }
    }
    for (const f of fileFindings) {
      if (verified.has(f)) continue;
      const problem = checkFix(f, original, before, options);
      if (problem) {
        delete f.fix;
        f.message += ` (automatic fix withheld: ${problem})`;
      }
    }
  }
}

function checkFix(f: Finding, original: string, before: Set<string>, options: ScanOptions): string | undefined {
  if (!f.fix) return undefined;
  let fixed: string;
  try {
    fixed = applyTextEdits(original, f.fix.edits);
  } catch (err) {
    return errorMessage(err);
  }
  const after = scan([{ path: f.path, text: fixed }], { ...options, verifyFixes: false, fixes: "none" }).findings;
  const parse = after.find((x) => x.ruleId === "BULWARK-PARSE");
  if (parse) return `the fixed file does not parse (${parse.message})`;
  const invalid = schemaRegressions(f.path, original, fixed);
  if (invalid.length > 0) return `the fixed resource would not validate against the Kubernetes schema (${invalid[0]})`;
  const fingerprints = new Set(after.map((x) => x.fingerprint));
  // Only rules that see one file at a time can be re-checked on the file alone.
  const stillThere = fingerprints.has(f.fingerprint) && before.has(f.fingerprint);
  if (stillThere && !isCrossResource(f.ruleId, options)) return "the finding is still there after the fix";
  // Cross-resource rules judge the file together with others (e.g. a pod leaving the host
  // network becomes subject to NetworkPolicies): what they add is not the fix's doing.
  const added = after.filter((x) => !before.has(x.fingerprint) && !x.ruleId.startsWith("BULWARK-") && !isCrossResource(x.ruleId, options));
  if (added.length > 0) return `the fix would add ${added[0].ruleId}`;
  return undefined;
}

function isCrossResource(ruleId: string, options: ScanOptions): boolean {
  const check = (options.catalog ?? getCatalog()).entries.get(ruleId)?.check;
  return Boolean(check?.project);
}

/** Apply edits on the original text (the fix engine's rules: sorted, exact duplicates dropped, overlaps refused). */
export function applyTextEdits(text: string, edits: readonly Pick<TextEdit, "start" | "end" | "newText">[]): string {
  return applyEdits(text, edits.map((e) => ({ path: "", start: e.start, end: e.end, newText: e.newText })));
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    a.range.startLine - b.range.startLine ||
    a.range.startColumn - b.range.startColumn ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.resource?.container ?? "").localeCompare(b.resource?.container ?? "")
  );
}

/** Counts of a finding list; the unsuppressed findings are what the counts describe. */
export function summarize(findings: readonly Finding[], files: number, resources: number): ScanSummary {
  const bySeverity = { critical: 0, high: 0, medium: 0, low: 0, info: 0 } as Record<Severity, number>;
  const byRule: Record<string, number> = {};
  let suppressed = 0;
  let errors = 0;
  for (const f of findings) {
    if (f.suppressed) {
      suppressed++;
      continue;
    }
    bySeverity[f.severity]++;
    byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
    if (f.ruleId === "BULWARK-PARSE" || f.ruleId === "BULWARK-LIMIT" || f.ruleId === "HELM-003") errors++;
  }
  return { files, resources, findings: findings.length - suppressed, suppressed, bySeverity, byRule, errors };
}

/** Unsuppressed findings at or above the threshold. */
export function failing(findings: readonly Finding[], failOn: Severity): Finding[] {
  return findings.filter((f) => !f.suppressed && severityRank(f.severity) >= severityRank(failOn));
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
