// Dockerfile model over dockerfile-ast: stages with their resolved base image and
// instructions with offsets into the original text (for ranges and fix edits).
import { DockerfileParser } from "dockerfile-ast";
import type { From, Instruction } from "dockerfile-ast";
import type { Range } from "../types.js";
import { LineIndex } from "./positions.js";

export interface DockerInstruction {
  keyword: string;
  /** Arguments as dockerfile-ast tokenises them (quotes kept, continuations removed). */
  args: string[];
  /** Raw text of the arguments (continuations kept). */
  argsText: string;
  start: number;
  end: number;
  range: Range;
  /** `--flag=value` options (e.g. RUN --mount, COPY --from, ADD --checksum). */
  flags: { name: string; value: string | null }[];
  node: Instruction;
}

export interface DockerStage {
  index: number;
  from: DockerInstruction;
  /** The image as written (`${BASE}:1.0`), and after ARG substitution. */
  imageWritten: string;
  image: string;
  alias?: string;
  /** Index of the stage this one builds on (`FROM builder`), if any. */
  parentStage?: number;
  platform?: string;
  instructions: DockerInstruction[];
}

export interface DockerfileModel {
  path: string;
  text: string;
  lines: LineIndex;
  /** ARGs declared before the first FROM with their defaults. */
  globalArgs: Map<string, string | undefined>;
  /** Instructions before the first FROM (ARG, parser directives are not instructions). */
  preamble: DockerInstruction[];
  stages: DockerStage[];
  /** Comment lines (1-based line → text after '#'). */
  comments: Map<number, string>;
  directives: Map<string, string>;
}

export function parseDockerfile(path: string, text: string): DockerfileModel {
  const lines = new LineIndex(text);
  const ast = DockerfileParser.parse(text);
  // dockerfile-ast counts lines the LSP way (\r\n, \n and a lone \r all end a line) while
  // Docker and our ranges break only at \n: map its positions through its own line starts.
  const astStarts = lspLineStarts(text);
  const toOffset = (p: { line: number; character: number }) => Math.min(text.length, (astStarts[p.line] ?? text.length) + p.character);

  const comments = new Map<number, string>();
  for (const c of ast.getComments()) comments.set(c.getRange().start.line + 1, c.getContent() ?? "");
  const directives = new Map<string, string>();
  for (const d of ast.getDirectives()) directives.set((d.getName() ?? "").toLowerCase(), d.getValue() ?? "");

  const toInstr = (node: Instruction): DockerInstruction => {
    const r = node.getRange();
    const start = toOffset(r.start);
    const end = toOffset(r.end);
    const flagsOf = (node as unknown as { getFlags?: () => { getName(): string; getValue(): string | null }[] }).getFlags;
    return {
      keyword: node.getKeyword().toUpperCase(),
      args: node.getArguments().map((a) => a.getValue()),
      argsText: node.getRawArgumentsContent() ?? "",
      start,
      end,
      range: lines.range(start, end),
      flags: flagsOf ? flagsOf.call(node).map((f) => ({ name: f.getName(), value: f.getValue() })) : [],
      node,
    };
  };

  const globalArgs = new Map<string, string | undefined>();
  for (const arg of ast.getInitialARGs()) {
    // A default may use ARGs declared before it (ARG BASE=golang:${GO}), as in Docker.
    for (const p of arg.getProperties()) {
      const v = p.getValue();
      globalArgs.set(p.getName(), v === null ? undefined : substituteArgs(v, globalArgs));
    }
  }

  const all = ast.getInstructions();
  const preamble: DockerInstruction[] = [];
  const stages: DockerStage[] = [];
  let current: DockerStage | undefined;
  for (const node of all) {
    if (node.getKeyword().toUpperCase() === "FROM") {
      const from = node as From;
      const written = from.getArguments().map((a) => a.getValue()).find((a) => !a.startsWith("--")) ?? "";
      const image = substituteArgs(written, globalArgs);
      const alias = from.getBuildStage() ?? undefined;
      const parentStage = stages.findIndex((s) => s.alias !== undefined && s.alias.toLowerCase() === image.toLowerCase());
      const platform = from.getPlatformFlag()?.getValue() ?? undefined;
      current = {
        index: stages.length,
        from: toInstr(node),
        imageWritten: written,
        image,
        alias,
        parentStage: parentStage >= 0 ? parentStage : undefined,
        platform,
        instructions: [],
      };
      stages.push(current);
      continue;
    }
    if (current) current.instructions.push(toInstr(node));
    else preamble.push(toInstr(node));
  }
  return { path, text, lines, globalArgs, preamble, stages, comments, directives };
}

/** Replace `$NAME`, `${NAME}` and `${NAME:-default}` using ARG defaults declared before FROM. */
export function substituteArgs(s: string, args: Map<string, string | undefined>): string {
  return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced: string | undefined, dflt: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? "";
    const v = args.get(name);
    if (v !== undefined && v !== "") return v;
    if (dflt !== undefined) return dflt;
    return whole;
  });
}

export function finalStage(m: DockerfileModel): DockerStage | undefined {
  return m.stages[m.stages.length - 1];
}

/** The stage chain from the root base to `stage` (FROM alias → that stage's parent …). */
export function stageChain(m: DockerfileModel, stage: DockerStage): DockerStage[] {
  const chain: DockerStage[] = [];
  let cur: DockerStage | undefined = stage;
  const seen = new Set<number>();
  while (cur && !seen.has(cur.index)) {
    seen.add(cur.index);
    chain.unshift(cur);
    cur = cur.parentStage !== undefined ? m.stages[cur.parentStage] : undefined;
  }
  return chain;
}

/** `FROM scratch` or another stage: not an image pulled from a registry. */
export function isExternalImage(m: DockerfileModel, stage: DockerStage): boolean {
  return stage.parentStage === undefined && stage.image.toLowerCase() !== "scratch" && stage.image !== "";
}

/** Line start offsets as vscode-languageserver-textdocument computes them. */
function lspLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 10) starts.push(i + 1);
  }
  return starts;
}
