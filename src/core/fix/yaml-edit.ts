// Byte-preserving YAML edit planner: FixOps in, minimal TextEdits on the original text out.
//
// Guarantees
// - The document is never re-serialised; edits are splices of the original text, and every
//   byte outside them is untouched (comments, blank lines, quoting, key order, CRLF, BOM).
// - All ops of one call are planned together: several ops that create keys under the same
//   node become ONE insertion (five `set`s under a missing `securityContext` give one block).
// - Each plan is checked before it is returned: the edited text must parse without errors,
//   keep the document boundaries, and have exactly the data that the ops describe
//   (data-ops.ts). An op that cannot be done safely lands in `failed` with a reason; when the
//   combined plan fails that check, ops are re-planned one by one so that only the culprits fail.
//
// Semantics and style choices (see style.ts for the text style rules)
// - Paths are relative to the document root and refer to the ORIGINAL document.
// - `set` of an equal value is a no-op (so re-planning a fixed file yields no edit). `set` on
//   an existing scalar replaces just its token, keeping its quoting when the new string allows;
//   booleans, numbers and null are written plain. `set` never replaces a whole existing mapping
//   or sequence with different content (that is how Polaris loses `capabilities.add`).
// - Missing keys are inserted after the last entry of the existing mapping (after trailing
//   comments that are indented inside it), at its indentation; missing parents are created.
//   In flow context new content is flow (`{ a: 1, b: [ALL] }`); in block context arrays become
//   block sequences.
// - `key:` / `key: ~` (null) receive the new content in place of the null.
// - An EMPTY `{}` or `[]` that is the value of a block mapping key becomes block style when it
//   receives content (the braces were a placeholder); non-empty flow collections stay flow.
// - `delete` removes the entry with its nested lines, the full-line comments directly above it
//   at the same indentation, and comment lines indented inside it that follow it. Deleting the
//   last entry of a mapping (or item of a sequence) leaves `{}` (or `[]`): the key stays, which
//   is also what JSON semantics give, and a parent that becomes empty is NOT removed (a rule that
//   wants the parent gone deletes the parent). Deleting an absent path is a no-op.
// - `append` appends (no de-duplication); `rename` rewrites only the key token.
// Not supported (→ failed): anchors, aliases or explicit tags on the path, merge keys (`<<`),
// complex or explicit (`?`) keys, paths through a scalar, writing into an empty sequence item
// (`- `), replacing a collection, deleting the document root or its last entry, items of
// compact nested sequences (`- - x`).
import { isMap, isSeq, LineCounter, parseAllDocuments } from "yaml";
import type { Document, DocumentOptions, ParseOptions } from "yaml";
import type { TextEdit } from "../types.js";
import { applyEdits, mapOffset, mergeEdits, OverlappingEditsError } from "./apply.js";
import { applyOpsToData, dataEqual } from "./data-ops.js";
import { EmitError, emitPlan } from "./emit.js";
import type { FixOp } from "./ops.js";
import { Planner } from "./planner.js";
import { detectFileStyle } from "./style.js";
import { SourceText } from "./text.js";

export interface FailedOp {
  op: FixOp;
  reason: string;
}

export interface YamlEditPlan {
  edits: TextEdit[];
  failed: FailedOp[];
}

export interface PlanOptions {
  /** Re-parse and compare the result (default true). Only benchmarks should turn this off. */
  verify?: boolean;
}

interface Attempt {
  edits: TextEdit[];
  accepted: FixOp[];
  failed: FailedOp[];
  problem?: string;
}

/**
 * Plans edits for `ops` on one document of `text`. `doc` must come from
 * `parseAllDocuments(text, { keepSourceTokens: true, ... })` over the whole text, so that its
 * ranges are offsets into `text`. Edits for different documents of a file never overlap.
 */
export function planYamlEdits(
  text: string,
  doc: Document.Parsed,
  ops: readonly FixOp[],
  filePath: string,
  options: PlanOptions = {},
): YamlEditPlan {
  if (ops.length === 0) return { edits: [], failed: [] };
  const blocked = documentProblem(doc);
  if (blocked) return { edits: [], failed: ops.map((op) => ({ op, reason: blocked })) };
  const context = { text, source: new SourceText(text), doc, filePath };
  const whole = attempt(context, ops);
  const verify = options.verify !== false;
  const problem = whole.problem ?? (verify ? verifyAttempt(context, whole) : undefined);
  if (!problem) return { edits: whole.edits, failed: whole.failed };
  return planOneByOne(context, ops, verify);
}

/** Parses a file the way planYamlEdits expects (whole text, source tokens kept). */
export function parseYamlForEdits(text: string): Document.Parsed[] {
  const docs = parseAllDocuments(text, { lineCounter: new LineCounter(), keepSourceTokens: true });
  return Array.isArray(docs) ? docs : [];
}

interface Context {
  text: string;
  source: SourceText;
  doc: Document.Parsed;
  filePath: string;
}

function documentProblem(doc: Document.Parsed): string | undefined {
  if (doc.errors.length > 0) return `document has YAML errors: ${doc.errors[0]!.message.split("\n")[0]}`;
  const root = doc.contents;
  if ((isMap(root) || isSeq(root)) && !root.srcToken) return "document was parsed without keepSourceTokens: true";
  return undefined;
}

function attempt(context: Context, ops: readonly FixOp[]): Attempt {
  const planner = new Planner(context.source, context.doc);
  const accepted: FixOp[] = [];
  const failed: FailedOp[] = [];
  for (const op of ops) {
    const reason = planner.add(op);
    if (reason === undefined) accepted.push(op);
    else failed.push({ op, reason });
  }
  try {
    const style = detectFileStyle(context.source, context.doc.contents);
    const planned = emitPlan(context.source, style, planner.plan);
    const edits = planned.map(({ start, end, text }) => ({ path: context.filePath, start, end, newText: text }));
    return { edits: mergeEdits(edits, context.text.length), accepted, failed };
  } catch (error) {
    // A scan must survive a planner bug: the ops then fail one by one with the reason.
    const known = error instanceof EmitError || error instanceof OverlappingEditsError;
    const message = error instanceof Error ? error.message : String(error);
    return { edits: [], accepted, failed, problem: known ? message : `internal error: ${message}` };
  }
}

/** Why the attempt's text is not what its accepted ops describe, or undefined when it is. */
function verifyAttempt(context: Context, result: Attempt): string | undefined {
  if (result.edits.length === 0) return undefined;
  const fixedDoc = reparseEditedDocument(context, result.edits);
  if (typeof fixedDoc === "string") return fixedDoc;
  try {
    const expected = applyOpsToData(context.doc.toJS(), result.accepted);
    if (!dataEqual(fixedDoc.toJS(), expected)) return "edited document does not hold the expected data";
  } catch (error) {
    return `could not compare data: ${(error as Error).message}`;
  }
  return undefined;
}

/**
 * The edited document, parsed again, or why that failed. Only this document's stretch of the
 * text is parsed, so that planning every document of a large file stays linear; a document that
 * cannot be parsed on its own (e.g. it relies on %TAG directives) falls back to the whole text.
 */
function reparseEditedDocument(context: Context, edits: readonly TextEdit[]): Document.Parsed | string {
  const { doc, text } = context;
  const fixed = applyEdits(text, edits);
  const lastEdit = edits[edits.length - 1]!;
  const sliceEnd = Math.max(mapOffset(doc.range[2], edits), mapOffset(lastEdit.end, edits));
  const sliced = parseStandalone(doc, fixed.slice(doc.range[0], sliceEnd));
  if (typeof sliced !== "string") return sliced;
  if (typeof parseStandalone(doc, text.slice(doc.range[0], doc.range[2])) === "string") return parseWhole(context, fixed);
  return sliced;
}

/** The options the caller parsed with, minus internals (`_directives` would leak state). */
function parseOptions(doc: Document.Parsed): ParseOptions & DocumentOptions {
  const { intAsBigInt, logLevel, strict, stringKeys, uniqueKeys } = doc.options;
  return { intAsBigInt, logLevel, strict, stringKeys, uniqueKeys, version: doc.directives?.yaml.version, prettyErrors: false };
}

function parseStandalone(doc: Document.Parsed, slice: string): Document.Parsed | string {
  const parsed = parseAllDocuments(slice, parseOptions(doc));
  const docs = Array.isArray(parsed) ? parsed : [];
  if (docs.length !== 1) return `edit changed the document boundaries (${docs.length} documents where there was one)`;
  const errors = docs[0]!.errors;
  return errors.length > 0 ? `edited document does not parse: ${errors[0]!.message.split("\n")[0]}` : docs[0]!;
}

function parseWhole(context: Context, fixed: string): Document.Parsed | string {
  const count = (source: string): Document.Parsed[] => {
    const parsed = parseAllDocuments(source, parseOptions(context.doc));
    return Array.isArray(parsed) ? parsed : [];
  };
  const docs = count(fixed);
  if (docs.length !== count(context.text).length) return "edit changed the number of documents in the file";
  const fixedDoc = docs.find((d) => d.range[0] === context.doc.range[0]);
  if (!fixedDoc) return "edited document could not be found again";
  const errors = fixedDoc.errors;
  return errors.length > 0 ? `edited document does not parse: ${errors[0]!.message.split("\n")[0]}` : fixedDoc;
}

/** Fallback: accept ops one at a time, each checked, so one bad op cannot sink the others. */
function planOneByOne(context: Context, ops: readonly FixOp[], verify: boolean): YamlEditPlan {
  let accepted: FixOp[] = [];
  let edits: TextEdit[] = [];
  const failed: FailedOp[] = [];
  for (const op of ops) {
    const trial = attempt(context, [...accepted, op]);
    const refused = trial.failed.find((f) => f.op === op);
    if (refused) {
      failed.push(refused);
      continue;
    }
    const problem = trial.problem ?? (verify ? verifyAttempt(context, trial) : undefined);
    if (problem) {
      failed.push({ op, reason: `no safe text edit found (${problem})` });
      continue;
    }
    accepted = [...accepted, op];
    edits = trial.edits;
  }
  return { edits, failed };
}
