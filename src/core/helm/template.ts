// A line-level reader of Helm (Go) templates, without a Go template engine: where the actions
// `{{ … }}` are, which `if`/`with`/`range` blocks enclose a line, and what the literal YAML
// around the actions says. Good enough for what Bulwark asks of templates: hard-coded risky
// fields, unbalanced blocks, and the key path of the line that sets a rendered field.

export interface TemplateAction {
  /** Offsets of `{{` and just after `}}` in the template text. */
  start: number;
  end: number;
  /** The action's text without delimiters, trim markers and surrounding spaces. */
  body: string;
  /** The action is a comment `{{/* … *\/}}`. */
  comment: boolean;
}

export interface TemplateLex {
  actions: TemplateAction[];
  /** The text with every action blanked to spaces (newlines kept): offsets and columns are unchanged. */
  masked: string;
  /** `{{` that is never closed (helm fails with "unclosed action"). */
  unclosed?: number;
}

/** Finds the actions of a template, honouring quoted strings and comments inside them. */
export function lexTemplate(text: string): TemplateLex {
  const actions: TemplateAction[] = [];
  let masked = "";
  let pos = 0;
  let unclosed: number | undefined;
  for (;;) {
    const open = text.indexOf("{{", pos);
    if (open < 0) break;
    const close = findClose(text, open + 2);
    if (close < 0) {
      unclosed = open;
      break;
    }
    masked += text.slice(pos, open) + blank(text.slice(open, close));
    let inner = text.slice(open + 2, close - 2);
    if (inner.startsWith("-")) inner = inner.slice(1);
    if (inner.endsWith("-")) inner = inner.slice(0, -1);
    inner = inner.trim();
    const comment = inner.startsWith("/*");
    actions.push({ start: open, end: close, body: comment ? "" : inner, comment });
    pos = close;
  }
  masked += text.slice(pos);
  return { actions, masked, ...(unclosed !== undefined ? { unclosed } : {}) };
}

/** Offset just after the `}}` that closes an action opened before `from`, or -1. */
function findClose(text: string, from: number): number {
  let i = from;
  if (text.startsWith("/*", i) || text.startsWith("- /*", i)) {
    const endComment = text.indexOf("*/", i);
    if (endComment < 0) return -1;
    i = endComment + 2;
  }
  let quote: string | undefined;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === "\\" && quote !== "`") i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "`" || ch === "'") quote = ch;
    else if (ch === "}" && text[i + 1] === "}") return i + 2;
  }
  return -1;
}

function blank(s: string): string {
  return s.replace(/[^\r\n]/g, " ");
}

export type BlockKind = "if" | "with" | "range" | "define" | "block";

export interface OpenBlock {
  kind: BlockKind;
  /** The action's argument (condition, pipeline or template name). */
  arg: string;
  /** Offset of the opening action. */
  start: number;
}

/** What an action does to the block structure. */
export function blockEffect(body: string): { open?: BlockKind; arg?: string; close?: true; branch?: true } {
  const m = /^(if|with|range|define|block|end|else)\b\s*(.*)$/s.exec(body);
  if (!m) return {};
  const word = m[1];
  if (word === "end") return { close: true };
  if (word === "else") return { branch: true, arg: m[2] };
  return { open: word as BlockKind, arg: m[2] };
}

export interface SyntaxProblem {
  start: number;
  end: number;
  message: string;
}

/** Problems that make `helm template` fail before any value is read. */
export function checkTemplateSyntax(text: string): SyntaxProblem[] {
  const lex = lexTemplate(text);
  const problems: SyntaxProblem[] = [];
  if (lex.unclosed !== undefined) problems.push({ start: lex.unclosed, end: lex.unclosed + 2, message: "unclosed action: `{{` has no matching `}}`" });
  const stack: OpenBlock[] = [];
  for (const a of lex.actions) {
    if (a.comment) continue;
    const eff = blockEffect(a.body);
    if (eff.open) stack.push({ kind: eff.open, arg: eff.arg ?? "", start: a.start });
    else if (eff.close) {
      if (!stack.pop()) problems.push({ start: a.start, end: a.end, message: "unexpected {{ end }}: no block is open here" });
    } else if (eff.branch && stack.length === 0) problems.push({ start: a.start, end: a.end, message: "unexpected {{ else }}: no block is open here" });
  }
  if (lex.unclosed === undefined) {
    for (const b of stack) problems.push({ start: b.start, end: b.start + 2, message: `{{ ${b.kind} }} is never closed with {{ end }}` });
  }
  return problems;
}

export interface TemplateLine {
  /** 1-based line number. */
  line: number;
  /** Offset of the line start in the template text. */
  start: number;
  /** The line with actions blanked. */
  masked: string;
  /** The original line. */
  raw: string;
  /** Blocks open at the start of the line (outermost first). */
  blocks: OpenBlock[];
  /** Actions that start on this line. */
  actions: TemplateAction[];
}

/** The template split into lines, each with its enclosing blocks and its own actions. */
export function templateLines(text: string, lex: TemplateLex = lexTemplate(text)): TemplateLine[] {
  const out: TemplateLine[] = [];
  const stack: OpenBlock[] = [];
  let ai = 0;
  let start = 0;
  let line = 1;
  while (start <= text.length) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl;
    const blocks = [...stack];
    const mine: TemplateAction[] = [];
    while (ai < lex.actions.length && lex.actions[ai].start < end + (nl < 0 ? 1 : 0)) {
      const a = lex.actions[ai++];
      mine.push(a);
      if (a.comment) continue;
      const eff = blockEffect(a.body);
      if (eff.open) stack.push({ kind: eff.open, arg: eff.arg ?? "", start: a.start });
      else if (eff.close) stack.pop();
    }
    out.push({ line, start, masked: lex.masked.slice(start, end).replace(/\r$/, ""), raw: text.slice(start, end).replace(/\r$/, ""), blocks, actions: mine });
    if (nl < 0) break;
    start = nl + 1;
    line++;
  }
  return out;
}

export interface HardcodedField {
  field: "privileged" | "hostNetwork" | "hostPID" | "hostIPC" | "allowPrivilegeEscalation" | "runAsUser" | "hostPath";
  line: number;
  /** Offsets of the `key: value` text in the template. */
  start: number;
  end: number;
  /** An enclosing `if`/`with`/`range` that decides whether the line renders, if any. */
  condition?: string;
}

const RISKY: { field: HardcodedField["field"]; re: RegExp }[] = [
  { field: "privileged", re: /^(\s*(?:-\s+)?)(privileged\s*:\s*true)\s*(?:#.*)?$/ },
  { field: "hostNetwork", re: /^(\s*(?:-\s+)?)(hostNetwork\s*:\s*true)\s*(?:#.*)?$/ },
  { field: "hostPID", re: /^(\s*(?:-\s+)?)(hostPID\s*:\s*true)\s*(?:#.*)?$/ },
  { field: "hostIPC", re: /^(\s*(?:-\s+)?)(hostIPC\s*:\s*true)\s*(?:#.*)?$/ },
  { field: "allowPrivilegeEscalation", re: /^(\s*(?:-\s+)?)(allowPrivilegeEscalation\s*:\s*true)\s*(?:#.*)?$/ },
  { field: "runAsUser", re: /^(\s*(?:-\s+)?)(runAsUser\s*:\s*0+)\s*(?:#.*)?$/ },
  { field: "hostPath", re: /^(\s*(?:-\s+)?)(hostPath\s*:)(?:\s*\{.*\})?\s*(?:#.*)?$/ },
];

/** Does a block's argument read values (the chart exposes a knob for what it guards)? */
export function readsValues(arg: string): boolean {
  return /(^|[^A-Za-z0-9_])\$?\.Values\b/.test(arg);
}

/**
 * Risky fields written literally in a template (outside `{{ }}`). Lines guarded by an
 * `if`/`with` on `.Values` are not hard-coded: the values file decides, and values analysis
 * covers that knob. Lines inside block scalars (`data: |`) are text, not fields.
 */
export function findHardcoded(text: string): HardcodedField[] {
  const out: HardcodedField[] = [];
  let scalarIndent = -1;
  for (const l of templateLines(text)) {
    const masked = l.masked;
    if (masked.trim() === "") continue;
    const indent = masked.length - masked.trimStart().length;
    if (scalarIndent >= 0) {
      if (indent > scalarIndent) continue;
      scalarIndent = -1;
    }
    if (/^\s*#/.test(masked)) continue;
    if (/:\s*[|>][-+0-9]*\s*(?:#.*)?$/.test(masked)) {
      scalarIndent = indent;
      continue;
    }
    const gate = [...l.blocks].reverse().find((b) => b.kind === "if" || b.kind === "with");
    if (l.blocks.some((b) => (b.kind === "if" || b.kind === "with") && readsValues(b.arg))) continue;
    for (const r of RISKY) {
      const m = r.re.exec(masked);
      if (!m) continue;
      const start = l.start + m[1].length;
      out.push({ field: r.field, line: l.line, start, end: start + m[2].length, ...(gate ? { condition: `${gate.kind} ${gate.arg}`.trim() } : {}) });
      break;
    }
  }
  return out;
}
