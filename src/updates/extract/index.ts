// Zero-config dependency extraction over a set of files: which file is what is decided by its
// name and content (like the scan engine), so no manager patterns need configuring.
import { detectFileKind, looksBinary, looksLikeHelmTemplate } from "../../core/parse/detect.js";
import { parseYamlFile } from "../../core/parse/yaml.js";
import type { YamlFile } from "../../core/parse/yaml.js";
import { makeObjects } from "../../core/model/k8s.js";
import type { K8sObject } from "../../core/model/k8s.js";
import type { SourceFile } from "../../core/types.js";
import type { ExtractionResult } from "../types.js";
import { extractChartYaml, fluxRepository } from "./charts.js";
import type { FluxRepository } from "./charts.js";
import { extractDockerfile } from "./dockerfile.js";
import { extractValuesImages } from "./helm-values.js";
import { extractKustomization, extractObject } from "./manifests.js";

export { extractDockerfile } from "./dockerfile.js";
export { extractValuesImages } from "./helm-values.js";

export interface ExtractOptions {
  /** Files over this size are skipped (default 2 MiB, the engine's limit). */
  maxFileBytes?: number;
}

/** Every updatable dependency in `files`, in file order. Pure; never throws. */
export function extractDependencies(files: readonly SourceFile[], options: ExtractOptions = {}): ExtractionResult {
  const out: ExtractionResult = { dependencies: [], skipped: [] };
  const maxBytes = options.maxFileBytes ?? 2 * 1024 * 1024;
  const parsed: { file: YamlFile; kind: ReturnType<typeof detectFileKind>; objects: K8sObject[] }[] = [];
  const repositories: FluxRepository[] = [];

  for (const f of files) {
    const kind = detectFileKind(f.path);
    if (kind === "other" || f.text.length > maxBytes || looksBinary(f.text)) continue;
    if (kind === "dockerfile") {
      const r = extractDockerfile(f.path, f.text);
      out.dependencies.push(...r.dependencies);
      out.skipped.push(...r.skipped);
      continue;
    }
    if (kind === "manifest" && looksLikeHelmTemplate(f.path, f.text)) continue;
    let file: YamlFile;
    try {
      file = parseYamlFile(f.path, f.text);
    } catch {
      continue;
    }
    const objects = kind === "manifest" ? makeObjects(file) : [];
    for (const o of objects) {
      const r = fluxRepository(o);
      if (r) repositories.push(r);
    }
    parsed.push({ file, kind, objects });
  }

  for (const { file, kind, objects } of parsed) {
    try {
      if (kind === "chart") extractChartYaml(file, out);
      else if (kind === "values") {
        for (const doc of file.docs) extractValuesImages({ file, doc, source: "helm-values" }, doc.doc.contents, [], out);
      } else if (kind === "kustomization") extractKustomization(file, out);
      else for (const o of objects) extractObject(o, repositories, out);
    } catch {
      // A malformed document must not stop extraction elsewhere.
    }
  }
  return out;
}
