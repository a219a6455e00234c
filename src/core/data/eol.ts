// End-of-life lookups for image references (DOCKER-005, K8S-UPDATE-001).
//
// The data is rules/data/eol-snapshot.yaml compiled into ./generated/eol-snapshot.ts by
// scripts/gen-data.mjs: an import, not a file read, so the same code works from src/ (tsx,
// vitest), lib/ (tsc) and the esbuild bundle of the action, and core stays free of I/O.
// Everything is a pure function of (image, today, snapshot): no clock, no network.
import { EOL_SNAPSHOT_DATA } from "./generated/eol-snapshot.js";
import { formatImageRef, type ParsedImageRef } from "../image/reference.js";
import {
  formatOsToken,
  osTokenMatcher,
  parseTag,
  rewriteTag,
  type OsSuffixSpec,
  type OsTokenMatcher,
  type ParsedTag,
  type TagOs,
} from "../image/tag.js";

// ---- data shapes (rules/data/eol-snapshot.yaml; the file's header documents the semantics) ----

export interface EolCycle {
  /** Always a string: "3.10" is not 3.1. */
  cycle: string;
  /** Lower-case, as written in image tags (bookworm, jammy). */
  codename?: string;
  /** End of free security support: "YYYY-MM-DD", "YYYY-MM" (month precision), false (none announced), true (EOL, date unknown). */
  eol: string | boolean;
  /** End of LTS/ESM after `eol`; true = ongoing with no end date. */
  extendedSupport?: string | boolean;
  /** true, or the date the cycle becomes LTS. */
  lts?: boolean | string;
  /** End of active/standard support (informational). */
  support?: string | boolean;
  /** Provenance when the value is not from the catalog's transcription. */
  source?: string;
}

export type EolProductKind = "os" | "runtime" | "app";

export interface EolProduct {
  title: string;
  /** endoflife.date slug used by scripts/refresh-eol.mjs; null = curated by hand. */
  endoflife: string | null;
  kind: EolProductKind;
  /** Newest first; list order is what "newer" means (Amazon Linux 2018.03 is older than 2). */
  cycles: readonly EolCycle[];
  /** Unlisted cycles numerically <= this one are EOL (date unknown). */
  allEolUpTo?: string;
  /** Replacements suggest LTS cycles only. */
  preferLts?: boolean;
  /** Extended support (after `eol`) needs a paid subscription (Ubuntu ESM). */
  extendedSupportPaid?: boolean;
  /** Shown when there is nothing to upgrade to within the product. */
  advice?: string;
  /** Regex on cycle names kept by scripts/refresh-eol.mjs. */
  refreshCycleFilter?: string;
}

export interface EolImageMapping {
  product: string;
  /** Normalised registry/repository names (docker.io/library/node). */
  repositories?: readonly string[];
  /** Regex on the normalised name; with cycleFrom "repository" a named group `cycle` names the cycle. */
  repositoryPattern?: string;
  /** Where the cycle comes from; default "tag" (the tag's version). */
  cycleFrom?: "tag" | "repository" | "fixed";
  /** The cycle when cycleFrom is "fixed". */
  cycle?: string;
  /** Letters allowed before the tag's version number; default ["", "v"]. */
  tagPrefixes?: readonly string[];
  /** Pad replacement versions to this many parts (dotnet tags are "8.0"). */
  tagPrecision?: number;
  /** Human documentation of the tag shapes. */
  tags?: string;
}

export interface EolSnapshotData {
  snapshotDate: string;
  source: string;
  sourceRef: string;
  products: Readonly<Record<string, EolProduct>>;
  images: readonly EolImageMapping[];
  /** Prefixes under which Docker Hub's images are mirrored; <mirror>library/x is docker.io/library/x. */
  dockerHubMirrors: readonly string[];
  osSuffixes: readonly OsSuffixSpec[];
}

export const EOL_SNAPSHOT: EolSnapshotData = EOL_SNAPSHOT_DATA;

/** K8S-UPDATE-001 / DOCKER-005: "medium (EOL within 90 days …)". */
export const EOL_SOON_DAYS = 90;

// ---- results ----

/**
 * eol: past end of support (and of any extended support). lts-only: free support ended, only
 * LTS/ESM (possibly paid, see extendedSupportPaid) remains. eol-soon: ends within EOL_SOON_DAYS.
 */
export type EolStatus = "eol" | "eol-soon" | "lts-only" | "supported";

export interface EolReplacementCycle {
  cycle: string;
  codename?: string;
  eolDate: string | null;
}

export interface EolCycleInfo {
  /** Product key in the snapshot (python, debian …). */
  product: string;
  productTitle: string;
  cycle: string;
  codename?: string;
  status: EolStatus;
  /** null when no date is known: supported with no announced end, or EOL with the date unknown. */
  eolDate: string | null;
  /** Days from `today` to eolDate; negative once past. */
  daysUntilEol?: number;
  extendedSupportEnd?: string;
  extendedSupportPaid?: boolean;
  lts: boolean;
  /** The nearest newer cycle that is plainly supported (and LTS where the product prefers LTS). */
  replacement?: EolReplacementCycle;
  advice?: string;
  /** Provenance note of the cycle's data when it is not from the catalog transcription. */
  dataSource?: string;
  snapshotDate: string;
  /** Age of the snapshot at `today`, in whole days. */
  dataAgeDays: number;
}

export interface EolReplacement extends EolReplacementCycle {
  /** The new tag, when the image has one. */
  tag?: string;
  /**
   * The whole reference with EVERY component of this image that is not "supported" moved to
   * its replacement (python 3.8 AND buster → 3.11-slim-trixie), so following any one finding
   * yields a supported image. Written as the user wrote it; the digest is dropped (it pinned the
   * old tag). The version is the cycle (3.11), not a patch: the registry decides the exact tag.
   */
  image: string;
}

export interface EolResult extends EolCycleInfo {
  /** "image": the image itself is the product (python:3.8); "os-suffix": a tag token names the OS (-buster). */
  matchedBy: "image" | "os-suffix";
  /** The tag token or repository text that named the cycle. */
  token: string;
  replacement?: EolReplacement;
}

// ---- dates ----

const DAY_MS = 86_400_000;

function dateMs(d: string): number {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(d);
  if (!m) throw new Error(`invalid date "${d}" in EOL data`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, m[3] ? Number(m[3]) : 1);
}

function dayStart(today: Date): number {
  const t = today.getTime();
  if (Number.isNaN(t)) throw new RangeError("today is an invalid Date");
  return Math.floor(t / DAY_MS) * DAY_MS;
}

// ---- per-snapshot indexes (built once per snapshot object) ----

interface ImageMatcher {
  mapping: EolImageMapping;
  names: ReadonlySet<string>;
  re?: RegExp;
}

interface SnapshotIndex {
  os: OsTokenMatcher;
  images: ImageMatcher[];
}

const indexes = new WeakMap<EolSnapshotData, SnapshotIndex>();

function indexFor(snapshot: EolSnapshotData): SnapshotIndex {
  let idx = indexes.get(snapshot);
  if (!idx) {
    idx = {
      os: osTokenMatcher(snapshot.osSuffixes, snapshot.products),
      images: snapshot.images.map((mapping) => ({
        mapping,
        names: new Set(mapping.repositories ?? []),
        ...(mapping.repositoryPattern ? { re: new RegExp(mapping.repositoryPattern, "d") } : {}),
      })),
    };
    indexes.set(snapshot, idx);
  }
  return idx;
}

function canonicalKey(ref: ParsedImageRef, snapshot: EolSnapshotData): string {
  const key = `${ref.registry}/${ref.repository}`;
  for (const mirror of snapshot.dockerHubMirrors) {
    if (key.startsWith(mirror)) return `docker.io/${key.slice(mirror.length)}`;
  }
  return key;
}

// ---- cycle evaluation ----

function cycleParts(cycle: string): number[] | undefined {
  if (!/^\d+(?:\.\d+)*$/.test(cycle)) return undefined;
  return cycle.split(".").map(Number);
}

function compareParts(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

interface CycleRef {
  /** The listed cycle, or undefined for an unlisted cycle covered by allEolUpTo. */
  cycle?: EolCycle;
  name: string;
  index: number;
}

function findCycleByName(product: EolProduct, name: string): CycleRef | undefined {
  const index = product.cycles.findIndex((c) => c.cycle === name);
  if (index !== -1) return { cycle: product.cycles[index], name, index };
  const parts = cycleParts(name);
  const limit = product.allEolUpTo !== undefined ? cycleParts(product.allEolUpTo) : undefined;
  if (parts && limit && parts.length >= limit.length && compareParts(parts.slice(0, limit.length), limit) <= 0) {
    return { name, index: product.cycles.length };
  }
  return undefined;
}

/** Longest listed cycle that is a numeric prefix of the version (3.11.4 → "3.11"); a less precise version floats. */
function findCycleForVersion(product: EolProduct, release: string): CycleRef | undefined {
  const written = release.split(".");
  const parts = written.map(Number);
  let best: CycleRef | undefined;
  product.cycles.forEach((c, index) => {
    const cp = cycleParts(c.cycle);
    if (!cp || cp.length > parts.length || !cp.every((p, i) => p === parts[i])) return;
    if (!best || cp.length > (cycleParts(best.name)?.length ?? 0)) best = { cycle: c, name: c.cycle, index };
  });
  if (best) return best;
  const limit = product.allEolUpTo !== undefined ? cycleParts(product.allEolUpTo) : undefined;
  if (limit && parts.length >= limit.length) {
    const head = parts.slice(0, limit.length);
    // Name the cycle as written (ubuntu 21.04, not 21.4).
    if (compareParts(head, limit) <= 0) return { name: written.slice(0, limit.length).join("."), index: product.cycles.length };
  }
  return undefined;
}

function isLts(c: EolCycle, todayMs: number): boolean {
  if (c.lts === true) return true;
  return typeof c.lts === "string" && dateMs(c.lts) <= todayMs;
}

interface Evaluation {
  status: EolStatus;
  eolDate: string | null;
  daysUntilEol?: number;
  extendedSupportEnd?: string;
}

function evaluateCycle(c: EolCycle | undefined, todayMs: number): Evaluation {
  if (!c) return { status: "eol", eolDate: null };
  if (c.eol === false) return { status: "supported", eolDate: null };
  const ext = c.extendedSupport;
  const out: Evaluation = { status: "eol", eolDate: typeof c.eol === "string" ? c.eol : null };
  if (typeof ext === "string") out.extendedSupportEnd = ext;
  if (typeof c.eol === "string") {
    const days = Math.round((dateMs(c.eol) - todayMs) / DAY_MS);
    out.daysUntilEol = days;
    if (days > EOL_SOON_DAYS) return { ...out, status: "supported" };
    if (days > 0) return { ...out, status: "eol-soon" };
  }
  const extendedOngoing = ext === true || (typeof ext === "string" && dateMs(ext) > todayMs);
  return { ...out, status: extendedOngoing ? "lts-only" : "eol" };
}

function replacementFor(
  product: EolProduct,
  current: CycleRef,
  todayMs: number,
  needCodename: boolean,
): { cycle: EolCycle; eolDate: string | null } | undefined {
  // Nearest newer first: walk from just above the current cycle towards the newest.
  for (let i = Math.min(current.index, product.cycles.length) - 1; i >= 0; i--) {
    const c = product.cycles[i]!;
    if (evaluateCycle(c, todayMs).status !== "supported") continue;
    if (product.preferLts && !isLts(c, todayMs)) continue;
    if (needCodename && !c.codename) continue;
    if (!cycleParts(c.cycle) && !needCodename) continue;
    return { cycle: c, eolDate: typeof c.eol === "string" ? c.eol : null };
  }
  return undefined;
}

function padVersion(cycle: string, precision: number | undefined): string {
  const parts = cycle.split(".");
  while (precision !== undefined && parts.length < precision) parts.push("0");
  return parts.join(".");
}

// ---- lookups ----

function baseInfo(
  snapshot: EolSnapshotData,
  key: string,
  product: EolProduct,
  ref: CycleRef,
  todayMs: number,
): Omit<EolCycleInfo, "replacement"> {
  const ev = evaluateCycle(ref.cycle, todayMs);
  const info: Omit<EolCycleInfo, "replacement"> = {
    product: key,
    productTitle: product.title,
    cycle: ref.name,
    status: ev.status,
    eolDate: ev.eolDate,
    lts: ref.cycle ? isLts(ref.cycle, todayMs) : false,
    snapshotDate: snapshot.snapshotDate,
    dataAgeDays: Math.floor((todayMs - dateMs(snapshot.snapshotDate)) / DAY_MS),
  };
  if (ref.cycle?.codename) info.codename = ref.cycle.codename;
  if (ev.daysUntilEol !== undefined) info.daysUntilEol = ev.daysUntilEol;
  if (ev.extendedSupportEnd !== undefined) {
    info.extendedSupportEnd = ev.extendedSupportEnd;
    info.extendedSupportPaid = product.extendedSupportPaid ?? false;
  }
  if (product.advice) info.advice = product.advice;
  if (ref.cycle?.source) info.dataSource = ref.cycle.source;
  return info;
}

/** Status of one product cycle ("python", "3.8"), for callers that already know the product. */
export function lookupEolCycle(
  productKey: string,
  cycle: string,
  today: Date,
  snapshot: EolSnapshotData = EOL_SNAPSHOT,
): EolCycleInfo | undefined {
  const product = snapshot.products[productKey];
  if (!product) return undefined;
  const ref = findCycleByName(product, cycle);
  if (!ref) return undefined;
  const todayMs = dayStart(today);
  const info: EolCycleInfo = baseInfo(snapshot, productKey, product, ref, todayMs);
  if (info.status !== "supported") {
    const r = replacementFor(product, ref, todayMs, false);
    if (r) info.replacement = { cycle: r.cycle.cycle, eolDate: r.eolDate, ...(r.cycle.codename ? { codename: r.cycle.codename } : {}) };
  }
  return info;
}

type Change =
  | { kind: "version"; version: string }
  | { kind: "os"; osIndex: number; token: string }
  /** dropTag: the tag repeats the old cycle (ubi7/ubi:7.9); the registry must pick the new tag. */
  | { kind: "repository"; repository: string; dropTag: boolean };

interface Component {
  productKey: string;
  product: EolProduct;
  ref: CycleRef;
  matchedBy: "image" | "os-suffix";
  token: string;
  needCodename: boolean;
  change: (c: EolCycle) => Change;
}

function imageComponent(image: ParsedImageRef, tag: ParsedTag | undefined, snapshot: EolSnapshotData): Component | undefined {
  const key = canonicalKey(image, snapshot);
  for (const m of indexFor(snapshot).images) {
    const match = m.names.has(key) ? null : m.re?.exec(key);
    if (!m.names.has(key) && !match) continue;
    const productKey = m.mapping.product;
    const product = snapshot.products[productKey];
    if (!product) return undefined;
    const from = m.mapping.cycleFrom ?? "tag";
    if (from === "fixed") {
      const ref = m.mapping.cycle !== undefined ? findCycleByName(product, m.mapping.cycle) : undefined;
      if (!ref) return undefined;
      return { productKey, product, ref, matchedBy: "image", token: image.name, needCodename: false, change: () => ({ kind: "repository", repository: image.repository, dropTag: false }) };
    }
    if (from === "repository") {
      const cycle = match?.groups?.["cycle"];
      const span = match?.indices?.groups?.["cycle"];
      if (cycle === undefined || !span) return undefined;
      const ref = findCycleByName(product, cycle);
      if (!ref) return undefined;
      return {
        productKey,
        product,
        ref,
        matchedBy: "image",
        token: cycle,
        needCodename: false,
        change: (c) => {
          const newKey = key.slice(0, span[0]) + c.cycle + key.slice(span[1]);
          const dropTag = tag?.version?.parts[0] === Number(cycle);
          return { kind: "repository", repository: newKey.slice(image.registry.length + 1), dropTag };
        },
      };
    }
    const version = tag?.version;
    if (!version) return undefined;
    const prefixes = m.mapping.tagPrefixes ?? ["", "v"];
    if (!prefixes.includes(version.prefix.toLowerCase())) return undefined;
    const ref = findCycleForVersion(product, version.release);
    if (!ref) return undefined;
    const precision = m.mapping.tagPrecision;
    return {
      productKey,
      product,
      ref,
      matchedBy: "image",
      token: version.text,
      needCodename: false,
      change: (c) => ({ kind: "version", version: padVersion(c.cycle, precision) }),
    };
  }
  return undefined;
}

function osComponents(tag: ParsedTag, snapshot: EolSnapshotData): Component[] {
  const out: Component[] = [];
  tag.osTokens.forEach((os: TagOs, osIndex) => {
    if (!os.product || os.cycle === undefined) return;
    const product = snapshot.products[os.product];
    if (!product) return;
    const ref = findCycleByName(product, os.cycle);
    if (!ref) return;
    out.push({
      productKey: os.product,
      product,
      ref,
      matchedBy: "os-suffix",
      token: os.token,
      needCodename: os.form.kind === "codename",
      change: (c) => ({ kind: "os", osIndex, token: formatOsToken(os, c.cycle, c.codename) }),
    });
  });
  return out;
}

/**
 * End-of-life status of everything an image reference pins: the image's own product
 * (python:3.8 → Python 3.8) and the OS release named in its tag (-buster → Debian 10).
 * Floating tags (latest, lts, python:3, node:current) pin no cycle and yield nothing for the
 * product; an OS token in them is still judged (node:lts-bullseye → Debian 11). Unknown images
 * and cycles newer than the snapshot yield nothing. Results: image product first, then OS.
 */
export function lookupEol(image: ParsedImageRef, today: Date, snapshot: EolSnapshotData = EOL_SNAPSHOT): EolResult[] {
  const todayMs = dayStart(today);
  const index = indexFor(snapshot);
  const tag = image.tag !== undefined ? parseTag(image.tag, index.os) : undefined;

  const components: Component[] = [];
  const main = imageComponent(image, tag, snapshot);
  if (main) components.push(main);
  for (const c of tag ? osComponents(tag, snapshot) : []) {
    if (!components.some((x) => x.productKey === c.productKey)) components.push(c);
  }

  const results: EolResult[] = components.map((c) => {
    const info = baseInfo(snapshot, c.productKey, c.product, c.ref, todayMs);
    return { ...info, matchedBy: c.matchedBy, token: c.token };
  });

  // Every non-supported component moves to its replacement in one combined reference.
  const changes: Change[] = [];
  const replacements = components.map((c, i) => {
    if (results[i]!.status === "supported") return undefined;
    const r = replacementFor(c.product, c.ref, todayMs, c.needCodename);
    if (r) changes.push(c.change(r.cycle));
    return r;
  });
  if (changes.length === 0) return results;

  let version: string | undefined;
  let osChange: { osIndex: number; token: string } | undefined;
  let repository: string | undefined;
  let dropTag = false;
  for (const ch of changes) {
    if (ch.kind === "version") version = ch.version;
    else if (ch.kind === "os") osChange ??= { osIndex: ch.osIndex, token: ch.token };
    else if (ch.repository !== image.repository) {
      repository = ch.repository;
      dropTag ||= ch.dropTag;
    }
  }
  const newTag = tag && !dropTag
    ? rewriteTag(tag, {
        ...(version !== undefined ? { version } : {}),
        ...(osChange ? { osToken: osChange.token, osIndex: osChange.osIndex } : {}),
      })
    : undefined;
  const newImage = formatImageRef(image, {
    tag: newTag ?? null,
    digest: null,
    ...(repository !== undefined ? { repository } : {}),
  });

  replacements.forEach((r, i) => {
    if (!r) return;
    const rep: EolReplacement = { cycle: r.cycle.cycle, eolDate: r.eolDate, image: newImage };
    if (r.cycle.codename) rep.codename = r.cycle.codename;
    if (newTag !== undefined) rep.tag = newTag;
    results[i]!.replacement = rep;
  });
  return results;
}

/** Whole days between the snapshot date and `today` (negative if today is earlier). */
export function snapshotAgeDays(today: Date, snapshot: EolSnapshotData = EOL_SNAPSHOT): number {
  return Math.floor((dayStart(today) - dateMs(snapshot.snapshotDate)) / DAY_MS);
}
