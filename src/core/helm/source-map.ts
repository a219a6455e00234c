// Mapping `helm template` output back to the chart: which template produced a rendered
// document (`# Source:` headers), which template line sets a rendered field, and which
// `.Values` key that line reads.
//
// Approach: templates are read as YAML-shaped text. Every literal `key:` line gets a key path
// from its indentation (sequence items become "[]"), and its value is classified: a literal, a
// scalar read from `.Values.x.y` (`{{ .Values.x.y }}`, `| default …`, `| quote`, `default …
// .Values.x.y`), or a whole subtree from `.Values.x` (`{{- toYaml .Values.x | nindent N }}` on
// the key line or the lines right after it, with `.`/`.field` resolved through enclosing
// `with` blocks). A rendered field path is matched against those key paths, longest prefix
// first. What this cannot follow (helpers from _helpers.tpl, `tpl`, computed values, range
// variables) maps to the template line, never to a guessed values key.
import type { Path } from "../fix/ops.js";
import { templateLines } from "./template.js";
import type { OpenBlock, TemplateAction } from "./template.js";

export interface RenderedSource {
  /** The `# Source:` path as helm prints it: `<chart>/templates/<file>` or `<chart>/charts/<sub>/templates/<file>`. */
  source: string;
  /** Offset of the header line. */
  offset: number;
}

const SOURCE_HEADER = /^# Source: (.+?)\s*$/gm;

/** Every `# Source:` header of a rendered stream, in order. */
export function sourceHeaders(rendered: string): RenderedSource[] {
  const out: RenderedSource[] = [];
  for (const m of rendered.matchAll(SOURCE_HEADER)) out.push({ source: m[1], offset: m.index ?? 0 });
  return out;
}

/** The header that introduces the document whose content starts at `contentStart` (the last one before it). */
export function sourceFor(headers: readonly RenderedSource[], contentStart: number, docStart: number): string | undefined {
  let found: string | undefined;
  for (const h of headers) {
    if (h.offset > contentStart) break;
    if (h.offset >= docStart) found = h.source;
  }
  return found;
}

/** Repo path of a `# Source:` path, given the chart's name and directory. */
export function sourceToPath(source: string, chartName: string, root: string): string | undefined {
  const prefix = `${chartName}/`;
  if (!source.startsWith(prefix)) return undefined;
  const rel = source.slice(prefix.length);
  return root ? `${root}/${rel}` : rel;
}

export type ValueOrigin =
  /** The value is read from `.Values` at `path`; `direct` when the rendered value IS the values value (a fix may set it). */
  | { kind: "values"; path: Path; direct: boolean; expr: string }
  /** The value comes from something Bulwark does not follow (a helper, `tpl`, a range variable). */
  | { kind: "opaque"; expr: string };

export interface TemplateKeyLine {
  line: number;
  /** Offsets of the line's text (indentation excluded) in the template. */
  start: number;
  end: number;
  /** Key path from the document root; sequence items are "[]". */
  path: string[];
  /** Where the scalar value of this key comes from; undefined for a literal or an empty value. */
  value?: ValueOrigin;
  /** Where the whole subtree under this key comes from (`toYaml`/`include` under it). */
  subtree?: ValueOrigin;
  /** The literal value text, when the value has no action. */
  literal?: string;
  /** Lines of the sequence items this key is in (outermost first): tells list items apart. */
  items: number[];
  /** This entry is a sequence item (`- …`) itself; its path ends with "[]". */
  item?: boolean;
}

export interface TemplateMap {
  keys: TemplateKeyLine[];
}

const PIPE_PASSTHROUGH = /^(?:quote|squote|toString|toYaml|toJson|toPrettyJson|int|int64|float64|toStrings|trim|nindent\s+\d+|indent\s+\d+|default\s+.+)$/;
const VALUES_REF = /(^|[\s(|])(\$?)\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)*)/;

/** Resolves `.`/`.a.b` inside `with` blocks (innermost first) to a `.Values` path. */
function resolveDot(ref: string, blocks: readonly OpenBlock[]): Path | undefined {
  const rest = ref === "." ? [] : ref.slice(1).split(".");
  for (let i = blocks.length - 1; i >= 0; i--) {
    const b = blocks[i];
    if (b.kind === "range" || b.kind === "define") return undefined; // `.` is an element or the helper's argument
    if (b.kind !== "with") continue;
    const inner = withTarget(b.arg, blocks.slice(0, i));
    return inner ? [...inner, ...rest] : undefined;
  }
  return undefined; // `.` at the top is the root context, not a values key
}

/** What a `with` block sets `.` to, as a values path. */
function withTarget(arg: string, outer: readonly OpenBlock[]): Path | undefined {
  const a = arg.trim();
  const m = /^\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)*)$/.exec(a);
  if (m) return m[1] ? m[1].slice(1).split(".") : [];
  if (/^\.[A-Za-z_][A-Za-z0-9_.]*$/.test(a)) return resolveDot(a, outer);
  return undefined;
}

/** Classifies an action body that produces a key's value. */
export function originOf(body: string, blocks: readonly OpenBlock[]): ValueOrigin | undefined {
  const expr = body.trim();
  if (expr === "" || /^(?:if|else|end|with|range|define|block|template)\b/.test(expr)) return undefined;
  if (/^(?:include|tpl)\b/.test(expr) || /\|\s*tpl\b/.test(expr)) {
    // A helper fed one values key (Bitnami's renderSecurityContext with .Values.containerSecurityContext)
    // still renders from that key: point there, without a fix.
    const refs = [...expr.matchAll(new RegExp(VALUES_REF.source, "g"))];
    if (refs.length === 1) return { kind: "values", path: refs[0][3] ? refs[0][3].slice(1).split(".") : [], direct: false, expr };
    return { kind: "opaque", expr };
  }
  const omit = /^omit\s+(\$?\.Values(?:\.[A-Za-z_][A-Za-z0-9_]*)+)(?:\s+"[^"]*")+\s*\|\s*toYaml(?:\s*\|\s*n?indent\s+\d+)?$/.exec(expr);
  // `omit .Values.x "enabled" | toYaml`: every other field of x renders as is.
  if (omit) return { kind: "values", path: omit[1].replace(/^\$/, "").split(".").slice(2), direct: true, expr };
  const cmds = expr.split("|").map((c) => c.trim());
  const head = cmds[0];
  const passthrough = cmds.slice(1).every((c) => PIPE_PASSTHROUGH.test(c));
  let path: Path | undefined;
  let m = /^(?:toYaml\s+)?(\$?\.Values(?:\.[A-Za-z_][A-Za-z0-9_]*)*)$/.exec(head) ?? /^default\s+\S+\s+(\$?\.Values(?:\.[A-Za-z_][A-Za-z0-9_]*)*)$/.exec(head);
  if (m) {
    path = m[1].replace(/^\$/, "").split(".").slice(2);
  } else if ((m = /^(?:toYaml\s+)?(\.(?:[A-Za-z_][A-Za-z0-9_.]*)?)$/.exec(head) ?? /^default\s+\S+\s+(\.(?:[A-Za-z_][A-Za-z0-9_.]*)?)$/.exec(head))) {
    path = resolveDot(m[1], blocks);
    // .Release, .Chart, .Capabilities … at the top level are helm's, not the user's.
    if (!path) return /^\.(?:Release|Chart|Capabilities|Template|Files)\b/.test(m[1]) && !blocks.some((b) => b.kind === "with" || b.kind === "range") ? undefined : { kind: "opaque", expr };
  } else {
    const ref = VALUES_REF.exec(expr);
    if (ref) return { kind: "values", path: ref[3] ? ref[3].slice(1).split(".") : [], direct: false, expr };
    return /\.Release|\.Chart|\.Capabilities|\.Template|\$/.test(expr) || /^"/.test(expr) ? undefined : { kind: "opaque", expr };
  }
  return { kind: "values", path: path!, direct: passthrough, expr };
}

const KEY_LINE = /^(\s*)((?:-\s+)*)((?:"[^"]*"|'[^']*'|[^\s#"'{:][^:#]*?))\s*:(?:\s+(.*?))?\s*$/;

interface StackEntry {
  col: number;
  seg: string;
  item: boolean;
  line: number;
}

/** Key paths and value origins of every literal key line of a template. */
export function mapTemplate(text: string): TemplateMap {
  const keys: TemplateKeyLine[] = [];
  const stack: StackEntry[] = [];
  let lastKey: TemplateKeyLine | undefined;
  let scalarIndent = -1;
  for (const l of templateLines(text)) {
    const masked = l.masked;
    const trimmed = masked.trim();
    const actions = l.actions.filter((a) => !a.comment);
    if (trimmed === "" || trimmed.startsWith("#")) {
      // An action-only line right under an empty key provides that key's subtree.
      if (trimmed === "" && lastKey && !lastKey.value && !lastKey.literal && !lastKey.subtree) {
        const origin = subtreeOrigin(actions, l.blocks);
        if (origin) lastKey.subtree = origin;
      }
      continue;
    }
    const indent = masked.length - masked.trimStart().length;
    if (scalarIndent >= 0) {
      if (indent > scalarIndent) continue;
      scalarIndent = -1;
    }
    if (/^\s*---\s*$/.test(masked)) {
      stack.length = 0;
      lastKey = undefined;
      continue;
    }
    let col = indent;
    let rest = masked.slice(indent);
    // Sequence markers: each "- " opens an item at its column.
    while (rest.startsWith("- ") || rest === "-") {
      popTo(stack, col, true);
      stack.push({ col, seg: "[]", item: true, line: l.line });
      const itemEntry: TemplateKeyLine = { line: l.line, start: l.start + col, end: l.start + l.raw.length, path: stack.map((s) => s.seg), items: itemLines(stack), item: true };
      keys.push(itemEntry);
      const after = rest.slice(1);
      const spaces = after.length - after.trimStart().length;
      col += 1 + spaces;
      rest = after.trimStart();
      if (rest === "") break;
    }
    const km = KEY_LINE.exec(" ".repeat(col) + rest);
    if (!km || rest === "") {
      lastKey = undefined;
      continue;
    }
    const key = km[3].replace(/^["']|["']$/g, "");
    popTo(stack, col, false);
    const path = [...stack.map((s) => s.seg), key];
    stack.push({ col, seg: key, item: false, line: l.line });
    const valueStart = l.start + indent;
    const entry: TemplateKeyLine = { line: l.line, start: valueStart, end: l.start + l.raw.length, path, items: itemLines(stack) };
    const colonAt = masked.indexOf(":", col + km[3].length);
    const valueActions = actions.filter((a) => a.start >= l.start + colonAt);
    const literal = (km[4] ?? "").replace(/#.*$/, "").trim();
    if (/^[|>][-+0-9]*$/.test(literal)) {
      scalarIndent = col;
    } else if (valueActions.length > 0 && literal === "") {
      const origin = valueActions.length === 1 ? originOf(valueActions[0].body, l.blocks) : undefined;
      // `key: {{- toYaml .Values.x | nindent 4 }}`: a subtree; `key: {{ .Values.x }}`: a scalar.
      if (origin && /\b(?:nindent|indent)\b|^(?:toYaml|include)\b/.test(valueActions[0].body)) entry.subtree = origin;
      else if (origin) entry.value = origin;
      else if (valueActions.length > 1) {
        const refs = valueActions.map((a) => originOf(a.body, l.blocks)).filter((o): o is ValueOrigin => o !== undefined);
        if (refs.length > 0) entry.value = combine(refs);
      }
    } else if (valueActions.length > 0) {
      // Text and actions mixed ("{{ .Values.image.repository }}:{{ .Values.image.tag }}").
      const refs = valueActions.map((a) => originOf(a.body, l.blocks)).filter((o): o is ValueOrigin => o !== undefined);
      if (refs.length > 0) entry.value = combine(refs);
      else entry.literal = literal;
    } else if (literal !== "") entry.literal = literal;
    keys.push(entry);
    lastKey = entry;
  }
  return { keys };
}

/**
 * A value built from several actions ("{{ .Values.image.repository }}:{{ .Values.image.tag }}")
 * is derived, never directly settable: it points at the values keys' common parent.
 */
function combine(refs: readonly ValueOrigin[]): ValueOrigin {
  const values = refs.filter((r): r is Extract<ValueOrigin, { kind: "values" }> => r.kind === "values");
  if (values.length === 0) return refs[0];
  let common: Path = values[0].path;
  for (const v of values.slice(1)) {
    let i = 0;
    while (i < common.length && i < v.path.length && common[i] === v.path[i]) i++;
    common = common.slice(0, i);
  }
  return { kind: "values", path: common.length > 0 ? common : values[0].path, direct: false, expr: values.map((v) => v.expr).join(" … ") };
}

function itemLines(stack: readonly StackEntry[]): number[] {
  return stack.filter((s) => s.item).map((s) => s.line);
}

function popTo(stack: StackEntry[], col: number, forItem: boolean): void {
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.col > col) stack.pop();
    else if (top.col === col && (top.item || !forItem)) stack.pop();
    else break;
  }
}

function subtreeOrigin(actions: readonly TemplateAction[], blocks: readonly OpenBlock[]): ValueOrigin | undefined {
  for (const a of actions) {
    if (!/\b(?:toYaml|include|tpl)\b|\|\s*(?:nindent|indent)\b/.test(a.body)) continue;
    const o = originOf(a.body, blocks);
    if (o) return o;
  }
  return undefined;
}

export type FieldOrigin =
  /** The rendered field comes from the values file at `valuesPath` through template line `line`. */
  | { kind: "values"; valuesPath: Path; direct: boolean; line: TemplateKeyLine; via: "scalar" | "subtree" }
  /** The field is written in the template (literally, or by something Bulwark does not follow), at `line`. */
  | { kind: "template"; line: TemplateKeyLine; exact: boolean; opaque?: string };

function normalise(path: Path): string[] {
  return path.map((s) => (typeof s === "number" ? "[]" : s));
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/**
 * Where a rendered field comes from. `path` is the field's path in the rendered object
 * (numbers for list indices) and `rendered` that object's data. List items are matched by
 * their `name` when the template writes it literally (containers, ports, volumes), else by
 * position; then key paths are matched longest prefix first.
 */
export function originOfField(map: TemplateMap, path: Path, rendered?: unknown): FieldOrigin | undefined {
  const norm = normalise(path);
  const chosen = chooseItems(map, path, norm, rendered);
  for (let n = norm.length; n > 0; n--) {
    const prefix = norm.slice(0, n);
    const levels = path.slice(0, n).filter((s) => typeof s === "number").length;
    if (chosen.slice(0, levels).some((c) => c === undefined) || chosen.length < levels) continue;
    const line = map.keys.find((k) => samePath(k.path, prefix) && k.items.slice(0, levels).every((it, i) => it === chosen[i]));
    if (!line) continue;
    const remainder = path.slice(n);
    if (n === norm.length && line.value) {
      if (line.value.kind === "values") return { kind: "values", valuesPath: line.value.path, direct: line.value.direct, line, via: "scalar" };
      return { kind: "template", line, exact: true, opaque: line.value.expr };
    }
    if (line.subtree) {
      if (line.subtree.kind === "values") return { kind: "values", valuesPath: [...line.subtree.path, ...remainder], direct: line.subtree.direct, line, via: "subtree" };
      return { kind: "template", line, exact: n === norm.length, opaque: line.subtree.expr };
    }
    if (line.value && line.value.kind === "opaque") return { kind: "template", line, exact: false, opaque: line.value.expr };
    return { kind: "template", line, exact: n === norm.length };
  }
  return undefined;
}

/** For each list index in `path`, the template item (its line) that produced it; undefined when none did. */
function chooseItems(map: TemplateMap, path: Path, norm: readonly string[], rendered: unknown): (number | undefined)[] {
  const chosen: (number | undefined)[] = [];
  for (let j = 0; j < path.length; j++) {
    const seg = path[j];
    if (typeof seg !== "number") continue;
    if (chosen.some((c) => c === undefined)) {
      chosen.push(undefined);
      continue;
    }
    const prefix = norm.slice(0, j + 1);
    const level = chosen.length;
    const items = map.keys
      .filter((k) => k.item && samePath(k.path, prefix) && k.items.slice(0, level).every((it, i) => it === chosen[i]))
      .sort((a, b) => a.line - b.line);
    const name = itemName(rendered, path.slice(0, j + 1));
    const byName = name === undefined ? undefined : items.find((it) => literalName(map, it) === name);
    chosen.push((byName ?? items[seg])?.line);
  }
  return chosen;
}

function itemName(rendered: unknown, path: Path): string | undefined {
  let cur = rendered;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  const name = cur !== null && typeof cur === "object" && !Array.isArray(cur) ? (cur as Record<string, unknown>).name : undefined;
  return typeof name === "string" ? name : undefined;
}

function literalName(map: TemplateMap, item: TemplateKeyLine): string | undefined {
  const key = map.keys.find((k) => !k.item && k.path.length === item.path.length + 1 && k.path[k.path.length - 1] === "name" && k.items[k.items.length - 1] === item.line && samePath(k.path.slice(0, -1), item.path));
  return key?.literal?.replace(/^["']|["']$/g, "");
}
