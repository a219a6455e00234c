// `bulwark updates [PATH…] [--format text|json] [--config FILE]`: lists stale base images and
// charts (read-only, network). Registries on loopback are reached over plain HTTP, others over
// HTTPS unless `updates.insecureRegistries` lists them (DESIGN.md "CLI").
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigLoadError } from "../core/config/load.js";
import type { BulwarkConfig } from "../core/config/schema.js";
import { collectFiles } from "./files.js";
import { loadConfigFile } from "./config.js";
import { createDatasources, credentialsFromEnvironment } from "../updates/datasource/index.js";
import type { UpdateDatasources } from "../updates/datasource/index.js";
import type { FetchLike } from "../updates/datasource/http.js";
import { planUpdates } from "../updates/plan.js";
import type { PlannedUpdate, UpdatePlan } from "../updates/plan.js";
import { TOOL } from "./version.js";

export const UPDATES_USAGE = `Usage:
  bulwark updates [PATH…] [--format text|json] [--config FILE]

Lists base images (Dockerfile FROM, Kubernetes image:, Helm values, kustomize images) and Helm
charts (Chart.yaml, Flux HelmRelease, Argo CD Application) that have newer versions, reach
end of life or are deprecated. Read-only: nothing is written. Asks the registries and chart
repositories over the network: loopback hosts over plain HTTP, others over HTTPS unless
updates.insecureRegistries lists them.

Credentials: BULWARK_REGISTRY_AUTH_<HOST>="user:password" (or a bare bearer token), HOST being
the registry host[:port] upper-cased with other characters as "_" (GHCR_IO, 127_0_0_1_5000);
or a docker config.json named by BULWARK_DOCKER_CONFIG (file) or DOCKER_CONFIG (directory).

Exit codes: 0 the run completed (updates found or not, some lookups may have failed: see
"errors"), 1 every registry/repository lookup failed (nothing could be checked), 2 usage or
config error.`;

export interface UpdatesIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  now: Date;
  /** Injected fetch (tests); defaults to the global fetch. */
  fetch?: FetchLike;
  /** Injected datasources (tests); default: registry clients over fetch. */
  datasources?: UpdateDatasources;
}

class UpdatesUsageError extends Error {}

/** The JSON contract of `bulwark updates --format json`. */
export interface UpdatesJson {
  updates: {
    path: string;
    range: PlannedUpdate["range"];
    kind: PlannedUpdate["kind"];
    name: string;
    current: string;
    proposed: string;
    digest?: string;
    reasons: PlannedUpdate["reasons"];
    major: boolean;
  }[];
  errors: UpdatePlan["errors"];
}

export function updatesJson(plan: UpdatePlan): UpdatesJson {
  return {
    updates: plan.updates.map((u) => ({
      path: u.path,
      range: u.range,
      kind: u.kind,
      name: u.name,
      current: u.current,
      proposed: u.proposed,
      ...(u.digest ? { digest: u.digest } : {}),
      reasons: u.reasons,
      major: u.major,
    })),
    errors: plan.errors,
  };
}

export async function runUpdates(args: readonly string[], io: UpdatesIo): Promise<number> {
  let values: { format?: string; config?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        format: { type: "string", short: "f", default: "text" },
        config: { type: "string", short: "c" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    io.stderr(`bulwark: ${(err as Error).message}\n\n${UPDATES_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${UPDATES_USAGE}\n`);
    return 0;
  }
  let config: BulwarkConfig;
  let files;
  try {
    const format = values.format ?? "text";
    if (format !== "text" && format !== "json") throw new UpdatesUsageError(`--format must be text or json (got "${format}")`);
    config = loadConfigFile(values.config !== undefined ? resolve(io.cwd, values.config) : undefined);
    const collected = collectFiles(positionals, config, io.cwd);
    if (collected.missing.length > 0) throw new UpdatesUsageError(`no such file or directory: ${collected.missing.join(", ")}`);
    files = collected.files;
  } catch (err) {
    if (err instanceof ConfigLoadError) {
      io.stderr(`bulwark: invalid config\n${err.message}\n`);
      return 2;
    }
    io.stderr(`bulwark: ${(err as Error).message}\n\n${UPDATES_USAGE}\n`);
    return 2;
  }
  const format = values.format === "json" ? "json" : "text";

  if (!config.updates.enabled) {
    io.stderr("bulwark: updates are disabled in the config (updates.enabled: false)\n");
    if (format === "json") io.stdout(`${JSON.stringify({ updates: [], errors: [] } satisfies UpdatesJson, null, 2)}\n`);
    return 0;
  }

  const datasources =
    io.datasources ??
    createDatasources({
      ...(io.fetch ? { fetch: io.fetch } : {}),
      insecureRegistries: config.updates.insecureRegistries,
      credentials: credentialsFromEnvironment(io.env, io.cwd),
      userAgent: `${TOOL.name}/${TOOL.version}`,
    });
  const plan = await planUpdates(files, { datasources, config, now: io.now });

  if (format === "json") io.stdout(`${JSON.stringify(updatesJson(plan), null, 2)}\n`);
  else io.stdout(formatText(plan));
  return plan.lookups.attempted > 0 && plan.lookups.failed === plan.lookups.attempted ? 1 : 0;
}

function formatText(plan: UpdatePlan): string {
  const out: string[] = [];
  const rows = plan.updates.map((u) => {
    const change = u.proposed === u.current ? (u.digest ? `${u.current} @ ${u.digest.slice(0, 19)}…` : u.current) : `${u.current} → ${u.proposed}`;
    const why = u.reasons.join(", ") + (u.major ? " (major)" : "");
    return [`${u.path}:${u.range.startLine}`, `${u.kind} ${u.name}`, change, why];
  });
  const widths = [0, 1, 2].map((i) => Math.min(60, Math.max(0, ...rows.map((r) => r[i]!.length))));
  for (const r of rows) out.push(r.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join("  ").trimEnd());
  if (rows.length === 0) out.push(plan.errors.length > 0 ? "No updates found (see the errors below)." : "Everything is up to date.");
  if (plan.errors.length > 0) {
    out.push("", "Errors:");
    for (const e of plan.errors) {
      const dep = e.dependency && !e.message.startsWith(e.dependency) ? `${e.dependency}: ` : "";
      out.push(`  ${e.path ? `${e.path}: ` : ""}${dep}${e.message}`);
    }
  }
  const deps = plan.dependencies.length;
  out.push(
    "",
    `${plan.updates.length} update${plan.updates.length === 1 ? "" : "s"} for ${deps} dependenc${deps === 1 ? "y" : "ies"}` +
      `${plan.errors.length ? `, ${plan.errors.length} error${plan.errors.length === 1 ? "" : "s"}` : ""}` +
      `${plan.skipped.length ? `, ${plan.skipped.length} skipped (templated, local, ignored or nothing newer allowed)` : ""}.`,
  );
  return `${out.join("\n")}\n`;
}
