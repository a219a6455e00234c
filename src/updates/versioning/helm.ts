// Helm chart versions and Chart.yaml ranges with Masterminds semver semantics (what Helm
// uses), evaluated with `semver` where the two agree:
//   `^1.2.3` `~1.2` `1.2.x` `1.x` `*`  same meaning in both
//   `>= 1.2, < 2.0`                    comma = AND (npm has no comma: turned into a space)
//   `1.x || 2.x`, `1.2 - 1.4.5`        same meaning in both
//   `=>`, `=<`, `~>`                   Masterminds spellings of >=, <=, ~
//   `!= 1.2.3`                         expanded to `<1.2.3 || >1.2.3` inside its AND group
// Prereleases match only when the constraint itself names one (Masterminds v3 behaviour).
//
// Rewriting keeps the user's operator: exact `1.2.3` → `1.4.0`, `^1.2.3` → `^1.4.0`,
// `~1.2.3` → `~1.2.9`, `>=1.2` → `>=1.4.0`, `1.2.x` → `1.4.x`. Other ranges are proposed only
// when they must change (the newest allowed version lies outside them) and then cannot be
// rewritten automatically: the decision carries a note instead.
import semver from "semver";
import type { ChartVersion } from "../datasource/helm.js";
import { allowedByPolicy, versionChange } from "./policy.js";
import type { UpdatePolicy, VersionChange } from "./policy.js";

export interface HelmRange {
  /** npm-semver range string equivalent to the Masterminds constraint. */
  npm: string;
  range: semver.Range;
  includePrerelease: boolean;
  /** The lowest version the range admits (the "current" version for policy purposes). */
  base: semver.SemVer;
  /** How the constraint can be rewritten. */
  form: { kind: "exact"; prefix: string } | { kind: "op"; op: "^" | "~" | ">=" } | { kind: "wildcard"; precision: 1 | 2; star: string } | { kind: "complex" };
}

function expandNotEqual(part: string): string[] {
  const comparators = part.trim().split(/\s+/).filter(Boolean);
  let groups: string[][] = [[]];
  for (const c of comparators) {
    const m = /^!=\s*(.+)$/.exec(c);
    if (!m) {
      groups.forEach((g) => g.push(c));
      continue;
    }
    groups = groups.flatMap((g) => [[...g, `<${m[1]}`], [...g, `>${m[1]}`]]);
  }
  return groups.map((g) => g.join(" "));
}

/** Parse a Masterminds constraint; undefined when it is not a valid range. */
export function parseHelmRange(constraint: string): HelmRange | undefined {
  const c = constraint.trim();
  if (c === "" || c === "*" || /^[xX*](?:\.[xX*])*$/.test(c)) return undefined;
  let s = c.replace(/=>/g, ">=").replace(/=</g, "<=").replace(/~>/g, "~").replace(/,/g, " ");
  // Operators separated from their version by spaces (`>= 1.2`) → glued, but keep hyphen ranges.
  s = s.replace(/(\^|~|>=|<=|!=|>|<|=)\s+(?=[vV\d])/g, "$1");
  const parts = s.split("||").flatMap(expandNotEqual);
  const npm = parts.join(" || ");
  const includePrerelease = /\d-[0-9A-Za-z]/.test(c.replace(/\s-\s/g, " "));
  let range: semver.Range;
  try {
    range = new semver.Range(npm, { loose: true, includePrerelease });
  } catch {
    return undefined;
  }
  const base = semver.minVersion(range);
  if (!base) return undefined;
  return { npm, range, includePrerelease, base, form: formOf(c) };
}

function formOf(c: string): HelmRange["form"] {
  const exact = /^(=?\s*)(v?)(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$/.exec(c);
  if (exact) return { kind: "exact", prefix: `${exact[1]!.replace(/\s+/g, "")}${exact[2]}` };
  const op = /^(\^|~>?|>=|=>)\s*v?\d+(?:\.\d+){0,2}$/.exec(c);
  if (op) return { kind: "op", op: op[1] === "^" ? "^" : op[1]!.startsWith("~") ? "~" : ">=" };
  const wild = /^v?\d+(?:\.\d+)?\.([xX*])$/.exec(c);
  if (wild) return { kind: "wildcard", precision: c.split(".").length === 2 ? 1 : 2, star: wild[1]! };
  return { kind: "complex" };
}

/** The constraint rewritten to admit `target` in the user's style, or undefined for complex ranges. */
export function rewriteHelmRange(current: string, parsed: HelmRange, target: semver.SemVer, targetText = target.version): string | undefined {
  const f = parsed.form;
  // Build metadata (`1.5.0+build.1`) is part of the version Helm looks up: keep it as published.
  const version = targetText.replace(/^[=vV]+/, "");
  switch (f.kind) {
    case "exact":
      return `${f.prefix}${version}`;
    case "op": {
      const opText = /^(\^|~>?|>=|=>)\s*/.exec(current.trim())![0];
      const v = current.trim().slice(opText.length);
      return `${opText}${v.startsWith("v") ? "v" : ""}${version}`;
    }
    case "wildcard":
      return f.precision === 1 ? `${target.major}.${f.star}` : `${target.major}.${target.minor}.${f.star}`;
    case "complex":
      return undefined;
  }
}

export interface ChartDecision {
  /** The new value to write (version or range), when there is an update. */
  proposed?: string;
  /** The chart version the proposal is based on. */
  target?: string;
  change: VersionChange;
  /** The current version, or the chart as a whole (its newest entry), is marked deprecated. */
  deprecated: boolean;
  note?: string;
  /** Metadata of the target version (home/sources for release notes). */
  targetInfo?: ChartVersion;
}

function coerce(v: string): semver.SemVer | undefined {
  return semver.parse(v, { loose: true }) ?? undefined;
}

/** Choose the update for one chart reference among the repository's versions. Pure. */
export function chooseChartVersion(current: string, versions: readonly ChartVersion[], options: { policy: UpdatePolicy }): ChartDecision {
  const parsed = parseHelmRange(current);
  const all = versions.map((v) => ({ info: v, sv: coerce(v.version) })).filter((v): v is { info: ChartVersion; sv: semver.SemVer } => v.sv !== undefined);
  all.sort((a, b) => semver.rcompare(a.sv, b.sv));
  const newestOverall = all.find((v) => v.sv.prerelease.length === 0) ?? all[0];
  const chartDeprecated = newestOverall?.info.deprecated === true;
  if (!parsed) return { change: "none", deprecated: chartDeprecated, note: `${current || "(empty)"} is not a version or range Bulwark can compare (a floating "*" installs the newest chart anyway)` };
  const exactCurrent = parsed.form.kind === "exact" ? all.find((v) => semver.eq(v.sv, parsed.base)) : undefined;
  const deprecated = chartDeprecated || exactCurrent?.info.deprecated === true;
  const allowPre = parsed.base.prerelease.length > 0 || parsed.includePrerelease;

  const candidates = all.filter((v) => {
    if (v.info.deprecated) return false;
    if (v.sv.prerelease.length > 0 && !allowPre) return false;
    if (!semver.gt(v.sv, parsed.base)) return false;
    return allowedByPolicy(versionChange([parsed.base.major, parsed.base.minor, parsed.base.patch], [v.sv.major, v.sv.minor, v.sv.patch]), options.policy);
  });
  const best = candidates[0];
  if (!best) return { change: "none", deprecated };
  const change = versionChange([parsed.base.major, parsed.base.minor, parsed.base.patch], [best.sv.major, best.sv.minor, best.sv.patch]);
  const proposed = rewriteHelmRange(current, parsed, best.sv, best.info.version);
  if (proposed === undefined) {
    if (semver.satisfies(best.sv, parsed.range, { includePrerelease: parsed.includePrerelease })) return { change: "none", deprecated };
    return { change, deprecated, target: best.info.version, targetInfo: best.info, note: `the range "${current}" excludes ${best.info.version} and is too complex to rewrite automatically` };
  }
  if (proposed === current.trim()) return { change: "none", deprecated };
  return { proposed, target: best.info.version, targetInfo: best.info, change, deprecated };
}
