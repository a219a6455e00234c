// Deprecated and removed API versions (catalog §3.9, §4). The data and its semantics
// (removal versions, replacement chains, which moves are pure renames) live in
// src/core/data/deprecated-apis.ts; this file only turns them into findings.
import type { RuleCheck } from "../core/engine/check.js";
import { minorOf } from "../core/engine/check.js";
import type { K8sObject } from "../core/model/k8s.js";
import { asObj, isObj } from "../core/model/k8s.js";
import type { DeprecatedApiEntry, DeprecationStatus, ResolvedReplacement } from "../core/data/deprecated-apis.js";
import { classify, lookupDeprecatedApi, resolveReplacement } from "../core/data/deprecated-apis.js";
import type { Severity } from "../core/types.js";

const SEVERITY: Record<Exclude<DeprecationStatus, "not-deprecated">, Severity> = {
  removed: "critical",
  "removed-soon": "medium",
  deprecated: "low",
};

/**
 * `manualIf` names the case in which a rename changes behaviour. Conditions this rule can
 * evaluate are evaluated; any other one is assumed to hold, so no unsafe rename is offered.
 */
function renameIsUnsafe(entry: DeprecatedApiEntry, o: K8sObject): boolean {
  if (entry.manualIf === undefined) return false;
  if (o.kind === "PodDisruptionBudget") {
    // policy/v1 reads an empty selector as "every pod in the namespace" (v1beta1: none).
    const selector = asObj(o.value.spec).selector;
    if (!isObj(selector)) return false;
    const labels = asObj(selector.matchLabels);
    const exprs = selector.matchExpressions;
    return Object.keys(labels).length === 0 && !(Array.isArray(exprs) && exprs.length > 0);
  }
  return true;
}

/**
 * User-facing migration notes of every step of the chain. The data's notes also record where
 * the data came from (Pluto, the catalog); those sentences mean nothing to a reviewer.
 */
function migrationNotes(entry: DeprecatedApiEntry, kind: string, chain: readonly string[]): string {
  const entries = [entry, ...chain.slice(1, -1).map((v) => lookupDeprecatedApi(v, kind))];
  const sentences: string[] = [];
  for (const e of entries) {
    for (const sentence of (e?.notes ?? "").split(/(?<=\.)\s+/)) {
      const t = sentence.replace(/\s*\([^)]*(?:Pluto|catalog)[^)]*\)\s*/gi, " ").trim();
      if (t && !/Pluto|catalog/i.test(t) && !sentences.includes(t)) sentences.push(t);
    }
  }
  return sentences.join(" ");
}

function statusText(entry: DeprecatedApiEntry, status: DeprecationStatus, target: string): string {
  if (status === "removed") return `was removed in Kubernetes ${entry.removedIn}: a ${target} API server rejects this manifest`;
  const since = entry.deprecatedIn !== undefined ? `deprecated since ${entry.deprecatedIn} and ` : "";
  if (status === "removed-soon") return `is ${since}removed in Kubernetes ${entry.removedIn}, within two minor versions of the target ${target}`;
  return `is ${since}scheduled for removal in Kubernetes ${entry.removedIn} (target ${target})`;
}

const deprecatedApi: RuleCheck = {
  id: "K8S-API-001",
  object(o, ctx) {
    // K8S-API-002 owns PodSecurityPolicy: it has no replacement API, only a migration.
    if (o.kind === "PodSecurityPolicy") return;
    const entry = lookupDeprecatedApi(o.apiVersion, o.kind);
    if (!entry) return;
    const target = ctx.targetKubernetesVersion;
    const status = classify(entry, target);
    if (status === "not-deprecated") return;
    const rep: ResolvedReplacement | undefined = resolveReplacement(entry, o.kind, target);
    const head = `${o.kind} "${o.name}": ${o.apiVersion} ${statusText(entry, status, target)}.`;
    const caveat = entry.verified === false ? " (Removal data from Pluto only: check the Kubernetes release notes.)" : "";
    if (!rep) {
      const notes = migrationNotes(entry, o.kind, [entry.apiVersion]);
      const what =
        entry.replacement === null
          ? " Nothing replaces it."
          : ` Its replacement ${entry.replacement} is served only from Kubernetes ${entry.replacementAvailableIn ?? "a later version"}: upgrade the cluster and move to it.`;
      ctx.report({ object: o, path: ["apiVersion"], severity: SEVERITY[status], message: `${head}${what}${notes ? ` ${notes}` : ""}${caveat}` });
      return;
    }
    const notes = migrationNotes(entry, o.kind, rep.chain);
    const via = rep.chain.length > 2 ? ` (via ${rep.chain.slice(1, -1).join(", ")})` : "";
    if (rep.fix === "rename" && !renameIsUnsafe(entry, o)) {
      ctx.report({
        object: o,
        path: ["apiVersion"],
        severity: SEVERITY[status],
        message: `${head} Replace it with ${rep.apiVersion}${via}; the schema is unchanged for this kind, so only apiVersion changes.${notes ? ` Note: ${notes}` : ""}${caveat}`,
        fix: { description: `Set apiVersion: ${rep.apiVersion}`, ops: [{ op: "set", path: ["apiVersion"], value: rep.apiVersion }] },
      });
      return;
    }
    const why =
      rep.fix === "rename"
        ? ` Renaming alone would change behaviour here: ${entry.manualIf?.trim()}`
        : ` Moving to ${rep.apiVersion} is not a pure rename${rep.fix === "transform" ? " (fields change shape)" : " (review required)"}: ${notes || "see the Kubernetes Deprecated API Migration Guide."}`;
    ctx.report({
      object: o,
      path: ["apiVersion"],
      severity: SEVERITY[status],
      message: `${head} Migrate it to ${rep.apiVersion}${via}.${why}${caveat}`,
    });
  },
};

const podSecurityPolicy: RuleCheck = {
  id: "K8S-API-002",
  object(o, ctx) {
    if (o.kind !== "PodSecurityPolicy") return;
    const target = ctx.targetKubernetesVersion;
    const gone = minorOf(target) >= 25;
    ctx.report({
      object: o,
      path: ["kind"],
      message: `PodSecurityPolicy "${o.name}" ${gone ? `no longer exists: PSP was removed in Kubernetes 1.25, so on ${target} this manifest is rejected and enforces nothing` : `is deprecated and removed in Kubernetes 1.25, with no replacement API`}. Enforce Pod Security Standards with Pod Security Admission namespace labels (pod-security.kubernetes.io/enforce: baseline or restricted, see K8S-GEN-004), or a policy engine for rules PSA does not cover.`,
    });
  },
};

export const API_CHECKS: RuleCheck[] = [deprecatedApi, podSecurityPolicy];
