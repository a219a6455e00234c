// The rendered review of a chart, pure: `helm template` output in, findings on the chart's own
// files out. The rendered manifests go through the whole catalog like any manifest; then each
// finding is moved to where a human would change it: the values key the field comes from (with
// the rule's fix turned into a byte-preserving values edit when the value flows through
// unchanged), or the template line that writes it (SUGGEST only: templates are the chart's
// interface, and Bulwark does not edit Go templates).
import { isMap, isPair, isScalar, isSeq } from "yaml";
import type { Document, Node } from "yaml";
import { fingerprint, FIX_SOURCES, scan } from "../engine/scan.js";
import type { ScanOptions } from "../engine/scan.js";
import { getCatalog } from "../engine/catalog.js";
import { findSuppressionComments, SuppressionIndex } from "../engine/suppress.js";
import type { FixOp, Path } from "../fix/ops.js";
import { planYamlEdits } from "../fix/yaml-edit.js";
import { getIn } from "../model/k8s.js";
import { LineIndex } from "../parse/positions.js";
import { ancestorStarts, locateNode, nodeRange, parseYamlFile } from "../parse/yaml.js";
import type { YamlFile } from "../parse/yaml.js";
import type { Finding, Fix, Range } from "../types.js";
import { joinPath } from "./chart.js";
import { mapTemplate, originOfField, sourceFor, sourceHeaders, sourceToPath } from "./source-map.js";
import type { FieldOrigin, TemplateMap } from "./source-map.js";

export interface ChartSources {
  /** Chart directory as findings show it ("" for the scan root). */
  root: string;
  /** Chart.yaml `name`: the prefix of every `# Source:` path. */
  name: string;
  chartYamlPath?: string;
  /** Texts of the chart's files by path (templates and values files at least). */
  files: ReadonlyMap<string, string>;
  /** Values files in the order helm applied them (the chart's values.yaml first). */
  valuesFiles: readonly string[];
}

/** Where a rendered finding was moved to, for callers that merge and de-duplicate. */
export interface RenderedOrigin {
  /** The rendered resource's template (repo path), when known. */
  template?: string;
  kind: "values" | "template" | "chart";
  /** Values key, for findings moved to a values file. */
  valuesPath?: Path;
  /** The rule's own fix ops on the values file, when the mapping is direct. */
  valuesOps?: FixOp[];
}
export const RENDERED_ORIGINS = new WeakMap<Finding, RenderedOrigin>();

/**
 * The ops behind a rendered finding's fix, on the file it was moved to (document index, paths
 * from the document root), so that several fixes on one file can be planned together.
 */
export interface RenderedFix {
  path: string;
  doc: number;
  ops: FixOp[];
}
export const RENDERED_FIXES = new WeakMap<Finding, RenderedFix>();

/** Name of the pseudo file the rendered stream is scanned as; it appears in fingerprints only. */
export function renderedPath(root: string, tool = "helm"): string {
  return joinPath(root, `(${tool} template).yaml`);
}

interface TextFile {
  path: string;
  text: string;
  lines: LineIndex;
}

/**
 * Rules whose findings on rendered charts are artefacts of rendering: helm sets the namespace
 * at install time (`--namespace`), so a template without metadata.namespace is the norm.
 */
const RENDER_ARTEFACTS = new Set(["K8S-GEN-001"]);

export function reviewRenderedChart(chart: ChartSources, rendered: string, options: ScanOptions = {}): Finding[] {
  const catalog = options.catalog ?? getCatalog();
  const path = renderedPath(chart.root);
  const result = scan([{ path, text: rendered }], { ...options, rendered: true, verifyFixes: false, knownPaths: [] });
  const stream = parseYamlFile(path, rendered, { maxAliasCount: options.config?.limits.maxAliasCount ?? 100, maxDocuments: options.config?.limits.maxDocuments ?? 1000 });
  const headers = sourceHeaders(rendered);
  const maps = new Map<string, TemplateMap>();
  const values = chart.valuesFiles.map((p) => ({ path: p, text: chart.files.get(p) })).filter((v): v is { path: string; text: string } => v.text !== undefined).map((v) => parseYamlFile(v.path, v.text));
  const textFiles = new Map<string, TextFile>();
  const textFile = (p: string): TextFile | undefined => {
    let t = textFiles.get(p);
    if (!t) {
      const text = chart.files.get(p);
      if (text === undefined) return undefined;
      t = { path: p, text, lines: new LineIndex(text) };
      textFiles.set(p, t);
    }
    return t;
  };
  const out: Finding[] = [];
  for (const f of result.findings) {
    if (RENDER_ARTEFACTS.has(f.ruleId)) continue;
    const at = stream.lines.offset(f.range.startLine, f.range.startColumn);
    const doc = stream.docs.find((d) => at >= (d.doc.range?.[0] ?? 0) && at <= (d.doc.range?.[2] ?? 0));
    const contentStart = (doc?.doc.contents as Node | null | undefined)?.range?.[0] ?? at;
    const source = doc ? sourceFor(headers, contentStart, doc.doc.range?.[0] ?? 0) : undefined;
    const template = source ? sourceToPath(source, chart.name, chart.root) : undefined;
    const fixSource = FIX_SOURCES.get(f);
    const fieldPath: Path | undefined = fixSource?.kind === "yaml" ? [...fixSource.object.basePath, ...(fixSource.ops[0]?.path ?? [])] : doc ? pathAt(doc.doc, at) : undefined;
    const templateFile = template ? textFile(template) : undefined;
    let origin: FieldOrigin | undefined;
    if (templateFile && fieldPath) {
      let map = maps.get(templateFile.path);
      if (!map) maps.set(templateFile.path, (map = mapTemplate(templateFile.text)));
      origin = originOfField(map, fieldPath, doc?.value);
    }
    const rel = (p: string) => (chart.root && p.startsWith(`${chart.root}/`) ? p.slice(chart.root.length + 1) : p);
    const base = { ...f, fingerprint: fingerprint(["helm", chart.root, f.fingerprint]) };
    delete base.fix;
    let mapped: Finding;
    if (origin?.kind === "values" && values.length > 0) {
      const target = valuesTarget(values, origin.valuesPath);
      const loc = locateNode(target.docs[0]!.doc, origin.valuesPath);
      const range = loc.node ? nodeRange(target.lines, loc.node, loc.pair) : nodeRange(target.lines, loc.deepest.node, loc.deepest.pair);
      const key = valuesKeyText(origin.valuesPath);
      const present = loc.node !== undefined || loc.pair !== undefined;
      const by = `${rel(template!)}:${origin.line.line}`;
      const file = rel(target.path);
      const note = !origin.direct
        ? `derived from \`${key}\` in ${file} by ${by}`
        : present
          ? `\`${key}\` in ${file}, rendered by ${by}`
          : `\`${key}\` is not set in ${file}; ${by} renders it`;
      mapped = { ...base, path: target.path, range, message: `${f.message} [Helm: ${note}]` };
      const ops = origin.direct && fixSource?.kind === "yaml" && templateFile ? valuesOps(maps.get(templateFile.path)!, fixSource.ops.map((op) => ({ ...op, path: [...fixSource.object.basePath, ...op.path] })), doc?.value) : undefined;
      const meta = catalog.meta(f.ruleId);
      if (ops && meta && (meta.fix === "AUTO" || meta.fix === "AUTO*") && ops.every((o) => valuesTarget(values, o.path) === target)) {
        const description = CONVERTED.has(ops) ? `Set ${key}: false` : f.fix?.description ?? "Apply the rule's fix";
        const fix = planValuesFix(target, ops, description, key, meta.fix === "AUTO*" ? meta.fixWarning ?? f.fix?.warning : undefined);
        if (fix) {
          mapped.fix = fix;
          RENDERED_FIXES.set(mapped, { path: target.path, doc: 0, ops });
        }
      }
      RENDERED_ORIGINS.set(mapped, { kind: "values", valuesPath: origin.valuesPath, ...(template ? { template } : {}), ...(ops ? { valuesOps: ops } : {}) });
      suppressFromComments(mapped, target, origin.valuesPath);
    } else if (templateFile) {
      const line = origin?.line;
      const range = line ? templateFile.lines.range(line.start, line.end) : templateFile.lines.range(0, lineEnd(templateFile.text, 0));
      const where = line ? `${rel(templateFile.path)}:${line.line}` : rel(templateFile.path);
      const literal = origin?.kind === "template" && origin.exact && origin.line.literal !== undefined;
      const how = !origin
        ? `rendered by ${where} through something Bulwark does not follow (a helper or a computed block)`
        : origin.kind === "template" && origin.opaque
          ? `set by \`{{ ${origin.opaque} }}\` at ${where}, which Bulwark does not follow`
          : literal
            ? `written in ${where}`
            : `${where} renders this without the field`;
      mapped = { ...base, path: templateFile.path, range, message: `${f.message} [Helm: ${how}; no value controls it. Change the template, or expose a value with a safe default.]` };
      RENDERED_ORIGINS.set(mapped, { kind: "template", template: templateFile.path });
      suppressFromLines(mapped, templateFile);
    } else {
      const chartFile = chart.chartYamlPath ? textFile(chart.chartYamlPath) : undefined;
      const range: Range = chartFile ? chartFile.lines.range(0, lineEnd(chartFile.text, 0)) : { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 };
      mapped = {
        ...base,
        path: chart.chartYamlPath ?? joinPath(chart.root, "Chart.yaml"),
        range,
        message: `${f.message} [Helm: rendered from ${source ?? "an unknown template"}${template ? " (not in this scan: a packaged subchart or a file outside the chart)" : ""}]`,
      };
      RENDERED_ORIGINS.set(mapped, { kind: "chart", ...(template ? { template } : {}) });
    }
    out.push(mapped);
  }
  return out;
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf("\n", from);
  return nl < 0 ? text.length : nl;
}

function valuesKeyText(path: Path): string {
  let out = "";
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || "(root)";
}

/** Pod and container booleans whose absence means false: deleting them equals setting false. */
const FALSE_BY_DEFAULT = new Set(["hostNetwork", "hostPID", "hostIPC", "privileged"]);
/** Op lists in which a deletion became `set false`: their description must say so. */
const CONVERTED = new WeakSet<FixOp[]>();

/** The values file a key lives in: the last file (highest precedence) that sets it, else the chart's default values. */
function valuesTarget(values: readonly YamlFile[], path: Path): YamlFile {
  for (let i = values.length - 1; i >= 0; i--) {
    const doc = values[i].docs[0];
    if (!doc) continue;
    const loc = locateNode(doc.doc, path);
    if (loc.node || loc.pair) return values[i];
  }
  return values[0];
}

/** The rule's ops on the rendered object, as ops on values keys; undefined when any op does not flow straight from values. */
function valuesOps(map: TemplateMap, ops: readonly FixOp[], rendered: unknown): FixOp[] | undefined {
  const out: FixOp[] = [];
  for (const op of ops) {
    const o = originOfField(map, op.path, rendered);
    if (!o || o.kind !== "values" || !o.direct) return undefined;
    if (o.via === "scalar" && op.op === "delete" && FALSE_BY_DEFAULT.has(String(op.path[op.path.length - 1])) && getIn(rendered, op.path) === true) {
      // Removing `hostNetwork: true` is the same as false; a values scalar can say false.
      out.push({ op: "set", path: o.valuesPath, value: false });
      CONVERTED.add(out);
      continue;
    }
    // A scalar `{{ .Values.x }}` can take a new value, never a deletion or a list append.
    if (o.via === "scalar" && op.op !== "set") return undefined;
    out.push({ ...op, path: o.valuesPath });
  }
  return out;
}

function planValuesFix(target: YamlFile, ops: FixOp[], description: string, key: string, warning: string | undefined): Fix | undefined {
  const doc = target.docs[0];
  if (!doc || doc.problems.length > 0) return undefined;
  try {
    const planned = planYamlEdits(target.text, doc.doc, ops, target.path);
    if (planned.failed.length > 0 || planned.edits.length === 0) return undefined;
    const file = target.path.slice(target.path.lastIndexOf("/") + 1);
    return { description: `${description} (in ${file}: \`${key}\`)`, edits: planned.edits, ...(warning ? { warning: warning.trim() } : {}) };
  } catch {
    return undefined;
  }
}

/** `# bulwark:ignore RULE reason` above the values key (or any of its parents) suppresses the rendered finding. */
function suppressFromComments(f: Finding, file: YamlFile, path: Path): void {
  if (f.suppressed) return;
  const index = new SuppressionIndex(findSuppressionComments(file.lines));
  if (index.comments.length === 0) return;
  const doc = file.docs[0];
  const lines = new Set<number>([f.range.startLine]);
  if (doc) for (const s of ancestorStarts(doc.doc, path)) lines.add(file.lines.position(s).line);
  const hit = index.match(f.ruleId, lines);
  if (hit) f.suppressed = { reason: hit.reason || "(no reason given)", source: `comment ${file.path}:${hit.line}` };
}

function suppressFromLines(f: Finding, file: TextFile): void {
  if (f.suppressed) return;
  const hit = new SuppressionIndex(findSuppressionComments(file.lines)).match(f.ruleId, [f.range.startLine]);
  if (hit) f.suppressed = { reason: hit.reason || "(no reason given)", source: `comment ${file.path}:${hit.line}` };
}

/** Path of the deepest node that starts at or contains `offset` (keys and list indices). */
export function pathAt(doc: Document.Parsed, offset: number): Path {
  const path: (string | number)[] = [];
  let node = doc.contents as Node | null;
  for (;;) {
    if (!node) break;
    let next: Node | null = null;
    if (isMap(node)) {
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const k = item.key as Node | null;
        const v = item.value as Node | null;
        const s = k?.range?.[0] ?? -1;
        const e = v?.range?.[1] ?? k?.range?.[1] ?? -1;
        if (offset >= s && offset <= e) {
          path.push(isScalar(k) ? String(k.value) : String(k));
          next = v;
          break;
        }
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) {
        const n = item as Node | null;
        if (n?.range && offset >= n.range[0] && offset <= n.range[1]) {
          path.push(i);
          // The engine points findings about a list item at the item's first key: the item is meant.
          if (offset === n.range[0] && isMap(n)) return path;
          next = n;
          break;
        }
      }
    }
    if (!next || isScalar(next)) break;
    node = next;
  }
  return path;
}
