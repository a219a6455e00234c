// Webhook payloads for tests: GitHub's own examples from @octokit/webhooks-examples, adapted
// to the repository / pull request / commit a test set up in the fake GitHub, and signed like
// GitHub signs deliveries (x-hub-signature-256).
//
//   const payload = webhookPayload("pull_request", "opened", { owner: "acme", repo: "web",
//     number: pr.number, headSha: pr.headSha, installationId: 7 });
//   await deliverWebhook(`${probotUrl}/api/github/webhooks`, { secret, event: "pull_request", payload });
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { FakeGitHub } from "./fake-github.js";
import type { JsonValue } from "./openapi.js";

export type WebhookPayload = { [key: string]: JsonValue };

interface ExampleGroup {
  name: string;
  description?: string;
  actions?: string[];
  examples: WebhookPayload[];
}

let groups: ExampleGroup[] | undefined;
function loadGroups(): ExampleGroup[] {
  if (!groups) {
    const require = createRequire(import.meta.url);
    const file = require.resolve("@octokit/webhooks-examples/api.github.com/index.json");
    groups = JSON.parse(readFileSync(file, "utf8")) as ExampleGroup[];
  }
  return groups;
}

/** Event names that have examples ("pull_request", "issue_comment", ...). */
export function webhookEvents(): string[] {
  return loadGroups().map((g) => g.name);
}

/**
 * A deep copy of one example payload of `event` (with `action`, when given). `index` picks among
 * several matching examples (default 0; the order is the package's).
 */
export function loadWebhookExample(event: string, action?: string, index = 0): WebhookPayload {
  const group = loadGroups().find((g) => g.name === event);
  if (!group) throw new Error(`no webhook examples for event ${event}`);
  const matching = group.examples.filter((e) => action === undefined || e.action === action);
  const ex = matching[index];
  if (!ex) throw new Error(`no example #${index} for ${event}${action ? `.${action}` : ""} (have ${matching.length})`);
  return structuredClone(ex);
}

export interface AdaptOptions {
  owner?: string;
  repo?: string;
  /** Pull request number (pull_request, issue_comment, check_run/check_suite pull_requests). */
  number?: number;
  headSha?: string;
  baseSha?: string;
  headRef?: string;
  baseRef?: string;
  defaultBranch?: string;
  /** Adds/overrides `installation: { id }` (Probot needs it to authenticate). */
  installationId?: number;
  sender?: string;
  senderType?: "User" | "Bot";
  /** issue_comment: the comment text (slash commands). */
  commentBody?: string;
  commentId?: number;
  /** issue_comment: mark the issue as a pull request (default true when `number` is given). */
  isPullRequest?: boolean;
  /** The head repository is a fork owned by this login. */
  forkOwner?: string;
  /** check_run: name, id, external_id, requested action identifier. */
  checkRunName?: string;
  checkRunId?: number;
  externalId?: string;
  requestedAction?: string;
}

const API = "https://api.github.com";
const HTML = "https://github.com";

function isObject(v: JsonValue | undefined): v is { [k: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function replaceStrings(v: JsonValue, from: string, to: string): JsonValue {
  if (typeof v === "string") return v.split(from).join(to);
  if (Array.isArray(v)) return v.map((x) => replaceStrings(x, from, to));
  if (isObject(v)) {
    const out: { [k: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v)) out[k] = replaceStrings(x, from, to);
    return out;
  }
  return v;
}

/** Rewrite an example payload to point at a test's repository, pull request and commits. */
export function adaptPayload(payload: WebhookPayload, o: AdaptOptions): WebhookPayload {
  const repoIn = payload.repository;
  const oldFull = isObject(repoIn) && typeof repoIn.full_name === "string" ? repoIn.full_name : undefined;
  const owner = o.owner ?? (oldFull ? oldFull.split("/")[0] : "octocat");
  const repo = o.repo ?? (oldFull ? oldFull.split("/")[1] : "hello-world");
  const full = `${owner}/${repo}`;
  let p = (oldFull && oldFull !== full ? replaceStrings(payload, oldFull, full) : structuredClone(payload)) as WebhookPayload;

  const repository = p.repository;
  if (isObject(repository)) {
    repository.name = repo;
    repository.full_name = full;
    if (isObject(repository.owner)) repository.owner.login = owner;
    if (o.defaultBranch) repository.default_branch = o.defaultBranch;
    repository.fork = false;
  }
  if (o.installationId !== undefined) p.installation = { id: o.installationId, node_id: `MDIz${o.installationId}` };
  if (o.sender) {
    const s = isObject(p.sender) ? p.sender : {};
    s.login = o.sender;
    s.type = o.senderType ?? (o.sender.endsWith("[bot]") ? "Bot" : "User");
    p.sender = s;
  }

  const n = o.number;
  const pr = p.pull_request;
  if (isObject(pr)) {
    if (n !== undefined) {
      p.number = n;
      pr.number = n;
      pr.url = `${API}/repos/${full}/pulls/${n}`;
      pr.html_url = `${HTML}/${full}/pull/${n}`;
      pr.issue_url = `${API}/repos/${full}/issues/${n}`;
      pr.diff_url = `${HTML}/${full}/pull/${n}.diff`;
      pr.comments_url = `${API}/repos/${full}/issues/${n}/comments`;
      pr.review_comments_url = `${API}/repos/${full}/pulls/${n}/comments`;
      pr.statuses_url = o.headSha ? `${API}/repos/${full}/statuses/${o.headSha}` : pr.statuses_url;
    }
    const head = pr.head;
    const base = pr.base;
    if (isObject(head)) {
      if (o.headSha) head.sha = o.headSha;
      if (o.headRef) head.ref = o.headRef;
      const headOwner = o.forkOwner ?? owner;
      head.label = `${headOwner}:${String(head.ref)}`;
      if (isObject(repository)) {
        const hr = structuredClone(repository);
        if (o.forkOwner) {
          hr.full_name = `${o.forkOwner}/${repo}`;
          hr.fork = true;
          if (isObject(hr.owner)) hr.owner.login = o.forkOwner;
          hr.id = Number(hr.id) + 1;
        }
        head.repo = hr;
      }
    }
    if (isObject(base)) {
      if (o.baseSha) base.sha = o.baseSha;
      if (o.baseRef) base.ref = o.baseRef;
      base.label = `${owner}:${String(base.ref)}`;
      if (isObject(repository)) base.repo = structuredClone(repository);
    }
    if (o.sender && isObject(pr.user)) pr.user.login = o.sender;
  }

  const issue = p.issue;
  if (isObject(issue)) {
    if (n !== undefined) {
      issue.number = n;
      issue.url = `${API}/repos/${full}/issues/${n}`;
      issue.html_url = `${HTML}/${full}/${o.isPullRequest === false ? "issues" : "pull"}/${n}`;
      issue.comments_url = `${API}/repos/${full}/issues/${n}/comments`;
    }
    if (o.isPullRequest ?? n !== undefined) {
      issue.pull_request = {
        url: `${API}/repos/${full}/pulls/${String(issue.number)}`,
        html_url: `${HTML}/${full}/pull/${String(issue.number)}`,
        diff_url: `${HTML}/${full}/pull/${String(issue.number)}.diff`,
        patch_url: `${HTML}/${full}/pull/${String(issue.number)}.patch`,
        merged_at: null,
      };
    } else if (o.isPullRequest === false) delete issue.pull_request;
  }
  const comment = p.comment;
  if (isObject(comment)) {
    if (o.commentBody !== undefined) comment.body = o.commentBody;
    if (o.commentId !== undefined) comment.id = o.commentId;
    if (o.sender && isObject(comment.user)) {
      comment.user.login = o.sender;
      comment.user.type = o.senderType ?? (o.sender.endsWith("[bot]") ? "Bot" : "User");
    }
    if (n !== undefined) comment.issue_url = `${API}/repos/${full}/issues/${n}`;
  }

  const prRef = (): JsonValue => ({
    url: `${API}/repos/${full}/pulls/${n}`,
    id: Number(n) + 100000,
    number: n ?? 1,
    head: { ref: o.headRef ?? "feature", sha: o.headSha ?? "0".repeat(40), repo: { id: 1, url: `${API}/repos/${full}`, name: repo } },
    base: { ref: o.baseRef ?? "main", sha: o.baseSha ?? "0".repeat(40), repo: { id: 1, url: `${API}/repos/${full}`, name: repo } },
  });
  for (const key of ["check_run", "check_suite"] as const) {
    const c = p[key];
    if (!isObject(c)) continue;
    if (o.headSha) c.head_sha = o.headSha;
    if (o.headRef) c.head_branch = o.headRef;
    if (n !== undefined) c.pull_requests = [prRef()];
    if (key === "check_run") {
      if (o.checkRunName) c.name = o.checkRunName;
      if (o.checkRunId !== undefined) c.id = o.checkRunId;
      if (o.externalId !== undefined) c.external_id = o.externalId;
      if (o.headSha && isObject(c.check_suite)) c.check_suite.head_sha = o.headSha;
    }
  }
  if (o.requestedAction) p.requested_action = { identifier: o.requestedAction };
  p = p as WebhookPayload;
  return p;
}

/** `loadWebhookExample` + `adaptPayload`. */
export function webhookPayload(event: string, action: string | undefined, opts: AdaptOptions = {}, index = 0): WebhookPayload {
  return adaptPayload(loadWebhookExample(event, action, index), opts);
}

/**
 * The `pull_request` payload GitHub sends for pull request `o.number` of `o.owner/o.repo` in the
 * fake, at this moment: head and base SHAs and refs from the fake, default branch "main",
 * `changed_files`, `review_comments` (the PR's review comments so far) and `state: "open"`. The
 * other options pass through to adaptPayload (and override the fake's values): the App's
 * deliveries add `installationId`, an Action's event payload has none.
 */
export function pullRequestPayload(gh: FakeGitHub, action: string, o: AdaptOptions & { owner: string; repo: string; number: number }): WebhookPayload {
  const pull = gh.pull(o.owner, o.repo, o.number) as { head: { sha: string; ref: string }; base: { sha: string; ref: string }; changed_files: number };
  const payload = webhookPayload("pull_request", action, {
    headSha: pull.head.sha,
    headRef: pull.head.ref,
    baseSha: pull.base.sha,
    baseRef: pull.base.ref,
    defaultBranch: "main",
    ...o,
  });
  const pr = payload.pull_request as Record<string, unknown>;
  pr.changed_files = pull.changed_files;
  pr.review_comments = gh.reviewCommentsOf(o.owner, o.repo, o.number).length;
  pr.state = "open";
  return payload;
}

/** The `x-hub-signature-256` header value GitHub sends: "sha256=" + HMAC-SHA256(secret, body). */
export function signPayload(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Headers and body of a webhook delivery as GitHub sends it. */
export function webhookRequest(opts: { secret: string; event: string; payload: WebhookPayload; deliveryId?: string }): {
  headers: Record<string, string>;
  body: string;
} {
  const body = JSON.stringify(opts.payload);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/fake",
      "x-github-event": opts.event,
      "x-github-delivery": opts.deliveryId ?? randomUUID(),
      "x-github-hook-id": "1",
      "x-hub-signature-256": signPayload(opts.secret, body),
    },
  };
}

/** POST a signed delivery to a webhook endpoint (e.g. Probot's /api/github/webhooks). */
export async function deliverWebhook(
  url: string,
  opts: { secret: string; event: string; payload: WebhookPayload; deliveryId?: string },
): Promise<{ status: number; text: string }> {
  const { headers, body } = webhookRequest(opts);
  const res = await fetch(url, { method: "POST", headers, body });
  return { status: res.status, text: await res.text() };
}
