// What the Dockerfile checks share: which stages end up in the shipped image, the SHELL, USER,
// ENV and ARG in effect at an instruction, RUN scripts parsed once per instruction, and the
// wording that names a stage or an instruction in messages.
import type { CheckContext, DockerReport } from "../../core/engine/check.js";
import type { DockerfileModel, DockerInstruction, DockerStage } from "../../core/parse/dockerfile.js";
import { finalStage, stageChain, substituteArgs } from "../../core/parse/dockerfile.js";
import { parseRun } from "../../core/parse/shell.js";
import type { RunScript, ShellCommand } from "../../core/parse/shell.js";

export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

interface Analysis {
  /** Stages whose filesystem is the shipped image: the final stage and the stages it is built FROM. */
  shipped: Set<number>;
}

const analyses = new WeakMap<DockerfileModel, Analysis>();

function analysis(d: DockerfileModel): Analysis {
  let a = analyses.get(d);
  if (!a) {
    const last = finalStage(d);
    a = { shipped: new Set(last ? stageChain(d, last).map((s) => s.index) : []) };
    analyses.set(d, a);
  }
  return a;
}

/** The stage is (part of) the final image: image-size and runtime rules apply to it. */
export function isShipped(d: DockerfileModel, stage: DockerStage): boolean {
  return analysis(d).shipped.has(stage.index);
}

export function stageName(stage: DockerStage): string {
  return stage.alias ? `stage "${stage.alias}"` : `stage ${stage.index} (FROM ${stage.imageWritten})`;
}

export function lineOf(d: DockerfileModel, offset: number): number {
  return d.lines.position(offset).line;
}

/** `RUN on line 12 in stage "build"`. */
export function where(d: DockerfileModel, stage: DockerStage, instr: DockerInstruction): string {
  return `${instr.keyword} on line ${lineOf(d, instr.start)} in ${stageName(stage)}`;
}

/** Instructions of the stage's chain up to (not including) `before`, oldest first. */
export function chainInstructions(d: DockerfileModel, stage: DockerStage, before?: DockerInstruction): { stage: DockerStage; instr: DockerInstruction }[] {
  const out: { stage: DockerStage; instr: DockerInstruction }[] = [];
  for (const s of stageChain(d, stage)) {
    for (const instr of s.instructions) {
      if (before && instr === before) return out;
      out.push({ stage: s, instr });
    }
  }
  return out;
}

/** The SHELL in effect for an instruction (inherited through `FROM <stage>`). */
export function shellAt(d: DockerfileModel, stage: DockerStage, instr: DockerInstruction): string[] {
  let shell = ["/bin/sh", "-c"];
  for (const { instr: i } of chainInstructions(d, stage, instr)) {
    if (i.keyword !== "SHELL") continue;
    const parsed = jsonArray(i.argsText);
    if (parsed && parsed.length > 0) shell = parsed;
  }
  return shell;
}

function jsonArray(text: string): string[] | undefined {
  try {
    const v: unknown = JSON.parse(text.replace(/\\\r?\n/g, " "));
    return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

export interface RunRef {
  stage: DockerStage;
  instr: DockerInstruction;
  script(): RunScript;
}

/**
 * RUN instructions (ONBUILD ones excluded: they run in someone else's build). With `keywords`,
 * only RUNs whose text matches are returned, so the shell parser never sees the others.
 */
export function runs(d: DockerfileModel, keywords?: RegExp, stages?: readonly DockerStage[]): RunRef[] {
  const out: RunRef[] = [];
  for (const stage of stages ?? d.stages) {
    for (const instr of stage.instructions) {
      if (instr.keyword !== "RUN") continue;
      if (keywords && !keywords.test(d.text.slice(instr.start, instr.end))) continue;
      out.push({ stage, instr, script: () => scriptOf(d, stage, instr) });
    }
  }
  return out;
}

const scripts = new WeakMap<DockerInstruction, RunScript>();

/** Parsed once per RUN for all rules (the SHELL lookup included). */
function scriptOf(d: DockerfileModel, stage: DockerStage, instr: DockerInstruction): RunScript {
  let s = scripts.get(instr);
  if (!s) {
    s = parseRun(d, instr, shellAt(d, stage, instr));
    scripts.set(instr, s);
  }
  return s;
}

export function shippedStages(d: DockerfileModel): DockerStage[] {
  return d.stages.filter((s) => isShipped(d, s));
}

/** Stages whose chain includes `stage` (itself included): where its files and settings live on. */
export function descendants(d: DockerfileModel, stage: DockerStage): DockerStage[] {
  return d.stages.filter((s) => stageChain(d, s).some((c) => c.index === stage.index));
}

/** `--mount=type=cache,target=/var/lib/apt` style mounts of a RUN: their type and target. */
export function mounts(instr: DockerInstruction): { type: string; target: string }[] {
  const out: { type: string; target: string }[] = [];
  for (const f of instr.flags) {
    if (f.name.toLowerCase() !== "mount" || !f.value) continue;
    const fields = new Map<string, string>();
    for (const part of f.value.split(",")) {
      const eq = part.indexOf("=");
      fields.set((eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase(), eq < 0 ? "" : part.slice(eq + 1).trim());
    }
    const target = fields.get("target") ?? fields.get("dst") ?? fields.get("destination") ?? "";
    out.push({ type: fields.get("type") ?? "bind", target });
  }
  return out;
}

/** A cache or tmpfs mount keeps `path` out of the layer. */
export function mountCovers(instr: DockerInstruction, path: string): boolean {
  const norm = (p: string) => p.replace(/\/+$/, "");
  return mounts(instr).some((m) => (m.type === "cache" || m.type === "tmpfs") && m.target !== "" && (norm(path) + "/").startsWith(norm(m.target) + "/"));
}

export interface Property {
  name: string;
  value?: string;
  start: number;
  end: number;
}

interface AstProperty {
  getName(): string;
  getValue(): string | null;
  getRange(): { start: { line: number; character: number }; end: { line: number; character: number } };
}

const propertyCache = new WeakMap<DockerInstruction, Property[]>();

/** ENV / ARG / LABEL `name=value` pairs with their offsets. */
export function properties(d: DockerfileModel, instr: DockerInstruction): Property[] {
  let props = propertyCache.get(instr);
  if (!props) {
    props = readProperties(d, instr);
    propertyCache.set(instr, props);
  }
  return props;
}

function readProperties(d: DockerfileModel, instr: DockerInstruction): Property[] {
  const node = instr.node as unknown as { getProperties?: () => AstProperty[] };
  if (typeof node.getProperties !== "function") return [];
  const off = (p: { line: number; character: number }) => d.lines.offset(p.line + 1, p.character + 1);
  return node
    .getProperties()
    .filter((p) => p.getName() !== "" && p.getName() !== "\\" && p.getName() !== "`")
    .map((p) => {
      const r = p.getRange();
      const v = p.getValue();
      return { name: p.getName(), ...(v !== null ? { value: v } : {}), start: off(r.start), end: off(r.end) };
    });
}

/** ARG and ENV values visible at an instruction (stage ARGs redeclare global ones). */
export function variablesAt(d: DockerfileModel, stage: DockerStage, instr?: DockerInstruction): Map<string, string> {
  const vars = new Map<string, string>();
  for (const { instr: i } of chainInstructions(d, stage, instr)) {
    if (i.keyword !== "ARG" && i.keyword !== "ENV") continue;
    for (const p of properties(d, i)) {
      if (p.value !== undefined) vars.set(p.name, substituteArgs(p.value, vars));
      else if (i.keyword === "ARG") {
        const global = d.globalArgs.get(p.name);
        if (global !== undefined && !vars.has(p.name)) vars.set(p.name, global);
      }
    }
  }
  return vars;
}

/** The USER in effect before `instr` (undefined: none set in this Dockerfile). */
export function userAt(d: DockerfileModel, stage: DockerStage, instr?: DockerInstruction): { value: string; instr: DockerInstruction; stage: DockerStage } | undefined {
  let found: { value: string; instr: DockerInstruction; stage: DockerStage } | undefined;
  for (const { stage: s, instr: i } of chainInstructions(d, stage, instr)) {
    if (i.keyword === "USER" && i.args.length > 0) found = { value: i.args[0], instr: i, stage: s };
  }
  if (found) found.value = substituteArgs(found.value, variablesAt(d, found.stage, found.instr));
  return found;
}

/** `root`, `0`, `root:x`, `0:0` (the group does not matter: the user is root). */
export function isRootUser(value: string): boolean {
  const user = value.split(":")[0].trim();
  return user === "root" || /^0+$/.test(user);
}

/** Fixes that run more shell commands are unsafe when the RUN is not running as root. */
export function runsAsRoot(d: DockerfileModel, stage: DockerStage, instr: DockerInstruction): boolean {
  const u = userAt(d, stage, instr);
  return !u || isRootUser(u.value);
}

/** Insert after a word: ` --flag` (the word's end is an exact offset in the original text). */
export function insertAfter(end: number, text: string): TextEdit {
  return { start: end, end, newText: ` ${text}` };
}

/** The span of a command's leading words (`apt-get install`): stable when flags are inserted after it. */
export function headSpan(cmd: ShellCommand, lastIndex: number): { start: number; end: number } {
  const last = cmd.argv[Math.min(lastIndex, cmd.argv.length - 1)];
  return { start: cmd.argv[0]?.start ?? cmd.start, end: last?.end ?? cmd.end };
}

export function newlineOf(d: DockerfileModel): string {
  return /\r\n/.test(d.text) ? "\r\n" : "\n";
}

/** Start of the line of `instr`, moved up over comment lines directly above it (they belong to it). */
export function insertionLineStart(d: DockerfileModel, instr: DockerInstruction): number {
  let line = d.lines.position(instr.start).line;
  while (line > 1 && /^\s*#/.test(d.lines.lineText(line - 1)) && !/^\s*#\s*(?:syntax|escape|check)\s*=/i.test(d.lines.lineText(line - 1))) line--;
  return d.lines.offset(line, 1);
}

/**
 * What identifies a command across edits: its words without options. The engine fingerprints a
 * finding by its span text and key; fixes insert or drop options (`-y`, `--no-cache`), so an
 * identity built from the other words stays the same when another rule fixes the command.
 */
export function identity(...cmds: ShellCommand[]): string {
  return cmds.map((c) => c.argv.filter((w) => !(w.literal && w.value.startsWith("-"))).map((w) => w.value).join(" ")).join(" | ");
}

export type Report = Omit<DockerReport, "dockerfile"> & { identity?: string };

/** Report with a key that tells apart findings whose span text is identical within one stage. */
export function reporter(d: DockerfileModel, ctx: CheckContext): (r: Report) => void {
  const seen = new Map<string, number>();
  return ({ identity: ident, ...r }) => {
    const base = [r.key, ident].filter((x) => x !== undefined && x !== "").join("\u0000");
    const id = `${r.stage ?? ""}\u0000${d.text.slice(r.start, r.end).replace(/\s+/g, " ")}\u0000${base}`;
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    const key = n > 1 ? `${base}#${n}` : base;
    ctx.report({ ...r, dockerfile: d, ...(key !== "" ? { key } : {}) });
  };
}

/** An earlier instruction of the chain configured the tool (a RUN writing config, or a COPY into `dir`). */
export function configuredBefore(d: DockerfileModel, stage: DockerStage, instr: DockerInstruction, text: RegExp, dir?: string): boolean {
  for (const { instr: i } of chainInstructions(d, stage, instr)) {
    if (i.keyword === "RUN" && text.test(d.text.slice(i.start, i.end))) return true;
    if (dir && (i.keyword === "COPY" || i.keyword === "ADD")) {
      const dest = i.args[i.args.length - 1] ?? "";
      if (dest.replace(/^["[]+|[\]"]+$/g, "").startsWith(dir)) return true;
    }
  }
  return false;
}
