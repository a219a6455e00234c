// Turns FixOps into a plan: what changes on which existing node. Nothing is written here; the
// plan is rendered to text by emit.ts once all ops are in, which is what lets several ops on
// the same mapping become one insertion.
import { isAlias, isMap, isPair, isScalar, isSeq, visit } from "yaml";
import type { Document, ParsedNode } from "yaml";
import {
  childInfo,
  isNullScalar,
  ROOT_INFO,
  type NodeInfo,
  type PCollection,
  type PMap,
  type PPair,
  type PScalar,
  type PSeq,
} from "./ast.js";
import { dataEqual } from "./data-ops.js";
import type { FixOp, Path } from "./ops.js";
import { appendIn, deleteIn, EMPTY_MAP, getIn, setIn, toNewNode, type NewNode, type Result, type Segment } from "./pending.js";
import { dashOffset, isFlow, type ScalarValue } from "./style.js";
import type { SourceText } from "./text.js";

export interface CollectionChange {
  node: PCollection;
  info: NodeInfo;
  /** Indices of ORIGINAL items to remove. */
  deleted: Set<number>;
  /** New keys (NewMap) for mappings, new items (NewSeq) for sequences. */
  added: NewNode | undefined;
}

/** New content for a key whose value is null (`key:`, `key: ~`). */
export interface Fill {
  scalar: PScalar;
  info: NodeInfo;
  content: NewNode;
}

export interface ScalarChange {
  scalar: PScalar;
  info: NodeInfo;
  value: ScalarValue;
}

export interface Rename {
  pair: PPair;
  mapInfo: NodeInfo;
  map: PMap;
  newKey: string;
}

export interface Plan {
  collections: Map<PCollection, CollectionChange>;
  fills: Map<PScalar, Fill>;
  scalars: Map<PScalar, ScalarChange>;
  renames: Map<PPair, Rename>;
}

type Resolved =
  | { kind: "node"; node: ParsedNode; info: NodeInfo; trail: object[] }
  | { kind: "missing-key"; map: PMap; info: NodeInfo; rest: Segment[]; trail: object[] }
  | { kind: "through-null"; scalar: PScalar; info: NodeInfo; rest: Segment[]; trail: object[] }
  | { kind: "absent"; reason: string }
  | { kind: "deleted" }
  | { kind: "error"; reason: string };

type OpOutcome = { ok: true; trail: object[] } | { ok: false; reason: string };

const done = (trail: object[] = []): OpOutcome => ({ ok: true, trail });
const refuse = (reason: string): OpOutcome => ({ ok: false, reason });

export class Planner {
  readonly plan: Plan = { collections: new Map(), fills: new Map(), scalars: new Map(), renames: new Map() };
  /** Nodes and pairs that some accepted op changes inside; deleting them would lose that change. */
  private readonly dirty = new Set<object>();
  private readonly mapProblems = new Map<PMap, string | undefined>();

  constructor(
    private readonly source: SourceText,
    private readonly doc: Document.Parsed,
  ) {}

  /** Adds one op to the plan; returns why not when it cannot be done safely. */
  add(op: FixOp): string | undefined {
    const outcome = this.dispatch(op);
    if (!outcome.ok) return outcome.reason;
    for (const node of outcome.trail) this.dirty.add(node);
    return undefined;
  }

  private dispatch(op: FixOp): OpOutcome {
    if (!Array.isArray(op.path)) return refuse("op has no path");
    if (op.path.length === 0) return refuse(`${op.op} on the document root is not supported`);
    switch (op.op) {
      case "set":
        return this.set(op.path, op.value);
      case "append":
        return this.append(op.path, op.value);
      case "delete":
        return this.remove(op.path);
      case "rename":
        return this.rename(op.path, op.newKey);
      default:
        return refuse(`unknown op ${(op as { op: unknown }).op as string}`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // set

  private set(path: Path, value: unknown): OpOutcome {
    const converted = toNewNode(value);
    if (!converted.ok) return refuse(converted.reason);
    const target = this.resolve(path);
    switch (target.kind) {
      case "node":
        return this.setExisting(target.node, target.info, converted.value, target.trail);
      case "missing-key":
        return this.updateAdded(target.map, target.info, target.trail, (added) => setIn(added, target.rest, converted.value));
      case "through-null":
        return this.updateFill(target.scalar, target.info, target.trail, (fill) => setIn(fill, target.rest, converted.value));
      case "deleted":
        return refuse("conflicts with an earlier delete of this path");
      case "absent":
      case "error":
        return refuse(target.reason);
    }
  }

  private setExisting(node: ParsedNode, info: NodeInfo, value: NewNode, trail: object[]): OpOutcome {
    if (isNullScalar(node)) {
      const pending = this.plan.fills.get(node);
      if (!pending && value.kind === "scalar" && value.value === null) return done();
      return this.updateFill(node, info, trail, (fill) => setIn(fill, [], value));
    }
    if (isScalar(node)) {
      const scalar = node as PScalar;
      if (value.kind !== "scalar") return refuse("path holds a scalar; replacing it with a collection is not supported");
      const pending = this.plan.scalars.get(scalar);
      if (!pending && scalarEquals(scalar.value, value.value)) return done();
      this.plan.scalars.set(scalar, { scalar, info, value: value.value });
      return done(trail);
    }
    if (this.touchedInside(node)) return refuse("conflicts with an earlier op on the same collection");
    if (dataEqual(node.toJS(this.doc), newNodeToData(value))) return done();
    return refuse(
      "path holds a mapping or sequence with other content; replacing whole collections is not supported " +
        "(set its keys, append to it or delete items instead)",
    );
  }

  // -------------------------------------------------------------------------------------------
  // append

  private append(path: Path, value: unknown): OpOutcome {
    const converted = toNewNode(value);
    if (!converted.ok) return refuse(converted.reason);
    const item = converted.value;
    const target = this.resolve(path);
    switch (target.kind) {
      case "node":
        return this.appendExisting(target.node, target.info, item, target.trail);
      case "missing-key":
        return this.updateAdded(target.map, target.info, target.trail, (added) => appendIn(added, target.rest, item));
      case "through-null":
        return this.updateFill(target.scalar, target.info, target.trail, (fill) => appendIn(fill, target.rest, item));
      case "deleted":
        return refuse("conflicts with an earlier delete of this path");
      case "absent":
      case "error":
        return refuse(target.reason);
    }
  }

  private appendExisting(node: ParsedNode, info: NodeInfo, item: NewNode, trail: object[]): OpOutcome {
    if (isNullScalar(node)) return this.updateFill(node, info, trail, (fill) => appendIn(fill, [], item));
    if (!isSeq(node)) return refuse("append target exists and is not a sequence");
    const change = this.changeOf(node, info);
    const added = appendIn(change.added ?? { kind: "seq", items: [] }, [], item);
    if (!added.ok) return refuse(added.reason);
    change.added = added.value;
    return done(trail);
  }

  // -------------------------------------------------------------------------------------------
  // delete

  private remove(path: Path): OpOutcome {
    const target = this.resolve(path);
    switch (target.kind) {
      case "node":
        return this.removeExisting(target.node, target.info, target.trail.slice(0, -2));
      case "missing-key":
        // The key may exist only as pending content of an earlier op in this batch.
        return this.updateAddedAllowEmpty(target.map, target.info, target.trail, (added) => deleteIn(added, target.rest));
      case "through-null": {
        if (!this.plan.fills.has(target.scalar)) return done();
        return this.updateFillAllowEmpty(target.scalar, target.info, target.trail, (fill) => deleteIn(fill, target.rest));
      }
      case "deleted":
      case "absent":
        return done();
      case "error":
        return refuse(target.reason);
    }
  }

  private removeExisting(node: ParsedNode, info: NodeInfo, ancestors: object[]): OpOutcome {
    const holder = info.holder;
    if (holder.kind === "root") return refuse("deleting the whole document is not supported");
    const owner = holder.kind === "pair" ? holder.pair : node;
    if (this.dirty.has(owner) || this.dirty.has(node) || this.touchedInside(node)) {
      return refuse("conflicts with an earlier op that changes something inside it");
    }
    if (holder.kind === "pair" && this.plan.renames.has(holder.pair)) return refuse("conflicts with an earlier rename of this key");
    const anchor = firstAnchorIn(node);
    if (anchor) return refuse(`the value defines anchor &${anchor}, which aliases elsewhere may use`);
    const collection = holder.kind === "pair" ? holder.map : holder.seq;
    if (holder.kind === "item" && !isFlow(holder.seq)) {
      const dash = dashOffset(holder.seq, holder.index);
      if (dash === undefined || !this.source.isFirstOnLine(dash)) return refuse("items of a compact nested sequence (`- - x`) cannot be deleted");
    }
    const change = this.changeOf(collection, holder.parent);
    if (holder.parent.holder.kind === "root" && this.wouldEmpty(change, holder.index)) {
      return refuse("deleting the last entry of the document root would leave an empty document");
    }
    change.deleted.add(holder.index);
    return done(ancestors);
  }

  private wouldEmpty(change: CollectionChange, index: number): boolean {
    const remaining = change.node.items.length - change.deleted.size - (change.deleted.has(index) ? 0 : 1);
    return remaining <= 0 && pendingSize(change.added) === 0;
  }

  // -------------------------------------------------------------------------------------------
  // rename

  private rename(path: Path, newKey: string): OpOutcome {
    if (typeof newKey !== "string" || newKey === "") return refuse("rename needs a non-empty string key");
    const target = this.resolve(path);
    if (target.kind === "missing-key") {
      if (getIn(this.plan.collections.get(target.map)?.added, target.rest)) {
        return refuse("renaming a key that an earlier op of this batch adds is not supported");
      }
      const alreadyRenamed = target.rest.length === 1 && this.findPair(target.map, newKey) >= 0;
      return alreadyRenamed ? done() : refuse("key to rename not found");
    }
    if (target.kind === "deleted") return refuse("conflicts with an earlier delete of this key");
    if (target.kind !== "node") return refuse(target.kind === "absent" || target.kind === "error" ? target.reason : "key to rename not found");
    const holder = target.info.holder;
    if (holder.kind !== "pair") return refuse("rename target is not a mapping key");
    if (this.effectiveKey(holder.pair) === newKey) return done();
    if (this.findPair(holder.map, newKey) >= 0) return refuse(`key ${newKey} already exists`);
    if (getIn(this.plan.collections.get(holder.map)?.added, [newKey])) return refuse(`key ${newKey} is added by an earlier op`);
    this.plan.renames.set(holder.pair, { pair: holder.pair, map: holder.map, mapInfo: holder.parent, newKey });
    return done(target.trail.slice(0, -1));
  }

  // -------------------------------------------------------------------------------------------
  // Pending content

  private updateAdded(map: PMap, info: NodeInfo, trail: object[], update: (added: NewNode) => Result<NewNode>): OpOutcome {
    const change = this.changeOf(map, info);
    const updated = update(change.added ?? EMPTY_MAP);
    if (!updated.ok) return refuse(updated.reason);
    change.added = updated.value;
    return done(trail);
  }

  private updateAddedAllowEmpty(
    map: PMap,
    info: NodeInfo,
    trail: object[],
    update: (added: NewNode | undefined) => Result<NewNode | undefined>,
  ): OpOutcome {
    const change = this.plan.collections.get(map);
    if (!change?.added) return done();
    const updated = update(change.added);
    if (!updated.ok) return refuse(updated.reason);
    change.added = updated.value;
    return done(trail);
  }

  private updateFill(scalar: PScalar, info: NodeInfo, trail: object[], update: (fill: NewNode | undefined) => Result<NewNode>): OpOutcome {
    if (info.holder.kind !== "pair") {
      return refuse(info.holder.kind === "item" ? "writing into an empty sequence item is not supported" : "document is empty");
    }
    const updated = update(this.plan.fills.get(scalar)?.content);
    if (!updated.ok) return refuse(updated.reason);
    this.plan.fills.set(scalar, { scalar, info, content: updated.value });
    return done(trail);
  }

  private updateFillAllowEmpty(
    scalar: PScalar,
    info: NodeInfo,
    trail: object[],
    update: (fill: NewNode | undefined) => Result<NewNode | undefined>,
  ): OpOutcome {
    const updated = update(this.plan.fills.get(scalar)?.content);
    if (!updated.ok) return refuse(updated.reason);
    if (updated.value) this.plan.fills.set(scalar, { scalar, info, content: updated.value });
    else this.plan.fills.delete(scalar);
    return done(trail);
  }

  private changeOf(node: PCollection, info: NodeInfo): CollectionChange {
    let change = this.plan.collections.get(node);
    if (!change) {
      change = { node, info, deleted: new Set(), added: undefined };
      this.plan.collections.set(node, change);
    }
    return change;
  }

  private touchedInside(node: ParsedNode): boolean {
    if (!isMap(node) && !isSeq(node)) return false;
    const change = this.plan.collections.get(node);
    return this.dirty.has(node) || (change !== undefined && (change.deleted.size > 0 || change.added !== undefined));
  }

  // -------------------------------------------------------------------------------------------
  // Path resolution

  private resolve(path: Path): Resolved {
    if (!this.doc.contents) return { kind: "absent", reason: "document is empty" };
    let node: ParsedNode = this.doc.contents;
    let info = ROOT_INFO;
    const trail: object[] = [];
    for (let i = 0; ; i++) {
      const unsafe = unsafeNodeReason(node);
      if (unsafe) return { kind: "error", reason: unsafe };
      trail.push(node);
      if (i === path.length) return { kind: "node", node, info, trail };
      const segment = path[i]!;
      const rest = path.slice(i);
      if (isMap(node)) {
        const problem = this.mapProblem(node);
        if (problem) return { kind: "error", reason: problem };
        if (typeof segment !== "string") return { kind: "error", reason: `numeric path segment ${segment} on a mapping` };
        const index = this.findPair(node, segment);
        if (index < 0) return { kind: "missing-key", map: node, info, rest, trail };
        if (this.plan.collections.get(node)?.deleted.has(index)) return { kind: "deleted" };
        const pair: PPair = node.items[index]!;
        if (!pair.value) return { kind: "error", reason: `key ${segment} has no value node` };
        trail.push(pair);
        info = childInfo(info, node, { kind: "pair", map: node, pair, index, parent: info });
        node = pair.value;
      } else if (isSeq(node)) {
        if (typeof segment !== "number" || !Number.isInteger(segment) || segment < 0) {
          return { kind: "error", reason: `path segment ${String(segment)} is not a sequence index` };
        }
        const seq = node as PSeq;
        if (segment >= seq.items.length) return { kind: "absent", reason: `index ${segment} is past the end of the sequence; use append` };
        if (this.plan.collections.get(seq)?.deleted.has(segment)) return { kind: "deleted" };
        const item = seq.items[segment]!;
        if (isPair(item)) return { kind: "error", reason: "flow sequence item is a single-pair mapping" };
        info = childInfo(info, seq, { kind: "item", seq, index: segment, parent: info });
        node = item;
      } else if (isNullScalar(node)) {
        return { kind: "through-null", scalar: node, info, rest, trail };
      } else {
        return { kind: "absent", reason: `path goes through a scalar at ${path.slice(0, i).join(".") || "the root"}` };
      }
    }
  }

  private effectiveKey(pair: PPair): string {
    return this.plan.renames.get(pair)?.newKey ?? String((pair.key as PScalar).value);
  }

  private findPair(map: PMap, key: string): number {
    return map.items.findIndex((pair) => this.effectiveKey(pair) === key);
  }

  private mapProblem(map: PMap): string | undefined {
    if (!this.mapProblems.has(map)) this.mapProblems.set(map, unsafeMapReason(map));
    return this.mapProblems.get(map);
  }
}

function unsafeNodeReason(node: ParsedNode): string | undefined {
  if (isAlias(node)) return `path goes through alias *${node.source}; editing it would change the anchored node`;
  if (node.anchor) return `node carries anchor &${node.anchor}; aliases of it would change too`;
  if (node.tag) return `node has an explicit tag ${node.tag}`;
  return undefined;
}

function unsafeMapReason(map: PMap): string | undefined {
  const token = map.srcToken;
  for (const [index, pair] of map.items.entries()) {
    if (!isScalar(pair.key)) return "mapping has a complex (non-scalar) key";
    if (pair.key.value === "<<") return "mapping uses a merge key (<<); the effective keys depend on the merged mapping";
    if (pair.key.anchor || pair.key.tag) return "mapping key carries an anchor or tag";
    if (token?.type === "block-map" && token.items[index]?.start.some((t) => t.type === "explicit-key-ind")) {
      return "mapping uses an explicit key (? key)";
    }
  }
  return undefined;
}

function firstAnchorIn(node: ParsedNode): string | undefined {
  let found: string | undefined;
  visit(node, (_key, n) => {
    if ((isScalar(n) || isMap(n) || isSeq(n)) && n.anchor) {
      found = n.anchor;
      return visit.BREAK;
    }
    return undefined;
  });
  return found;
}

function scalarEquals(existing: unknown, value: ScalarValue): boolean {
  if (typeof existing === "number" && typeof value === "number") {
    return existing === value || (Number.isNaN(existing) && Number.isNaN(value));
  }
  return existing === value;
}

function pendingSize(node: NewNode | undefined): number {
  if (!node) return 0;
  if (node.kind === "map") return node.entries.size;
  if (node.kind === "seq") return node.items.length;
  return 1;
}

export function newNodeToData(node: NewNode): unknown {
  if (node.kind === "scalar") return node.value;
  if (node.kind === "seq") return node.items.map(newNodeToData);
  const out: Record<string, unknown> = {};
  for (const [key, value] of node.entries) out[key] = newNodeToData(value);
  return out;
}
