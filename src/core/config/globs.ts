// include/exclude globs of the config, matched on repository-relative POSIX paths.
import { minimatch } from "minimatch";
import type { BulwarkConfig } from "./schema.js";

const OPTIONS = { dot: true, matchBase: false, nocomment: true } as const;

function matchesAny(path: string, globs: readonly string[]): boolean {
  return globs.some((g) => minimatch(path, g, OPTIONS) || minimatch(path, `${g.replace(/\/$/, "")}/**`, OPTIONS));
}

/** A path is scanned when it matches an include glob (or there are none) and no exclude glob. */
export function isPathSelected(path: string, config: Pick<BulwarkConfig, "include" | "exclude">): boolean {
  const p = path.replace(/\\/g, "/").replace(/^\.\//, "");
  if (config.include.length > 0 && !matchesAny(p, config.include)) return false;
  return !matchesAny(p, config.exclude);
}
