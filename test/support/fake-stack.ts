// The strict fake GitHub with the proxy in front of it (GraphQL `object(expression:)`, latency,
// request log): what the app, action and production tests and the benchmarks point their clients
// at. The app harness (test/app/support/harness.ts) adds its GitHub App installation on top.
//
//   const fake = await startFake();                 // or { latencyMs: 50, github: { appId, ... } }
//   new Octokit({ auth: "t", baseUrl: fake.proxy.url });
//   afterEach: fake.assertNoViolations(); await fake.stop();
import { FakeGitHub } from "./fake-github.js";
import type { FakeGitHubOptions } from "./fake-github.js";
import { GitHubProxy } from "./github-proxy.js";

export interface Fake {
  gh: FakeGitHub;
  /** Where clients go: `object` queries are answered here, everything else reaches `gh` through it. */
  proxy: GitHubProxy;
  /** Both layers: the fake's OpenAPI contract checks, then the proxy's GraphQL checks. */
  assertNoViolations(): void;
  /** The proxy, then the fake. */
  stop(): Promise<void>;
}

export interface FakeOptions {
  /** Added by the proxy before every answer. */
  latencyMs?: number;
  /** Passed to FakeGitHub.start (default: its defaults, App id 4242). */
  github?: FakeGitHubOptions;
}

export async function startFake(opts: FakeOptions = {}): Promise<Fake> {
  const gh = await FakeGitHub.start(opts.github);
  const proxy = await GitHubProxy.start(gh, opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {});
  return {
    gh,
    proxy,
    assertNoViolations: () => proxy.assertNoViolations(),
    stop: async () => {
      await proxy.stop();
      await gh.stop();
    },
  };
}
