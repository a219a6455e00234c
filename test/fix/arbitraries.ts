// fast-check generators for Deployment-like manifests written in many YAML styles, plus the
// securityContext ops rules emit on them. The text is produced by a small hand-written emitter
// (never by `yaml`), so the planner meets spellings real people write.
import fc from "fast-check";
import { isMap, isSeq, parseAllDocuments, visit } from "yaml";
import type { FixOp, Path } from "../../src/core/fix/ops.js";

export interface TextStyle {
  indent: 2 | 4;
  flushSequences: boolean;
  crlf: boolean;
  finalNewline: boolean;
  bom: boolean;
  quote: "plain" | "single" | "double";
  padFlow: boolean;
  leadingMarker: boolean;
  endMarker: boolean;
  docBefore: boolean;
  docAfter: boolean;
}

type ScState =
  | { kind: "missing" }
  | { kind: "null"; tilde: boolean; comment: boolean }
  | { kind: "emptyFlow"; comment: boolean }
  | { kind: "flow"; entries: ScEntries }
  | { kind: "block"; entries: ScEntries; listsFlow: boolean };

interface ScEntries {
  runAsNonRoot?: boolean;
  privileged?: boolean;
  runAsUser?: number;
  procMount?: string;
  capabilities?: { add?: string[]; drop?: string[] };
}

interface ContainerModel {
  name: string;
  image: string;
  sc: ScState;
  portsAfter: boolean;
  commentAbove: boolean;
  trailingComment: boolean;
}

/** Re-serialise with `yaml` using these options: reaches multi-line flow collections and more. */
export interface Restyle {
  indent: 2 | 3 | 4;
  indentSeq: boolean;
  flowCollectionPadding: boolean;
  singleQuote: boolean;
  /** Collections at this depth or deeper are written in flow style. */
  flowDepth: number;
  lineWidth: number;
}

export interface ManifestModel {
  style: TextStyle;
  restyle?: Restyle | undefined;
  name: string;
  hostNetwork: boolean;
  hostNetworkComment: boolean;
  podSc: ScState;
  containers: ContainerModel[];
}

export interface Scenario {
  text: string;
  /** Index of the Deployment among the file's documents. */
  deploymentDoc: number;
  /** Ops per document index. */
  ops: Map<number, FixOp[]>;
  model: ManifestModel;
}

const capability = fc.constantFrom("NET_RAW", "NET_ADMIN", "SYS_TIME", "CHOWN", "ALL");

const scEntries: fc.Arbitrary<ScEntries> = fc.record(
  {
    runAsNonRoot: fc.boolean(),
    privileged: fc.boolean(),
    runAsUser: fc.constantFrom(0, 1000, 65532),
    procMount: fc.constantFrom("Default", "Unmasked"),
    capabilities: fc.record(
      { add: fc.array(capability, { minLength: 1, maxLength: 3 }), drop: fc.array(capability, { minLength: 1, maxLength: 2 }) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

const scState: fc.Arbitrary<ScState> = fc.oneof(
  { arbitrary: fc.constant<ScState>({ kind: "missing" }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("null" as const), tilde: fc.boolean(), comment: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("emptyFlow" as const), comment: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("flow" as const), entries: scEntries }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("block" as const), entries: scEntries, listsFlow: fc.boolean() }), weight: 3 },
);

const textStyle: fc.Arbitrary<TextStyle> = fc.record({
  indent: fc.constantFrom(2 as const, 4 as const),
  flushSequences: fc.boolean(),
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
  bom: fc.boolean(),
  quote: fc.constantFrom("plain" as const, "single" as const, "double" as const),
  padFlow: fc.boolean(),
  leadingMarker: fc.boolean(),
  endMarker: fc.boolean(),
  docBefore: fc.boolean(),
  docAfter: fc.boolean(),
});

const container: fc.Arbitrary<ContainerModel> = fc.record({
  name: fc.constantFrom("app", "sidecar", "init-db"),
  image: fc.constantFrom("nginx:1.27", "busybox:1.36", "ghcr.io/acme/api:2.0"),
  sc: scState,
  portsAfter: fc.boolean(),
  commentAbove: fc.boolean(),
  trailingComment: fc.boolean(),
});

const restyle: fc.Arbitrary<Restyle> = fc.record({
  indent: fc.constantFrom(2 as const, 3 as const, 4 as const),
  indentSeq: fc.boolean(),
  flowCollectionPadding: fc.boolean(),
  singleQuote: fc.boolean(),
  flowDepth: fc.integer({ min: 3, max: 9 }),
  lineWidth: fc.constantFrom(20, 40, 80),
});

export const manifestModel: fc.Arbitrary<ManifestModel> = fc.record({
  style: textStyle,
  restyle: fc.option(restyle, { nil: undefined, freq: 3 }),
  name: fc.constantFrom("web", "api", "true", "on"),
  hostNetwork: fc.boolean(),
  hostNetworkComment: fc.boolean(),
  podSc: scState,
  containers: fc.array(container, { minLength: 1, maxLength: 3 }),
});

// ---------------------------------------------------------------------------------------------
// Text emitter

class Writer {
  readonly lines: string[] = [];
  constructor(readonly style: TextStyle) {}

  line(column: number, text: string): void {
    this.lines.push(" ".repeat(column) + text);
  }

  quote(value: string): string {
    const needs = /^(true|false|on|off|yes|no|null|~|[0-9].*)$/i.test(value) || /[:#{}[\],]/.test(value);
    if (this.style.quote === "single" || (needs && this.style.quote === "plain")) return `'${value}'`;
    if (this.style.quote === "double") return `"${value}"`;
    return value;
  }

  flowList(items: readonly string[]): string {
    const inner = items.join(", ");
    return this.style.padFlow ? `[ ${inner} ]` : `[${inner}]`;
  }

  flowMap(parts: readonly string[]): string {
    if (parts.length === 0) return "{}";
    const inner = parts.join(", ");
    return this.style.padFlow ? `{ ${inner} }` : `{${inner}}`;
  }

  get seqOffset(): number {
    return this.style.flushSequences ? 0 : this.style.indent;
  }
}

function writeSc(w: Writer, column: number, key: string, sc: ScState): void {
  switch (sc.kind) {
    case "missing":
      return;
    case "null":
      w.line(column, `${key}:${sc.tilde ? " ~" : ""}${sc.comment ? " # to harden" : ""}`);
      return;
    case "emptyFlow":
      w.line(column, `${key}: {}${sc.comment ? " # to harden" : ""}`);
      return;
    case "flow":
      w.line(column, `${key}: ${w.flowMap(flowScParts(w, sc.entries))}`);
      return;
    case "block":
      writeBlockSc(w, column, key, sc.entries, sc.listsFlow);
      return;
  }
}

function flowScParts(w: Writer, e: ScEntries): string[] {
  const parts: string[] = [];
  if (e.runAsNonRoot !== undefined) parts.push(`runAsNonRoot: ${e.runAsNonRoot}`);
  if (e.privileged !== undefined) parts.push(`privileged: ${e.privileged}`);
  if (e.runAsUser !== undefined) parts.push(`runAsUser: ${e.runAsUser}`);
  if (e.procMount !== undefined) parts.push(`procMount: ${w.quote(e.procMount)}`);
  if (e.capabilities) {
    const caps: string[] = [];
    if (e.capabilities.add) caps.push(`add: ${w.flowList(e.capabilities.add)}`);
    if (e.capabilities.drop) caps.push(`drop: ${w.flowList(e.capabilities.drop)}`);
    parts.push(`capabilities: ${w.flowMap(caps)}`);
  }
  return parts;
}

function writeBlockSc(w: Writer, column: number, key: string, e: ScEntries, listsFlow: boolean): void {
  const inner = column + w.style.indent;
  const keys = Object.keys(e).length;
  if (keys === 0) {
    w.line(column, `${key}: {}`);
    return;
  }
  w.line(column, `${key}:`);
  if (e.runAsNonRoot !== undefined) w.line(inner, `runAsNonRoot: ${e.runAsNonRoot} # checked`);
  if (e.privileged !== undefined) {
    w.line(inner, "# privileged for debugging");
    w.line(inner, `privileged: ${e.privileged}`);
  }
  if (e.runAsUser !== undefined) w.line(inner, `runAsUser: ${e.runAsUser}`);
  if (e.procMount !== undefined) w.line(inner, `procMount: ${w.quote(e.procMount)}`);
  if (e.capabilities) {
    const caps = e.capabilities;
    if (!caps.add && !caps.drop) {
      w.line(inner, "capabilities: {}");
      return;
    }
    w.line(inner, "capabilities:");
    for (const list of ["add", "drop"] as const) {
      const items = caps[list];
      if (!items) continue;
      if (listsFlow) {
        w.line(inner + w.style.indent, `${list}: ${w.flowList(items)}`);
        continue;
      }
      w.line(inner + w.style.indent, `${list}:`);
      for (const item of items) w.line(inner + w.style.indent + w.seqOffset, `- ${item}`);
      w.line(inner + w.style.indent + w.seqOffset + 2, "# end of list");
    }
  }
}

function writeDeployment(w: Writer, m: ManifestModel): void {
  const step = w.style.indent;
  w.line(0, "apiVersion: apps/v1");
  w.line(0, "kind: Deployment # workload");
  w.line(0, "metadata:");
  w.line(step, `name: ${w.quote(m.name)}`);
  w.line(0, "spec:");
  w.line(step, "template:");
  w.line(2 * step, "spec:");
  const pod = 3 * step;
  if (m.hostNetwork) {
    if (m.hostNetworkComment) w.line(pod, "# needed by the CNI");
    w.line(pod, "hostNetwork: true");
  }
  writeSc(w, pod, "securityContext", m.podSc);
  w.line(pod, "containers:");
  const dash = pod + w.seqOffset;
  for (const c of m.containers) {
    if (c.commentAbove) w.line(dash, `# container ${c.name}`);
    w.line(dash, `- name: ${w.quote(c.name)}${c.trailingComment ? " # main" : ""}`);
    const content = dash + 2;
    w.line(content, `image: ${w.quote(c.image)}`);
    if (!c.portsAfter) writePorts(w, content);
    writeSc(w, content, "securityContext", c.sc);
    if (c.portsAfter) writePorts(w, content);
  }
}

function writePorts(w: Writer, column: number): void {
  w.line(column, "ports:");
  w.line(column + w.seqOffset, "- containerPort: 8080");
}

function writeConfigMap(w: Writer): void {
  w.line(0, "apiVersion: v1");
  w.line(0, "kind: ConfigMap");
  w.line(0, "metadata:");
  w.line(w.style.indent, "name: settings");
  w.line(0, "data:");
  w.line(w.style.indent, `mode: ${w.quote("strict")}`);
}

export function renderManifest(m: ManifestModel): { text: string; deploymentDoc: number; configDocs: number[] } {
  const w = new Writer(m.style);
  const configDocs: number[] = [];
  let doc = 0;
  if (m.style.leadingMarker || m.style.docBefore) w.lines.push("---");
  if (m.style.docBefore) {
    writeConfigMap(w);
    configDocs.push(doc++);
    w.lines.push(m.style.endMarker ? "..." : "---");
    if (m.style.endMarker) w.lines.push("---");
  }
  const deploymentDoc = doc++;
  writeDeployment(w, m);
  if (m.style.docAfter) {
    w.lines.push(m.style.endMarker ? "..." : "---");
    if (m.style.endMarker) w.lines.push("---");
    writeConfigMap(w);
    configDocs.push(doc);
  }
  const eol = m.style.crlf ? "\r\n" : "\n";
  const lines = m.restyle ? restyled(w.lines.join("\n"), m.restyle).replace(/\n$/, "").split("\n") : w.lines;
  const body = lines.join(eol) + (m.style.finalNewline ? eol : "");
  return { text: (m.style.bom ? "\uFEFF" : "") + body, deploymentDoc, configDocs };
}

function restyled(text: string, options: Restyle): string {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return text;
  for (const doc of docs) {
    visit(doc, {
      Collection(_key, node, path) {
        const depth = path.filter((p) => isMap(p) || isSeq(p)).length;
        if (depth >= options.flowDepth) node.flow = true;
      },
    });
  }
  const { flowDepth: _flowDepth, ...toString } = options;
  return docs.map((doc) => doc.toString(toString)).join("");
}

// ---------------------------------------------------------------------------------------------
// Ops

type OpChoice = (m: ManifestModel, scPath: Path, sc: ScState) => FixOp | undefined;

const CONTAINER_OPS: Record<string, OpChoice> = {
  runAsNonRoot: (_m, p) => ({ op: "set", path: [...p, "runAsNonRoot"], value: true }),
  allowPrivilegeEscalation: (_m, p) => ({ op: "set", path: [...p, "allowPrivilegeEscalation"], value: false }),
  readOnlyRootFilesystem: (_m, p) => ({ op: "set", path: [...p, "readOnlyRootFilesystem"], value: true }),
  seccomp: (_m, p) => ({ op: "set", path: [...p, "seccompProfile", "type"], value: "RuntimeDefault" }),
  runAsUser: (_m, p) => ({ op: "set", path: [...p, "runAsUser"], value: 10001 }),
  procMount: (_m, p) => ({ op: "set", path: [...p, "procMount"], value: "Default" }),
  unprivileged: (_m, p) => ({ op: "set", path: [...p, "privileged"], value: false }),
  deletePrivileged: (_m, p) => ({ op: "delete", path: [...p, "privileged"] }),
  dropAll: (_m, p, sc) => {
    const entries = sc.kind === "flow" || sc.kind === "block" ? sc.entries : undefined;
    return entries?.capabilities?.drop
      ? { op: "append", path: [...p, "capabilities", "drop"], value: "ALL" }
      : { op: "set", path: [...p, "capabilities", "drop"], value: ["ALL"] };
  },
  deleteAdd: (_m, p, sc) => {
    const entries = sc.kind === "flow" || sc.kind === "block" ? sc.entries : undefined;
    const add = entries?.capabilities?.add;
    return add ? { op: "delete", path: [...p, "capabilities", "add", add.length - 1] } : undefined;
  },
  annotation: (_m, p) => ({ op: "set", path: [...p, "seLinuxOptions", "level"], value: "s0:c123,c456" }),
};

/** Privileged: set and delete of the same key are never in one batch. */
const EXCLUSIVE = [["unprivileged", "deletePrivileged"]];

const POD_OPS: Record<string, (m: ManifestModel) => FixOp> = {
  deleteHostNetwork: () => ({ op: "delete", path: ["spec", "template", "spec", "hostNetwork"] }),
  podSeccomp: () => ({ op: "set", path: ["spec", "template", "spec", "securityContext", "seccompProfile", "type"], value: "RuntimeDefault" }),
  podNonRoot: () => ({ op: "set", path: ["spec", "template", "spec", "securityContext", "runAsNonRoot"], value: true }),
  automount: () => ({ op: "set", path: ["spec", "template", "spec", "automountServiceAccountToken"], value: false }),
  label: () => ({ op: "set", path: ["metadata", "labels", "app.kubernetes.io/name"], value: "true" }),
};

const containerOpNames = fc.subarray(Object.keys(CONTAINER_OPS)).filter((names) => EXCLUSIVE.every((pair) => !pair.every((n) => names.includes(n))));

export const scenario: fc.Arbitrary<Scenario> = manifestModel.chain((model) =>
  fc
    .record({
      perContainer: fc.tuple(...model.containers.map(() => containerOpNames)),
      pod: fc.subarray(Object.keys(POD_OPS)),
      configOp: fc.boolean(),
      seed: fc.integer(),
    })
    .map(({ perContainer, pod, configOp, seed }) => {
      const { text, deploymentDoc, configDocs } = renderManifest(model);
      const deployOps: FixOp[] = [];
      model.containers.forEach((c, i) => {
        const scPath: Path = ["spec", "template", "spec", "containers", i, "securityContext"];
        for (const name of perContainer[i] ?? []) {
          const op = CONTAINER_OPS[name]!(model, scPath, c.sc);
          if (op) deployOps.push(op);
        }
      });
      for (const name of pod) deployOps.push(POD_OPS[name]!(model));
      const ops = new Map<number, FixOp[]>([[deploymentDoc, shuffle(deployOps, seed)]]);
      if (configOp && configDocs.length > 0) {
        ops.set(configDocs[0]!, [{ op: "set", path: ["metadata", "labels", "tier"], value: "config" }]);
      }
      return { text, deploymentDoc, ops, model };
    }),
);

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Adversarial ops: random existing paths of the rendered manifest, tricky keys and values.

export interface Pick {
  kind: "delete" | "setScalar" | "setNewKey" | "append" | "rename";
  target: number;
  value: number;
  key: number;
}

export const TRICKY_VALUES: readonly unknown[] = [
  true, false, 0, 10001, -1, 1.5, null, "RuntimeDefault", "true", "on", "no", "1.10", "0755", "a: b", "#x", "it's",
  'say "hi"', "", "  padded", "multi\nline", "café ☕", "x,y", "[x]", "{x}", "- x", "*alias", "&anchor", "!tag", "%dir",
  "@at", "`tick", "|", ">", "---", "...", "? q", "a #b", "tab\there", {}, [], { a: 1 }, ["ALL"], { drop: ["ALL"], add: [] },
  [{ name: "x", value: "y" }], [[1, 2]], { nested: { deep: { v: "x: y" } } },
];

export const TRICKY_KEYS: readonly string[] = ["newKey", "with space", "x:y", "true", "1", "-dash", "#hash", "ünï", "a.b/c", "", "null", "k'q"];

export const adversarial = fc.record({
  model: manifestModel,
  picks: fc.array(
    fc.record({
      kind: fc.constantFrom("delete" as const, "setScalar" as const, "setNewKey" as const, "append" as const, "rename" as const),
      target: fc.nat(),
      value: fc.nat(),
      key: fc.nat(),
    }),
    { minLength: 1, maxLength: 6 },
  ),
});

type Located = { path: Path; value: unknown };

/** Every path in `data` (depth-first), with the value found there. */
export function allPaths(data: unknown, prefix: Path = []): Located[] {
  const out: Located[] = [{ path: prefix, value: data }];
  if (Array.isArray(data)) data.forEach((item, i) => out.push(...allPaths(item, [...prefix, i])));
  else if (data && typeof data === "object") {
    for (const [k, v] of Object.entries(data)) out.push(...allPaths(v, [...prefix, k]));
  }
  return out;
}

/** Turns picks into ops on the document whose plain data is `data`. */
export function opsFromPicks(data: unknown, picks: readonly Pick[]): FixOp[] {
  const paths = allPaths(data).filter((p) => p.path.length > 0);
  const of = <T>(list: readonly T[], n: number): T => list[n % list.length]!;
  const ops: FixOp[] = [];
  for (const pick of picks) {
    const target = of(paths, pick.target);
    const isCollection = target.value !== null && typeof target.value === "object";
    switch (pick.kind) {
      case "delete":
        ops.push({ op: "delete", path: target.path });
        break;
      case "setScalar": {
        const scalars = TRICKY_VALUES.filter((v) => v === null || typeof v !== "object");
        if (!isCollection) ops.push({ op: "set", path: target.path, value: of(scalars, pick.value) });
        break;
      }
      case "setNewKey": {
        const maps = paths.filter((p) => p.value !== null && typeof p.value === "object" && !Array.isArray(p.value));
        const map = of(maps, pick.target);
        ops.push({ op: "set", path: [...map.path, of(TRICKY_KEYS, pick.key)], value: of(TRICKY_VALUES, pick.value) });
        break;
      }
      case "append": {
        const seqs = paths.filter((p) => Array.isArray(p.value));
        const seq = of(seqs, pick.target);
        ops.push({ op: "append", path: seq.path, value: of(TRICKY_VALUES, pick.value) });
        break;
      }
      case "rename":
        if (typeof target.path[target.path.length - 1] === "string") {
          ops.push({ op: "rename", path: target.path, newKey: of(TRICKY_KEYS, pick.key) });
        }
        break;
    }
  }
  return ops;
}
