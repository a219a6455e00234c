// Chat-ops for the Probot app: `/bulwark …` commands in pull-request comments and the check
// run's "Apply fixes" button. Registered from src/app/index.ts with `registerChatOps(app, …)`.
//
//   issue_comment created/edited (on pull requests)      → commands of the comment
//   pull_request_review_comment created                  → commands in a review thread; a reply to
//                                                          Bulwark's inline comment gives `ignore`
//                                                          the finding (marker fingerprint, path, line)
//   check_run requested_action "apply-fixes" (Bulwark)   → `/bulwark fix` for `payload.sender`
//
// Ignored: issues that are not pull requests, comments by bots (`[bot]` logins, `type: Bot`, or
// made through any GitHub App — Bulwark's own replies included), comments without a command, and
// edits that do not change the commands.
//
// Acknowledgement: an `eyes` reaction at once (before any work; the outcome is the reply, so no
// second reaction). One reply per comment: an in-memory LRU of `repo#comment@updated_at` keys
// (a redelivery or a duplicate event is answered once per process) and, for issue comments, a
// look for a reply carrying `<!-- bulwark:reply comment=<id> updated=<updated_at> -->` made since
// the comment was written (so that a restart or a second replica does not answer again).
import type { Context, Probot } from "probot";
import { CHECK_NAME, APPLY_FIXES_ACTION } from "../github/checkrun.js";
import { errorSummary } from "../github/client.js";
import type { GitHubClient, RepoRef } from "../github/client.js";
import { parseMarker } from "../github/comments.js";
import type { ScanPassThrough } from "../github/analysis.js";
import type { PullRequestTarget, RepositoryTarget } from "../github/review.js";
import { parseCommands, sameCommands } from "../github/chatops/parse.js";
import type { ParsedCommand } from "../github/chatops/parse.js";
import { replyMarker, runCommands } from "../github/chatops/run.js";
import type { CommandContext, CommandOutcome, ReplyContext, UpdateLister } from "../github/chatops/run.js";

export interface ChatOpsWiring {
  /** The app's client for an event (rate limits, serialized writes). Default: `context.octokit`. */
  clientFor?: (context: Context) => Promise<GitHubClient>;
  /** Re-run the review of a pull request (the app runs it under its scheduler, forced). */
  review?: (context: Context, target: PullRequestTarget) => Promise<void>;
  scan?: ScanPassThrough;
  /** Lists update proposals for `/bulwark update`; without it the reply says updates are not wired yet. */
  updates?: UpdateLister;
  /** Comments remembered for de-duplication (default 5,000). */
  memory?: number;
  /** Called after every handled command comment (tests, metrics). */
  onCommand?: (e: ChatOpsEvent) => void;
}

export interface ChatOpsEvent {
  event: string;
  subject: string;
  user: string;
  /** Why nothing ran, when nothing did. */
  skipped?: "bot" | "not-a-pull-request" | "no-command" | "unchanged-edit" | "duplicate" | "not-ours";
  outcomes?: CommandOutcome[];
}

/** A small LRU set (Map keeps insertion order). */
export class SeenSet {
  private readonly keys = new Map<string, true>();
  constructor(private readonly max: number) {}

  /** True when `key` was new (and is now remembered). */
  add(key: string): boolean {
    if (this.keys.has(key)) {
      this.keys.delete(key);
      this.keys.set(key, true);
      return false;
    }
    this.keys.set(key, true);
    if (this.keys.size > this.max) this.keys.delete(this.keys.keys().next().value as string);
    return true;
  }

  delete(key: string): void {
    this.keys.delete(key);
  }
}

interface UserJson {
  login: string;
  type?: string;
}

interface RepoJson {
  name: string;
  html_url: string;
  default_branch: string;
  owner: { login: string };
}

interface CommentJson {
  id: number;
  body?: string | null;
  user?: UserJson | null;
  created_at: string;
  updated_at: string;
  performed_via_github_app?: unknown;
  in_reply_to_id?: number;
  path?: string;
  line?: number | null;
  original_line?: number | null;
}

function isBotUser(u: UserJson | null | undefined): boolean {
  return !u || u.type === "Bot" || u.login.toLowerCase().endsWith("[bot]");
}

function targetOf(repo: RepoJson): RepositoryTarget {
  return { repo: { owner: repo.owner.login, repo: repo.name }, htmlUrl: repo.html_url, defaultBranch: repo.default_branch };
}

function full(repo: RepoRef): string {
  return `${repo.owner}/${repo.repo}`;
}

export function registerChatOps(app: Probot, wiring: ChatOpsWiring = {}): void {
  const seen = new SeenSet(wiring.memory ?? 5_000);
  const clientFor = wiring.clientFor ?? (async (context: Context) => context.octokit as unknown as GitHubClient);

  const commandContext = (context: Context, target: RepositoryTarget, number: number, user: string, replyTo?: ReplyContext): CommandContext => ({
    target,
    number,
    user,
    ...(replyTo ? { replyTo } : {}),
    ...(wiring.scan ? { scan: wiring.scan } : {}),
    ...(wiring.review ? { rescan: (t: PullRequestTarget) => wiring.review!(context, t) } : {}),
    ...(wiring.updates ? { updates: wiring.updates } : {}),
  });

  const report = (context: Context, e: ChatOpsEvent): void => {
    if (e.skipped) context.log.debug(`Bulwark chat-ops ${e.subject}: skipped (${e.skipped})`);
    wiring.onCommand?.(e);
  };

  app.on(["issue_comment.created", "issue_comment.edited"], async (context) => {
    const payload = context.payload as unknown as {
      action: string;
      issue: { number: number; pull_request?: unknown };
      comment: CommentJson;
      changes?: { body?: { from?: string } };
      repository: RepoJson;
      sender?: UserJson;
    };
    const event = `issue_comment.${payload.action}`;
    const target = targetOf(payload.repository);
    const c = payload.comment;
    const subject = `${full(target.repo)}#${payload.issue.number} comment ${c.id}`;
    const user = c.user?.login ?? "ghost";
    if (!payload.issue.pull_request) return report(context, { event, subject, user, skipped: "not-a-pull-request" });
    if (isBotUser(c.user) || isBotUser(payload.sender) || c.performed_via_github_app) return report(context, { event, subject, user, skipped: "bot" });
    const commands = parseCommands(c.body);
    if (commands.length === 0) return report(context, { event, subject, user, skipped: "no-command" });
    if (payload.action === "edited" && payload.changes?.body?.from !== undefined && sameCommands(payload.changes.body.from, c.body))
      return report(context, { event, subject, user, skipped: "unchanged-edit" });
    const key = `${full(target.repo).toLowerCase()}#${c.id}@${c.updated_at}`;
    if (!seen.add(key)) return report(context, { event, subject, user, skipped: "duplicate" });

    const client = await clientFor(context);
    const { owner, repo } = target.repo;
    await client
      .request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { owner, repo, comment_id: c.id, content: "eyes" })
      .catch((err: unknown) => context.log.warn(`chat-ops: reaction failed: ${errorSummary(err)}`));
    const marker = replyMarker(c.id, c.updated_at);
    try {
      if (await alreadyAnswered(client, target.repo, payload.issue.number, c.created_at, marker)) return report(context, { event, subject, user, skipped: "duplicate" });
    } catch (err) {
      context.log.warn(`chat-ops: could not list earlier replies: ${errorSummary(err)}`);
    }
    const { body, outcomes } = await runCommands(client, commandContext(context, target, payload.issue.number, user), commands);
    await client.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner, repo, issue_number: payload.issue.number, body: `${marker}\n${body}` });
    context.log.info(`Bulwark chat-ops ${subject}: ${outcomes.map((o) => `${o.command.verb}=${o.ok ? "ok" : "refused"}`).join(", ")}`);
    report(context, { event, subject, user, outcomes });
  });

  app.on("pull_request_review_comment.created", async (context) => {
    const payload = context.payload as unknown as { comment: CommentJson; pull_request: { number: number }; repository: RepoJson; sender?: UserJson };
    const event = "pull_request_review_comment.created";
    const target = targetOf(payload.repository);
    const c = payload.comment;
    const number = payload.pull_request.number;
    const subject = `${full(target.repo)}#${number} review comment ${c.id}`;
    const user = c.user?.login ?? "ghost";
    if (isBotUser(c.user) || isBotUser(payload.sender) || c.performed_via_github_app) return report(context, { event, subject, user, skipped: "bot" });
    const commands = parseCommands(c.body);
    if (commands.length === 0) return report(context, { event, subject, user, skipped: "no-command" });
    if (!seen.add(`${full(target.repo).toLowerCase()}#rc${c.id}@${c.updated_at}`)) return report(context, { event, subject, user, skipped: "duplicate" });
    const client = await clientFor(context);
    const { owner, repo } = target.repo;
    await client
      .request("POST /repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions", { owner, repo, comment_id: c.id, content: "eyes" })
      .catch((err: unknown) => context.log.warn(`chat-ops: reaction failed: ${errorSummary(err)}`));
    // The thread's first comment: Bulwark's, with the finding's marker.
    let replyTo: ReplyContext | undefined;
    if (c.path) replyTo = { path: c.path, ...(typeof (c.line ?? c.original_line) === "number" ? { line: (c.line ?? c.original_line)! } : {}) };
    if (c.in_reply_to_id !== undefined && c.in_reply_to_id !== null) {
      try {
        const parent = await findReviewComment(client, target.repo, number, c.in_reply_to_id);
        const m = parent && isBotUser(parent.user) ? parseMarker(parent.body) : undefined;
        if (parent?.path) replyTo = { path: parent.path, ...(typeof (parent.line ?? parent.original_line) === "number" ? { line: (parent.line ?? parent.original_line)! } : {}), ...(m ? { fingerprint: m.fingerprint, ruleId: m.ruleId } : {}) };
      } catch (err) {
        context.log.warn(`chat-ops: could not read the parent comment: ${errorSummary(err)}`);
      }
    }
    const { body, outcomes } = await runCommands(client, commandContext(context, target, number, user, replyTo), commands);
    await client.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies", {
      owner,
      repo,
      pull_number: number,
      comment_id: c.in_reply_to_id ?? c.id,
      body: `${replyMarker(c.id, c.updated_at)}\n${body}`,
    });
    report(context, { event, subject, user, outcomes });
  });

  app.on("check_run.requested_action", async (context) => {
    const payload = context.payload as unknown as {
      check_run: { id: number; name: string; external_id?: string | null; pull_requests?: { number: number }[] };
      requested_action?: { identifier?: string };
      repository: RepoJson;
      sender?: UserJson;
    };
    const event = "check_run.requested_action";
    const target = targetOf(payload.repository);
    const cr = payload.check_run;
    const user = payload.sender?.login ?? "ghost";
    const subject = `${full(target.repo)} check run ${cr.id}`;
    if (cr.name !== CHECK_NAME || payload.requested_action?.identifier !== APPLY_FIXES_ACTION.identifier) return report(context, { event, subject, user, skipped: "not-ours" });
    if (isBotUser(payload.sender)) return report(context, { event, subject, user, skipped: "bot" });
    // external_id is the pull request number (pull_requests is empty for forks).
    const fromExternal = Number.parseInt(cr.external_id ?? "", 10);
    const number = Number.isInteger(fromExternal) && fromExternal > 0 && String(fromExternal) === (cr.external_id ?? "").trim() ? fromExternal : cr.pull_requests?.[0]?.number;
    if (number === undefined) return report(context, { event, subject, user, skipped: "not-a-pull-request" });
    if (!seen.add(`${full(target.repo).toLowerCase()}#delivery:${context.id}`)) return report(context, { event, subject, user, skipped: "duplicate" });
    const client = await clientFor(context);
    const commands: ParsedCommand[] = [{ command: { verb: "fix", rules: [] }, line: 1, text: "/bulwark fix" }];
    const { body, outcomes } = await runCommands(client, commandContext(context, target, number, user), commands);
    await client.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      owner: target.repo.owner,
      repo: target.repo.repo,
      issue_number: number,
      body: `<!-- bulwark:reply check_run=${cr.id} -->\n@${user} clicked **${APPLY_FIXES_ACTION.label}**.\n\n${body}`,
    });
    report(context, { event, subject: `${subject} (#${number})`, user, outcomes });
  });
}

async function alreadyAnswered(client: GitHubClient, repo: RepoRef, number: number, since: string, marker: string): Promise<boolean> {
  for (let page = 1; page <= 10; page++) {
    const res = await client.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: repo.owner, repo: repo.repo, issue_number: number, since, per_page: 100, page });
    const list = (res.data as CommentJson[] | undefined) ?? [];
    if (list.some((x) => isBotUser(x.user) && (x.body ?? "").includes(marker))) return true;
    if (list.length < 100) return false;
  }
  return false;
}

async function findReviewComment(client: GitHubClient, repo: RepoRef, number: number, id: number): Promise<CommentJson | undefined> {
  for (let page = 1; page <= 30; page++) {
    const res = await client.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/comments", { owner: repo.owner, repo: repo.repo, pull_number: number, per_page: 100, page });
    const list = (res.data as CommentJson[] | undefined) ?? [];
    const hit = list.find((x) => x.id === id);
    if (hit) return hit;
    if (list.length < 100) return undefined;
  }
  return undefined;
}
