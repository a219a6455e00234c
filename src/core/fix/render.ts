// Text for NewNodes. Block output is returned as lines WITHOUT terminators, already indented,
// so the caller decides where line breaks go (CRLF files, a last line without newline).
import type { NewMap, NewNode, NewSeq } from "./pending.js";
import { renderScalar, type FileStyle } from "./style.js";
import { spaces } from "./text.js";

export interface BlockLayout {
  /** Columns a nested mapping is indented by, relative to its key. */
  step: number;
  /** Dash column of a nested block sequence, relative to its key (0 = flush). */
  sequenceOffset: number;
}

export function renderFlow(node: NewNode, style: FileStyle): string {
  switch (node.kind) {
    case "scalar":
      return renderScalar(node.value, "flow", style);
    case "map": {
      const parts = [...node.entries].map(([key, value]) => `${renderKey(key, "flow", style)}: ${renderFlow(value, style)}`);
      return wrapFlow("{", "}", parts, style.flowMapPadded);
    }
    case "seq":
      return wrapFlow("[", "]", node.items.map((item) => renderFlow(item, style)), style.flowSeqPadded);
  }
}

function wrapFlow(open: string, close: string, parts: string[], padded: boolean): string {
  if (parts.length === 0) return open + close;
  const inner = parts.join(", ");
  return padded ? `${open} ${inner} ${close}` : `${open}${inner}${close}`;
}

export function renderKey(key: string, context: "block" | "flow", style: FileStyle): string {
  return renderScalar(key, context, style);
}

/** Text written after `key:` on the same line for values that stay on that line. */
export function inlineValue(node: NewNode, style: FileStyle): string | undefined {
  if (node.kind === "scalar") return renderScalar(node.value, "block", style);
  if (node.kind === "map" && node.entries.size === 0) return "{}";
  if (node.kind === "seq" && node.items.length === 0) return "[]";
  return undefined;
}

/** `key: value` (or `key:` followed by nested lines) with the key at `column`. */
export function renderBlockEntry(key: string, value: NewNode, column: number, layout: BlockLayout, style: FileStyle): string[] {
  const head = `${spaces(column)}${renderKey(key, "block", style)}:`;
  const inline = inlineValue(value, style);
  if (inline !== undefined) return [`${head} ${inline}`];
  return [head, ...renderBlockChildren(value as NewMap | NewSeq, column, layout, style)];
}

/** Lines for the contents of a non-empty collection that belongs to a key at `keyColumn`. */
export function renderBlockChildren(value: NewMap | NewSeq, keyColumn: number, layout: BlockLayout, style: FileStyle): string[] {
  if (value.kind === "map") return renderBlockMapEntries(value, keyColumn + layout.step, layout, style);
  return renderBlockSeqItems(value.items, keyColumn + layout.sequenceOffset, layout, style);
}

export function renderBlockMapEntries(map: NewMap, column: number, layout: BlockLayout, style: FileStyle): string[] {
  const lines: string[] = [];
  for (const [key, value] of map.entries) lines.push(...renderBlockEntry(key, value, column, layout, style));
  return lines;
}

export function renderBlockSeqItems(items: readonly NewNode[], dashColumn: number, layout: BlockLayout, style: FileStyle): string[] {
  const lines: string[] = [];
  const dash = `${spaces(dashColumn)}- `;
  for (const item of items) {
    if (item.kind === "map" && item.entries.size > 0) {
      // Compact form `- key: v` with following keys at the item's content column.
      const entries = renderBlockMapEntries(item, dashColumn + 2, layout, style);
      lines.push(dash + entries[0]!.slice(dashColumn + 2), ...entries.slice(1));
    } else if (item.kind === "seq" && item.items.length > 0) {
      // Nested block sequences (`- - x`) are legal but rare and easy to misread; write flow.
      lines.push(dash + renderFlow(item, style));
    } else {
      lines.push(dash + inlineValue(item, style)!);
    }
  }
  return lines;
}

/** Block mapping whose first line continues an existing line (after `- `): no leading indent. */
export function renderCompactMap(map: NewMap, column: number, layout: BlockLayout, style: FileStyle): string[] {
  const lines = renderBlockMapEntries(map, column, layout, style);
  if (lines.length > 0) lines[0] = lines[0]!.slice(column);
  return lines;
}
