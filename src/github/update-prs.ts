// Update pull requests: one branch per dependency line (`groupUpdates`), kept in sync with the
// plan, with every piece of state kept in GitHub itself (branches, pull requests, hidden markers):
//
//   nothing yet               → commit the edits on the base head (git data API), create the
//                               branch ref at that commit, open the pull request
//   open, same proposal,      → nothing
//     same base
//   open, newer proposal      → updated in place: a new commit on the current base head with the
//                               new edits, the bot's branch force-moved, title and body PATCHed
//   open, base moved          → "rebased": the commit is recreated on the new base head
//   open, pushed to by        → left alone (the branch head is not the commit Bulwark recorded)
//     someone else
//   closed (unmerged) with    → never reopened or recreated: closing a PR ignores that version
//     the same target           (Renovate's "closed-PR memory", without a database)
//   open, dependency no longer → commented and closed as obsolete (title suffix " - autoclosed",
//     proposed                   marker so that the closed-PR memory does not count it)
//
// The per-update markers (`<!-- bulwark-update {...} -->`, written by the planner) name the
// dependency and target of every reference; Bulwark adds one `<!-- bulwark-update-state {...} -->`
// with the base commit and the commit it made. A branch whose dependency had a lookup error
// (registry down, auth, rate limit) is never touched, and never closed.
//
// File texts are re-read at the base head; when the plan was computed on another commit
// (`planSha`) and a touched file differs there, the branch waits for the next run.
import { applyTextEdits } from "../core/engine/scan.js";
import type { TextEdit } from "../core/types.js";
import { branchNameFor, groupUpdates } from "../updates/plan.js";
import type { UpdateGroup, UpdatePlan } from "../updates/plan.js";
import { errorStatus, errorSummary, paginate } from "./client.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { fetchContents } from "./contents.js";

export const UPDATE_BRANCH_PREFIX = "bulwark/update/";
const STATE_MARKER = "bulwark-update-state";
const AUTOCLOSED_MARKER = "<!-- bulwark-update-autoclosed -->";
const MAX_BODY = 60_000;

export interface SyncOptions {
  /** The branch update PRs target (the repository's default branch). */
  baseBranch: string;
  /** Open Bulwark update pull requests allowed at once (`updates.openPullRequestsLimit`). */
  limit: number;
  now?: Date;
  /** The commit the plan was computed on (default: the base head as read now). */
  planSha?: string;
}

export interface SyncedPullRequest {
  branch: string;
  number: number;
  title: string;
  url?: string;
  /** The commit on the branch after the sync. */
  sha?: string;
}

export interface SyncError {
  branch?: string;
  path?: string;
  dependency?: string;
  message: string;
}

export interface SyncResult {
  baseSha?: string;
  created: SyncedPullRequest[];
  updated: SyncedPullRequest[];
  rebased: SyncedPullRequest[];
  closed: SyncedPullRequest[];
  unchanged: SyncedPullRequest[];
  skipped: { branch: string; reason: string; number?: number }[];
  /** The plan's lookup errors (passed through) and GitHub failures of this sync. */
  errors: SyncError[];
}

interface UpdateMarker {
  branch?: string;
  dependency?: string;
  from?: string;
  to?: string;
  digest?: string;
}

interface StateMarker {
  base?: string;
  commit?: string;
}

interface PullJson {
  number: number;
  state: string;
  title: string;
  body?: string | null;
  html_url?: string;
  merged_at?: string | null;
  head: { ref: string; sha: string; repo?: { full_name?: string } | null };
  base: { ref: string };
}

/** The planner's per-reference markers in a PR body. */
export function parseUpdateMarkers(body: string | null | undefined): UpdateMarker[] {
  const out: UpdateMarker[] = [];
  for (const m of (body ?? "").matchAll(/<!-- bulwark-update (\{.*?\}) -->/g)) {
    try {
      const v = JSON.parse(m[1]!) as unknown;
      if (v && typeof v === "object") out.push(v as UpdateMarker);
    } catch {
      // not ours / damaged: ignored
    }
  }
  return out;
}

export function parseStateMarker(body: string | null | undefined): StateMarker | undefined {
  const m = new RegExp(`<!-- ${STATE_MARKER} (\\{.*?\\}) -->`).exec(body ?? "");
  if (!m) return undefined;
  try {
    const v = JSON.parse(m[1]!) as unknown;
    return v && typeof v === "object" ? (v as StateMarker) : undefined;
  } catch {
    return undefined;
  }
}

/** What "the same version" means: the target tag/version, or the digest for digest-only updates. */
function versionKey(from: string | undefined, to: string | undefined, digest: string | undefined): string {
  return from === to ? `${to ?? ""}@${digest ?? ""}` : (to ?? "");
}

function fingerprintOfMarkers(ms: readonly UpdateMarker[]): string {
  return ms
    .map((m) => `${m.dependency ?? ""}=${m.to ?? ""}${m.digest ? `@${m.digest}` : ""}`)
    .sort()
    .join("\n");
}

function groupMarkers(g: UpdateGroup): UpdateMarker[] {
  return g.updates.map((u) => ({ branch: u.branchName, dependency: u.id, from: u.current, to: u.proposed, ...(u.digest ? { digest: u.digest } : {}) }));
}

function bodyFor(g: UpdateGroup, state: StateMarker): string {
  let body = g.body;
  if (body.length > MAX_BODY) {
    const markers = groupMarkers(g).map((m) => `<!-- bulwark-update ${JSON.stringify(m).replace(/--/g, "\\u002d\\u002d")} -->`);
    body = `${body.slice(0, MAX_BODY - markers.join("\n").length - 200)}\n\n… (shortened)\n\n${markers.join("\n")}\n`;
  }
  return `${body.trimEnd()}\n<!-- ${STATE_MARKER} ${JSON.stringify(state)} -->\n`;
}

function isOurs(pr: PullJson, repo: RepoRef): boolean {
  const full = pr.head.repo?.full_name;
  return pr.head.ref.startsWith(UPDATE_BRANCH_PREFIX) && (full === undefined || full.toLowerCase() === `${repo.owner}/${repo.repo}`.toLowerCase()) && parseUpdateMarkers(pr.body).length > 0;
}

function ref(pr: PullJson, sha?: string): SyncedPullRequest {
  return { branch: pr.head.ref, number: pr.number, title: pr.title, ...(pr.html_url ? { url: pr.html_url } : {}), ...(sha ? { sha } : {}) };
}

async function branchHead(client: GitHubClient, repo: RepoRef, branch: string): Promise<string | undefined> {
  try {
    const res = await client.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { owner: repo.owner, repo: repo.repo, ref: `heads/${branch}` });
    return (res.data as { object?: { sha?: string } }).object?.sha;
  } catch (err) {
    if (errorStatus(err) === 404) return undefined;
    throw err;
  }
}

/** Blobs → tree (on the parent's tree) → commit; returns the commit sha. Moves no ref. */
async function makeCommit(client: GitHubClient, repo: RepoRef, parent: string, files: ReadonlyMap<string, string>, message: string): Promise<string> {
  const { owner, repo: name } = repo;
  const p = (await client.request("GET /repos/{owner}/{repo}/commits/{ref}", { owner, repo: name, ref: parent, per_page: 1 })).data as { commit?: { tree?: { sha?: string } } };
  const baseTree = p.commit?.tree?.sha;
  if (!baseTree) throw new Error(`commit ${parent} has no tree`);
  const entries: { path: string; mode: "100644"; type: "blob"; sha: string }[] = [];
  for (const [path, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const blob = (await client.request("POST /repos/{owner}/{repo}/git/blobs", { owner, repo: name, content: text, encoding: "utf-8" })).data as { sha: string };
    entries.push({ path, mode: "100644", type: "blob", sha: blob.sha });
  }
  const tree = (await client.request("POST /repos/{owner}/{repo}/git/trees", { owner, repo: name, base_tree: baseTree, tree: entries })).data as { sha: string };
  const commit = (await client.request("POST /repos/{owner}/{repo}/git/commits", { owner, repo: name, message, tree: tree.sha, parents: [parent] })).data as { sha: string };
  return commit.sha;
}

/** Point Bulwark's own branch at `sha` (created, or force-moved: the branch is the bot's). */
async function setBranch(client: GitHubClient, repo: RepoRef, branch: string, sha: string, exists: boolean): Promise<void> {
  const { owner, repo: name } = repo;
  if (!exists) {
    try {
      await client.request("POST /repos/{owner}/{repo}/git/refs", { owner, repo: name, ref: `refs/heads/${branch}`, sha });
      return;
    } catch (err) {
      if (errorStatus(err) !== 422) throw err;
      // Created meanwhile: fall through to the forced update.
    }
  }
  await client.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { owner, repo: name, ref: `heads/${branch}`, sha, force: true });
}

function commitMessage(g: UpdateGroup): string {
  const lines = g.updates.map((u) => `- ${u.path}: ${u.name} ${u.current} → ${u.proposed}${u.digest ? ` (${u.digest.slice(0, 19)})` : ""}`);
  return `${g.title}\n\n${[...new Set(lines)].join("\n")}\n`;
}

/**
 * Open, update, rebase and close Bulwark's update pull requests so that they match `plan`.
 * Never throws for GitHub failures of one branch (they are `errors`); the plan's lookup errors
 * are passed through and keep the branches they concern untouched.
 */
export async function syncUpdatePullRequests(client: GitHubClient, repo: RepoRef, plan: UpdatePlan, options: SyncOptions): Promise<SyncResult> {
  const result: SyncResult = { created: [], updated: [], rebased: [], closed: [], unchanged: [], skipped: [], errors: plan.errors.map((e) => ({ ...e })) };
  const { owner, repo: name } = repo;

  // Branches with a failed lookup: never created, updated or closed in this run.
  const errorBranches = new Map<string, string>();
  for (const e of plan.errors) {
    for (const d of plan.dependencies) {
      if ((e.path === undefined || e.path === d.path) && (e.dependency === undefined || e.dependency === d.name)) errorBranches.set(branchNameFor(d), e.message);
    }
  }
  const groups = groupUpdates(plan.updates);
  const proposedBranches = new Set(plan.updates.map((u) => u.branchName));

  let baseSha: string | undefined;
  let open: PullJson[];
  try {
    baseSha = await branchHead(client, repo, options.baseBranch);
    if (!baseSha) throw new Error(`the base branch ${options.baseBranch} does not exist`);
    result.baseSha = baseSha;
    open = (await paginate<PullJson>(client, "GET /repos/{owner}/{repo}/pulls", { owner, repo: name, state: "open", base: options.baseBranch })).filter((p) => isOurs(p, repo));
  } catch (err) {
    result.errors.push({ message: `could not read ${owner}/${name}: ${errorSummary(err)}` });
    return result;
  }
  let openCount = open.length;

  // ---- obsolete: open Bulwark PRs whose dependency line is no longer proposed
  for (const pr of open) {
    const branch = pr.head.ref;
    if (proposedBranches.has(branch)) continue;
    if (errorBranches.has(branch)) {
      result.skipped.push({ branch, number: pr.number, reason: `the lookup failed (${errorBranches.get(branch)}); left open` });
      continue;
    }
    const deps = plan.dependencies.filter((d) => branchNameFor(d) === branch);
    if (deps.length === 0 && plan.errors.length > 0) {
      result.skipped.push({ branch, number: pr.number, reason: "the dependency was not found, but some lookups failed; left open" });
      continue;
    }
    try {
      const head = await branchHead(client, repo, branch);
      const state = parseStateMarker(pr.body);
      if (head !== undefined && head !== state?.commit) {
        result.skipped.push({ branch, number: pr.number, reason: `no longer needed, but the branch has commits Bulwark did not make (${head.slice(0, 7)}); left open` });
        continue;
      }
      const why = deps.length === 0 ? "the dependency is no longer used" : `\`${options.baseBranch}\` already has the proposed version (or newer), or the policy no longer allows it`;
      await client.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        owner,
        repo: name,
        issue_number: pr.number,
        body: `Bulwark closes this pull request as **obsolete/superseded**: ${why}.`,
      });
      await client.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
        owner,
        repo: name,
        pull_number: pr.number,
        state: "closed",
        title: pr.title.endsWith(" - autoclosed") ? pr.title : `${pr.title} - autoclosed`,
        body: `${(pr.body ?? "").trimEnd()}\n${AUTOCLOSED_MARKER}\n`,
      });
      openCount--;
      result.closed.push(ref(pr));
    } catch (err) {
      result.errors.push({ branch, message: `could not close #${pr.number}: ${errorSummary(err)}` });
    }
  }

  // ---- the texts of every touched file at the base head (checked against the planned commit)
  const active = groups.filter((g) => {
    if (g.edits.length === 0) return false;
    const why = errorBranches.get(g.branchName);
    if (why !== undefined) result.skipped.push({ branch: g.branchName, reason: `a lookup failed (${why}); left as is` });
    return why === undefined;
  });
  const paths = [...new Set(active.flatMap((g) => g.edits.map((e) => e.path)))];
  const texts = new Map<string, string>();
  const stale = new Map<string, string>();
  if (paths.length > 0) {
    const compare = options.planSha !== undefined && options.planSha !== baseSha;
    try {
      const contents = await fetchContents(client, { repo, headSha: baseSha, ...(compare ? { baseSha: options.planSha } : {}), files: paths.map((p) => ({ path: p, ...(compare ? { basePath: p } : {}), hasHead: true })) });
      for (const p of paths) {
        const blob = contents.head.get(p);
        if (!blob || blob.text === null || blob.isBinary || blob.truncated) stale.set(p, `${p} cannot be read at ${options.baseBranch}`);
        else if (compare && contents.base.get(p)?.text !== blob.text) stale.set(p, `${p} changed on ${options.baseBranch} since the plan was made; the next run updates it`);
        else texts.set(p, blob.text);
      }
    } catch (err) {
      result.errors.push({ message: `could not read the files to update: ${errorSummary(err)}` });
      return result;
    }
  }

  const newTexts = (edits: readonly TextEdit[]): Map<string, string> => {
    const out = new Map<string, string>();
    for (const p of new Set(edits.map((e) => e.path))) out.set(p, applyTextEdits(texts.get(p)!, edits.filter((e) => e.path === p)));
    return out;
  };

  for (const g of active) {
    const branch = g.branchName;
    const staleWhy = [...new Set(g.edits.map((e) => e.path))].map((p) => stale.get(p)).find((x) => x !== undefined);
    try {
      const prs = await paginate<PullJson>(client, "GET /repos/{owner}/{repo}/pulls", { owner, repo: name, head: `${owner}:${branch}`, state: "all" });
      const current = prs.find((p) => p.state === "open");
      const markers = groupMarkers(g);
      const fingerprint = fingerprintOfMarkers(markers);

      if (current) {
        const theirs = parseUpdateMarkers(current.body);
        const state = parseStateMarker(current.body);
        if (theirs.length === 0 || !state) {
          result.skipped.push({ branch, number: current.number, reason: "an open pull request on this branch has no Bulwark marker; left alone" });
          continue;
        }
        const same = fingerprintOfMarkers(theirs) === fingerprint;
        if (same && state.base === baseSha) {
          result.unchanged.push(ref(current, state.commit));
          continue;
        }
        const head = await branchHead(client, repo, branch);
        if (head !== state.commit) {
          result.skipped.push({ branch, number: current.number, reason: `the branch has commits Bulwark did not make (head ${head?.slice(0, 7) ?? "missing"}): not ${same ? "rebased" : "updated"}` });
          continue;
        }
        if (staleWhy) {
          result.skipped.push({ branch, number: current.number, reason: staleWhy });
          continue;
        }
        const sha = await makeCommit(client, repo, baseSha, newTexts(g.edits), commitMessage(g));
        await setBranch(client, repo, branch, sha, true);
        await client.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo: name, pull_number: current.number, title: g.title, body: bodyFor(g, { base: baseSha, commit: sha }) });
        (same ? result.rebased : result.updated).push({ ...ref(current, sha), title: g.title });
        continue;
      }

      const wanted = new Set(markers.map((m) => versionKey(m.from, m.to, m.digest)));
      const ignoredBy = prs.find((p) => {
        if (p.state !== "closed" || p.merged_at || (p.body ?? "").includes(AUTOCLOSED_MARKER)) return false;
        const closedKeys = new Set(parseUpdateMarkers(p.body).map((m) => versionKey(m.from, m.to, m.digest)));
        return closedKeys.size > 0 && [...wanted].every((k) => closedKeys.has(k));
      });
      if (ignoredBy) {
        result.skipped.push({ branch, number: ignoredBy.number, reason: `#${ignoredBy.number} proposing this version was closed without merging: this version is ignored` });
        continue;
      }
      if (openCount >= options.limit) {
        result.skipped.push({ branch, reason: `the limit of ${options.limit} open update pull requests is reached (updates.openPullRequestsLimit)` });
        continue;
      }
      if (staleWhy) {
        result.skipped.push({ branch, reason: staleWhy });
        continue;
      }
      const exists = (await branchHead(client, repo, branch)) !== undefined;
      const sha = await makeCommit(client, repo, baseSha, newTexts(g.edits), commitMessage(g));
      await setBranch(client, repo, branch, sha, exists);
      const created = (await client.request("POST /repos/{owner}/{repo}/pulls", { owner, repo: name, title: g.title, head: branch, base: options.baseBranch, body: bodyFor(g, { base: baseSha, commit: sha }) })).data as PullJson;
      openCount++;
      result.created.push(ref(created, sha));
    } catch (err) {
      result.errors.push({ branch, message: errorSummary(err) });
    }
  }
  return result;
}

/** A short Markdown account of a sync (job summaries, chat-ops replies). */
export function describeSync(r: SyncResult): string {
  const lines: string[] = [];
  const list = (label: string, prs: readonly SyncedPullRequest[]) => {
    if (prs.length > 0) lines.push(`**${label}**: ${prs.map((p) => `#${p.number} (\`${p.branch}\`)`).join(", ")}`);
  };
  list("Opened", r.created);
  list("Updated", r.updated);
  list("Rebased", r.rebased);
  list("Closed as obsolete", r.closed);
  list("Unchanged", r.unchanged);
  for (const s of r.skipped) lines.push(`- \`${s.branch}\`${s.number !== undefined ? ` (#${s.number})` : ""}: ${s.reason}`);
  const own = r.errors.filter((e) => e.branch !== undefined || (e.path === undefined && e.dependency === undefined));
  for (const e of own) lines.push(`- ⚠️ ${e.branch ? `\`${e.branch}\`: ` : ""}${e.message}`);
  return lines.join("\n");
}
