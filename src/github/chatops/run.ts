// Running chat-ops commands against a pull request (no Probot here: a GitHubClient in, a reply
// body out). The caller (src/app/chatops.ts) filters events, acknowledges, de-duplicates and posts
// the reply; this file authorizes, reads, computes and commits.
//
// Authorization: commands that commit or re-run (fix, ignore, rescan, update) need write,
// maintain or admin on the BASE repository, read from
// `GET /repos/{owner}/{repo}/collaborators/{username}/permission` (`role_name`, else
// `permission`); author_association is never trusted. help and explain are open to everyone.
import { createTwoFilesPatch } from "diff";
import { getCatalog } from "../../core/engine/catalog.js";
import { fixFiles } from "../../core/engine/fixes.js";
import { FIX_SOURCES, scan } from "../../core/engine/scan.js";
import type { ScanOptions } from "../../core/engine/scan.js";
import type { BulwarkConfig } from "../../core/config/schema.js";
import type { Finding, SourceFile } from "../../core/types.js";
import { ruleDocument } from "../../cli/rules.js";
import { plural, sanitizeInline } from "../../report/common.js";
import type { ScanPassThrough } from "../analysis.js";
import { errorStatus, errorSummary } from "../client.js";
import type { GitHubClient, RepoRef } from "../client.js";
import { commitFiles } from "../commit.js";
import { resolveConfig } from "../config.js";
import { fetchContents } from "../contents.js";
import { candidateFiles, listPullRequestFiles, selectByConfig } from "../pr-files.js";
import type { PullRequestTarget, RepositoryTarget } from "../review.js";
import { helpText, MAX_COMMANDS_PER_COMMENT, needsWrite } from "./parse.js";
import type { Command, ParsedCommand } from "./parse.js";
import { planSuppression } from "./ignore.js";

/** GitHub's limit is 65,536 characters per comment; replies stay below this. */
export const REPLY_BUDGET = 60_000;

export const WRITE_ROLES: readonly string[] = ["admin", "maintain", "write"];

/** The hidden marker of a reply, so that a command is answered once. */
export function replyMarker(commentId: number | string, updatedAt?: string): string {
  return `<!-- bulwark:reply comment=${commentId}${updatedAt ? ` updated=${updatedAt}` : ""} -->`;
}

/** Lists the update proposals for a repository (Markdown), when the app has an updater. */
export type UpdateLister = (client: GitHubClient, target: RepositoryTarget) => Promise<string>;

export interface ReplyContext {
  /** The pull request's path/line/finding when the command replied to a Bulwark review comment. */
  path: string;
  line?: number;
  fingerprint?: string;
  ruleId?: string;
}

export interface CommandContext {
  /** The base repository of the pull request. */
  target: RepositoryTarget;
  number: number;
  /** Login of the person who asked (comment author, or the check-run button's sender). */
  user: string;
  replyTo?: ReplyContext;
  scan?: ScanPassThrough;
  clock?: () => Date;
  /** Re-run the review of the pull request (`reviewPullRequest` under the app's scheduler). */
  rescan?: (target: PullRequestTarget) => Promise<void>;
  updates?: UpdateLister;
}

export interface CommandOutcome {
  command: Command;
  ok: boolean;
  /** Markdown, without the quoted command. */
  body: string;
  /** The commit made, if any. */
  commit?: { sha: string; repo: RepoRef; branch: string };
}

// ---------------------------------------------------------------- permission

export async function permissionOf(client: GitHubClient, repo: RepoRef, username: string): Promise<string> {
  try {
    const res = await client.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { owner: repo.owner, repo: repo.repo, username });
    const d = res.data as { permission?: string; role_name?: string };
    return (d.role_name || d.permission || "none").toLowerCase();
  } catch (err) {
    // 404: not a collaborator (or the user does not exist) — no permission.
    if (errorStatus(err) === 404) return "none";
    throw err;
  }
}

export function canWrite(permission: string): boolean {
  return WRITE_ROLES.includes(permission);
}

// ---------------------------------------------------------------- pull request state

export interface PullState {
  number: number;
  state: string;
  headSha: string;
  baseSha: string;
  headRef: string;
  /** The repository that holds the head branch; undefined when the fork was deleted. */
  headRepo?: RepoRef;
  sameRepo: boolean;
  maintainerCanModify: boolean;
  changedFiles?: number;
}

interface PullJson {
  number: number;
  state?: string;
  head: { sha: string; ref: string; repo?: { name: string; owner: { login: string } } | null };
  base: { sha: string; repo?: { name: string; owner: { login: string } } };
  maintainer_can_modify?: boolean;
  changed_files?: number;
}

export async function getPullState(client: GitHubClient, repo: RepoRef, number: number): Promise<PullState> {
  const p = (await client.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: repo.owner, repo: repo.repo, pull_number: number })).data as PullJson;
  const hr = p.head.repo ? { owner: p.head.repo.owner.login, repo: p.head.repo.name } : undefined;
  const same = hr !== undefined && hr.owner.toLowerCase() === repo.owner.toLowerCase() && hr.repo.toLowerCase() === repo.repo.toLowerCase();
  return {
    number: p.number,
    state: p.state ?? "open",
    headSha: p.head.sha,
    baseSha: p.base.sha,
    headRef: p.head.ref,
    ...(hr ? { headRepo: hr } : {}),
    sameRepo: same,
    maintainerCanModify: p.maintainer_can_modify === true,
    ...(p.changed_files !== undefined ? { changedFiles: p.changed_files } : {}),
  };
}

type PullFiles = { ok: true; files: SourceFile[]; config: BulwarkConfig; notes: string[] } | { ok: false; message: string };

/** The head texts of the pull request's files that Bulwark reviews, and the config (default branch). */
export async function readPullFiles(client: GitHubClient, target: RepositoryTarget, pull: PullState, knownRuleIds: ReadonlySet<string>): Promise<PullFiles> {
  const listing = await listPullRequestFiles(client, target.repo, pull.number, pull.changedFiles);
  const candidates = candidateFiles(listing.files).filter((f) => f.hasHead);
  const contents = await fetchContents(client, {
    repo: target.repo,
    headSha: pull.headSha,
    files: candidates.map((c) => ({ path: c.path, hasHead: true, headBlobSha: c.entry.sha ?? null })),
    config: { ref: target.defaultBranch, orgFallback: true },
  });
  const config = await resolveConfig(client, { repo: target.repo, defaultBranch: target.defaultBranch, repoConfig: contents.repoConfig, orgConfig: contents.orgConfig, knownRuleIds });
  if (!config.ok) return { ok: false, message: `The Bulwark config is invalid (${sanitizeInline(config.message.split("\n")[0])}); fix it on the default branch first.` };
  const notes = [...contents.notes];
  const files: SourceFile[] = [];
  for (const c of selectByConfig(candidates, config.config)) {
    const blob = contents.head.get(c.path);
    if (!blob || blob.isBinary || blob.text === null) continue;
    if (blob.truncated) {
      notes.push(`\`${sanitizeInline(c.path)}\` is too large to read through the API and was left alone.`);
      continue;
    }
    files.push({ path: c.path, text: blob.text });
  }
  if (listing.truncated) notes.push("This pull request changes more files than GitHub lists (3,000): only the listed ones were considered.");
  return { ok: true, files, config: config.config, notes };
}

// ---------------------------------------------------------------- committing (fix, ignore)

type Plan = { kind: "commit"; files: Map<string, string>; message: string; summary: string[] } | { kind: "reply"; ok: boolean; body: string };

function unifiedDiff(original: ReadonlyMap<string, string>, changed: ReadonlyMap<string, string>): string {
  const parts: string[] = [];
  for (const [path, text] of [...changed].sort(([a], [b]) => a.localeCompare(b))) {
    parts.push(createTwoFilesPatch(`a/${path}`, `b/${path}`, original.get(path) ?? "", text, undefined, undefined, { context: 3 }).replace(/^=+\n/, "").replace(/^Index:.*\n/, ""));
  }
  return parts.join("");
}

function fence(body: string, lang: string): string {
  let ticks = "```";
  while (body.includes(ticks)) ticks += "`";
  return `${ticks}${lang}\n${body.replace(/\n$/, "")}\n${ticks}`;
}

/**
 * Read the head, compute the change, commit it on the head branch with the computed-from head as
 * the parent. When the branch moved meanwhile (the ref update is not a fast forward), re-read and
 * recompute once; after that, refuse. Never forced.
 */
async function commitOnHead(client: GitHubClient, ctx: CommandContext, compute: (pull: PullState, files: PullFiles & { ok: true }) => Plan): Promise<Omit<CommandOutcome, "command">> {
  const catalog = ctx.scan?.catalog ?? getCatalog();
  let moved = false;
  for (let attempt = 0; attempt < 2; attempt++) {
    const pull = await getPullState(client, ctx.target.repo, ctx.number);
    if (pull.state !== "open") return { ok: false, body: `Pull request #${ctx.number} is ${pull.state}: nothing was committed.` };
    const files = await readPullFiles(client, ctx.target, pull, catalog.ids());
    if (!files.ok) return { ok: false, body: files.message };
    const plan = compute(pull, files);
    if (plan.kind === "reply") return { ok: plan.ok, body: plan.body };
    const notes = files.notes.map((n) => `- ${n}`);
    const original = new Map(files.files.map((f) => [f.path, f.text]));
    const diffReply = (why: string): Omit<CommandOutcome, "command"> => {
      const d = unifiedDiff(original, plan.files);
      const block = d.length <= REPLY_BUDGET - 4_000 ? fence(d, "diff") : "_The patch is too large to show here: run `npx bulwark scan --fix` on the branch._";
      return {
        ok: true,
        body: [...plan.summary, "", why, "", `<details><summary>Patch against \`${pull.headSha.slice(0, 7)}\` (${plural(plan.files.size, "file")})</summary>`, "", block, "", "</details>", ...(notes.length ? ["", ...notes] : [])].join("\n"),
      };
    };
    const dest = pull.sameRepo ? pull.headRepo : pull.maintainerCanModify ? pull.headRepo : undefined;
    if (!dest) {
      return diffReply(
        pull.headRepo
          ? `This pull request comes from a fork that does not allow edits by maintainers, so Bulwark cannot push to \`${sanitizeInline(pull.headRepo.owner)}:${sanitizeInline(pull.headRef)}\`. Apply this patch (\`git apply\`), or tick "Allow edits by maintainers" and ask again:`
          : "The head repository of this pull request is gone, so Bulwark cannot push to it. The patch:",
      );
    }
    const res = await commitFiles(client, { repo: dest, branch: pull.headRef, parentSha: pull.headSha, files: plan.files, message: plan.message });
    if (res.ok) {
      const where = pull.sameRepo ? `\`${sanitizeInline(pull.headRef)}\`` : `\`${sanitizeInline(dest.owner)}:${sanitizeInline(pull.headRef)}\``;
      return {
        ok: true,
        body: [...plan.summary, "", `Committed ${res.sha.slice(0, 7)} on ${where}${moved ? " (recomputed on the newer head)" : ""}: \`${sanitizeInline(plan.message)}\`. The review of the new commit resolves the threads of what it fixed.`, ...(notes.length ? ["", ...notes] : [])].join("\n"),
        commit: { sha: res.sha, repo: dest, branch: pull.headRef },
      };
    }
    if (res.reason === "not-fast-forward") {
      moved = true;
      continue;
    }
    if (res.reason === "forbidden" && !pull.sameRepo) return diffReply(`Bulwark could not push to the fork (${sanitizeInline(res.message)}). Apply this patch instead:`);
    return { ok: false, body: `Nothing was committed: GitHub refused the commit (${sanitizeInline(res.message)}).` };
  }
  return { ok: false, body: "Nothing was committed: the branch moved twice while Bulwark was working on it, and Bulwark never overwrites a push. Ask again once the pushes are done." };
}

function scanOptions(ctx: CommandContext, config: BulwarkConfig): ScanOptions {
  return { ...ctx.scan, config, now: ctx.scan?.now ?? (ctx.clock ?? (() => new Date()))() };
}

/** `bulwark: fix K8S-A, K8S-B (N findings)` */
export function fixCommitMessage(rules: readonly string[], findings: number): string {
  return `bulwark: fix ${rules.join(", ")} (${plural(findings, "finding")})`;
}

async function runFix(client: GitHubClient, ctx: CommandContext, rules: readonly string[]): Promise<Omit<CommandOutcome, "command">> {
  const catalog = ctx.scan?.catalog ?? getCatalog();
  const unknown = rules.filter((r) => !catalog.meta(r));
  if (unknown.length > 0) return { ok: false, body: `Unknown rule ${unknown.map((r) => `\`${sanitizeInline(r)}\``).join(", ")}: nothing was committed. \`/bulwark help\` lists the commands; \`npx bulwark rules\` the rules.` };
  return commitOnHead(client, ctx, (_pull, files) => {
    const opts = scanOptions(ctx, files.config);
    const outcome = fixFiles(files.files, { rules }, opts);
    // AUTO* fixes that were not applied because their rule was not named.
    const named = new Set(rules);
    const behaviour = [
      ...new Set(
        scan(files.files, { ...opts, fixes: "none", verifyFixes: false })
          .findings.filter((f) => !f.suppressed && !named.has(f.ruleId) && catalog.meta(f.ruleId)?.fix === "AUTO*" && (f.fix !== undefined || FIX_SOURCES.has(f)))
          .map((f) => f.ruleId),
      ),
    ].sort();
    const hint = behaviour.length > 0 ? `Behaviour-changing fixes (AUTO*) are applied only when named: \`/bulwark fix ${behaviour.join(" ")}\`.` : "";
    const rejected = [...outcome.rejected].map(([p, why]) => `- \`${sanitizeInline(p)}\` left unchanged: its fixes did not verify (${sanitizeInline(why)}).`);
    if (outcome.changed.size === 0) {
      const scope = rules.length > 0 ? `for ${rules.map((r) => `\`${r}\``).join(", ")} ` : "";
      return { kind: "reply", ok: true, body: [`Nothing to fix ${scope}in the ${plural(files.files.length, "file")} of this pull request that Bulwark reviews.`, ...(hint ? ["", hint] : []), ...rejected].join("\n") };
    }
    const lines = outcome.applied
      .slice()
      .sort((a, b) => a.path.localeCompare(b.path) || a.range.startLine - b.range.startLine)
      .slice(0, 50)
      .map((f) => `- \`${sanitizeInline(f.path)}:${f.range.startLine}\` ${f.ruleId}: ${sanitizeInline(f.fix?.description ?? FIX_SOURCES.get(f)?.description ?? f.title)}`);
    const summary = [`Fixes for ${plural(outcome.applied.length, "finding")} in ${plural(outcome.changed.size, "file")} (${outcome.rules.join(", ")}):`, "", ...lines];
    if (outcome.applied.length > 50) summary.push(`- …and ${outcome.applied.length - 50} more`);
    if (hint) summary.push("", hint);
    summary.push(...rejected);
    return { kind: "commit", files: outcome.changed, message: fixCommitMessage(outcome.rules, outcome.applied.length), summary };
  });
}

/** The finding an `ignore` command is about. */
function chooseFinding(findings: readonly Finding[], ruleId: string, ctx: CommandContext, location: { path: string; line?: number } | undefined): Finding | string {
  const mine = findings.filter((f) => f.ruleId === ruleId && !f.suppressed);
  if (ctx.replyTo?.fingerprint && !location) {
    const f = findings.find((x) => x.fingerprint === ctx.replyTo!.fingerprint);
    if (f && f.ruleId !== ruleId) return `The comment you replied to is about ${f.ruleId}, not ${ruleId}.`;
    if (f?.suppressed) return `That ${ruleId} finding is already suppressed (${sanitizeInline(f.suppressed.reason)}).`;
    if (f) return f;
    return `The ${ruleId} finding of the comment you replied to is no longer reported at the head of this pull request.`;
  }
  const loc = location ?? (ctx.replyTo ? { path: ctx.replyTo.path, ...(ctx.replyTo.line !== undefined ? { line: ctx.replyTo.line } : {}) } : undefined);
  let pool = mine;
  if (loc) pool = pool.filter((f) => f.path === loc.path && (loc.line === undefined || (f.range.startLine <= loc.line && loc.line <= f.range.endLine)));
  if (pool.length === 1) return pool[0];
  if (pool.length === 0) return `No unsuppressed ${ruleId} finding ${loc ? `at \`${sanitizeInline(loc.path)}${loc.line ? `:${loc.line}` : ""}\` ` : ""}in the files of this pull request.`;
  const list = pool.slice(0, 10).map((f) => `\`${sanitizeInline(f.path)}:${f.range.startLine}\``);
  return `${ruleId} is reported ${pool.length} times (${list.join(", ")}${pool.length > 10 ? ", …" : ""}): reply to Bulwark's comment on the one you mean, or give \`path:line\`: \`/bulwark ignore ${ruleId} path:line <reason>\`.`;
}

async function runIgnore(client: GitHubClient, ctx: CommandContext, c: Extract<Command, { verb: "ignore" }>): Promise<Omit<CommandOutcome, "command">> {
  const catalog = ctx.scan?.catalog ?? getCatalog();
  if (!catalog.meta(c.ruleId)) return { ok: false, body: `Unknown rule \`${sanitizeInline(c.ruleId)}\`: nothing was committed.` };
  return commitOnHead(client, ctx, (_pull, files) => {
    const opts = scanOptions(ctx, files.config);
    // The rule's own findings (and the engine's parse findings) are all that matter here.
    const findings = scan(files.files, { ...opts, fixes: "none", verifyFixes: false }).findings;
    const chosen = chooseFinding(findings, c.ruleId, ctx, c.location);
    if (typeof chosen === "string") return { kind: "reply", ok: false, body: chosen };
    const text = files.files.find((f) => f.path === chosen.path)?.text;
    if (text === undefined) return { kind: "reply", ok: false, body: `\`${sanitizeInline(chosen.path)}\` could not be read.` };
    const plan = planSuppression(text, chosen, c.reason, opts);
    if (!plan.ok) return { kind: "reply", ok: false, body: `Nothing was committed: ${plan.reason}.` };
    return {
      kind: "commit",
      files: new Map([[chosen.path, plan.text]]),
      message: `bulwark: ignore ${c.ruleId} in ${chosen.path}`,
      summary: [`Suppression of ${c.ruleId} at \`${sanitizeInline(chosen.path)}:${chosen.range.startLine}\` (comment on line ${plan.line}): ${sanitizeInline(c.reason)}`],
    };
  });
}

// ---------------------------------------------------------------- the other commands

function truncate(body: string, max: number): string {
  if (body.length <= max) return body;
  const cut = body.slice(0, max);
  // Never leave a fence open.
  const opens = (cut.match(/^```/gm) ?? []).length;
  return `${cut.slice(0, cut.lastIndexOf("\n"))}${opens % 2 === 1 ? "\n```" : ""}\n\n_…truncated: \`npx bulwark explain\` prints the whole document._`;
}

export function explainBody(ruleId: string, scanOpts?: ScanPassThrough): { ok: boolean; body: string } {
  const meta = (scanOpts?.catalog ?? getCatalog()).meta(ruleId);
  if (!meta) return { ok: false, body: `Bulwark has no rule \`${sanitizeInline(ruleId)}\`. \`npx bulwark rules\` lists them.` };
  return { ok: true, body: truncate(ruleDocument(meta, "markdown"), REPLY_BUDGET - 2_000) };
}

async function runOne(client: GitHubClient, ctx: CommandContext, command: Command): Promise<Omit<CommandOutcome, "command">> {
  switch (command.verb) {
    case "help":
      return { ok: true, body: helpText() };
    case "invalid":
      return { ok: false, body: `${sanitizeInline(command.reason)}.\n\n${helpText()}` };
    case "explain":
      return explainBody(command.ruleId, ctx.scan);
    case "fix":
      return runFix(client, ctx, command.rules);
    case "ignore":
      return runIgnore(client, ctx, command);
    case "rescan": {
      if (!ctx.rescan) return { ok: false, body: "Re-running the review is not available here." };
      const pull = await getPullState(client, ctx.target.repo, ctx.number);
      if (pull.state !== "open") return { ok: false, body: `Pull request #${ctx.number} is ${pull.state}: nothing to review.` };
      await ctx.rescan({ ...ctx.target, number: ctx.number, headSha: pull.headSha, baseSha: pull.baseSha, ...(pull.changedFiles !== undefined ? { changedFiles: pull.changedFiles } : {}) });
      return { ok: true, body: `Reviewed \`${pull.headSha.slice(0, 7)}\` again: see the **Bulwark** check run.` };
    }
    case "update":
      if (!ctx.updates)
        return {
          ok: true,
          body: "Update pull requests are **not wired into the app yet**: nothing was opened or planned. The GitHub Action's `mode: update` (and `npx bulwark updates`) lists the stale images and charts of the repository today.",
        };
      return { ok: true, body: truncate(await ctx.updates(client, ctx.target), REPLY_BUDGET - 2_000) };
  }
}

/**
 * Run the commands of one comment (or button) in order and return the reply body (without the
 * marker). Write commands are authorized first, once per comment; a refused user gets a polite
 * refusal and nothing else happens.
 */
export async function runCommands(client: GitHubClient, ctx: CommandContext, commands: readonly ParsedCommand[]): Promise<{ body: string; outcomes: CommandOutcome[] }> {
  const outcomes: CommandOutcome[] = [];
  const list = commands.slice(0, MAX_COMMANDS_PER_COMMENT);
  let permission: string | undefined;
  for (const pc of list) {
    const c = pc.command;
    if (needsWrite(c)) {
      permission ??= await permissionOf(client, ctx.target.repo, ctx.user);
      if (!canWrite(permission)) {
        outcomes.push({
          command: c,
          ok: false,
          body: `Sorry @${sanitizeInline(ctx.user)}, \`${c.verb}\` needs write access to ${sanitizeInline(ctx.target.repo.owner)}/${sanitizeInline(ctx.target.repo.repo)} (you have \`${sanitizeInline(permission)}\`). Nothing was changed; \`/bulwark help\` and \`/bulwark explain\` work for everyone.`,
        });
        continue;
      }
    }
    try {
      outcomes.push({ command: c, ...(await runOne(client, ctx, c)) });
    } catch (err) {
      outcomes.push({ command: c, ok: false, body: `Bulwark failed: ${sanitizeInline(errorSummary(err))}. Nothing was committed.` });
    }
  }
  const parts = outcomes.map((o, i) => (list.length > 1 ? `> ${list[i].text.slice(0, 200)}\n\n${o.body}` : o.body));
  if (commands.length > MAX_COMMANDS_PER_COMMENT) parts.push(`_Only the first ${MAX_COMMANDS_PER_COMMENT} commands of a comment are run._`);
  let body = parts.join("\n\n---\n\n");
  if (body.length > REPLY_BUDGET) body = truncate(body, REPLY_BUDGET);
  return { body, outcomes };
}
