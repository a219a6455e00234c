// Vulnerability reports that a workflow produced (Trivy or Grype JSON), mapped onto the image
// references Bulwark extracted. The engine stays offline: these findings (K8S-IMAGE-007) are
// built here from reports the caller passes in, never fetched by a rule.
//
// Trivy:  { ArtifactName, ArtifactType, Metadata: { RepoTags, RepoDigests },
//           Results: [ { Target, Vulnerabilities: [ { VulnerabilityID, PkgName, InstalledVersion,
//           FixedVersion, Severity, Title, PrimaryURL } ] } ] }   (one object, or an array of them)
// Grype:  { matches: [ { vulnerability: { id, severity, fix: { versions, state }, dataSource },
//           artifact: { name, version } } ], source: { type: "image", target: { userInput,
//           repoDigests, tags } } }
import { fingerprint } from "../core/engine/scan.js";
import { tryParseImageRef } from "../core/image/reference.js";
import type { ParsedImageRef } from "../core/image/reference.js";
import type { Finding, Severity } from "../core/types.js";
import type { Dependency } from "./types.js";

export const VULNERABILITY_RULE_ID = "K8S-IMAGE-007";

export interface Vulnerability {
  id: string;
  severity: Severity;
  pkg: string;
  installed?: string;
  fixed?: string;
  title?: string;
  url?: string;
}

export interface ImageVulnerabilities {
  /** The image as the scanner named it. */
  image: string;
  /** Every reference the report names (tags and repo digests), parsed. */
  refs: ParsedImageRef[];
  vulnerabilities: Vulnerability[];
  scanner: "trivy" | "grype";
}

const SEVERITY: Record<string, Severity> = { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low", NEGLIGIBLE: "info", UNKNOWN: "info" };

function sev(s: unknown): Severity {
  return SEVERITY[String(s ?? "").toUpperCase()] ?? "info";
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function obj(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function refsOf(names: (string | undefined)[]): ParsedImageRef[] {
  const out: ParsedImageRef[] = [];
  for (const n of names) {
    if (!n) continue;
    const r = tryParseImageRef(n);
    if (r && !out.some((o) => o.raw === r.raw)) out.push(r);
  }
  return out;
}

function parseTrivy(report: Record<string, unknown>): ImageVulnerabilities | undefined {
  const image = str(report.ArtifactName);
  if (!image) return undefined;
  const meta = obj(report.Metadata);
  const vulns: Vulnerability[] = [];
  for (const result of arr(report.Results)) {
    for (const v of arr(obj(result).Vulnerabilities)) {
      const o = obj(v);
      const id = str(o.VulnerabilityID);
      if (!id) continue;
      const vuln: Vulnerability = { id, severity: sev(o.Severity), pkg: str(o.PkgName) ?? "?" };
      const installed = str(o.InstalledVersion);
      const fixed = str(o.FixedVersion);
      const title = str(o.Title);
      const url = str(o.PrimaryURL);
      if (installed) vuln.installed = installed;
      if (fixed) vuln.fixed = fixed;
      if (title) vuln.title = title;
      if (url) vuln.url = url;
      vulns.push(vuln);
    }
  }
  const names = [image, ...arr(meta.RepoTags).map(str), ...arr(meta.RepoDigests).map(str)];
  return { image, refs: refsOf(names), vulnerabilities: vulns, scanner: "trivy" };
}

function parseGrype(report: Record<string, unknown>): ImageVulnerabilities | undefined {
  const source = obj(report.source);
  const target = obj(source.target);
  const image = str(target.userInput);
  if (!image) return undefined;
  const vulns: Vulnerability[] = [];
  for (const m of arr(report.matches)) {
    const match = obj(m);
    const v = obj(match.vulnerability);
    const artifact = obj(match.artifact);
    const id = str(v.id);
    if (!id) continue;
    const vuln: Vulnerability = { id, severity: sev(v.severity), pkg: str(artifact.name) ?? "?" };
    const installed = str(artifact.version);
    const fix = obj(v.fix);
    const fixed = arr(fix.versions).map(str).filter((x): x is string => x !== undefined);
    const url = str(v.dataSource);
    if (installed) vuln.installed = installed;
    if (fixed.length > 0 && fix.state !== "not-fixed") vuln.fixed = fixed.join(", ");
    if (url) vuln.url = url;
    vulns.push(vuln);
  }
  const names = [image, ...arr(target.tags).map(str), ...arr(target.repoDigests).map(str)];
  return { image, refs: refsOf(names), vulnerabilities: vulns, scanner: "grype" };
}

/** Reads Trivy or Grype JSON (one report, an array of reports, or JSON text). Unknown input yields []. */
export function parseVulnerabilityReport(input: unknown): ImageVulnerabilities[] {
  let data = input;
  if (typeof data === "string") {
    try {
      data = JSON.parse(data) as unknown;
    } catch {
      return [];
    }
  }
  const list = Array.isArray(data) ? data : [data];
  const out: ImageVulnerabilities[] = [];
  for (const item of list) {
    const o = obj(item);
    const parsed = "Results" in o || "ArtifactName" in o ? parseTrivy(o) : "matches" in o ? parseGrype(o) : undefined;
    if (parsed) out.push(parsed);
  }
  return out;
}

function keysOf(ref: ParsedImageRef): string[] {
  const name = `${ref.registry}/${ref.repository}`;
  const keys: string[] = [];
  if (ref.digest) keys.push(`${name}@${ref.digest}`);
  if (ref.tag) keys.push(`${name}:${ref.tag}`);
  return keys;
}

/** Lookup of scanned images by reference: a digest match wins over a tag match. */
export class VulnerabilityIndex {
  private readonly byKey = new Map<string, ImageVulnerabilities>();

  constructor(reports: readonly ImageVulnerabilities[] = []) {
    for (const r of reports) for (const ref of r.refs) for (const k of keysOf(ref)) if (!this.byKey.has(k)) this.byKey.set(k, r);
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The report for an image (digest first, then tag), or undefined when it was not scanned. */
  forImage(ref: ParsedImageRef): ImageVulnerabilities | undefined {
    for (const k of keysOf(ref)) {
      const hit = this.byKey.get(k);
      if (hit) return hit;
    }
    return undefined;
  }
}

const ORDER: Severity[] = ["critical", "high", "medium", "low", "info"];

function worst(vulns: readonly Vulnerability[]): Severity {
  return ORDER.find((s) => vulns.some((v) => v.severity === s)) ?? "info";
}

export function summarizeVulnerabilities(vulns: readonly Vulnerability[]): string {
  const counts = ORDER.map((s) => [s, vulns.filter((v) => v.severity === s).length] as const).filter(([, n]) => n > 0);
  return counts.map(([s, n]) => `${n} ${s}`).join(", ");
}

/** K8S-IMAGE-007 findings: one per image dependency that a report lists with vulnerabilities. */
export function vulnerabilityFindings(reports: readonly ImageVulnerabilities[] | VulnerabilityIndex, dependencies: readonly Dependency[]): Finding[] {
  const index = reports instanceof VulnerabilityIndex ? reports : new VulnerabilityIndex(reports);
  const findings: Finding[] = [];
  for (const dep of dependencies) {
    if (dep.kind !== "image" || !dep.image) continue;
    const report = index.forImage(dep.image);
    if (!report || report.vulnerabilities.length === 0) continue;
    const vulns = report.vulnerabilities;
    const fixable = vulns.filter((v) => v.fixed);
    const top = [...vulns].sort((a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity)).slice(0, 5);
    const listed = top.map((v) => `${v.id} (${v.severity}, ${v.pkg}${v.installed ? ` ${v.installed}` : ""}${v.fixed ? ` → ${v.fixed}` : ", no fix yet"})`).join("; ");
    const ref = dep.image.raw;
    findings.push({
      ruleId: VULNERABILITY_RULE_ID,
      severity: worst(vulns),
      title: "Image has known vulnerabilities",
      message:
        `${ref} has ${vulns.length} known vulnerabilit${vulns.length === 1 ? "y" : "ies"} (${summarizeVulnerabilities(vulns)}) according to the ${report.scanner} scan of ${report.image}; ` +
        `${fixable.length} ha${fixable.length === 1 ? "s" : "ve"} a fixed package version. ${listed}${vulns.length > top.length ? ` and ${vulns.length - top.length} more` : ""}.`,
      path: dep.path,
      range: dep.range,
      ...(dep.resource ? { resource: dep.resource } : {}),
      fingerprint: fingerprint([
        VULNERABILITY_RULE_ID,
        dep.path,
        dep.resource?.kind ?? "",
        dep.resource?.namespace ?? "",
        dep.resource?.name ?? "",
        dep.resource?.container ?? "",
        dep.packageName,
      ]),
    });
  }
  return findings;
}
