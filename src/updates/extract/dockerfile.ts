// Dockerfile `FROM` lines: external base images of every stage, with ARG defaults expanded
// (`ARG PY=3.11` + `FROM python:${PY}-slim` edits the ARG, not the FROM line). Stage
// aliases (`FROM build`), `scratch` and bases that stay unresolved are skipped.
import type { From } from "dockerfile-ast";
import { parseDockerfile } from "../../core/parse/dockerfile.js";
import type { DockerfileModel } from "../../core/parse/dockerfile.js";
import type { Dependency, ExtractionResult, TextSegment } from "../types.js";
import { imageFields, parseImageForUpdate, skipped } from "./common.js";

interface ArgValue {
  /** Offsets of the default value's characters (quotes excluded). */
  start: number;
  end: number;
  value: string;
}

const VAR_RE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

export function extractDockerfile(path: string, text: string): ExtractionResult {
  const out: ExtractionResult = { dependencies: [], skipped: [] };
  let model: DockerfileModel;
  try {
    model = parseDockerfile(path, text);
  } catch {
    return out;
  }
  const offset = (p: { line: number; character: number }) => model.lines.offset(p.line + 1, p.character + 1);

  // Global ARG defaults with the offsets of their values (the last declaration wins, as in BuildKit).
  const args = new Map<string, ArgValue | null>();
  for (const instr of model.preamble) {
    if (instr.keyword !== "ARG") continue;
    const props = (instr.node as unknown as { getProperties?: () => ArgProperty[] }).getProperties?.() ?? [];
    for (const p of props) args.set(p.getName(), argValue(p, text, offset));
  }

  for (const stage of model.stages) {
    const from = stage.from.node as From;
    const imageRange = from.getImageRange();
    if (!imageRange) continue;
    const start = offset(imageRange.start);
    const end = offset(imageRange.end);
    const range = model.lines.range(start, end);
    const written = text.slice(start, end);
    if (stage.parentStage !== undefined) continue; // FROM <earlier stage>
    if (stage.image.toLowerCase() === "scratch" || stage.image === "") continue;

    const segments = buildSegments(written, start, args);
    if (typeof segments === "string") {
      out.skipped.push(skipped(path, range, "image", written, segments));
      continue;
    }
    const resolved = segments.map((s) => s.text).join("");
    const parsed = parseImageForUpdate(resolved);
    if (!parsed.ref || parsed.skip) {
      out.skipped.push(skipped(path, range, "image", resolved, parsed.skip ?? "not an image reference"));
      continue;
    }
    const dep: Dependency = {
      id: `${path}#stage${stage.index}`,
      path,
      range,
      ...imageFields(parsed.ref),
      source: "dockerfile",
      resource: { apiVersion: "dockerfile", kind: "Stage", name: stage.alias ?? `stage ${stage.index}` },
      edit: { type: "text", segments },
    };
    if (stage.platform && !stage.platform.includes("$")) dep.platform = stage.platform;
    out.dependencies.push(dep);
  }
  return out;
}

interface ArgProperty {
  getName(): string;
  getValue(): string | null;
  getValueRange(): { start: { line: number; character: number }; end: { line: number; character: number } } | null;
}

function argValue(p: ArgProperty, text: string, offset: (p: { line: number; character: number }) => number): ArgValue | null {
  const value = p.getValue();
  const r = p.getValueRange();
  if (value === null || value === "" || !r) return null;
  const start = offset(r.start);
  const end = offset(r.end);
  const raw = text.slice(start, end);
  if (raw === value) return { start, end, value };
  // `ARG BASE="python:3.11"`: the value sits inside the quotes when nothing is escaped.
  if (raw.length === value.length + 2 && /^(["']).*\1$/s.test(raw) && raw.slice(1, -1) === value) return { start: start + 1, end: end - 1, value };
  return null;
}

/** Split the written image into literal and ARG-default segments, or say why it cannot be edited. */
function buildSegments(written: string, base: number, args: Map<string, ArgValue | null>): TextSegment[] | string {
  const segments: TextSegment[] = [];
  let last = 0;
  const pushLiteral = (from: number, to: number) => {
    if (to > from) segments.push({ start: base + from, end: base + to, text: written.slice(from, to), origin: "literal" });
  };
  for (const m of written.matchAll(VAR_RE)) {
    const at = m.index;
    pushLiteral(last, at);
    last = at + m[0].length;
    const name = m[1] ?? m[3] ?? "";
    const arg = args.get(name);
    if (arg) {
      segments.push({ start: arg.start, end: arg.end, text: arg.value, origin: name });
      continue;
    }
    const dflt = m[2];
    if (dflt !== undefined && dflt !== "" && !dflt.includes("$")) {
      const dStart = at + m[0].indexOf("-", name.length + 2) + 1;
      segments.push({ start: base + dStart, end: base + dStart + dflt.length, text: dflt, origin: "literal" });
      continue;
    }
    return args.has(name) ? `ARG ${name} has no default (set at build time): cannot look it up` : `variable ${name} is not a global ARG with a default`;
  }
  pushLiteral(last, written.length);
  return segments;
}
