// Test harness for the Probot app: the strict fake GitHub (+ the proxy that adds GraphQL
// `object`), a GitHub App key pair, and the app loaded either into a Probot instance (receive())
// or into a running Probot Server (signed HTTP deliveries).
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { FakeGitHub } from "../../support/fake-github.js";
import { webhookPayload } from "../../support/webhooks.js";
import type { AdaptOptions, WebhookPayload } from "../../support/webhooks.js";
import { createBulwarkApp } from "../../../src/app/index.js";
import type { BulwarkAppOptions, ReviewEvent } from "../../../src/app/index.js";
import { GitHubProxy } from "../../support/github-proxy.js";

export const APP_ID = 4242;
export const INSTALLATION_ID = 7;
export const SECRET = "test-webhook-secret";
export const OWNER = "acme";
export const REPO = "web";

let key: string | undefined;
function privateKey(): string {
  key ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return key;
}

const silent = pino({ level: "silent" });

export interface Harness {
  gh: FakeGitHub;
  proxy: GitHubProxy;
  probot: Probot;
  events: ReviewEvent[];
  /** Deliver an event through probot.receive(). */
  receive(name: string, payload: WebhookPayload, id?: string): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  app?: BulwarkAppOptions;
  latencyMs?: number;
}

/** Fast, deterministic defaults for tests: no write spacing; retries fast. */
export const TEST_APP_OPTIONS: BulwarkAppOptions = {
  rateLimits: { throttle: false, retryAfterBaseValue: 10, serverErrorRetries: 1 },
};

export function probotOptions(baseUrl: string) {
  return {
    appId: APP_ID,
    privateKey: privateKey(),
    secret: SECRET,
    baseUrl,
    log: silent,
    // Probot's own client is used only to obtain installation tokens.
    Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
  };
}

export async function startFake(latencyMs?: number): Promise<{ gh: FakeGitHub; proxy: GitHubProxy }> {
  // Nothing may leave the machine: only the loopback fake is reachable.
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  const gh = await FakeGitHub.start({ appId: APP_ID, appSlug: "bulwark" });
  gh.addInstallation({ id: INSTALLATION_ID, account: OWNER, permissions: { checks: "write", pull_requests: "write", contents: "write", issues: "write", metadata: "read" } });
  const proxy = await GitHubProxy.start(gh, { ...(latencyMs !== undefined ? { latencyMs } : {}) });
  return { gh, proxy };
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const { gh, proxy } = await startFake(opts.latencyMs);
  const events: ReviewEvent[] = [];
  const probot = new Probot(probotOptions(proxy.url));
  const appOptions: BulwarkAppOptions = { ...TEST_APP_OPTIONS, ...opts.app, onReview: (e) => events.push(e) };
  await probot.load(createBulwarkApp(appOptions));
  return {
    gh,
    proxy,
    probot,
    events,
    receive: (name, payload, id) => probot.receive({ id: id ?? randomUUID(), name, payload } as Parameters<Probot["receive"]>[0]),
    stop: async () => {
      await proxy.stop();
      await gh.stop();
      nock.enableNetConnect();
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A running Probot Server with the app, for signed HTTP deliveries. */
export async function startServer(baseUrl: string, app: BulwarkAppOptions): Promise<{ url: string; stop: () => Promise<void> }> {
  // Probot's Server treats port 0 as "use 3000": pick a free port instead.
  const port = await freePort();
  const server = new Server({ host: "127.0.0.1", port, log: silent, Probot: Probot.defaults(probotOptions(baseUrl)) });
  await server.load(createBulwarkApp({ ...TEST_APP_OPTIONS, ...app }));
  const http = await server.start();
  const { port: actual } = http.address() as AddressInfo;
  return { url: `http://127.0.0.1:${actual}`, stop: () => server.stop() };
}

/** A `pull_request` payload from @octokit/webhooks-examples, adapted to a PR in the fake. */
export function prPayload(gh: FakeGitHub, action: "opened" | "synchronize" | "reopened" | "ready_for_review", number: number, extra: AdaptOptions = {}): WebhookPayload {
  const pull = gh.pull(OWNER, REPO, number) as { head: { sha: string; ref: string }; base: { sha: string; ref: string }; changed_files: number };
  const payload = webhookPayload("pull_request", action, {
    owner: OWNER,
    repo: REPO,
    number,
    headSha: pull.head.sha,
    headRef: pull.head.ref,
    baseSha: pull.base.sha,
    baseRef: pull.base.ref,
    defaultBranch: "main",
    installationId: INSTALLATION_ID,
    ...extra,
  });
  const pr = payload.pull_request as Record<string, unknown>;
  // What GitHub's payload says about the pull request at delivery time.
  pr.changed_files = pull.changed_files;
  pr.review_comments = gh.reviewCommentsOf(OWNER, REPO, number).length;
  pr.state = "open";
  return payload;
}
