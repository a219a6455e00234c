// `kustomize build` / `kubectl kustomize` for a review (I/O edge). kustomize itself is preferred
// when both exist: kubectl embeds an older kustomize. No plugins (`--enable-alpha-plugins`,
// `--enable-exec`), no Helm inflation (`--enable-helm`): the build only reads files.
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { DEFAULT_TIMEOUT_MS, findExecutable, runTool } from "../helm/exec.js";
import type { ToolRun } from "../helm/exec.js";
import type { KustomizeReader } from "./kustomization.js";

export interface KustomizeBinary {
  /** "kustomize" runs `kustomize build DIR`, "kubectl" runs `kubectl kustomize DIR`. */
  kind: "kustomize" | "kubectl";
  path: string;
}

export function findKustomize(env: NodeJS.ProcessEnv = process.env): KustomizeBinary | undefined {
  const k = findExecutable("kustomize", env);
  if (k) return { kind: "kustomize", path: k };
  const kubectl = findExecutable("kubectl", env);
  return kubectl ? { kind: "kubectl", path: kubectl } : undefined;
}

export function kustomizeBuild(bin: KustomizeBinary, dir: string, opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; allowNetwork?: boolean }): ToolRun {
  const args = bin.kind === "kustomize" ? ["build", dir] : ["kustomize", dir];
  return runTool(bin.path, args, { cwd: opts.cwd, env: opts.env, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, allowNetwork: opts.allowNetwork });
}

/** Reads display paths: the caller's in-memory texts first (what is being scanned or fixed), then the disk under `cwd`. */
export function diskReader(cwd: string, texts: ReadonlyMap<string, string>): KustomizeReader {
  const abs = (p: string) => (isAbsolute(p) ? p : join(cwd, p));
  return {
    read(p) {
      const t = texts.get(p);
      if (t !== undefined) return t;
      try {
        const a = abs(p);
        return existsSync(a) && statSync(a).isFile() ? readFileSync(a, "utf8") : undefined;
      } catch {
        return undefined;
      }
    },
    isDir(p) {
      try {
        return statSync(abs(p)).isDirectory();
      } catch {
        return false;
      }
    },
  };
}
