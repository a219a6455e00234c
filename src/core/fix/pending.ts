// Content that does not exist in the file yet. Every op that creates keys writes into a tree
// of these hung off one existing node, so that five `set`s under a missing `securityContext`
// render as ONE block instead of five competing insertions. Updates are immutable: an op that
// fails half-way leaves no trace.
import { isScalarValue, type ScalarValue } from "./style.js";

export type NewNode = NewMap | NewSeq | NewScalar;
export interface NewMap {
  kind: "map";
  entries: ReadonlyMap<string, NewNode>;
}
export interface NewSeq {
  kind: "seq";
  items: readonly NewNode[];
}
export interface NewScalar {
  kind: "scalar";
  value: ScalarValue;
}

export type Segment = string | number;
export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = <T>(reason: string): Result<T> => ({ ok: false, reason });

export const EMPTY_MAP: NewMap = { kind: "map", entries: new Map() };

const MAX_DEPTH = 64;

/** Converts op values (plain data) to NewNodes, rejecting anything YAML cannot round-trip. */
export function toNewNode(value: unknown, depth = 0): Result<NewNode> {
  if (depth > MAX_DEPTH) return fail("value is nested too deeply");
  if (isScalarValue(value)) return ok({ kind: "scalar", value });
  if (Array.isArray(value)) {
    const items: NewNode[] = [];
    for (const item of value) {
      const converted = toNewNode(item, depth + 1);
      if (!converted.ok) return converted;
      items.push(converted.value);
    }
    return ok({ kind: "seq", items });
  }
  if (isPlainObject(value)) {
    const entries = new Map<string, NewNode>();
    for (const [key, item] of Object.entries(value)) {
      const converted = toNewNode(item, depth + 1);
      if (!converted.ok) return converted;
      entries.set(key, converted.value);
    }
    return ok({ kind: "map", entries });
  }
  return fail(`value ${describeValue(value)} is not plain data (strings, numbers, booleans, null, arrays, plain objects)`);
}

function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "object" && value !== null) return `of class ${value.constructor?.name ?? "unknown"}`;
  return `of type ${typeof value}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function newNodeEqual(a: NewNode, b: NewNode): boolean {
  if (a.kind === "scalar" && b.kind === "scalar") {
    return a.value === b.value || (Number.isNaN(a.value) && Number.isNaN(b.value));
  }
  if (a.kind === "seq" && b.kind === "seq") {
    return a.items.length === b.items.length && a.items.every((item, i) => newNodeEqual(item, b.items[i]!));
  }
  if (a.kind === "map" && b.kind === "map") {
    if (a.entries.size !== b.entries.size) return false;
    for (const [key, value] of a.entries) {
      const other = b.entries.get(key);
      if (!other || !newNodeEqual(value, other)) return false;
    }
    return true;
  }
  return false;
}

export function isEmptyCollection(node: NewNode): boolean {
  return (node.kind === "map" && node.entries.size === 0) || (node.kind === "seq" && node.items.length === 0);
}

/** Writes `value` at `path` under `node` (absent = nothing pending yet), creating mappings. */
export function setIn(node: NewNode | undefined, path: readonly Segment[], value: NewNode): Result<NewNode> {
  if (path.length === 0) {
    if (node === undefined || node.kind === "scalar" || newNodeEqual(node, value)) return ok(value);
    return fail("conflicts with an earlier op that writes a collection at the same path");
  }
  return updateChild(node, path, (child, rest) => setIn(child, rest, value));
}

/** Appends `item` to the sequence at `path`, creating it (and mappings above it) if absent. */
export function appendIn(node: NewNode | undefined, path: readonly Segment[], item: NewNode): Result<NewNode> {
  if (path.length === 0) {
    if (node === undefined || (node.kind === "scalar" && node.value === null)) return ok({ kind: "seq", items: [item] });
    if (node.kind === "seq") return ok({ kind: "seq", items: [...node.items, item] });
    return fail("append target is not a sequence");
  }
  return updateChild(node, path, (child, rest) => appendIn(child, rest, item));
}

/** Removes the entry or item at `path`; absent paths are left alone. */
export function deleteIn(node: NewNode | undefined, path: readonly Segment[]): Result<NewNode | undefined> {
  if (node === undefined || path.length === 0) return ok(undefined);
  const [head, ...rest] = path as [Segment, ...Segment[]];
  if (node.kind === "map" && typeof head === "string") {
    const child = node.entries.get(head);
    if (child === undefined) return ok(node);
    const entries = new Map(node.entries);
    if (rest.length === 0) {
      entries.delete(head);
      return ok({ kind: "map", entries });
    }
    const updated = deleteIn(child, rest);
    if (!updated.ok) return updated;
    if (updated.value) entries.set(head, updated.value);
    return ok({ kind: "map", entries });
  }
  if (node.kind === "seq" && typeof head === "number" && head < node.items.length) {
    const items = [...node.items];
    if (rest.length === 0) {
      items.splice(head, 1);
      return ok({ kind: "seq", items });
    }
    const updated = deleteIn(items[head], rest);
    if (!updated.ok) return updated;
    if (updated.value) items[head] = updated.value;
    return ok({ kind: "seq", items });
  }
  return ok(node);
}

/** Reads the pending node at `path`, if any. */
export function getIn(node: NewNode | undefined, path: readonly Segment[]): NewNode | undefined {
  let current = node;
  for (const segment of path) {
    if (current?.kind === "map" && typeof segment === "string") current = current.entries.get(segment);
    else if (current?.kind === "seq" && typeof segment === "number") current = current.items[segment];
    else return undefined;
  }
  return current;
}

function updateChild(
  node: NewNode | undefined,
  path: readonly Segment[],
  update: (child: NewNode | undefined, rest: readonly Segment[]) => Result<NewNode>,
): Result<NewNode> {
  const [head, ...rest] = path as [Segment, ...Segment[]];
  const base = node === undefined || (node.kind === "scalar" && node.value === null) ? EMPTY_MAP : node;
  if (base.kind === "map") {
    if (typeof head !== "string") return fail(`numeric path segment ${head} on a mapping`);
    const updated = update(base.entries.get(head), rest);
    if (!updated.ok) return updated;
    const entries = new Map(base.entries);
    entries.set(head, updated.value);
    return ok({ kind: "map", entries });
  }
  if (base.kind === "seq") {
    if (typeof head !== "number" || head >= base.items.length) return fail(`index ${String(head)} is not in the sequence`);
    const updated = update(base.items[head], rest);
    if (!updated.ok) return updated;
    const items = [...base.items];
    items[head] = updated.value;
    return ok({ kind: "seq", items });
  }
  return fail("path goes through a scalar");
}
