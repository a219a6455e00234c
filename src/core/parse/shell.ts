// Shell commands of Dockerfile RUN instructions, parsed with mvdan-sh (the Go shell parser
// compiled to JS by GopherJS) and mapped back to offsets in the ORIGINAL Dockerfile text, so
// that rules can point at a command and fixes can insert flags at exact word boundaries.
//
// What shapes this module:
// - RUN text is not shell text: Docker joins escaped newlines, drops comment lines inside
//   them and hands heredoc bodies to the shell. We rebuild what the shell sees and keep a
//   per-character map back to the Dockerfile.
// - mvdan-sh's public JS API externalises every Go value on each property access (50–130 µs
//   each, measured), which would make a Dockerfile scan take tens of milliseconds. We read
//   the GopherJS objects behind `__internal_object__` instead (≈1 µs), which ties us to the
//   pinned mvdan-sh 0.10.1 layout. A self-check at first use verifies that layout; if it ever
//   fails, every script goes through the conservative tokenizer instead.
// - Even so, mvdan-sh needs ~150 µs per statement. Most RUN lines are plain words joined by
//   `&&`, `|` and `;`, which split only one way: those take a fast path (checked against
//   mvdan-sh in the tests) and the 1.5 MB GopherJS module is not even loaded for them.
// - A syntax error must never fail a scan: the conservative tokenizer splits on operators,
//   keeps quoted strings together and marks everything as not editable.
// @ts-expect-error -- mvdan-sh ships no type declarations; MvdanSh below is the typed facade.
import mvdan from "mvdan-sh";
import type { DockerfileModel, DockerInstruction } from "./dockerfile.js";

// ---------------------------------------------------------------------------------------
// Public model

export interface ShellWord {
  /** Value as the command receives it (quotes removed) when `literal`; otherwise the source text. */
  value: string;
  /** No parameter expansion or command substitution decides the value at run time. */
  literal: boolean;
  /** Offsets into the original (Dockerfile) text. */
  start: number;
  end: number;
}

export interface ShellAssign {
  name: string;
  /** Undefined for a bare name (`export FOO`). */
  value?: ShellWord;
  start: number;
  end: number;
}

/**
 * top: a statement of the script itself (also inside && / || lists and pipelines);
 * nested: inside if/for/while/case, `{ …; }`, `( … )` or a function;
 * cmdsubst: inside `$(…)` or backquotes; procsubst: inside `<(…)` / `>(…)`;
 * script: a script run by a nested shell (`sh -c '…'`, `bash <<EOF`).
 */
export type ShellContext = "top" | "nested" | "cmdsubst" | "procsubst" | "script";

export interface ShellCommand {
  argv: ShellWord[];
  /** `NAME=value` prefixes, and the arguments of `export` / `declare` / `local` / `readonly`. */
  assigns: ShellAssign[];
  /** Basename of argv[0] (`/usr/bin/apt-get` → `apt-get`); "" when argv[0] is not literal. */
  name: string;
  start: number;
  end: number;
  context: ShellContext;
  /** 0 for the RUN's own script; +1 per substitution or nested shell. */
  depth: number;
  /** The command whose argument holds this command's substitution, or the shell running its script. */
  parent?: ShellCommand;
  /** Index in `parent.argv` of that argument (-1: an assignment value, a redirection or a heredoc). */
  parentArg?: number;
  pipeline?: ShellPipeline;
  /** Position of this command's element in its pipeline. */
  pipeIndex?: number;
  /** Which script the command belongs to: 0 is the RUN's own script, nested shells get their own id. */
  scriptId: number;
  /** Index of the top-level statement of that script that contains the command (for "set … before"). */
  statement: number;
  /** Text can be inserted at this command's word boundaries (exact offsets, shell-form or heredoc text). */
  editable: boolean;
}

export interface ShellPipeline {
  commands: ShellCommand[];
  /** Number of elements (`a | b | c` → 3). */
  length: number;
  start: number;
  end: number;
  context: ShellContext;
  scriptId: number;
  statement: number;
}

export interface ShellScript {
  commands: ShellCommand[];
  /** Pipelines with at least two elements. */
  pipelines: ShellPipeline[];
  /**
   * mvdan-sh: the real parser. simple: nothing to parse (exec-form argv, a non-shell heredoc)
   * or a script of plain words and `&&`, `||`, `|`, `;` only, split without mvdan-sh (same
   * result, ~25x faster measured). fallback: the conservative tokenizer after a syntax error
   * or for a non-POSIX shell (nothing editable).
   */
  parser: "mvdan-sh" | "simple" | "fallback";
  /** The shell syntax error that made us fall back. */
  error?: string;
  /** Original offset right after the last top-level statement: where `&& next` can be appended. */
  appendAt?: number;
}

export interface AppendPoint {
  at: number;
  /** inline `a && b`; leading `\⏎  && b`; trailing `&& \⏎  b`; line: a new line in a heredoc script. */
  style: "inline" | "leading" | "trailing" | "line";
  indent: string;
  newline: string;
  escape: string;
}

export interface RunScript extends ShellScript {
  /** shell: shell form; exec: JSON form; heredoc: `RUN <<EOF` whose body is the script. */
  form: "shell" | "exec" | "heredoc";
  /** Exec form that is really a shell script (`["sh", "-c", "…"]`): the shell's argv before the script. */
  execShell?: string[];
  append?: AppendPoint;
}

export const SHELL_NAMES: ReadonlySet<string> = new Set(["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"]);

// ---------------------------------------------------------------------------------------
// Source text with a map back to the original

/**
 * Text the shell sees, with map[i] = original offset of character i (map[length] = end).
 * A character that stands for an escape sequence (`\"` in JSON or in double quotes) starts
 * at the sequence and ends after it (`ends`), so word spans cover what was written.
 */
class MappedText {
  private byteToIndex?: Int32Array;

  constructor(
    readonly text: string,
    readonly map: readonly number[],
    private readonly ends?: readonly number[],
  ) {}

  static identity(text: string, base = 0): MappedText {
    const map = new Array<number>(text.length + 1);
    for (let i = 0; i <= text.length; i++) map[i] = base + i;
    return new MappedText(text, map);
  }

  /** Original offset of the character at index i. */
  orig(i: number): number {
    return this.map[Math.max(0, Math.min(i, this.map.length - 1))];
  }

  /** Original offset just after the character before index i (an exclusive end). */
  origEnd(i: number): number {
    if (i <= 0) return this.orig(0);
    const k = Math.min(i, this.map.length - 1) - 1;
    return this.ends ? this.ends[k] : this.map[k] + 1;
  }

  /** mvdan-sh reports UTF-8 byte offsets; our text is UTF-16. */
  index(byteOffset: number): number {
    if (!this.byteToIndex) {
      // eslint-disable-next-line no-control-regex
      if (/^[\x00-\x7f]*$/.test(this.text)) return byteOffset;
      const bytes = Buffer.byteLength(this.text, "utf8");
      const table = new Int32Array(bytes + 1);
      let b = 0;
      for (let i = 0; i < this.text.length; i++) {
        const cp = this.text.codePointAt(i)!;
        const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        for (let k = 0; k < n; k++) table[b + k] = i;
        b += n;
        if (cp >= 0x10000) i++;
      }
      table[bytes] = this.text.length;
      this.byteToIndex = table;
    }
    return this.byteToIndex[Math.max(0, Math.min(byteOffset, this.byteToIndex.length - 1))];
  }

  /**
   * A sub-text made of the characters at `indices`; `from[k]` (default indices[k]) is where the
   * k-th character's source starts, for characters that stand for an escape sequence.
   */
  derive(indices: readonly number[], from?: readonly number[]): MappedText {
    const text = indices.map((i) => this.text[i]).join("");
    const map = indices.map((i, k) => this.orig(from ? from[k] : i));
    const ends = indices.map((i) => this.origEnd(i + 1));
    map.push(indices.length > 0 ? ends[ends.length - 1] : this.orig(0));
    return new MappedText(text, map, ends);
  }
}

// ---------------------------------------------------------------------------------------
// The typed facade over mvdan-sh's GopherJS objects

interface GoPos {
  offs: number;
  lineCol: number;
}
interface GoSlice {
  $array: unknown[];
  $offset: number;
  $length: number;
}
/** A Go struct behind a pointer; fields are plain JS properties, methods live on the prototype. */
interface GoNode {
  constructor: { string?: string; nil?: unknown };
  Pos(): GoPos;
  End(): GoPos;
  [field: string]: unknown;
}
interface GoFile {
  __internal_object__: GoNode;
}
interface GoParser {
  Parse(src: string, name: string): GoFile;
}
interface MvdanSh {
  syntax: { NewParser(): GoParser };
}
interface GoError {
  Error(): string;
}

const sh = mvdan as unknown as MvdanSh;

// mvdan.cc/sh/v3/syntax token values (BinCmdOperator, ProcOperator, RedirOperator).
const OP_AND = 10;
const OP_OR = 11;
const OP_PIPE = 12;
const OP_PIPE_ALL = 13;
const OP_HEREDOC = 61;
const OP_HEREDOC_TABS = 62;

function kind(n: unknown): string {
  if (n === null || typeof n !== "object") return "";
  const c = (n as GoNode).constructor;
  if (!c || typeof c.string !== "string" || c.nil === n) return "";
  return c.string.startsWith("*syntax.") ? c.string.slice(8) : "";
}

function items(s: unknown): GoNode[] {
  const slice = s as GoSlice | null | undefined;
  if (!slice || !Array.isArray(slice.$array) || typeof slice.$length !== "number") return [];
  return slice.$array.slice(slice.$offset, slice.$offset + slice.$length) as GoNode[];
}

function isSlice(v: unknown): v is GoSlice {
  return v !== null && typeof v === "object" && Array.isArray((v as GoSlice).$array) && typeof (v as GoSlice).$length === "number";
}

let parser: GoParser | undefined;
let internalsOk: boolean | undefined;

function getParser(): GoParser | undefined {
  if (internalsOk === false) return undefined;
  try {
    parser ??= sh.syntax.NewParser();
    if (internalsOk === undefined) internalsOk = selfCheck(parser);
    return internalsOk ? parser : undefined;
  } catch {
    internalsOk = false;
    return undefined;
  }
}

/** The layout this module reads must be the one it was written against. */
function selfCheck(p: GoParser): boolean {
  const f = p.Parse("a 'b' | c", "selfcheck").__internal_object__;
  const stmts = items(f.Stmts);
  if (stmts.length !== 1 || kind(stmts[0]) !== "Stmt") return false;
  const bin = stmts[0].Cmd as GoNode;
  if (kind(bin) !== "BinaryCmd" || bin.Op !== OP_PIPE) return false;
  const call = (bin.X as GoNode).Cmd as GoNode;
  const args = items(call.Args);
  return kind(call) === "CallExpr" && args.length === 2 && kind(items(args[1].Parts)[0]) === "SglQuoted" && args[1].End().offs === 5;
}

/** Whether scripts are parsed by mvdan-sh (false: the conservative tokenizer is used for everything). */
export function shellParserAvailable(): boolean {
  return getParser() !== undefined;
}

function errorText(e: unknown): string {
  if (e && typeof (e as GoError).Error === "function") {
    try {
      return String((e as GoError).Error());
    } catch {
      /* fall through */
    }
  }
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------------------------------
// Walking the syntax tree

interface Ctx {
  context: ShellContext;
  depth: number;
  parent?: ShellCommand;
  parentArg?: number;
  scriptId: number;
  statement: number;
  pipeline?: { p: ShellPipeline; index: number };
}

class Walker {
  readonly commands: ShellCommand[] = [];
  readonly pipelines: ShellPipeline[] = [];
  private nextScript = 1;

  constructor(private readonly editable: boolean) {}

  script(src: MappedText, ctx: Ctx): { ok: true; last?: number } | { ok: false; error: string } {
    const p = getParser();
    if (!p) return { ok: false, error: "shell parser unavailable" };
    let file: GoNode;
    try {
      file = p.Parse(src.text, "RUN").__internal_object__;
    } catch (e) {
      return { ok: false, error: errorText(e) };
    }
    const stmts = items(file.Stmts);
    stmts.forEach((s, i) => this.stmt(src, s, { ...ctx, statement: ctx.context === "top" || ctx.context === "script" ? i : ctx.statement }));
    const last = stmts[stmts.length - 1];
    return { ok: true, last: last ? appendPoint(src, last) : undefined };
  }

  private stmts(src: MappedText, list: GoNode[], ctx: Ctx): void {
    for (const s of list) this.stmt(src, s, ctx);
  }

  private stmt(src: MappedText, s: GoNode, ctx: Ctx): void {
    const cmd = s.Cmd as GoNode;
    const k = kind(cmd);
    let call: ShellCommand | undefined;
    if (k === "BinaryCmd" && (cmd.Op === OP_PIPE || cmd.Op === OP_PIPE_ALL) && !ctx.pipeline) {
      const elements: GoNode[] = [];
      flattenPipe(cmd, elements);
      const pipeline: ShellPipeline = {
        commands: [],
        length: elements.length,
        start: src.orig(src.index(cmd.Pos().offs)),
        end: src.origEnd(src.index(cmd.End().offs)),
        context: ctx.context,
        scriptId: ctx.scriptId,
        statement: ctx.statement,
      };
      this.pipelines.push(pipeline);
      elements.forEach((el, index) => this.stmt(src, el, { ...ctx, pipeline: { p: pipeline, index } }));
    } else if (k === "BinaryCmd" && (cmd.Op === OP_PIPE || cmd.Op === OP_PIPE_ALL)) {
      // Only reached when a pipe is nested inside a pipeline element (`{ a | b; } | c`).
      this.stmt(src, cmd.X as GoNode, ctx);
      this.stmt(src, cmd.Y as GoNode, ctx);
    } else if (k === "BinaryCmd" && (cmd.Op === OP_AND || cmd.Op === OP_OR)) {
      this.stmt(src, cmd.X as GoNode, ctx);
      this.stmt(src, cmd.Y as GoNode, ctx);
    } else if (k === "CallExpr") {
      call = this.call(src, cmd, ctx);
    } else if (k === "DeclClause") {
      call = this.decl(src, cmd, ctx);
    } else if (k !== "") {
      this.generic(src, cmd, { ...ctx, context: ctx.context === "top" ? "nested" : ctx.context });
    }
    for (const r of items(s.Redirs)) {
      const word = r.Word as GoNode;
      if (kind(word) === "Word") this.substitutions(src, word, call, -1, ctx);
      const hdoc = r.Hdoc as GoNode;
      if ((r.Op === OP_HEREDOC || r.Op === OP_HEREDOC_TABS) && kind(hdoc) === "Word" && call && readsScriptFromStdin(call)) {
        // Hdoc's span ends after the closing delimiter line; the body stops before that line.
        const hs = src.index(hdoc.Pos().offs);
        const he = src.text.lastIndexOf("\n", src.index(hdoc.End().offs) - 1) + 1;
        const body = src.derive(range(hs, Math.max(hs, he)));
        this.nested(body, call, -1, ctx);
      }
    }
  }

  private call(src: MappedText, c: GoNode, ctx: Ctx): ShellCommand {
    const argv = items(c.Args).map((w) => wordOf(src, w));
    const assigns = items(c.Assigns).map((a) => assignOf(src, a));
    const cmd = this.record(src, c, argv, assigns, ctx);
    items(c.Args).forEach((w, i) => this.substitutions(src, w, cmd, i, ctx));
    for (const a of items(c.Assigns)) if (kind(a.Value) === "Word") this.substitutions(src, a.Value as GoNode, cmd, -1, ctx);
    const script = shellScriptArg(cmd);
    if (script !== undefined) {
      const w = items(c.Args)[script];
      const body = scriptWordText(src, w);
      if (body) this.nested(body, cmd, script, ctx);
    }
    return cmd;
  }

  private decl(src: MappedText, c: GoNode, ctx: Ctx): ShellCommand {
    const variant = c.Variant as GoNode;
    const argv: ShellWord[] = [];
    if (kind(variant) === "Lit") {
      const s = src.index(variant.Pos().offs);
      const e = src.index(variant.End().offs);
      argv.push({ value: src.text.slice(s, e), literal: true, start: src.orig(s), end: src.origEnd(e) });
    }
    const assigns: ShellAssign[] = [];
    for (const a of items(c.Args)) {
      if (kind(a.Name) === "Lit") assigns.push(assignOf(src, a));
      else if (kind(a.Value) === "Word") argv.push(wordOf(src, a.Value as GoNode));
    }
    const cmd = this.record(src, c, argv, assigns, ctx);
    for (const a of items(c.Args)) if (kind(a.Value) === "Word") this.substitutions(src, a.Value as GoNode, cmd, -1, ctx);
    return cmd;
  }

  private record(src: MappedText, c: GoNode, argv: ShellWord[], assigns: ShellAssign[], ctx: Ctx): ShellCommand {
    const cmd: ShellCommand = {
      argv,
      assigns,
      name: argv[0]?.literal ? baseName(argv[0].value) : "",
      start: src.orig(src.index(c.Pos().offs)),
      end: src.origEnd(src.index(c.End().offs)),
      context: ctx.context,
      depth: ctx.depth,
      scriptId: ctx.scriptId,
      statement: ctx.statement,
      editable: this.editable,
    };
    if (ctx.parent) {
      cmd.parent = ctx.parent;
      cmd.parentArg = ctx.parentArg;
    }
    if (ctx.pipeline) {
      cmd.pipeline = ctx.pipeline.p;
      cmd.pipeIndex = ctx.pipeline.index;
      ctx.pipeline.p.commands.push(cmd);
    }
    this.commands.push(cmd);
    return cmd;
  }

  /** `$(…)`, backquotes and `<(…)` inside a word (also inside double quotes). */
  private substitutions(src: MappedText, word: GoNode, owner: ShellCommand | undefined, argIndex: number, ctx: Ctx): void {
    const visit = (parts: GoNode[]) => {
      for (const p of parts) {
        const k = kind(p);
        if (k === "DblQuoted") visit(items(p.Parts));
        else if (k === "CmdSubst" || k === "ProcSubst") {
          const context: ShellContext = k === "CmdSubst" ? "cmdsubst" : "procsubst";
          const inner: Ctx = { context, depth: ctx.depth + 1, scriptId: ctx.scriptId, statement: ctx.statement };
          if (owner) {
            inner.parent = owner;
            inner.parentArg = argIndex;
          }
          this.stmts(src, items(p.Stmts), inner);
        }
      }
    };
    visit(items(word.Parts));
  }

  /** A script run by another shell: its own script id, statements counted from 0. */
  private nested(body: MappedText, shell: ShellCommand, argIndex: number, ctx: Ctx): void {
    const scriptId = this.nextScript++;
    const inner: Ctx = { context: "script", depth: ctx.depth + 1, parent: shell, parentArg: argIndex, scriptId, statement: 0 };
    const r = this.script(body, inner);
    if (!r.ok) fallbackInto(this, body, inner, false);
  }

  /** Compound commands: find statements and words in any field. */
  private generic(src: MappedText, node: GoNode, ctx: Ctx, seen = new Set<unknown>()): void {
    if (seen.has(node)) return;
    seen.add(node);
    for (const key of Object.keys(node)) {
      if (key === "$val") continue;
      const v = node[key];
      const list = isSlice(v) ? items(v) : [v as GoNode];
      for (const child of list) {
        const k = kind(child);
        // A compound pipeline element (`(curl …) | sh`) keeps its pipeline position.
        if (k === "Stmt") this.stmt(src, child, ctx);
        else if (k === "Word") this.substitutions(src, child, undefined, -1, ctx);
        else if (k !== "" && k !== "Pos" && k !== "Lit" && k !== "Comment") this.generic(src, child, ctx, seen);
      }
    }
  }

  addFallback(cmd: ShellCommand): void {
    this.commands.push(cmd);
  }
  addPipeline(p: ShellPipeline): void {
    this.pipelines.push(p);
  }
}

function flattenPipe(cmd: GoNode, out: GoNode[]): void {
  for (const side of [cmd.X as GoNode, cmd.Y as GoNode]) {
    const inner = side.Cmd as GoNode;
    if (kind(inner) === "BinaryCmd" && (inner.Op === OP_PIPE || inner.Op === OP_PIPE_ALL) && items(side.Redirs).length === 0 && side.Negated !== true) flattenPipe(inner, out);
    else out.push(side);
  }
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i < b; i++) out.push(i);
  return out;
}

/** Where `&& next` goes after a statement: after its command and redirections, before `;`, a comment or a heredoc body. */
function appendPoint(src: MappedText, s: GoNode): number | undefined {
  if (s.Background === true || s.Coprocess === true) return undefined;
  const cmd = s.Cmd as GoNode;
  let end = kind(cmd) !== "" ? cmd.End().offs : -1;
  for (const r of items(s.Redirs)) {
    const w = r.Word as GoNode;
    if (kind(w) === "Word") end = Math.max(end, w.End().offs);
  }
  if (end < 0) return undefined;
  return src.origEnd(src.index(end));
}

function baseName(s: string): string {
  const i = s.lastIndexOf("/");
  return i < 0 ? s : s.slice(i + 1);
}

function wordOf(src: MappedText, w: GoNode): ShellWord {
  const s = src.index(w.Pos().offs);
  const e = src.index(w.End().offs);
  const start = src.orig(s);
  const end = src.origEnd(e);
  let value = "";
  let literal = true;
  const unquoted = (a: number, b: number, inDouble: boolean) => {
    const t = src.text.slice(a, b);
    let out = "";
    for (let i = 0; i < t.length; i++) {
      const ch = t[i];
      if (ch === "\\" && i + 1 < t.length) {
        const next = t[i + 1];
        if (next === "\n") {
          i++;
          continue;
        }
        if (!inDouble || next === '"' || next === "\\" || next === "$" || next === "`") {
          out += next;
          i++;
          continue;
        }
      }
      out += ch;
    }
    return out;
  };
  for (const p of items(w.Parts)) {
    const k = kind(p);
    const ps = src.index(p.Pos().offs);
    const pe = src.index(p.End().offs);
    if (k === "Lit") value += unquoted(ps, pe, false);
    else if (k === "SglQuoted" && p.Dollar !== true) value += src.text.slice(ps + 1, pe - 1);
    else if (k === "DblQuoted" && p.Dollar !== true) {
      for (const q of items(p.Parts)) {
        if (kind(q) === "Lit") value += unquoted(src.index(q.Pos().offs), src.index(q.End().offs), true);
        else literal = false;
      }
    } else literal = false;
  }
  return { value: literal ? value : src.text.slice(s, e), literal, start, end };
}

function assignOf(src: MappedText, a: GoNode): ShellAssign {
  const name = a.Name as GoNode;
  const ns = src.index(name.Pos().offs);
  const ne = src.index(name.End().offs);
  const out: ShellAssign = { name: src.text.slice(ns, ne), start: src.orig(src.index(a.Pos().offs)), end: src.origEnd(src.index(a.End().offs)) };
  if (kind(a.Value) === "Word") out.value = wordOf(src, a.Value as GoNode);
  return out;
}

/** The text of a `-c` script argument when it is one quoted or plain string (no expansions). */
function scriptWordText(src: MappedText, w: GoNode): MappedText | undefined {
  const parts = items(w.Parts);
  if (parts.length !== 1) return undefined;
  const p = parts[0];
  const k = kind(p);
  const ps = src.index(p.Pos().offs);
  const pe = src.index(p.End().offs);
  if (k === "SglQuoted" && p.Dollar !== true) return src.derive(range(ps + 1, pe - 1));
  if (k === "Lit") return unescaped(src, ps, pe, false);
  if (k === "DblQuoted" && p.Dollar !== true && items(p.Parts).every((q) => kind(q) === "Lit")) return unescaped(src, ps + 1, pe - 1, true);
  return undefined;
}

function unescaped(src: MappedText, a: number, b: number, inDouble: boolean): MappedText {
  const t = src.text;
  const indices: number[] = [];
  const from: number[] = [];
  for (let i = a; i < b; i++) {
    if (t[i] === "\\" && i + 1 < b && (!inDouble || '"\\$`\n'.includes(t[i + 1]))) {
      if (t[i + 1] !== "\n") {
        indices.push(i + 1);
        from.push(i);
      }
      i++;
      continue;
    }
    indices.push(i);
    from.push(i);
  }
  return src.derive(indices, from);
}

/** `sh -c SCRIPT`, `bash -ec SCRIPT`, `bash -o pipefail -c SCRIPT`: the index of SCRIPT. */
function shellScriptArg(cmd: ShellCommand): number | undefined {
  if (!SHELL_NAMES.has(cmd.name)) return undefined;
  let sawC = false;
  for (let i = 1; i < cmd.argv.length; i++) {
    const a = cmd.argv[i];
    if (!a.literal) return sawC ? i : undefined;
    if (a.value === "--") continue;
    if (/^[-+]o$/.test(a.value)) {
      i++;
      continue;
    }
    if (/^-[a-zA-Z]+$/.test(a.value)) {
      if (a.value.includes("c")) sawC = true;
      continue;
    }
    if (/^--[a-z-]+$/.test(a.value)) continue;
    return sawC ? i : undefined;
  }
  return undefined;
}

/** `bash`, `sh -s`, `bash -e -`: a shell that reads its script from stdin. */
export function readsScriptFromStdin(cmd: ShellCommand): boolean {
  if (!SHELL_NAMES.has(cmd.name)) return false;
  for (let i = 1; i < cmd.argv.length; i++) {
    const a = cmd.argv[i];
    if (!a.literal) return false;
    if (a.value === "-" || a.value === "--") return true;
    if (/^[-+]o$/.test(a.value)) {
      i++;
      continue;
    }
    if (/^-[a-zA-Z]+$/.test(a.value)) {
      if (a.value.includes("c")) return false;
      if (a.value.includes("s")) return true;
      continue;
    }
    if (/^--[a-z-]+$/.test(a.value)) continue;
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Conservative tokenizer (shell syntax errors, non-POSIX shells)

function fallbackInto(w: Walker, src: MappedText, ctx: Ctx, editable: boolean): void {
  const t = src.text;
  let statement = ctx.statement;
  let words: ShellWord[] = [];
  let group: ShellCommand[] = [];
  let element = 0;
  let heredocs: string[] = [];
  const flush = () => {
    if (words.length === 0) return;
    const assigns: ShellAssign[] = [];
    while (words.length > 0 && words[0].literal && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0].value)) {
      const wd = words.shift()!;
      const eq = wd.value.indexOf("=");
      assigns.push({ name: wd.value.slice(0, eq), value: { ...wd, value: wd.value.slice(eq + 1) }, start: wd.start, end: wd.end });
    }
    const cmd: ShellCommand = {
      argv: words,
      assigns,
      name: words[0]?.literal ? baseName(words[0].value) : "",
      start: assigns[0]?.start ?? words[0].start,
      end: words.length > 0 ? words[words.length - 1].end : assigns[assigns.length - 1].end,
      context: ctx.context,
      depth: ctx.depth,
      scriptId: ctx.scriptId,
      statement,
      editable,
    };
    if (ctx.parent) {
      cmd.parent = ctx.parent;
      cmd.parentArg = ctx.parentArg;
    }
    cmd.pipeIndex = element;
    group.push(cmd);
    w.addFallback(cmd);
    words = [];
  };
  /** End of a pipeline (any operator other than `|`): keep it if it joined two or more elements. */
  const close = () => {
    flush();
    const first = group[0];
    if (first && element > 0) {
      const p: ShellPipeline = { commands: group, length: element + 1, start: first.start, end: group[group.length - 1].end, context: ctx.context, scriptId: ctx.scriptId, statement: first.statement };
      for (const c of group) c.pipeline = p;
      w.addPipeline(p);
    } else for (const c of group) delete c.pipeIndex;
    group = [];
    element = 0;
  };
  let i = 0;
  while (i < t.length) {
    const ch = t[i];
    if (ch === "\n" && heredocs.length > 0) {
      close();
      statement++;
      // Skip heredoc bodies up to their delimiter lines.
      let pos = i + 1;
      for (const delim of heredocs) {
        for (;;) {
          const nl = t.indexOf("\n", pos);
          const line = t.slice(pos, nl < 0 ? t.length : nl);
          pos = nl < 0 ? t.length : nl + 1;
          if (line.trim() === delim || nl < 0) break;
        }
      }
      heredocs = [];
      i = pos;
      continue;
    }
    if (ch === " " || ch === "\t" || ch === "\r") {
      i++;
      continue;
    }
    if (ch === "#") {
      const nl = t.indexOf("\n", i);
      i = nl < 0 ? t.length : nl;
      continue;
    }
    if ((ch === "&" && t[i + 1] === "&") || (ch === "|" && t[i + 1] === "|")) {
      close();
      i += 2;
      continue;
    }
    if (ch === "|") {
      flush();
      if (group.length > 0) element++;
      i += t[i + 1] === "&" ? 2 : 1;
      continue;
    }
    if (ch === "\n" || ch === ";" || ch === "&" || ch === "(" || ch === ")" || ch === "{" || ch === "}") {
      close();
      if (ch === "\n" || ch === ";" || ch === "&") statement++;
      i++;
      continue;
    }
    if (ch === "<" && t[i + 1] === "<" && t[i + 2] !== "<") {
      const m = /^<<-?\s*(["']?)([A-Za-z0-9_.-]+)\1/.exec(t.slice(i));
      if (m) {
        heredocs.push(m[2]);
        i += m[0].length;
        continue;
      }
    }
    // A word: up to unquoted whitespace or an operator character.
    const start = i;
    let value = "";
    let literal = true;
    while (i < t.length) {
      const c = t[i];
      if (c === "\\" && i + 1 < t.length) {
        value += t[i + 1];
        i += 2;
        continue;
      }
      if (c === "'") {
        const close = t.indexOf("'", i + 1);
        const stop = close < 0 ? t.length : close;
        value += t.slice(i + 1, stop);
        i = stop + 1;
        continue;
      }
      if (c === '"') {
        let j = i + 1;
        while (j < t.length && t[j] !== '"') {
          if (t[j] === "\\" && j + 1 < t.length) {
            value += t[j + 1];
            j += 2;
            continue;
          }
          if (t[j] === "$" || t[j] === "`") literal = false;
          value += t[j];
          j++;
        }
        i = j + 1;
        continue;
      }
      if (/[\s;&|()<>]/.test(c)) break;
      if (c === "$" || c === "`") literal = false;
      value += c;
      i++;
    }
    if (i === start) {
      // A redirection operator character.
      i++;
      continue;
    }
    const end = Math.min(i, t.length);
    words.push({ value: literal ? value : t.slice(start, end), literal, start: src.orig(start), end: src.origEnd(end) });
  }
  close();
}

// ---------------------------------------------------------------------------------------
// Entry points

export interface ParseShellOptions {
  /** Offset of the text in the original (default 0). */
  base?: number;
  /** Use the fast path for plain scripts (default true; tests turn it off to compare with mvdan-sh). */
  fastPath?: boolean;
}

/** Parse shell text; offsets are relative to `base`. Never throws. */
export function parseShell(text: string, options: ParseShellOptions = {}): ShellScript {
  return parseMapped(MappedText.identity(text, options.base ?? 0), true, true, options.fastPath ?? true);
}

function parseMapped(src: MappedText, editable: boolean, posix: boolean, fastPath = true): ShellScript {
  if (posix && fastPath) {
    const simple = simpleScript(src, editable);
    if (simple) return simple;
  }
  const w = new Walker(editable);
  const ctx: Ctx = { context: "top", depth: 0, scriptId: 0, statement: 0 };
  let error: string | undefined;
  if (posix) {
    try {
      const r = w.script(src, ctx);
      if (r.ok) return finish(w, "mvdan-sh", undefined, r.last);
      error = r.error;
    } catch (e) {
      error = errorText(e);
    }
  } else error = "not a POSIX shell";
  const fb = new Walker(false);
  try {
    fallbackInto(fb, src, ctx, false);
  } catch {
    /* the tokenizer is best effort */
  }
  return finish(fb, "fallback", error, undefined);
}

// Plain words and list/pipe operators only: no quotes, expansions, redirections, comments,
// escapes, globs braces or reserved words, so there is exactly one way to split it.
const SIMPLE_TEXT = /^[A-Za-z0-9_\-./:=@+,%^~*?[\] \t\n&|;]*$/;
const NOT_SIMPLE_WORDS = new Set(["if", "then", "elif", "else", "fi", "for", "while", "until", "do", "done", "case", "esac", "in", "select", "function", "time", "coproc", "[[", "]]", "export", "declare", "local", "readonly", "typeset", "nameref", "let", "eval"]);

/** The fast path: a script of plain words joined by `&&`, `||`, `|`, `;` and newlines. */
function simpleScript(src: MappedText, editable: boolean): ShellScript | undefined {
  const t = src.text;
  if (!SIMPLE_TEXT.test(t)) return undefined;
  type Tok = { op: string } | { word: ShellWord; at: number };
  const toks: Tok[] = [];
  const re = /[ \t]+|(&&|\|\||\||;|\n)|([^ \t\n&|;]+)|(.)/g;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    if (m[3] !== undefined) return undefined;
    if (m[1] !== undefined) toks.push({ op: m[1] });
    else if (m[2] !== undefined) toks.push({ word: { value: m[2], literal: true, start: src.orig(m.index), end: src.origEnd(m.index + m[2].length) }, at: m.index });
  }
  const commands: ShellCommand[] = [];
  const pipelines: ShellPipeline[] = [];
  let statement = 0;
  let stmtHasCmd = false;
  let words: ShellWord[] = [];
  let at: number[] = [];
  let pipe: ShellCommand[] = [];
  let pending: string | undefined;
  let last: ShellCommand | undefined;
  const endCommand = (): boolean => {
    if (words.length === 0) return false;
    const assigns: ShellAssign[] = [];
    let i = 0;
    while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i].value)) {
      const w = words[i];
      const eq = w.value.indexOf("=");
      const value = w.value.slice(eq + 1);
      const a: ShellAssign = { name: w.value.slice(0, eq), start: w.start, end: w.end };
      if (value !== "") a.value = { value, literal: true, start: src.orig(at[i] + eq + 1), end: w.end };
      assigns.push(a);
      i++;
    }
    const argv = words.slice(i);
    const name = argv[0] ? baseName(argv[0].value) : "";
    if (argv[0] && (NOT_SIMPLE_WORDS.has(argv[0].value) || (SHELL_NAMES.has(name) && argv.some((w) => /^-[a-zA-Z]*c/.test(w.value))))) throw new NotSimple();
    const cmd: ShellCommand = { argv, assigns, name, start: words[0].start, end: words[words.length - 1].end, context: "top", depth: 0, scriptId: 0, statement, editable };
    commands.push(cmd);
    pipe.push(cmd);
    last = cmd;
    words = [];
    at = [];
    stmtHasCmd = true;
    return true;
  };
  const endPipeline = () => {
    if (pipe.length >= 2) {
      const p: ShellPipeline = { commands: pipe, length: pipe.length, start: pipe[0].start, end: pipe[pipe.length - 1].end, context: "top", scriptId: 0, statement: pipe[0].statement };
      pipe.forEach((c, i) => {
        c.pipeline = p;
        c.pipeIndex = i;
      });
      pipelines.push(p);
    }
    pipe = [];
  };
  try {
    for (const tok of toks) {
      if ("word" in tok) {
        pending = undefined;
        words.push(tok.word);
        at.push(tok.at);
        continue;
      }
      const op = tok.op;
      if (op === "\n" && pending) continue; // `a &&⏎ b`: the list goes on.
      const had = endCommand();
      if (op === "&&" || op === "||" || op === "|") {
        if (!had || pending) return undefined;
        if (op !== "|") endPipeline();
        pending = op;
        continue;
      }
      // `;` or a newline ends the statement.
      if (pending || (op === ";" && !had)) return undefined;
      endPipeline();
      if (stmtHasCmd) statement++;
      stmtHasCmd = false;
    }
    endCommand();
    if (pending) return undefined;
    endPipeline();
  } catch (e) {
    if (e instanceof NotSimple) return undefined;
    throw e;
  }
  const out: ShellScript = { commands, pipelines, parser: "simple" };
  if (last) out.appendAt = last.end;
  return out;
}

class NotSimple extends Error {}

function finish(w: Walker, parserName: ShellScript["parser"], error: string | undefined, appendAt: number | undefined): ShellScript {
  const out: ShellScript = { commands: w.commands, pipelines: w.pipelines.filter((p) => p.length >= 2), parser: parserName };
  if (error !== undefined) out.error = error;
  if (appendAt !== undefined) out.appendAt = appendAt;
  return out;
}

const runCache = new WeakMap<DockerInstruction, RunScript>();

/**
 * The commands of a RUN instruction. `shell` is the stage's SHELL (default `/bin/sh -c`):
 * shell-form RUNs under a non-POSIX shell (PowerShell, cmd) use the tokenizer.
 * Results are cached per instruction.
 */
export function parseRun(model: DockerfileModel, instr: DockerInstruction, shell: readonly string[] = ["/bin/sh", "-c"]): RunScript {
  const cached = runCache.get(instr);
  if (cached) return cached;
  let out: RunScript;
  try {
    out = parseRunUncached(model, instr, shell);
  } catch (e) {
    out = { commands: [], pipelines: [], parser: "fallback", error: errorText(e), form: "shell" };
  }
  runCache.set(instr, out);
  return out;
}

function parseRunUncached(model: DockerfileModel, instr: DockerInstruction, shell: readonly string[]): RunScript {
  const text = model.text;
  const escape = model.directives.get("escape") === "`" ? "`" : "\\";
  const args = instr.node.getArguments();
  if (args.length === 0) return { commands: [], pipelines: [], parser: "simple", form: "shell" };
  const first = args[0].getRange().start;
  const argsStart = model.lines.offset(first.line + 1, first.character + 1);
  const { line: logical, next: nextLineStart } = logicalLine(text, argsStart, instr.end, escape);
  const newline = /\r\n/.test(text.slice(instr.start, Math.min(text.length, instr.end + 2))) ? "\r\n" : "\n";

  const exec = parseJsonArray(logical);
  if (exec) {
    const words: ShellWord[] = exec.map((s) => ({ value: s.value, literal: true, start: s.start, end: s.end }));
    const name = words[0] ? baseName(words[0].value) : "";
    // `["sh", "-c", "script"]` is a shell script in disguise: analyse the script.
    const probe: ShellCommand = { argv: words, assigns: [], name, start: 0, end: 0, context: "top", depth: 0, scriptId: 0, statement: 0, editable: false };
    const scriptIndex = shellScriptArg(probe);
    if (scriptIndex !== undefined) {
      const s = exec[scriptIndex];
      const r = parseMapped(s.text, true, true);
      return { ...r, form: "exec", execShell: exec.slice(0, scriptIndex).map((x) => x.value), ...(r.appendAt !== undefined ? { append: { at: r.appendAt, style: "inline", indent: "", newline, escape } } : {}) };
    }
    const cmd: ShellCommand = { ...probe, start: words[0]?.start ?? instr.start, end: words[words.length - 1]?.end ?? instr.end };
    return { commands: words.length ? [cmd] : [], pipelines: [], parser: "simple", form: "exec" };
  }

  const posix = isPosixShell(shell);
  const heredocs = heredocsOf(model, instr);
  if (heredocs.length > 0 && /^\s*(?:<<-?\s*(["']?)[A-Za-z0-9_.-]+\1\s*)+$/.test(logical.text)) {
    // `RUN <<EOF`: BuildKit runs the first heredoc's body as the script.
    const h = heredocs[0];
    const body = MappedText.identity(text.slice(h.contentStart, h.contentEnd), h.contentStart);
    const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(body.text);
    const interpreter = shebang ? baseName(shebang[1] === "/usr/bin/env" || baseName(shebang[1]) === "env" ? shebang[2] ?? "" : shebang[1]) : "sh";
    if (!SHELL_NAMES.has(interpreter)) return { commands: [], pipelines: [], parser: "simple", form: "heredoc" };
    const r = parseMapped(stripCr(body), true, posix);
    const lastLine = lastBodyLine(text, h.contentStart, h.contentEnd);
    return { ...r, form: "heredoc", append: { at: h.delimiterLineStart, style: "line", indent: lastLine.indent, newline, escape } };
  }
  // Shell form, possibly with heredocs after the first line: the shell sees them as written.
  let src = logical;
  if (heredocs.length > 0) {
    const rest = nextLineStart;
    if (rest < instr.end) {
      const tail = MappedText.identity(text.slice(rest, instr.end), rest);
      src = new MappedText(`${logical.text}\n${tail.text}\n`, [...logical.map.slice(0, -1), logical.orig(logical.text.length), ...tail.map.slice(0, -1), instr.end, instr.end]);
    }
  }
  const r = parseMapped(stripCr(src), true, posix);
  const out: RunScript = { ...r, form: "shell" };
  if (r.appendAt !== undefined) out.append = appendStyle(text, argsStart, r.appendAt, newline, escape);
  return out;
}

function isPosixShell(shell: readonly string[]): boolean {
  const name = baseName(shell[0] ?? "/bin/sh").toLowerCase().replace(/\.exe$/, "");
  return SHELL_NAMES.has(name) || name === "busybox";
}

function stripCr(src: MappedText): MappedText {
  if (!src.text.includes("\r")) return src;
  const keep: number[] = [];
  for (let i = 0; i < src.text.length; i++) if (!(src.text[i] === "\r" && src.text[i + 1] === "\n")) keep.push(i);
  return src.derive(keep);
}

/** Docker's view of an instruction line: escaped newlines joined, comment and blank lines inside dropped. */
function logicalLine(text: string, start: number, limit: number, escape: string): { line: MappedText; next: number } {
  const indices: number[] = [];
  let pos = start;
  let next = limit;
  let continued = false;
  while (pos < limit) {
    const nl = text.indexOf("\n", pos);
    const lineEnd = nl < 0 || nl > limit ? limit : nl;
    let content = text.slice(pos, lineEnd);
    if (content.endsWith("\r")) content = content.slice(0, -1);
    if (continued && (content.trim() === "" || content.trimStart().startsWith("#"))) {
      pos = lineEnd + 1;
      continue;
    }
    const m = new RegExp(`${escape === "`" ? "`" : "\\\\"}[ \\t]*$`).exec(content);
    if (m && lineEnd < limit) {
      for (let i = pos; i < pos + m.index; i++) indices.push(i);
      pos = lineEnd + 1;
      continued = true;
      continue;
    }
    for (let i = pos; i < pos + content.length; i++) indices.push(i);
    next = lineEnd + 1;
    break;
  }
  const map = indices.slice();
  map.push(indices.length ? indices[indices.length - 1] + 1 : start);
  return { line: new MappedText(indices.map((i) => text[i]).join(""), map), next };
}

interface HeredocSpan {
  contentStart: number;
  contentEnd: number;
  delimiterLineStart: number;
}

function heredocsOf(model: DockerfileModel, instr: DockerInstruction): HeredocSpan[] {
  const node = instr.node as unknown as { getHeredocs?: () => { getContentRange(): LspRange | null; getDelimiterRange(): LspRange | null }[] };
  if (typeof node.getHeredocs !== "function") return [];
  const off = (p: { line: number; character: number }) => model.lines.offset(p.line + 1, p.character + 1);
  const out: HeredocSpan[] = [];
  for (const h of node.getHeredocs()) {
    const content = h.getContentRange();
    const delim = h.getDelimiterRange();
    if (!delim) continue;
    const delimiterLineStart = model.lines.offset(delim.start.line + 1, 1);
    const contentStart = content ? off(content.start) : delimiterLineStart;
    // The body runs up to the delimiter line (its last newline included).
    out.push({ contentStart, contentEnd: delimiterLineStart, delimiterLineStart });
  }
  return out;
}

interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

function lastBodyLine(text: string, start: number, end: number): { indent: string } {
  const lines = text.slice(start, end).split(/\r?\n/).filter((l) => l.trim() !== "");
  const last = lines[lines.length - 1] ?? "";
  return { indent: /^[ \t]*/.exec(last)![0] };
}

/** How the RUN continues its lines, so an appended command looks like the others. */
function appendStyle(text: string, argsStart: number, at: number, newline: string, escape: string): AppendPoint {
  const firstLineEnd = text.indexOf("\n", argsStart);
  if (firstLineEnd < 0 || at <= firstLineEnd) return { at, style: "inline", indent: "", newline, escape };
  const lineStart = text.lastIndexOf("\n", at - 1) + 1;
  const lines = text.slice(text.lastIndexOf("\n", argsStart) + 1, at).split("\n").map((l) => l.replace(/\r$/, ""));
  const indentOf = (l: string) => /^[ \t]*/.exec(l)![0];
  const leading = lines.filter((l) => /^[ \t]*(?:&&|\|\||;)/.test(l));
  if (leading.length > 0) return { at, style: "leading", indent: indentOf(leading[leading.length - 1]), newline, escape };
  const lastIndent = indentOf(text.slice(lineStart, at));
  if (lines.slice(0, -1).some((l) => /&&[ \t]*[\\`][ \t]*$/.test(l))) return { at, style: "trailing", indent: lastIndent, newline, escape };
  return { at, style: "leading", indent: lastIndent || "    ", newline, escape };
}

/** A text edit that appends `command` so that it runs after everything else in the RUN. */
export function appendCommandEdit(run: RunScript, command: string): { start: number; end: number; newText: string } | undefined {
  const a = run.append;
  if (!a || run.parser === "fallback") return undefined;
  switch (a.style) {
    case "inline":
      return { start: a.at, end: a.at, newText: ` && ${command}` };
    case "leading":
      return { start: a.at, end: a.at, newText: ` ${a.escape}${a.newline}${a.indent}&& ${command}` };
    case "trailing":
      return { start: a.at, end: a.at, newText: ` && ${a.escape}${a.newline}${a.indent}${command}` };
    case "line":
      return { start: a.at, end: a.at, newText: `${a.indent}${command}${a.newline}` };
  }
}

interface JsonString {
  value: string;
  start: number;
  end: number;
  text: MappedText;
}

/** A JSON array of strings (exec form) with each string's decoded text mapped to the original. */
function parseJsonArray(src: MappedText): JsonString[] | undefined {
  const t = src.text;
  let i = 0;
  const ws = () => {
    while (i < t.length && /\s/.test(t[i])) i++;
  };
  ws();
  if (t[i] !== "[") return undefined;
  i++;
  const out: JsonString[] = [];
  ws();
  if (t[i] === "]") {
    i++;
    ws();
    return i === t.length ? out : undefined;
  }
  for (;;) {
    ws();
    if (t[i] !== '"') return undefined;
    const open = i;
    i++;
    const starts: number[] = [];
    const ends: number[] = [];
    const chars: string[] = [];
    const push = (ch: string, from: number, to: number) => {
      chars.push(ch);
      starts.push(src.orig(from));
      ends.push(src.origEnd(to));
    };
    while (i < t.length && t[i] !== '"') {
      if (t[i] === "\\") {
        const e = t[i + 1];
        const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (e !== undefined && e in simple) {
          push(simple[e], i, i + 2);
          i += 2;
          continue;
        }
        if (e === "u" && /^[0-9a-fA-F]{4}$/.test(t.slice(i + 2, i + 6))) {
          push(String.fromCharCode(parseInt(t.slice(i + 2, i + 6), 16)), i, i + 6);
          i += 6;
          continue;
        }
        return undefined;
      }
      push(t[i], i, i + 1);
      i++;
    }
    if (t[i] !== '"') return undefined;
    const value = chars.join("");
    const map = [...starts, src.origEnd(i)];
    out.push({ value, start: src.orig(open + 1), end: src.origEnd(i), text: new MappedText(value, map, ends) });
    i++;
    ws();
    if (t[i] === ",") {
      i++;
      continue;
    }
    if (t[i] === "]") {
      i++;
      ws();
      return i === t.length ? out : undefined;
    }
    return undefined;
  }
}
