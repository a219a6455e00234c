#!/usr/bin/env node
// `bulwark` — the CLI over the engine. Exit codes: 0 nothing at or above --fail-on,
// 1 something was, 2 usage or config error (DESIGN.md "CLI").
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { scan, failing } from "../core/engine/scan.js";
import { fixFiles } from "../core/engine/fixes.js";
import { getCatalog } from "../core/engine/catalog.js";
import { ConfigLoadError } from "../core/config/load.js";
import type { BulwarkConfig } from "../core/config/schema.js";
import { isSeverity, SEVERITIES } from "../core/types.js";
import type { Severity } from "../core/types.js";
import { formatReport, shouldUseColor } from "../report/index.js";
import type { ReportFormat } from "../report/index.js";
import { collectFiles } from "./files.js";
import { fixRendered, reviewRendered, withRendered } from "./render.js";
import { explainRule, listRules } from "./rules.js";
import { unifiedDiff } from "./diff.js";
import { TOOL } from "./version.js";

const USAGE = `Usage:
  bulwark scan [PATH…] [--format text|json|sarif|markdown] [--fail-on SEVERITY] [--config FILE]
               [--fix [--dry-run] [--fix-rules ID,…]] [--profile NAME] [--output FILE]
  bulwark rules [--format text|json]
  bulwark explain RULE-ID
  bulwark updates [PATH…] [--format text|json] [--config FILE]   (network, read-only)

Severities: ${SEVERITIES.join(", ")}. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage/config error.`;

import { loadConfigFile, UsageError } from "./config.js";

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  now: Date;
}

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case "scan":
        return runScan(rest, io);
      case "rules":
        return runRules(rest, io);
      case "explain":
        return runExplain(rest, io);
      case "updates": {
        // Loaded lazily: the update client is the only part of the CLI that uses the network.
        const { runUpdates } = await import("./updates.js");
        return await runUpdates(rest, io);
      }
      case "--version":
      case "-v":
        io.stdout(`${TOOL.name} ${TOOL.version}\n`);
        return 0;
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"))) {
      io.stderr(`bulwark: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof ConfigLoadError) {
      io.stderr(`bulwark: invalid config\n${err.message}\n`);
      return 2;
    }
    throw err;
  }
}


function runScan(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: "string", short: "f", default: "text" },
      "fail-on": { type: "string" },
      config: { type: "string", short: "c" },
      fix: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      "fix-rules": { type: "string" },
      profile: { type: "string" },
      output: { type: "string", short: "o" },
    },
  });
  const format = values.format as ReportFormat;
  if (!["text", "json", "sarif", "markdown"].includes(format)) throw new UsageError(`--format must be text, json, sarif or markdown (got "${format}")`);
  const config = loadConfigFile(values.config, io.cwd);
  if (values["fail-on"] !== undefined) {
    if (!isSeverity(values["fail-on"])) throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(", ")} (got "${values["fail-on"]}")`);
    config.failOn = values["fail-on"] as Severity;
  }
  if (values.profile !== undefined) {
    if (!["pss-baseline", "pss-restricted", "hardened", "hygiene"].includes(values.profile)) throw new UsageError(`--profile must be pss-baseline, pss-restricted, hardened or hygiene`);
    config.profile = values.profile as BulwarkConfig["profile"];
  }
  if (values["dry-run"] && !values.fix) throw new UsageError("--dry-run goes with --fix");
  if (values["fix-rules"] !== undefined && !values.fix) throw new UsageError("--fix-rules goes with --fix");

  const collected = collectFiles(positionals, config, io.cwd);
  if (collected.missing.length > 0) throw new UsageError(`no such file or directory: ${collected.missing.join(", ")}`);
  const options = { config, now: io.now, knownPaths: collected.extraPaths, verifyFixes: true };

  let files = collected.files;
  if (values.fix) {
    const fixRules = values["fix-rules"]?.split(",").map((s) => s.trim()).filter(Boolean);
    const unknown = fixRules?.filter((r) => !getCatalog().ids().has(r.toUpperCase()));
    if (unknown && unknown.length > 0) throw new UsageError(`unknown rule in --fix-rules: ${unknown.join(", ")}`);
    const outcome = fixFiles(files, { rules: fixRules }, options);
    // Charts and overlays: fixes of rendered findings land in values files, bases or patches.
    const renderedFix = fixRendered({ files: files.map((f) => ({ path: f.path, text: outcome.changed.get(f.path) ?? f.text })), absolute: collected.absolute, cwd: io.cwd, config, options, env: io.env }, { rules: fixRules });
    for (const [path, text] of renderedFix.changed) outcome.changed.set(path, text);
    outcome.applied.push(...renderedFix.applied);
    for (const id of new Set(renderedFix.applied.map((f) => f.ruleId))) if (!outcome.rules.includes(id)) outcome.rules.push(id);
    for (const [path, text] of outcome.changed) {
      const original = files.find((f) => f.path === path)!.text;
      if (values["dry-run"]) {
        io.stdout(unifiedDiff(path, original, text));
        continue;
      }
      // A file edited on disk since we read it is left alone: never overwrite someone's work.
      const abs = collected.absolute.get(path)!;
      if (readFileSync(abs, "utf8") !== original) {
        io.stderr(`bulwark: ${path} changed on disk while fixing; not written\n`);
        continue;
      }
      writeFileSync(abs, text);
    }
    for (const [path, why] of outcome.rejected) io.stderr(`bulwark: fixes for ${path} were not applied: the result failed verification (${why})\n`);
    const verb = values["dry-run"] ? "would fix" : "fixed";
    io.stderr(`bulwark: ${verb} ${outcome.applied.length} finding(s) in ${outcome.changed.size} file(s)${outcome.rules.length ? ` (${outcome.rules.join(", ")})` : ""}\n`);
    if (values["dry-run"]) return failing(scan(files, options).findings, config.failOn).length > 0 ? 1 : 0;
    files = files.map((f) => ({ path: f.path, text: outcome.changed.get(f.path) ?? f.text }));
  }

  const rendered = reviewRendered({ files, absolute: collected.absolute, cwd: io.cwd, config, options, env: io.env });
  for (const note of rendered.notes) io.stderr(`bulwark: ${note}\n`);
  const result = withRendered(scan(files, options), rendered);
  const report = formatReport(format, result, {
    tool: TOOL,
    rules: getCatalog().metas,
    failOn: config.failOn,
    color: format === "text" && shouldUseColor(io.env, io.isTTY),
  });
  if (values.output) writeFileSync(resolve(io.cwd, values.output), report);
  else io.stdout(report.endsWith("\n") ? report : `${report}\n`);
  return failing(result.findings, config.failOn).length > 0 ? 1 : 0;
}

function runRules(args: string[], io: Io): number {
  const { values } = parseArgs({ args, options: { format: { type: "string", default: "text" } } });
  if (values.format !== "text" && values.format !== "json") throw new UsageError("--format must be text or json");
  io.stdout(listRules(getCatalog(), values.format));
  return 0;
}

function runExplain(args: string[], io: Io): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError("explain takes exactly one RULE-ID");
  const text = explainRule(getCatalog(), positionals[0]);
  if (text === undefined) {
    io.stderr(`bulwark: unknown rule "${positionals[0]}" (see \`bulwark rules\`)\n`);
    return 2;
  }
  io.stdout(text);
  return 0;
}

export function isMainModule(metaUrl: string): boolean {
  const argv1 = process.argv[1];
  if (!argv1) return false;
  try {
    return new URL(metaUrl).pathname === argv1 || statSync(argv1).ino === statSync(new URL(metaUrl).pathname).ino;
  } catch {
    return false;
  }
}

export async function runCli(): Promise<void> {
  const code = await main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    cwd: process.cwd(),
    now: new Date(),
  });
  process.exitCode = code;
}

if (isMainModule(import.meta.url)) await runCli();
