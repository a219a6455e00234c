// mode: update — which base images and charts of the repository are stale (newer, end of life,
// deprecated), listed in the job summary. The planner is src/updates/plan.ts (the same one as
// `bulwark updates`); files are read through the API at one commit, config included.
//
// Opening the update pull requests (one branch per dependency, updated in place): the
// `UpdateModeOptions.openPullRequests` hook; `openUpdatePullRequests` (src/github/update-prs.ts)
// is used with the input `open-pull-requests: true` (the token then needs contents: write and
// pull-requests: write). Without it, the summary says nothing was opened.
// `updateRepository` is the same for the app's `/bulwark update` (default branch, PRs synced).
import { TOOL } from "../cli/version.js";
import type { SourceFile } from "../core/types.js";
import type { GitHubClient, RepoRef } from "../github/client.js";
import { CONFIG_PATH, fetchContents } from "../github/contents.js";
import { describeSync, syncUpdatePullRequests } from "../github/update-prs.js";
import { escapeMarkdown } from "../report/markdown.js";
import { plural, sanitizeInline } from "../report/common.js";
import { createDatasources, credentialsFromEnvironment } from "../updates/datasource/index.js";
import type { UpdateDatasources } from "../updates/datasource/index.js";
import type { HttpOptions } from "../updates/datasource/http.js";
import { planUpdates } from "../updates/plan.js";
import type { UpdatePlan } from "../updates/plan.js";
import { readTree } from "./scan.js";
import type { ConfigInfo } from "./scan.js";

/** Opens or refreshes the pull requests of a plan (the hook for a later issue). */
export type UpdatePullRequestOpener = (client: GitHubClient, plan: UpdatePlan, context: { repo: RepoRef; sha: string; config: ConfigInfo }) => Promise<{ opened: number; updated: number; notes: string[] }>;

export interface UpdateModeOptions {
  repo: RepoRef;
  /** The commit whose files are checked (the config is read there too). */
  sha: string;
  paths: readonly string[];
  configPath: string;
  now: Date;
  env: Readonly<Record<string, string | undefined>>;
  /** Registry and chart-repository clients (default: over the network, credentials from env). */
  datasources?: UpdateDatasources;
  /** Observer of the default clients' responses (metrics). */
  onRegistryResponse?: HttpOptions["onResponse"];
  /** How to open pull requests (input open-pull-requests: true → `openUpdatePullRequests`); unset: only list. */
  openPullRequests?: UpdatePullRequestOpener;
}

export interface UpdateModeResult {
  /** Markdown for the job summary. */
  markdown: string;
  notes: string[];
  plan?: UpdatePlan;
  /** Fails the job: invalid config, or every lookup failed. */
  error?: string;
}

const MAX_ROWS = 200;

export async function runUpdateMode(client: GitHubClient, options: UpdateModeOptions): Promise<UpdateModeResult> {
  const settings = { repo: options.repo, configPath: options.configPath, now: options.now };
  const read = await readTree(client, settings, options.sha, options.sha, options.paths);
  if (!read.ok) {
    const o = read.outcome;
    return { markdown: "", notes: o.notes, error: o.kind === "config-error" ? `the Bulwark config is invalid: ${o.message.split("\n")[0]}` : "nothing to check" };
  }
  const { config, notes } = read;
  if (!config.config.updates.enabled) return { markdown: "Updates are disabled in the config (`updates.enabled: false`).", notes };

  const contents = await fetchContents(client, { repo: options.repo, headSha: options.sha, files: read.files.map((f) => ({ path: f.path, hasHead: true, headBlobSha: f.sha ?? null })) });
  notes.push(...contents.notes);
  const files: SourceFile[] = [];
  for (const f of read.files) {
    const blob = contents.head.get(f.path);
    if (blob && !blob.isBinary && blob.text !== null && !blob.truncated) files.push({ path: f.path, text: blob.text });
  }
  const datasources =
    options.datasources ??
    createDatasources({
      insecureRegistries: config.config.updates.insecureRegistries,
      credentials: credentialsFromEnvironment(options.env, options.env.GITHUB_WORKSPACE || process.cwd()),
      userAgent: `${TOOL.name}/${TOOL.version}`,
      ...(options.onRegistryResponse ? { onResponse: options.onRegistryResponse } : {}),
    });
  const plan = await planUpdates(files, { datasources, config: config.config, now: options.now });

  let opened: string;
  const opener = options.openPullRequests;
  // With an opener, an empty plan still runs it: open PRs whose dependency is up to date get closed.
  if (opener) {
    const r = await opener(client, plan, { repo: options.repo, sha: options.sha, config });
    notes.push(...r.notes);
    opened = `${plural(r.opened, "pull request")} opened, ${r.updated} updated.`;
  } else {
    opened = plan.updates.length > 0 ? "The action lists updates; it does not open pull requests yet (run the Bulwark GitHub App for update pull requests)." : "";
  }

  const md: string[] = [`### Dependency updates`, "", `${plural(plan.updates.length, "update")} for ${plural(plan.dependencies.length, "dependency", "dependencies")} in ${plural(files.length, "file")} · config \`${config.label}\``, ""];
  if (plan.updates.length > 0) {
    md.push("| File | Dependency | Change | Why |", "|---|---|---|---|");
    for (const u of plan.updates.slice(0, MAX_ROWS)) {
      const digest = u.digest ? ` @ \`${sanitizeInline(u.digest.slice(0, 19)).replace(/[`|]/g, "")}…\`` : "";
      const change = u.proposed === u.current ? `${escapeMarkdown(u.current)}${digest}` : `${escapeMarkdown(u.current)} → **${escapeMarkdown(u.proposed)}**${digest}`;
      md.push(`| \`${sanitizeInline(u.path).replace(/[`|]/g, "")}:${u.range.startLine}\` | ${u.kind} ${escapeMarkdown(u.name)} | ${change} | ${u.reasons.join(", ")}${u.major ? " (major)" : ""} |`);
    }
    if (plan.updates.length > MAX_ROWS) md.push(`| … | ${plural(plan.updates.length - MAX_ROWS, "more update")} | | |`);
    md.push("");
  } else md.push("Everything is up to date.", "");
  if (opened) md.push(opened, "");
  if (plan.errors.length > 0) {
    md.push("**Lookups that failed**", "");
    for (const e of plan.errors.slice(0, 50)) md.push(`- ${e.path ? `\`${sanitizeInline(e.path)}\`: ` : ""}${e.dependency ? `${escapeMarkdown(e.dependency)}: ` : ""}${escapeMarkdown(e.message)}`);
    md.push("");
  }
  if (plan.skipped.length > 0) md.push(`${plural(plan.skipped.length, "dependency", "dependencies")} skipped (templated, local, ignored or nothing newer allowed).`, "");
  const allFailed = plan.lookups.attempted > 0 && plan.lookups.failed === plan.lookups.attempted;
  return { markdown: md.join("\n"), notes, plan, ...(allFailed ? { error: `every registry and chart-repository lookup failed (${plan.errors[0]?.message ?? "unknown error"})` } : {}) };
}

/** The `openPullRequests` hook over `syncUpdatePullRequests`: PRs into the default branch. */
export const openUpdatePullRequests: UpdatePullRequestOpener = async (client, plan, context) => {
  const repoData = (await client.request("GET /repos/{owner}/{repo}", { owner: context.repo.owner, repo: context.repo.repo })).data as { default_branch: string };
  const r = await syncUpdatePullRequests(client, context.repo, plan, { baseBranch: repoData.default_branch, limit: context.config.config.updates.openPullRequestsLimit, planSha: context.sha });
  const notes: string[] = [];
  const text = describeSync(r);
  if (text) notes.push(text);
  return { opened: r.created.length, updated: r.updated.length + r.rebased.length, notes };
};

/** Plan the default branch of a repository and sync its update pull requests (the app's `/bulwark update`). */
export async function updateRepository(
  client: GitHubClient,
  target: { repo: RepoRef; defaultBranch: string },
  options: { now?: Date; env?: Readonly<Record<string, string | undefined>>; datasources?: UpdateDatasources; onRegistryResponse?: HttpOptions["onResponse"] } = {},
): Promise<string> {
  const head = (await client.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { owner: target.repo.owner, repo: target.repo.repo, ref: `heads/${target.defaultBranch}` })).data as { object: { sha: string } };
  const u = await runUpdateMode(client, {
    repo: target.repo,
    sha: head.object.sha,
    paths: [],
    configPath: CONFIG_PATH,
    now: options.now ?? new Date(),
    env: options.env ?? process.env,
    ...(options.datasources ? { datasources: options.datasources } : {}),
    ...(options.onRegistryResponse ? { onRegistryResponse: options.onRegistryResponse } : {}),
    openPullRequests: openUpdatePullRequests,
  });
  const extra = u.notes.length > 0 ? `\n\n${u.notes.join("\n\n")}` : "";
  return u.error ? `Bulwark could not plan updates for \`${target.defaultBranch}\`: ${u.error}${extra}` : `${u.markdown}${extra}`;
}
