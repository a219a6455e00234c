// The action's inputs (action.yml), read and validated once. `read` is core.getInput in the
// action; tests pass a map. Empty strings mean "not given" (the runner fills in action.yml
// defaults, so an empty value only happens when a workflow passes one explicitly).
import { isSeverity } from "../core/types.js";
import type { Severity } from "../core/types.js";

export const MODES = ["review", "check", "sarif", "update"] as const;
export type Mode = (typeof MODES)[number];

export interface ActionInputs {
  token: string;
  /** Repository path of the config file, read from the base of the change through the API. */
  configPath: string;
  /** Overrides the config's `failOn` when given. */
  failOn?: Severity;
  mode: Mode;
  /** Globs or directories that limit push and snapshot (schedule, workflow_dispatch, sarif) scans. */
  paths: string[];
  /** Post inline review comments in review mode (false: check run and gate only). */
  comment: boolean;
  /** Where the SARIF file goes, relative to GITHUB_WORKSPACE. */
  sarifFile: string;
  /** Mode update: open update pull requests instead of only listing the updates. */
  openPullRequests: boolean;
}

export class InputError extends Error {}

export const DEFAULTS = { configPath: ".github/bulwark.yml", mode: "review" as Mode, sarifFile: "bulwark.sarif" };

function bool(name: string, raw: string, fallback: boolean): boolean {
  const v = raw.trim().toLowerCase();
  if (v === "") return fallback;
  if (["true", "yes", "on", "1"].includes(v)) return true;
  if (["false", "no", "off", "0"].includes(v)) return false;
  throw new InputError(`input ${name} must be true or false, not "${raw}"`);
}

/** Newline- or comma-separated list, blanks and `#` comments dropped, `./` prefixes removed. */
export function parseList(raw: string): string[] {
  return raw
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== "" && !s.startsWith("#"))
    .map((s) => s.replace(/^\.\//, ""));
}

function repoPath(name: string, raw: string): string {
  const p = raw.trim().replace(/^\.\//, "");
  if (p === "" || p.startsWith("/") || p.split("/").includes("..") || /[\0\n"\\]/.test(p)) throw new InputError(`input ${name} must be a path inside the repository, not "${raw}"`);
  return p;
}

export function readInputs(read: (name: string) => string): ActionInputs {
  const token = read("github-token").trim();
  if (token === "") throw new InputError("input github-token is empty: pass `github-token: ${{ github.token }}` (the default) or a token with read access to the repository");
  const mode = (read("mode").trim().toLowerCase() || DEFAULTS.mode) as Mode;
  if (!MODES.includes(mode)) throw new InputError(`input mode must be one of ${MODES.join(", ")}, not "${read("mode")}"`);
  const failOnRaw = read("fail-on").trim().toLowerCase();
  if (failOnRaw !== "" && !isSeverity(failOnRaw)) throw new InputError(`input fail-on must be one of critical, high, medium, low, info, not "${read("fail-on")}"`);
  const sarifRaw = read("sarif-file").trim();
  const sarifFile = sarifRaw === "" ? DEFAULTS.sarifFile : sarifRaw;
  if (sarifFile.split(/[\\/]/).includes("..")) throw new InputError(`input sarif-file must stay inside the workspace, not "${sarifRaw}"`);
  return {
    token,
    configPath: read("config").trim() === "" ? DEFAULTS.configPath : repoPath("config", read("config")),
    ...(failOnRaw !== "" ? { failOn: failOnRaw as Severity } : {}),
    mode,
    paths: parseList(read("paths")),
    comment: bool("comment", read("comment"), true),
    sarifFile,
    openPullRequests: bool("open-pull-requests", read("open-pull-requests"), false),
  };
}
