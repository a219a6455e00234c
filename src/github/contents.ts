// Head and base texts of the changed files, plus the repository's config, in as few requests as
// possible: ONE GraphQL query per FILES_PER_QUERY files, with an aliased
// `object(expression: "<sha>:<path>") { ... on Blob { text isBinary byteSize } }` per file and
// side, and (in the first query) the config: `.github/bulwark.yml` (or the caller's path, e.g. the
// Action's `config` input) at the given ref of the repository, and `.github/bulwark.yml` on the
// default branch of the organisation's `.github` repository. Fork heads are readable from the base
// repository (GitHub keeps refs/pull/N/head there), so every object is read from the base repository.
import { Buffer } from "node:buffer";
import { graphqlPartial } from "./client.js";
import type { GitHubClient, RepoRef } from "./client.js";

/** Files per GraphQL query (each file has a head and a base alias). */
export const FILES_PER_QUERY = 1000;

/** Where the config is read by default (the App always; the Action unless its `config` input says otherwise). */
export const CONFIG_PATH = ".github/bulwark.yml";
export const ORG_CONFIG_REPO = ".github";

export interface BlobText {
  /** UTF-8 text; null for binary blobs. */
  text: string | null;
  isBinary: boolean;
  byteSize: number;
  /** GitHub returned less text than the blob holds. */
  truncated: boolean;
}

export interface ContentsFile {
  /** Head path: the key of the result maps. */
  path: string;
  /** Base path (renames) or undefined when the file is new. */
  basePath?: string;
  /** False when the file is removed at the head. */
  hasHead: boolean;
  /** Head blob SHA from the file listing (used to re-read truncated blobs). */
  headBlobSha?: string | null;
}

export interface ContentsRequest {
  repo: RepoRef;
  headSha: string;
  baseSha?: string;
  files: readonly ContentsFile[];
  /**
   * Read the config in the first query: `<ref>:<path>` (ref = default branch; path default
   * CONFIG_PATH), and with `orgFallback` the organisation `.github` repository's
   * `HEAD:.github/bulwark.yml` (always that path: it is the organisation's, not the repository's).
   */
  config?: { ref: string; orgFallback: boolean; path?: string };
}

export interface ContentsResult {
  /** Head text per head path; null when the path does not exist (or is not a file) at the head. */
  head: Map<string, BlobText | null>;
  /** Base text per HEAD path (read from the base path); null when it does not exist at the base. */
  base: Map<string, BlobText | null>;
  /** Repository config blob: undefined when not asked, null when absent. */
  repoConfig?: BlobText | null;
  /** Organisation `.github` repository config blob: undefined when not asked or no such repo, null when absent. */
  orgConfig?: BlobText | null;
  /** GraphQL queries + REST fallbacks made. */
  requests: number;
  /** Problems worth a line in the check summary (file-level, never fatal). */
  notes: string[];
}

const BLOB_FIELDS = "... on Blob { text isBinary byteSize }";

function gqlString(s: string): string {
  // JSON string escapes are valid GraphQL string escapes.
  return JSON.stringify(s);
}

interface Alias {
  alias: string;
  side: "head" | "base";
  path: string;
}

export interface BuiltQuery {
  query: string;
  variables: Record<string, unknown>;
  aliases: Alias[];
  withConfig: boolean;
  withOrg: boolean;
}

/** Build one contents query for a chunk of files (pure; exported for tests). */
export function buildContentsQuery(req: ContentsRequest, chunk: readonly ContentsFile[], offset: number, withConfig: boolean): BuiltQuery {
  const aliases: Alias[] = [];
  const fields: string[] = [];
  chunk.forEach((f, i) => {
    const n = offset + i;
    if (f.hasHead) {
      aliases.push({ alias: `h${n}`, side: "head", path: f.path });
      fields.push(`h${n}: object(expression: ${gqlString(`${req.headSha}:${f.path}`)}) { ${BLOB_FIELDS} }`);
    }
    if (f.basePath !== undefined && req.baseSha) {
      aliases.push({ alias: `b${n}`, side: "base", path: f.path });
      fields.push(`b${n}: object(expression: ${gqlString(`${req.baseSha}:${f.basePath}`)}) { ${BLOB_FIELDS} }`);
    }
  });
  const withOrg = withConfig && req.config !== undefined && req.config.orgFallback && req.repo.repo !== ORG_CONFIG_REPO;
  if (withConfig && req.config) fields.unshift(`config: object(expression: ${gqlString(`${req.config.ref}:${req.config.path ?? CONFIG_PATH}`)}) { ${BLOB_FIELDS} }`);
  const parts = [`query BulwarkContents($owner: String!, $name: String!) {`, `  repository(owner: $owner, name: $name) {`, ...fields.map((f) => `    ${f}`), `  }`];
  if (withOrg) {
    parts.push(`  org: repository(owner: $owner, name: ${gqlString(ORG_CONFIG_REPO)}) {`);
    parts.push(`    config: object(expression: ${gqlString(`HEAD:${CONFIG_PATH}`)}) { ${BLOB_FIELDS} }`);
    parts.push(`  }`);
  }
  parts.push(`}`);
  return { query: parts.join("\n"), variables: { owner: req.repo.owner, name: req.repo.repo }, aliases, withConfig: withConfig && req.config !== undefined, withOrg };
}

interface RawBlob {
  text?: string | null;
  isBinary?: boolean | null;
  byteSize?: number | null;
}

function toBlob(raw: unknown): BlobText | null {
  if (raw === null || raw === undefined || typeof raw !== "object") return null;
  const b = raw as RawBlob;
  // A tree or submodule matched by the expression has none of the Blob fields.
  if (typeof b.byteSize !== "number") return null;
  const text = typeof b.text === "string" ? b.text : null;
  const isBinary = b.isBinary === true;
  const truncated = text !== null && Buffer.byteLength(text, "utf8") < b.byteSize;
  return { text, isBinary, byteSize: b.byteSize, truncated };
}

type ContentsData = { repository?: Record<string, unknown> | null; org?: { config?: unknown } | null };

/** Read head/base texts of `files` and (optionally) the config. */
export async function fetchContents(client: GitHubClient, req: ContentsRequest): Promise<ContentsResult> {
  const result: ContentsResult = { head: new Map(), base: new Map(), requests: 0, notes: [] };
  const chunks: ContentsFile[][] = [];
  for (let i = 0; i < req.files.length; i += FILES_PER_QUERY) chunks.push(req.files.slice(i, i + FILES_PER_QUERY));
  if (chunks.length === 0 && req.config) chunks.push([]);
  let offset = 0;
  for (const [ci, chunk] of chunks.entries()) {
    const built = buildContentsQuery(req, chunk, offset, ci === 0);
    offset += chunk.length;
    if (built.aliases.length === 0 && !built.withConfig) continue;
    const { data, errors } = await graphqlPartial<ContentsData>(client, built.query, built.variables);
    result.requests++;
    const repoData = data?.repository;
    if (!repoData) {
      const why = errors.map((e) => e.message).join("; ") || "no data";
      throw new Error(`GitHub GraphQL could not read ${req.repo.owner}/${req.repo.repo}: ${why}`);
    }
    for (const a of built.aliases) {
      const blob = toBlob(repoData[a.alias]);
      (a.side === "head" ? result.head : result.base).set(a.path, blob);
    }
    if (built.withConfig) result.repoConfig = toBlob(repoData.config);
    if (built.withOrg) result.orgConfig = data?.org ? toBlob(data.org.config) : undefined;
  }
  await refetchTruncated(client, req, result);
  return result;
}

interface GitBlob {
  content?: string;
  encoding?: string;
  size?: number;
}

/** Re-read blobs GraphQL truncated, through the git blobs API (head) or contents API (base). */
async function refetchTruncated(client: GitHubClient, req: ContentsRequest, result: ContentsResult): Promise<void> {
  const byPath = new Map(req.files.map((f) => [f.path, f]));
  for (const [side, map] of [
    ["head", result.head],
    ["base", result.base],
  ] as const) {
    for (const [path, blob] of map) {
      if (!blob?.truncated) continue;
      const file = byPath.get(path);
      try {
        let data: GitBlob;
        if (side === "head" && file?.headBlobSha) {
          data = (await client.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", { owner: req.repo.owner, repo: req.repo.repo, file_sha: file.headBlobSha })).data as GitBlob;
        } else {
          const p = side === "head" ? path : (file?.basePath ?? path);
          const ref = side === "head" ? req.headSha : req.baseSha;
          data = (await client.request("GET /repos/{owner}/{repo}/contents/{path}", { owner: req.repo.owner, repo: req.repo.repo, path: p, ref })).data as GitBlob;
        }
        result.requests++;
        if (data.encoding === "base64" && typeof data.content === "string" && data.content !== "") {
          const text = Buffer.from(data.content, "base64").toString("utf8");
          map.set(path, { text, isBinary: false, byteSize: blob.byteSize, truncated: Buffer.byteLength(text, "utf8") < blob.byteSize });
        } else {
          result.notes.push(`${path}: the ${side} version (${blob.byteSize} bytes) is too large to read through the API`);
        }
      } catch (err) {
        result.notes.push(`${path}: could not re-read the ${side} version (${err instanceof Error ? err.message.split("\n")[0] : String(err)})`);
      }
    }
  }
}
