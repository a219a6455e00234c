// The action's GitHubClient: `@actions/github`'s Octokit (no retry or throttling plugins) adapted
// to the shared pipeline's minimal client, plus the three things the action needs around it:
//
//  - retries: reads (GET, GraphQL queries) on 5xx and network errors; every request on a rate
//    limit that says how long to wait (never a write on a 5xx: GitHub may have done it already);
//  - write denials: a write answered 403 "Resource not accessible by integration" (a read-only
//    GITHUB_TOKEN: fork pull requests, `permissions:` without `checks`/`pull-requests: write`) is
//    recorded in `denials`, so the action can fall back to workflow annotations;
//  - a read cache for content that cannot change during a run (file listings at fixed commits,
//    blobs and trees, GraphQL `object(expression:)` reads): a read repeated within a run is sent
//    once.
//
// Queries go out as the pipeline wrote them: the `config` input reaches it as
// ReviewOptions.config (and the action's own scans as ScanSettings.configPath).
import type { GitHubClient, GitHubResponse } from "../github/client.js";
import { errorStatus } from "../github/client.js";

/** The part of an Octokit the adapter calls (`@actions/github`'s getOctokit() result has it). */
export interface OctokitLike {
  request(route: string, params?: Record<string, unknown>): Promise<{ status: number; headers: object; data: unknown }>;
  graphql(query: string, params?: Record<string, unknown>): Promise<unknown>;
}

export interface WriteDenial {
  /** "POST /repos/{owner}/{repo}/check-runs", or "graphql mutation". */
  route: string;
  status: number;
  message: string;
}

export interface RetryPolicy {
  /** Retries per request (default 2). */
  retries: number;
  /** First back-off for 5xx/network errors in ms; doubled per retry (default 1,000). */
  baseDelayMs: number;
  /** Longest rate-limit wait accepted, in ms (default 60,000): longer waits fail the request. */
  maxWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 2, baseDelayMs: 1000, maxWaitMs: 60_000 };

export interface ActionClientOptions {
  retry?: Partial<RetryPolicy>;
  /** Where retries and denials are logged (debug level). */
  debug?: (msg: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface ActionClient extends GitHubClient {
  readonly denials: readonly WriteDenial[];
  /** Requests sent to GitHub (cache hits excluded). */
  readonly sent: number;
}

const WRITE = /^(POST|PATCH|PUT|DELETE)\s/i;
/** Reads whose answer is fixed for the parameters of one run (commits are named by sha). */
const CACHEABLE = new Set([
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
  "GET /repos/{owner}/{repo}/compare/{basehead}",
  "GET /repos/{owner}/{repo}/contents/{path}",
  "GET /repos/{owner}/{repo}/git/blobs/{file_sha}",
  "GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
]);

/** True for GitHub's answer to a write the token may not make. */
export function isPermissionDenied(err: unknown): boolean {
  if (errorStatus(err) === 403) return !isRateLimited(err) && /not accessible|permission|forbidden|must have/i.test(message(err));
  // GraphQL mutations answer 200 with a FORBIDDEN error.
  const errors = (err as { errors?: { type?: string; message?: string }[] } | null)?.errors;
  return Array.isArray(errors) && errors.some((e) => e.type === "FORBIDDEN" || /not accessible by integration/i.test(e.message ?? ""));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function headerOf(err: unknown, name: string): string | undefined {
  const headers = (err as { response?: { headers?: Record<string, unknown> } } | null)?.response?.headers;
  const v = headers?.[name];
  return v === undefined || v === null ? undefined : String(v);
}

function isRateLimited(err: unknown): boolean {
  const status = errorStatus(err);
  if (status === 429) return true;
  if (status !== 403) return false;
  return headerOf(err, "retry-after") !== undefined || headerOf(err, "x-ratelimit-remaining") === "0" || /rate limit/i.test(message(err));
}

/** Milliseconds to wait before retrying a rate-limited request (retry-after, else the reset time, else 60 s). */
function rateLimitWaitMs(err: unknown): number {
  const after = Number(headerOf(err, "retry-after"));
  if (Number.isFinite(after) && after >= 0) return after * 1000;
  const reset = Number(headerOf(err, "x-ratelimit-reset"));
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - Date.now()) + 1000;
  return 60_000;
}

/** 5xx answers; Octokit reports network failures ("fetch failed") as status 500 too. */
function isTransient(err: unknown): boolean {
  const status = errorStatus(err);
  return status !== undefined && status >= 500;
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "undefined";
}

function headersOf(h: object): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = {};
  for (const [k, v] of Object.entries(h)) out[k] = typeof v === "number" || typeof v === "string" ? v : v === undefined || v === null ? undefined : String(v);
  return out;
}

export function createActionClient(octokit: OctokitLike, options: ActionClientOptions = {}): ActionClient {
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const debug = options.debug ?? (() => undefined);
  const denials: WriteDenial[] = [];
  const cache = new Map<string, Promise<unknown>>();
  let sent = 0;

  async function withRetry<T>(what: string, isRead: boolean, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        sent++;
        return await fn();
      } catch (err) {
        if (attempt >= policy.retries) throw err;
        let wait: number;
        if (isRateLimited(err)) {
          wait = rateLimitWaitMs(err);
          if (wait > policy.maxWaitMs) throw err;
        } else if (isRead && isTransient(err)) {
          wait = policy.baseDelayMs * 2 ** attempt;
        } else throw err;
        debug(`${what}: ${message(err).split("\n")[0]}; retrying in ${Math.round(wait)} ms`);
        await sleep(wait);
      }
    }
  }

  function cached<T>(key: string | undefined, load: () => Promise<T>): Promise<T> {
    if (key === undefined) return load();
    const hit = cache.get(key);
    if (hit) return hit as Promise<T>;
    const p = load();
    cache.set(key, p);
    // A GraphQL answer with field errors (e.g. no organisation `.github` repository) is an answer:
    // keep it. Transport failures are not.
    p.catch((err: unknown) => {
      if (errorStatus(err) !== undefined || !Array.isArray((err as { errors?: unknown } | null)?.errors)) cache.delete(key);
    });
    return p;
  }

  function denied(route: string, err: unknown): void {
    if (!isPermissionDenied(err)) return;
    const status = errorStatus(err) ?? 403;
    denials.push({ route, status, message: message(err).split("\n")[0] });
    debug(`${route}: denied (${status})`);
  }

  return {
    get denials() {
      return denials;
    },
    get sent() {
      return sent;
    },
    async request(route, params = {}): Promise<GitHubResponse> {
      const isWrite = WRITE.test(route);
      const key = CACHEABLE.has(route.trim()) ? `${route} ${stable(params)}` : undefined;
      try {
        return await cached(key, () =>
          withRetry(route, !isWrite, async () => {
            const res = await octokit.request(route, params);
            return { status: res.status, headers: headersOf(res.headers), data: res.data };
          }),
        );
      } catch (err) {
        if (isWrite) denied(route, err);
        throw err;
      }
    },
    async graphql(query, variables = {}) {
      const isMutation = /^\s*mutation\b/.test(query);
      const key = !isMutation && /\bobject\s*\(\s*expression\s*:/.test(query) ? `graphql ${query} ${stable(variables)}` : undefined;
      try {
        return await cached(key, () => withRetry(isMutation ? "graphql mutation" : "graphql query", !isMutation, () => octokit.graphql(query, variables)));
      } catch (err) {
        if (isMutation) denied("graphql mutation", err);
        throw err;
      }
    },
  };
}
