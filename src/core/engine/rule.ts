// Rule metadata as stored in rules/<ID>.yaml. Data, not code: docs, examples and
// peer-tool cross-references live here; the check lives in src/rules/<area>.ts.
import type { FixClass, Severity } from "../types.js";

export const PROFILES = ["pss-baseline", "pss-restricted", "hardened", "hygiene"] as const;
export type Profile = (typeof PROFILES)[number];

export const CATEGORIES = [
  "image",
  "runtime",
  "host",
  "network",
  "rbac",
  "secrets",
  "storage",
  "audit",
  "resources",
  "api",
  "general",
  "dockerfile",
  "bulwark",
] as const;
export type Category = (typeof CATEGORIES)[number];

export interface RuleExample {
  name: string;
  /** File name the example is scanned as (decides YAML vs Dockerfile); default "manifest.yaml". */
  file?: string;
  content: string;
  /** Exact text after applying this rule's fix (AUTO / AUTO* rules). */
  fixed?: string;
  /** Expected number of findings of this rule (failing examples); default "at least one". */
  count?: number;
  /** Config the example is scanned with (same schema as .github/bulwark.yml), e.g. trustedRegistries. */
  config?: Record<string, unknown>;
}

export interface PssReference {
  level: "baseline" | "restricted";
  control: string;
  /** Pod Security Admission check IDs (policy/check_*.go). */
  checks: string[];
}

export interface RuleReferences {
  pss?: PssReference;
  cis?: string[];
  nsa?: boolean;
  kubescape?: string[];
  checkov?: string[];
  trivy?: string[];
  kubelinter?: string[];
  polaris?: string[];
  hadolint?: string[];
  kubescore?: string[];
  links?: string[];
}

export interface RuleMeta {
  id: string;
  title: string;
  severity: Severity;
  category: Category;
  profiles: Profile[];
  fix: FixClass;
  description: string;
  remediation: string;
  /** How an absent field is treated (catalog §2.4). */
  missingField?: string;
  /** Warning shown next to AUTO* patches. */
  fixWarning?: string;
  /** Off unless enabled in config (e.g. needs an allow-list, or is noisy). */
  defaultEnabled: boolean;
  /**
   * Needs the network (registry data, a scanner report): reported by src/updates, never by
   * the offline engine, so it has no check in src/rules and its examples run in test/updates.
   */
  online?: boolean;
  references: RuleReferences;
  examples: { failing: RuleExample[]; passing: RuleExample[] };
}
