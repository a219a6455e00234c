// The property every planned fix must satisfy, shared by the property test files (split so
// vitest can run them on two workers). Plain node:assert keeps it usable outside vitest (for
// profiling) and cheap enough for 10,000 cases.
import assert from "node:assert/strict";
import { applyEdits } from "../../src/core/fix/apply.js";
import type { FixOp } from "../../src/core/fix/ops.js";
import { outsideEditProblems } from "../../src/core/fix/verify.js";
import { parseYamlForEdits, planYamlEdits, type FailedOp } from "../../src/core/fix/yaml-edit.js";
import type { TextEdit } from "../../src/core/types.js";
import type { Document } from "yaml";
import { opsFromPicks, renderManifest, type ManifestModel, type Pick as OpPick, type Scenario } from "./arbitraries.js";

/** Independent oracle: the ops on plain data (indices refer to the original sequences). */
export function expectedData(data: unknown, ops: readonly FixOp[]): unknown {
  const GONE = Symbol("gone");
  const root: Record<string, unknown> = { value: structuredClone(data) };
  for (const op of ops) {
    let parent: Record<string | number, unknown> = root;
    let key: string | number = "value";
    let missing = false;
    for (const segment of op.path) {
      let next = parent[key];
      if (next === undefined || next === null || next === GONE) {
        if (op.op === "delete") {
          missing = true;
          break;
        }
        next = {};
        parent[key] = next;
      }
      parent = next as Record<string | number, unknown>;
      key = segment;
    }
    if (missing || typeof parent !== "object") continue;
    if (op.op === "set") parent[key] = structuredClone(op.value);
    else if (op.op === "append") {
      const current = parent[key];
      if (Array.isArray(current)) current.push(structuredClone(op.value));
      else parent[key] = [structuredClone(op.value)];
    } else if (op.op === "delete") {
      if (Array.isArray(parent)) parent[key as number] = GONE;
      else Reflect.deleteProperty(parent, key);
    } else if (op.op === "rename" && Object.prototype.hasOwnProperty.call(parent, key)) {
      parent[op.newKey] = parent[key];
      Reflect.deleteProperty(parent, key);
    }
  }
  const sweep = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.filter((v) => v !== GONE).map(sweep);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sweep(v)]));
    return value;
  };
  return sweep(root.value);
}

export function planAll(
  text: string,
  docs: readonly Document.Parsed[],
  opsByDoc: ReadonlyMap<number, FixOp[]>,
): { edits: TextEdit[]; failed: FailedOp[] } {
  const edits: TextEdit[] = [];
  const failed: FailedOp[] = [];
  for (const [index, ops] of opsByDoc) {
    // verify: false so that the planner's own safety net cannot hide an emitter bug from this test.
    const planned = planYamlEdits(text, docs[index]!, ops, "deploy.yaml", { verify: false });
    edits.push(...planned.edits);
    failed.push(...planned.failed);
  }
  return { edits, failed };
}

export function checkScenario({ text, ops }: Pick<Scenario, "text" | "ops">): void {
  const before = parseYamlForEdits(text);
  const { edits, failed } = planAll(text, before, ops);
  assert.deepEqual(failed, []);
  checkFixed(text, before, ops, edits);
}

/**
 * Random ops on random paths: the planner may refuse some (conflicts, unsupported shapes),
 * but what it accepts must come out exactly right.
 */
export function checkAdversarial(model: ManifestModel, picks: readonly OpPick[]): void {
  const { text, deploymentDoc } = renderManifest(model);
  const before = parseYamlForEdits(text);
  const ops = opsFromPicks(before[deploymentDoc]!.toJS(), picks);
  const opsByDoc = new Map([[deploymentDoc, ops]]);
  const { edits, failed } = planAll(text, before, opsByDoc);
  for (const f of failed) assert.doesNotMatch(f.reason, /internal|no safe text edit/, f.reason);
  const refused = new Set(failed.map((f) => f.op));
  checkFixed(text, before, new Map([[deploymentDoc, ops.filter((op) => !refused.has(op))]]), edits, false);
}

function checkFixed(
  text: string,
  before: readonly Document.Parsed[],
  ops: ReadonlyMap<number, FixOp[]>,
  edits: TextEdit[],
  checkIdempotence = true,
): void {
  const fixed = applyEdits(text, edits);

  // Re-parses without errors, same documents, each holding the original data with the ops applied.
  const after = parseYamlForEdits(fixed);
  assert.equal(after.length, before.length, "document count changed");
  for (const [i, doc] of after.entries()) {
    assert.deepEqual(doc.errors.map((e) => e.message), [], fixed);
    assert.deepEqual(doc.toJS(), expectedData(before[i]!.toJS(), ops.get(i) ?? []), fixed);
  }

  // Every byte outside the edit ranges is unchanged.
  assert.deepEqual(outsideEditProblems(text, fixed, edits), []);

  // House style: spaces only, the file's line ending, BOM and final-newline state kept.
  for (const edit of edits) assert.doesNotMatch(edit.newText, /(^|\n)\t/);
  if (text.includes("\r\n")) assert.ok(!fixed.replace(/\r\n/g, "").includes("\n"), "LF in a CRLF file");
  else assert.ok(!fixed.includes("\r"), "CR in an LF file");
  assert.equal(fixed.startsWith("\uFEFF"), text.startsWith("\uFEFF"));
  assert.equal(/\r?\n$/.test(fixed), /\r?\n$/.test(text));

  if (!checkIdempotence) return;
  // Idempotence: planning the same `set`s on the fixed text changes nothing.
  const setOps = new Map([...ops].map(([doc, list]) => [doc, list.filter((op) => op.op === "set")]));
  assert.deepEqual(planAll(fixed, after, setOps).edits, []);
}
