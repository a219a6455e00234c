// Renders a Plan as splices of the original text. Each existing node that changes produces
// its own small edits; new content for one node is always a single insertion.
import { isMap, isPair, Scalar } from "yaml";
import type { ParsedNode } from "yaml";
import {
  colonEnd,
  contentEnd,
  indicatorEnd,
  isEmptyScalarSource,
  isNullScalar,
  itemStart,
  pairContentEnd,
  pairKeyStart,
  type NodeInfo,
  type PCollection,
  type PMap,
  type PPair,
  type PSeq,
} from "./ast.js";
import type { NewMap, NewNode, NewSeq } from "./pending.js";
import type { CollectionChange, Fill, Plan, Rename, ScalarChange } from "./planner.js";
import {
  inlineValue,
  renderBlockChildren,
  renderBlockMapEntries,
  renderBlockSeqItems,
  renderCompactMap,
  renderFlow,
  renderKey,
  type BlockLayout,
} from "./render.js";
import {
  dashOffset,
  indentStepFor,
  isFlow,
  quoteStyleOf,
  renderScalar,
  sequenceOffsetFor,
  type FileStyle,
} from "./style.js";
import type { SourceText } from "./text.js";

/** A splice plus the nesting depth of what it writes into (orders inserts sharing an offset). */
export interface PlannedEdit {
  start: number;
  end: number;
  text: string;
  depth: number;
}

/** Thrown when the plan cannot be rendered (positions the parser did not give us). */
export class EmitError extends Error {}

export function emitPlan(source: SourceText, style: FileStyle, plan: Plan): PlannedEdit[] {
  const emitter = new Emitter(source, style);
  for (const change of plan.scalars.values()) emitter.scalar(change);
  for (const rename of plan.renames.values()) emitter.rename(rename);
  for (const fill of plan.fills.values()) emitter.fill(fill);
  for (const change of plan.collections.values()) emitter.collection(change);
  return preserveMissingFinalNewline(source, combineInsertsAtSameOffset(emitter.edits));
}

/**
 * Deleting the last lines of a file without final newline would leave the newline of the line
 * before them at the end; the file keeps its "no newline at end" state instead.
 */
export function preserveMissingFinalNewline(source: SourceText, edits: PlannedEdit[]): PlannedEdit[] {
  const text = source.text;
  const last = edits[edits.length - 1];
  if (!last || text.endsWith("\n") || last.end !== text.length || last.start === last.end || last.text !== "") return edits;
  const previous = edits[edits.length - 2];
  if (previous && previous.end === last.start && previous.text.endsWith("\n")) {
    const trimmed = previous.text.replace(/\r?\n$/, "");
    return [...edits.slice(0, -2), { ...previous, text: trimmed }, last];
  }
  if (text[last.start - 1] !== "\n") return edits;
  const newlineStart = text[last.start - 2] === "\r" ? last.start - 2 : last.start - 1;
  if (previous && previous.end > newlineStart) return edits;
  return [...edits.slice(0, -1), { ...last, start: newlineStart }];
}

/**
 * Content written into a nested node lands at the same offset as content written after it
 * into an ancestor (both "after the last line"); the deeper one must come first.
 */
export function combineInsertsAtSameOffset(edits: readonly PlannedEdit[]): PlannedEdit[] {
  const inserts = new Map<number, PlannedEdit[]>();
  const others: PlannedEdit[] = [];
  for (const edit of edits) {
    if (edit.start !== edit.end) others.push(edit);
    else inserts.set(edit.start, [...(inserts.get(edit.start) ?? []), edit]);
  }
  const combined = [...inserts.values()].map((group) => {
    const ordered = [...group].sort((a, b) => b.depth - a.depth);
    return { start: ordered[0]!.start, end: ordered[0]!.start, text: ordered.map((e) => e.text).join(""), depth: ordered[0]!.depth };
  });
  const sorted = [...others, ...combined].sort((a, b) => a.start - b.start || a.end - b.end);
  return coalesceAdjacentDeletions(sorted);
}

/** Back-to-back deletions (neighbouring items) read better, and diff better, as one. */
function coalesceAdjacentDeletions(sorted: readonly PlannedEdit[]): PlannedEdit[] {
  const out: PlannedEdit[] = [];
  for (const edit of sorted) {
    const previous = out[out.length - 1];
    const bothDeletions = previous && previous.text === "" && edit.text === "" && previous.start < previous.end && edit.start < edit.end;
    if (bothDeletions && previous.end === edit.start) out[out.length - 1] = { ...previous, end: edit.end };
    else out.push(edit);
  }
  return out;
}

class Emitter {
  readonly edits: PlannedEdit[] = [];

  constructor(
    private readonly source: SourceText,
    private readonly style: FileStyle,
  ) {}

  // -------------------------------------------------------------------------------------------
  // Scalars and keys

  scalar({ scalar, info, value }: ScalarChange): void {
    const blockScalar = scalar.type === Scalar.BLOCK_LITERAL || scalar.type === Scalar.BLOCK_FOLDED;
    const keep = blockScalar ? undefined : quoteStyleOf(scalar);
    const text = renderScalar(value, info.inFlow ? "flow" : "block", this.style, keep);
    this.replace(scalar.range[0], contentEnd(this.source, scalar), text, info.depth);
  }

  rename({ pair, map, mapInfo, newKey }: Rename): void {
    const key = pair.key as Scalar.Parsed;
    const context = mapInfo.inFlow || isFlow(map) ? "flow" : "block";
    this.replace(key.range[0], contentEnd(this.source, key), renderScalar(newKey, context, this.style, quoteStyleOf(key)), mapInfo.depth + 1);
  }

  // -------------------------------------------------------------------------------------------
  // Null values that receive content

  fill({ scalar, info, content }: Fill): void {
    const holder = info.holder;
    if (holder.kind !== "pair") throw new EmitError("null value outside a mapping");
    const inline = info.inFlow ? renderFlow(content, this.styleInside(holder.map)) : inlineValue(content, this.style);
    const colon = colonEnd(this.source, holder.pair);
    if (colon === undefined) throw new EmitError("cannot find the ':' of a null-valued key");
    if (inline !== undefined) {
      this.writeIntoNull(scalar, colon, inline, info.depth);
      return;
    }
    const tokenEnd = contentEnd(this.source, scalar);
    if (!isEmptyScalarSource(scalar)) this.replace(colon, tokenEnd, "", info.depth);
    const keyColumn = this.source.column(pairKeyStart(holder.pair));
    const layout = this.layoutForMap(holder.map, holder.parent);
    const lines = renderBlockChildren(content as NewMap | NewSeq, keyColumn, layout, this.style);
    this.insertLines(this.source.endOfLineBefore(Math.max(tokenEnd, colon)), lines, info.depth);
  }

  /** `key: ~` → `key: v`; `key:` / `key: # c` → `key: v` / `key: v # c` (written right after the colon). */
  private writeIntoNull(scalar: Scalar.Parsed, colon: number, text: string, depth: number): void {
    if (isEmptyScalarSource(scalar)) this.replace(colon, colon, ` ${text}`, depth);
    else this.replace(scalar.range[0], contentEnd(this.source, scalar), text, depth);
  }

  // -------------------------------------------------------------------------------------------
  // Collections

  collection(change: CollectionChange): void {
    if (change.deleted.size === 0 && isEmptyPending(change.added)) return;
    if (isFlow(change.node)) this.flowCollection(change);
    else if (isMap(change.node)) this.blockMap(change.node, change);
    else this.blockSeq(change.node as PSeq, change);
  }

  private blockMap(map: PMap, change: CollectionChange): void {
    const { deleted, info } = change;
    const added = change.added?.kind === "map" && change.added.entries.size > 0 ? change.added : undefined;
    const firstKey = pairKeyStart(map.items[0]!);
    const column = this.source.column(firstKey);
    const compact = !this.source.isFirstOnLine(firstKey);
    const layout = this.layoutForMap(map, info);
    const extents = map.items.map((pair, i) => this.pairExtent(pair, column, i === 0 && compact));
    const lastEnd = extents[extents.length - 1]!.end;
    const kept = map.items.map((_, i) => i).filter((i) => !deleted.has(i));

    if (compact && deleted.has(0)) {
      const firstKept = kept[0];
      if (firstKept === undefined) {
        const replacement = added ? renderCompactMap(added, column, layout, this.style).join(this.style.eol) : "{}";
        const eol = this.source.isAtLineStart(lastEnd) ? this.style.eol : "";
        this.replace(firstKey, lastEnd, replacement + eol, info.depth);
        return;
      }
      // `- a: 1\n  b: 2` minus `a` → `- b: 2`: pull the next kept entry up onto the dash line.
      this.replace(firstKey, this.source.firstNonBlank(extents[firstKept]!.start), "", info.depth);
      for (const i of deleted) if (i > firstKept) this.remove(extents[i]!, info.depth);
    } else {
      for (const i of deleted) this.remove(extents[i]!, info.depth);
      if (kept.length === 0 && !added) this.markEmpty(info, "{}");
    }
    if (added) this.insertLines(lastEnd, renderBlockMapEntries(added, column, layout, this.style), info.depth);
  }

  private blockSeq(seq: PSeq, change: CollectionChange): void {
    const { deleted, info } = change;
    const added = change.added?.kind === "seq" && change.added.items.length > 0 ? change.added : undefined;
    const dashes = seq.items.map((_, i) => dashOffset(seq, i));
    if (dashes.some((d) => d === undefined)) throw new EmitError("block sequence without dash positions");
    const column = this.source.column(dashes[0]!);
    const extents = seq.items.map((item, i) => {
      const dash = dashes[i]!;
      const end = Math.max(contentEnd(this.source, item as ParsedNode), dash + 1);
      return { start: this.ownedStart(dash, column), end: this.extentEnd(end, column) };
    });
    for (const i of deleted) this.remove(extents[i]!, info.depth);
    const keptCount = seq.items.length - deleted.size;
    if (keptCount === 0 && !added) this.markEmpty(info, "[]");
    if (added) {
      const layout = this.layoutForSeqHolder(info);
      this.insertLines(extents[extents.length - 1]!.end, renderBlockSeqItems(added.items, column, layout, this.style), info.depth);
    }
  }

  private flowCollection(change: CollectionChange): void {
    const node = change.node;
    const { deleted, info } = change;
    const parts = this.flowParts(node, change.added);
    const allGone = deleted.size === node.items.length;
    const [open, close] = isMap(node) ? ["{", "}"] : ["[", "]"];
    if (allGone && parts.length === 0) {
      if (node.items.length > 0) this.replace(node.range[0], node.range[1], open + close, info.depth);
      return;
    }
    if (allGone) {
      this.replaceEmptiedFlow(node, change.added!, info);
      return;
    }
    this.removeFlowRuns(node, deleted, info.depth);
    if (parts.length > 0) {
      const lastEnd = this.flowItemEnd(node, node.items.length - 1);
      this.replace(lastEnd, lastEnd, `, ${parts.join(", ")}`, info.depth);
    }
  }

  private flowParts(host: PCollection, added: NewNode | undefined): string[] {
    const style = this.styleInside(host);
    if (added?.kind === "map") {
      return [...added.entries].map(([key, value]) => `${renderKey(key, "flow", style)}: ${renderFlow(value, style)}`);
    }
    if (added?.kind === "seq") return added.items.map((item) => renderFlow(item, style));
    return [];
  }

  /** New flow collections written inside a flow collection copy its bracket padding. */
  private styleInside(host: PCollection): FileStyle {
    if (!isFlow(host) || host.items.length === 0) return this.style;
    const padded = this.source.text[host.range[0] + 1] === " ";
    return isMap(host) ? { ...this.style, flowMapPadded: padded } : { ...this.style, flowSeqPadded: padded };
  }

  /**
   * A flow collection with no item left that receives content. An originally empty `{}`/`[]`
   * in block context becomes block style (the braces were a placeholder), except a sequence
   * that is itself a list item; anything else is rewritten in flow style.
   */
  private replaceEmptiedFlow(node: PCollection, added: NewNode, info: NodeInfo): void {
    const holder = info.holder;
    const [start, end] = [node.range[0], node.range[1]];
    const placeholder = node.items.length === 0 && !info.inFlow;
    if (placeholder && holder.kind === "pair") {
      const colon = colonEnd(this.source, holder.pair);
      if (colon === undefined) throw new EmitError("cannot find the ':' before an empty flow collection");
      this.replace(colon, end, "", info.depth);
      const keyColumn = this.source.column(pairKeyStart(holder.pair));
      const layout = this.layoutForMap(holder.map, holder.parent);
      this.insertLines(this.source.endOfLineBefore(end), renderBlockChildren(added as NewMap | NewSeq, keyColumn, layout, this.style), info.depth);
      return;
    }
    if (placeholder && holder.kind === "item" && added.kind === "map") {
      const layout = this.layoutForSeqHolder(holder.parent);
      const lines = renderCompactMap(added, this.source.column(start), layout, this.style);
      this.replace(start, end, lines.join(this.style.eol), info.depth);
      return;
    }
    const parent = holder.kind === "pair" ? holder.map : holder.kind === "item" ? holder.seq : undefined;
    const style = node.items.length > 0 || !parent ? this.styleInside(node) : this.styleInside(parent);
    this.replace(start, end, renderFlow(added, style), info.depth);
  }

  /** Deletes runs of flow items together with exactly one separating comma per item. */
  private removeFlowRuns(node: PCollection, deleted: ReadonlySet<number>, depth: number): void {
    const count = node.items.length;
    for (let i = 0; i < count; i++) {
      if (!deleted.has(i)) continue;
      let j = i;
      while (j + 1 < count && deleted.has(j + 1)) j++;
      const nextKept = j + 1 < count ? j + 1 : undefined;
      if (nextKept !== undefined) this.replace(this.flowItemStart(node, i), this.flowItemStart(node, nextKept), "", depth);
      else this.replace(this.flowItemEnd(node, i - 1), this.flowItemEnd(node, j), "", depth);
      i = j;
    }
  }

  private flowItemStart(node: PCollection, index: number): number {
    const start = itemStart(node, index);
    if (start === undefined) throw new EmitError("flow item without a position");
    return start;
  }

  /** End of a flow item; for `key:` with nothing after it, just past the colon (before any comment). */
  private flowItemEnd(node: PCollection, index: number): number {
    const item = node.items[index] as ParsedNode | PPair | undefined;
    if (!item) throw new EmitError("flow item index out of range");
    if (!isPair(item)) return contentEnd(this.source, item);
    if (isNullScalar(item.value) && isEmptyScalarSource(item.value)) return colonEnd(this.source, item) ?? pairContentEnd(this.source, item);
    return pairContentEnd(this.source, item);
  }

  /** A block collection lost all its items: write `{}`/`[]` after its `key:` or `-`. */
  private markEmpty(info: NodeInfo, empty: string): void {
    const at = indicatorEnd(this.source, info.holder);
    if (at === undefined) throw new EmitError("cannot find where to write an empty collection");
    this.replace(at, at, ` ${empty}`, info.depth);
  }

  // -------------------------------------------------------------------------------------------
  // Line extents

  private pairExtent(pair: PPair, column: number, sharesLineWithParent: boolean): { start: number; end: number } {
    const keyStart = pairKeyStart(pair);
    const start = sharesLineWithParent ? keyStart : this.ownedStart(keyStart, column);
    return { start, end: this.extentEnd(pairContentEnd(this.source, pair), column) };
  }

  /**
   * Start of the item's line, moved up over full-line comments directly above it at the same
   * column: those describe the item and go when it goes.
   */
  private ownedStart(itemOffset: number, column: number): number {
    let start = this.source.lineStart(itemOffset);
    while (start > 0) {
      const previous = this.source.lineStart(start - 1);
      if (!this.source.isCommentLine(previous)) break;
      if (this.source.column(this.source.firstNonBlank(previous)) !== column) break;
      start = previous;
    }
    return start;
  }

  /**
   * End of the item's last line, extended over directly following comment lines indented
   * deeper than the item (they are inside its value).
   */
  private extentEnd(contentEndOffset: number, column: number): number {
    let end = this.source.endOfLineBefore(contentEndOffset);
    while (end < this.source.length && this.source.isAtLineStart(end) && this.source.isCommentLine(end)) {
      if (this.source.column(this.source.firstNonBlank(end)) <= column) break;
      end = this.source.lineEnd(end);
    }
    return end;
  }

  // -------------------------------------------------------------------------------------------
  // Layout

  private layoutForMap(map: PMap, info: NodeInfo): BlockLayout {
    const holder = info.holder;
    const parentKeyColumn =
      holder.kind === "pair" && !isFlow(holder.map) ? this.source.column(pairKeyStart(holder.pair)) : undefined;
    const step = indentStepFor(this.source, map, parentKeyColumn, this.style);
    return { step, sequenceOffset: sequenceOffsetFor(this.source, map, this.style, step) };
  }

  private layoutForSeqHolder(seqInfo: NodeInfo): BlockLayout {
    const holder = seqInfo.holder;
    if (holder.kind === "pair" && !isFlow(holder.map)) return this.layoutForMap(holder.map, holder.parent);
    const step = this.style.indentStep;
    return { step, sequenceOffset: this.style.sequenceOffset ?? step };
  }

  // -------------------------------------------------------------------------------------------
  // Primitive edits

  private replace(start: number, end: number, text: string, depth: number): void {
    if (start === end && text === "") return;
    this.edits.push({ start, end, text: this.keepCommentSeparated(start, end, text), depth });
  }

  /** `#` starts a comment only after whitespace: an edit must not glue a comment to the text before it. */
  private keepCommentSeparated(start: number, end: number, text: string): string {
    const source = this.source.text;
    if (source[end] !== "#" || /\s$/.test(text)) return text;
    const before = text !== "" ? text : source[start - 1];
    return before === undefined || /\s$/.test(before) ? text : `${text} `;
  }

  private remove(extent: { start: number; end: number }, depth: number): void {
    this.replace(extent.start, extent.end, "", depth);
  }

  /** Inserts whole lines at a line start; at the end of a file without final newline, adds one before. */
  private insertLines(at: number, lines: readonly string[], depth: number): void {
    if (lines.length === 0) return;
    const eol = this.style.eol;
    if (!this.source.isAtLineStart(at) && at !== this.source.length) throw new EmitError("line insertion point is mid-line");
    const text = this.source.isAtLineStart(at) ? lines.map((line) => line + eol).join("") : eol + lines.join(eol);
    this.replace(at, at, text, depth);
  }
}

function isEmptyPending(node: NewNode | undefined): boolean {
  if (!node) return true;
  if (node.kind === "map") return node.entries.size === 0;
  if (node.kind === "seq") return node.items.length === 0;
  return false;
}

