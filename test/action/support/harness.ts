// Runs the BUILT action (a fresh esbuild bundle of src/action/index.ts, made exactly like
// `npm run build` makes dist/index.js) in a child process against the strict fake GitHub, the
// way a runner does: INPUT_* variables, GITHUB_EVENT_NAME/PATH, GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY, GITHUB_WORKSPACE, GITHUB_API_URL/GITHUB_GRAPHQL_URL on loopback.
//
// GraphQL `object(expression:)` (file contents) is answered by the loopback proxy
// (test/support/github-proxy.ts), which forwards everything else to the fake, where each
// request is validated against GitHub's OpenAPI description. The tests start the pair with
// test/support/fake-stack.ts's startFake() (no GitHub App: the action uses the job's token).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { FakeGitHub } from "../../support/fake-github.js";
import type { Fake } from "../../support/fake-stack.js";
import { adaptPayload, loadWebhookExample, pullRequestPayload } from "../../support/webhooks.js";
import type { WebhookPayload } from "../../support/webhooks.js";

export const OWNER = "acme";
export const REPO = "web";
export const TOKEN = "ghs_action_test_token";

interface BuildModule {
  bundleAction(outdir: string): Promise<string[]>;
}

let bundleDir: string | undefined;

/**
 * Bundle the action once per test file (same esbuild options as dist/). With
 * BULWARK_ACTION_DIST=<dir> (e.g. `dist`), the tests run that prebuilt bundle instead, e.g. the
 * committed dist/ after `npm run build`.
 */
export async function buildAction(): Promise<string> {
  const prebuilt = process.env.BULWARK_ACTION_DIST;
  if (prebuilt) return join(prebuilt.startsWith("/") ? prebuilt : join(fileURLToPath(new URL("../../..", import.meta.url)), prebuilt), "index.js");
  if (bundleDir) return join(bundleDir, "index.js");
  const dir = mkdtempSync(join(tmpdir(), "bulwark-action-dist-"));
  const url = new URL("../../../scripts/build.mjs", import.meta.url).href;
  const mod = (await import(url)) as BuildModule;
  await mod.bundleAction(dir);
  bundleDir = dir;
  return join(dir, "index.js");
}

export function removeBuild(): void {
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  bundleDir = undefined;
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  workspace: string;
  ms: number;
}

export interface RunOptions {
  event: string;
  payload: WebhookPayload;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  token?: string;
}

interface ActionMetadata {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
  branding: { icon: string; color: string };
}

/** action.yml, parsed. */
export function actionMetadata(): ActionMetadata {
  return parse(readFileSync(new URL("../../../action.yml", import.meta.url), "utf8")) as ActionMetadata;
}

/** The defaults a runner fills in from action.yml (`github-token`'s expression aside). */
export const ACTION_DEFAULTS: Record<string, string> = Object.fromEntries(
  Object.entries(actionMetadata().inputs)
    .filter(([name]) => name !== "github-token")
    .map(([name, spec]) => [name, spec.default ?? ""]),
);

/** Parse $GITHUB_OUTPUT (`name<<delimiter\nvalue\ndelimiter` blocks). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (m) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
      out[m[1]!] = value.join("\n");
    } else if (lines[i]!.includes("=")) {
      const [k, ...v] = lines[i]!.split("=");
      out[k!] = v.join("=");
    }
  }
  return out;
}

export async function runAction(bundle: string, fake: Fake, o: RunOptions): Promise<ActionRun> {
  const workspace = mkdtempSync(join(tmpdir(), "bulwark-action-ws-"));
  const eventPath = join(workspace, "..", `${workspace.split("/").pop()}-event.json`);
  writeFileSync(eventPath, JSON.stringify(o.payload));
  const outputPath = join(workspace, "..", `${workspace.split("/").pop()}-output`);
  const summaryPath = join(workspace, "..", `${workspace.split("/").pop()}-summary.md`);
  writeFileSync(outputPath, "");
  writeFileSync(summaryPath, "");
  const inputs = { ...ACTION_DEFAULTS, "github-token": o.token ?? TOKEN, ...o.inputs };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? tmpdir(),
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: o.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_API_URL: fake.proxy.url,
    GITHUB_GRAPHQL_URL: `${fake.proxy.url}/graphql`,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: tmpdir(),
    ...o.env,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const started = Date.now();
  const res = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    // Async spawn: the fake GitHub answers from this process's event loop.
    const child = spawn(process.execPath, [bundle], { env, cwd: workspace, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  const ms = Date.now() - started;
  const run: ActionRun = {
    ...res,
    outputs: parseOutputFile(readFileSync(outputPath, "utf8")),
    summary: readFileSync(summaryPath, "utf8"),
    workspace,
    ms,
  };
  for (const p of [eventPath, outputPath, summaryPath]) if (existsSync(p)) rmSync(p);
  return run;
}

// ---------------------------------------------------------------- payloads

/** A `pull_request` event payload (webhooks-examples; no installation, unlike the App's deliveries) for a pull request of OWNER/REPO in the fake. */
export function prEvent(gh: FakeGitHub, number: number, opts: { action?: string; forkOwner?: string } = {}): WebhookPayload {
  return pullRequestPayload(gh, opts.action ?? "opened", { owner: OWNER, repo: REPO, number, ...(opts.forkOwner ? { forkOwner: opts.forkOwner } : {}) });
}

/** A `merge_group.checks_requested` payload for a queue branch of the fake. */
export function mergeGroupEvent(headSha: string, baseSha: string, headRef: string): WebhookPayload {
  const payload = adaptPayload(loadWebhookExample("merge_group", "checks_requested"), { owner: OWNER, repo: REPO, defaultBranch: "main" });
  const mg = payload.merge_group as Record<string, unknown>;
  mg.head_sha = headSha;
  mg.base_sha = baseSha;
  mg.head_ref = `refs/heads/${headRef}`;
  mg.base_ref = "refs/heads/main";
  (mg.head_commit as Record<string, unknown>).id = headSha;
  return payload;
}

/** A branch `push` payload. */
export function pushEvent(before: string, after: string, branch: string): WebhookPayload {
  const payload = adaptPayload(loadWebhookExample("push", undefined, 4), { owner: OWNER, repo: REPO, defaultBranch: "main" });
  payload.ref = `refs/heads/${branch}`;
  payload.before = before;
  payload.after = after;
  payload.created = /^0+$/.test(before);
  payload.deleted = false;
  payload.forced = false;
  payload.compare = `https://github.com/${OWNER}/${REPO}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`;
  return payload;
}

/** A `workflow_dispatch` payload. */
export function dispatchEvent(): WebhookPayload {
  const payload = adaptPayload(loadWebhookExample("workflow_dispatch"), { owner: OWNER, repo: REPO, defaultBranch: "main" });
  payload.ref = "refs/heads/main";
  return payload;
}

// ---------------------------------------------------------------- stdout helpers

/** Workflow commands of one kind (`::error file=…,line=…::message`) in stdout. */
export function commands(stdout: string, kind: "error" | "warning" | "notice"): { props: Record<string, string>; message: string }[] {
  const out: { props: Record<string, string>; message: string }[] = [];
  for (const line of stdout.split("\n")) {
    const m = new RegExp(`^::${kind}(?: ([^:]*))?::(.*)$`).exec(line);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const kv of (m[1] ?? "").split(",").filter(Boolean)) {
      const i = kv.indexOf("=");
      props[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1));
    }
    out.push({ props, message: m[2]! });
  }
  return out;
}
