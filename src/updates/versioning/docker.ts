// Docker tag ordering and candidate choice over `parseTag` (version / variant / OS release).
//
// - A candidate keeps everything the user chose: version prefix (`v`), precision (`1.25` only
//   moves to `1.27`, never `1.27.3`), variant tokens and their order (`slim-bookworm`), build
//   suffixes (`-r5`), and the OS release token.
// - The OS release moves only when the current one is end-of-life (or only paid/LTS support is
//   left): then a candidate with the same OS family in a newer, supported release of the same
//   form (`bookworm` → `trixie`, `alpine3.19` → `alpine3.22`) is preferred, and the reason says so.
// - Floating tags (`latest`, `lts`, `alpine`, `stable`), commit tags and prereleases (unless the
//   current tag is one) are never proposed; a floating current tag gets no version update.
import { lookupEol, lookupEolCycle, EOL_SNAPSHOT } from "../../core/data/eol.js";
import type { EolResult } from "../../core/data/eol.js";
import { parseTag } from "../../core/image/tag.js";
import type { ParsedTag, TagOs } from "../../core/image/tag.js";
import type { ParsedImageRef } from "../../core/image/reference.js";
import { allowedByPolicy, versionChange } from "./policy.js";
import type { UpdatePolicy, VersionChange } from "./policy.js";

export interface OsMove {
  family: string;
  product: string;
  productTitle: string;
  from: { token: string; cycle: string; status: string; eolDate: string | null; extendedSupportEnd?: string };
  to: { token: string; cycle: string; eolDate: string | null };
}

export interface DockerTagDecision {
  /** The proposed tag, when there is an update. */
  proposed?: string;
  change: VersionChange;
  /** The OS release moved because the current one is end-of-life. */
  osMove?: OsMove;
  /** Why nothing can be proposed (floating tag, no compatible tags …); informational. */
  note?: string;
  /** EOL status of the current reference (image product and OS). */
  currentEol: EolResult[];
}

export interface DockerChoiceOptions {
  policy: UpdatePolicy;
  now: Date;
  /**
   * Optional preference (higher wins) applied before version order among allowed candidates,
   * e.g. "resolves the vulnerabilities a scan found". Ties fall back to the newest version.
   */
  rank?: (tag: string) => number;
}

/** Signature, attestation and SBOM tags (cosign, oras) are not versions. */
export function isArtifactTag(tag: string): boolean {
  return /^sha256-[a-f0-9]{64}(?:\.\w+)?$/.test(tag) || /\.(?:sig|att|sbom|metadata)$/.test(tag);
}

/** The tag's shape with version, OS and prerelease abstracted: candidates must share it. */
function shape(t: ParsedTag): string {
  const v = t.version;
  const head = v ? `V${v.prefix.toLowerCase()}/${v.precision}/${v.update !== undefined ? "u" : ""}/${v.build !== undefined && /^[_+]/.test(v.build) ? v.build[0] : ""}` : "";
  const rest = t.tokens
    .filter((tok) => tok.role !== "version" && tok.role !== "prerelease")
    .map((tok) => {
      if (tok.role === "os") return "OS";
      if (tok.role === "date") return "D";
      if (tok.role === "build") return "B";
      return tok.text.toLowerCase();
    });
  return [head, ...rest].join("|");
}

function buildNumber(t: ParsedTag): number {
  const b = t.version?.build;
  if (!b) return -1;
  const m = /(\d+(?:\.\d+)*)$/.exec(b);
  return m ? Number(m[1]!.split(".")[0]) : -1;
}

function comparePre(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1; // stable beats prerelease
  if (b === undefined) return -1;
  return a.localeCompare(b, "en", { numeric: true });
}

/** Version order of two tags of the same shape (numbers, Java update, build, prerelease, date). */
export function compareTags(a: ParsedTag, b: ParsedTag): number {
  const pa = a.version?.parts ?? [];
  const pb = b.version?.parts ?? [];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  const u = (a.version?.update ?? -1) - (b.version?.update ?? -1);
  if (u !== 0) return u;
  const pre = comparePre(a.version?.prerelease, b.version?.prerelease);
  if (pre !== 0) return pre;
  const build = buildNumber(a) - buildNumber(b);
  if (build !== 0) return build;
  return (a.date ?? "").localeCompare(b.date ?? "");
}

/** Position of a cycle in its product (0 = newest), or -1. */
function cycleIndex(product: string, cycle: string): number {
  return EOL_SNAPSHOT.products[product]?.cycles.findIndex((c) => c.cycle === cycle) ?? -1;
}

function osIndexOf(t: ParsedTag): number {
  return t.os ? t.osTokens.indexOf(t.os) : -1;
}

function sameOs(a: TagOs | undefined, b: TagOs | undefined): boolean {
  if (!a || !b) return a === b;
  return a.token.toLowerCase() === b.token.toLowerCase();
}

const NOT_SUPPORTED = new Set(["eol", "lts-only"]);

/** Choose the update for one docker tag among the repository's tags. Pure. */
export function chooseDockerTag(image: ParsedImageRef, current: string, tags: readonly string[], options: DockerChoiceOptions): DockerTagDecision {
  const cur = parseTag(current);
  const currentEol = lookupEol({ ...image, tag: current }, options.now);
  if (cur.sha) return { change: "none", note: `${current} looks like a commit tag: not a version`, currentEol };
  if (!cur.version && !cur.date) return { change: "none", note: `${current} is a floating tag: it names no release, so there is no newer one to propose`, currentEol };

  const curShape = shape(cur);
  const curOs = cur.os;
  const osEol = currentEol.find((r) => r.matchedBy === "os-suffix" && NOT_SUPPORTED.has(r.status) && curOs?.cycle !== undefined && r.product === curOs.product);
  const allowPre = cur.version?.prerelease !== undefined;

  interface Candidate {
    tag: string;
    parsed: ParsedTag;
    change: VersionChange;
    osMoveTo?: { token: string; cycle: string; eolDate: string | null; index: number };
  }
  const sameOsCandidates: Candidate[] = [];
  const newOsCandidates: Candidate[] = [];

  for (const tag of tags) {
    if (tag === current || isArtifactTag(tag)) continue;
    const t = parseTag(tag);
    if (t.floating || t.sha || shape(t) !== curShape) continue;
    if (t.version?.prerelease !== undefined && !allowPre) continue;
    if (cur.date && !cur.version && !t.date) continue;
    // The OS tokens other than the release must be identical (e.g. a second, rolling token).
    const otherOs = t.osTokens.filter((_o, i) => i !== osIndexOf(t)).map((o) => o.token.toLowerCase());
    const curOtherOs = cur.osTokens.filter((_o, i) => i !== osIndexOf(cur)).map((o) => o.token.toLowerCase());
    if (otherOs.join("|") !== curOtherOs.join("|")) continue;
    const change = versionChange(cur.version?.parts ?? [], t.version?.parts ?? []);
    if (!allowedByPolicy(change, options.policy)) continue;
    const order = compareTags(t, cur);
    if (sameOs(t.os, curOs)) {
      if (order > 0) sameOsCandidates.push({ tag, parsed: t, change });
      continue;
    }
    // A different OS release: only when the current one is end-of-life, and only forward to a
    // supported release of the same OS family and spelling.
    if (!osEol || !curOs?.product || !t.os || t.os.family !== curOs.family || t.os.product !== curOs.product) continue;
    if (t.os.form.kind !== curOs.form.kind || t.os.cycle === undefined) continue;
    const idx = cycleIndex(curOs.product, t.os.cycle);
    const curIdx = cycleIndex(curOs.product, curOs.cycle!);
    if (idx < 0 || (curIdx >= 0 && idx >= curIdx)) continue;
    const info = lookupEolCycle(curOs.product, t.os.cycle, options.now);
    if (!info || NOT_SUPPORTED.has(info.status)) continue;
    if (compareVersionOnly(t, cur) < 0) continue; // never a lower version to move the OS
    newOsCandidates.push({ tag, parsed: t, change, osMoveTo: { token: t.os.token, cycle: t.os.cycle, eolDate: info.eolDate, index: idx } });
  }

  const rank = options.rank ?? (() => 0);
  const best = (list: Candidate[]) =>
    [...list].sort((a, b) => rank(b.tag) - rank(a.tag) || compareTags(b.parsed, a.parsed) || (a.osMoveTo?.index ?? 0) - (b.osMoveTo?.index ?? 0))[0];

  const movedOs = best(newOsCandidates);
  if (movedOs && osEol && curOs) {
    const change = versionChange(cur.version?.parts ?? [], movedOs.parsed.version?.parts ?? []);
    const osMove: OsMove = {
      family: curOs.family,
      product: osEol.product,
      productTitle: osEol.productTitle,
      from: {
        token: curOs.token,
        cycle: osEol.cycle,
        status: osEol.status,
        eolDate: osEol.eolDate,
        ...(osEol.extendedSupportEnd ? { extendedSupportEnd: osEol.extendedSupportEnd } : {}),
      },
      to: { token: movedOs.osMoveTo!.token, cycle: movedOs.osMoveTo!.cycle, eolDate: movedOs.osMoveTo!.eolDate },
    };
    return { proposed: movedOs.tag, change, osMove, currentEol };
  }
  const same = best(sameOsCandidates);
  if (same) {
    const note = osEol ? `${osEol.productTitle} ${osEol.cycle} is end-of-life but no tag of this image in a supported ${osEol.productTitle} release matches` : undefined;
    return { proposed: same.tag, change: same.change, currentEol, ...(note ? { note } : {}) };
  }
  if (osEol) return { change: "none", note: `${osEol.productTitle} ${osEol.cycle} is end-of-life and no compatible tag in a supported release exists`, currentEol };
  return { change: "none", currentEol };
}

function compareVersionOnly(a: ParsedTag, b: ParsedTag): number {
  const pa = a.version?.parts ?? [];
  const pb = b.version?.parts ?? [];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
