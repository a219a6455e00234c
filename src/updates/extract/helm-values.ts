// Images in Helm values: `values*.yaml`, and the inline values of Flux HelmReleases and Argo
// CD Applications. Conventions recognised (what charts in the wild use):
//   image: repo:tag                          a plain string under a key ending in "image"
//   image: { registry?, repository, tag }    also `name` for repository, `version` for tag,
//                                            `digest`, and tag "1.2@sha256:…"
//   fooImage: {…}, controller: { image: {…} }  any key ending in "image", at any depth
//   images: { agent: { repository, tag } }   maps under an `images` key
import { isMap, isScalar } from "yaml";
import type { Node, YAMLMap } from "yaml";
import type { Path } from "../../core/fix/ops.js";
import type { YamlDoc, YamlFile } from "../../core/parse/yaml.js";
import type { ResourceRef } from "../../core/types.js";
import type { Dependency, DependencySource, ExtractionResult } from "../types.js";
import { docId, imageFields, isTemplated, mapGet, parseImageForUpdate, scalarInfo, skipped, walkMaps } from "./common.js";

const IMAGE_KEY = /image$/i;
const IMAGES_KEY = /^images$/i;

export interface ValuesContext {
  file: YamlFile;
  doc: YamlDoc;
  source: DependencySource;
  resource?: ResourceRef;
}

/** Images under `root` (at `rootPath` in the document). */
export function extractValuesImages(ctx: ValuesContext, root: Node | null | undefined, rootPath: Path, out: ExtractionResult): void {
  const seen = new Set<YAMLMap>();
  walkMaps(root, rootPath, (map, path) => {
    for (const item of map.items) {
      if (!isScalar(item.key)) continue;
      const key = String(item.key.value);
      const value = item.value as Node | null;
      const at = [...path, key];
      if (IMAGE_KEY.test(key)) {
        if (isScalar(value)) imageString(ctx, value, at, out);
        else if (isMap(value) && !seen.has(value)) {
          seen.add(value);
          imageMap(ctx, value, at, out);
        }
      } else if (IMAGES_KEY.test(key) && isMap(value)) {
        for (const child of value.items) {
          if (!isScalar(child.key) || !isMap(child.value) || seen.has(child.value)) continue;
          seen.add(child.value);
          imageMap(ctx, child.value, [...at, String(child.key.value)], out);
        }
      }
    }
  });
}

function imageString(ctx: ValuesContext, node: Node, path: Path, out: ExtractionResult): void {
  if (!isScalar(node)) return;
  const info = scalarInfo(ctx.file, node);
  if (!info || info.numeric || info.text === "") return;
  // A bare word is a repository whose tag lives elsewhere (or a pull policy etc.): not a ref.
  if (!info.text.includes(":") && !info.text.includes("@")) return;
  const parsed = parseImageForUpdate(info.text);
  if (parsed.skip || !parsed.ref) {
    if (isTemplated(info.text) || parsed.ref) out.skipped.push(skipped(ctx.file.path, info.range, "image", info.text, parsed.skip ?? "not an image"));
    return;
  }
  const dep: Dependency = {
    id: docId(ctx.file, ctx.doc, path),
    path: ctx.file.path,
    range: info.range,
    ...imageFields(parsed.ref),
    source: ctx.source,
    edit: { type: "yaml", docIndex: ctx.doc.index, ref: path },
  };
  if (ctx.resource) dep.resource = ctx.resource;
  out.dependencies.push(dep);
}

function imageMap(ctx: ValuesContext, map: YAMLMap, path: Path, out: ExtractionResult): void {
  const str = (key: string) => {
    const n = mapGet(map, key);
    return n && isScalar(n) ? scalarInfo(ctx.file, n) : undefined;
  };
  const repoKey = str("repository") ? "repository" : str("name") && str("tag") ? "name" : undefined;
  if (!repoKey) return;
  const repository = str(repoKey)!;
  const tagKey = str("tag") ? "tag" : str("version") ? "version" : undefined;
  const registry = str("registry");
  const digest = str("digest");
  const name = registry && registry.text ? `${registry.text.replace(/\/+$/, "")}/${repository.text}` : repository.text;
  const tag = tagKey ? str(tagKey)! : undefined;
  const range = (tag ?? repository).range;
  if (!tag || tag.text === "") {
    out.skipped.push(skipped(ctx.file.path, range, "image", name, "no tag in values (the chart's appVersion decides): nothing to compare"));
    return;
  }
  if ([name, tag.text, digest?.text ?? ""].some(isTemplated)) {
    out.skipped.push(skipped(ctx.file.path, range, "image", name, "contains a template or variable"));
    return;
  }
  let refText = `${name}:${tag.text}`;
  if (digest && digest.text !== "" && !tag.text.includes("@")) refText += `@${digest.text}`;
  const parsed = parseImageForUpdate(refText);
  if (parsed.skip || !parsed.ref) {
    out.skipped.push(skipped(ctx.file.path, range, "image", name, parsed.skip ?? "not an image"));
    return;
  }
  const dep: Dependency = {
    id: docId(ctx.file, ctx.doc, [...path, tagKey!]),
    path: ctx.file.path,
    range,
    ...imageFields(parsed.ref),
    // The user's tag may carry the digest (`1.2@sha256:…`); `current` is the tag alone.
    source: ctx.source,
    edit: {
      type: "yaml",
      docIndex: ctx.doc.index,
      tag: [...path, tagKey!],
      ...(digest ? { digest: [...path, "digest"] } : {}),
      ...(tag.numeric ? { numeric: ["tag" as const] } : {}),
    },
  };
  if (ctx.resource) dep.resource = ctx.resource;
  out.dependencies.push(dep);
}
