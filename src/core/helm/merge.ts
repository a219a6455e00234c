// Joining the rendered review (Helm, Kustomize) with the plain scan: one list of findings, no
// finding said twice, one summary.
import { fingerprint } from "../engine/scan.js";
import type { Catalog } from "../engine/catalog.js";
import { getCatalog } from "../engine/catalog.js";
import { DEFAULT_CONFIG } from "../config/schema.js";
import type { BulwarkConfig } from "../config/schema.js";
import { LineIndex } from "../parse/positions.js";
import type { Finding } from "../types.js";
import type { ScanResult, ScanSummary } from "../../report/model.js";
import { compareFindings, summarize } from "../engine/scan.js";

/** Static chart findings that a rendered finding on the same line says better (with the real rule ID). */
const SUPERSEDED_BY_RENDERED = new Set(["HELM-001", "HELM-002"]);
/** Rendered secret findings that K8S-SECRET-005 on the same values key already reports. */
const RENDERED_SECRETS = new Set(["K8S-SECRET-001", "K8S-SECRET-002", "K8S-SECRET-003"]);

function lineKey(f: Finding): string {
  return `${f.path}\u0000${f.range.startLine}`;
}

/**
 * Adds rendered findings to a scan result. Dropped: static findings in `replacedPaths` (files
 * whose content is only meaningful once built, such as strategic-merge patches: the rendered
 * review reports on them what the build actually deploys); static HELM-001/002 findings on a line a
 * rendered finding points at; rendered findings that repeat a static one (same rule, file and
 * position: a Kustomize base scanned both ways); rendered secret findings on a line that
 * K8S-SECRET-005 reports; and rendered repeats (one values key feeding several resources).
 */
export function mergeRendered(result: ScanResult, rendered: readonly Finding[], replacedPaths: ReadonlySet<string> = new Set()): ScanResult {
  const renderedLines = new Set(rendered.map(lineKey));
  const renderedFixLines = new Set(rendered.filter((f) => f.fix).map(lineKey));
  // Superseded only when nothing is lost: a static fix stays unless the rendered finding brings one.
  const kept = result.findings.filter(
    (f) =>
      !(SUPERSEDED_BY_RENDERED.has(f.ruleId) && renderedLines.has(lineKey(f)) && (!f.fix || renderedFixLines.has(lineKey(f)))) &&
      // A partial object (a Kustomize patch) judged on its own reports what the build fills in.
      !(replacedPaths.has(f.path) && !f.ruleId.startsWith("BULWARK-")),
  );
  const staticAt = new Set(kept.map((f) => `${f.ruleId}\u0000${lineKey(f)}\u0000${f.range.startColumn}\u0000${f.resource?.container ?? ""}`));
  const secretLines = new Set(kept.filter((f) => f.ruleId === "K8S-SECRET-005").map(lineKey));
  const seen = new Set<string>();
  const added: Finding[] = [];
  for (const f of rendered) {
    const at = `${f.ruleId}\u0000${lineKey(f)}\u0000${f.range.startColumn}\u0000${f.resource?.container ?? ""}`;
    if (staticAt.has(at)) continue;
    if (RENDERED_SECRETS.has(f.ruleId) && secretLines.has(lineKey(f))) continue;
    // Two containers (or two overlays) fed by one values key / one base field: one finding.
    const repeat = `${f.ruleId}\u0000${lineKey(f)}\u0000${f.range.startColumn}\u0000${f.message.replace(/"[^"]*"/g, "")}`;
    if (seen.has(repeat)) continue;
    seen.add(repeat);
    added.push(f);
  }
  const findings = [...kept, ...added].sort(compareFindings);
  return { findings, summary: resummarize(result.summary, findings) };
}


export function resummarize(before: ScanSummary, findings: readonly Finding[]): ScanSummary {
  return { ...before, ...summarize(findings, before.files, before.resources) };
}

/**
 * A failed render as a finding (HELM-003 for charts, BULWARK-PARSE for Kustomize): on line 1 of
 * `path`, with the tool's own message. Undefined when the config turns the rule off.
 */
export function renderFailure(
  ruleId: string,
  path: string,
  text: string | undefined,
  message: string,
  options: { config?: BulwarkConfig; catalog?: Catalog } = {},
): Finding | undefined {
  const config = options.config ?? DEFAULT_CONFIG;
  const meta = (options.catalog ?? getCatalog()).meta(ruleId);
  const override = config.rules[ruleId];
  if (override?.enabled === false) return undefined;
  const lines = new LineIndex(text ?? "");
  const firstLine = (text ?? "").indexOf("\n");
  return {
    ruleId,
    severity: override?.severity ?? meta?.severity ?? "high",
    title: meta?.title ?? ruleId,
    message,
    path,
    range: lines.range(0, firstLine < 0 ? (text ?? "").length : firstLine),
    // The file and the fact, not the error text: a different error is still the same problem.
    fingerprint: fingerprint([ruleId, path, "render"]),
  };
}
