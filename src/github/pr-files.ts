// The files of a pull request: `GET /repos/{o}/{r}/pulls/{n}/files`, 100 per page, at most 3,000
// files (GitHub's cap: "Responses include a maximum of 3000 files"). Which of them Bulwark reads.
import { detectFileKind } from "../core/parse/detect.js";
import { isPathSelected } from "../core/config/globs.js";
import type { BulwarkConfig } from "../core/config/schema.js";
import type { PullRequestFileEntry } from "./diff.js";
import { paginate } from "./client.js";
import type { GitHubClient, RepoRef } from "./client.js";

/** GitHub lists at most this many files of a pull request. */
export const PR_FILES_CAP = 3000;
export const PER_PAGE = 100;

/** A `GET /pulls/{n}/files` entry (the fields Bulwark reads). */
export interface PullFile extends PullRequestFileEntry {
  /** Blob SHA of the head version ("0000…" or absent for removed files). */
  sha?: string | null;
}

export interface PullFileListing {
  files: PullFile[];
  /** `changed_files` of the pull request when known. */
  changedFiles?: number;
  /** True when the pull request changes more files than GitHub lists (3,000). */
  truncated: boolean;
  /** Listing requests made. */
  pages: number;
}

export async function listPullRequestFiles(client: GitHubClient, repo: RepoRef, pullNumber: number, changedFiles?: number): Promise<PullFileListing> {
  const maxPages = changedFiles !== undefined ? Math.max(1, Math.ceil(Math.min(changedFiles, PR_FILES_CAP) / PER_PAGE)) : Math.ceil(PR_FILES_CAP / PER_PAGE);
  let pages = 0;
  const files = await paginate<PullFile>(
    client,
    "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
    { owner: repo.owner, repo: repo.repo, pull_number: pullNumber },
    { perPage: PER_PAGE, maxPages, onPage: () => pages++ },
  );
  const truncated = (changedFiles !== undefined && changedFiles > PR_FILES_CAP) || (changedFiles === undefined && files.length >= PR_FILES_CAP);
  return { files, truncated, pages, ...(changedFiles !== undefined ? { changedFiles } : {}) };
}

/** A file Bulwark scans: parsed by name (Kubernetes YAML, Dockerfile, Helm, Kustomize). */
export function isCandidatePath(path: string): boolean {
  return detectFileKind(path) !== "other";
}

export interface SelectedFile {
  entry: PullFile;
  /** Head path (comments, annotations, findings use this). */
  path: string;
  /** Base path to compare against: the previous name for renames/copies; undefined for added files. */
  basePath?: string;
  /** False for removed files: nothing to scan at the head. */
  hasHead: boolean;
}

/**
 * A path a git tree can hold, relative to the repository root: not empty, no leading "/", no
 * empty, "." or ".." segment, no NUL. GitHub never lists anything else; a listing that does (a
 * crafted or corrupted answer) must not make Bulwark read, scan or comment on a path outside the
 * repository, so such entries are left out.
 */
export function isRepositoryPath(path: unknown): path is string {
  if (typeof path !== "string" || path === "" || path.startsWith("/") || path.includes("\0")) return false;
  return path.split("/").every((s) => s !== "" && s !== "." && s !== "..");
}

/** The candidate files of a listing (by name only: config globs are applied later). */
export function candidateFiles(files: readonly PullFile[]): SelectedFile[] {
  const out: SelectedFile[] = [];
  for (const f of files) {
    // Not a repository path: never read or commented on. A bad previous name only loses the
    // comparison with the base (every finding of the file then counts as new).
    if (!isRepositoryPath(f.filename)) continue;
    const hasPrevious = f.previous_filename !== undefined && f.previous_filename !== null;
    const previous = hasPrevious && isRepositoryPath(f.previous_filename) ? f.previous_filename : undefined;
    const headRelevant = isCandidatePath(f.filename);
    const baseName = previous ?? f.filename;
    if (!headRelevant && !(f.status === "removed" && isCandidatePath(baseName))) continue;
    const hasHead = f.status !== "removed";
    const basePath = f.status === "added" || (hasPrevious && previous === undefined) ? undefined : baseName;
    out.push({ entry: f, path: f.filename, ...(basePath !== undefined ? { basePath } : {}), hasHead });
  }
  return out;
}

/** Apply the config's include/exclude globs (on head paths). */
export function selectByConfig(files: readonly SelectedFile[], config: Pick<BulwarkConfig, "include" | "exclude">): SelectedFile[] {
  return files.filter((f) => isPathSelected(f.path, config));
}
