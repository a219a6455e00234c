// Helm charts as the engine sees them: files grouped by chart root, without running helm.
// A chart root is a directory holding Chart.yaml; values files belong to their own directory
// (environment values such as deploy/values-prod.yaml are Helm values even far from a chart),
// and templates to the nearest chart root above their templates/ directory.
import type { K8sObject, Obj } from "../model/k8s.js";
import { isObj } from "../model/k8s.js";
import type { LineIndex } from "../parse/positions.js";
import type { YamlFile } from "../parse/yaml.js";

/** Pseudo resource kind of a values file, so that values findings reuse the K8s report and fix path. */
export const VALUES_KIND = "HelmValues";
export const VALUES_API_VERSION = "helm.sh/v3";

export interface HelmValuesFile {
  path: string;
  file: YamlFile;
  /** Plain data of the first document (undefined when it did not parse). */
  data: unknown;
  /**
   * The values document as a pseudo object (kind HelmValues): reports on it get exact ranges,
   * comment suppressions and byte-preserving fixes from the engine like any manifest.
   */
  object?: K8sObject;
}

export interface HelmTemplateFile {
  path: string;
  text: string;
  lines: LineIndex;
}

export interface HelmChart {
  /** Directory of the chart ("" for the scan root). */
  root: string;
  /** Chart.yaml `name`, else the directory name. */
  name: string;
  /** Chart.yaml when it is part of this scan. */
  chartFile?: { path: string; file: YamlFile; data: Obj };
  /** A Chart.yaml exists for this root (in the scan or among the known paths). */
  hasChartYaml: boolean;
  values: HelmValuesFile[];
  /** Go-template files under templates/ (plain YAML under templates/ is scanned as a manifest). */
  templates: HelmTemplateFile[];
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

function baseOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? path : path.slice(i + 1);
}

export function joinPath(root: string, rel: string): string {
  return root ? `${root}/${rel}` : rel;
}

const CHART_FILE = /(^|\/)Chart\.ya?ml$/;

/** Directories that hold a Chart.yaml, from every path the caller knows about. */
export function chartRoots(paths: Iterable<string>): Set<string> {
  const roots = new Set<string>();
  for (const p of paths) {
    const norm = p.replace(/\\/g, "/");
    if (CHART_FILE.test(norm)) roots.add(dirOf(norm));
  }
  return roots;
}

/** The chart directory a template belongs to: the nearest Chart.yaml root, else the directory above templates/. */
export function templateRoot(path: string, roots: ReadonlySet<string>): { root: string; known: boolean } | undefined {
  const norm = path.replace(/\\/g, "/");
  let best: string | undefined;
  for (const r of roots) {
    const prefix = r ? `${r}/templates/` : "templates/";
    if (norm.startsWith(prefix) && (best === undefined || r.length > best.length)) best = r;
  }
  if (best !== undefined) return { root: best, known: true };
  const m = /^(?:(.*)\/)?templates\//.exec(norm);
  if (!m) return undefined;
  // Nested "templates/" directories: the last one is the chart's.
  const at = norm.lastIndexOf("/templates/");
  const root = at >= 0 ? norm.slice(0, at) : "";
  return { root, known: false };
}

/** Collects chart files during one scan and groups them into charts at the end. */
export class ChartCollector {
  private readonly roots: Set<string>;
  private readonly charts = new Map<string, HelmChart>();

  constructor(paths: Iterable<string>) {
    this.roots = chartRoots(paths);
  }

  private chart(root: string): HelmChart {
    let c = this.charts.get(root);
    if (!c) {
      c = { root, name: baseOf(root) || "chart", hasChartYaml: this.roots.has(root), values: [], templates: [] };
      this.charts.set(root, c);
    }
    return c;
  }

  /** Chart.yaml or a values file (kind as detectFileKind says). */
  addData(kind: "chart" | "values", file: YamlFile): void {
    const path = file.path.replace(/\\/g, "/");
    const doc = file.docs[0];
    const data = doc && doc.problems.length === 0 ? doc.value : undefined;
    const c = this.chart(dirOf(path));
    if (kind === "chart") {
      c.chartFile = { path: file.path, file, data: isObj(data) ? data : {} };
      if (isObj(data) && typeof data.name === "string" && data.name.trim() !== "") c.name = data.name.trim();
      return;
    }
    c.values.push({ path: file.path, file, data });
  }

  /** A Go-template file; true when a Chart.yaml roots it (the chart is reviewed, not skipped). */
  addTemplate(path: string, text: string, lines: LineIndex): boolean {
    const where = templateRoot(path, this.roots);
    if (!where) return false;
    this.chart(where.root).templates.push({ path, text, lines });
    return where.known;
  }

  build(): HelmChart[] {
    const out = [...this.charts.values()].sort((a, b) => (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));
    for (const c of out) {
      c.values.sort((a, b) => valuesOrder(a.path) - valuesOrder(b.path) || (a.path < b.path ? -1 : 1));
      for (const v of c.values) v.object = valuesObject(c, v);
    }
    return out;
  }
}

/** values.yaml first: it is the chart's default, the others override it. */
function valuesOrder(path: string): number {
  return /^values\.ya?ml$/i.test(baseOf(path)) ? 0 : 1;
}

function valuesObject(chart: HelmChart, v: HelmValuesFile): K8sObject | undefined {
  const doc = v.file.docs[0];
  if (!doc || doc.problems.length > 0) return undefined;
  // The name is the directory, not Chart.yaml's name: a pull request that changes only
  // values.yaml must fingerprint its findings like one that also changes Chart.yaml.
  const name = baseOf(chart.root) || "chart";
  return {
    file: v.file,
    doc,
    basePath: [],
    apiVersion: VALUES_API_VERSION,
    kind: VALUES_KIND,
    name,
    value: isObj(doc.value) ? doc.value : {},
    ref: { apiVersion: VALUES_API_VERSION, kind: VALUES_KIND, name },
  };
}
