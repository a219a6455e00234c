// `helm template` for a review (I/O edge: the CLI uses it, the pure core never does). The chart
// is copied to a temp directory first: regular files only (symlinks could make `.Files.Get` read
// outside the chart), with the caller's in-memory texts (e.g. after --fix) laid over it, so that
// what helm renders is exactly what Bulwark maps back.
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { DEFAULT_TIMEOUT_MS, findExecutable, runTool } from "./exec.js";
import type { ToolRun } from "./exec.js";

export interface StageLimits {
  maxFiles: number;
  maxBytes: number;
}

const DEFAULT_STAGE_LIMITS: StageLimits = { maxFiles: 5000, maxBytes: 100 * 1024 * 1024 };
const SKIP_DIRS = new Set([".git", "node_modules", ".terraform", ".venv", "__pycache__"]);

export class StageError extends Error {}

/**
 * Copies the regular files under `src` to a new temp directory and writes `overlays` (relative
 * POSIX path → text) over those files. Returns the directory; the caller removes it.
 */
export function stageTree(src: string, overlays: ReadonlyMap<string, string> = new Map(), limits: StageLimits = DEFAULT_STAGE_LIMITS): string {
  const dest = mkdtempSync(join(tmpdir(), "bulwark-stage-"));
  let files = 0;
  let bytes = 0;
  const copied = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      const st = lstatSync(abs);
      if (st.isSymbolicLink()) continue;
      if (st.isDirectory()) {
        if (!SKIP_DIRS.has(name)) walk(abs);
        continue;
      }
      if (!st.isFile()) continue;
      files++;
      bytes += st.size;
      if (files > limits.maxFiles || bytes > limits.maxBytes) throw new StageError(`more than ${limits.maxFiles} files or ${Math.round(limits.maxBytes / 1024 / 1024)} MB under ${src}: not rendered`);
      const to = join(dest, relative(src, abs));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(abs, to);
      copied.add(relative(src, abs).split(sep).join("/"));
    }
  };
  try {
    walk(src);
    for (const [rel, text] of overlays) {
      // Only files that are regular files in the tree: a symlink's target stays out even when
      // the caller has read it (the plain scan follows links).
      if (!copied.has(rel)) continue;
      const to = join(dest, ...rel.split("/"));
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, text);
    }
  } catch (err) {
    rmSync(dest, { recursive: true, force: true });
    throw err;
  }
  return dest;
}

/** Every regular file under `dir` as POSIX paths relative to it. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const abs = join(d, name);
      const st = lstatSync(abs);
      if (st.isDirectory()) walk(abs);
      else if (st.isFile()) out.push(relative(dir, abs).split(sep).join("/"));
    }
  };
  walk(dir);
  return out;
}

export function findHelm(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findExecutable("helm", env);
}

export interface HelmTemplateOptions {
  helm: string;
  /** Release name; the chart name keeps `<release>-<chart>` names short and recognisable. */
  release: string;
  /** Values files relative to the chart directory, in precedence order. */
  valuesFiles: readonly string[];
  namespace?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * `helm template <release> . -f … --namespace default` inside `chartDir`. Never
 * `--dependency-update`, never a repository: dependencies must already be in charts/.
 */
export function helmTemplate(chartDir: string, opts: HelmTemplateOptions): ToolRun {
  const args = ["template", opts.release, ".", "--namespace", opts.namespace ?? "default"];
  for (const v of opts.valuesFiles) args.push("-f", v);
  return runTool(opts.helm, args, { cwd: chartDir, env: opts.env, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS });
}
