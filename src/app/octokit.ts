// The Octokit the app reviews with: Probot's own Octokit class (throttling, retry, pagination,
// GHE compatibility) with Bulwark's explicit rate-limit handlers. `probot run` builds its
// installation clients with a secondary-rate-limit handler that only logs (no retry), and the app
// function cannot change that class, so each review gets its own client that authenticates
// through the event Octokit's auth hook (same installation token cache: no extra token request).
import { ProbotOctokit } from "probot";
import type { Context } from "probot";
import type { GitHubClient } from "../github/client.js";

export interface RateLimitPolicy {
  /** Retries after a primary or secondary rate limit (default 3). */
  maxRetries: number;
  /** Longest single wait accepted, in seconds (default 120): longer waits fail the review, which the check run then says. */
  maxWaitSeconds: number;
  /** Milliseconds per second of `retry-after` (default 1000; tests shrink it). */
  retryAfterBaseValue: number;
  /** Retries of 5xx responses by the retry plugin (default 3, back-off 1 s, 4 s, 9 s × base/1000). */
  serverErrorRetries: number;
  /** Use the throttling plugin (default true). Off: no write spacing and no rate-limit retries. */
  throttle: boolean;
}

export const DEFAULT_RATE_LIMIT_POLICY: RateLimitPolicy = {
  maxRetries: 3,
  maxWaitSeconds: 120,
  retryAfterBaseValue: 1000,
  serverErrorRetries: 3,
  throttle: true,
};

interface OctokitLog {
  debug: (msg: string) => void;
  info: (msg: string) => void;
  warn: (msg: string) => void;
  error: (msg: string) => void;
}

interface LimitedRequest {
  method?: string;
  url?: string;
}

/** Throttle options with handlers that retry (a few times, honouring retry-after) instead of only logging. */
export function throttleOptions(policy: RateLimitPolicy, log: OctokitLog, id: string) {
  const handler =
    (kind: string) =>
    (retryAfter: number, options: LimitedRequest, _octokit: unknown, retryCount: number): boolean => {
      const what = `${options.method ?? "?"} ${options.url ?? "?"}`;
      if (retryCount >= policy.maxRetries) {
        log.warn(`${kind} on ${what}: giving up after ${retryCount} retries`);
        return false;
      }
      if (retryAfter > policy.maxWaitSeconds) {
        log.warn(`${kind} on ${what}: retry-after ${retryAfter}s is over ${policy.maxWaitSeconds}s, giving up`);
        return false;
      }
      log.info(`${kind} on ${what}: retrying in ${retryAfter}s (retry ${retryCount + 1} of ${policy.maxRetries})`);
      return true;
    };
  return {
    enabled: policy.throttle,
    id,
    retryAfterBaseValue: policy.retryAfterBaseValue,
    fallbackSecondaryRateRetryAfter: 60,
    onRateLimit: handler("rate limit"),
    onSecondaryRateLimit: handler("secondary rate limit"),
  };
}

/**
 * Statuses the retry plugin leaves alone: its defaults plus 429. The retry plugin retries
 * everything >= 400 outside this list on its own 1 s, 4 s, 9 s back-off, ignoring `retry-after`;
 * GitHub answers 429 for rate limits (as it does 403), which are the throttling plugin's, under
 * the policy above (honour retry-after, at most `maxRetries`, give up past `maxWaitSeconds`).
 * Without 429 here a 429 was retried early, and again after the policy had given up.
 */
export const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

type AuthHook = (request: unknown, route: unknown, parameters?: unknown) => Promise<unknown>;

/**
 * A GitHubClient for one installation, sharing the event Octokit's authentication: its auth
 * hook (GitHub App installation token, cached by Probot; token requests go to the same base URL,
 * so GitHub Enterprise Server works) is plugged into a new ProbotOctokit with our throttle/retry.
 */
export type ResponseObserver = (method: string, status: number, headers: Record<string, string | number | undefined> | undefined) => void;

export function reviewClientFor(context: Context, policy: RateLimitPolicy, observe?: ResponseObserver): GitHubClient {
  const eventAuth = context.octokit.auth as unknown as { hook?: AuthHook };
  const hook = eventAuth.hook;
  if (typeof hook !== "function") throw new Error("the event's Octokit has no authentication hook");
  const baseUrl = context.octokit.request.endpoint.DEFAULTS.baseUrl;
  const installationId = (context.payload as { installation?: { id?: number } }).installation?.id;
  const log = context.log as unknown as OctokitLog;
  const octokit = new ProbotOctokit({
    authStrategy: () => Object.assign(async () => ({ type: "unauthenticated" }), { hook }),
    auth: {},
    baseUrl,
    log,
    throttle: throttleOptions(policy, log, String(installationId ?? "none")),
    retry: { enabled: policy.serverErrorRetries > 0, retries: policy.serverErrorRetries, retryAfterBaseValue: policy.retryAfterBaseValue, doNotRetry: DO_NOT_RETRY },
  });
  if (observe) {
    // Metrics: every request as the caller sees it (after the plugins' retries), with its status and rate-limit headers.
    octokit.hook.wrap("request", async (request, options) => {
      const method = String(options.method ?? "GET");
      try {
        const res = await request(options);
        observe(method, res.status, res.headers as Record<string, string | number | undefined>);
        return res;
      } catch (err) {
        const e = err as { status?: number; response?: { headers?: Record<string, string | number | undefined> } };
        observe(method, typeof e.status === "number" ? e.status : 0, e.response?.headers);
        throw err;
      }
    });
  }
  return octokit;
}
