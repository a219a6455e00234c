// Typed views of the `yaml` AST as the planner sees it, plus position helpers that only
// depend on node ranges and the concrete syntax tree.
import { isMap, isPair, isScalar, isSeq, Scalar } from "yaml";
import type { Pair, ParsedNode, YAMLMap, YAMLSeq } from "yaml";
import { dashOffset, isFlow } from "./style.js";
import type { SourceText } from "./text.js";

export type PMap = YAMLMap.Parsed;
export type PSeq = YAMLSeq.Parsed<ParsedNode | Pair<ParsedNode, ParsedNode | null>>;
export type PScalar = Scalar.Parsed;
export type PPair = Pair<ParsedNode, ParsedNode | null>;
export type PCollection = PMap | PSeq;

/** How a node hangs off its parent; needed to find the `:` or `-` that introduces it. */
export type Holder =
  | { kind: "root" }
  | { kind: "pair"; map: PMap; pair: PPair; index: number; parent: NodeInfo }
  | { kind: "item"; seq: PSeq; index: number; parent: NodeInfo };

export interface NodeInfo {
  holder: Holder;
  /** Number of collections above the node. */
  depth: number;
  /** Some ancestor collection is a flow collection: new text must be flow style. */
  inFlow: boolean;
}

export const ROOT_INFO: NodeInfo = { holder: { kind: "root" }, depth: 0, inFlow: false };

export function childInfo(parent: NodeInfo, parentNode: PCollection, holder: Holder): NodeInfo {
  return { holder, depth: parent.depth + 1, inFlow: parent.inFlow || isFlow(parentNode) };
}

export function isNullScalar(node: ParsedNode | null): node is PScalar {
  return isScalar(node) && node.value === null;
}

export function isEmptyScalarSource(node: PScalar): boolean {
  return node.range[0] === node.range[1];
}

/** End of the node's own text: past a closing quote or bracket, never past trailing comments. */
export function contentEnd(source: SourceText, node: ParsedNode | PPair | null | undefined): number {
  if (!node) return 0;
  if (isPair(node)) return pairContentEnd(source, node);
  if (isScalar(node)) return keepsTrailingLines(source, node) ? node.range[1] : source.trimBack(node.range[1], node.range[0]);
  if ((isMap(node) || isSeq(node)) && !isFlow(node)) {
    const last = node.items[node.items.length - 1] as ParsedNode | PPair | undefined;
    return last ? Math.max(contentEnd(source, last), node.range[0]) : node.range[1];
  }
  return node.range[1];
}

/** `|+` / `>+` scalars own their trailing blank lines; text inserted there would change the value. */
function keepsTrailingLines(source: SourceText, node: Scalar.Parsed): boolean {
  if (node.type !== Scalar.BLOCK_LITERAL && node.type !== Scalar.BLOCK_FOLDED) return false;
  const header = source.lineText(node.range[0]).slice(source.column(node.range[0]));
  return /^[|>](?:[1-9]?\+|\+[1-9]?)/.test(header);
}

export function pairContentEnd(source: SourceText, pair: PPair): number {
  const keyEnd = contentEnd(source, pair.key);
  return pair.value ? Math.max(keyEnd, contentEnd(source, pair.value)) : keyEnd;
}

/** Offset just after the `:` of a pair, or undefined when it cannot be found on the key's line. */
export function colonEnd(source: SourceText, pair: PPair): number | undefined {
  const afterKey = source.skipSpaces(contentEnd(source, pair.key));
  return source.text[afterKey] === ":" ? afterKey + 1 : undefined;
}

/** Offset just after the `:` or `-` that introduces the node held by `holder`. */
export function indicatorEnd(source: SourceText, holder: Holder): number | undefined {
  if (holder.kind === "pair") return colonEnd(source, holder.pair);
  if (holder.kind === "item") {
    const dash = dashOffset(holder.seq, holder.index);
    return dash === undefined ? undefined : dash + 1;
  }
  return undefined;
}

export function pairKeyStart(pair: PPair): number {
  return (pair.key as PScalar).range[0];
}

/** Start offset of item `index` of a collection (key start, dash, or flow item start). */
export function itemStart(collection: PCollection, index: number): number | undefined {
  const item = collection.items[index] as ParsedNode | PPair | undefined;
  if (!item) return undefined;
  if (isPair(item)) return isScalar(item.key) ? item.key.range[0] : undefined;
  if (isSeq(collection) && !isFlow(collection)) return dashOffset(collection, index);
  return item.range[0];
}
