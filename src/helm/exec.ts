// Running helm / kustomize / kubectl for a review: a bounded child process with no shell, no
// inherited credentials and no usable network, so that rendering a pull request's chart is the
// template engine and nothing else.
import { spawnSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export interface ToolRun {
  ok: boolean;
  stdout: string;
  stderr: string;
  /** Why the run failed, in one short paragraph (exit status, timeout, helm's "Error:" lines). */
  error?: string;
  timedOut?: boolean;
}

export const DEFAULT_TIMEOUT_MS = 20_000;
const MAX_OUTPUT = 64 * 1024 * 1024;
/** Proxies that go nowhere: a chart or overlay that tries the network fails instead of fetching. */
const DEAD_PROXY = "http://127.0.0.1:9";

/** The executable `name` on PATH (or undefined): what `which` would say, without running anything. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    for (const candidate of process.platform === "win32" ? [`${name}.exe`, `${name}.cmd`, name] : [name]) {
      const full = join(dir, candidate);
      try {
        if (!statSync(full).isFile()) continue;
        accessSync(full, constants.X_OK);
        return full;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * Runs `file args…` in `cwd` with a scrubbed environment: PATH only from the caller, HOME and
 * every HELM_* / XDG_* directory in a fresh temp dir (no plugins, repositories, registry logins or
 * kubeconfig), proxies pointing at a dead port, and a hard timeout.
 */
export function runTool(file: string, args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; allowNetwork?: boolean }): ToolRun {
  const home = mkdtempSync(join(tmpdir(), "bulwark-render-"));
  try {
    const env: NodeJS.ProcessEnv = {
      PATH: opts.env?.PATH ?? process.env.PATH ?? "",
      HOME: home,
      XDG_CACHE_HOME: join(home, "cache"),
      XDG_CONFIG_HOME: join(home, "config"),
      XDG_DATA_HOME: join(home, "data"),
      HELM_CACHE_HOME: join(home, "helm-cache"),
      HELM_CONFIG_HOME: join(home, "helm-config"),
      HELM_DATA_HOME: join(home, "helm-data"),
      HELM_PLUGINS: join(home, "helm-plugins"),
      HELM_NO_PLUGINS: "1",
      HELM_REGISTRY_CONFIG: join(home, "registry.json"),
      HELM_REPOSITORY_CONFIG: join(home, "repositories.yaml"),
      KUBECONFIG: join(home, "kubeconfig"),
      HTTP_PROXY: DEAD_PROXY,
      HTTPS_PROXY: DEAD_PROXY,
      ALL_PROXY: DEAD_PROXY,
      http_proxy: DEAD_PROXY,
      https_proxy: DEAD_PROXY,
      all_proxy: DEAD_PROXY,
      NO_PROXY: "",
      no_proxy: "",
      GIT_TERMINAL_PROMPT: "0",
      GIT_SSH_COMMAND: "false",
      GIT_CONFIG_NOSYSTEM: "1",
      LANG: "C",
      // Only remote Kustomize bases, when the caller opts in, may fetch (git over https).
      ...(opts.allowNetwork ? { HTTP_PROXY: "", HTTPS_PROXY: "", ALL_PROXY: "", http_proxy: "", https_proxy: "", all_proxy: "" } : {}),
    };
    const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const res = spawnSync(file, [...args], { cwd: opts.cwd, env, encoding: "utf8", timeout, killSignal: "SIGKILL", maxBuffer: MAX_OUTPUT, shell: false, windowsHide: true });
    const stdout = res.stdout ?? "";
    const stderr = res.stderr ?? "";
    if (res.error && (res.error as NodeJS.ErrnoException).code === "ETIMEDOUT") {
      return { ok: false, stdout, stderr, timedOut: true, error: `timed out after ${timeout >= 1000 ? Math.round(timeout / 1000) : timeout / 1000} s` };
    }
    if (res.error) return { ok: false, stdout, stderr, error: res.error.message };
    if (res.status !== 0) return { ok: false, stdout, stderr, error: toolError(stderr) || `exited with status ${res.status ?? res.signal}` };
    return { ok: true, stdout, stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** The part of a tool's stderr worth showing: its "Error:" lines (else the last lines), without colours, capped. */
export function toolError(stderr: string, max = 600): string {
  // eslint-disable-next-line no-control-regex
  const clean = stderr.replace(/\u001b\[[0-9;]*m/g, "").trim();
  if (!clean) return "";
  const lines = clean.split(/\r?\n/);
  const from = lines.findIndex((l) => /^(?:Error|error)\b/.test(l));
  const picked = (from >= 0 ? lines.slice(from) : lines.slice(-5)).join("\n").trim();
  return picked.length > max ? `${picked.slice(0, max - 1)}…` : picked;
}
