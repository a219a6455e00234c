// Collect the files a CLI scan reads: walk directories, keep what the engine can read,
// apply the config's include/exclude globs. I/O lives here, not in the engine.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import type { SourceFile } from "../core/types.js";
import { detectFileKind } from "../core/parse/detect.js";
import { isPathSelected } from "../core/config/globs.js";
import type { BulwarkConfig } from "../core/config/schema.js";

const SKIP_DIRS = new Set([".git", "node_modules", ".terraform", "vendor", ".venv", "__pycache__"]);

export interface CollectedFiles {
  files: SourceFile[];
  /** Absolute path of each collected file, by its display path. */
  absolute: Map<string, string>;
  /** Other files seen (e.g. .dockerignore) that rules may ask about by path. */
  extraPaths: string[];
  missing: string[];
}

export function collectFiles(inputs: readonly string[], config: BulwarkConfig, cwd = process.cwd()): CollectedFiles {
  const files: SourceFile[] = [];
  const absolute = new Map<string, string>();
  const extraPaths: string[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  const display = (abs: string) => {
    const rel = relative(cwd, abs);
    return (rel.startsWith("..") ? abs : rel).split(sep).join("/");
  };
  const add = (abs: string, explicit: boolean) => {
    const path = display(abs);
    if (seen.has(path)) return;
    seen.add(path);
    const kind = detectFileKind(path);
    if (kind === "other") {
      extraPaths.push(path);
      if (!explicit) return;
    }
    if (!explicit && !isPathSelected(path, config)) return;
    files.push({ path, text: readFileSync(abs, "utf8") });
    absolute.set(path, abs);
  };
  const walk = (dir: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      const abs = join(dir, name);
      let st;
      try {
        st = statSync(abs);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (!SKIP_DIRS.has(name)) walk(abs);
      } else if (st.isFile()) add(abs, false);
    }
  };
  for (const given of inputs.length ? inputs : ["."]) {
    const input = resolve(cwd, given);
    let st;
    try {
      st = statSync(input);
    } catch {
      missing.push(given);
      continue;
    }
    if (st.isDirectory()) walk(input);
    else add(input, true);
  }
  return { files, absolute, extraPaths, missing };
}

