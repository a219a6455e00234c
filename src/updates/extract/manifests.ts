// Kubernetes manifests: `image:` of every container of every workload kind (init, regular and
// ephemeral containers, CronJob nesting, `kind: List` items, image volumes), `image:` strings in
// other objects (CRDs), Flux HelmRelease charts and inline values, Argo CD Helm sources and
// their `valuesObject` images, and kustomization.yaml `images:` / `helmCharts:`.
import { isScalar } from "yaml";
import type { Node } from "yaml";
import type { Path } from "../../core/fix/ops.js";
import type { K8sObject } from "../../core/model/k8s.js";
import { asArray, isObj, toWorkload } from "../../core/model/k8s.js";
import { locateNode } from "../../core/parse/yaml.js";
import type { YamlFile } from "../../core/parse/yaml.js";
import type { ResourceRef } from "../../core/types.js";
import type { Dependency, ExtractionResult } from "../types.js";
import { chartDependency, extractArgoApp, extractHelmRelease, argoSources, isArgoApp, isHelmRelease } from "./charts.js";
import type { FluxRepository } from "./charts.js";
import { docId, imageFields, isTemplated, parseImageForUpdate, scalarAt, scalarInfo, skipped, walkMaps } from "./common.js";
import { extractValuesImages } from "./helm-values.js";

/** One `image:` string at `path` (relative to the document). */
function imageAt(o: K8sObject, path: Path, resource: ResourceRef, out: ExtractionResult): void {
  const info = scalarAt(o.file, o.doc, path);
  if (!info || info.numeric || info.text === "") return;
  const parsed = parseImageForUpdate(info.text);
  if (parsed.skip || !parsed.ref) {
    out.skipped.push(skipped(o.file.path, info.range, "image", info.text, parsed.skip ?? "not an image"));
    return;
  }
  const dep: Dependency = {
    id: docId(o.file, o.doc, path),
    path: o.file.path,
    range: info.range,
    ...imageFields(parsed.ref),
    source: "kubernetes",
    resource,
    edit: { type: "yaml", docIndex: o.doc.index, ref: path },
  };
  out.dependencies.push(dep);
}

export function extractWorkloadImages(o: K8sObject, out: ExtractionResult): boolean {
  const w = toWorkload(o);
  if (!w) return false;
  for (const c of w.containers) {
    if (typeof c.value.image !== "string") continue;
    imageAt(o, [...o.basePath, ...c.path, "image"], { ...o.ref, container: c.name }, out);
  }
  // Image volumes (KEP-4639): volumes[].image.reference.
  asArray(w.podSpec.volumes).forEach((v, i) => {
    if (isObj(v) && isObj(v.image) && typeof v.image.reference === "string") {
      imageAt(o, [...o.basePath, ...w.podSpecPath, "volumes", i, "image", "reference"], o.ref, out);
    }
  });
  return true;
}

/** `image:` strings anywhere in an object that is not a known workload (CRDs with images). */
function extractGenericImages(o: K8sObject, out: ExtractionResult): void {
  const root = locateNode(o.doc.doc, o.basePath).node;
  walkMaps(root as Node | undefined, o.basePath, (map, path) => {
    for (const item of map.items) {
      if (!isScalar(item.key) || item.key.value !== "image" || !isScalar(item.value)) continue;
      const info = scalarInfo(o.file, item.value);
      // Only full references with a tag or digest: `image: nginx` in a CRD may mean anything.
      if (!info || info.numeric || (!info.text.includes(":") && !info.text.includes("@"))) continue;
      if (isTemplated(info.text)) continue;
      imageAt(o, [...path, "image"], o.ref, out);
    }
  });
}

export function extractObject(o: K8sObject, repositories: readonly FluxRepository[], out: ExtractionResult): void {
  if (isHelmRelease(o)) {
    extractHelmRelease(o, repositories, out);
    const valuesPath: Path = [...o.basePath, "spec", "values"];
    extractValuesImages({ file: o.file, doc: o.doc, source: "flux", resource: o.ref }, locateNode(o.doc.doc, valuesPath).node, valuesPath, out);
    return;
  }
  if (isArgoApp(o)) {
    extractArgoApp(o, out);
    for (const p of argoSources(o)) {
      const valuesPath: Path = [...o.basePath, ...p, "helm", "valuesObject"];
      extractValuesImages({ file: o.file, doc: o.doc, source: "argocd", resource: o.ref }, locateNode(o.doc.doc, valuesPath).node, valuesPath, out);
    }
    return;
  }
  if (o.apiVersion.startsWith("source.toolkit.fluxcd.io/")) return;
  if (o.kind === "Kustomization" && o.apiVersion.startsWith("kustomize.config.k8s.io/")) return;
  if (!extractWorkloadImages(o, out)) extractGenericImages(o, out);
}

/** kustomization.yaml: `images:` overrides (newName/newTag/digest) and `helmCharts:`. */
export function extractKustomization(file: YamlFile, out: ExtractionResult): void {
  for (const doc of file.docs) {
    if (!isObj(doc.value)) continue;
    const value = doc.value;
    asArray(value.images).forEach((img, i) => {
      if (!isObj(img) || typeof img.name !== "string") return;
      const base: Path = ["images", i];
      const tag = scalarAt(file, doc, [...base, "newTag"]);
      const digest = scalarAt(file, doc, [...base, "digest"]);
      const name = typeof img.newName === "string" ? img.newName : img.name;
      const where = tag?.range ?? digest?.range ?? scalarAt(file, doc, [...base, "name"])?.range ?? file.lines.range(0, 0);
      if (!tag || tag.text === "") {
        out.skipped.push(skipped(file.path, where, "image", name, "no newTag: the tag comes from the base manifests"));
        return;
      }
      const parsed = parseImageForUpdate(`${name}:${tag.text}${digest && digest.text ? `@${digest.text}` : ""}`);
      if (parsed.skip || !parsed.ref) {
        out.skipped.push(skipped(file.path, where, "image", name, parsed.skip ?? "not an image"));
        return;
      }
      out.dependencies.push({
        id: docId(file, doc, [...base, "newTag"]),
        path: file.path,
        range: tag.range,
        ...imageFields(parsed.ref),
        source: "kustomize",
        edit: {
          type: "yaml",
          docIndex: doc.index,
          tag: [...base, "newTag"],
          ...(digest ? { digest: [...base, "digest"] } : {}),
          ...(tag.numeric ? { numeric: ["tag" as const] } : {}),
        },
      });
    });
    asArray(value.helmCharts).forEach((c, i) => {
      if (!isObj(c) || typeof c.name !== "string") return;
      chartDependency(
        { file, doc, source: "kustomize", chart: c.name, repository: typeof c.repo === "string" ? c.repo : "", versionPath: ["helmCharts", i, "version"] },
        out,
      );
    });
  }
}

/** HelmRepository-looking documents are resolved across files before releases are read. */
export function isFluxSource(o: K8sObject): boolean {
  return o.apiVersion.startsWith("source.toolkit.fluxcd.io/");
}

