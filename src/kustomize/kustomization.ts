// Kustomizations as data, and the tree an overlay builds (bases, components, resource files,
// patches), read through an injected reader so that the mapping stays testable and free of I/O.
import { posix } from "node:path";
import type { Path } from "../core/fix/ops.js";
import { asArray, asObj, isObj, makeObjects } from "../core/model/k8s.js";
import type { K8sObject, Obj } from "../core/model/k8s.js";
import { parseYamlFile } from "../core/parse/yaml.js";
import type { YamlFile } from "../core/parse/yaml.js";

export const KUSTOMIZATION_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

export interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

export interface PatchEntry {
  /** Where the entry is in the kustomization document (for pointing at inline patches). */
  entryPath: Path;
  /** Resolved file path of the patch, when it is a file. */
  file?: string;
  /** Inline patch text. */
  inline?: string;
  target?: PatchTarget;
  /** Declared as JSON 6902 (`patchesJson6902`), or detected from the content (a list of ops). */
  json6902?: boolean;
}

export interface ResourceEntry {
  raw: string;
  entryPath: Path;
  remote: boolean;
  /** Resolved local path (file or directory). */
  resolved?: string;
}

export interface Kustomization {
  path: string;
  dir: string;
  file: YamlFile;
  data: Obj;
  /** `kind: Component` (its transformations apply to the including kustomization's resources). */
  component: boolean;
  resources: ResourceEntry[];
  components: ResourceEntry[];
  patches: PatchEntry[];
  namePrefix: string;
  nameSuffix: string;
  namespace?: string;
}

/** git / http(s) URLs and the `github.com/org/repo//path` shorthand kustomize accepts. */
export function isRemote(ref: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || /^git@/.test(ref) || /^(?:github\.com|gitlab\.com|bitbucket\.org)\//.test(ref) || /\?(?:ref|version)=/.test(ref);
}

export function parseKustomization(path: string, text: string): Kustomization {
  const file = parseYamlFile(path, text);
  const doc = file.docs[0];
  const data = asObj(doc?.problems.length === 0 ? doc.value : undefined);
  const dir = posix.dirname(path);
  const entries = (key: string): ResourceEntry[] =>
    asArray(data[key]).flatMap((r, i) => {
      if (typeof r !== "string") return [];
      const remote = isRemote(r);
      return [{ raw: r, entryPath: [key, i], remote, ...(remote ? {} : { resolved: posix.normalize(posix.join(dir, r)) }) }];
    });
  const patches: PatchEntry[] = [];
  const target = (t: unknown): PatchTarget | undefined => (isObj(t) ? (t as PatchTarget) : undefined);
  asArray(data.patchesStrategicMerge).forEach((p, i) => {
    if (typeof p !== "string") return;
    // An entry is a file name unless it is YAML text itself (it contains a newline or a `kind:`).
    if (/\n|^\s*(?:apiVersion|kind)\s*:/.test(p)) patches.push({ entryPath: ["patchesStrategicMerge", i], inline: p });
    else patches.push({ entryPath: ["patchesStrategicMerge", i], file: posix.normalize(posix.join(dir, p)) });
  });
  asArray(data.patches).forEach((p, i) => {
    if (!isObj(p)) return;
    const t = target(p.target);
    if (typeof p.path === "string") patches.push({ entryPath: ["patches", i], file: posix.normalize(posix.join(dir, p.path)), ...(t ? { target: t } : {}) });
    else if (typeof p.patch === "string") patches.push({ entryPath: ["patches", i], inline: p.patch, ...(t ? { target: t } : {}) });
  });
  asArray(data.patchesJson6902).forEach((p, i) => {
    if (!isObj(p)) return;
    const t = target(p.target);
    if (typeof p.path === "string") patches.push({ entryPath: ["patchesJson6902", i], file: posix.normalize(posix.join(dir, p.path)), json6902: true, ...(t ? { target: t } : {}) });
    else if (typeof p.patch === "string") patches.push({ entryPath: ["patchesJson6902", i], inline: p.patch, json6902: true, ...(t ? { target: t } : {}) });
  });
  return {
    path,
    dir,
    file,
    data,
    component: data.kind === "Component",
    resources: [...entries("resources"), ...entries("bases")],
    components: entries("components"),
    patches,
    namePrefix: typeof data.namePrefix === "string" ? data.namePrefix : "",
    nameSuffix: typeof data.nameSuffix === "string" ? data.nameSuffix : "",
    ...(typeof data.namespace === "string" && data.namespace !== "" ? { namespace: data.namespace } : {}),
  };
}

export interface KustomizeReader {
  /** Text of a file, or undefined when it is not a readable file. */
  read(path: string): string | undefined;
  isDir(path: string): boolean;
}

export interface Layer {
  k: Kustomization;
  /** The kustomization that includes this one (as a resource or component). */
  parent?: Layer;
  /** Included through `components:`. */
  viaComponent: boolean;
}

export interface SourceObject {
  object: K8sObject;
  /** The kustomization that lists the object's file. */
  layer: Layer;
}

export interface PatchFile {
  entry: PatchEntry;
  layer: Layer;
  /** Parsed patch (file or inline). */
  file?: YamlFile;
  /** Path where findings on the patch are shown: the patch file, or the kustomization holding an inline patch. */
  shownAt: string;
}

export interface KustomizeTree {
  root: Layer;
  layers: Layer[];
  objects: SourceObject[];
  patches: PatchFile[];
  remotes: { layer: Layer; entry: ResourceEntry }[];
  /** Every local file the build reads (kustomizations, resources, patches). */
  files: Map<string, string>;
  problems: string[];
}

export function findKustomization(dir: string, reader: KustomizeReader): string | undefined {
  for (const name of KUSTOMIZATION_NAMES) {
    const p = posix.join(dir, name);
    if (reader.read(p) !== undefined) return p;
  }
  return undefined;
}

/** Loads the tree under the kustomization in `dir` (no network: remote entries are only recorded). */
export function loadTree(dir: string, reader: KustomizeReader): KustomizeTree | undefined {
  const rootPath = findKustomization(dir, reader);
  if (!rootPath) return undefined;
  const tree: KustomizeTree = { root: undefined as unknown as Layer, layers: [], objects: [], patches: [], remotes: [], files: new Map(), problems: [] };
  const visiting = new Set<string>();
  const load = (path: string, parent: Layer | undefined, viaComponent: boolean): Layer | undefined => {
    if (visiting.has(path)) {
      tree.problems.push(`${path} includes itself`);
      return undefined;
    }
    const text = reader.read(path);
    if (text === undefined) return undefined;
    visiting.add(path);
    tree.files.set(path, text);
    const layer: Layer = { k: parseKustomization(path, text), ...(parent ? { parent } : {}), viaComponent };
    tree.layers.push(layer);
    for (const [entries, isComponent] of [[layer.k.resources, false], [layer.k.components, true]] as const) {
      for (const e of entries) {
        if (e.remote) {
          tree.remotes.push({ layer, entry: e });
          continue;
        }
        const resolved = e.resolved!;
        if (reader.isDir(resolved)) {
          const child = findKustomization(resolved, reader);
          if (child) load(child, layer, isComponent);
          else tree.problems.push(`${resolved} has no kustomization`);
          continue;
        }
        const t = reader.read(resolved);
        if (t === undefined) {
          tree.problems.push(`${resolved} not found`);
          continue;
        }
        tree.files.set(resolved, t);
        for (const object of makeObjects(parseYamlFile(resolved, t))) tree.objects.push({ object, layer });
      }
    }
    for (const entry of layer.k.patches) {
      if (entry.file) {
        const t = reader.read(entry.file);
        if (t === undefined) {
          tree.problems.push(`${entry.file} not found`);
          continue;
        }
        tree.files.set(entry.file, t);
        tree.patches.push({ entry, layer, file: parseYamlFile(entry.file, t), shownAt: entry.file });
      } else if (entry.inline !== undefined) {
        tree.patches.push({ entry, layer, file: parseYamlFile(`${layer.k.path}#inline`, entry.inline), shownAt: layer.k.path });
      }
    }
    visiting.delete(path);
    return layer;
  };
  const root = load(rootPath, undefined, false);
  if (!root) return undefined;
  tree.root = root;
  return tree;
}

/** The chain of layers from `layer` up to the root (innermost first). */
export function chain(layer: Layer): Layer[] {
  const out: Layer[] = [];
  for (let l: Layer | undefined = layer; l; l = l.parent) out.push(l);
  return out;
}

const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume", "StorageClass", "PriorityClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService", "IngressClass", "RuntimeClass", "CSIDriver", "PodSecurityPolicy"]);

/** Name and namespace of a source object after every layer's namePrefix/nameSuffix/namespace. */
export function transformedId(o: SourceObject): { name: string; namespace?: string } {
  let name = o.object.name;
  let namespace = o.object.namespace;
  for (const l of chain(o.layer)) {
    // Components transform the resources of the kustomization that includes them, not their own.
    if (l.k.component) continue;
    if (o.object.kind !== "Namespace") name = `${l.k.namePrefix}${name}${l.k.nameSuffix}`;
    if (l.k.namespace && !CLUSTER_SCOPED.has(o.object.kind)) namespace = l.k.namespace;
  }
  return { name, ...(namespace ? { namespace } : {}) };
}

/** The object's name as a kustomization at `layer` sees it (inner layers' prefixes applied). */
export function nameAt(o: SourceObject, layer: Layer): string {
  let name = o.object.name;
  for (const l of chain(o.layer)) {
    if (l === layer) break;
    if (!l.k.component && o.object.kind !== "Namespace") name = `${l.k.namePrefix}${name}${l.k.nameSuffix}`;
  }
  return name;
}
