// Bulwark's earlier review comments on a pull request: which findings were already commented on
// (skip them), and which threads belong to findings that are gone (resolve them, never delete:
// a thread may hold a human discussion).
import { graphqlPartial, paginate } from "./client.js";
import type { GitHubClient, GraphQLPartial, RepoRef } from "./client.js";
import { parseMarker } from "./comments.js";

export interface ExistingComment {
  id: number;
  path: string;
  fingerprint: string;
  ruleId: string;
  /** The commit the comment was made on. */
  originalCommitId?: string;
}

interface RestReviewComment {
  id: number;
  path: string;
  body?: string | null;
  in_reply_to_id?: number;
  original_commit_id?: string;
  user?: { login?: string; type?: string } | null;
  performed_via_github_app?: unknown;
}

function isBot(c: RestReviewComment): boolean {
  return c.user?.type === "Bot" || (c.user?.login ?? "").endsWith("[bot]");
}

/** Bulwark's own top-level review comments (paginated; 100 per page). */
export async function listBulwarkComments(client: GitHubClient, repo: RepoRef, pullNumber: number): Promise<{ comments: ExistingComment[]; pages: number }> {
  let pages = 0;
  const all = await paginate<RestReviewComment>(
    client,
    "GET /repos/{owner}/{repo}/pulls/{pull_number}/comments",
    { owner: repo.owner, repo: repo.repo, pull_number: pullNumber },
    { perPage: 100, onPage: () => pages++ },
  );
  const comments: ExistingComment[] = [];
  for (const c of all) {
    if (c.in_reply_to_id !== undefined && c.in_reply_to_id !== null) continue;
    if (!isBot(c)) continue;
    const m = parseMarker(c.body);
    if (!m) continue;
    comments.push({ id: c.id, path: c.path, fingerprint: m.fingerprint, ruleId: m.ruleId, ...(c.original_commit_id ? { originalCommitId: c.original_commit_id } : {}) });
  }
  return { comments, pages };
}

const THREADS_QUERY = `query BulwarkThreads($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { id isResolved comments(first: 1) { nodes { databaseId } } }
      }
    }
  }
}`;

interface ThreadsData {
  repository?: {
    pullRequest?: {
      reviewThreads?: {
        pageInfo?: { hasNextPage?: boolean; endCursor?: string | null };
        nodes?: ({ id: string; isResolved: boolean; comments?: { nodes?: ({ databaseId?: number | null } | null)[] } } | null)[];
      };
    } | null;
  } | null;
}

export interface ResolveResult {
  /** Threads resolved now. */
  resolved: number;
  /** GraphQL requests made. */
  requests: number;
  problems: string[];
}

/**
 * Resolve the (unresolved) review threads whose first comment is one of `commentIds`. One query
 * per 100 threads, then ONE mutation request resolving all of them (aliased fields).
 */
export async function resolveThreads(client: GitHubClient, repo: RepoRef, pullNumber: number, commentIds: ReadonlySet<number>): Promise<ResolveResult> {
  const result: ResolveResult = { resolved: 0, requests: 0, problems: [] };
  if (commentIds.size === 0) return result;
  const toResolve: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 50; page++) {
    const page_: GraphQLPartial<ThreadsData> = await graphqlPartial<ThreadsData>(client, THREADS_QUERY, { owner: repo.owner, name: repo.repo, number: pullNumber, after });
    const { data, errors } = page_;
    result.requests++;
    const threads: NonNullable<NonNullable<NonNullable<ThreadsData["repository"]>["pullRequest"]>["reviewThreads"]> | undefined = data?.repository?.pullRequest?.reviewThreads;
    if (!threads) {
      result.problems.push(`could not list review threads (${errors.map((e) => e.message).join("; ") || "no data"})`);
      return result;
    }
    for (const t of threads.nodes ?? []) {
      if (!t || t.isResolved) continue;
      const first = t.comments?.nodes?.[0]?.databaseId;
      if (typeof first === "number" && commentIds.has(first)) toResolve.push(t.id);
    }
    if (!threads.pageInfo?.hasNextPage || !threads.pageInfo.endCursor) break;
    after = threads.pageInfo.endCursor;
  }
  if (toResolve.length === 0) return result;
  const vars: Record<string, unknown> = {};
  const decls: string[] = [];
  const fields: string[] = [];
  toResolve.forEach((id, i) => {
    vars[`t${i}`] = id;
    decls.push(`$t${i}: ID!`);
    fields.push(`  r${i}: resolveReviewThread(input: {threadId: $t${i}}) { thread { id isResolved } }`);
  });
  const mutation = `mutation BulwarkResolve(${decls.join(", ")}) {\n${fields.join("\n")}\n}`;
  const { data, errors } = await graphqlPartial<Record<string, { thread?: { isResolved?: boolean } } | null>>(client, mutation, vars);
  result.requests++;
  for (let i = 0; i < toResolve.length; i++) if (data?.[`r${i}`]?.thread?.isResolved) result.resolved++;
  if (errors.length > 0) result.problems.push(`some review threads could not be resolved (${errors[0].message})`);
  return result;
}
