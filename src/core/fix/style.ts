// How new YAML text should look so that it blends into the file it is spliced into.
//
// Style rules (documented in the module README of yaml-edit.ts as well):
// - Indentation step for new nested mappings: taken from the mapping being written into (a child
//   block mapping of it, else its own offset from its parent key), else the document's most common
//   step, else 2. Tabs are never written.
// - Block sequences: dash column relative to the owning key is copied from a sibling sequence of the
//   same mapping, else from the first keyed block sequence in the document (0 = flush `- x`, n =
//   indented), else indented by the step (what `yaml` and the Kubernetes docs write).
// - Flow collections: new flow maps and sequences copy the bracket padding (`{ a: 1 }` vs `{a: 1}`)
//   of the first non-empty flow collection of the same kind in the document; otherwise maps are
//   padded (`{ a: 1 }`) and sequences are tight (`[ALL]`), the usual Kubernetes spelling.
// - Strings are plain unless YAML 1.2 *or* YAML 1.1 would read the plain form as something else
//   (Kubernetes tooling still reads `on`/`yes` as booleans); then they are quoted with the file's
//   dominant quote character. Multi-line strings are always double-quoted (never block scalars,
//   whose indentation would depend on where they land).
import { Document, Scalar, isAlias, isMap, isPair, isScalar, isSeq, stringify } from "yaml";
import type { Node as YamlNode, YAMLMap, YAMLSeq } from "yaml";
import { SourceText } from "./text.js";

export type ScalarValue = string | number | boolean | null;
export type Context = "block" | "flow";

export interface FileStyle {
  eol: "\n" | "\r\n";
  /** Most common indentation step of nested block mappings in this document; 2 if none. */
  indentStep: number;
  /** Dash column minus owning key column for keyed block sequences; undefined if none seen. */
  sequenceOffset: number | undefined;
  preferSingleQuotes: boolean;
  flowMapPadded: boolean;
  flowSeqPadded: boolean;
}

const STRINGIFY = { lineWidth: 0, minContentWidth: 0 } as const;

export function isScalarValue(value: unknown): value is ScalarValue {
  if (value === null) return true;
  if (typeof value === "number") return true;
  return typeof value === "string" || typeof value === "boolean";
}

function stringifyDefault(value: unknown, version: "1.1" | "1.2"): string {
  return new Document(value, { version }).toString(STRINGIFY).replace(/\n$/, "");
}

// Rules write the same handful of keys and values over and over; stringifying them is not free.
const plainCache = new Map<string, boolean>();
const PLAIN_CACHE_LIMIT = 2000;

/** The plain form of `text` reads back as the same string in YAML 1.2 and 1.1, in `context`. */
export function canBePlain(text: string, context: Context): boolean {
  const cacheKey = `${context}\u0000${text}`;
  const cached = plainCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const plain = computeCanBePlain(text, context);
  if (plainCache.size >= PLAIN_CACHE_LIMIT) plainCache.clear();
  plainCache.set(cacheKey, plain);
  return plain;
}

function computeCanBePlain(text: string, context: Context): boolean {
  if (text === "" || /[\n\r\t]/.test(text) || text !== text.trim()) return false;
  if (stringifyDefault(text, "1.2") !== text) return false;
  if (stringifyDefault(text, "1.1") !== text) return false;
  if (context === "flow") {
    const inFlow = new Document([text]).toString({ ...STRINGIFY, collectionStyle: "flow" }).trim();
    if (inFlow !== `[ ${text} ]`) return false;
  }
  return true;
}

function canBeSingleQuoted(text: string): boolean {
  // Single quotes cannot escape anything; line breaks would fold and control characters are
  // not printable, so those strings need double quotes.
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 && code !== 0x09) return false;
    if (code === 0x7f || code === 0x85 || code === 0x2028 || code === 0x2029 || code === 0xfeff) return false;
  }
  return true;
}

export function singleQuoted(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export function doubleQuoted(text: string): string {
  const node = new Scalar(text);
  node.type = Scalar.QUOTE_DOUBLE;
  return stringify(node, STRINGIFY).replace(/\n$/, "");
}

export type QuoteStyle = "plain" | "single" | "double";

/**
 * Writes a scalar. `keep` is the quoting of the scalar being replaced: a string keeps it when
 * the new text allows; non-strings are always written plain (`"true"` → `true` for a boolean).
 */
export function renderScalar(value: ScalarValue, context: Context, style: Pick<FileStyle, "preferSingleQuotes">, keep?: QuoteStyle): string {
  if (typeof value !== "string") return renderNonString(value);
  if (keep === "double") return doubleQuoted(value);
  if (keep === "single" && canBeSingleQuoted(value)) return singleQuoted(value);
  if (canBePlain(value, context)) return value;
  if (keep === "single") return doubleQuoted(value);
  if (style.preferSingleQuotes && canBeSingleQuoted(value)) return singleQuoted(value);
  return doubleQuoted(value);
}

function renderNonString(value: number | boolean | null): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  return stringifyDefault(value, "1.2");
}

/** Quote style of an existing scalar, as far as replacing it is concerned. */
export function quoteStyleOf(node: Scalar): QuoteStyle {
  if (node.type === Scalar.QUOTE_DOUBLE) return "double";
  if (node.type === Scalar.QUOTE_SINGLE) return "single";
  return "plain";
}

// ---------------------------------------------------------------------------------------------
// Detection

interface Stats {
  steps: Map<number, number>;
  sequenceOffset: number | undefined;
  single: number;
  double: number;
  flowMapPadded: boolean | undefined;
  flowSeqPadded: boolean | undefined;
}

export function detectFileStyle(source: SourceText, root: YamlNode | null | undefined): FileStyle {
  const stats: Stats = {
    steps: new Map(),
    sequenceOffset: undefined,
    single: 0,
    double: 0,
    flowMapPadded: undefined,
    flowSeqPadded: undefined,
  };
  if (root) collectStats(source, root, stats, 0);
  return {
    eol: source.eol,
    indentStep: mostCommon(stats.steps) ?? 2,
    sequenceOffset: stats.sequenceOffset,
    preferSingleQuotes: stats.single > stats.double,
    flowMapPadded: stats.flowMapPadded ?? true,
    flowSeqPadded: stats.flowSeqPadded ?? false,
  };
}

function mostCommon(counts: Map<number, number>): number | undefined {
  let best: number | undefined;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== undefined && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

function collectStats(source: SourceText, node: YamlNode, stats: Stats, depth: number): void {
  if (depth > 200 || isAlias(node)) return;
  if (isScalar(node)) {
    if (node.type === Scalar.QUOTE_SINGLE) stats.single++;
    if (node.type === Scalar.QUOTE_DOUBLE) stats.double++;
    return;
  }
  if (isMap(node) || isSeq(node)) {
    if (isFlow(node)) recordFlowPadding(source, node, stats);
    for (const item of node.items) {
      if (isPair(item)) {
        if (isMap(node) && !isFlow(node)) recordKeyedChild(source, item.key, item.value, stats);
        if (item.key && typeof item.key === "object") collectStats(source, item.key as YamlNode, stats, depth + 1);
        if (item.value && typeof item.value === "object") collectStats(source, item.value as YamlNode, stats, depth + 1);
      } else if (item && typeof item === "object") {
        collectStats(source, item as YamlNode, stats, depth + 1);
      }
    }
  }
}

function recordKeyedChild(source: SourceText, key: unknown, value: unknown, stats: Stats): void {
  if (!isScalar(key) || !key.range) return;
  const keyColumn = source.column(key.range[0]);
  if (isMap(value) && !isFlow(value)) {
    const first = firstBlockMapKeyStart(value);
    if (first !== undefined && source.isFirstOnLine(first)) {
      const step = source.column(first) - keyColumn;
      if (step > 0) stats.steps.set(step, (stats.steps.get(step) ?? 0) + 1);
    }
  }
  if (isSeq(value) && !isFlow(value) && stats.sequenceOffset === undefined) {
    const dash = firstDashOffset(value);
    if (dash !== undefined && source.isFirstOnLine(dash)) {
      const offset = source.column(dash) - keyColumn;
      if (offset >= 0) stats.sequenceOffset = offset;
    }
  }
}

function recordFlowPadding(source: SourceText, node: YAMLMap | YAMLSeq, stats: Stats): void {
  if (node.items.length === 0 || !node.range) return;
  const padded = source.text[node.range[0] + 1] === " ";
  if (isMap(node) && stats.flowMapPadded === undefined) stats.flowMapPadded = padded;
  if (isSeq(node) && stats.flowSeqPadded === undefined) stats.flowSeqPadded = padded;
}

// ---------------------------------------------------------------------------------------------
// Small AST helpers shared with the planner

export function isFlow(node: YAMLMap | YAMLSeq): boolean {
  const token = node.srcToken;
  if (token) return token.type === "flow-collection";
  return node.flow === true;
}

export function firstBlockMapKeyStart(map: YAMLMap): number | undefined {
  const first = map.items[0];
  if (!first || !isScalar(first.key) || !first.key.range) return undefined;
  return first.key.range[0];
}

/** Offset of the `-` of a block sequence item, from the concrete syntax tree. */
export function dashOffset(seq: YAMLSeq, index: number): number | undefined {
  const token = seq.srcToken;
  if (!token || token.type !== "block-seq") return undefined;
  const item = token.items[index];
  const indicator = item?.start.find((t) => t.type === "seq-item-ind");
  return indicator?.offset;
}

export function firstDashOffset(seq: YAMLSeq): number | undefined {
  return dashOffset(seq, 0);
}

/** Indentation step to use for a new mapping nested under a key of `map` (block). */
export function indentStepFor(source: SourceText, map: YAMLMap, parentKeyColumn: number | undefined, style: FileStyle): number {
  const keyColumn = mapKeyColumn(source, map);
  if (keyColumn === undefined) return style.indentStep;
  for (const pair of map.items) {
    if (isMap(pair.value) && !isFlow(pair.value)) {
      const childStart = firstBlockMapKeyStart(pair.value);
      if (childStart !== undefined && source.isFirstOnLine(childStart)) {
        const step = source.column(childStart) - keyColumn;
        if (step > 0) return step;
      }
    }
  }
  if (parentKeyColumn !== undefined && keyColumn > parentKeyColumn) return keyColumn - parentKeyColumn;
  return style.indentStep;
}

/** Dash column relative to the key, for a new block sequence under a key of `map`. */
export function sequenceOffsetFor(source: SourceText, map: YAMLMap, style: FileStyle, step: number): number {
  const keyColumn = mapKeyColumn(source, map);
  if (keyColumn !== undefined) {
    for (const pair of map.items) {
      if (isSeq(pair.value) && !isFlow(pair.value)) {
        const dash = firstDashOffset(pair.value);
        if (dash !== undefined && source.isFirstOnLine(dash)) return Math.max(source.column(dash) - keyColumn, 0);
      }
    }
  }
  return style.sequenceOffset ?? step;
}

export function mapKeyColumn(source: SourceText, map: YAMLMap): number | undefined {
  const start = firstBlockMapKeyStart(map);
  return start === undefined ? undefined : source.column(start);
}
