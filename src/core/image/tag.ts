// Docker tags split into their three independent parts: the application version, the
// variant (slim, jdk, fpm, perl …) and the OS release the image is built on (bookworm,
// alpine3.19, jammy, ubi9 …). Renovate treats everything after the first "-" as one opaque
// suffix, so `18-alpine3.19` stops getting updates once upstream stops publishing
// alpine3.19 and the OS quietly reaches end of life (notes/auto-update.md §0.1, §1.3). Keeping
// the OS release separate lets EOL checks see both lifecycles and lets updates move each one.
//
// Which tokens are OS releases is data (rules/data/eol-snapshot.yaml `osSuffixes`), so a new
// Debian or Ubuntu codename is one YAML edit, not a code change.
import { EOL_SNAPSHOT_DATA } from "../data/generated/eol-snapshot.js";

export type TagTokenRole = "version" | "keyword" | "os" | "variant" | "date" | "build" | "prerelease" | "sha";

export interface TagToken {
  text: string;
  role: TagTokenRole;
}

export interface TagVersion {
  /** The token as written, prefix included: "3.11.4", "v1.2", "8u412", "centos7", "11.0.23_9". */
  text: string;
  /** Letters before the number: "" (most tags), "v", or a word such as "centos" / "stream". */
  prefix: string;
  /** The dotted numeric release: "3.11.4". */
  release: string;
  parts: number[];
  /** Number of numeric parts: 3.11.4 → 3, 20.04 → 2, 18 → 1. Floating-ness depends on the product's cycles. */
  precision: number;
  /** Java 8 update number (8u412 → 412). */
  update?: number;
  /** "rc1", "b1", "a7": letters glued to the number (3.13.0rc1) or a following rc/alpha/beta token. */
  prerelease?: string;
  /** "_9", "+9", or a following build token ("b08", "r5"). */
  build?: string;
}

export interface TagOs {
  /** debian, ubuntu, alpine, ubi, amazonlinux, windows … */
  family: string;
  /** The token as written: "bookworm", "alpine3.19", "ubi9". */
  token: string;
  /** Product key in the EOL snapshot whose lifecycle this token names; absent for rolling tokens. */
  product?: string;
  /** The product cycle named by the token ("12" for bookworm, "3.19" for alpine3.19). */
  cycle?: string;
  /** No release pinned: `alpine`, `sid` follow whatever is newest when the image is built. */
  rolling: boolean;
  /** How another cycle is written in the same form (see formatOsToken). */
  form: { kind: "codename" } | { kind: "pattern"; start: number; end: number } | { kind: "fixed" };
}

export interface ParsedTag {
  raw: string;
  tokens: TagToken[];
  version?: TagVersion;
  /** A floating keyword (latest, lts, stable, mainline …) when the tag starts with one. */
  keyword?: string;
  /**
   * True when the tag names no release of anything: `latest`, `lts`, `slim`, `alpine`,
   * `stable-perl`. `jammy` (Ubuntu 22.04) and date or commit tags are not floating.
   * A numeric tag such as `3` is not floating here; it floats only relative to a product
   * whose cycles are more precise (python 3.x), which the EOL lookup decides.
   */
  floating: boolean;
  /** Variant tokens joined with "-": "slim", "jdk", "fpm", "perl", "dind" … */
  variant?: string;
  variantTokens: string[];
  /** The OS release the image is built on: the first OS token naming a cycle, else the first OS token. */
  os?: TagOs;
  osTokens: TagOs[];
  /** Build date stamp (ubuntu:jammy-20240111, debian:bookworm-20240110-slim, alpine edge 20240315). */
  date?: string;
  /** Commit-like tag (7–40 hex characters). */
  sha?: string;
}

/** Matches one lower-cased tag token to an OS release, or undefined. */
export type OsTokenMatcher = (token: string) => Omit<TagOs, "token"> | undefined;

export interface OsSuffixSpec {
  family: string;
  /** Snapshot product whose cycles the token names; omit for rolling tokens with no lifecycle. */
  product?: string;
  /** Tokens are the codenames of `product`'s cycles (bookworm, jammy …). */
  codenames?: boolean;
  /** Regex (source) matched against the lower-cased token; a named group `cycle` captures the product cycle. */
  pattern?: string;
}

export interface CycleNames {
  cycles: readonly { cycle: string; codename?: string }[];
}

export function osTokenMatcher(
  specs: readonly OsSuffixSpec[],
  products: Readonly<Record<string, CycleNames>>,
): OsTokenMatcher {
  const byCodename = new Map<string, Omit<TagOs, "token">>();
  const patterns: { spec: OsSuffixSpec; re: RegExp }[] = [];
  for (const spec of specs) {
    if (spec.codenames && spec.product) {
      for (const c of products[spec.product]?.cycles ?? []) {
        if (!c.codename) continue;
        const key = c.codename.toLowerCase();
        if (!byCodename.has(key)) {
          byCodename.set(key, { family: spec.family, product: spec.product, cycle: c.cycle, rolling: false, form: { kind: "codename" } });
        }
      }
    }
    // "d" (hasIndices) gives the cycle's position inside the token, so alpine3.19 → alpine3.22 is a splice.
    if (spec.pattern) patterns.push({ spec, re: new RegExp(spec.pattern, "d") });
  }
  return (token) => {
    const hit = byCodename.get(token);
    if (hit) return hit;
    for (const { spec, re } of patterns) {
      const m = re.exec(token);
      if (!m) continue;
      const cycle = m.groups?.["cycle"];
      const span = m.indices?.groups?.["cycle"];
      if (cycle !== undefined && span && spec.product) {
        return { family: spec.family, product: spec.product, cycle, rolling: false, form: { kind: "pattern", start: span[0], end: span[1] } };
      }
      return { family: spec.family, rolling: true, form: { kind: "fixed" } };
    }
    return undefined;
  };
}

export const DEFAULT_OS_TOKENS: OsTokenMatcher = osTokenMatcher(EOL_SNAPSHOT_DATA.osSuffixes, EOL_SNAPSHOT_DATA.products);

const FLOATING_KEYWORDS = new Set([
  "latest", "lts", "stable", "mainline", "current", "rolling", "edge", "devel",
  "testing", "unstable", "oldstable", "oldoldstable", "nightly", "canary",
]);
const VERSION_RE =
  /^(?<prefix>v|[a-z]+?)?(?<release>\d+(?:\.\d+)*)(?:u(?<update>\d+))?(?<pre>(?:alpha|beta|rc|a|b|dev|pre)\.?\d*)?(?<build>[_+]\d+(?:\.\d+)*)?$/i;
const DATE_RE = /^(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$/;
const SHA_RE = /^[a-f0-9]{7,40}$/i;
const PRERELEASE_TOKEN_RE = /^(?:alpha|beta|rc)\.?\d*$/i;

function parseVersionToken(text: string): TagVersion | undefined {
  const m = VERSION_RE.exec(text);
  if (!m?.groups) return undefined;
  const g = m.groups;
  const release = g["release"]!;
  const parts = release.split(".").map(Number);
  const v: TagVersion = { text, prefix: g["prefix"] ?? "", release, parts, precision: parts.length };
  if (g["update"] !== undefined) v.update = Number(g["update"]);
  if (g["pre"] !== undefined) v.prerelease = g["pre"];
  if (g["build"] !== undefined) v.build = g["build"];
  return v;
}

/** Split a tag into version, variant and OS release. Pure; never throws. */
export function parseTag(tag: string, osTokens: OsTokenMatcher = DEFAULT_OS_TOKENS): ParsedTag {
  const result: ParsedTag = { raw: tag, tokens: [], floating: false, variantTokens: [], osTokens: [] };
  const pieces = tag.split("-");
  pieces.forEach((text, i) => {
    const lower = text.toLowerCase();
    const push = (role: TagTokenRole) => result.tokens.push({ text, role });
    const os = osTokens(lower);
    if (os) {
      const full: TagOs = { ...os, token: text };
      result.osTokens.push(full);
      push("os");
      return;
    }
    if (DATE_RE.test(text)) {
      result.date ??= text;
      push("date");
      return;
    }
    if (i === 0) {
      if (FLOATING_KEYWORDS.has(lower)) {
        result.keyword = lower;
        push("keyword");
        return;
      }
      // Commit-like tags (a1b2c3d) are not versions even though some start with digits.
      if (SHA_RE.test(text) && /[a-f]/i.test(text)) {
        result.sha = text;
        push("sha");
        return;
      }
      const version = parseVersionToken(text);
      if (version) {
        result.version = version;
        push("version");
        return;
      }
    } else {
      const prevRole = result.tokens[result.tokens.length - 1]?.role;
      if (result.version && prevRole === "version" && PRERELEASE_TOKEN_RE.test(text)) {
        result.version.prerelease ??= text;
        push("prerelease");
        return;
      }
      const afterVersion = prevRole === "version" || prevRole === "prerelease" || prevRole === "build";
      // 8u412-b08 (Java build, right after the version) and Bitnami's trailing -r5 revision
      // (1.25.3-debian-12-r5) are build metadata, not variants.
      const javaBuild = afterVersion && /^b\d+$/i.test(text) && result.version?.update !== undefined;
      const revision = i === pieces.length - 1 && /^r\d+$/i.test(text);
      if (result.version && (javaBuild || revision)) {
        result.version.build ??= text;
        push("build");
        return;
      }
    }
    result.variantTokens.push(text);
    push("variant");
  });
  if (result.variantTokens.length > 0) result.variant = result.variantTokens.join("-");
  result.os = result.osTokens.find((o) => o.cycle !== undefined) ?? result.osTokens[0];
  result.floating =
    result.version === undefined && result.date === undefined && result.sha === undefined && result.os?.cycle === undefined;
  return result;
}

/** Write `cycle` of the same OS in the same form as `os` (bookworm → trixie, alpine3.19 → alpine3.22). */
export function formatOsToken(os: TagOs, cycle: string, codename?: string): string {
  switch (os.form.kind) {
    case "codename":
      if (!codename) throw new Error(`no codename for ${os.family} ${cycle}`);
      return os.token === os.token.toUpperCase() && os.token !== os.token.toLowerCase() ? codename.toUpperCase() : codename.toLowerCase();
    case "pattern":
      return os.token.slice(0, os.form.start) + cycle + os.token.slice(os.form.end);
    case "fixed":
      return os.token;
  }
}

export interface TagRewrite {
  /** New version text (without prefix); the tag's own prefix ("v", "centos") is kept. */
  version?: string;
  /** Replacement for the OS token at `osIndex` in `tag.osTokens` (default: the `os` token). */
  osToken?: string;
  osIndex?: number;
}

/**
 * Rebuild a tag with a new version and/or OS token, keeping the variant tokens and their
 * order (python's `slim-bookworm` vs node's `bookworm-slim`). Build and prerelease tokens
 * belong to the old version and go when the version changes; a date stamp identifies a build
 * of the old image and goes on any change.
 */
export function rewriteTag(tag: ParsedTag, change: TagRewrite): string {
  const osTarget = change.osIndex !== undefined ? tag.osTokens[change.osIndex] : tag.os;
  const out: string[] = [];
  let osSeen = -1;
  for (const t of tag.tokens) {
    if (t.role === "os") osSeen++;
    if (t.role === "version") {
      out.push(change.version !== undefined && tag.version ? `${tag.version.prefix}${change.version}` : t.text);
    } else if (t.role === "os" && change.osToken !== undefined && osTarget && tag.osTokens[osSeen] === osTarget) {
      out.push(change.osToken);
    } else if ((t.role === "build" || t.role === "prerelease") && change.version !== undefined) {
      continue;
    } else if (t.role === "date" && (change.version !== undefined || change.osToken !== undefined)) {
      continue;
    } else {
      out.push(t.text);
    }
  }
  return out.join("-");
}
