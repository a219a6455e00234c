// One configuration schema for the app (.github/bulwark.yml), the action (`config`
// input) and the CLI (--config). Validation lives in ./load.ts.
import type { Severity } from "../types.js";
import type { Profile } from "../engine/rule.js";

export interface RuleSettings {
  enabled: boolean;
  severity?: Severity;
  /** Rule-specific options, e.g. K8S-RUNTIME-003 `mode: effective`. */
  options: Record<string, unknown>;
}

export interface ReviewConfig {
  /** Inline comments per review; the rest go to the review body and the check run. */
  maxComments: number;
  /** "introduced": only findings this PR adds gate the merge; "all": every finding in changed files. */
  gate: "introduced" | "all";
  /** Post inline comments (false: check run only). */
  comments: boolean;
}

export interface UpdatesConfig {
  enabled: boolean;
  policy: "patch" | "minor" | "major";
  pinDigests: boolean;
  openPullRequestsLimit: number;
  schedule: string;
  insecureRegistries: string[];
  ignore: string[];
}

export interface LimitsConfig {
  maxFileBytes: number;
  maxFiles: number;
  maxDocuments: number;
  maxAliasCount: number;
  /** Milliseconds of parsing and rule checks one file may take; then its remaining checks are skipped (reported). */
  maxScanMs: number;
}

export interface BulwarkConfig {
  failOn: Severity;
  profile: Profile;
  include: string[];
  exclude: string[];
  rules: Record<string, Partial<RuleSettings> & { enabled?: boolean }>;
  trustedRegistries: string[];
  targetKubernetesVersion: string;
  pssVersion: string;
  review: ReviewConfig;
  updates: UpdatesConfig;
  limits: LimitsConfig;
  /** Helm values files to render charts with, relative to each chart. */
  helm: { valuesFiles: string[] };
}

export const DEFAULT_CONFIG: BulwarkConfig = {
  failOn: "high",
  profile: "hardened",
  include: [],
  exclude: [],
  rules: {},
  trustedRegistries: [],
  targetKubernetesVersion: "1.34",
  pssVersion: "latest",
  review: { maxComments: 25, gate: "introduced", comments: true },
  updates: { enabled: true, policy: "minor", pinDigests: false, openPullRequestsLimit: 10, schedule: "daily", insecureRegistries: [], ignore: [] },
  limits: { maxFileBytes: 2 * 1024 * 1024, maxFiles: 5000, maxDocuments: 1000, maxAliasCount: 100, maxScanMs: 10_000 },
  helm: { valuesFiles: [] },
};
