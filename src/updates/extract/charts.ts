// Chart references: Chart.yaml `dependencies`, Flux HelmRelease (resolved against the
// HelmRepository objects found anywhere in the scan), Argo CD Application/ApplicationSet Helm
// sources and kustomize `helmCharts`. Each becomes a "chart" dependency on the helm datasource
// (index.yaml over HTTP) or, for oci:// repositories, on the docker datasource.
import type { Path } from "../../core/fix/ops.js";
import type { YamlDoc, YamlFile } from "../../core/parse/yaml.js";
import type { K8sObject } from "../../core/model/k8s.js";
import { asArray, asObj, getIn, isObj } from "../../core/model/k8s.js";
import type { Dependency, DependencySource, ExtractionResult } from "../types.js";
import { docId, isTemplated, scalarAt, skipped } from "./common.js";

export interface ChartRefInput {
  file: YamlFile;
  doc: YamlDoc;
  source: DependencySource;
  chart: string;
  /** Repository URL as written (https://…, oci://…, or for Argo a host/path without scheme). */
  repository: string;
  /** Path of the version scalar in the document. */
  versionPath: Path;
  resource?: Dependency["resource"];
  /** Argo CD: a repoURL without a scheme is an OCI registry. */
  schemelessIsOci?: boolean;
}

/** Build a chart dependency, or record why it was skipped. */
export function chartDependency(input: ChartRefInput, out: ExtractionResult): void {
  const { file, doc, chart } = input;
  const version = scalarAt(file, doc, input.versionPath);
  const fallbackRange = file.lines.range(doc.doc.range?.[0] ?? 0, doc.doc.range?.[0] ?? 0);
  if (!version || version.text.trim() === "") {
    out.skipped.push(skipped(file.path, version?.range ?? fallbackRange, "chart", chart, "no version: the newest chart is installed on every sync"));
    return;
  }
  const repo = input.repository.trim();
  const skip = (reason: string): void => {
    out.skipped.push(skipped(file.path, version.range, "chart", chart, reason));
  };
  if (isTemplated(version.text) || isTemplated(repo) || isTemplated(chart)) return skip("contains a template or variable");
  const base: Omit<Dependency, "datasource" | "packageName" | "registryUrl"> = {
    id: docId(file, doc, input.versionPath),
    path: file.path,
    range: version.range,
    kind: "chart",
    name: chart,
    current: version.text,
    source: input.source,
    edit: { type: "yaml", docIndex: doc.index, version: input.versionPath, ...(version.numeric ? { numeric: ["version" as const] } : {}) },
    ...(input.resource ? { resource: input.resource } : {}),
  };
  if (/^oci:\/\//i.test(repo) || (input.schemelessIsOci && repo !== "" && !repo.includes("://"))) {
    const hostPath = repo.replace(/^oci:\/\//i, "").replace(/\/+$/, "");
    const slash = hostPath.indexOf("/");
    const host = (slash < 0 ? hostPath : hostPath.slice(0, slash)).toLowerCase();
    const rest = slash < 0 ? "" : hostPath.slice(slash + 1);
    out.dependencies.push({ ...base, datasource: "docker", packageName: `${host}/${rest ? `${rest}/` : ""}${chart}`, registryUrl: repo });
    return;
  }
  if (/^https?:\/\//i.test(repo)) {
    out.dependencies.push({ ...base, datasource: "helm", packageName: chart, registryUrl: repo });
    return;
  }
  if (repo === "" || /^file:\/\//i.test(repo)) return skip("local chart (file:// or charts/): nothing to look up");
  if (repo.startsWith("@") || repo.startsWith("alias:")) return skip(`repository alias ${repo}: write the repository URL to get updates`);
  return skip(`unsupported repository ${repo}`);
}

/** Chart.yaml (apiVersion v2) `dependencies[]`. */
export function extractChartYaml(file: YamlFile, out: ExtractionResult): void {
  const doc = file.docs[0];
  if (!doc || !isObj(doc.value)) return;
  asArray(doc.value.dependencies).forEach((d, i) => {
    if (!isObj(d) || typeof d.name !== "string") return;
    chartDependency(
      {
        file,
        doc,
        source: "chart-yaml",
        chart: d.name,
        repository: typeof d.repository === "string" ? d.repository : "",
        versionPath: ["dependencies", i, "version"],
      },
      out,
    );
  });
}

export interface FluxRepository {
  name: string;
  namespace?: string;
  url: string;
  oci: boolean;
}

export function fluxRepository(o: K8sObject): FluxRepository | undefined {
  if (o.kind !== "HelmRepository" || !o.apiVersion.startsWith("source.toolkit.fluxcd.io/")) return undefined;
  const spec = asObj(o.value.spec);
  if (typeof spec.url !== "string") return undefined;
  return { name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}), url: spec.url, oci: spec.type === "oci" || spec.url.startsWith("oci://") };
}

export function isHelmRelease(o: K8sObject): boolean {
  return o.kind === "HelmRelease" && o.apiVersion.startsWith("helm.toolkit.fluxcd.io/");
}

/** Flux HelmRelease `spec.chart.spec`, resolved against HelmRepositories from the whole scan. */
export function extractHelmRelease(o: K8sObject, repositories: readonly FluxRepository[], out: ExtractionResult): void {
  const spec = asObj(getIn(o.value, ["spec", "chart", "spec"]));
  const chart = spec.chart;
  if (typeof chart !== "string") return;
  const sourceRef = asObj(spec.sourceRef);
  const versionPath: Path = [...o.basePath, "spec", "chart", "spec", "version"];
  const versionNode = scalarAt(o.file, o.doc, versionPath);
  const range = versionNode?.range ?? o.file.lines.range(o.doc.doc.range?.[0] ?? 0, o.doc.doc.range?.[0] ?? 0);
  if (sourceRef.kind !== "HelmRepository") {
    out.skipped.push(skipped(o.file.path, range, "chart", chart, `chart from a ${String(sourceRef.kind ?? "missing")} source: only HelmRepository sources are looked up`));
    return;
  }
  const wantNs = typeof sourceRef.namespace === "string" ? sourceRef.namespace : o.namespace;
  const named = repositories.filter((r) => r.name === sourceRef.name);
  const repo = named.find((r) => r.namespace === wantNs) ?? (named.length === 1 && (!named[0]!.namespace || !wantNs) ? named[0] : undefined);
  if (!repo) {
    out.skipped.push(skipped(o.file.path, range, "chart", chart, `HelmRepository ${String(sourceRef.name)}${wantNs ? ` in namespace ${wantNs}` : ""} is not among the scanned files`));
    return;
  }
  chartDependency(
    {
      file: o.file,
      doc: o.doc,
      source: "flux",
      chart,
      repository: repo.oci && !repo.url.startsWith("oci://") ? `oci://${repo.url}` : repo.url,
      versionPath,
      resource: o.ref,
    },
    out,
  );
}

export function isArgoApp(o: K8sObject): boolean {
  return (o.kind === "Application" || o.kind === "ApplicationSet") && o.apiVersion.startsWith("argoproj.io/");
}

/** Paths (relative to the object) of every Helm source of an Argo CD Application/ApplicationSet. */
export function argoSources(o: K8sObject): Path[] {
  const specPath: Path = o.kind === "ApplicationSet" ? ["spec", "template", "spec"] : ["spec"];
  const spec = asObj(getIn(o.value, specPath));
  const out: Path[] = [];
  if (isObj(spec.source)) out.push([...specPath, "source"]);
  asArray(spec.sources).forEach((s, i) => {
    if (isObj(s)) out.push([...specPath, "sources", i]);
  });
  return out;
}

export function extractArgoApp(o: K8sObject, out: ExtractionResult): void {
  for (const p of argoSources(o)) {
    const src = asObj(getIn(o.value, p));
    if (typeof src.chart !== "string" || typeof src.repoURL !== "string") continue;
    chartDependency(
      {
        file: o.file,
        doc: o.doc,
        source: "argocd",
        chart: src.chart,
        repository: src.repoURL,
        versionPath: [...o.basePath, ...p, "targetRevision"],
        resource: o.ref,
        schemelessIsOci: true,
      },
      out,
    );
  }
}
