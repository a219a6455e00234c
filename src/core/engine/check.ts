// The interface between the engine and rule checks. A check says WHAT it found and,
// optionally, WHAT should change (FixOps / Dockerfile edits); the engine decides where
// that is in the text, how it is fingerprinted, suppressed and turned into edits.
import type { FixOp, Path } from "../fix/ops.js";
import type { ResourceRef, Severity } from "../types.js";
import type { ContainerRef, K8sObject, Workload } from "../model/k8s.js";
import type { DockerfileModel } from "../parse/dockerfile.js";
import type { Profile, RuleMeta } from "./rule.js";
import type { Project } from "./project.js";
import type { RuleSettings } from "../config/schema.js";
import type { HelmChart } from "../helm/chart.js";
import type { LineIndex } from "../parse/positions.js";

export interface K8sReport {
  object: K8sObject;
  /** Path of the offending field relative to the object (or of the field that is missing). */
  path: Path;
  message: string;
  container?: ContainerRef;
  /** Overrides the rule's severity (e.g. critical for a dangerous capability). */
  severity?: Severity;
  /** Byte-preserving fix, relative to the object. */
  fix?: { description: string; ops: FixOp[] };
  /** Distinguishes several findings of one rule on the same field (e.g. one per capability). */
  key?: string;
}

export interface DockerReport {
  dockerfile: DockerfileModel;
  /** Offsets into the Dockerfile text of the offending span. */
  start: number;
  end: number;
  message: string;
  severity?: Severity;
  /** Stage index, used by the fingerprint and stage-level suppressions. */
  stage?: number;
  fix?: { description: string; edits: { start: number; end: number; newText: string }[] };
  key?: string;
}

/** A finding at offsets of a file that has no object model (Helm templates, Chart.yaml). No fix: such findings are SUGGEST-only. */
export interface TextReport {
  source: { path: string; text: string; lines: LineIndex };
  start: number;
  end: number;
  message: string;
  severity?: Severity;
  resource?: ResourceRef;
  key?: string;
}

export interface CheckContext {
  meta: RuleMeta;
  settings: RuleSettings;
  /** "today" for date-dependent rules (end-of-life); injected so scans are deterministic. */
  now: Date;
  /** Kubernetes minor version the manifests target, e.g. "1.33". */
  targetKubernetesVersion: string;
  /** Pod Security Standards policy version, "latest" or "v1.NN". */
  pssVersion: string;
  trustedRegistries: readonly string[];
  /** The configured profile: PSA controls differ between baseline and restricted (e.g. procMount with user namespaces). */
  profile: Profile;
  report(r: K8sReport | DockerReport | TextReport): void;
}

export interface RuleCheck {
  id: string;
  /** Called for every Kubernetes object. */
  object?(o: K8sObject, ctx: CheckContext): void;
  /** Called for every workload (objects with a pod template). */
  workload?(w: Workload, ctx: CheckContext): void;
  dockerfile?(d: DockerfileModel, ctx: CheckContext): void;
  /** Called for every Helm chart (Chart.yaml, values files and templates grouped by chart directory). */
  chart?(c: HelmChart, ctx: CheckContext): void;
  /** Cross-resource checks over every file of one scan. */
  project?(p: Project, ctx: CheckContext): void;
}

/** Numeric "v1.NN" / "1.NN" / "latest" → comparable minor version (latest = Infinity). */
export function minorOf(version: string): number {
  if (version === "latest") return Number.POSITIVE_INFINITY;
  const m = /^v?1\.(\d+)/.exec(version);
  return m ? Number(m[1]) : Number.POSITIVE_INFINITY;
}
