// One commit through the Git data API, never forced:
//
//   GET commits/{parent} (its tree) · POST git/blobs × files · POST git/trees (base_tree = the
//   parent's tree) · POST git/commits (parents = [parent]) · PATCH git/refs/heads/{branch}
//   (force: false)
//
// The parent is the commit the new file texts were computed from. If the branch has moved on
// since, GitHub refuses the ref update (422 "Update is not a fast forward") and the caller gets
// `not-fast-forward`: it may re-read and recompute, but nothing here ever overwrites a push.
// Needs Contents: write on the repository that holds the branch (a fork with "Allow edits by
// maintainers" for a pull request from a fork).
import { errorStatus, errorSummary } from "./client.js";
import type { GitHubClient, RepoRef } from "./client.js";

export interface CommitRequest {
  /** The repository that holds the branch (the fork for a pull request from a fork). */
  repo: RepoRef;
  branch: string;
  /** The commit the changes were computed from: the only parent, and the expected branch tip. */
  parentSha: string;
  /** New text per path (paths that exist at the parent; mode 100644). */
  files: ReadonlyMap<string, string>;
  message: string;
}

export type CommitResult =
  | { ok: true; sha: string }
  | { ok: false; reason: "not-fast-forward"; message: string }
  | { ok: false; reason: "forbidden" | "failed"; status?: number; message: string };

interface CommitData {
  commit?: { tree?: { sha?: string } };
}

function failed(err: unknown): CommitResult {
  const status = errorStatus(err);
  const reason = status === 403 || status === 404 ? "forbidden" : "failed";
  return { ok: false, reason, ...(status !== undefined ? { status } : {}), message: errorSummary(err) };
}

export async function commitFiles(client: GitHubClient, req: CommitRequest): Promise<CommitResult> {
  const { owner, repo } = req.repo;
  let sha: string;
  try {
    const parent = (await client.request("GET /repos/{owner}/{repo}/commits/{ref}", { owner, repo, ref: req.parentSha, per_page: 1 })).data as CommitData;
    const baseTree = parent.commit?.tree?.sha;
    if (!baseTree) return { ok: false, reason: "failed", message: `commit ${req.parentSha} has no tree` };
    const entries: { path: string; mode: "100644"; type: "blob"; sha: string }[] = [];
    for (const [path, text] of [...req.files].sort(([a], [b]) => a.localeCompare(b))) {
      const blob = (await client.request("POST /repos/{owner}/{repo}/git/blobs", { owner, repo, content: text, encoding: "utf-8" })).data as { sha: string };
      entries.push({ path, mode: "100644", type: "blob", sha: blob.sha });
    }
    const tree = (await client.request("POST /repos/{owner}/{repo}/git/trees", { owner, repo, base_tree: baseTree, tree: entries })).data as { sha: string };
    const commit = (await client.request("POST /repos/{owner}/{repo}/git/commits", { owner, repo, message: req.message, tree: tree.sha, parents: [req.parentSha] })).data as { sha: string };
    sha = commit.sha;
  } catch (err) {
    return failed(err);
  }
  try {
    await client.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { owner, repo, ref: `heads/${req.branch}`, sha, force: false });
  } catch (err) {
    // 422 "Update is not a fast forward" (or "Reference does not exist" once the branch is gone).
    if (errorStatus(err) === 422 || errorStatus(err) === 409) return { ok: false, reason: "not-fast-forward", message: errorSummary(err) };
    return failed(err);
  }
  return { ok: true, sha };
}
