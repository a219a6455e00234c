// A strict, in-memory fake of the GitHub REST + GraphQL API on 127.0.0.1 for tests.
//
//   const gh = await FakeGitHub.start();
//   gh.createRepo({ owner: "acme", repo: "web", files: { "deploy.yaml": "..." } });
//   gh.commit({ owner: "acme", repo: "web", branch: "feature", from: "main", files: { ... } });
//   const pr = gh.openPullRequest({ owner: "acme", repo: "web", head: "feature" });
//   // point Octokit / Probot (baseUrl) or a child process (GITHUB_API_URL) at gh.url
//   ...
//   gh.assertNoViolations();   // every request conformed to GitHub's OpenAPI description
//   await gh.stop();
//
// Every request is validated against test/fixtures/openapi/github-operations.json
// (./openapi.ts); violations are recorded (`violations`) and, where GitHub would refuse the
// request, answered like GitHub does. The fake also refuses what GitHub refuses for semantic
// reasons: review comments off the diff or spanning hunks (422, all-or-nothing), bodies over
// 65,536 characters, more than 50 annotations per check-run request, a review `commit_id` that
// is not the pull request's head (strict by default; see `staleCommitId`), non-fast-forward ref
// updates without `force`, writes with a read-only token.
//
// Where GitHub's exact wording is unknown, messages are marked "(fake)".
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileDiff, parsePatch, diffHunkUpTo, type Hunk } from "../../src/github/diff.js";
import { parseSuggestions, simulateSuggestion } from "../../src/github/placement.js";
import { checkRequest, type JsonValue, type RouteMatch, type ValidationErrorKind } from "./openapi.js";
import { GitStore, type FileMode, type Signature } from "./git-store.js";
import { makeFileDiff, makePatch } from "./patch.js";
import { executeGraphQL, gqlFieldError, type GqlObject, type GqlValue } from "./graphql.js";

// ---------------------------------------------------------------- public types

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export interface FakeUser {
  login: string;
  id: number;
  type: "User" | "Bot" | "Organization";
}

export interface Violation {
  method: string;
  url: string;
  /** "METHOD /template" when the route was recognised. */
  route?: string;
  errors: { kind: ValidationErrorKind | "graphql" | "auth"; message: string; where?: string }[];
}

export interface RecordedRequest {
  method: string;
  url: string;
  route?: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body?: JsonValue;
  /** Set when the response came from an injected fault. */
  faulted?: boolean;
}

/** A canned response (or delay) for the next request(s) of a route. */
export interface Fault {
  /** HTTP status to answer with; omit for a pure delay before normal handling. */
  status?: number;
  body?: JsonValue;
  headers?: Record<string, string>;
  delayMs?: number;
  /** How many requests this fault answers (default 1). */
  times?: number;
}

export interface FakeGitHubOptions {
  /** Port to listen on (default 0: random). */
  port?: number;
  /** "error" (default): undeclared body properties / query parameters are violations. */
  unknownProperties?: "error" | "ignore";
  /**
   * "reject" (default): a review whose commit_id is not the PR's current head gets a 422, so a
   * race with a new push is caught. "accept": like real GitHub, older PR commits are accepted.
   */
  staleCommitId?: "reject" | "accept";
  /** "any" (default): any bearer/token is accepted; "known": only issued or added tokens. */
  tokens?: "any" | "known";
  /** Identity of unknown tokens in "any" mode (default github-actions[bot]). */
  defaultUser?: string;
  /** App slug used for installation tokens: comments appear as `${appSlug}[bot]`. */
  appSlug?: string;
  appId?: number;
  /** Patches longer than this many lines are omitted like GitHub does for huge diffs (default 20,000). */
  maxPatchLines?: number;
}

const HTML = "https://github.com";
const DOCS = "https://docs.github.com/rest";
const MAX_BODY = 65536;
const API_VERSIONS = ["2022-11-28", "2026-03-10"];

// ---------------------------------------------------------------- internal records

interface TokenRec {
  token: string;
  user: FakeUser;
  installationId?: number;
  readOnly: boolean;
}

interface RepoRec {
  key: string;
  id: number;
  nodeId: string;
  owner: FakeUser;
  name: string;
  defaultBranch: string;
  private: boolean;
  refs: Map<string, string>; // "refs/heads/main" → sha
  permissions: Map<string, Permission>;
  nextNumber: number;
  omitPatch: Set<string>;
  forkOf?: string;
}

interface PullRec {
  repoKey: string;
  number: number;
  id: number;
  nodeId: string;
  title: string;
  body: string | null;
  state: "open" | "closed";
  merged: boolean;
  draft: boolean;
  user: FakeUser;
  headRef: string;
  headRepoKey: string;
  headSha: string;
  baseRef: string;
  maintainerCanModify: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

interface ReviewRec {
  id: number;
  nodeId: string;
  repoKey: string;
  pull: number;
  user: FakeUser;
  body: string;
  state: "PENDING" | "COMMENTED" | "APPROVED" | "CHANGES_REQUESTED";
  commitId: string;
  submittedAt: string | null;
}

interface ReviewCommentRec {
  id: number;
  nodeId: string;
  repoKey: string;
  pull: number;
  reviewId: number;
  threadId: string;
  inReplyTo?: number;
  path: string;
  side: "LEFT" | "RIGHT";
  startSide: "LEFT" | "RIGHT" | null;
  line: number | null;
  startLine: number | null;
  originalLine: number;
  originalStartLine: number | null;
  commitId: string;
  originalCommitId: string;
  diffHunk: string;
  position: number | null;
  originalPosition: number;
  body: string;
  user: FakeUser;
  createdAt: string;
  updatedAt: string;
  minimizedReason?: string;
}

interface ThreadRec {
  id: string;
  repoKey: string;
  pull: number;
  commentIds: number[];
  isResolved: boolean;
  resolvedBy?: FakeUser;
  isOutdated: boolean;
}

export interface FakeAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
  raw_details?: string;
}

/** A check run as `FakeGitHub.checkRuns()` shows it: API fields plus every annotation and the write count. */
export interface CheckRunView {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  external_id: string | null;
  details_url: string | null;
  started_at: string | null;
  completed_at: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations_count: number };
  actions: { label: string; description: string; identifier: string }[];
  annotations: FakeAnnotation[];
  /** Create + update requests that touched the run. */
  writes: number;
}

interface CheckRunRec {
  id: number;
  nodeId: string;
  repoKey: string;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: FakeAnnotation[];
  actions: { label: string; description: string; identifier: string }[];
  /** How many create/update requests touched this run. */
  writes: number;
}

interface IssueCommentRec {
  id: number;
  nodeId: string;
  repoKey: string;
  issue: number;
  body: string;
  user: FakeUser;
  createdAt: string;
  updatedAt: string;
  minimizedReason?: string;
}

interface ReactionRec {
  id: number;
  subject: "issue_comment" | "review_comment";
  commentId: number;
  content: string;
  user: FakeUser;
  createdAt: string;
}

interface InstallationRec {
  id: number;
  account: FakeUser;
  /** Repo keys, or "all" for every repo of the account. */
  repos: string[] | "all";
  permissions: Record<string, string>;
}

interface DiffEntry {
  filename: string;
  previous_filename?: string;
  status: "added" | "removed" | "modified" | "renamed";
  sha: string;
  additions: number;
  deletions: number;
  changes: number;
  patch?: string;
  /** Parsed hunks of `patch` ([] when no patch). */
  hunks: Hunk[];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: JsonValue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface Reply {
  status: number;
  body?: JsonValue;
  /** Raw text body (diff/raw media types). */
  text?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

interface Ctx {
  route: RouteMatch;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  headers: IncomingMessage["headers"];
  auth: TokenRec;
  accept: string;
}

type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

// ---------------------------------------------------------------- helpers

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
const chars = (s: string): number => [...s].length;

function listJoin(items: string[]): string {
  if (items.length <= 1) return items.join("");
  if (items.length === 2) return `${items[0]} and ${items[1]}`;
  return `${items.slice(0, -1).join(", ")}, and ${items[items.length - 1]}`;
}

function isBinary(b: Buffer): boolean {
  return b.subarray(0, 8000).includes(0);
}

function b64lines(b: Buffer): string {
  const s = b.toString("base64");
  return (s.match(/.{1,60}/g) ?? [""]).join("\n") + "\n";
}

function tooLong(resource: string, body: string | undefined, field = "body"): HttpError | undefined {
  if (body !== undefined && chars(body) > MAX_BODY)
    return new HttpError(422, "Validation Failed", [
      { resource, code: "custom", field, message: `${field} is too long (maximum is ${MAX_BODY} characters)` },
    ]);
  return undefined;
}

/** Secondary/primary rate limit and server error fault presets. */
export const faults = {
  secondaryRateLimit(retryAfterSeconds = 1): Fault {
    return {
      status: 403,
      headers: { "retry-after": String(retryAfterSeconds) },
      body: {
        message: "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later.",
        documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        status: "403",
      },
    };
  },
  primaryRateLimit(resetEpochSeconds = Math.floor(Date.now() / 1000) + 1): Fault {
    return {
      status: 403,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-limit": "5000", "x-ratelimit-reset": String(resetEpochSeconds) },
      body: { message: "API rate limit exceeded for installation.", documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`, status: "403" },
    };
  },
  serverError(status = 502): Fault {
    return { status, body: { message: "Server Error", status: String(status) } };
  },
  delay(ms: number): Fault {
    return { delayMs: ms };
  },
};

// ---------------------------------------------------------------- the fake

export class FakeGitHub {
  readonly store = new GitStore();
  readonly violations: Violation[] = [];
  readonly requests: RecordedRequest[] = [];
  private server!: Server;
  private baseUrl = "";
  private ids = 1000;
  private readonly opts: Required<Omit<FakeGitHubOptions, "port">>;
  private readonly faultQueues = new Map<string, Fault[]>();
  private readonly users = new Map<string, FakeUser>();
  private readonly tokens = new Map<string, TokenRec>();
  private readonly repos = new Map<string, RepoRec>();
  private readonly pulls = new Map<string, PullRec>(); // `${repoKey}#${n}`
  private readonly reviewsList: ReviewRec[] = [];
  private readonly reviewComments: ReviewCommentRec[] = [];
  private readonly threadsById = new Map<string, ThreadRec>();
  private readonly checkRunsList: CheckRunRec[] = [];
  private readonly issueCommentsList: IssueCommentRec[] = [];
  private readonly reactionsList: ReactionRec[] = [];
  private readonly installations = new Map<number, InstallationRec>();
  private readonly diffCache = new Map<string, DiffEntry[]>();
  private readonly routes = new Map<string, Handler>();

  private constructor(opts: FakeGitHubOptions) {
    this.opts = {
      unknownProperties: opts.unknownProperties ?? "error",
      staleCommitId: opts.staleCommitId ?? "reject",
      tokens: opts.tokens ?? "any",
      defaultUser: opts.defaultUser ?? "github-actions[bot]",
      appSlug: opts.appSlug ?? "bulwark",
      appId: opts.appId ?? 4242,
      maxPatchLines: opts.maxPatchLines ?? 20_000,
    };
    this.registerRoutes();
  }

  /** Start a fake on 127.0.0.1 (random port unless `port` is given). */
  static async start(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
    const gh = new FakeGitHub(opts);
    gh.server = createServer((req, res) => void gh.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      gh.server.once("error", reject);
      gh.server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
    });
    const { port } = gh.server.address() as AddressInfo;
    gh.baseUrl = `http://127.0.0.1:${port}`;
    return gh;
  }

  /** Base URL for Octokit's `baseUrl`, `GITHUB_API_URL`, Probot's `baseUrl`. GraphQL is at `${url}/graphql`. */
  get url(): string {
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ------------------------------------------------------------ contract + faults API

  /** Throw with every recorded violation (call at the end of each test). */
  assertNoViolations(): void {
    if (this.violations.length === 0) return;
    const lines = this.violations.map((v) => `${v.method} ${v.url}\n${v.errors.map((e) => `    [${e.kind}] ${e.message}`).join("\n")}`);
    throw new Error(`fake GitHub: ${this.violations.length} request(s) violated GitHub's API contract:\n  ${lines.join("\n  ")}`);
  }

  /**
   * Queue canned responses for the next requests of `route` ("POST /repos/{owner}/{repo}/check-runs",
   * i.e. the OpenAPI method + path template; "POST /graphql"; or "*" for any route).
   * Faulted requests are still validated and counted.
   */
  inject(route: string, ...list: Fault[]): void {
    const q = this.faultQueues.get(route) ?? [];
    for (const f of list) for (let i = 0; i < (f.times ?? 1); i++) q.push({ ...f, times: 1 });
    this.faultQueues.set(route, q);
  }

  clearFaults(): void {
    this.faultQueues.clear();
  }

  /** Number of requests to a route key ("METHOD /template"), or to all routes with "*". */
  count(route: string): number {
    return route === "*" ? this.requests.length : this.requests.filter((r) => r.route === route).length;
  }

  // ------------------------------------------------------------ state setup

  user(login: string, type?: FakeUser["type"]): FakeUser {
    const key = login.toLowerCase();
    let u = this.users.get(key);
    if (!u) {
      u = { login, id: this.ids++, type: type ?? (login.endsWith("[bot]") ? "Bot" : "User") };
      this.users.set(key, u);
    }
    return u;
  }

  /** Register a token (e.g. the action's GITHUB_TOKEN). `readOnly` simulates fork PRs. */
  addToken(token: string, opts: { login?: string; readOnly?: boolean; installationId?: number } = {}): void {
    this.tokens.set(token, {
      token,
      user: this.user(opts.login ?? this.opts.defaultUser),
      readOnly: opts.readOnly ?? false,
      ...(opts.installationId !== undefined ? { installationId: opts.installationId } : {}),
    });
  }

  addInstallation(opts: { id: number; account: string; repositories?: string[]; permissions?: Record<string, string> }): void {
    this.installations.set(opts.id, {
      id: opts.id,
      account: this.user(opts.account),
      repos: opts.repositories ? opts.repositories.map((r) => (r.includes("/") ? r : `${opts.account}/${r}`).toLowerCase()) : "all",
      permissions: opts.permissions ?? { checks: "write", pull_requests: "write", contents: "read", issues: "write", metadata: "read" },
    });
  }

  createRepo(opts: {
    owner: string;
    repo: string;
    files?: Record<string, string | Buffer>;
    defaultBranch?: string;
    private?: boolean;
    message?: string;
  }): { sha: string } {
    const key = `${opts.owner}/${opts.repo}`.toLowerCase();
    if (this.repos.has(key)) throw new Error(`repo ${key} exists`);
    const rec: RepoRec = {
      key,
      id: this.ids++,
      nodeId: `R_kg${this.ids}`,
      owner: this.user(opts.owner),
      name: opts.repo,
      defaultBranch: opts.defaultBranch ?? "main",
      private: opts.private ?? false,
      refs: new Map(),
      permissions: new Map(),
      nextNumber: 1,
      omitPatch: new Set(),
    };
    this.repos.set(key, rec);
    const tree = this.store.writeTree(opts.files ?? {});
    const sha = this.store.putCommit({ tree, parents: [], message: opts.message ?? "Initial commit", author: this.sig() });
    rec.refs.set(`refs/heads/${rec.defaultBranch}`, sha);
    return { sha };
  }

  /**
   * Commit `files` (null deletes) on `branch`, creating the branch from `from` (a branch or sha;
   * default: the default branch) when it does not exist. Moves the branch and every open pull
   * request whose head it is. Returns the new commit sha.
   */
  commit(opts: { owner: string; repo: string; branch: string; files: Record<string, string | Buffer | null>; from?: string; message?: string }): string {
    const repo = this.mustRepo(opts.owner, opts.repo);
    const ref = `refs/heads/${opts.branch}`;
    const parent = repo.refs.get(ref) ?? this.resolveRef(repo, opts.from ?? repo.defaultBranch);
    if (!parent) throw new Error(`cannot resolve ${opts.from ?? repo.defaultBranch}`);
    const tree = this.store.writeTree(opts.files, this.store.commit(parent)!.tree);
    const sha = this.store.putCommit({ tree, parents: [parent], message: opts.message ?? `Update ${Object.keys(opts.files).join(", ")}`, author: this.sig() });
    this.setRef(repo, ref, sha);
    return sha;
  }

  /** Open a pull request from `head` (a branch of this repo, or "owner:branch" of a fork) into `base`. */
  openPullRequest(opts: { owner: string; repo: string; head: string; base?: string; title?: string; body?: string; user?: string; draft?: boolean }): {
    number: number;
    headSha: string;
  } {
    const repo = this.mustRepo(opts.owner, opts.repo);
    const pr = this.createPull(repo, {
      head: opts.head,
      base: opts.base ?? repo.defaultBranch,
      title: opts.title ?? `Update ${opts.head}`,
      body: opts.body ?? null,
      draft: opts.draft ?? false,
      user: this.user(opts.user ?? "octocat"),
    });
    return { number: pr.number, headSha: pr.headSha };
  }

  /** Fork `owner/repo` as `forkOwner/repo` (shares the object store, like a fork network). */
  fork(opts: { owner: string; repo: string; forkOwner: string }): void {
    const src = this.mustRepo(opts.owner, opts.repo);
    const key = `${opts.forkOwner}/${src.name}`.toLowerCase();
    this.repos.set(key, { ...src, key, id: this.ids++, nodeId: `R_kg${this.ids}`, owner: this.user(opts.forkOwner), refs: new Map(src.refs), permissions: new Map(), forkOf: src.key, omitPatch: new Set() });
  }

  setPermission(owner: string, repo: string, username: string, permission: Permission): void {
    this.mustRepo(owner, repo).permissions.set(username.toLowerCase(), permission);
  }

  /** Make GitHub omit `path`'s patch in this repo's diffs, as it does for very large diffs. */
  omitPatch(owner: string, repo: string, path: string): void {
    this.mustRepo(owner, repo).omitPatch.add(path);
    this.diffCache.clear();
  }

  /**
   * What happens when a person clicks "Commit suggestion" on a review comment: the comment's
   * ```suggestion block replaces lines start_line..line of the file at the pull request head
   * (modelled by `simulateSuggestion`), committed on the head branch by `user`. Refuses like
   * GitHub's UI: outdated comment, LEFT side, pending review, closed PR, no or several blocks.
   * Returns the new head sha.
   */
  applySuggestion(opts: { owner: string; repo: string; commentId: number; user?: string; message?: string }): string {
    const repo = this.mustRepo(opts.owner, opts.repo);
    const c = this.reviewComments.find((x) => x.id === opts.commentId && x.repoKey === repo.key);
    if (!c) throw new Error(`no review comment ${opts.commentId}`);
    const pr = this.mustPull(repo, c.pull);
    const review = this.reviewsList.find((r) => r.id === c.reviewId);
    if (pr.state !== "open") throw new Error("Suggestions cannot be applied while the pull request is closed.");
    if (review?.state === "PENDING") throw new Error("Suggestions cannot be applied from pending reviews.");
    if (c.line === null || c.commitId !== pr.headSha) throw new Error("Outdated suggestions cannot be applied.");
    if (c.side !== "RIGHT") throw new Error("Applying suggestions on deleted lines is not supported.");
    const blocks = parseSuggestions(c.body);
    if (blocks.length !== 1) throw new Error(`expected exactly one suggestion block, found ${blocks.length}`);
    const file = this.store.files(pr.headSha).get(c.path);
    if (!file) throw new Error(`${c.path} is not in the head commit`);
    const next = simulateSuggestion(file.content.toString("utf8"), c.startLine ?? c.line, c.line, blocks[0]);
    if (next === file.content.toString("utf8")) throw new Error("You must change the existing code in this line in order to create a valid suggestion.");
    const headRepo = this.repos.get(pr.headRepoKey)!;
    const tree = this.store.writeTree({ [c.path]: next }, this.store.commit(pr.headSha)!.tree);
    const user = this.user(opts.user ?? pr.user.login);
    const sig = { name: user.login, email: `${user.id}+${user.login}@users.noreply.github.com`, date: this.now() };
    const sha = this.store.putCommit({ tree, parents: [pr.headSha], message: opts.message ?? `Update ${c.path}`, author: sig, committer: { name: "GitHub", email: "noreply@github.com", date: sig.date } });
    this.setRef(headRepo, `refs/heads/${pr.headRef}`, sha);
    return sha;
  }

  // ------------------------------------------------------------ inspection (JSON as the API returns it)

  pull(owner: string, repo: string, number: number): JsonValue {
    return this.pullJson(this.mustPull(this.mustRepo(owner, repo), number));
  }

  pullFiles(owner: string, repo: string, number: number): JsonValue[] {
    const r = this.mustRepo(owner, repo);
    return this.prDiff(this.mustPull(r, number)).map((e) => this.fileEntryJson(r, e));
  }

  reviews(owner: string, repo: string, number: number): JsonValue[] {
    const r = this.mustRepo(owner, repo);
    return this.reviewsList.filter((x) => x.repoKey === r.key && x.pull === number).map((x) => this.reviewJson(x));
  }

  reviewCommentsOf(owner: string, repo: string, number: number): JsonValue[] {
    const r = this.mustRepo(owner, repo);
    return this.reviewComments.filter((c) => c.repoKey === r.key && c.pull === number).map((c) => this.reviewCommentJson(c));
  }

  threads(owner: string, repo: string, number: number): { id: string; isResolved: boolean; isOutdated: boolean; path: string; line: number | null; comments: { id: number; body: string; user: string }[] }[] {
    const r = this.mustRepo(owner, repo);
    return [...this.threadsById.values()]
      .filter((t) => t.repoKey === r.key && t.pull === number)
      .map((t) => {
        const cs = t.commentIds.map((id) => this.reviewComments.find((c) => c.id === id)!);
        return { id: t.id, isResolved: t.isResolved, isOutdated: t.isOutdated, path: cs[0].path, line: cs[0].line, comments: cs.map((c) => ({ id: c.id, body: c.body, user: c.user.login })) };
      });
  }

  issueComments(owner: string, repo: string, number: number): JsonValue[] {
    const r = this.mustRepo(owner, repo);
    return this.issueCommentsList.filter((c) => c.repoKey === r.key && c.issue === number).map((c) => this.issueCommentJson(c));
  }

  /** Check runs (with all their annotations, in order) of a repo, optionally filtered. */
  checkRuns(owner: string, repo: string, filter: { headSha?: string; name?: string } = {}): CheckRunView[] {
    const r = this.mustRepo(owner, repo);
    return this.checkRunsList
      .filter((c) => c.repoKey === r.key && (!filter.headSha || c.headSha === filter.headSha) && (!filter.name || c.name === filter.name))
      .map((c) => ({
        id: c.id,
        name: c.name,
        head_sha: c.headSha,
        status: c.status,
        conclusion: c.conclusion,
        external_id: c.externalId,
        details_url: c.detailsUrl,
        started_at: c.startedAt,
        completed_at: c.completedAt,
        output: { ...c.output, annotations_count: c.annotations.length },
        actions: c.actions,
        annotations: c.annotations,
        writes: c.writes,
      }));
  }

  reactions(subject: "issue_comment" | "review_comment", commentId: number): { content: string; user: string }[] {
    return this.reactionsList.filter((x) => x.subject === subject && x.commentId === commentId).map((x) => ({ content: x.content, user: x.user.login }));
  }

  /** The sha a ref points at ("heads/main", "refs/heads/main", or a branch name), if any. */
  refSha(owner: string, repo: string, ref: string): string | undefined {
    return this.resolveRef(this.mustRepo(owner, repo), ref);
  }

  /** Text of `path` at `ref` (branch, sha or ref), undefined when absent. */
  fileAt(owner: string, repo: string, ref: string, path: string): string | undefined {
    const sha = this.resolveRef(this.mustRepo(owner, repo), ref);
    if (!sha) return undefined;
    return this.store.files(sha).get(path)?.content.toString("utf8");
  }

  commitInfo(sha: string): { message: string; parents: string[]; tree: string; files: Record<string, string> } | undefined {
    const c = this.store.commit(sha);
    if (!c) return undefined;
    const files: Record<string, string> = {};
    for (const [p, f] of this.store.files(sha)) files[p] = f.content.toString("utf8");
    return { message: c.message, parents: c.parents, tree: c.tree, files };
  }

  // ------------------------------------------------------------ HTTP plumbing

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const method = (req.method ?? "GET").toUpperCase();
    const url = req.url ?? "/";
    const checked = checkRequest({ method, url, headers: req.headers, body: raw }, { unknownProperties: this.opts.unknownProperties });
    const record: RecordedRequest = { method, url, ...(checked.route ? { route: checked.route.key } : {}), status: 0, headers: req.headers, ...(checked.body !== undefined ? { body: checked.body } : {}) };
    this.requests.push(record);
    const violation: Violation = { method, url, ...(checked.route ? { route: checked.route.key } : {}), errors: [...checked.errors] };

    let reply: Reply;
    try {
      const fault = this.nextFault(checked.route?.key);
      if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault && fault.status !== undefined) {
        record.faulted = true;
        reply = { status: fault.status, body: fault.body ?? { message: "fault", status: String(fault.status) }, headers: fault.headers ?? {} };
      } else {
        reply = await this.dispatch(req, checked.route, checked.body, checked.errors, violation);
      }
    } catch (e) {
      if (e instanceof HttpError) {
        reply = {
          status: e.status,
          body: { message: e.message, documentation_url: DOCS, status: String(e.status), ...(e.errors ? { errors: e.errors } : {}) },
          headers: e.headers,
        };
      } else {
        reply = { status: 500, body: { message: `fake GitHub crashed: ${(e as Error).stack ?? String(e)}` } };
      }
    }
    if (violation.errors.length) this.violations.push(violation);
    record.status = reply.status;
    const headers: Record<string, string> = {
      "x-github-request-id": `FAKE:${this.ids++}`,
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "x-ratelimit-used": "1",
      "x-ratelimit-resource": "core",
      ...(reply.headers ?? {}),
    };
    if (reply.text !== undefined) {
      res.writeHead(reply.status, { ...headers, "content-type": reply.contentType ?? "text/plain; charset=utf-8" });
      res.end(reply.text);
    } else if (reply.body === undefined || reply.status === 204 || reply.status === 304) {
      res.writeHead(reply.status, headers);
      res.end();
    } else {
      res.writeHead(reply.status, { ...headers, "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(reply.body));
    }
  }

  private nextFault(route: string | undefined): Fault | undefined {
    for (const key of [route, "*"]) {
      if (!key) continue;
      const q = this.faultQueues.get(key);
      if (q && q.length) return q.shift();
    }
    return undefined;
  }

  private async dispatch(
    req: IncomingMessage,
    route: RouteMatch | undefined,
    body: JsonValue | undefined,
    errors: ReturnType<typeof checkRequest>["errors"],
    violation: Violation,
  ): Promise<Reply> {
    if (!route) throw new HttpError(404, "Not Found");
    const version = req.headers["x-github-api-version"];
    if (typeof version === "string" && !API_VERSIONS.includes(version)) throw new HttpError(400, `X-GitHub-Api-Version header is invalid: ${version} (fake)`);
    const handler = this.routes.get(route.key);
    if (!handler) throw new HttpError(404, `Not Found (fake GitHub does not implement ${route.key})`);
    // GitHub answers schema violations with 422 "Invalid request"; ignored extras pass through.
    const hard = errors.filter((e) => e.kind === "body" || e.kind === "path-param" || e.kind === "header" || (e.kind === "query" && !/not declared/.test(e.message)));
    if (hard.length) throw new HttpError(422, `Invalid request.\n\n${hard.map((e) => e.message).join("\n")}`);
    const auth = this.authenticate(req, route, violation);
    const accept = String(req.headers.accept ?? "");
    const ctx: Ctx = {
      route,
      params: route.params,
      query: route.query,
      body: body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {},
      headers: req.headers,
      auth,
      accept,
    };
    if (auth.readOnly && route.method !== "GET" && route.key !== "POST /graphql")
      throw new HttpError(403, "Resource not accessible by integration");
    return handler(ctx);
  }

  private authenticate(req: IncomingMessage, route: RouteMatch, violation: Violation): TokenRec {
    const h = req.headers.authorization;
    const isAppRoute = route.template.startsWith("/app/") || route.template === "/app";
    const m = typeof h === "string" ? /^(token|bearer)\s+(.+)$/i.exec(h.trim()) : null;
    if (!m) {
      violation.errors.push({ kind: "auth", message: "request without an Authorization header" });
      throw new HttpError(401, "Requires authentication");
    }
    const token = m[2];
    const parts = token.split(".");
    const looksJwt = parts.length === 3 && parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p));
    if (isAppRoute) {
      if (!looksJwt) {
        violation.errors.push({ kind: "auth", message: `${route.key} needs a GitHub App JWT` });
        throw new HttpError(401, "A JSON web token could not be decoded");
      }
      let payload: { iss?: unknown; exp?: unknown };
      try {
        payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as { iss?: unknown; exp?: unknown };
      } catch {
        throw new HttpError(401, "A JSON web token could not be decoded");
      }
      if (typeof payload.exp === "number" && payload.exp < Date.now() / 1000 - 60) throw new HttpError(401, "'Expiration time' claim ('exp') is too far in the past");
      if (String(payload.iss) !== String(this.opts.appId)) {
        violation.errors.push({ kind: "auth", message: `JWT iss ${String(payload.iss)} is not the app id ${this.opts.appId}` });
        throw new HttpError(401, "'Issuer' claim ('iss') must be an Integer");
      }
      return { token, user: this.user(`${this.opts.appSlug}`, "Bot"), readOnly: false };
    }
    if (looksJwt && !this.tokens.has(token)) {
      violation.errors.push({ kind: "auth", message: `${route.key} called with an App JWT instead of an installation token` });
      throw new HttpError(401, "A JSON web token can only be used for /app endpoints (fake)");
    }
    const known = this.tokens.get(token);
    if (known) return known;
    if (this.opts.tokens === "known") throw new HttpError(401, "Bad credentials");
    return { token, user: this.user(this.opts.defaultUser), readOnly: false };
  }

  // ------------------------------------------------------------ model helpers

  private now(): string {
    return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  private sig(): Signature {
    return { name: "Fake Octocat", email: "octocat@example.invalid", date: this.now() };
  }

  private mustRepo(owner: string, repo: string): RepoRec {
    const r = this.repos.get(`${owner}/${repo}`.toLowerCase());
    if (!r) throw new HttpError(404, "Not Found");
    return r;
  }

  private repoOf(ctx: Ctx): RepoRec {
    const r = this.mustRepo(ctx.params.owner, ctx.params.repo);
    const inst = ctx.auth.installationId !== undefined ? this.installations.get(ctx.auth.installationId) : undefined;
    if (inst && inst.repos !== "all" && !inst.repos.includes(r.key)) throw new HttpError(404, "Not Found");
    if (inst && inst.repos === "all" && r.owner.login.toLowerCase() !== inst.account.login.toLowerCase()) throw new HttpError(404, "Not Found");
    return r;
  }

  private mustPull(repo: RepoRec, n: number): PullRec {
    const p = this.pulls.get(`${repo.key}#${n}`);
    if (!p) throw new HttpError(404, "Not Found");
    return p;
  }

  /** Resolve a branch, "heads/x", "tags/x", "refs/…", or (abbreviated) commit sha. */
  private resolveRef(repo: RepoRec, ref: string): string | undefined {
    const candidates = ref.startsWith("refs/") ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`, `refs/${ref}`];
    for (const c of candidates) {
      const s = repo.refs.get(c);
      if (s) return s;
    }
    const sha = this.store.resolvePrefix(ref);
    return sha && this.store.commit(sha) ? sha : undefined;
  }

  private setRef(repo: RepoRec, ref: string, sha: string): void {
    repo.refs.set(ref, sha);
    if (!ref.startsWith("refs/heads/")) return;
    const branch = ref.slice("refs/heads/".length);
    for (const pr of this.pulls.values()) {
      if (pr.state === "open" && pr.headRepoKey === repo.key && pr.headRef === branch && pr.headSha !== sha) {
        const old = pr.headSha;
        pr.headSha = sha;
        pr.updatedAt = this.now();
        this.outdateComments(pr, old);
      }
    }
  }

  private baseShaOf(pr: PullRec): string {
    const repo = this.repos.get(pr.repoKey)!;
    const tip = repo.refs.get(`refs/heads/${pr.baseRef}`);
    if (!tip) throw new HttpError(422, `base branch ${pr.baseRef} does not exist (fake)`);
    return tip;
  }

  private diffEntries(repo: RepoRec, base: string, head: string): DiffEntry[] {
    const key = `${repo.key}:${base}..${head}`;
    const cached = this.diffCache.get(key);
    if (cached) return cached;
    const a = this.store.files(base);
    const b = this.store.files(head);
    const entries: DiffEntry[] = [];
    const removed = [...a.keys()].filter((p) => !b.has(p));
    const added = [...b.keys()].filter((p) => !a.has(p));
    const renamedFrom = new Map<string, string>();
    for (const p of added) {
      const from = removed.find((r) => a.get(r)!.sha === b.get(p)!.sha && ![...renamedFrom.values()].includes(r));
      if (from) renamedFrom.set(p, from);
    }
    const make = (filename: string, status: DiffEntry["status"], oldBuf: Buffer, newBuf: Buffer, sha: string, previous?: string): DiffEntry => {
      let patch: string | undefined;
      let additions = 0;
      let deletions = 0;
      if (!isBinary(oldBuf) && !isBinary(newBuf)) {
        const p = makePatch(oldBuf.toString("utf8"), newBuf.toString("utf8"));
        for (const l of p.split("\n")) {
          if (l.startsWith("+")) additions++;
          else if (l.startsWith("-")) deletions++;
        }
        const omitted = repo.omitPatch.has(filename) || p.split("\n").length > this.opts.maxPatchLines;
        if (p && !omitted) patch = p;
      }
      return {
        filename,
        status,
        sha,
        additions,
        deletions,
        changes: additions + deletions,
        ...(patch !== undefined ? { patch } : {}),
        ...(previous ? { previous_filename: previous } : {}),
        hunks: patch ? parsePatch(patch) : [],
      };
    };
    for (const [p, f] of b) {
      const old = a.get(p);
      if (old) {
        if (old.sha !== f.sha || old.mode !== f.mode) entries.push(make(p, "modified", old.content, f.content, f.sha));
      } else if (renamedFrom.has(p)) {
        entries.push(make(p, "renamed", f.content, f.content, f.sha, renamedFrom.get(p)));
      } else entries.push(make(p, "added", Buffer.alloc(0), f.content, f.sha));
    }
    const renamedSources = new Set(renamedFrom.values());
    for (const p of removed) if (!renamedSources.has(p)) entries.push(make(p, "removed", a.get(p)!.content, Buffer.alloc(0), a.get(p)!.sha));
    entries.sort((x, y) => (x.filename < y.filename ? -1 : x.filename > y.filename ? 1 : 0));
    this.diffCache.set(key, entries);
    return entries;
  }

  private prDiff(pr: PullRec): DiffEntry[] {
    const repo = this.repos.get(pr.repoKey)!;
    const base = this.store.mergeBase(this.baseShaOf(pr), pr.headSha) ?? this.baseShaOf(pr);
    return this.diffEntries(repo, base, pr.headSha);
  }

  private createPull(repo: RepoRec, o: { head: string; base: string; title: string; body: string | null; draft: boolean; user: FakeUser }): PullRec {
    let headRepo = repo;
    let headRef = o.head;
    if (o.head.includes(":")) {
      const [owner, branch] = o.head.split(":");
      headRef = branch;
      const fork = this.repos.get(`${owner}/${repo.name}`.toLowerCase());
      if (!fork) throw new HttpError(422, "Validation Failed", [{ resource: "PullRequest", field: "head", code: "invalid" }]);
      headRepo = fork;
    }
    const headSha = headRepo.refs.get(`refs/heads/${headRef}`);
    if (!headSha) throw new HttpError(422, "Validation Failed", [{ resource: "PullRequest", field: "head", code: "invalid" }]);
    const baseSha = repo.refs.get(`refs/heads/${o.base}`);
    if (!baseSha) throw new HttpError(422, "Validation Failed", [{ resource: "PullRequest", field: "base", code: "invalid" }]);
    for (const p of this.pulls.values())
      if (p.repoKey === repo.key && p.state === "open" && p.headRepoKey === headRepo.key && p.headRef === headRef && p.baseRef === o.base)
        throw new HttpError(422, "Validation Failed", [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${headRepo.owner.login}:${headRef}.` }]);
    if (this.store.isAncestor(headSha, baseSha))
      throw new HttpError(422, "Validation Failed", [{ resource: "PullRequest", code: "custom", message: `No commits between ${o.base} and ${headRef}` }]);
    const now = this.now();
    const pr: PullRec = {
      repoKey: repo.key,
      number: repo.nextNumber++,
      id: this.ids++,
      nodeId: "",
      title: o.title,
      body: o.body,
      state: "open",
      merged: false,
      draft: o.draft,
      user: o.user,
      headRef,
      headRepoKey: headRepo.key,
      headSha,
      baseRef: o.base,
      maintainerCanModify: false,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
    };
    pr.nodeId = `PR_kw${pr.id}`;
    this.pulls.set(`${repo.key}#${pr.number}`, pr);
    return pr;
  }

  /** After a push: comments whose line text changed or left the diff become outdated. */
  private outdateComments(pr: PullRec, oldHead: string): void {
    const entries = this.prDiff(pr);
    const oldFiles = this.store.files(oldHead);
    const newFiles = this.store.files(pr.headSha);
    for (const c of this.reviewComments) {
      if (c.repoKey !== pr.repoKey || c.pull !== pr.number || c.line === null || c.inReplyTo !== undefined) continue;
      const entry = entries.find((e) => e.filename === c.path);
      const lineText = (files: Map<string, { content: Buffer }>, line: number): string | undefined =>
        files.get(c.path)?.content.toString("utf8").split("\n")[line - 1];
      const stillThere =
        c.side === "RIGHT" &&
        entry !== undefined &&
        lineText(oldFiles, c.line) === lineText(newFiles, c.line) &&
        (c.startLine === null || lineText(oldFiles, c.startLine) === lineText(newFiles, c.startLine)) &&
        this.threadErrors(entry, { line: c.line, side: "RIGHT", startLine: c.startLine ?? undefined, startSide: "RIGHT" }).length === 0;
      const thread = this.threadsById.get(c.threadId)!;
      const family = this.reviewComments.filter((x) => x.threadId === c.threadId);
      if (stillThere) {
        for (const x of family) x.commitId = pr.headSha;
      } else {
        for (const x of family) {
          x.line = null;
          x.startLine = null;
          x.position = null;
        }
        thread.isOutdated = true;
      }
    }
  }

  /** Why GitHub would refuse a thread at these lines ([] = fine). */
  private threadErrors(entry: DiffEntry | undefined, c: { line?: number; side?: string; startLine?: number; startSide?: string; position?: number }): string[] {
    if (!entry) return ["Path could not be resolved"];
    const side = c.side ?? "RIGHT";
    const hunkOf = (line: number, s: string): number =>
      entry.hunks.findIndex((h) => h.lines.some((l) => (s === "RIGHT" ? l.newLine === line : l.oldLine === line)));
    let line = c.line;
    if (line === undefined && c.position !== undefined) {
      for (const h of entry.hunks) for (const l of h.lines) if (l.position === c.position) line = side === "RIGHT" ? (l.newLine ?? undefined) : (l.oldLine ?? undefined);
    }
    const errs: string[] = [];
    const lineHunk = line === undefined ? -1 : hunkOf(line, side);
    if (lineHunk < 0) errs.push("Pull request review thread line must be part of the diff");
    if (c.startLine !== undefined) {
      const ss = c.startSide ?? side;
      const startHunk = hunkOf(c.startLine, ss);
      if (startHunk < 0 || startHunk !== lineHunk) errs.push("Pull request review thread start line must be part of the same hunk as the line.");
      else if (ss === side && line !== undefined && c.startLine > line) errs.push("Pull request review thread start line must precede the end line (fake)");
    }
    if (lineHunk < 0) errs.push("Pull request review thread diff hunk can't be blank");
    return errs;
  }

  // ------------------------------------------------------------ JSON builders

  private userJson(u: FakeUser): JsonValue {
    return {
      login: u.login,
      id: u.id,
      node_id: `U_kg${u.id}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
      gravatar_id: "",
      url: `${this.baseUrl}/users/${encodeURIComponent(u.login)}`,
      html_url: `${HTML}/${u.login}`,
      type: u.type,
      site_admin: false,
    };
  }

  private repoJson(r: RepoRec): JsonValue {
    const full = `${r.owner.login}/${r.name}`;
    return {
      id: r.id,
      node_id: r.nodeId,
      name: r.name,
      full_name: full,
      private: r.private,
      owner: this.userJson(r.owner),
      html_url: `${HTML}/${full}`,
      description: null,
      fork: r.forkOf !== undefined,
      url: `${this.baseUrl}/repos/${full}`,
      default_branch: r.defaultBranch,
      visibility: r.private ? "private" : "public",
      archived: false,
      disabled: false,
    };
  }

  private pullJson(pr: PullRec): JsonValue {
    const repo = this.repos.get(pr.repoKey)!;
    const headRepo = this.repos.get(pr.headRepoKey)!;
    const full = `${repo.owner.login}/${repo.name}`;
    const files = this.prDiff(pr);
    const baseSha = this.baseShaOf(pr);
    const merge = this.store.mergeBase(baseSha, pr.headSha) ?? baseSha;
    return {
      url: `${this.baseUrl}/repos/${full}/pulls/${pr.number}`,
      id: pr.id,
      node_id: pr.nodeId,
      html_url: `${HTML}/${full}/pull/${pr.number}`,
      diff_url: `${HTML}/${full}/pull/${pr.number}.diff`,
      patch_url: `${HTML}/${full}/pull/${pr.number}.patch`,
      issue_url: `${this.baseUrl}/repos/${full}/issues/${pr.number}`,
      number: pr.number,
      state: pr.state,
      locked: false,
      title: pr.title,
      user: this.userJson(pr.user),
      body: pr.body,
      labels: [],
      draft: pr.draft,
      created_at: pr.createdAt,
      updated_at: pr.updatedAt,
      closed_at: pr.closedAt,
      merged_at: null,
      merge_commit_sha: null,
      head: { label: `${headRepo.owner.login}:${pr.headRef}`, ref: pr.headRef, sha: pr.headSha, user: this.userJson(headRepo.owner), repo: this.repoJson(headRepo) },
      base: { label: `${repo.owner.login}:${pr.baseRef}`, ref: pr.baseRef, sha: baseSha, user: this.userJson(repo.owner), repo: this.repoJson(repo) },
      author_association: "CONTRIBUTOR",
      auto_merge: null,
      merged: pr.merged,
      mergeable: true,
      maintainer_can_modify: pr.maintainerCanModify,
      // Counts GitHub serves with every full pull request (the app decides from them whether to list comments).
      comments: this.issueCommentsList.filter((c) => c.repoKey === pr.repoKey && c.issue === pr.number).length,
      review_comments: this.reviewComments.filter((c) => c.repoKey === pr.repoKey && c.pull === pr.number).length,
      commits: this.store.commitsBetween(merge, pr.headSha).length,
      additions: files.reduce((s, f) => s + f.additions, 0),
      deletions: files.reduce((s, f) => s + f.deletions, 0),
      changed_files: files.length,
    };
  }

  private fileEntryJson(repo: RepoRec, e: DiffEntry, ref?: string): JsonValue {
    const full = `${repo.owner.login}/${repo.name}`;
    return {
      sha: e.sha,
      filename: e.filename,
      status: e.status,
      additions: e.additions,
      deletions: e.deletions,
      changes: e.changes,
      blob_url: `${HTML}/${full}/blob/${ref ?? e.sha}/${e.filename}`,
      raw_url: `${HTML}/${full}/raw/${ref ?? e.sha}/${e.filename}`,
      contents_url: `${this.baseUrl}/repos/${full}/contents/${encodeURIComponent(e.filename)}${ref ? `?ref=${ref}` : ""}`,
      ...(e.patch !== undefined ? { patch: e.patch } : {}),
      ...(e.previous_filename ? { previous_filename: e.previous_filename } : {}),
    };
  }

  private reviewJson(r: ReviewRec): JsonValue {
    const repo = this.repos.get(r.repoKey)!;
    const full = `${repo.owner.login}/${repo.name}`;
    return {
      id: r.id,
      node_id: r.nodeId,
      user: this.userJson(r.user),
      body: r.body,
      state: r.state,
      html_url: `${HTML}/${full}/pull/${r.pull}#pullrequestreview-${r.id}`,
      pull_request_url: `${this.baseUrl}/repos/${full}/pulls/${r.pull}`,
      _links: { html: { href: `${HTML}/${full}/pull/${r.pull}#pullrequestreview-${r.id}` }, pull_request: { href: `${this.baseUrl}/repos/${full}/pulls/${r.pull}` } },
      submitted_at: r.submittedAt,
      commit_id: r.commitId,
      author_association: "NONE",
    };
  }

  private reviewCommentJson(c: ReviewCommentRec): JsonValue {
    const repo = this.repos.get(c.repoKey)!;
    const full = `${repo.owner.login}/${repo.name}`;
    const url = `${this.baseUrl}/repos/${full}/pulls/comments/${c.id}`;
    return {
      url,
      pull_request_review_id: c.reviewId,
      id: c.id,
      node_id: c.nodeId,
      diff_hunk: c.diffHunk,
      path: c.path,
      position: c.position,
      original_position: c.originalPosition,
      commit_id: c.commitId,
      original_commit_id: c.originalCommitId,
      ...(c.inReplyTo !== undefined ? { in_reply_to_id: c.inReplyTo } : {}),
      user: this.userJson(c.user),
      body: c.body,
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      html_url: `${HTML}/${full}/pull/${c.pull}#discussion_r${c.id}`,
      pull_request_url: `${this.baseUrl}/repos/${full}/pulls/${c.pull}`,
      author_association: "NONE",
      _links: { self: { href: url }, html: { href: `${HTML}/${full}/pull/${c.pull}#discussion_r${c.id}` }, pull_request: { href: `${this.baseUrl}/repos/${full}/pulls/${c.pull}` } },
      start_line: c.startLine,
      original_start_line: c.originalStartLine,
      start_side: c.startSide,
      line: c.line,
      original_line: c.originalLine,
      side: c.side,
      subject_type: "line",
      reactions: this.reactionSummary("review_comment", c.id, url),
    };
  }

  private issueCommentJson(c: IssueCommentRec): JsonValue {
    const repo = this.repos.get(c.repoKey)!;
    const full = `${repo.owner.login}/${repo.name}`;
    const url = `${this.baseUrl}/repos/${full}/issues/comments/${c.id}`;
    return {
      id: c.id,
      node_id: c.nodeId,
      url,
      html_url: `${HTML}/${full}/pull/${c.issue}#issuecomment-${c.id}`,
      body: c.body,
      user: this.userJson(c.user),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      issue_url: `${this.baseUrl}/repos/${full}/issues/${c.issue}`,
      author_association: "NONE",
      reactions: this.reactionSummary("issue_comment", c.id, url),
    };
  }

  private reactionSummary(subject: ReactionRec["subject"], id: number, url: string): JsonValue {
    const rs = this.reactionsList.filter((r) => r.subject === subject && r.commentId === id);
    const count = (c: string): number => rs.filter((r) => r.content === c).length;
    return {
      url: `${url}/reactions`,
      total_count: rs.length,
      "+1": count("+1"),
      "-1": count("-1"),
      laugh: count("laugh"),
      confused: count("confused"),
      heart: count("heart"),
      hooray: count("hooray"),
      eyes: count("eyes"),
      rocket: count("rocket"),
    };
  }

  private checkRunJson(c: CheckRunRec): JsonValue {
    const repo = this.repos.get(c.repoKey)!;
    const full = `${repo.owner.login}/${repo.name}`;
    const url = `${this.baseUrl}/repos/${full}/check-runs/${c.id}`;
    return {
      id: c.id,
      head_sha: c.headSha,
      node_id: c.nodeId,
      external_id: c.externalId,
      url,
      html_url: `${HTML}/${full}/runs/${c.id}`,
      details_url: c.detailsUrl,
      status: c.status,
      conclusion: c.conclusion,
      started_at: c.startedAt,
      completed_at: c.completedAt,
      output: { ...c.output, annotations_count: c.annotations.length, annotations_url: `${url}/annotations` },
      name: c.name,
      check_suite: { id: 1 },
      app: { id: this.opts.appId, slug: this.opts.appSlug, node_id: "A_fake", name: this.opts.appSlug, owner: null },
      pull_requests: [...this.pulls.values()]
        .filter((p) => p.repoKey === c.repoKey && p.headSha === c.headSha && p.headRepoKey === c.repoKey)
        .map((p) => ({ id: p.id, number: p.number, url: `${this.baseUrl}/repos/${full}/pulls/${p.number}`, head: { ref: p.headRef, sha: p.headSha }, base: { ref: p.baseRef, sha: this.baseShaOf(p) } })),
    };
  }

  private commitJson(repo: RepoRec, sha: string, withFiles: boolean): JsonValue {
    const c = this.store.commit(sha)!;
    const full = `${repo.owner.login}/${repo.name}`;
    const person = (s: Signature): JsonValue => ({ name: s.name, email: s.email, date: s.date.replace(/\.\d{3}Z$/, "Z") });
    const out: Record<string, JsonValue> = {
      sha,
      node_id: `C_kw${sha.slice(0, 12)}`,
      url: `${this.baseUrl}/repos/${full}/commits/${sha}`,
      html_url: `${HTML}/${full}/commit/${sha}`,
      commit: {
        url: `${this.baseUrl}/repos/${full}/git/commits/${sha}`,
        author: person(c.author),
        committer: person(c.committer),
        message: c.message,
        tree: { sha: c.tree, url: `${this.baseUrl}/repos/${full}/git/trees/${c.tree}` },
        comment_count: 0,
        verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
      },
      author: null,
      committer: null,
      parents: c.parents.map((p) => ({ sha: p, url: `${this.baseUrl}/repos/${full}/commits/${p}`, html_url: `${HTML}/${full}/commit/${p}` })),
    };
    if (withFiles) {
      const files = this.diffEntries(repo, c.parents[0] ?? this.emptyCommit(), sha);
      const additions = files.reduce((s, f) => s + f.additions, 0);
      const deletions = files.reduce((s, f) => s + f.deletions, 0);
      out.stats = { total: additions + deletions, additions, deletions };
      out.files = files.map((f) => this.fileEntryJson(repo, f, sha));
    }
    return out;
  }

  private emptyCommit(): string {
    return this.store.putCommit({ tree: this.store.putTree([]), parents: [], message: "", author: { name: "", email: "", date: "1970-01-01T00:00:00Z" } });
  }

  private gitCommitJson(repo: RepoRec, sha: string): JsonValue {
    const c = this.store.commit(sha)!;
    const full = `${repo.owner.login}/${repo.name}`;
    return {
      sha,
      node_id: `C_kw${sha.slice(0, 12)}`,
      url: `${this.baseUrl}/repos/${full}/git/commits/${sha}`,
      html_url: `${HTML}/${full}/commit/${sha}`,
      author: { ...c.author },
      committer: { ...c.committer },
      tree: { sha: c.tree, url: `${this.baseUrl}/repos/${full}/git/trees/${c.tree}` },
      message: c.message,
      parents: c.parents.map((p) => ({ sha: p, url: `${this.baseUrl}/repos/${full}/git/commits/${p}`, html_url: `${HTML}/${full}/commit/${p}` })),
      verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
    };
  }

  private refJson(repo: RepoRec, ref: string, sha: string): JsonValue {
    const full = `${repo.owner.login}/${repo.name}`;
    return {
      ref,
      node_id: `REF_kw${Buffer.from(ref).toString("base64url")}`,
      url: `${this.baseUrl}/repos/${full}/git/${ref}`,
      object: { type: "commit", sha, url: `${this.baseUrl}/repos/${full}/git/commits/${sha}` },
    };
  }

  private treeJson(repo: RepoRec, treeSha: string, recursive: boolean): JsonValue {
    const full = `${repo.owner.login}/${repo.name}`;
    const out: JsonValue[] = [];
    const walk = (sha: string, prefix: string): void => {
      for (const e of this.store.tree(sha) ?? []) {
        const path = prefix ? `${prefix}/${e.name}` : e.name;
        const size = e.type === "blob" ? (this.store.blob(e.sha)?.length ?? 0) : undefined;
        out.push({
          path,
          mode: e.mode,
          type: e.type,
          sha: e.sha,
          ...(size !== undefined ? { size } : {}),
          url: `${this.baseUrl}/repos/${full}/git/${e.type === "tree" ? "trees" : "blobs"}/${e.sha}`,
        });
        if (recursive && e.type === "tree") walk(e.sha, path);
      }
    };
    walk(treeSha, "");
    return { sha: treeSha, url: `${this.baseUrl}/repos/${full}/git/trees/${treeSha}`, tree: out, truncated: false };
  }

  /** Slice a list for `per_page`/`page` and build GitHub's `Link` header. */
  private paginate<T>(ctx: Ctx, items: readonly T[], max = 100): { page: T[]; headers: Record<string, string> } {
    const perPage = Math.min(max, Math.max(1, Number(ctx.query.get("per_page") ?? 30) || 30));
    const page = Math.max(1, Number(ctx.query.get("page") ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (p: number): string => {
      const q = new URLSearchParams(ctx.query);
      q.set("per_page", String(perPage));
      q.set("page", String(p));
      const path = new URL(ctx.headers.host ? `http://${ctx.headers.host}` : this.baseUrl).origin;
      return `<${path}${ctx.route.template.replace(/\{([^}]+)\}/g, (_, n: string) => encodeURIComponent(ctx.params[n]))}?${q.toString()}>`;
    };
    const rels: string[] = [];
    if (page > 1) rels.push(`${link(page - 1)}; rel="prev"`);
    if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (page > 1) rels.push(`${link(1)}; rel="first"`);
    return { page: items.slice((page - 1) * perPage, page * perPage), headers: rels.length ? { link: rels.join(", ") } : {} };
  }

  private wantsRaw(ctx: Ctx): boolean {
    return /application\/vnd\.github(\.v3)?\.raw/.test(ctx.accept);
  }

  private wantsDiff(ctx: Ctx): boolean {
    return /application\/vnd\.github(\.v3)?\.diff/.test(ctx.accept);
  }

  // ------------------------------------------------------------ routes

  private registerRoutes(): void {
    const r = (key: string, h: Handler): void => void this.routes.set(key, h);

    // --- repository and app metadata
    r("GET /repos/{owner}/{repo}", (ctx) => ({ status: 200, body: this.repoJson(this.repoOf(ctx)) }));

    r("POST /app/installations/{installation_id}/access_tokens", (ctx) => {
      const id = Number(ctx.params.installation_id);
      const inst = this.installations.get(id);
      if (!inst) throw new HttpError(404, "Not Found");
      const token = `ghs_fake_${id}_${this.ids++}`;
      this.tokens.set(token, { token, user: this.user(`${this.opts.appSlug}[bot]`, "Bot"), installationId: id, readOnly: false });
      return {
        status: 201,
        body: {
          token,
          expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
          permissions: inst.permissions,
          repository_selection: inst.repos === "all" ? "all" : "selected",
        },
      };
    });

    r("GET /app/installations", (ctx) => {
      const list = [...this.installations.values()].map((i) => ({
        id: i.id,
        account: this.userJson(i.account),
        app_id: this.opts.appId,
        app_slug: this.opts.appSlug,
        target_type: i.account.type === "Organization" ? "Organization" : "User",
        target_id: i.account.id,
        repository_selection: i.repos === "all" ? "all" : "selected",
        permissions: i.permissions,
        events: ["pull_request", "issue_comment", "check_run", "check_suite"],
        access_tokens_url: `${this.baseUrl}/app/installations/${i.id}/access_tokens`,
        repositories_url: `${this.baseUrl}/installation/repositories`,
        html_url: `${HTML}/settings/installations/${i.id}`,
        created_at: "2026-01-01T00:00:00Z",
        updated_at: "2026-01-01T00:00:00Z",
        single_file_name: null,
        suspended_at: null,
        suspended_by: null,
      }));
      const { page, headers } = this.paginate(ctx, list);
      return { status: 200, body: page as JsonValue, headers };
    });

    r("GET /installation/repositories", (ctx) => {
      const inst = ctx.auth.installationId !== undefined ? this.installations.get(ctx.auth.installationId) : undefined;
      if (!inst) throw new HttpError(403, "This endpoint requires an installation access token (fake)");
      const repos = [...this.repos.values()].filter((x) => (inst.repos === "all" ? x.owner.login.toLowerCase() === inst.account.login.toLowerCase() : inst.repos.includes(x.key)));
      const { page, headers } = this.paginate(ctx, repos);
      return { status: 200, body: { total_count: repos.length, repository_selection: inst.repos === "all" ? "all" : "selected", repositories: page.map((x) => this.repoJson(x)) }, headers };
    });

    r("GET /repos/{owner}/{repo}/collaborators/{username}/permission", (ctx) => {
      const repo = this.repoOf(ctx);
      const login = ctx.params.username;
      const perm = repo.owner.login.toLowerCase() === login.toLowerCase() ? "admin" : (repo.permissions.get(login.toLowerCase()) ?? (repo.private ? "none" : "read"));
      const legacy = perm === "maintain" ? "write" : perm === "triage" ? "read" : perm;
      return { status: 200, body: { permission: legacy, role_name: perm, user: this.userJson(this.user(login)) } };
    });

    // --- pull requests
    r("GET /repos/{owner}/{repo}/pulls", (ctx) => {
      const repo = this.repoOf(ctx);
      const state = ctx.query.get("state") ?? "open";
      const head = ctx.query.get("head");
      const base = ctx.query.get("base");
      let list = [...this.pulls.values()].filter((p) => p.repoKey === repo.key && (state === "all" || p.state === state));
      if (head) {
        const [owner, branch] = head.includes(":") ? head.split(":") : [repo.owner.login, head];
        list = list.filter((p) => p.headRef === branch && this.repos.get(p.headRepoKey)!.owner.login.toLowerCase() === owner.toLowerCase());
      }
      if (base) list = list.filter((p) => p.baseRef === base);
      const dir = ctx.query.get("direction") ?? "desc";
      list.sort((a, b) => (dir === "asc" ? a.number - b.number : b.number - a.number));
      const { page, headers } = this.paginate(ctx, list);
      return { status: 200, body: page.map((p) => this.pullJson(p)), headers };
    });

    r("POST /repos/{owner}/{repo}/pulls", (ctx) => {
      const repo = this.repoOf(ctx);
      const b = ctx.body;
      const err = tooLong("PullRequest", str(b.body));
      if (err) throw err;
      if (typeof b.head !== "string" || typeof b.base !== "string") throw new HttpError(422, "Validation Failed", [{ resource: "PullRequest", code: "missing_field", field: "head" }]);
      if (typeof b.title !== "string" && b.issue === undefined) throw new HttpError(422, "Validation Failed", [{ resource: "PullRequest", code: "missing_field", field: "title" }]);
      const pr = this.createPull(repo, { head: b.head, base: b.base, title: str(b.title) ?? "", body: str(b.body) ?? null, draft: b.draft === true, user: ctx.auth.user });
      if (b.maintainer_can_modify === true) pr.maintainerCanModify = true;
      return { status: 201, body: this.pullJson(pr) };
    });

    r("GET /repos/{owner}/{repo}/pulls/{pull_number}", (ctx) => {
      const repo = this.repoOf(ctx);
      const pr = this.mustPull(repo, Number(ctx.params.pull_number));
      if (this.wantsDiff(ctx)) {
        const text = this.prDiff(pr)
          .map((e) => {
            const baseFiles = this.store.files(this.store.mergeBase(this.baseShaOf(pr), pr.headSha) ?? this.baseShaOf(pr));
            const headFiles = this.store.files(pr.headSha);
            const oldText = baseFiles.get(e.previous_filename ?? e.filename)?.content.toString("utf8") ?? "";
            const newText = headFiles.get(e.filename)?.content.toString("utf8") ?? "";
            return makeFileDiff(e.status === "added" ? null : (e.previous_filename ?? e.filename), e.status === "removed" ? null : e.filename, oldText, newText);
          })
          .join("");
        return { status: 200, text, contentType: "text/plain; charset=utf-8" };
      }
      return { status: 200, body: this.pullJson(pr) };
    });

    r("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", (ctx) => {
      const repo = this.repoOf(ctx);
      const pr = this.mustPull(repo, Number(ctx.params.pull_number));
      const b = ctx.body;
      const err = tooLong("PullRequest", str(b.body));
      if (err) throw err;
      if (typeof b.title === "string") pr.title = b.title;
      if (typeof b.body === "string") pr.body = b.body;
      if (typeof b.base === "string") {
        if (!repo.refs.has(`refs/heads/${b.base}`)) throw new HttpError(422, "Validation Failed", [{ resource: "PullRequest", field: "base", code: "invalid" }]);
        pr.baseRef = b.base;
      }
      if (typeof b.maintainer_can_modify === "boolean") pr.maintainerCanModify = b.maintainer_can_modify;
      if (b.state === "closed" && pr.state === "open") {
        pr.state = "closed";
        pr.closedAt = this.now();
      } else if (b.state === "open" && pr.state === "closed") {
        const head = this.repos.get(pr.headRepoKey)!.refs.get(`refs/heads/${pr.headRef}`);
        if (!head) throw new HttpError(422, "Validation Failed", [{ resource: "PullRequest", code: "custom", message: "state cannot be changed. The head branch was deleted." }]);
        pr.state = "open";
        pr.closedAt = null;
        pr.headSha = head;
      }
      pr.updatedAt = this.now();
      return { status: 200, body: this.pullJson(pr) };
    });

    r("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", (ctx) => {
      const repo = this.repoOf(ctx);
      const pr = this.mustPull(repo, Number(ctx.params.pull_number));
      const all = this.prDiff(pr).slice(0, 3000);
      const { page, headers } = this.paginate(ctx, all);
      return { status: 200, body: page.map((e) => this.fileEntryJson(repo, e, pr.headSha)), headers };
    });

    r("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", (ctx) => {
      const repo = this.repoOf(ctx);
      const n = Number(ctx.params.pull_number);
      this.mustPull(repo, n);
      const list = this.reviewsList.filter((x) => x.repoKey === repo.key && x.pull === n && (x.state !== "PENDING" || x.user.login === ctx.auth.user.login));
      const { page, headers } = this.paginate(ctx, list);
      return { status: 200, body: page.map((x) => this.reviewJson(x)), headers };
    });

    r("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews", (ctx) => this.createReview(ctx));

    r("GET /repos/{owner}/{repo}/pulls/{pull_number}/comments", (ctx) => {
      const repo = this.repoOf(ctx);
      const n = Number(ctx.params.pull_number);
      this.mustPull(repo, n);
      const pendingReviews = new Set(this.reviewsList.filter((x) => x.state === "PENDING").map((x) => x.id));
      let list = this.reviewComments.filter((c) => c.repoKey === repo.key && c.pull === n && !pendingReviews.has(c.reviewId));
      const since = ctx.query.get("since");
      if (since) list = list.filter((c) => c.updatedAt >= since);
      const sort = ctx.query.get("sort") ?? "created";
      const dir = ctx.query.get("direction") ?? "asc";
      list = [...list].sort((a, b) => {
        const ka = sort === "updated" ? a.updatedAt : a.createdAt;
        const kb = sort === "updated" ? b.updatedAt : b.createdAt;
        const d = ka < kb ? -1 : ka > kb ? 1 : a.id - b.id;
        return dir === "desc" ? -d : d;
      });
      const { page, headers } = this.paginate(ctx, list);
      return { status: 200, body: page.map((c) => this.reviewCommentJson(c)), headers };
    });

    r("POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies", (ctx) => {
      const repo = this.repoOf(ctx);
      const n = Number(ctx.params.pull_number);
      this.mustPull(repo, n);
      const parent = this.reviewComments.find((c) => c.id === Number(ctx.params.comment_id) && c.repoKey === repo.key && c.pull === n);
      if (!parent) throw new HttpError(404, "Not Found");
      const body = str(ctx.body.body) ?? "";
      const err = tooLong("PullRequestReviewComment", body);
      if (err) throw err;
      const thread = this.threadsById.get(parent.threadId)!;
      const root = this.reviewComments.find((c) => c.id === thread.commentIds[0])!;
      const review: ReviewRec = { id: this.ids++, nodeId: "", repoKey: repo.key, pull: n, user: ctx.auth.user, body: "", state: "COMMENTED", commitId: root.commitId, submittedAt: this.now() };
      review.nodeId = `PRR_kw${review.id}`;
      this.reviewsList.push(review);
      const now = this.now();
      const c: ReviewCommentRec = { ...root, id: this.ids++, nodeId: "", reviewId: review.id, inReplyTo: root.id, body, user: ctx.auth.user, createdAt: now, updatedAt: now };
      delete c.minimizedReason;
      c.nodeId = `PRRC_kw${c.id}`;
      this.reviewComments.push(c);
      thread.commentIds.push(c.id);
      return { status: 201, body: this.reviewCommentJson(c) };
    });

    r("POST /repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions", (ctx) => {
      const repo = this.repoOf(ctx);
      const c = this.reviewComments.find((x) => x.id === Number(ctx.params.comment_id) && x.repoKey === repo.key);
      if (!c) throw new HttpError(404, "Not Found");
      return this.react(ctx, "review_comment", c.id);
    });

    // --- issues
    r("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", (ctx) => {
      const repo = this.repoOf(ctx);
      const n = Number(ctx.params.issue_number);
      this.mustPull(repo, n);
      let list = this.issueCommentsList.filter((c) => c.repoKey === repo.key && c.issue === n);
      const since = ctx.query.get("since");
      if (since) list = list.filter((c) => c.updatedAt >= since);
      const { page, headers } = this.paginate(ctx, list);
      return { status: 200, body: page.map((c) => this.issueCommentJson(c)), headers };
    });

    r("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", (ctx) => {
      const repo = this.repoOf(ctx);
      const n = Number(ctx.params.issue_number);
      this.mustPull(repo, n);
      const body = str(ctx.body.body) ?? "";
      const err = tooLong("IssueComment", body);
      if (err) throw err;
      const now = this.now();
      const c: IssueCommentRec = { id: this.ids++, nodeId: "", repoKey: repo.key, issue: n, body, user: ctx.auth.user, createdAt: now, updatedAt: now };
      c.nodeId = `IC_kw${c.id}`;
      this.issueCommentsList.push(c);
      return { status: 201, body: this.issueCommentJson(c) };
    });

    r("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", (ctx) => {
      const repo = this.repoOf(ctx);
      const c = this.issueCommentsList.find((x) => x.id === Number(ctx.params.comment_id) && x.repoKey === repo.key);
      if (!c) throw new HttpError(404, "Not Found");
      return this.react(ctx, "issue_comment", c.id);
    });

    // --- checks
    r("POST /repos/{owner}/{repo}/check-runs", (ctx) => {
      const repo = this.repoOf(ctx);
      const b = ctx.body;
      const headSha = str(b.head_sha) ?? "";
      if (!this.store.commit(headSha)) throw new HttpError(422, `No commit found for SHA: ${headSha}`);
      const run: CheckRunRec = {
        id: this.ids++,
        nodeId: "",
        repoKey: repo.key,
        name: str(b.name) ?? "",
        headSha,
        status: "queued",
        conclusion: null,
        startedAt: this.now(),
        completedAt: null,
        externalId: null,
        detailsUrl: null,
        output: { title: null, summary: null, text: null },
        annotations: [],
        actions: [],
        writes: 0,
      };
      run.nodeId = `CR_kw${run.id}`;
      this.applyCheckRun(run, b, true);
      this.checkRunsList.push(run);
      return { status: 201, body: this.checkRunJson(run) };
    });

    r("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", (ctx) => {
      const repo = this.repoOf(ctx);
      const run = this.checkRunsList.find((c) => c.id === Number(ctx.params.check_run_id) && c.repoKey === repo.key);
      if (!run) throw new HttpError(404, "Not Found");
      this.applyCheckRun(run, ctx.body, false);
      return { status: 200, body: this.checkRunJson(run) };
    });

    r("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", (ctx) => {
      const repo = this.repoOf(ctx);
      const sha = this.resolveRef(repo, ctx.params.ref);
      if (!sha) throw new HttpError(422, `No commit found for SHA: ${ctx.params.ref}`);
      const name = ctx.query.get("check_name");
      const status = ctx.query.get("status");
      const appId = ctx.query.get("app_id");
      let runs = this.checkRunsList.filter((c) => c.repoKey === repo.key && c.headSha === sha && (name === null || c.name === name) && (status === null || c.status === status));
      if (appId !== null && Number(appId) !== this.opts.appId) runs = [];
      // filter=latest (GitHub's default): the most recent run of each name.
      if ((ctx.query.get("filter") ?? "latest") === "latest") runs = runs.filter((c) => !runs.some((o) => o.name === c.name && o.id > c.id));
      runs = [...runs].sort((a, b) => b.id - a.id);
      const { page, headers } = this.paginate(ctx, runs, 100);
      return { status: 200, body: { total_count: runs.length, check_runs: page.map((c) => this.checkRunJson(c)) }, headers };
    });

    // --- contents and git data
    r("GET /repos/{owner}/{repo}/contents/{path}", (ctx) => {
      const repo = this.repoOf(ctx);
      const ref = ctx.query.get("ref") ?? repo.defaultBranch;
      const sha = this.resolveRef(repo, ref);
      if (!sha) throw new HttpError(404, `No commit found for the ref ${ref}`);
      const path = ctx.params.path.replace(/^\/+|\/+$/g, "");
      const files = this.store.files(sha);
      const full = `${repo.owner.login}/${repo.name}`;
      const f = files.get(path);
      const entryJson = (p: string, type: "file" | "dir", objSha: string, size: number): Record<string, JsonValue> => ({
        type,
        size,
        name: p.split("/").pop()!,
        path: p,
        sha: objSha,
        url: `${this.baseUrl}/repos/${full}/contents/${p}?ref=${encodeURIComponent(ref)}`,
        git_url: `${this.baseUrl}/repos/${full}/git/${type === "dir" ? "trees" : "blobs"}/${objSha}`,
        html_url: `${HTML}/${full}/${type === "dir" ? "tree" : "blob"}/${ref}/${p}`,
        download_url: type === "file" ? `https://raw.githubusercontent.com/${full}/${ref}/${p}` : null,
        _links: { self: `${this.baseUrl}/repos/${full}/contents/${p}?ref=${encodeURIComponent(ref)}`, git: `${this.baseUrl}/repos/${full}/git/blobs/${objSha}`, html: `${HTML}/${full}/blob/${ref}/${p}` },
      });
      if (f) {
        if (this.wantsRaw(ctx)) return { status: 200, text: f.content, contentType: "text/plain; charset=utf-8" };
        return { status: 200, body: { ...entryJson(path, "file", f.sha, f.content.length), content: b64lines(f.content), encoding: "base64" } };
      }
      const prefix = path === "" ? "" : `${path}/`;
      const children = new Map<string, JsonValue>();
      for (const [p, file] of files) {
        if (!p.startsWith(prefix)) continue;
        const rest = p.slice(prefix.length);
        const name = rest.split("/")[0];
        const childPath = prefix + name;
        if (rest.includes("/")) {
          if (!children.has(childPath)) children.set(childPath, entryJson(childPath, "dir", this.subtreeSha(sha, childPath) ?? "", 0));
        } else children.set(childPath, entryJson(childPath, "file", file.sha, file.content.length));
      }
      if (children.size === 0) throw new HttpError(404, "Not Found");
      return { status: 200, body: [...children.values()] };
    });

    r("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", (ctx) => {
      const repo = this.repoOf(ctx);
      const id = ctx.params.tree_sha;
      let sha = this.store.resolvePrefix(id);
      if (sha && this.store.commit(sha)) sha = this.store.commit(sha)!.tree;
      if (!sha || !this.store.tree(sha)) {
        const c = this.resolveRef(repo, id);
        sha = c ? this.store.commit(c)!.tree : undefined;
      }
      if (!sha) throw new HttpError(404, "Not Found");
      return { status: 200, body: this.treeJson(repo, sha, ctx.query.has("recursive")) };
    });

    r("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", (ctx) => {
      const repo = this.repoOf(ctx);
      const sha = this.store.resolvePrefix(ctx.params.file_sha);
      const blob = sha ? this.store.blob(sha) : undefined;
      if (!sha || !blob) throw new HttpError(404, "Not Found");
      if (this.wantsRaw(ctx)) return { status: 200, text: blob, contentType: "text/plain; charset=utf-8" };
      const full = `${repo.owner.login}/${repo.name}`;
      return { status: 200, body: { sha, node_id: `B_kw${sha.slice(0, 12)}`, size: blob.length, url: `${this.baseUrl}/repos/${full}/git/blobs/${sha}`, content: b64lines(blob), encoding: "base64" } };
    });

    r("POST /repos/{owner}/{repo}/git/blobs", (ctx) => {
      const repo = this.repoOf(ctx);
      const content = str(ctx.body.content) ?? "";
      const encoding = str(ctx.body.encoding) ?? "utf-8";
      if (encoding !== "utf-8" && encoding !== "base64") throw new HttpError(422, `encoding must be utf-8 or base64 (fake)`);
      const sha = this.store.putBlob(encoding === "base64" ? Buffer.from(content, "base64") : Buffer.from(content, "utf8"));
      return { status: 201, body: { sha, url: `${this.baseUrl}/repos/${repo.owner.login}/${repo.name}/git/blobs/${sha}` } };
    });

    r("POST /repos/{owner}/{repo}/git/trees", (ctx) => {
      const repo = this.repoOf(ctx);
      const baseTree = str(ctx.body.base_tree);
      if (baseTree !== undefined && !this.store.tree(baseTree)) throw new HttpError(422, `base_tree ${baseTree} is not a valid tree (fake)`);
      const flat = new Map<string, { sha: string; mode: FileMode }>();
      if (baseTree) for (const f of this.store.listTree(baseTree)) flat.set(f.path, { sha: f.sha, mode: f.mode });
      for (const raw of (ctx.body.tree as Record<string, unknown>[] | undefined) ?? []) {
        const path = str(raw.path);
        const mode = (str(raw.mode) ?? "100644") as FileMode;
        const type = str(raw.type) ?? "blob";
        if (!path) throw new HttpError(422, "GitRPC::BadObjectState: tree.path is required (fake)");
        if ("sha" in raw && "content" in raw && raw.sha !== null) throw new HttpError(422, "Must supply either tree.sha or tree.content, not both (fake)");
        if (raw.sha === null) {
          flat.delete(path);
          for (const k of [...flat.keys()]) if (k.startsWith(`${path}/`)) flat.delete(k);
          continue;
        }
        if (typeof raw.content === "string") {
          flat.set(path, { sha: this.store.putBlob(raw.content), mode });
          continue;
        }
        const sha = str(raw.sha);
        if (!sha) throw new HttpError(422, "Must supply a valid tree.sha or tree.content. (fake)");
        const obj = this.store.get(sha);
        if (type === "tree") {
          if (obj?.type !== "tree") throw new HttpError(422, `tree.sha ${sha} is not a valid tree`);
          for (const f of this.store.listTree(sha, path)) flat.set(f.path, { sha: f.sha, mode: f.mode });
          continue;
        }
        if (type === "blob" && obj?.type !== "blob") throw new HttpError(422, `tree.sha ${sha} is not a valid blob`);
        if ((type === "blob") !== ["100644", "100755", "120000"].includes(mode)) throw new HttpError(422, `tree.mode ${mode} does not match tree.type ${type} (fake)`);
        flat.set(path, { sha, mode });
      }
      const sha = this.store.treeFromFlat(flat);
      return { status: 201, body: this.treeJson(repo, sha, true) };
    });

    r("POST /repos/{owner}/{repo}/git/commits", (ctx) => {
      const repo = this.repoOf(ctx);
      const b = ctx.body;
      const tree = str(b.tree) ?? "";
      if (!this.store.tree(tree)) throw new HttpError(422, `Tree SHA does not exist`);
      const parents = (b.parents as string[] | undefined) ?? [];
      for (const p of parents) if (!this.store.commit(p)) throw new HttpError(422, `Parent SHA does not exist or is not a commit object`);
      const person = (v: unknown): Signature | undefined => {
        if (!v || typeof v !== "object") return undefined;
        const o = v as Record<string, unknown>;
        return { name: str(o.name) ?? "", email: str(o.email) ?? "", date: str(o.date) ?? this.now() };
      };
      const author = person(b.author) ?? { name: ctx.auth.user.login, email: `${ctx.auth.user.id}+${ctx.auth.user.login}@users.noreply.github.com`, date: this.now() };
      const committer = person(b.committer) ?? author;
      const sha = this.store.putCommit({ tree, parents, message: str(b.message) ?? "", author, committer });
      return { status: 201, body: this.gitCommitJson(repo, sha) };
    });

    r("GET /repos/{owner}/{repo}/git/ref/{ref}", (ctx) => {
      const repo = this.repoOf(ctx);
      const ref = `refs/${ctx.params.ref.replace(/^refs\//, "")}`;
      const sha = repo.refs.get(ref);
      if (!sha) throw new HttpError(404, "Not Found");
      return { status: 200, body: this.refJson(repo, ref, sha) };
    });

    r("POST /repos/{owner}/{repo}/git/refs", (ctx) => {
      const repo = this.repoOf(ctx);
      const ref = str(ctx.body.ref) ?? "";
      const sha = str(ctx.body.sha) ?? "";
      if (!ref.startsWith("refs/") || ref.split("/").length < 3) throw new HttpError(422, "Reference name must start with 'refs/' and have at least two slashes.");
      if (repo.refs.has(ref)) throw new HttpError(422, "Reference already exists");
      if (!this.store.commit(sha)) throw new HttpError(422, "Object does not exist");
      this.setRef(repo, ref, sha);
      return { status: 201, body: this.refJson(repo, ref, sha) };
    });

    r("PATCH /repos/{owner}/{repo}/git/refs/{ref}", (ctx) => {
      const repo = this.repoOf(ctx);
      const ref = `refs/${ctx.params.ref.replace(/^refs\//, "")}`;
      const current = repo.refs.get(ref);
      if (!current) throw new HttpError(422, "Reference does not exist");
      const sha = str(ctx.body.sha) ?? "";
      if (!this.store.commit(sha)) throw new HttpError(422, "Object does not exist");
      if (ctx.body.force !== true && !this.store.isAncestor(current, sha)) throw new HttpError(422, "Update is not a fast forward");
      this.setRef(repo, ref, sha);
      return { status: 200, body: this.refJson(repo, ref, sha) };
    });

    r("DELETE /repos/{owner}/{repo}/git/refs/{ref}", (ctx) => {
      const repo = this.repoOf(ctx);
      const ref = `refs/${ctx.params.ref.replace(/^refs\//, "")}`;
      if (!repo.refs.has(ref)) throw new HttpError(422, "Reference does not exist");
      repo.refs.delete(ref);
      return { status: 204 };
    });

    r("GET /repos/{owner}/{repo}/branches/{branch}", (ctx) => {
      const repo = this.repoOf(ctx);
      const sha = repo.refs.get(`refs/heads/${ctx.params.branch}`);
      if (!sha) throw new HttpError(404, "Branch not found");
      const full = `${repo.owner.login}/${repo.name}`;
      return {
        status: 200,
        body: {
          name: ctx.params.branch,
          commit: this.commitJson(repo, sha, false),
          _links: { self: `${this.baseUrl}/repos/${full}/branches/${ctx.params.branch}`, html: `${HTML}/${full}/tree/${ctx.params.branch}` },
          protected: false,
          protection: { enabled: false, required_status_checks: { enforcement_level: "off", contexts: [], checks: [] } },
          protection_url: `${this.baseUrl}/repos/${full}/branches/${ctx.params.branch}/protection`,
        },
      };
    });

    r("GET /repos/{owner}/{repo}/commits/{ref}", (ctx) => {
      const repo = this.repoOf(ctx);
      const sha = this.resolveRef(repo, ctx.params.ref);
      if (!sha) throw new HttpError(422, `No commit found for SHA: ${ctx.params.ref}`);
      const json = this.commitJson(repo, sha, true) as Record<string, JsonValue>;
      const files = json.files as JsonValue[];
      const { page, headers } = this.paginate(ctx, files, 300);
      return { status: 200, body: { ...json, files: page }, headers };
    });

    r("GET /repos/{owner}/{repo}/compare/{basehead}", (ctx) => {
      const repo = this.repoOf(ctx);
      const m = /^(.+?)\.\.\.?(.+)$/.exec(ctx.params.basehead);
      if (!m) throw new HttpError(404, "Not Found");
      const strip = (s: string): string => (s.includes(":") ? s.split(":")[1] : s);
      const base = this.resolveRef(repo, strip(m[1]));
      const head = this.resolveRef(repo, strip(m[2]));
      if (!base || !head) throw new HttpError(404, "Not Found");
      const mb = this.store.mergeBase(base, head) ?? base;
      const ahead = this.store.commitsBetween(base, head);
      const behind = this.store.commitsBetween(head, base);
      const status = ahead.length === 0 && behind.length === 0 ? "identical" : behind.length === 0 ? "ahead" : ahead.length === 0 ? "behind" : "diverged";
      const full = `${repo.owner.login}/${repo.name}`;
      const { page, headers } = this.paginate(ctx, ahead, 250);
      return {
        status: 200,
        body: {
          url: `${this.baseUrl}/repos/${full}/compare/${ctx.params.basehead}`,
          html_url: `${HTML}/${full}/compare/${ctx.params.basehead}`,
          permalink_url: `${HTML}/${full}/compare/${base}...${head}`,
          diff_url: `${HTML}/${full}/compare/${ctx.params.basehead}.diff`,
          patch_url: `${HTML}/${full}/compare/${ctx.params.basehead}.patch`,
          base_commit: this.commitJson(repo, base, false),
          merge_base_commit: this.commitJson(repo, mb, false),
          status,
          ahead_by: ahead.length,
          behind_by: behind.length,
          total_commits: ahead.length,
          commits: page.map((s) => this.commitJson(repo, s, false)),
          files: this.diffEntries(repo, mb, head).map((e) => this.fileEntryJson(repo, e, head)),
        },
        headers,
      };
    });

    // --- GraphQL
    r("POST /graphql", (ctx) => this.graphql(ctx));
  }

  private subtreeSha(commit: string, dir: string): string | undefined {
    let tree = this.store.commit(commit)?.tree;
    for (const part of dir.split("/")) {
      const e = tree ? this.store.tree(tree)?.find((x) => x.name === part && x.type === "tree") : undefined;
      tree = e?.sha;
    }
    return tree;
  }

  private react(ctx: Ctx, subject: ReactionRec["subject"], commentId: number): Reply {
    const content = str(ctx.body.content) ?? "";
    const existing = this.reactionsList.find((x) => x.subject === subject && x.commentId === commentId && x.content === content && x.user.login === ctx.auth.user.login);
    const rec = existing ?? { id: this.ids++, subject, commentId, content, user: ctx.auth.user, createdAt: this.now() };
    if (!existing) this.reactionsList.push(rec);
    return { status: existing ? 200 : 201, body: { id: rec.id, node_id: `REA_kw${rec.id}`, user: this.userJson(rec.user), content: rec.content, created_at: rec.createdAt } };
  }

  private applyCheckRun(run: CheckRunRec, b: Record<string, unknown>, creating: boolean): void {
    const out = b.output as Record<string, unknown> | undefined;
    const annotations = (out?.annotations as FakeAnnotation[] | undefined) ?? [];
    if (annotations.length > 50) throw new HttpError(422, "Only 50 annotations are allowed per request (fake)");
    for (const a of annotations) {
      if (a.end_line < a.start_line) throw new HttpError(422, "Validation Failed", [{ resource: "CheckRun", code: "custom", field: "annotations", message: "end_line must be >= start_line (fake)" }]);
      if ((a.start_column !== undefined || a.end_column !== undefined) && a.start_line !== a.end_line)
        throw new HttpError(422, "Validation Failed", [{ resource: "CheckRun", code: "custom", field: "annotations", message: "start_column and end_column are only allowed when start_line equals end_line (fake)" }]);
      if (a.title !== undefined && chars(a.title) > 255) throw new HttpError(422, "Validation Failed", [{ resource: "CheckRun", code: "custom", field: "annotations", message: "title is too long (maximum is 255 characters) (fake)" }]);
      for (const f of ["message", "raw_details"] as const) {
        const v = a[f];
        if (v !== undefined && Buffer.byteLength(v) > 65535) throw new HttpError(422, "Validation Failed", [{ resource: "CheckRun", code: "custom", field: "annotations", message: `${f} is too long (maximum is 64 KB) (fake)` }]);
      }
    }
    for (const f of ["summary", "text"] as const) {
      const v = str(out?.[f]);
      if (v !== undefined && chars(v) > 65535) throw new HttpError(422, `Invalid request.\n\nOnly 65535 characters are allowed; ${chars(v)} were supplied.`);
    }
    const status = str(b.status);
    const conclusion = str(b.conclusion);
    if (status === "completed" && !conclusion && !(run.conclusion && !creating)) throw new HttpError(422, "Invalid request.\n\nconclusion is required when status is completed (fake)");
    if (str(b.completed_at) && !conclusion && !run.conclusion) throw new HttpError(422, "Invalid request.\n\nconclusion is required with completed_at (fake)");
    if (conclusion === "stale") throw new HttpError(422, "Invalid request.\n\nOnly GitHub can set a conclusion of stale (fake)");
    if (typeof b.name === "string") run.name = b.name;
    if (status) run.status = status;
    if (conclusion) {
      run.conclusion = conclusion;
      run.status = "completed";
    }
    if (run.status === "completed") run.completedAt = str(b.completed_at) ?? run.completedAt ?? this.now();
    if (str(b.started_at)) run.startedAt = str(b.started_at)!;
    if (b.external_id !== undefined) run.externalId = str(b.external_id) ?? null;
    if (b.details_url !== undefined) run.detailsUrl = str(b.details_url) ?? null;
    if (out) {
      run.output = {
        title: str(out.title) ?? run.output.title,
        summary: str(out.summary) ?? run.output.summary,
        text: str(out.text) ?? run.output.text,
      };
      run.annotations.push(...annotations);
    }
    if (Array.isArray(b.actions)) run.actions = b.actions as CheckRunRec["actions"];
    run.writes++;
  }

  private createReview(ctx: Ctx): Reply {
    const repo = this.repoOf(ctx);
    const n = Number(ctx.params.pull_number);
    const pr = this.mustPull(repo, n);
    const b = ctx.body;
    const commitId = str(b.commit_id) ?? pr.headSha;
    const prCommits = new Set(this.store.commitsBetween(this.store.mergeBase(this.baseShaOf(pr), pr.headSha) ?? this.baseShaOf(pr), pr.headSha));
    if (commitId !== pr.headSha) {
      if (!prCommits.has(commitId)) throw new HttpError(422, "Unprocessable Entity", ["Commit SHA is not part of the pull request (fake)"]);
      if (this.opts.staleCommitId === "reject")
        throw new HttpError(422, "Unprocessable Entity", [`commit_id ${commitId} is not the head of the pull request (${pr.headSha}); fake GitHub strict mode rejects stale reviews`]);
    }
    const event = str(b.event);
    const body = str(b.body) ?? "";
    const tl = tooLong("PullRequestReview", body);
    if (tl) throw tl;
    const comments = (b.comments as Record<string, unknown>[] | undefined) ?? [];
    if ((event === "REQUEST_CHANGES" || event === "COMMENT") && body === "" && comments.length === 0)
      throw new HttpError(422, "Unprocessable Entity", [`Review body is required when event is ${event} (fake)`]);
    if (event === undefined && this.reviewsList.some((r) => r.repoKey === repo.key && r.pull === n && r.state === "PENDING" && r.user.login === ctx.auth.user.login))
      throw new HttpError(422, "Unprocessable Entity", ["User can only have one pending review per pull request"]);
    // The diff the comments are checked against is the one of `commitId`.
    const entries = commitId === pr.headSha ? this.prDiff(pr) : this.diffEntries(repo, this.store.mergeBase(this.baseShaOf(pr), commitId) ?? this.baseShaOf(pr), commitId);
    const problems = new Set<string>();
    for (const c of comments) {
      const cb = str(c.body) ?? "";
      const err = tooLong("PullRequestReviewComment", cb);
      if (err) throw err;
      const entry = entries.find((e) => e.filename === c.path);
      for (const e of this.threadErrors(entry, { line: num(c.line), side: str(c.side), startLine: num(c.start_line), startSide: str(c.start_side), position: num(c.position) })) problems.add(e);
    }
    if (problems.size) throw new HttpError(422, "Unprocessable Entity", [listJoin([...problems])]);

    const now = this.now();
    const state: ReviewRec["state"] = event === "APPROVE" ? "APPROVED" : event === "REQUEST_CHANGES" ? "CHANGES_REQUESTED" : event === "COMMENT" ? "COMMENTED" : "PENDING";
    const review: ReviewRec = { id: this.ids++, nodeId: "", repoKey: repo.key, pull: n, user: ctx.auth.user, body, state, commitId, submittedAt: state === "PENDING" ? null : now };
    review.nodeId = `PRR_kw${review.id}`;
    this.reviewsList.push(review);
    for (const c of comments) {
      const entry = entries.find((e) => e.filename === c.path)!;
      const side = (str(c.side) ?? "RIGHT") as "LEFT" | "RIGHT";
      let line = num(c.line);
      const position = num(c.position);
      if (line === undefined && position !== undefined)
        for (const h of entry.hunks) for (const l of h.lines) if (l.position === position) line = (side === "RIGHT" ? l.newLine : l.oldLine) ?? undefined;
      const startLine = num(c.start_line) ?? null;
      const diffLine = entry.hunks.flatMap((h) => h.lines).find((l) => (side === "RIGHT" ? l.newLine === line : l.oldLine === line));
      const rec: ReviewCommentRec = {
        id: this.ids++,
        nodeId: "",
        repoKey: repo.key,
        pull: n,
        reviewId: review.id,
        threadId: "",
        path: entry.filename,
        side,
        startSide: startLine !== null ? ((str(c.start_side) ?? side) as "LEFT" | "RIGHT") : null,
        line: line!,
        startLine,
        originalLine: line!,
        originalStartLine: startLine,
        commitId,
        originalCommitId: commitId,
        diffHunk: diffHunkUpTo(fileDiff({ filename: entry.filename, status: entry.status, patch: entry.patch ?? null }), line!, side) ?? "",
        position: diffLine?.position ?? null,
        originalPosition: diffLine?.position ?? 0,
        body: str(c.body) ?? "",
        user: ctx.auth.user,
        createdAt: now,
        updatedAt: now,
      };
      rec.nodeId = `PRRC_kw${rec.id}`;
      const thread: ThreadRec = { id: `PRRT_kw${rec.id}`, repoKey: repo.key, pull: n, commentIds: [rec.id], isResolved: false, isOutdated: false };
      rec.threadId = thread.id;
      this.threadsById.set(thread.id, thread);
      this.reviewComments.push(rec);
    }
    return { status: 200, body: this.reviewJson(review) };
  }

  // ------------------------------------------------------------ GraphQL

  private graphql(ctx: Ctx): Reply {
    const query = str(ctx.body.query) ?? "";
    const variables = (ctx.body.variables as Record<string, GqlValue> | undefined) ?? {};
    const viewer = ctx.auth.user;
    const actorObj = (u: FakeUser): GqlObject => ({ __typename: u.type === "Bot" ? "Bot" : "User", login: u.login, id: `U_kg${u.id}`, databaseId: u.id });

    const connection = <T>(items: T[], args: Record<string, GqlValue>, field: string, map: (t: T) => GqlObject): GqlObject => {
      const first = typeof args.first === "number" ? args.first : undefined;
      const last = typeof args.last === "number" ? args.last : undefined;
      if (first === undefined && last === undefined) throw gqlFieldError(`You must provide a \`first\` or \`last\` value to properly paginate the \`${field}\` connection.`, "MISSING_PAGINATION_BOUNDARIES");
      const n = (first ?? last)!;
      if (n > 100) throw gqlFieldError(`Requesting ${n} records on the \`${field}\` connection exceeds the \`${first !== undefined ? "first" : "last"}\` limit of 100 records.`, "EXCESSIVE_PAGINATION");
      const after = typeof args.after === "string" ? Number(Buffer.from(args.after, "base64").toString().replace("cursor:", "")) : 0;
      const start = Number.isFinite(after) ? after : 0;
      const slice = first !== undefined ? items.slice(start, start + n) : items.slice(Math.max(start, items.length - n));
      const offset = first !== undefined ? start : Math.max(start, items.length - n);
      const cursor = (i: number): string => Buffer.from(`cursor:${i}`).toString("base64");
      return {
        __typename: `${field}Connection`,
        totalCount: items.length,
        nodes: slice.map(map),
        edges: slice.map((t, i) => ({ __typename: `${field}Edge`, cursor: cursor(offset + i + 1), node: map(t) })),
        pageInfo: {
          __typename: "PageInfo",
          hasNextPage: offset + slice.length < items.length,
          hasPreviousPage: offset > 0,
          endCursor: slice.length ? cursor(offset + slice.length) : null,
          startCursor: slice.length ? cursor(offset + 1) : null,
        },
      };
    };

    const commentObj = (c: ReviewCommentRec): GqlObject => {
      const repo = this.repos.get(c.repoKey)!;
      return {
        __typename: "PullRequestReviewComment",
        id: c.nodeId,
        databaseId: c.id,
        body: c.body,
        path: c.path,
        url: `${HTML}/${repo.owner.login}/${repo.name}/pull/${c.pull}#discussion_r${c.id}`,
        createdAt: c.createdAt,
        updatedAt: c.updatedAt,
        outdated: c.line === null,
        isMinimized: c.minimizedReason !== undefined,
        minimizedReason: c.minimizedReason ?? null,
        author: actorObj(c.user),
        viewerDidAuthor: c.user.login === viewer.login,
        replyTo: c.inReplyTo !== undefined ? commentObj(this.reviewComments.find((x) => x.id === c.inReplyTo)!) : null,
      };
    };

    const threadObj = (t: ThreadRec): GqlObject => {
      const cs = t.commentIds.map((id) => this.reviewComments.find((c) => c.id === id)!);
      const root = cs[0];
      return {
        __typename: "PullRequestReviewThread",
        id: t.id,
        isResolved: t.isResolved,
        isOutdated: t.isOutdated,
        isCollapsed: t.isResolved,
        path: root.path,
        line: root.line,
        startLine: root.startLine,
        originalLine: root.originalLine,
        originalStartLine: root.originalStartLine,
        diffSide: root.side,
        startDiffSide: root.startSide,
        subjectType: "LINE",
        resolvedBy: t.resolvedBy ? actorObj(t.resolvedBy) : null,
        viewerCanResolve: !t.isResolved,
        viewerCanUnresolve: t.isResolved,
        viewerCanReply: true,
        comments: (args: Record<string, GqlValue>) => connection(cs, args, "PullRequestReviewComment", commentObj),
      };
    };

    const pullObj = (pr: PullRec): GqlObject => ({
      __typename: "PullRequest",
      id: pr.nodeId,
      number: pr.number,
      title: pr.title,
      state: pr.merged ? "MERGED" : pr.state.toUpperCase(),
      headRefOid: pr.headSha,
      headRefName: pr.headRef,
      baseRefName: pr.baseRef,
      reviewThreads: (args: Record<string, GqlValue>) =>
        connection(
          [...this.threadsById.values()].filter((t) => t.repoKey === pr.repoKey && t.pull === pr.number && !this.isPendingThread(t, viewer)),
          args,
          "PullRequestReviewThread",
          threadObj,
        ),
    });

    const repoObj = (r: RepoRec): GqlObject => ({
      __typename: "Repository",
      id: r.nodeId,
      databaseId: r.id,
      name: r.name,
      nameWithOwner: `${r.owner.login}/${r.name}`,
      owner: actorObj(r.owner),
      pullRequest: (args: Record<string, GqlValue>) => {
        const pr = this.pulls.get(`${r.key}#${Number(args.number)}`);
        if (!pr) throw gqlFieldError(`Could not resolve to a PullRequest with the number of ${String(args.number)}.`, "NOT_FOUND");
        return pullObj(pr);
      },
    });

    const mutationGuard = (): void => {
      if (ctx.auth.readOnly) throw gqlFieldError("Resource not accessible by integration", "FORBIDDEN");
    };
    const findThread = (input: GqlValue): ThreadRec => {
      const id = input && typeof input === "object" && !Array.isArray(input) ? input.threadId : undefined;
      const t = typeof id === "string" ? this.threadsById.get(id) : undefined;
      if (!t) throw gqlFieldError(`Could not resolve to a node with the global id of '${String(id)}'`, "NOT_FOUND");
      return t;
    };

    const roots = {
      query: {
        __typename: "Query",
        viewer: actorObj(viewer),
        repository: (args: Record<string, GqlValue>) => {
          const r = this.repos.get(`${String(args.owner)}/${String(args.name)}`.toLowerCase());
          if (!r) throw gqlFieldError(`Could not resolve to a Repository with the name '${String(args.owner)}/${String(args.name)}'.`, "NOT_FOUND");
          return repoObj(r);
        },
        node: (args: Record<string, GqlValue>) => {
          const id = String(args.id);
          const t = this.threadsById.get(id);
          if (t) return threadObj(t);
          const c = this.reviewComments.find((x) => x.nodeId === id);
          if (c) return commentObj(c);
          const p = [...this.pulls.values()].find((x) => x.nodeId === id);
          if (p) return pullObj(p);
          return null;
        },
      },
      mutation: {
        __typename: "Mutation",
        resolveReviewThread: (args: Record<string, GqlValue>) => {
          mutationGuard();
          const t = findThread(args.input);
          t.isResolved = true;
          t.resolvedBy = viewer;
          return { __typename: "ResolveReviewThreadPayload", clientMutationId: clientId(args.input), thread: threadObj(t) };
        },
        unresolveReviewThread: (args: Record<string, GqlValue>) => {
          mutationGuard();
          const t = findThread(args.input);
          t.isResolved = false;
          delete t.resolvedBy;
          return { __typename: "UnresolveReviewThreadPayload", clientMutationId: clientId(args.input), thread: threadObj(t) };
        },
        minimizeComment: (args: Record<string, GqlValue>) => {
          mutationGuard();
          const input = args.input as Record<string, GqlValue> | null;
          const subjectId = input ? String(input.subjectId) : "";
          const classifier = input ? String(input.classifier) : "";
          if (!["ABUSE", "DUPLICATE", "OFF_TOPIC", "OUTDATED", "RESOLVED", "SPAM"].includes(classifier))
            throw gqlFieldError(`Argument 'classifier' on InputObject 'MinimizeCommentInput' has an invalid value (${classifier}).`, "INVALID_INPUT");
          const target: { minimizedReason?: string } | undefined =
            this.issueCommentsList.find((c) => c.nodeId === subjectId) ?? this.reviewComments.find((c) => c.nodeId === subjectId);
          if (!target) throw gqlFieldError(`Could not resolve to a node with the global id of '${subjectId}'`, "NOT_FOUND");
          target.minimizedReason = classifier.toLowerCase();
          return {
            __typename: "MinimizeCommentPayload",
            clientMutationId: clientId(input),
            minimizedComment: { __typename: "IssueComment", isMinimized: true, minimizedReason: target.minimizedReason, viewerCanMinimize: true },
          };
        },
      },
    };
    const result = executeGraphQL(query, variables, str(ctx.body.operationName), roots);
    // Everything but "not found"/"forbidden" (legitimate runtime outcomes) is a client bug.
    const contractErrors = (result.errors ?? []).filter((e) => e.type !== "NOT_FOUND" && e.type !== "FORBIDDEN");
    if (contractErrors.length)
      this.violations.push({ method: "POST", url: "/graphql", route: "POST /graphql", errors: contractErrors.map((e) => ({ kind: "graphql" as const, message: e.message })) });
    return { status: 200, body: result as unknown as JsonValue };
  }

  private isPendingThread(t: ThreadRec, viewer: FakeUser): boolean {
    const root = this.reviewComments.find((c) => c.id === t.commentIds[0])!;
    const review = this.reviewsList.find((r) => r.id === root.reviewId);
    return review?.state === "PENDING" && review.user.login !== viewer.login;
  }
}

function clientId(input: GqlValue): string | null {
  return input && typeof input === "object" && !Array.isArray(input) && typeof input.clientMutationId === "string" ? input.clientMutationId : null;
}
