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
import { CREDENTIAL_RULES, credentialLines } from "../analysis.js";
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
import { cleanReason, planSuppression } from "./ignore.js";
import { credentialFormatsIn, hasCredentialFormat, knownCredential } from "../../core/secrets/credentials.js";

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

type Plan =
  | {
      kind: "commit";
      files: Map<string, string>;
      message: string;
      summary: string[];
      /** The rules whose change each file gets (listed when its patch is withheld). */
      rules: ReadonlyMap<string, readonly string[]>;
      /** How to make the change without Bulwark's patch, for these files ("run …", "add …"). */
      byHand: (paths: readonly string[]) => string;
    }
  | { kind: "reply"; ok: boolean; body: string };

/** The unified diff of one file (3 lines of context), as `git apply` takes it. */
function filePatch(path: string, before: string, after: string): string {
  return createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { context: 3 })
    .replace(/^=+\n/, "")
    .replace(/^Index:.*\n/, "");
}

function unifiedDiff(original: ReadonlyMap<string, string>, changed: ReadonlyMap<string, string>): string {
  const parts: string[] = [];
  for (const [path, text] of [...changed].sort(([a], [b]) => a.localeCompare(b))) parts.push(filePatch(path, original.get(path) ?? "", text));
  return parts.join("");
}

/** The old-side and new-side line numbers a unified diff shows (context, removed and added lines). */
function shownLines(patch: string): { old: number[]; new: number[] } {
  const out = { old: [] as number[], new: [] as number[] };
  let o = 0;
  let n = 0;
  let inHunk = false;
  for (const line of patch.split("\n")) {
    const h = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (h) {
      o = Number(h[1]);
      n = Number(h[2]);
      inHunk = true;
      continue;
    }
    if (!inHunk || line === "") continue;
    if (line.startsWith(" ")) {
      out.old.push(o++);
      out.new.push(n++);
    } else if (line.startsWith("-")) out.old.push(o++);
    else if (line.startsWith("+")) out.new.push(n++);
  }
  return out;
}

/**
 * The files whose patch would show a credential, with what it would show: a known credential
 * format anywhere in the patch (context lines included), or a line a credential rule reports
 * (K8S-SECRET-001/002/003/005, DOCKER-022) on either side of the diff. The credential rules run
 * here whatever the config or the app selects: a patch in a comment outlives the force-push that
 * removes the secret, and masking the value would break `git apply`.
 */
function credentialPatches(files: readonly SourceFile[], changed: ReadonlyMap<string, string>, options: ScanOptions): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (changed.size === 0) return out;
  const credOpts: ScanOptions = { ...options, onlyRules: [...CREDENTIAL_RULES], fixes: "none", verifyFixes: false };
  const before = credentialLines(scan(files, credOpts).findings);
  const after = credentialLines(scan(files.map((f) => ({ path: f.path, text: changed.get(f.path) ?? f.text })), credOpts).findings);
  const original = new Map(files.map((f) => [f.path, f.text]));
  for (const [path, text] of changed) {
    const patch = filePatch(path, original.get(path) ?? "", text);
    const what = new Set(credentialFormatsIn(patch));
    const lines = shownLines(patch);
    const hit = (spans: readonly [number, number][] | undefined, shown: readonly number[]) => (spans ?? []).some(([a, b]) => shown.some((l) => a <= l && l <= b));
    if (hit(before.get(path), lines.old) || hit(after.get(path), lines.new)) what.add("a value a credential rule reports");
    if (what.size > 0) out.set(path, [...what]);
  }
  return out;
}

/**
 * File-derived prose (a suppression reason, a fix description, a verification message) with any
 * word that has a known credential format withheld: the password of a URL masked, anything else
 * replaced. Prose only: never a patch (see credentialPatches).
 */
export function maskCredentials(text: string): string {
  return text.replace(/\S+/g, (word) => {
    if (!hasCredentialFormat(word)) return word;
    const url = word.replace(/([a-z][a-z0-9+.-]*:\/\/[^/\s:@$]+:)[^/\s@$]+@/gi, "$1****@");
    return knownCredential(url) !== undefined ? "[credential withheld]" : url;
  });
}

/** Inline code that survives backticks in `s`. */
function code(s: string): string {
  const t = sanitizeInline(s);
  return t.includes("`") ? `\`\` ${t} \`\`` : `\`${t}\``;
}

/** A path as one shell word (undefined when it would need more than single quotes to be safe in Markdown). */
function shellWord(path: string): string | undefined {
  if (/^[\w./@+-]+$/.test(path)) return path;
  // eslint-disable-next-line no-control-regex
  return /^[^'`\u0000-\u001f\u007f]+$/.test(path) ? `'${path}'` : undefined;
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
    /**
     * The reply when Bulwark cannot push: the patch to apply by hand. `cannot` says why, `apply`
     * introduces the patch; `allowEdits` when ticking "Allow edits by maintainers" would let
     * Bulwark push. The patch of a file whose lines (context or changed) hold a credential is
     * not shown: the reply lists those files and how to make the change without it.
     */
    const diffReply = (cannot: string, apply: string, allowEdits: boolean): Omit<CommandOutcome, "command"> => {
      const withheld = credentialPatches(files.files, plan.files, scanOptions(ctx, files.config));
      const shown = new Map([...plan.files].filter(([p]) => !withheld.has(p)));
      const details = () => {
        const d = unifiedDiff(original, shown);
        const block = d.length <= REPLY_BUDGET - 4_000 ? fence(d, "diff") : "_The patch is too large to show here: run `npx bulwark scan --fix` on the branch._";
        return [`<details><summary>Patch against \`${pull.headSha.slice(0, 7)}\` (${plural(shown.size, "file")})</summary>`, "", block, "", "</details>"];
      };
      const tail = notes.length ? ["", ...notes] : [];
      if (withheld.size === 0) return { ok: true, body: [...plan.summary, "", `${cannot} ${apply}`, "", ...details(), ...tail].join("\n") };
      const paths = [...withheld.keys()].sort((a, b) => a.localeCompare(b));
      const list = paths.map((p) => {
        const rules = plan.rules.get(p) ?? [];
        return `- ${code(p)}${rules.length ? ` (${rules.join(", ")})` : ""}: it would show ${withheld.get(p)!.join(", ")}`;
      });
      const instead = `${plan.byHand(paths)}${allowEdits ? ', or tick "Allow edits by maintainers" and ask again' : ""}`;
      const why = "Bulwark never copies a credential into a comment (a comment outlives the force-push that removes the secret)";
      if (shown.size === 0) {
        return {
          ok: true,
          body: [...plan.summary, "", `${cannot} The patch is not shown here: its lines hold a credential, and ${why}. The fix is ready all the same: ${instead}.`, "", "Patch withheld for:", ...list, ...tail].join("\n"),
        };
      }
      return {
        ok: true,
        body: [
          ...plan.summary,
          "",
          `${cannot} ${apply}`,
          "",
          ...details(),
          "",
          `The patch of ${plural(withheld.size, "other file")} is not shown here: its lines hold a credential, and ${why}. For ${withheld.size === 1 ? "it" : "them"}, ${instead}.`,
          "",
          "Patch withheld for:",
          ...list,
          ...tail,
        ].join("\n"),
      };
    };
    const dest = pull.sameRepo ? pull.headRepo : pull.maintainerCanModify ? pull.headRepo : undefined;
    if (!dest) {
      return pull.headRepo
        ? diffReply(
            `This pull request comes from a fork that does not allow edits by maintainers, so Bulwark cannot push to \`${sanitizeInline(pull.headRepo.owner)}:${sanitizeInline(pull.headRef)}\`.`,
            'Apply this patch (`git apply`), or tick "Allow edits by maintainers" and ask again:',
            true,
          )
        : diffReply("The head repository of this pull request is gone, so Bulwark cannot push to it.", "The patch:", false);
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
    if (res.reason === "forbidden" && !pull.sameRepo) return diffReply(`Bulwark could not push to the fork (${sanitizeInline(res.message)}).`, "Apply this patch instead:", false);
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
    // First line only: a YAML error goes on with the source lines around it (a credential, maybe).
    const rejected = [...outcome.rejected].map(([p, why]) => `- \`${sanitizeInline(p)}\` left unchanged: its fixes did not verify (${sanitizeInline(maskCredentials(why.split("\n")[0].replace(/:\s*$/, "")))}).`);
    if (outcome.changed.size === 0) {
      const scope = rules.length > 0 ? `for ${rules.map((r) => `\`${r}\``).join(", ")} ` : "";
      return { kind: "reply", ok: true, body: [`Nothing to fix ${scope}in the ${plural(files.files.length, "file")} of this pull request that Bulwark reviews.`, ...(hint ? ["", hint] : []), ...rejected].join("\n") };
    }
    const lines = outcome.applied
      .slice()
      .sort((a, b) => a.path.localeCompare(b.path) || a.range.startLine - b.range.startLine)
      .slice(0, 50)
      .map((f) => `- \`${sanitizeInline(f.path)}:${f.range.startLine}\` ${f.ruleId}: ${sanitizeInline(maskCredentials(f.fix?.description ?? FIX_SOURCES.get(f)?.description ?? f.title))}`);
    const summary = [`Fixes for ${plural(outcome.applied.length, "finding")} in ${plural(outcome.changed.size, "file")} (${outcome.rules.join(", ")}):`, "", ...lines];
    if (outcome.applied.length > 50) summary.push(`- …and ${outcome.applied.length - 50} more`);
    if (hint) summary.push("", hint);
    summary.push(...rejected);
    const byPath = new Map<string, string[]>();
    for (const f of outcome.applied) byPath.set(f.path, [...new Set([...(byPath.get(f.path) ?? []), f.ruleId])].sort());
    const byHand = (paths: readonly string[]) => {
      const words = paths.map(shellWord);
      const where = words.every((w) => w !== undefined) ? ` ${words.join(" ")}` : "";
      return `run \`npx bulwark scan --fix${rules.length > 0 ? ` --fix-rules ${rules.join(",")}` : ""}${where}\` on the branch`;
    };
    return { kind: "commit", files: outcome.changed, message: fixCommitMessage(outcome.rules, outcome.applied.length), summary, rules: byPath, byHand };
  });
}

/** The finding an `ignore` command is about. */
function chooseFinding(findings: readonly Finding[], ruleId: string, ctx: CommandContext, location: { path: string; line?: number } | undefined): Finding | string {
  const mine = findings.filter((f) => f.ruleId === ruleId && !f.suppressed);
  if (ctx.replyTo?.fingerprint && !location) {
    const f = findings.find((x) => x.fingerprint === ctx.replyTo!.fingerprint);
    if (f && f.ruleId !== ruleId) return `The comment you replied to is about ${f.ruleId}, not ${ruleId}.`;
    if (f?.suppressed) return `That ${ruleId} finding is already suppressed (${sanitizeInline(maskCredentials(f.suppressed.reason))}).`;
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
      rules: new Map([[chosen.path, [c.ruleId]]]),
      byHand: () => `add ${code(`# bulwark:ignore ${c.ruleId} ${cleanReason(c.reason)}`)} on its own line above line ${plan.line} of ${code(chosen.path)}, at that line's indentation`,
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
      return { ok: true, body: truncate(maskCredentials(await ctx.updates(client, ctx.target)), REPLY_BUDGET - 2_000) };
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
