// The smallest GitHub client the review pipeline needs. Probot's `context.octokit` and the
// Action's `@actions/github` octokit both satisfy it structurally, so nothing in src/github
// depends on Probot (or on any Octokit plugin being present).
//
//   request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number })
//   graphql("query($owner: String!) { … }", { owner })
//
// `request` throws on non-2xx responses (Octokit's RequestError: `.status`, `.response`);
// `graphql` throws when the response has `errors` (Octokit's GraphqlResponseError keeps the
// partial `.data`). The helpers below normalise both behaviours.

export interface GitHubResponse<T = unknown> {
  status: number;
  headers: Readonly<Record<string, string | number | undefined>>;
  data: T;
}

export interface GitHubClient {
  request(route: string, params?: Record<string, unknown>): Promise<GitHubResponse>;
  graphql(query: string, variables?: Record<string, unknown>): Promise<unknown>;
}

export interface RepoRef {
  owner: string;
  repo: string;
}

/** HTTP status of a failed request (Octokit RequestError and look-alikes), if any. */
export function errorStatus(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const s = (err as { status?: unknown }).status;
  if (typeof s === "number") return s;
  const r = (err as { response?: { status?: unknown } }).response;
  return typeof r?.status === "number" ? r.status : undefined;
}

/** A short, single-line description of an error for logs and check summaries. */
export function errorSummary(err: unknown): string {
  const status = errorStatus(err);
  let message = err instanceof Error ? err.message : String(err);
  // Octokit puts the whole response body in the message for some errors: keep the first line.
  message = message.split("\n")[0].slice(0, 300);
  return status !== undefined && !message.includes(String(status)) ? `HTTP ${status}: ${message}` : message;
}

export interface GraphQLErrorEntry {
  message: string;
  type?: string;
  path?: readonly (string | number)[];
}

export interface GraphQLPartial<T> {
  /** `data` as far as GitHub could resolve it (fields that failed are null). */
  data: T | undefined;
  errors: GraphQLErrorEntry[];
}

/**
 * Run a GraphQL query and return partial data together with field errors instead of throwing
 * on the first NOT_FOUND (a missing org `.github` repository is an expected error). Transport
 * errors (HTTP status, network) still throw.
 */
export async function graphqlPartial<T>(client: GitHubClient, query: string, variables: Record<string, unknown>): Promise<GraphQLPartial<T>> {
  try {
    const data = (await client.graphql(query, variables)) as T;
    return { data, errors: [] };
  } catch (err) {
    const e = err as { data?: unknown; errors?: unknown };
    if (typeof err === "object" && err !== null && Array.isArray(e.errors) && errorStatus(err) === undefined) {
      return { data: (e.data ?? undefined) as T | undefined, errors: e.errors as GraphQLErrorEntry[] };
    }
    throw err;
  }
}

function header(headers: GitHubResponse["headers"], name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name && v !== undefined) return String(v);
  return undefined;
}

/** True when a `link` header announces a next page. */
export function hasNextPage(headers: GitHubResponse["headers"]): boolean {
  const link = header(headers, "link");
  return link !== undefined && /rel="next"/.test(link);
}

export interface PaginateOptions {
  perPage?: number;
  /** Stop after this many pages (known from a count such as `changed_files`). */
  maxPages?: number;
  /** Called after each page (request counting in benchmarks, progress logs). */
  onPage?: (page: number, items: number) => void;
}

/**
 * Fetch every page of a list endpoint (`per_page`/`page` query parameters). Follows the
 * `link: rel="next"` header; without one, a full page is taken to mean "maybe more".
 */
export async function paginate<T>(client: GitHubClient, route: string, params: Record<string, unknown>, opts: PaginateOptions = {}): Promise<T[]> {
  const perPage = opts.perPage ?? 100;
  const out: T[] = [];
  for (let page = 1; ; page++) {
    const res = await client.request(route, { ...params, per_page: perPage, page });
    const items = Array.isArray(res.data) ? (res.data as T[]) : [];
    out.push(...items);
    opts.onPage?.(page, items.length);
    if (opts.maxPages !== undefined && page >= opts.maxPages) break;
    const link = header(res.headers, "link");
    const more = link !== undefined ? /rel="next"/.test(link) : items.length === perPage;
    if (!more || items.length === 0) break;
  }
  return out;
}

const WRITE_METHODS = /^(?:POST|PATCH|PUT|DELETE)\s/i;

/** A FIFO that runs one job at a time (shared by every client of one installation). */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/**
 * A client whose writes (REST POST/PATCH/PUT/DELETE and GraphQL mutations) run one at a time, in
 * call order, across every client sharing `queue`. Reads pass through. GitHub asks integrations to
 * make mutating requests serially (secondary rate limits).
 */
export function serializeWrites(client: GitHubClient, queue: WriteQueue = new WriteQueue()): GitHubClient {
  return {
    request: (route, params) => (WRITE_METHODS.test(route) ? queue.run(() => client.request(route, params)) : client.request(route, params)),
    graphql: (query, variables) => (/^\s*mutation\b/.test(query) ? queue.run(() => client.graphql(query, variables)) : client.graphql(query, variables)),
  };
}

/** Thrown instead of a write once the caller's job is no longer this process's to finish. */
export class WriteAbortedError extends Error {
  constructor(route: string, reason: unknown) {
    super(`${route} not sent: ${reason instanceof Error ? reason.message : String(reason ?? "aborted")}`);
    this.name = "WriteAbortedError";
  }
}

/**
 * A client that refuses writes once `signal` is aborted; reads pass through. A queue worker that
 * lost its job (its lock expired while it was partitioned or paused, so another instance took the
 * job over) must not post a second review or conclude a check run the new owner is working on.
 */
export function guardWrites(client: GitHubClient, signal: AbortSignal): GitHubClient {
  return {
    request: (route, params) => (WRITE_METHODS.test(route) && signal.aborted ? Promise.reject(new WriteAbortedError(route, signal.reason)) : client.request(route, params)),
    graphql: (query, variables) => (/^\s*mutation\b/.test(query) && signal.aborted ? Promise.reject(new WriteAbortedError("GraphQL mutation", signal.reason)) : client.graphql(query, variables)),
  };
}
