// Helpers shared by the extractors: reading scalars with their source offsets out of parsed
// YAML documents, and building dependencies from image references.
import { isMap, isScalar, isSeq } from "yaml";
import type { Node, Scalar, YAMLMap } from "yaml";
import type { Path } from "../../core/fix/ops.js";
import { parseImageRef } from "../../core/image/reference.js";
import type { ParsedImageRef } from "../../core/image/reference.js";
import type { YamlDoc, YamlFile } from "../../core/parse/yaml.js";
import { locateNode } from "../../core/parse/yaml.js";
import type { Range } from "../../core/types.js";
import type { Dependency, DependencyKind, SkippedDependency } from "../types.js";

export interface ScalarInfo {
  node: Scalar;
  /** The value as a string. Numbers keep their source spelling (`1.10`, not 1.1). */
  text: string;
  /** True when the scalar is a YAML number/boolean (plain) rather than a string. */
  numeric: boolean;
  start: number;
  end: number;
  range: Range;
}

/** The scalar at `path` in a document, with its text as written, or undefined. */
export function scalarAt(file: YamlFile, doc: YamlDoc, path: Path): ScalarInfo | undefined {
  const loc = locateNode(doc.doc, path);
  const node = loc.node;
  if (!node || !isScalar(node) || !node.range) return undefined;
  return scalarInfo(file, node);
}

export function scalarInfo(file: YamlFile, node: Scalar): ScalarInfo | undefined {
  if (!node.range) return undefined;
  const [start, end] = node.range;
  const value = node.value;
  let text: string;
  let numeric = false;
  if (typeof value === "string") text = value;
  else if (typeof value === "number" || typeof value === "bigint") {
    text = file.text.slice(start, end);
    numeric = true;
  } else return undefined;
  return { node, text, numeric, start, end, range: file.lines.range(start, end) };
}

/** Child node of a block/flow map by key (no alias resolution). */
export function mapGet(map: YAMLMap, key: string): Node | undefined {
  for (const item of map.items) {
    if (isScalar(item.key) && String(item.key.value) === key) return (item.value as Node | null) ?? undefined;
  }
  return undefined;
}

/** Walk every map node under `node` with its path; stops at aliases (they are not followed). */
export function walkMaps(node: Node | null | undefined, path: Path, visit: (map: YAMLMap, path: Path) => void): void {
  if (!node) return;
  if (isMap(node)) {
    visit(node, path);
    for (const item of node.items) {
      if (!isScalar(item.key)) continue;
      walkMaps(item.value as Node | null, [...path, String(item.key.value)], visit);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walkMaps(item as Node | null, [...path, i], visit));
  }
}

/** Text contains template syntax that only a renderer can resolve. */
export function isTemplated(s: string): boolean {
  return s.includes("{{") || /\$[{(A-Za-z_]/.test(s);
}

export function docId(file: YamlFile, doc: YamlDoc, path: Path): string {
  return `${file.path}#${doc.index}:${path.join(".")}`;
}

export interface ImageParse {
  ref?: ParsedImageRef;
  skip?: string;
}

/** Parse an image reference for update purposes: templated, invalid, or untagged refs are skipped. */
export function parseImageForUpdate(raw: string): ImageParse {
  const r = parseImageRef(raw);
  if (!r.ok) return { skip: r.reason === "unresolved" ? `contains a variable or template (${r.message})` : `invalid image reference: ${r.message}` };
  if (r.ref.tag === undefined && r.ref.digest === undefined) return { ref: r.ref, skip: "no tag (implicitly latest): nothing to compare" };
  return { ref: r.ref };
}

export function skipped(path: string, range: Range, kind: DependencyKind, name: string, reason: string): SkippedDependency {
  return { path, range, kind, name, reason };
}

/** Fields every docker-datasource image dependency shares. */
export function imageFields(ref: ParsedImageRef): Pick<Dependency, "kind" | "name" | "current" | "datasource" | "packageName" | "registryUrl" | "image"> & {
  currentDigest?: string;
} {
  const out: ReturnType<typeof imageFields> = {
    kind: "image",
    name: ref.name,
    current: ref.tag ?? "",
    datasource: "docker",
    packageName: `${ref.registry}/${ref.repository}`,
    registryUrl: ref.registry,
    image: ref,
  };
  if (ref.digest !== undefined) out.currentDigest = ref.digest;
  return out;
}
