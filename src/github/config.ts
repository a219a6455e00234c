// The repository's Bulwark config, as Probot's `context.config()` would find it, but read in the
// same GraphQL query as the files (see contents.ts): `.github/bulwark.yml` (or the caller's path,
// e.g. the Action's `config` input) on the default branch of the repository, else
// `.github/bulwark.yml` of the organisation's `.github` repository; `_extends` (organisation
// defaults) costs one extra request, only when present. Config from a pull request's own branch
// is never used: a pull request cannot weaken its own review.
import { ConfigLoadError, mergeConfigs, parseConfig } from "../core/config/load.js";
import type { ConfigError } from "../core/config/load.js";
import { DEFAULT_CONFIG } from "../core/config/schema.js";
import type { BulwarkConfig } from "../core/config/schema.js";
import { graphqlPartial } from "./client.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { CONFIG_PATH } from "./contents.js";
import type { BlobText } from "./contents.js";

export interface ConfigSource {
  /** "owner/repo:path@ref" of the file that was read, or "defaults". */
  label: string;
  /** `_extends` target that was merged underneath, if any. */
  extends?: string;
}

export type ResolvedConfig =
  | { ok: true; config: BulwarkConfig; source: ConfigSource; requests: number }
  | { ok: false; source: ConfigSource; file: string; errors: ConfigError[]; requests: number; message: string };

export interface ExtendsTarget {
  owner: string;
  repo: string;
  path: string;
}

/** Parse an `_extends` value the way @probot/octokit-plugin-config does: `repo`, `owner/repo`, `owner/repo:path`. */
export function parseExtends(value: string, current: RepoRef): ExtendsTarget | undefined {
  const m = /^(?:([a-z\d](?:[a-z\d-]{0,38}))\/)?([-\w.]+)(?::(.+))?$/i.exec(value.trim());
  if (!m) return undefined;
  return { owner: m[1] ?? current.owner, repo: m[2], path: m[3] ?? CONFIG_PATH };
}

function blobText(b: BlobText | null | undefined): string | undefined {
  if (!b || b.isBinary || b.text === null) return undefined;
  return b.text;
}

function failure(label: string, file: string, err: unknown, requests: number): ResolvedConfig {
  if (err instanceof ConfigLoadError) return { ok: false, source: { label }, file, errors: err.errors, requests, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { ok: false, source: { label }, file, errors: [{ message, line: 1, column: 1 }], requests, message: `${file}: ${message}` };
}

export interface ResolveConfigInput {
  repo: RepoRef;
  defaultBranch: string;
  /** The repository path `repoConfig` was read from (default CONFIG_PATH): labels and error messages name it. */
  path?: string;
  repoConfig?: BlobText | null;
  orgConfig?: BlobText | null;
  knownRuleIds?: ReadonlySet<string>;
}

/** Turn the blobs read with the contents into a config (or a line-accurate error). */
export async function resolveConfig(client: GitHubClient, input: ResolveConfigInput): Promise<ResolvedConfig> {
  const { repo } = input;
  let text = blobText(input.repoConfig);
  let label = `${repo.owner}/${repo.repo}:${input.path ?? CONFIG_PATH}@${input.defaultBranch}`;
  if (text === undefined) {
    text = blobText(input.orgConfig);
    label = `${repo.owner}/.github:${CONFIG_PATH}`;
  }
  if (text === undefined) return { ok: true, config: structuredClone(DEFAULT_CONFIG), source: { label: "defaults" }, requests: 0 };

  let loaded;
  try {
    loaded = parseConfig(text, label, input.knownRuleIds);
  } catch (err) {
    return failure(label, label, err, 0);
  }
  if (loaded.extends === undefined) return { ok: true, config: loaded.config, source: { label }, requests: 0 };

  const target = parseExtends(loaded.extends, repo);
  if (!target) {
    const line = lineOf(text, "_extends");
    return {
      ok: false,
      source: { label },
      file: label,
      errors: [{ message: `_extends "${loaded.extends}" is not of the form repo, owner/repo or owner/repo:path`, line, column: 1 }],
      requests: 0,
      message: `${label}:${line}:1: _extends "${loaded.extends}" is not of the form repo, owner/repo or owner/repo:path`,
    };
  }
  const extLabel = `${target.owner}/${target.repo}:${target.path}`;
  let baseText: string | undefined;
  try {
    const { data } = await graphqlPartial<{ repository?: { object?: unknown } | null }>(
      client,
      `query BulwarkExtends($owner: String!, $name: String!, $expr: String!) {\n  repository(owner: $owner, name: $name) { object(expression: $expr) { ... on Blob { text isBinary byteSize } } }\n}`,
      { owner: target.owner, name: target.repo, expr: `HEAD:${target.path}` },
    );
    const obj = data?.repository?.object as { text?: string | null } | null | undefined;
    baseText = typeof obj?.text === "string" ? obj.text : undefined;
  } catch (err) {
    return failure(label, label, new Error(`_extends ${extLabel} could not be read: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`), 1);
  }
  if (baseText === undefined) {
    const line = lineOf(text, "_extends");
    const message = `_extends: ${extLabel} was not found (or is not readable by the app)`;
    return { ok: false, source: { label, extends: extLabel }, file: label, errors: [{ message, line, column: 1 }], requests: 1, message: `${label}:${line}:1: ${message}` };
  }
  let base;
  try {
    base = parseConfig(baseText, extLabel, input.knownRuleIds);
  } catch (err) {
    return failure(label, extLabel, err, 1);
  }
  return { ok: true, config: mergeConfigs(base.config, loaded.config, text), source: { label, extends: extLabel }, requests: 1 };
}

function lineOf(text: string, key: string): number {
  const i = text.split("\n").findIndex((l) => l.trimStart().startsWith(`${key}:`));
  return i < 0 ? 1 : i + 1;
}
