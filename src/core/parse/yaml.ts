// Multi-document YAML/JSON parsing that keeps every node's source range, so findings
// carry exact lines and fixes can splice the original text (never re-serialise it).
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from "yaml";
import type { Document, Node, Pair, YAMLMap, YAMLSeq } from "yaml";
import type { Range } from "../types.js";
import { LineIndex } from "./positions.js";
import type { Path } from "../fix/ops.js";

export interface ParseProblem {
  message: string;
  range: Range;
  /** "error": the document could not be read; "limit": a safety limit stopped it. */
  kind: "error" | "limit";
}

export interface YamlDoc {
  index: number;
  doc: Document.Parsed;
  /** Plain data of the document, or undefined when it could not be built safely. */
  value: unknown;
  problems: ParseProblem[];
}

export interface YamlFile {
  path: string;
  text: string;
  lines: LineIndex;
  docs: YamlDoc[];
}

export interface YamlLimits {
  /** Alias expansions allowed per document before it is treated as an alias bomb. */
  maxAliasCount: number;
  maxDocuments: number;
  /**
   * Keep the CST tokens on the nodes (default true): byte-preserving fixes need them; detection
   * alone does not, and they are most of a parsed document's memory.
   */
  keepSourceTokens?: boolean;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = { maxAliasCount: 100, maxDocuments: 1000 };

export function parseYamlFile(path: string, text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): YamlFile {
  const lines = new LineIndex(text);
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, keepSourceTokens: limits.keepSourceTokens ?? true, uniqueKeys: true, prettyErrors: false });
  const list = Array.isArray(parsed) ? parsed : [];
  const docs: YamlDoc[] = [];
  for (const [index, doc] of list.entries()) {
    if (index >= limits.maxDocuments) {
      const start = doc.range?.[0] ?? 0;
      docs.push({
        index,
        doc,
        value: undefined,
        problems: [{ kind: "limit", message: `more than ${limits.maxDocuments} documents in one file; the rest were not scanned`, range: lines.range(start, start) }],
      });
      break;
    }
    docs.push(readDoc(index, doc, lines, limits));
  }
  return { path, text, lines, docs };
}

function readDoc(index: number, doc: Document.Parsed, lines: LineIndex, limits: YamlLimits): YamlDoc {
  const problems: ParseProblem[] = doc.errors.map((e) => ({
    kind: "error" as const,
    message: cleanYamlMessage(e.message),
    range: lines.range(e.pos[0], e.pos[1]),
  }));
  if (problems.length > 0) return { index, doc, value: undefined, problems };
  try {
    return { index, doc, value: doc.toJS({ maxAliasCount: limits.maxAliasCount }), problems };
  } catch (err) {
    const start = doc.range?.[0] ?? 0;
    const message = err instanceof Error ? err.message : String(err);
    const bomb = /alias count/i.test(message);
    return {
      index,
      doc,
      value: undefined,
      problems: [
        {
          kind: bomb ? "limit" : "error",
          message: bomb ? `too many alias expansions (more than ${limits.maxAliasCount}): possible alias bomb, document not scanned` : message,
          range: lines.range(start, start),
        },
      ],
    };
  }
}

function cleanYamlMessage(message: string): string {
  return message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}

export interface NodeLocation {
  /** The node at the path (value node), when the whole path exists. */
  node?: Node;
  /** The pair whose value is `node` (absent for sequence items and the root). */
  pair?: Pair;
  /** How many path segments resolved. */
  depth: number;
  /** Deepest existing node and its pair along the path. */
  deepest: { node: Node; pair?: Pair; depth: number };
}

function keyOf(pair: Pair): unknown {
  return isScalar(pair.key) ? pair.key.value : pair.key;
}

export function findPair(map: YAMLMap, key: string): Pair | undefined {
  for (const item of map.items) if (isPair(item) && String(keyOf(item)) === key) return item as Pair;
  return undefined;
}

/** Walk `path` through the document's node tree (no alias resolution: aliases stop the walk). */
export function locateNode(doc: Document.Parsed, path: Path): NodeLocation {
  let node = doc.contents as Node | null;
  let pair: Pair | undefined;
  if (!node) return { depth: 0, deepest: { node: doc as unknown as Node, depth: 0 } };
  let deepest: NodeLocation["deepest"] = { node, depth: 0 };
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    let next: Node | null | undefined;
    let nextPair: Pair | undefined;
    if (isMap(node) && typeof seg === "string") {
      nextPair = findPair(node, seg);
      next = (nextPair?.value as Node | null | undefined) ?? undefined;
      if (nextPair && next === undefined) {
        // `key:` with no value: the pair exists, the value is null.
        return { pair: nextPair, depth: i + 1, deepest: { node: nextPair.key as Node, pair: nextPair, depth: i + 1 } };
      }
    } else if (isSeq(node) && typeof seg === "number") {
      next = (node as YAMLSeq).items[seg] as Node | undefined;
      nextPair = undefined;
    }
    if (!next) return { depth: i, deepest };
    node = next;
    pair = nextPair;
    deepest = { node, pair, depth: i + 1 };
  }
  return { node, pair, depth: path.length, deepest };
}

/** Source range of a located node: the key and (scalar) value, or just the key line for collections. */
export function nodeRange(lines: LineIndex, node: Node, pair?: Pair): Range {
  const keyNode = pair && isScalar(pair.key) ? pair.key : undefined;
  const start = keyNode?.range?.[0] ?? node.range?.[0] ?? 0;
  if (isScalar(node)) return lines.range(start, node.range?.[1] ?? start);
  if (keyNode?.range) return lines.range(start, keyNode.range[1]);
  if (isMap(node) && node.items.length > 0) {
    // A mapping that is a sequence item (`- name: app`): point at its first key line.
    const first = node.items[0];
    if (isPair(first) && isScalar(first.key) && first.key.range) {
      const v = first.value;
      const end = isScalar(v) && v.range ? v.range[1] : first.key.range[1];
      return lines.range(first.key.range[0], end);
    }
  }
  const end = node.range?.[1] ?? start;
  const endLine = lines.position(end).line;
  return lines.position(start).line === endLine ? lines.range(start, end) : lines.range(start, lines.offset(lines.position(start).line + 1) - 1);
}

/** Start offsets of every node along the path (used by suppression comments on ancestors). */
export function ancestorStarts(doc: Document.Parsed, path: Path): number[] {
  const starts: number[] = [];
  let node = doc.contents as Node | null;
  if (!node) return starts;
  if (node.range) starts.push(node.range[0]);
  for (const seg of path) {
    if (isMap(node) && typeof seg === "string") {
      const p = findPair(node, seg);
      if (!p) break;
      if (isScalar(p.key) && p.key.range) starts.push(p.key.range[0]);
      node = p.value as Node | null;
    } else if (isSeq(node) && typeof seg === "number") {
      node = (node as YAMLSeq).items[seg] as Node | null;
      if (node?.range) starts.push(node.range[0]);
    } else break;
    if (!node) break;
  }
  return starts;
}
