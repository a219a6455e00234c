// Config loading and usage errors shared by the CLI commands (kept out of main.ts so that
// lazily imported commands do not import the entry module back).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { getCatalog } from "../core/engine/catalog.js";
import { parseConfig } from "../core/config/load.js";
import { DEFAULT_CONFIG } from "../core/config/schema.js";
import type { BulwarkConfig } from "../core/config/schema.js";

export class UsageError extends Error {}

export function loadConfigFile(file: string | undefined, cwd = process.cwd()): BulwarkConfig {
  if (!file) return structuredClone(DEFAULT_CONFIG);
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), "utf8");
  } catch (err) {
    throw new UsageError(`cannot read config ${file}: ${(err as Error).message}`);
  }
  return parseConfig(text, file, getCatalog().ids()).config;
}
