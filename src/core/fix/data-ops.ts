// The meaning of FixOps on plain data (what `doc.toJS()` returns). The YAML planner must
// produce text whose data equals this; it uses the function to check its own output, and tests
// use it as a second opinion. Semantics, shared with the planner:
// - paths refer to the ORIGINAL document: sequence indices are not shifted by earlier deletes
//   in the same batch;
// - `set` creates missing or null parents as mappings;
// - `append` creates a missing or null sequence;
// - `delete` of something absent is a no-op; deleting the last entry leaves `{}` / `[]`;
// - `rename` keeps the value.
import type { FixOp, Path } from "./ops.js";

const TOMBSTONE: unique symbol = Symbol("deleted sequence item");

export type PlainData = null | boolean | number | string | PlainData[] | { [key: string]: PlainData };

type Container = Record<string, unknown> | unknown[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function cloneData<T>(value: T): T {
  return value === undefined ? value : (structuredClone(value) as T);
}

/** Applies ops to a deep copy of `data`; throws when an op cannot apply (path through a scalar). */
export function applyOpsToData(data: unknown, ops: readonly FixOp[]): unknown {
  const holder: Record<string, unknown> = { root: cloneData(data) };
  for (const op of ops) applyOne(holder, ["root", ...op.path], op);
  return removeTombstones(holder.root);
}

function applyOne(holder: Record<string, unknown>, path: Path, op: FixOp): void {
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1]!;
  const createParents = op.op === "set" || op.op === "append";
  const parent = walk(holder, parentPath, createParents);
  if (parent === undefined) return;
  switch (op.op) {
    case "set":
      writeChild(parent, last, cloneData(op.value));
      return;
    case "append": {
      const current = readChild(parent, last);
      if (current === undefined || current === null) writeChild(parent, last, [cloneData(op.value)]);
      else if (Array.isArray(current)) current.push(cloneData(op.value));
      else throw new Error(`append: ${String(last)} is not a sequence`);
      return;
    }
    case "delete":
      deleteChild(parent, last);
      return;
    case "rename":
      renameChild(parent, last, op.newKey);
      return;
  }
}

function walk(root: Container, path: Path, create: boolean): Container | undefined {
  let current: Container = root;
  for (const segment of path) {
    let next = readChild(current, segment);
    if (next === undefined || next === null) {
      if (!create) return undefined;
      next = {};
      writeChild(current, segment, next);
    }
    if (!isRecord(next) && !Array.isArray(next)) {
      if (create) throw new Error(`path goes through a scalar at ${String(segment)}`);
      return undefined;
    }
    current = next;
  }
  return current;
}

function readChild(container: Container, segment: string | number): unknown {
  if (Array.isArray(container)) {
    const item = typeof segment === "number" ? container[segment] : undefined;
    return item === TOMBSTONE ? undefined : item;
  }
  return Object.prototype.hasOwnProperty.call(container, segment) ? container[String(segment)] : undefined;
}

function writeChild(container: Container, segment: string | number, value: unknown): void {
  if (Array.isArray(container)) {
    if (typeof segment !== "number" || segment >= container.length) throw new Error(`index ${String(segment)} out of range`);
    container[segment] = value;
  } else {
    container[String(segment)] = value;
  }
}

function deleteChild(container: Container, segment: string | number): void {
  if (Array.isArray(container)) {
    if (typeof segment === "number" && segment < container.length) container[segment] = TOMBSTONE;
  } else {
    Reflect.deleteProperty(container, String(segment));
  }
}

function renameChild(container: Container, segment: string | number, newKey: string): void {
  if (Array.isArray(container)) throw new Error("rename on a sequence");
  const key = String(segment);
  if (!Object.prototype.hasOwnProperty.call(container, key) || key === newKey) return;
  const entries = Object.entries(container).map(([k, v]): [string, unknown] => [k === key ? newKey : k, v]);
  for (const k of Object.keys(container)) Reflect.deleteProperty(container, k);
  for (const [k, v] of entries) container[k] = v;
}

function removeTombstones(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== TOMBSTONE).map(removeTombstones);
  if (isRecord(value)) {
    for (const key of Object.keys(value)) value[key] = removeTombstones(value[key]);
  }
  return value;
}

/** Structural equality of plain data; mapping key order is ignored, NaN equals NaN. */
export function dataEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => dataEqual(item, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keysA = Object.keys(a);
    if (keysA.length !== Object.keys(b).length) return false;
    return keysA.every((k) => Object.prototype.hasOwnProperty.call(b, k) && dataEqual(a[k], b[k]));
  }
  return false;
}
