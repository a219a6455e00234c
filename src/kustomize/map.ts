// Mapping `kustomize build` output back to the files a human edits. A rendered object is matched
// to its source resource by kind and name/namespace after every layer's namePrefix, nameSuffix
// and namespace. A field set by a patch (strategic merge or JSON 6902, outermost layer first,
// since it applies last) maps to that patch; anything else to the base resource file. List
// items are matched by `name` (the strategic-merge key of containers, volumes, ports, env),
// else by position. Fixes are the rule's own ops replayed on that file; an object from a remote
// base gets a strategic-merge patch proposal for the overlay instead.
import { stringify } from "yaml";
import { fingerprint, FIX_SOURCES, scan } from "../core/engine/scan.js";
import type { ScanOptions } from "../core/engine/scan.js";
import { getCatalog } from "../core/engine/catalog.js";
import { findSuppressionComments, SuppressionIndex } from "../core/engine/suppress.js";
import type { FixOp, Path } from "../core/fix/ops.js";
import { planYamlEdits } from "../core/fix/yaml-edit.js";
import { RENDERED_FIXES, pathAt } from "../core/helm/review.js";
import { asArray, getIn, isObj, makeObjects } from "../core/model/k8s.js";
import type { K8sObject, Obj } from "../core/model/k8s.js";
import { ancestorStarts, locateNode, nodeRange, parseYamlFile } from "../core/parse/yaml.js";
import type { YamlFile } from "../core/parse/yaml.js";
import type { Finding, Fix, Range } from "../core/types.js";
import { chain, nameAt, transformedId } from "./kustomization.js";
import type { KustomizeTree, Layer, PatchFile, SourceObject } from "./kustomization.js";

export type KustomizeOriginKind = "base" | "patch" | "remote" | "kustomization";

/** Where a rendered Kustomize finding was moved to. */
export const KUSTOMIZE_ORIGINS = new WeakMap<Finding, { kind: KustomizeOriginKind; file: string }>();

export function renderedPath(dir: string): string {
  return `${dir === "." ? "" : `${dir}/`}(kustomize build).yaml`;
}

/** Reviews an overlay's rendered output and moves each finding to the file that defines the field. */
export function reviewRenderedKustomization(tree: KustomizeTree, rendered: string, options: ScanOptions = {}): Finding[] {
  const catalog = options.catalog ?? getCatalog();
  const dir = tree.root.k.dir;
  const path = renderedPath(dir);
  const result = scan([{ path, text: rendered }], { ...options, rendered: true, verifyFixes: false, knownPaths: [] });
  const stream = parseYamlFile(path, rendered);
  const renderedObjects = makeObjects(stream);
  const parsed = new Map<string, YamlFile>();
  const fileOf = (p: string): YamlFile | undefined => {
    let f = parsed.get(p);
    if (!f) {
      const text = tree.files.get(p);
      if (text === undefined) return undefined;
      f = parseYamlFile(p, text);
      parsed.set(p, f);
    }
    return f;
  };
  const out: Finding[] = [];
  for (const f of result.findings) {
    const at = stream.lines.offset(f.range.startLine, f.range.startColumn);
    const obj = renderedObjects.find((o) => at >= (o.doc.doc.range?.[0] ?? 0) && at <= (o.doc.doc.range?.[2] ?? 0));
    const base: Finding = { ...f, fingerprint: fingerprint(["kustomize", dir, f.fingerprint]) };
    delete base.fix;
    if (!obj) {
      out.push(atKustomization(base, tree.root, f.message, "the rendered output", tree));
      continue;
    }
    const fixSource = FIX_SOURCES.get(f);
    const fieldPath: Path = fixSource?.kind === "yaml" ? (fixSource.ops[0]?.path ?? []) : pathAt(obj.doc.doc, at).slice(obj.basePath.length);
    const ops = fixSource?.kind === "yaml" ? fixSource.ops : undefined;
    const meta = catalog.meta(f.ruleId);
    const fixable = ops !== undefined && meta !== undefined && (meta.fix === "AUTO" || meta.fix === "AUTO*");
    const warning = meta?.fix === "AUTO*" ? (meta.fixWarning?.trim() ?? f.fix?.warning) : undefined;
    const description = f.fix?.description ?? "Apply the rule's fix";
    const source = matchSource(tree, obj);
    if (!source) {
      const remote = tree.remotes[0];
      if (remote) out.push(atRemote(base, tree, remote, obj, fieldPath, ops, f.message));
      else out.push(atKustomization(base, tree.root, f.message, `${obj.kind}/${obj.name} (generated, or from a file Bulwark did not read)`, tree));
      continue;
    }
    const patch = definingPatch(tree, source, obj, fieldPath);
    let mapped: Finding;
    if (patch && patch.file && patch.entry.file) {
      const doc = patch.file.docs[patch.doc];
      const loc = locateNode(doc.doc, patch.path);
      const range = loc.node ? nodeRange(patch.file.lines, loc.node, loc.pair) : nodeRange(patch.file.lines, loc.deepest.node, loc.deepest.pair);
      mapped = { ...base, path: patch.entry.file, range, message: `${f.message} [Kustomize: set by patch ${patch.entry.file} in ${patch.layer.k.path}]` };
      if (fixable && !patch.json6902) {
        const patchOps = translateOps(ops!, obj.value, doc.value, patch.prefix);
        const fix = patchOps && planOn(patch.file, patch.doc, patchOps, description, warning);
        if (fix) {
          mapped.fix = fix;
          RENDERED_FIXES.set(mapped, { path: patch.file.path, doc: patch.doc, ops: patchOps! });
        }
      }
      KUSTOMIZE_ORIGINS.set(mapped, { kind: "patch", file: patch.entry.file });
      suppress(mapped, patch.file, patch.doc, patch.path);
    } else if (patch) {
      mapped = { ...atKustomization(base, patch.layer, f.message, "an inline patch", tree, patch.entry.entryPath) };
      mapped.message = `${f.message} [Kustomize: set by an inline patch in ${patch.layer.k.path}]`;
    } else {
      const file = fileOf(source.object.file.path)!;
      const docIndex = source.object.doc.index;
      const sourcePath = translatePath(fieldPath, obj.value, source.object.value);
      const full = [...source.object.basePath, ...(sourcePath ?? [])];
      const loc = locateNode(file.docs[docIndex].doc, full);
      const range = loc.node ? nodeRange(file.lines, loc.node, loc.pair) : nodeRange(file.lines, loc.deepest.node, loc.deepest.pair);
      const where = source.layer === tree.root ? "" : ` (base of ${tree.root.k.path})`;
      mapped = { ...base, path: file.path, range, message: `${f.message} [Kustomize: ${file.path}${where}]` };
      if (fixable && sourcePath) {
        const srcOps = translateOps(ops!, obj.value, source.object.value, source.object.basePath);
        const fix = srcOps && planOn(file, docIndex, srcOps, description, warning);
        if (fix) {
          mapped.fix = fix;
          RENDERED_FIXES.set(mapped, { path: file.path, doc: docIndex, ops: srcOps! });
        }
      }
      KUSTOMIZE_ORIGINS.set(mapped, { kind: "base", file: file.path });
      suppress(mapped, file, docIndex, full);
    }
    out.push(mapped);
  }
  return out;
}

/** The local resource a rendered object comes from. */
function matchSource(tree: KustomizeTree, obj: K8sObject): SourceObject | undefined {
  const sameKind = tree.objects.filter((s) => s.object.kind === obj.kind && s.object.apiVersion.split("/")[0] === obj.apiVersion.split("/")[0]);
  const exact = sameKind.filter((s) => {
    const id = transformedId(s);
    return id.name === obj.name && (id.namespace ?? "") === (obj.namespace ?? id.namespace ?? "");
  });
  if (exact.length > 0) return exact[0];
  // Hash suffixes and transformers Bulwark does not model: a unique name containment still identifies it.
  const loose = sameKind.filter((s) => obj.name.includes(s.object.name));
  return loose.length === 1 ? loose[0] : undefined;
}

interface DefiningPatch {
  entry: PatchFile["entry"];
  layer: Layer;
  file?: YamlFile;
  doc: number;
  /** Path in the patch document to the field (or to the JSON 6902 op). */
  path: Path;
  /** For strategic-merge patches: the path of the object inside the patch document ([] usually). */
  prefix: Path;
  json6902: boolean;
}

/** The last-applied patch that sets the field (or adds the list item holding it). */
function definingPatch(tree: KustomizeTree, source: SourceObject, rendered: K8sObject, fieldPath: Path): DefiningPatch | undefined {
  const layers = chain(source.layer);
  // Outermost layer's patches apply last; within a layer, later patches win.
  for (let li = layers.length - 1; li >= 0; li--) {
    const layer = layers[li];
    const mine = tree.patches.filter((p) => p.layer === layer || (p.layer.viaComponent && p.layer.parent === layer)).reverse();
    for (const p of mine) {
      if (!p.file) continue;
      const name = nameAt(source, layer);
      const json = p.entry.json6902 === true || (p.file.docs.length === 1 && Array.isArray(p.file.docs[0]?.value));
      if (json) {
        if (!targets(p.entry.target, source, name)) continue;
        const opsList = asArray(p.file.docs[0]?.value);
        for (let i = opsList.length - 1; i >= 0; i--) {
          const op = opsList[i];
          if (!isObj(op) || typeof op.path !== "string") continue;
          const segs = pointer(op.path);
          if (segs.length <= fieldPath.length && segs.every((s, k) => String(s) === String(fieldPath[k]) || s === "-")) {
            return { entry: p.entry, layer, file: p.file, doc: 0, path: [i, op.op === "remove" ? "path" : "value"], prefix: [], json6902: true };
          }
        }
        continue;
      }
      for (const d of p.file.docs) {
        if (!isObj(d.value)) continue;
        const v = d.value;
        if (p.entry.target && !targets(p.entry.target, source, name)) continue;
        if (!p.entry.target && (v.kind !== source.object.kind || asObj2(v.metadata).name !== name && asObj2(v.metadata).name !== source.object.name)) continue;
        const inPatch = translatePath(fieldPath, rendered.value, v);
        const patched = inPatch ? getIn(v, inPatch) : undefined;
        // A map or list item the base also has is merged by the patch, not defined by it.
        const merged = (isObj(patched) || typeof fieldPath[fieldPath.length - 1] === "number") && translatePath(fieldPath, rendered.value, source.object.value) !== undefined && getIn(source.object.value, translatePath(fieldPath, rendered.value, source.object.value)!) !== undefined;
        if (inPatch && patched !== undefined && !merged) return { entry: p.entry, layer, file: p.file, doc: d.index, path: inPatch, prefix: [], json6902: false };
        // A list item (container) that only the patch defines: the patch is where it lives.
        const item = deepestItem(fieldPath);
        if (item) {
          const inSource = translatePath(item, rendered.value, source.object.value);
          const itemInPatch = translatePath(item, rendered.value, v);
          if (!inSource && itemInPatch) return { entry: p.entry, layer, file: p.file, doc: d.index, path: itemInPatch, prefix: [], json6902: false };
        }
      }
    }
  }
  return undefined;
}

function asObj2(v: unknown): Obj {
  return isObj(v) ? v : {};
}

function targets(t: PatchFile["entry"]["target"], source: SourceObject, name: string): boolean {
  if (!t) return true;
  if (t.kind && t.kind !== source.object.kind) return false;
  if (t.name && !fullMatch(t.name, name) && !fullMatch(t.name, source.object.name)) return false;
  if (t.namespace && source.object.namespace && t.namespace !== source.object.namespace) return false;
  return true;
}

function fullMatch(pattern: string, value: string): boolean {
  if (pattern === value) return true;
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false;
  }
}

/** RFC 6901 pointer → path (numbers for digit segments). */
export function pointer(p: string): (string | number)[] {
  return p
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** The path up to and including its last list index, or undefined when it has none. */
function deepestItem(path: Path): Path | undefined {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === "number") return path.slice(0, i + 1);
  return undefined;
}

/**
 * A path in the rendered object, as the same place in another document of the object (a base
 * or a patch): list items by `name` when the rendered item has one, else by index. Undefined
 * when a named item is absent there.
 */
export function translatePath(path: Path, rendered: unknown, target: unknown): Path | undefined {
  const out: (string | number)[] = [];
  let r = rendered;
  let t: unknown = target;
  for (const seg of path) {
    if (typeof seg === "number") {
      const item = Array.isArray(r) ? r[seg] : undefined;
      const name = isObj(item) && typeof item.name === "string" ? item.name : undefined;
      const list = asArray(t);
      let idx = seg;
      if (name !== undefined) {
        idx = list.findIndex((x) => isObj(x) && x.name === name);
        if (idx < 0) return undefined;
      }
      out.push(idx);
      r = item;
      t = list[idx];
    } else {
      out.push(seg);
      r = isObj(r) ? r[seg] : undefined;
      t = isObj(t) ? t[seg] : undefined;
    }
  }
  return out;
}

/** The rule's ops (on the rendered object) as ops on another document; undefined if any cannot be placed. */
function translateOps(ops: readonly FixOp[], rendered: Obj, target: unknown, prefix: Path): FixOp[] | undefined {
  const out: FixOp[] = [];
  for (const op of ops) {
    const p = translatePath(op.path, rendered, target);
    if (!p) return undefined;
    out.push({ ...op, path: [...prefix, ...p] });
  }
  return out;
}

function planOn(file: YamlFile, docIndex: number, ops: FixOp[], description: string, warning: string | undefined): Fix | undefined {
  const doc = file.docs[docIndex];
  if (!doc || doc.problems.length > 0) return undefined;
  try {
    const planned = planYamlEdits(file.text, doc.doc, ops, file.path);
    if (planned.failed.length > 0 || planned.edits.length === 0) return undefined;
    return { description: `${description} (in ${file.path})`, edits: planned.edits, ...(warning ? { warning } : {}) };
  } catch {
    return undefined;
  }
}

function atKustomization(base: Finding, layer: Layer, message: string, what: string, tree: KustomizeTree, entryPath?: Path): Finding {
  const k = layer.k;
  const doc = k.file.docs[0];
  let range: Range = k.file.lines.range(0, 0);
  if (doc && entryPath) {
    const loc = locateNode(doc.doc, entryPath);
    range = loc.node ? nodeRange(k.file.lines, loc.node, loc.pair) : nodeRange(k.file.lines, loc.deepest.node, loc.deepest.pair);
  }
  const f: Finding = { ...base, path: k.path, range, message: `${message} [Kustomize: from ${what}, built by ${tree.root.k.path}]` };
  KUSTOMIZE_ORIGINS.set(f, { kind: "kustomization", file: k.path });
  return f;
}

/** An object from a remote base: point at the remote entry and propose a strategic-merge patch for the overlay. */
function atRemote(base: Finding, tree: KustomizeTree, remote: KustomizeTree["remotes"][number], obj: K8sObject, fieldPath: Path, ops: readonly FixOp[] | undefined, message: string): Finding {
  const k = remote.layer.k;
  const loc = locateNode(k.file.docs[0]!.doc, remote.entry.entryPath);
  const range = loc.node ? nodeRange(k.file.lines, loc.node, loc.pair) : nodeRange(k.file.lines, loc.deepest.node, loc.deepest.pair);
  const proposal = ops && ops.every((o) => o.op === "set" || o.op === "append") ? patchProposal(obj, ops) : undefined;
  const f: Finding = {
    ...base,
    path: k.path,
    range,
    message:
      `${message} [Kustomize: ${obj.kind}/${obj.name} comes from the remote base ${remote.entry.raw}, which Bulwark does not edit; ` +
      (proposal ? `add this strategic-merge patch to ${k.path} under \`patches:\`]\n${proposal}` : `override \`${fieldPath.join(".")}\` with a patch in ${k.path}]`),
  };
  KUSTOMIZE_ORIGINS.set(f, { kind: "remote", file: k.path });
  void tree;
  return f;
}

/** The smallest strategic-merge patch that applies `ops` to `obj`: identity, then only the touched fields, list items by name. */
export function patchProposal(obj: K8sObject, ops: readonly FixOp[]): string {
  const patch: Obj = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.name, ...(obj.namespace ? { namespace: obj.namespace } : {}) } };
  for (const op of ops) {
    let cur: Obj = patch;
    let src: unknown = obj.value;
    for (let i = 0; i < op.path.length; i++) {
      const seg = op.path[i];
      const last = i === op.path.length - 1;
      if (typeof seg === "number") continue;
      const nextSeg = op.path[i + 1];
      src = isObj(src) ? src[seg] : undefined;
      if (last) {
        if (op.op === "append") cur[seg] = [...asArray(cur[seg]), (op as { value: unknown }).value];
        else cur[seg] = (op as { value: unknown }).value;
        break;
      }
      if (typeof nextSeg === "number") {
        const item = asArray(src)[nextSeg];
        const name = isObj(item) && typeof item.name === "string" ? item.name : undefined;
        const list = asArray(cur[seg]) as Obj[];
        let entry = list.find((x) => name !== undefined && x.name === name);
        if (!entry) {
          entry = name !== undefined ? { name } : {};
          list.push(entry);
        }
        cur[seg] = list;
        cur = entry;
        src = item;
        continue;
      }
      if (!isObj(cur[seg])) cur[seg] = {};
      cur = cur[seg] as Obj;
    }
  }
  return stringify(patch).trimEnd();
}

function suppress(f: Finding, file: YamlFile, docIndex: number, path: Path): void {
  if (f.suppressed) return;
  const index = new SuppressionIndex(findSuppressionComments(file.lines));
  if (index.comments.length === 0) return;
  const lines = new Set<number>([f.range.startLine]);
  const doc = file.docs[docIndex];
  if (doc) for (const s of ancestorStarts(doc.doc, path)) lines.add(file.lines.position(s).line);
  const hit = index.match(f.ruleId, lines);
  if (hit) f.suppressed = { reason: hit.reason || "(no reason given)", source: `comment ${file.path}:${hit.line}` };
}
