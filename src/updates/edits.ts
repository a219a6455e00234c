// Byte-preserving edits for a dependency update. YAML goes through the engine's planner
// (`planYamlEdits`: keeps quoting, comments, CRLF); Dockerfile FROM lines and ARG defaults are
// spliced segment by segment so that `ARG PY=3.11.4` + `FROM python:${PY}-slim-bookworm`
// becomes `ARG PY=3.11.9` + `FROM python:${PY}-slim-trixie`.
import type { Document } from "yaml";
import type { FixOp } from "../core/fix/ops.js";
import { mergeEdits } from "../core/fix/apply.js";
import { parseYamlForEdits, planYamlEdits } from "../core/fix/yaml-edit.js";
import { formatImageRef } from "../core/image/reference.js";
import type { TextEdit } from "../core/types.js";
import type { Dependency, TextSegment } from "./types.js";

export interface NewValues {
  /** New tag (images). */
  tag?: string;
  /** New digest; null removes a pinned digest. Undefined keeps whatever is pinned. */
  digest?: string | null;
  /** New chart version or range. */
  version?: string;
}

export type EditResult = { ok: true; edits: TextEdit[] } | { ok: false; reason: string };

/** Parsed documents per file text, so many updates of one file parse it once. */
export class EditContext {
  private readonly docs = new Map<string, Document.Parsed[]>();

  constructor(private readonly texts: ReadonlyMap<string, string>) {}

  text(path: string): string | undefined {
    return this.texts.get(path);
  }

  yamlDocs(path: string): Document.Parsed[] | undefined {
    const text = this.texts.get(path);
    if (text === undefined) return undefined;
    let d = this.docs.get(path);
    if (!d) {
      d = parseYamlForEdits(text);
      this.docs.set(path, d);
    }
    return d;
  }
}

/** The full new image reference (as written, with the new tag and digest). */
export function newImageRef(dep: Dependency, values: NewValues): string {
  if (!dep.image) throw new Error(`dependency ${dep.id} is not an image`);
  return formatImageRef(dep.image, {
    ...(values.tag !== undefined ? { tag: values.tag } : {}),
    ...(values.digest !== undefined ? { digest: values.digest } : {}),
  });
}

function scalarValue(text: string, numeric: boolean): string | number {
  if (numeric && /^\d+(?:\.\d+)?$/.test(text) && String(Number(text)) === text) return Number(text);
  return text;
}

export function planDependencyEdits(dep: Dependency, values: NewValues, ctx: EditContext): EditResult {
  const text = ctx.text(dep.path);
  if (text === undefined) return { ok: false, reason: `${dep.path} is not among the files read` };
  const edit = dep.edit;
  if (edit.type === "text") return planSegmentEdits(dep, values, edit.segments);

  const docs = ctx.yamlDocs(dep.path);
  const doc = docs?.[edit.docIndex];
  if (!doc) return { ok: false, reason: `document ${edit.docIndex + 1} of ${dep.path} could not be read` };
  const ops: FixOp[] = [];
  const numeric = new Set(edit.numeric ?? []);
  if (edit.ref && dep.image) ops.push({ op: "set", path: edit.ref, value: newImageRef(dep, values) });
  if (edit.tag && values.tag !== undefined) {
    const written = String(doc.getIn(edit.tag) ?? "");
    // A tag scalar that carries the digest (`1.2.3@sha256:…`) is rewritten whole.
    if (written.includes("@")) {
      const digest = values.digest === undefined ? dep.currentDigest : values.digest;
      ops.push({ op: "set", path: edit.tag, value: digest ? `${values.tag}@${digest}` : values.tag });
    } else {
      ops.push({ op: "set", path: edit.tag, value: scalarValue(values.tag, numeric.has("tag")) });
    }
  }
  if (edit.digest && values.digest !== undefined) ops.push({ op: "set", path: edit.digest, value: values.digest ?? "" });
  if (edit.version && values.version !== undefined) ops.push({ op: "set", path: edit.version, value: scalarValue(values.version, numeric.has("version")) });
  if (ops.length === 0) return { ok: true, edits: [] };
  try {
    const plan = planYamlEdits(text, doc, ops, dep.path);
    if (plan.failed.length > 0) return { ok: false, reason: `cannot edit ${dep.path} safely: ${plan.failed[0]!.reason}` };
    return { ok: true, edits: plan.edits };
  } catch (err) {
    return { ok: false, reason: `cannot edit ${dep.path}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Tokens for the diff: digit runs, letter runs, single other characters. */
function tokenize(s: string): string[] {
  return s.match(/\d+|[A-Za-z]+|[^A-Za-z\d]/g) ?? [];
}

interface Hunk {
  /** Offsets in the old and new strings. */
  oldStart: number;
  oldEnd: number;
  newStart: number;
  newEnd: number;
}

/** Token-level LCS diff of two short strings into replacement hunks. */
export function diffHunks(a: string, b: string): Hunk[] {
  const ta = tokenize(a);
  const tb = tokenize(b);
  const n = ta.length;
  const m = tb.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = ta[i] === tb[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const hunks: Hunk[] = [];
  let i = 0;
  let j = 0;
  let oa = 0;
  let ob = 0;
  let open: Hunk | undefined;
  const close = () => {
    if (open) hunks.push(open);
    open = undefined;
  };
  while (i < n || j < m) {
    if (i < n && j < m && ta[i] === tb[j]) {
      close();
      oa += ta[i]!.length;
      ob += tb[j]!.length;
      i++;
      j++;
      continue;
    }
    open ??= { oldStart: oa, oldEnd: oa, newStart: ob, newEnd: ob };
    if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      ob += tb[j]!.length;
      open.newEnd = ob;
      j++;
    } else {
      oa += ta[i]!.length;
      open.oldEnd = oa;
      i++;
    }
  }
  close();
  return hunks;
}

function planSegmentEdits(dep: Dependency, values: NewValues, segments: readonly TextSegment[]): EditResult {
  const oldText = segments.map((s) => s.text).join("");
  const newText = newImageRef(dep, values);
  if (oldText === newText) return { ok: true, edits: [] };
  // Where each segment sits in the resolved string.
  const spans: { seg: TextSegment; from: number; to: number }[] = [];
  let at = 0;
  for (const seg of segments) {
    spans.push({ seg, from: at, to: at + seg.text.length });
    at += seg.text.length;
  }
  const groups = new Map<number, { oldStart: number; oldEnd: number; newStart: number; newEnd: number }>();
  for (const h of diffHunks(oldText, newText)) {
    let idx: number;
    if (h.oldStart === h.oldEnd) {
      // Pure insertion: inside a segment, or at a boundary (prefer the literal FROM text).
      const inside = spans.findIndex((s) => s.from < h.oldStart && h.oldStart < s.to);
      const touching = spans.map((s, k) => ({ s, k })).filter(({ s }) => s.from === h.oldStart || s.to === h.oldStart);
      idx = inside >= 0 ? inside : (touching.find(({ s }) => s.seg.origin === "literal")?.k ?? touching[0]?.k ?? -1);
    } else {
      idx = spans.findIndex((s) => s.from <= h.oldStart && h.oldEnd <= s.to);
    }
    if (idx < 0) {
      const names = spans.filter((s) => s.from < h.oldEnd && h.oldStart < s.to).map((s) => (s.seg.origin === "literal" ? "the FROM line" : `ARG ${s.seg.origin}`));
      return { ok: false, reason: `the change spans ${names.join(" and ")}: update it by hand` };
    }
    const g = groups.get(idx);
    if (g) {
      g.oldEnd = h.oldEnd;
      g.newEnd = h.newEnd;
    } else groups.set(idx, { ...h });
  }
  const edits: TextEdit[] = [];
  for (const [idx, g] of groups) {
    const { seg, from } = spans[idx]!;
    edits.push({ path: dep.path, start: seg.start + (g.oldStart - from), end: seg.start + (g.oldEnd - from), newText: newText.slice(g.newStart, g.newEnd) });
  }
  try {
    return { ok: true, edits: mergeEdits(edits) };
  } catch (err) {
    return { ok: false, reason: `conflicting edits: ${err instanceof Error ? err.message : String(err)}` };
  }
}
