// Scheduled update runs (issue 8): every installation's repositories get their update pull
// requests re-planned on an interval. With the shared Redis queue the interval is a BullMQ
// repeatable job (RedisQueue.repeat: one instance runs each pass); otherwise this process's own
// unref'd timer. The PR sync is idempotent anyway: a second pass finds nothing to change.
import type { GitHubClient, RepoRef } from "../github/client.js";
import { paginate } from "../github/client.js";

export interface ScheduleDeps {
  /** A client for the app itself (no id) or for one installation. */
  auth(installationId?: number): Promise<GitHubClient>;
  update(client: GitHubClient, target: { repo: RepoRef; defaultBranch: string }): Promise<string>;
  log: { info(msg: string): void; warn(msg: string): void };
}

interface RepoEntry {
  name: string;
  owner: { login: string };
  default_branch: string;
  archived?: boolean;
  disabled?: boolean;
}

/** One pass over every installation and repository; a failing repository does not stop the others. */
export async function runScheduledUpdates(deps: ScheduleDeps): Promise<{ repositories: number; failed: number }> {
  const installations = await paginate<{ id: number; suspended_at?: string | null }>(await deps.auth(), "GET /app/installations", {});
  let repositories = 0;
  let failed = 0;
  for (const inst of installations) {
    if (inst.suspended_at) continue;
    const client = await deps.auth(inst.id);
    for (let page = 1; ; page++) {
      const res = await client.request("GET /installation/repositories", { per_page: 100, page });
      const repos = ((res.data as { repositories?: RepoEntry[] }).repositories ?? []).filter((r) => !r.archived && !r.disabled);
      for (const r of repos) {
        repositories++;
        try {
          await deps.update(client, { repo: { owner: r.owner.login, repo: r.name }, defaultBranch: r.default_branch });
        } catch (err) {
          failed++;
          deps.log.warn(`scheduled updates for ${r.owner.login}/${r.name} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (((res.data as { repositories?: unknown[] }).repositories ?? []).length < 100) break;
    }
  }
  deps.log.info(`scheduled updates: ${repositories} repositories, ${failed} failed`);
  return { repositories, failed };
}

/** "24h", "90m", "3600s", "1d" → milliseconds; "off", "0" or "" → undefined (no schedule). */
export function parseInterval(value: string | undefined): number | undefined {
  const v = (value ?? "").trim().toLowerCase();
  if (v === "" || v === "off" || v === "0") return undefined;
  const m = /^(\d+)\s*(d|h|m|s)$/.exec(v);
  if (!m) throw new Error(`BULWARK_UPDATE_INTERVAL must look like 24h, 90m or 1d (got "${value}")`);
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }[m[2] as "d" | "h" | "m" | "s"];
  return Number(m[1]) * unit;
}

/** Start the timer (unref'd: it never keeps the process alive); returns a stop function. */
export function startUpdateSchedule(deps: ScheduleDeps, intervalMs: number): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return; // a slow pass is not overlapped by the next tick
    running = true;
    runScheduledUpdates(deps)
      .catch((err: unknown) => deps.log.warn(`scheduled updates failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
