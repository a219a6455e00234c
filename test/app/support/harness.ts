// Test harness for the Probot app: the strict fake GitHub (+ the proxy that adds GraphQL
// `object`, test/support/fake-stack.ts) with this app's GitHub App and installation, a GitHub App
// key pair, and the app loaded either into a Probot instance (receive()) or into a running Probot
// Server (signed HTTP deliveries).
import { generateKeyPairSync, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import type { FakeGitHub } from "../../support/fake-github.js";
import { startFake } from "../../support/fake-stack.js";
import type { Fake } from "../../support/fake-stack.js";
import { freePort } from "../../support/ports.js";
import { pullRequestPayload } from "../../support/webhooks.js";
import type { AdaptOptions, WebhookPayload } from "../../support/webhooks.js";
import { createBulwarkApp } from "../../../src/app/index.js";
import type { BulwarkAppOptions, ReviewEvent } from "../../../src/app/index.js";

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

/** The fake (gh, proxy, assertNoViolations) with the app loaded into a Probot instance. */
export interface Harness extends Fake {
  probot: Probot;
  events: ReviewEvent[];
  /** Deliver an event through probot.receive(). */
  receive(name: string, payload: WebhookPayload, id?: string): Promise<void>;
  /** The proxy and the fake; nock lets connections leave the machine again. */
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

/**
 * The shared fake (test/support/fake-stack.ts) as this app sees it: GitHub App APP_ID (slug
 * "bulwark", so its comments are bulwark[bot]'s) installed on OWNER as INSTALLATION_ID, and nock
 * refusing every connection that does not go to loopback (left so: only startHarness's stop()
 * lifts it).
 */
export async function startAppFake(latencyMs?: number): Promise<Fake> {
  // Nothing may leave the machine: only the loopback fake is reachable.
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  const fake = await startFake({ github: { appId: APP_ID, appSlug: "bulwark" }, ...(latencyMs !== undefined ? { latencyMs } : {}) });
  fake.gh.addInstallation({ id: INSTALLATION_ID, account: OWNER, permissions: { checks: "write", pull_requests: "write", contents: "write", issues: "write", metadata: "read" } });
  return fake;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const fake = await startAppFake(opts.latencyMs);
  const events: ReviewEvent[] = [];
  const probot = new Probot(probotOptions(fake.proxy.url));
  const appOptions: BulwarkAppOptions = { ...TEST_APP_OPTIONS, ...opts.app, onReview: (e) => events.push(e) };
  await probot.load(createBulwarkApp(appOptions));
  return {
    ...fake,
    probot,
    events,
    receive: (name, payload, id) => probot.receive({ id: id ?? randomUUID(), name, payload } as Parameters<Probot["receive"]>[0]),
    stop: async () => {
      await fake.stop();
      nock.enableNetConnect();
    },
  };
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

/** A `pull_request` delivery to the App (with its installation) for a PR of OWNER/REPO in the fake. */
export function prPayload(gh: FakeGitHub, action: "opened" | "synchronize" | "reopened" | "ready_for_review", number: number, extra: AdaptOptions = {}): WebhookPayload {
  return pullRequestPayload(gh, action, { owner: OWNER, repo: REPO, number, installationId: INSTALLATION_ID, ...extra });
}
