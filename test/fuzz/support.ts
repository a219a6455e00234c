// Shared pieces of the fuzz suite (issue 10 part 5): the seed, the corpus of real inputs taken
// from the repository (examples/, rule examples, deploy/) and the mutators that damage them.
//
// Reproducing a failure: every suite runs with a fixed seed, printed at the start
// ("fuzz seed …"); fast-check also prints the seed and the counterexample's path when a property
// fails. Re-run with FUZZ_SEED=<seed> (and FUZZ_PATH=<path> to replay one case directly), or
// raise the effort with FUZZ_SCALE=10.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { parse } from "yaml";

export const ROOT = join(import.meta.dirname, "..", "..");

/** Fixed by default so CI is deterministic; override to explore. */
export const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : 0x0b01_ba4c;
const SCALE = process.env.FUZZ_SCALE !== undefined ? Number(process.env.FUZZ_SCALE) : 1;

let announced = false;
/** fast-check parameters: the fixed seed, a run count scaled by FUZZ_SCALE, and replay support. */
export function params<T>(numRuns: number, extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  if (!announced) {
    announced = true;
    console.info(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} reproduces this run; FUZZ_SCALE multiplies the run counts)`);
  }
  return {
    seed: SEED,
    numRuns: Math.max(1, Math.round(numRuns * SCALE)),
    ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
    endOnFailure: true,
    ...extra,
  };
}

export const NOW = new Date("2026-11-25T00:00:00Z");

// The yaml library warns on stderr (process.emitWarning) for every mapping key that is itself a
// collection, which mutated Helm templates (`{{ include … }}:`) produce by the thousand. The
// warning says nothing about the properties under test; keep the fuzz output readable.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === "string" ? warning : warning.message;
  if (text.startsWith("Keys with collection values will be stringified")) return;
  (emitWarning as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

// ------------------------------------------------------------------------------------------ corpus

export interface CorpusFile {
  /** Where it came from, for failure messages. */
  origin: string;
  path: string;
  text: string;
}

interface RuleExampleData {
  name?: string;
  file?: string;
  content?: string;
  fixed?: string;
}

function ruleExamples(): { origin: string; file: string; text: string }[] {
  const dir = join(ROOT, "rules");
  const out: { origin: string; file: string; text: string }[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".yaml")).sort()) {
    const data = parse(readFileSync(join(dir, f), "utf8")) as { examples?: { failing?: RuleExampleData[]; passing?: RuleExampleData[] } } | null;
    const examples = [...(data?.examples?.failing ?? []), ...(data?.examples?.passing ?? [])];
    examples.forEach((ex, i) => {
      const file = ex.file ?? "manifest.yaml";
      if (typeof ex.content === "string") out.push({ origin: `rules/${f} example ${i} (${ex.name ?? ""})`, file, text: ex.content });
      if (typeof ex.fixed === "string") out.push({ origin: `rules/${f} example ${i} fixed`, file, text: ex.fixed });
    });
  }
  return out;
}

function isDockerfileName(file: string): boolean {
  return /(^|\/)(Dockerfile|Containerfile)([.-][^/]*)?$|\.dockerfile$/i.test(file);
}

function load(): { manifests: CorpusFile[]; dockerfiles: CorpusFile[] } {
  const manifests: CorpusFile[] = [];
  const dockerfiles: CorpusFile[] = [];
  for (const ex of ruleExamples()) {
    const entry = { origin: ex.origin, path: ex.file, text: ex.text };
    if (isDockerfileName(ex.file)) dockerfiles.push(entry);
    else manifests.push(entry);
  }
  for (const f of readdirSync(join(ROOT, "examples")).sort()) {
    const text = readFileSync(join(ROOT, "examples", f), "utf8");
    (isDockerfileName(f) ? dockerfiles : manifests).push({ origin: `examples/${f}`, path: f, text });
  }
  const deploy = [
    ["deploy/kubernetes/bulwark.yaml", "deploy/kubernetes/bulwark.yaml"],
    ["deploy/Dockerfile", "Dockerfile"],
    ["deploy/helm/bulwark/values.yaml", "chart/values.yaml"],
    ["deploy/helm/bulwark/templates/deployment.yaml", "chart/templates/deployment.yaml"],
  ] as const;
  for (const [src, path] of deploy) {
    let text: string;
    try {
      text = readFileSync(join(ROOT, src), "utf8");
    } catch {
      continue;
    }
    (isDockerfileName(path) ? dockerfiles : manifests).push({ origin: src, path, text });
  }
  return { manifests, dockerfiles };
}

export const CORPUS = load();

// ------------------------------------------------------------------------------------------ mutators

/** Fragments that tend to break YAML, Go templates, shells and Dockerfile parsers. */
export const NASTY = [
  "\t", "&", "*", "&a ", "*a", "<<: *a", "{{", "}}", "{{ .Values.x }}", "{{- if .X }}", "{{ end }}", ":", ": ", "- ", "-", "? ",
  "---\n", "...\n", "#", " # c", "'", '"', "|", "|-\n", ">", "!!binary ", "!!str ", "!foo ", "%YAML 1.1\n", "@", "`", "\\", "\\\n",
  "[", "]", "{", "}", ",", "\r", "\r\n", "\n", "\u0000", "\uFEFF", "\u2028", "\u00a0", "\uD800", "😀", "é", "null", "~", "0x1F", "1e400",
  "-.inf", ".nan", "yes", "0777", "${A}", "$(id)", "&&", ";", "| sh", "FROM ", "RUN ", "USER 0", "ARG X=1\n", "COPY . .", "ONBUILD ", "# syntax=x\n",
  "# bulwark:ignore ", "# bulwark:ignore K8S-RUNTIME-001", "bulwark.dev/ignore: ", "apiVersion: v1\n", "kind: Pod\n", "containers:", "securityContext:",
  "image: ", "privileged: true", "hostPath:", "runAsUser: 0", "  ", "    ",
] as const;

export type Mutation =
  | { op: "delete"; at: number }
  | { op: "duplicate"; at: number }
  | { op: "swap"; at: number; with: number }
  | { op: "indent"; at: number; delta: number }
  | { op: "tabify"; at: number }
  | { op: "insert"; at: number; text: string }
  | { op: "truncate"; at: number }
  | { op: "crlf" }
  | { op: "bom" }
  | { op: "strip-final-newline" };

const insertText = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6, unit: "binary" }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...NASTY), { minLength: 2, maxLength: 4 }).map((a) => a.join("")) },
);

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("duplicate" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("swap" as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ op: fc.constant("indent" as const), at: fc.nat(), delta: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ op: fc.constant("tabify" as const), at: fc.nat() }),
  { weight: 3, arbitrary: fc.record({ op: fc.constant("insert" as const), at: fc.nat(), text: insertText }) },
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.constant({ op: "crlf" as const }),
  fc.constant({ op: "bom" as const }),
  fc.constant({ op: "strip-final-newline" as const }),
);

/** Apply one mutation. Positions are taken modulo the current size, so any nat is valid. */
export function mutate(text: string, m: Mutation): string {
  const lines = text.split("\n");
  const li = (n: number) => n % lines.length;
  switch (m.op) {
    case "delete":
      if (lines.length > 1) lines.splice(li(m.at), 1);
      else return "";
      return lines.join("\n");
    case "duplicate": {
      const i = li(m.at);
      lines.splice(i, 0, lines[i]);
      return lines.join("\n");
    }
    case "swap": {
      const a = li(m.at);
      const b = li(m.with);
      [lines[a], lines[b]] = [lines[b], lines[a]];
      return lines.join("\n");
    }
    case "indent": {
      const i = li(m.at);
      lines[i] = m.delta >= 0 ? " ".repeat(m.delta) + lines[i] : lines[i].replace(new RegExp(`^ {0,${-m.delta}}`), "");
      return lines.join("\n");
    }
    case "tabify": {
      const i = li(m.at);
      lines[i] = lines[i].replace(/^( +)/, (s) => "\t".repeat(Math.max(1, s.length >> 1)));
      return lines.join("\n");
    }
    case "insert": {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.text + text.slice(at);
    }
    case "truncate":
      return text.slice(0, m.at % (text.length + 1));
    case "crlf":
      return text.replace(/\r?\n/g, "\r\n");
    case "bom":
      return text.startsWith("\uFEFF") ? text : `\uFEFF${text}`;
    case "strip-final-newline":
      return text.replace(/\r?\n$/, "");
  }
}

export function mutateAll(text: string, ms: readonly Mutation[]): string {
  return ms.reduce(mutate, text);
}

/** A corpus entry damaged by 1..maxMutations mutations; keeps its origin and mutations for messages. */
export function mutatedFrom(corpus: readonly CorpusFile[], maxMutations = 6) {
  return fc
    .tuple(fc.nat({ max: corpus.length - 1 }), fc.array(mutationArb, { minLength: 0, maxLength: maxMutations }))
    .map(([i, ms]) => ({ origin: corpus[i].origin, path: corpus[i].path, mutations: ms, text: mutateAll(corpus[i].text, ms) }));
}

/** Lines as the engine counts them ("\n"-separated; a final "\n" opens an empty last line). */
export function lineLengths(text: string): number[] {
  return text.split("\n").map((l) => l.length);
}
