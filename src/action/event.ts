// The workflow event, reduced to what the action does with it. Pure: payload and environment in.
import type { RepoRef } from "../github/client.js";

export const ZERO_SHA = "0000000000000000000000000000000000000000";

export interface RepositoryInfo {
  repo: RepoRef;
  /** Web URL for permalinks (GHE-safe: from the payload, else GITHUB_SERVER_URL). */
  htmlUrl: string;
  /** From the payload when it carries `repository`; otherwise resolved through the API. */
  defaultBranch?: string;
}

export type ActionEvent =
  | {
      kind: "pull-request";
      name: string;
      action?: string;
      number: number;
      headSha: string;
      baseSha: string;
      baseRef: string;
      state?: string;
      /** The head branch lives in another repository (a fork). */
      fromFork: boolean;
      changedFiles?: number;
      reviewComments?: number;
    }
  | { kind: "merge-group"; name: string; headSha: string; baseSha: string; headRef?: string }
  | { kind: "push"; name: string; before: string; after: string; ref?: string; created: boolean; deleted: boolean }
  /** schedule, workflow_dispatch and anything else: the repository at one commit. */
  | { kind: "snapshot"; name: string; sha?: string; ref?: string };

export interface ActionContext {
  event: ActionEvent;
  repository: RepositoryInfo;
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

export class EventError extends Error {}

/** The repository the workflow runs in: GITHUB_REPOSITORY first (it is always set on runners). */
export function repositoryInfo(payload: Json, env: Readonly<Record<string, string | undefined>>): RepositoryInfo {
  const repository = obj(payload.repository);
  const full = str(env.GITHUB_REPOSITORY) ?? str(repository?.full_name);
  if (!full || !/^[^/\s]+\/[^/\s]+$/.test(full)) throw new EventError("GITHUB_REPOSITORY is not set (owner/repo)");
  const [owner, repo] = full.split("/") as [string, string];
  const server = (str(env.GITHUB_SERVER_URL) ?? "https://github.com").replace(/\/+$/, "");
  const payloadFull = str(repository?.full_name);
  const htmlUrl = payloadFull && payloadFull.toLowerCase() === full.toLowerCase() && str(repository?.html_url) ? str(repository?.html_url)! : `${server}/${full}`;
  const defaultBranch = str(repository?.default_branch) ?? str(repository?.master_branch);
  return { repo: { owner, repo }, htmlUrl, ...(defaultBranch ? { defaultBranch } : {}) };
}

export function parseEvent(name: string, payload: Json, env: Readonly<Record<string, string | undefined>>): ActionContext {
  const repository = repositoryInfo(payload, env);
  const pr = obj(payload.pull_request);
  if ((name === "pull_request" || name === "pull_request_target") && pr) {
    const head = obj(pr.head);
    const base = obj(pr.base);
    const number = num(pr.number) ?? num(payload.number);
    const headSha = str(head?.sha);
    const baseSha = str(base?.sha);
    if (number === undefined || !headSha || !baseSha) throw new EventError(`the ${name} payload has no pull request number, head sha or base sha`);
    const headRepo = str(obj(head?.repo)?.full_name);
    const baseRepo = str(obj(base?.repo)?.full_name) ?? `${repository.repo.owner}/${repository.repo.repo}`;
    const changedFiles = num(pr.changed_files);
    const reviewComments = num(pr.review_comments);
    return {
      repository,
      event: {
        kind: "pull-request",
        name,
        ...(str(payload.action) ? { action: str(payload.action)! } : {}),
        number,
        headSha,
        baseSha,
        baseRef: str(base?.ref) ?? repository.defaultBranch ?? "main",
        ...(str(pr.state) ? { state: str(pr.state)! } : {}),
        fromFork: headRepo !== undefined && headRepo.toLowerCase() !== baseRepo.toLowerCase(),
        ...(changedFiles !== undefined ? { changedFiles } : {}),
        ...(reviewComments !== undefined ? { reviewComments } : {}),
      },
    };
  }
  const mg = obj(payload.merge_group);
  if (name === "merge_group" && mg) {
    const headSha = str(mg.head_sha);
    const baseSha = str(mg.base_sha);
    if (!headSha || !baseSha) throw new EventError("the merge_group payload has no head_sha or base_sha");
    return { repository, event: { kind: "merge-group", name, headSha, baseSha, ...(str(mg.head_ref) ? { headRef: str(mg.head_ref)! } : {}) } };
  }
  if (name === "push") {
    const before = str(payload.before) ?? ZERO_SHA;
    const after = str(payload.after) ?? str(env.GITHUB_SHA) ?? ZERO_SHA;
    return {
      repository,
      event: {
        kind: "push",
        name,
        before,
        after,
        ...(str(payload.ref) ? { ref: str(payload.ref)! } : {}),
        created: payload.created === true || before === ZERO_SHA,
        deleted: payload.deleted === true || after === ZERO_SHA,
      },
    };
  }
  const sha = str(env.GITHUB_SHA);
  const ref = str(env.GITHUB_REF) ?? str(payload.ref);
  return { repository, event: { kind: "snapshot", name: name || "unknown", ...(sha ? { sha } : {}), ...(ref ? { ref } : {}) } };
}
