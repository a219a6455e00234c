// Applying many fixes at once (`bulwark scan --fix`, `/bulwark fix`, "Apply fixes"):
// ops of one document are planned together so that fixes on the same container merge
// into one coherent edit; Dockerfile edits are applied when they do not overlap, and
// the loop re-scans until nothing applicable is left.
import { planYamlEdits } from "../fix/yaml-edit.js";
import { editsCompatible } from "../fix/apply.js";
import type { Finding, SourceFile, TextEdit } from "../types.js";
import type { FixOp } from "../fix/ops.js";
import { applyTextEdits, FIX_SOURCES, keepsJsonValid, scan } from "./scan.js";
import type { ScanOptions } from "./scan.js";
import type { K8sObject } from "../model/k8s.js";
import { getCatalog } from "./catalog.js";
import { schemaRegressions } from "./schema.js";

export interface FixSelection {
  /** Rule IDs named explicitly: their AUTO* fixes are applied too. */
  rules?: readonly string[];
  /** Apply AUTO* fixes of every rule (never the default). */
  includeBehaviourChanging?: boolean;
  /** Only these files. */
  paths?: ReadonlySet<string>;
}

export interface FixOutcome {
  /** New text of every file that changed. */
  changed: Map<string, string>;
  /** Findings whose fix was applied (from the first pass that applied them). */
  applied: Finding[];
  /** Rule IDs fixed, for commit messages. */
  rules: string[];
  /** Files whose fixes failed verification and were left unchanged, with the reason. */
  rejected: Map<string, string>;
}

const MAX_PASSES = 4;

export function selectFixable(findings: readonly Finding[], sel: FixSelection, options: ScanOptions = {}): Finding[] {
  const catalog = options.catalog ?? getCatalog();
  const named = sel.rules && sel.rules.length > 0 ? new Set(sel.rules.map((r) => r.toUpperCase())) : undefined;
  return findings.filter((f) => {
    if ((!f.fix && FIX_SOURCES.get(f)?.kind !== "yaml") || f.suppressed) return false;
    if (sel.paths && !sel.paths.has(f.path)) return false;
    if (named && !named.has(f.ruleId)) return false;
    const cls = catalog.meta(f.ruleId)?.fix;
    if (cls === "AUTO") return true;
    return cls === "AUTO*" && (sel.includeBehaviourChanging === true || named?.has(f.ruleId) === true);
  });
}

export function fixFiles(files: readonly SourceFile[], sel: FixSelection, options: ScanOptions = {}): FixOutcome {
  const current = new Map(files.map((f) => [f.path, f.text]));
  const applied: Finding[] = [];
  const rejected = new Map<string, string>();
  const seen = new Set<string>();
  const original = scan(files, { ...options, verifyFixes: false, fixes: "none" });
  const originalFingerprints = new Set(original.findings.map((f) => f.fingerprint));
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const result = pass === 0 ? original : scan([...current].map(([path, text]) => ({ path, text })), { ...options, verifyFixes: false, fixes: "none" });
    const chosen = selectFixable(result.findings, sel, options).filter((f) => !seen.has(f.fingerprint));
    if (chosen.length === 0) break;
    let progressed = false;
    for (const [path, group] of groupBy(chosen, (f) => f.path)) {
      const text = current.get(path)!;
      const { edits, used } = planFile(path, text, group);
      if (edits.length === 0) continue;
      current.set(path, applyTextEdits(text, edits));
      for (const f of used) {
        seen.add(f.fingerprint);
        applied.push(f);
      }
      progressed = true;
    }
    if (!progressed) break;
  }
  const changed = new Map<string, string>();
  for (const f of files) {
    const now = current.get(f.path);
    if (now !== undefined && now !== f.text) changed.set(f.path, now);
  }
  // Engine-level verification of the combined result: the fixed files parse, and no rule
  // that looks at one file at a time reports anything that was not there before. A file
  // that fails goes back to its original text, with nothing applied.
  const after = scan([...current].map(([path, text]) => ({ path, text })), { ...options, verifyFixes: false, fixes: "none" });
  const catalog = options.catalog ?? getCatalog();
  for (const f of after.findings) {
    if (!changed.has(f.path)) continue;
    const crossResource = Boolean(catalog.entries.get(f.ruleId)?.check?.project);
    const broken = f.ruleId === "BULWARK-PARSE" || (!originalFingerprints.has(f.fingerprint) && !crossResource && !f.ruleId.startsWith("BULWARK-"));
    if (broken) {
      changed.delete(f.path);
      rejected.set(f.path, `${f.ruleId}: ${f.message}`);
    }
  }
  for (const [path, text] of [...changed]) {
    const invalid = schemaRegressions(path, files.find((f) => f.path === path)!.text, text);
    if (invalid.length > 0) {
      changed.delete(path);
      rejected.set(path, `the fixed resource would not validate against the Kubernetes schema: ${invalid[0]}`);
    }
  }
  const kept = applied.filter((f) => changed.has(f.path));
  return { changed, applied: kept, rules: [...new Set(kept.map((f) => f.ruleId))].sort(), rejected };
}

/** Plan the edits of one file: YAML ops grouped per document, other edits if they do not overlap. */
function planFile(path: string, text: string, findings: Finding[]): { edits: TextEdit[]; used: Finding[] } {
  const edits: TextEdit[] = [];
  const used: Finding[] = [];
  const byDoc = new Map<K8sObject["doc"], { object: K8sObject; ops: FixOp[]; findings: Finding[] }>();
  const plain: Finding[] = [];
  for (const f of findings) {
    const src = FIX_SOURCES.get(f);
    if (src?.kind === "yaml") {
      const group = byDoc.get(src.object.doc) ?? { object: src.object, ops: [], findings: [] };
      group.ops.push(...src.ops.map((op) => ({ ...op, path: [...src.object.basePath, ...op.path] })));
      group.findings.push(f);
      byDoc.set(src.object.doc, group);
    } else plain.push(f);
  }
  for (const group of byDoc.values()) {
    const planned = planYamlEdits(text, group.object.doc.doc, group.ops, group.object.file.path);
    if (planned.failed.length === 0 && planned.edits.length > 0 && keepsJsonValid(path, text, planned.edits)) {
      edits.push(...planned.edits);
      used.push(...group.findings);
    } else {
      // Fall back to one finding at a time; the next pass picks up the rest.
      for (const f of group.findings) {
        const src = FIX_SOURCES.get(f);
        if (src?.kind !== "yaml") continue;
        const single = planYamlEdits(text, group.object.doc.doc, src.ops.map((op) => ({ ...op, path: [...src.object.basePath, ...op.path] })), group.object.file.path);
        if (single.failed.length === 0 && single.edits.length > 0 && editsCompatible(edits, single.edits) && keepsJsonValid(path, text, single.edits)) {
          edits.push(...single.edits);
          used.push(f);
          break;
        }
      }
    }
  }
  for (const f of plain) {
    if (!f.fix || !editsCompatible(edits, f.fix.edits)) continue;
    edits.push(...f.fix.edits);
    used.push(f);
  }
  return { edits, used };
}



function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}
