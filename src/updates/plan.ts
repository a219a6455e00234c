// The update planner: dependencies (extracted from the files) + datasource answers → proposed
// updates with byte-preserving edits, a stable branch name, a PR title and body. Deterministic
// given the datasources' answers and `now`; registry, auth and rate-limit failures become
// `errors` entries, never exceptions.
import { minimatch } from "minimatch";
import { lookupEol } from "../core/data/eol.js";
import type { EolResult } from "../core/data/eol.js";
import { DEFAULT_CONFIG } from "../core/config/schema.js";
import type { BulwarkConfig } from "../core/config/schema.js";
import { applyTextEdits, scan } from "../core/engine/scan.js";
import { editsCompatible, mergeEdits } from "../core/fix/apply.js";
import type { ParsedImageRef } from "../core/image/reference.js";
import type { Finding, Range, SourceFile, TextEdit } from "../core/types.js";
import type { UpdateDatasources } from "./datasource/index.js";
import type { ChartVersion } from "./datasource/helm.js";
import { splitPackageName } from "./datasource/oci.js";
import type { RepositoryRef } from "./datasource/oci.js";
import { EditContext, planDependencyEdits } from "./edits.js";
import type { NewValues } from "./edits.js";
import { extractDependencies } from "./extract/index.js";
import type { Dependency, DependencyKind, ExtractionResult, SkippedDependency, UpdateError, UpdateReason, UpdateType } from "./types.js";
import { chooseDockerTag } from "./versioning/docker.js";
import type { DockerTagDecision } from "./versioning/docker.js";
import { chooseChartVersion } from "./versioning/helm.js";
import type { UpdatePolicy } from "./versioning/policy.js";
import { summarizeVulnerabilities, VulnerabilityIndex } from "./vulnerabilities.js";
import type { ImageVulnerabilities, Vulnerability } from "./vulnerabilities.js";

export interface PlanOptions {
  datasources: UpdateDatasources;
  /** `updates.*` (policy, pinDigests, ignore) and the scan settings used for re-scans. */
  config?: BulwarkConfig;
  /** The clock for EOL data and cooldowns (default: now). */
  now?: Date;
  /** Scanner reports (Trivy/Grype) for "vulnerable" reasons and target preference. */
  vulnerabilities?: readonly ImageVulnerabilities[] | VulnerabilityIndex;
  /** A digest that changed less than this many days ago is not re-pinned (default 3). */
  digestCooldownDays?: number;
  /** Lookups in flight at once (default 4). */
  concurrency?: number;
  /** Already-extracted dependencies (default: extracted from `files`). */
  extraction?: ExtractionResult;
  /** Re-scan each edited file with the engine (default true). */
  rescan?: boolean;
}

export interface PlannedUpdate {
  /** Dependency identity (path + location in the file). */
  id: string;
  path: string;
  range: Range;
  kind: DependencyKind;
  name: string;
  current: string;
  /** New tag / version / range. Equal to `current` for digest-only updates and for notices. */
  proposed: string;
  /** The digest written with the update (pins and pinned references). */
  digest?: string;
  currentDigest?: string;
  reasons: UpdateReason[];
  major: boolean;
  updateType: UpdateType;
  datasource: Dependency["datasource"];
  packageName: string;
  registryUrl?: string;
  /** Byte-preserving edits of the ORIGINAL file text; empty for notices (nothing to change). */
  edits: TextEdit[];
  /** Findings the engine reports on the edited file that it did not report before. */
  addedFindings: Finding[];
  /** Engine findings on the file that the update makes go away. */
  resolvedFindings: Finding[];
  /** Vulnerabilities of the current image that the target is not known to have. */
  resolvedVulnerabilities: Vulnerability[];
  /** `bulwark/update/<kind>-<name-slug>`: one branch per dependency line, stable across versions. */
  branchName: string;
  title: string;
  /** Markdown PR body. */
  body: string;
  /** Human-readable explanations (policy limits, cooldowns, EOL data). */
  notes: string[];
}

export interface UpdatePlan {
  updates: PlannedUpdate[];
  errors: UpdateError[];
  /** Dependencies found but not looked up, and lookups that produced nothing to do with a reason. */
  skipped: SkippedDependency[];
  dependencies: Dependency[];
  /** Registry lookups attempted and failed (for "every lookup failed" exit codes). */
  lookups: { attempted: number; failed: number };
}

const DAY_MS = 86_400_000;

/** Lower-case slug of a dependency name for branch names. */
export function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, "")
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 80);
}

/** Branch of a dependency line: the same for every version of the same dependency. */
export function branchNameFor(dep: Pick<Dependency, "kind" | "name" | "image">): string {
  const name = dep.image ? familiar(dep.image) : dep.name;
  return `bulwark/update/${dep.kind}-${slug(name)}`;
}

function familiar(ref: ParsedImageRef): string {
  if (ref.registry !== "docker.io") return `${ref.registry}/${ref.repository}`;
  return ref.repository.startsWith("library/") ? ref.repository.slice("library/".length) : ref.repository;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isIgnored(dep: Dependency, patterns: readonly string[]): boolean {
  const names = [dep.name, dep.packageName, ...(dep.image ? [familiar(dep.image)] : [])];
  return patterns.some((p) => names.some((n) => n === p || minimatch(n, p, { nocase: true })));
}

/** Run `fn` over items with at most `limit` in flight, keeping order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

interface Lookup {
  dep: Dependency;
  /** What to write; undefined = no update. */
  values?: NewValues;
  proposed?: string;
  digest?: string;
  reasons: UpdateReason[];
  major: boolean;
  updateType: UpdateType;
  notes: string[];
  docker?: DockerTagDecision;
  chartTarget?: ChartVersion;
  eolCurrent?: EolResult[];
  eolProposed?: EolResult[];
  vulnCurrent?: ImageVulnerabilities;
  resolvedVulns: Vulnerability[];
  sourceUrl?: string;
  /** A notice without edits (deprecated chart with nothing newer). */
  notice?: boolean;
}

/** Plans every update in `files`. Never throws for registry, auth or edit problems. */
export async function planUpdates(files: readonly SourceFile[], options: PlanOptions): Promise<UpdatePlan> {
  const config = options.config ?? DEFAULT_CONFIG;
  const now = options.now ?? new Date();
  const policy: UpdatePolicy = config.updates.policy;
  const extraction = options.extraction ?? extractDependencies(files, { maxFileBytes: config.limits.maxFileBytes });
  const vulns = options.vulnerabilities instanceof VulnerabilityIndex ? options.vulnerabilities : new VulnerabilityIndex(options.vulnerabilities ?? []);
  const errors: UpdateError[] = [];
  const skipped: SkippedDependency[] = [...extraction.skipped];
  const lookups = { attempted: 0, failed: 0 };
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const editCtx = new EditContext(texts);

  const deps = extraction.dependencies.filter((d) => {
    if (!isIgnored(d, config.updates.ignore)) return true;
    skipped.push({ path: d.path, range: d.range, kind: d.kind, name: d.name, reason: "ignored by updates.ignore" });
    return false;
  });

  const results = await mapLimit(deps, options.concurrency ?? 4, async (dep): Promise<Lookup | undefined> => {
    lookups.attempted++;
    try {
      return dep.kind === "image"
        ? await lookupImage(dep, options.datasources, { policy, now, pinDigests: config.updates.pinDigests, cooldownDays: options.digestCooldownDays ?? 3, vulns })
        : await lookupChart(dep, options.datasources, policy);
    } catch (err) {
      lookups.failed++;
      errors.push({ path: dep.path, dependency: dep.name, message: errorMessage(err) });
      return undefined;
    }
  });

  const updates: PlannedUpdate[] = [];
  const beforeCache = new Map<string, Finding[]>();
  for (const r of results) {
    if (!r) continue;
    const { dep } = r;
    if (!r.values && !r.notice) {
      for (const n of r.notes) skipped.push({ path: dep.path, range: dep.range, kind: dep.kind, name: dep.name, reason: n });
      continue;
    }
    let edits: TextEdit[] = [];
    if (r.values) {
      const planned = planDependencyEdits(dep, r.values, editCtx);
      if (!planned.ok) {
        errors.push({ path: dep.path, dependency: dep.name, message: planned.reason });
        continue;
      }
      edits = planned.edits;
      if (edits.length === 0) continue;
    }
    const { added, resolved } = options.rescan === false || edits.length === 0 ? { added: [], resolved: [] } : rescan(dep.path, texts.get(dep.path)!, edits, config, now, beforeCache);
    const update: PlannedUpdate = {
      id: dep.id,
      path: dep.path,
      range: dep.range,
      kind: dep.kind,
      name: dep.name,
      current: dep.current,
      proposed: r.proposed ?? dep.current,
      ...(r.digest ? { digest: r.digest } : {}),
      ...(dep.currentDigest ? { currentDigest: dep.currentDigest } : {}),
      reasons: r.reasons,
      major: r.major,
      updateType: r.updateType,
      datasource: dep.datasource,
      packageName: dep.packageName,
      ...(dep.registryUrl ? { registryUrl: dep.registryUrl } : {}),
      edits,
      addedFindings: added,
      resolvedFindings: resolved,
      resolvedVulnerabilities: r.resolvedVulns,
      branchName: branchNameFor(dep),
      title: "",
      body: "",
      notes: r.notes,
    };
    update.title = titleFor(update, r);
    update.body = bodyFor(update, r, dep);
    updates.push(update);
  }
  return { updates, errors, skipped, dependencies: extraction.dependencies, lookups };
}

// ---- images -------------------------------------------------------------------------------

interface ImageLookupOptions {
  policy: UpdatePolicy;
  now: Date;
  pinDigests: boolean;
  cooldownDays: number;
  vulns: VulnerabilityIndex;
}

function repoOf(dep: Dependency): RepositoryRef {
  if (dep.image) return { registry: dep.image.registry, repository: dep.image.repository };
  return splitPackageName(dep.packageName);
}

const UNSUPPORTED = new Set(["eol", "lts-only"]);

async function lookupImage(dep: Dependency, ds: UpdateDatasources, o: ImageLookupOptions): Promise<Lookup> {
  const image = dep.image!;
  const repo = repoOf(dep);
  const result: Lookup = { dep, reasons: [], major: false, updateType: "none", notes: [], resolvedVulns: [] };
  if (!image.tag) {
    result.notes.push("pinned by digest without a tag: nothing to compare");
    return result;
  }
  const vulnCurrent = o.vulns.forImage(image);
  const tags = await ds.imageTags(repo);
  const rank = vulnCurrent && vulnCurrent.vulnerabilities.length > 0 ? (tag: string) => resolvedCount(vulnCurrent, o.vulns.forImage(withTag(image, tag))) : undefined;
  const decision = chooseDockerTag(image, image.tag, tags, { policy: o.policy, now: o.now, ...(rank ? { rank } : {}) });
  result.docker = decision;
  result.eolCurrent = decision.currentEol;
  if (decision.note) result.notes.push(decision.note);
  if (vulnCurrent) result.vulnCurrent = vulnCurrent;

  const newTag = decision.proposed;
  if (newTag !== undefined) {
    const values: NewValues = { tag: newTag };
    if (dep.currentDigest || o.pinDigests) {
      const resolved = await ds.resolveDigest(repo, newTag, dep.currentDigest);
      values.digest = resolved.digest;
      result.digest = resolved.digest;
    }
    result.values = values;
    result.proposed = newTag;
    result.updateType = decision.osMove && decision.change === "none" ? "os" : decision.change === "none" ? "patch" : decision.change;
    result.major = decision.change === "major";
    result.reasons.push("newer");
    result.eolProposed = lookupEol(withTag(image, newTag), o.now);
    if (decision.osMove || resolvesEol(result.eolCurrent, result.eolProposed)) result.reasons.push("eol");
  } else if (dep.currentDigest) {
    // The tag stays: has the content behind it moved?
    const resolved = await ds.resolveDigest(repo, image.tag, dep.currentDigest);
    if (resolved.digest !== dep.currentDigest) {
      const why = await digestRefreshBlocked(ds, repo, dep.currentDigest, resolved, o);
      if (why) result.notes.push(why);
      else {
        result.values = { digest: resolved.digest };
        result.digest = resolved.digest;
        result.proposed = image.tag;
        result.updateType = "digest";
        result.reasons.push("newer");
      }
    }
  } else if (o.pinDigests) {
    const resolved = await ds.resolveDigest(repo, image.tag);
    result.values = { digest: resolved.digest };
    result.digest = resolved.digest;
    result.proposed = image.tag;
    result.updateType = "pin";
  }

  if (result.values && vulnCurrent && vulnCurrent.vulnerabilities.length > 0) {
    const target = o.vulns.forImage(withTag(image, result.proposed ?? image.tag, result.digest));
    result.resolvedVulns = target ? vulnCurrent.vulnerabilities.filter((v) => !target.vulnerabilities.some((t) => t.id === v.id)) : vulnCurrent.vulnerabilities.filter((v) => v.fixed);
    if (!target || result.resolvedVulns.length > 0) result.reasons.push("vulnerable");
  }
  if (result.values && ds.imageConfig && result.proposed && repo.registry !== "docker.io") {
    // Source link for release notes (OCI label); Docker Hub is skipped: manifest GETs count as pulls.
    const cfg = await ds.imageConfig(repo, result.proposed).catch(() => undefined);
    const src = cfg?.labels["org.opencontainers.image.source"] ?? cfg?.labels["org.label-schema.vcs-url"];
    if (src) result.sourceUrl = src;
  }
  return result;
}

function withTag(image: ParsedImageRef, tag: string, digest?: string): ParsedImageRef {
  const { digest: _old, ...rest } = image;
  return digest ? { ...rest, tag, digest } : { ...rest, tag };
}

function resolvedCount(current: ImageVulnerabilities, target: ImageVulnerabilities | undefined): number {
  if (!target) return 0;
  return current.vulnerabilities.filter((v) => !target.vulnerabilities.some((t) => t.id === v.id)).length;
}

function resolvesEol(current: EolResult[] | undefined, proposed: EolResult[] | undefined): boolean {
  return (current ?? []).some((c) => UNSUPPORTED.has(c.status) && !(proposed ?? []).some((p) => p.product === c.product && UNSUPPORTED.has(p.status)));
}

/** Why a moved digest is not re-pinned yet (cooldown, no-op for the pinned platforms), or undefined. */
async function digestRefreshBlocked(
  ds: UpdateDatasources,
  repo: RepositoryRef,
  currentDigest: string,
  resolved: { digest: string; kind: "index" | "manifest" },
  o: ImageLookupOptions,
): Promise<string | undefined> {
  if (resolved.kind === "index") {
    const [before, after] = await Promise.all([ds.platformDigests(repo, currentDigest).catch(() => undefined), ds.platformDigests(repo, resolved.digest).catch(() => undefined)]);
    if (before && after && before.size > 0 && [...before].every(([p, d]) => after.get(p) === d)) {
      return `the index digest moved only because platforms were added (${[...after.keys()].filter((p) => !before.has(p)).join(", ")}); the images already pinned are unchanged`;
    }
  }
  if (o.cooldownDays <= 0) return undefined;
  const published = await ds.published(repo, resolved.digest).catch(() => undefined);
  if (!published) return `the digest moved to ${short(resolved.digest)}, but the registry does not say when it was built: not re-pinned (cooldown ${o.cooldownDays} days)`;
  const ageDays = (o.now.getTime() - published.getTime()) / DAY_MS;
  if (ageDays < o.cooldownDays) {
    return `the digest moved to ${short(resolved.digest)} ${Math.max(0, Math.floor(ageDays))} day(s) ago: waiting for the ${o.cooldownDays}-day cooldown before re-pinning`;
  }
  return undefined;
}

// ---- charts -------------------------------------------------------------------------------

async function lookupChart(dep: Dependency, ds: UpdateDatasources, policy: UpdatePolicy): Promise<Lookup> {
  const versions = dep.datasource === "helm" ? await ds.chartVersions(dep.registryUrl!, dep.packageName) : await ds.ociChartVersions(splitPackageName(dep.packageName));
  const decision = chooseChartVersion(dep.current, versions, { policy });
  const result: Lookup = { dep, reasons: [], major: decision.change === "major", updateType: "none", notes: [], resolvedVulns: [] };
  if (decision.note) result.notes.push(decision.note);
  if (decision.targetInfo) result.chartTarget = decision.targetInfo;
  const current = versions.find((v) => v.version === dep.current);
  const sourceInfo = decision.targetInfo ?? current ?? versions[0];
  const gh = sourceInfo ? githubRepo([...(sourceInfo.sources ?? []), sourceInfo.home ?? ""]) : undefined;
  if (gh) result.sourceUrl = gh;
  if (decision.proposed !== undefined) {
    result.values = { version: decision.proposed };
    result.proposed = decision.proposed;
    result.updateType = decision.change === "none" ? "patch" : decision.change;
    result.reasons.push("newer");
    if (decision.deprecated) result.reasons.push("deprecated");
  } else if (decision.deprecated) {
    result.notice = true;
    result.reasons.push("deprecated");
    result.notes.push(`chart ${dep.name} is marked deprecated in its repository and no newer, non-deprecated version is allowed by the policy`);
  }
  return result;
}

/** https://github.com/<owner>/<repo> from a list of URLs, or undefined. */
export function githubRepo(urls: readonly string[]): string | undefined {
  for (const u of urls) {
    const m = /^(?:git\+)?https?:\/\/(?:www\.)?github\.com\/([\w.-]+)\/([\w.-]+?)(?:\.git)?(?:[/#?].*)?$/i.exec(u.trim());
    if (m) return `https://github.com/${m[1]}/${m[2]}`;
  }
  return undefined;
}

// ---- re-scan ------------------------------------------------------------------------------

function findingKey(f: Finding): string {
  const r = f.resource;
  return [f.ruleId, r?.kind ?? "", r?.namespace ?? "", r?.name ?? "", r?.container ?? "", f.range.startLine].join("|");
}

function rescan(path: string, text: string, edits: readonly TextEdit[], config: BulwarkConfig, now: Date, cache: Map<string, Finding[]>): { added: Finding[]; resolved: Finding[] } {
  const active = (fs: Finding[]) => fs.filter((f) => !f.suppressed && !f.ruleId.startsWith("BULWARK-"));
  let before = cache.get(path);
  if (!before) {
    before = active(scan([{ path, text }], { config, now }).findings);
    cache.set(path, before);
  }
  const after = active(scan([{ path, text: applyTextEdits(text, edits) }], { config, now }).findings);
  const beforeKeys = new Set(before.map(findingKey));
  const afterKeys = new Set(after.map(findingKey));
  return { added: after.filter((f) => !beforeKeys.has(findingKey(f))), resolved: before.filter((f) => !afterKeys.has(findingKey(f))) };
}

// ---- title and body -----------------------------------------------------------------------

function short(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}

function displayName(u: Pick<PlannedUpdate, "kind" | "name">): string {
  return u.name;
}

function titleFor(u: PlannedUpdate, r: Lookup): string {
  const name = displayName(u);
  if (u.kind === "chart") {
    if (r.notice) return `Helm chart ${name} is deprecated`;
    return `Update Helm chart ${name} to ${u.proposed}`;
  }
  if (u.updateType === "pin") return `Pin ${name}:${u.current} to digest ${short(u.digest!)}`;
  if (u.updateType === "digest") return `Update ${name}:${u.current} digest to ${short(u.digest!)}`;
  const os = r.docker?.osMove;
  const eolNote = os ? ` (${os.productTitle} ${os.from.token} is end-of-life)` : "";
  return `Update ${name} to ${u.proposed}${eolNote}`;
}

/** A web page for the repository, when the registry has a well-known one. */
export function registryLink(dep: Pick<Dependency, "datasource" | "packageName" | "registryUrl" | "image">): string | undefined {
  if (dep.datasource === "helm") return dep.registryUrl;
  const { registry, repository } = dep.image ? { registry: dep.image.registry, repository: dep.image.repository } : splitPackageName(dep.packageName);
  if (registry === "docker.io") return repository.startsWith("library/") ? `https://hub.docker.com/_/${repository.slice(8)}` : `https://hub.docker.com/r/${repository}`;
  if (registry === "ghcr.io") return `https://ghcr.io/${repository}`;
  if (registry === "quay.io") return `https://quay.io/repository/${repository}`;
  if (registry === "gcr.io" || registry.endsWith(".gcr.io") || registry.endsWith("-docker.pkg.dev")) return `https://${registry}/${repository}`;
  if (registry === "public.ecr.aws") return `https://gallery.ecr.aws/${repository}`;
  return undefined;
}

function cycleText(r: { cycle: string; codename?: string }): string {
  return r.codename ? `${r.cycle} (${r.codename})` : r.cycle;
}

function bodyFor(u: PlannedUpdate, r: Lookup, dep: Dependency): string {
  const lines: string[] = [];
  const what = u.kind === "chart" ? `Helm chart **${u.name}**` : `image **${u.name}**`;
  const where = `\`${u.path}\` line ${u.range.startLine}`;
  if (r.notice) {
    lines.push(`The ${what} used in ${where} is marked **deprecated** by its chart repository, and no newer version is allowed by the update policy.`, "");
  } else {
    lines.push(`Bulwark proposes updating the ${what} in ${where}.`, "");
    lines.push("| | from | to |", "|---|---|---|");
    if (u.proposed !== u.current) lines.push(`| ${u.kind === "chart" ? "version" : "tag"} | \`${u.current}\` | \`${u.proposed}\` |`);
    if (u.digest || u.currentDigest) lines.push(`| digest | ${u.currentDigest ? `\`${u.currentDigest}\`` : "—"} | ${u.digest ? `\`${u.digest}\`` : "—"} |`);
    if (u.major) lines.push("", "⚠️ This is a **major** update: read the release notes before merging.");
  }
  lines.push("", "**Why**");
  if (u.reasons.includes("newer")) {
    const kind = u.updateType === "digest" ? "the tag now points to newer content" : u.updateType === "pin" ? "pinning the digest makes the deployment reproducible" : `a newer ${u.updateType} release is available`;
    lines.push(`- **newer**: ${kind}.`);
  }
  const os = r.docker?.osMove;
  if (os) {
    const ext = os.from.extendedSupportEnd ? ` (only extended support remains, until ${os.from.extendedSupportEnd})` : "";
    lines.push(
      `- **end of life**: ${os.productTitle} ${os.from.cycle} (\`${os.from.token}\`) ${os.from.status === "eol" ? "reached end of life" : "lost free security support"} on ${os.from.eolDate ?? "an unknown date"}${ext}; the image moves to ${os.productTitle} ${os.to.cycle} (\`${os.to.token}\`), supported ${os.to.eolDate ? `until ${os.to.eolDate}` : "with no announced end"}.`,
    );
  }
  for (const e of r.eolCurrent ?? []) {
    if (!UNSUPPORTED.has(e.status) || (os && e.product === os.product)) continue;
    const fixed = !(r.eolProposed ?? []).some((p) => p.product === e.product && UNSUPPORTED.has(p.status));
    lines.push(`- **end of life**: ${e.productTitle} ${cycleText(e)} ${e.status === "eol" ? "reached end of life" : "lost free security support"} on ${e.eolDate ?? "an unknown date"}${fixed ? "; the new version is supported" : "; this update does not leave it"}.`);
  }
  if (u.reasons.includes("vulnerable") && r.vulnCurrent) {
    const v = r.vulnCurrent.vulnerabilities;
    lines.push(`- **vulnerable**: the ${r.vulnCurrent.scanner} scan of \`${r.vulnCurrent.image}\` lists ${v.length} vulnerabilities (${summarizeVulnerabilities(v)}).`);
  }
  if (u.reasons.includes("deprecated")) lines.push(`- **deprecated**: the chart repository marks ${u.name} as deprecated.`);
  for (const n of r.notes) lines.push(`- note: ${n}`);
  if (dep.source === "chart-yaml" && !r.notice) {
    lines.push("", "If the chart has a `Chart.lock`, run `helm dependency update` on this branch: Helm refuses a lock file whose digest no longer matches Chart.yaml.");
  }

  const links: string[] = [];
  const reg = registryLink(dep);
  links.push(`- Registry: ${reg ? `[${u.packageName}](${reg})` : `\`${u.packageName}\``}`);
  if (r.sourceUrl) {
    const gh = githubRepo([r.sourceUrl]);
    links.push(`- Release notes: ${gh ? `[${gh.replace("https://github.com/", "")} releases](${gh}/releases)` : `<${r.sourceUrl}>`}`);
  }
  lines.push("", "**Links**", ...links);

  if (u.resolvedVulnerabilities.length > 0 || u.resolvedFindings.length > 0) {
    lines.push("", "**Security findings this update resolves**");
    for (const v of u.resolvedVulnerabilities.slice(0, 20)) lines.push(`- ${v.id} (${v.severity}) in ${v.pkg}${v.installed ? ` ${v.installed}` : ""}${v.fixed ? `, fixed in ${v.fixed}` : ""}`);
    if (u.resolvedVulnerabilities.length > 20) lines.push(`- … and ${u.resolvedVulnerabilities.length - 20} more`);
    for (const f of u.resolvedFindings) lines.push(`- ${f.ruleId} (${f.severity}): ${f.title}`);
  }
  if (u.addedFindings.length > 0) {
    lines.push("", "**⚠️ New findings after this update**");
    for (const f of u.addedFindings) lines.push(`- ${f.ruleId} (${f.severity}): ${f.message}`);
  }
  const marker = { branch: u.branchName, dependency: u.id, from: u.current, to: u.proposed, ...(u.digest ? { digest: u.digest } : {}) };
  lines.push("", `<!-- bulwark-update ${JSON.stringify(marker).replace(/--/g, "\\u002d\\u002d")} -->`);
  return `${lines.join("\n")}\n`;
}

// ---- grouping -----------------------------------------------------------------------------

export interface UpdateGroup {
  branchName: string;
  /** The updates of one dependency line (the same image or chart in several places). */
  updates: PlannedUpdate[];
  /** Every edit of the group, merged per file (non-overlapping, sorted). */
  edits: TextEdit[];
  title: string;
  body: string;
}

/**
 * One group per branch: the same image or chart referenced from several files moves together in
 * one pull request. Notices (no edits) are left out. Order: first appearance in `updates`.
 */
export function groupUpdates(updates: readonly PlannedUpdate[]): UpdateGroup[] {
  const byBranch = new Map<string, PlannedUpdate[]>();
  for (const u of updates) {
    if (u.edits.length === 0) continue;
    const list = byBranch.get(u.branchName) ?? [];
    list.push(u);
    byBranch.set(u.branchName, list);
  }
  const groups: UpdateGroup[] = [];
  for (const [branchName, all] of byBranch) {
    // Two references sharing bytes (one ARG default used by two FROM lines) must agree; a later
    // update that conflicts waits for the next run.
    const list: PlannedUpdate[] = [];
    for (const u of all) if (list.every((o) => editsCompatible(o.edits, u.edits))) list.push(u);
    const edits = mergeEdits(list.flatMap((u) => u.edits)).sort((a, b) => (a.path === b.path ? a.start - b.start : a.path < b.path ? -1 : 1));
    const first = list[0]!;
    const targets = [...new Set(list.map((u) => u.proposed + (u.digest ? `@${u.digest}` : "")))];
    const title = list.length === 1 || targets.length === 1 ? first.title : `Update ${first.kind === "chart" ? "Helm chart " : ""}${first.name} (${list.length} references)`;
    const body = list.length === 1 ? first.body : list.map((u) => `### \`${u.path}\` line ${u.range.startLine}\n\n${u.body}`).join("\n---\n\n");
    groups.push({ branchName, updates: list, edits, title, body });
  }
  return groups;
}
