// Parse and validate a Bulwark config with line-accurate messages. Unknown keys are
// errors (a typo must not silently disable a gate).
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Node, Pair, YAMLMap } from "yaml";
import { isSeverity, SEVERITIES } from "../types.js";
import type { Severity } from "../types.js";
import { PROFILES } from "../engine/rule.js";
import type { Profile } from "../engine/rule.js";
import { DEFAULT_CONFIG } from "./schema.js";
import type { BulwarkConfig, RuleSettings } from "./schema.js";

export interface ConfigError {
  message: string;
  line: number;
  column: number;
}

export class ConfigLoadError extends Error {
  constructor(
    readonly source: string,
    readonly errors: ConfigError[],
  ) {
    super(errors.map((e) => `${source}:${e.line}:${e.column}: ${e.message}`).join("\n"));
    this.name = "ConfigLoadError";
  }
}

export interface LoadedConfig {
  config: BulwarkConfig;
  /** `_extends` value (organisation defaults), resolved by the app. */
  extends?: string;
}

type Ctx = { errors: ConfigError[]; lc: LineCounter; plain?: unknown };

function at(ctx: Ctx, node: Node | Pair | null | undefined, message: string): void {
  const n = node && "key" in node ? (node.key as Node) : (node as Node | null | undefined);
  const offset = n?.range?.[0] ?? 0;
  const p = ctx.lc.linePos(offset);
  ctx.errors.push({ message, line: p.line, column: p.col });
}

function scalarValue(node: Node | null | undefined): unknown {
  return isScalar(node) ? node.value : undefined;
}

function strings(ctx: Ctx, pair: Pair, key: string): string[] | undefined {
  const v = pair.value as Node | null;
  if (isScalar(v) && typeof v.value === "string") return [v.value];
  if (!isSeq(v)) {
    at(ctx, pair, `${key} must be a list of strings`);
    return undefined;
  }
  const out: string[] = [];
  for (const item of v.items as Node[]) {
    if (isScalar(item) && typeof item.value === "string") out.push(item.value);
    else at(ctx, item, `${key} entries must be strings`);
  }
  return out;
}

function num(ctx: Ctx, pair: Pair, key: string, min = 0): number | undefined {
  const v = scalarValue(pair.value as Node);
  if (typeof v === "number" && Number.isInteger(v) && v >= min) return v;
  at(ctx, pair.value as Node, `${key} must be an integer ≥ ${min}`);
  return undefined;
}

function bool(ctx: Ctx, pair: Pair, key: string): boolean | undefined {
  const v = scalarValue(pair.value as Node);
  if (typeof v === "boolean") return v;
  at(ctx, pair.value as Node, `${key} must be true or false`);
  return undefined;
}

function oneOf<T extends string>(ctx: Ctx, pair: Pair, key: string, allowed: readonly T[]): T | undefined {
  const v = scalarValue(pair.value as Node);
  if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return v as T;
  at(ctx, pair.value as Node, `${key} must be one of ${allowed.join(", ")} (got ${JSON.stringify(v ?? null)})`);
  return undefined;
}

function severity(ctx: Ctx, pair: Pair, key: string): Severity | undefined {
  const v = scalarValue(pair.value as Node);
  if (isSeverity(v)) return v;
  at(ctx, pair.value as Node, `${key} must be one of ${SEVERITIES.join(", ")} (got ${JSON.stringify(v ?? null)})`);
  return undefined;
}

function pairs(ctx: Ctx, node: Node | null | undefined, what: string): Pair[] {
  if (node === null || node === undefined) return [];
  if (!isMap(node)) {
    at(ctx, node, `${what} must be a mapping`);
    return [];
  }
  return (node as YAMLMap).items as Pair[];
}

const KUBE_VERSION = /^v?1\.\d{1,2}$/;

export function parseConfig(text: string, source = ".github/bulwark.yml", knownRules?: ReadonlySet<string>): LoadedConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const ctx: Ctx = { errors: [], lc };
  for (const e of doc.errors) {
    const p = lc.linePos(e.pos[0]);
    ctx.errors.push({ message: e.message.split("\n")[0], line: p.line, column: p.col });
  }
  if (ctx.errors.length) throw new ConfigLoadError(source, ctx.errors);
  // Plain data (aliases resolved, bounded) for free-form values such as rule options.
  let plain: unknown;
  try {
    plain = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const offset = doc.contents?.range?.[0] ?? 0;
    const p = lc.linePos(offset);
    throw new ConfigLoadError(source, [{ message: err instanceof Error ? err.message : String(err), line: p.line, column: p.col }]);
  }
  ctx.plain = plain;
  const config: BulwarkConfig = structuredClone(DEFAULT_CONFIG);
  let ext: string | undefined;
  const root = doc.contents as Node | null;
  if (root !== null && !isMap(root)) {
    if (!(isScalar(root) && (root.value === null || root.value === ""))) at(ctx, root, "the config must be a mapping");
  }
  for (const pair of pairs(ctx, isMap(root) ? root : null, "config")) {
    const key = String(scalarValue(pair.key as Node));
    switch (key) {
      case "_extends": {
        const v = scalarValue(pair.value as Node);
        if (typeof v === "string") ext = v;
        else at(ctx, pair, "_extends must be a string like `org/.github` or `org/repo:path/file.yml`");
        break;
      }
      case "failOn":
      case "fail-on": {
        const s = severity(ctx, pair, key);
        if (s) config.failOn = s;
        break;
      }
      case "profile": {
        const p = oneOf<Profile>(ctx, pair, key, PROFILES);
        if (p) config.profile = p;
        break;
      }
      case "include":
      case "exclude":
      case "trustedRegistries": {
        const v = strings(ctx, pair, key);
        if (v) config[key] = v;
        break;
      }
      case "targetKubernetesVersion":
      case "pssVersion": {
        const v = scalarValue(pair.value as Node);
        // An unquoted 1.30 is the number 1.3: refuse numbers rather than guess the minor.
        if (typeof v === "string" && (KUBE_VERSION.test(v) || (key === "pssVersion" && v === "latest"))) config[key] = v.replace(/^v/, "");
        else at(ctx, pair.value as Node, `${key} must look like "1.33"${key === "pssVersion" ? ' or "latest"' : ""} (quote it: 1.30 unquoted is the number 1.3)`);
        break;
      }
      case "rules":
        for (const rp of pairs(ctx, pair.value as Node, "rules")) readRule(ctx, rp, config, knownRules);
        break;
      case "review":
        for (const p of pairs(ctx, pair.value as Node, "review")) {
          const k = String(scalarValue(p.key as Node));
          if (k === "maxComments") {
            const n = num(ctx, p, "review.maxComments");
            if (n !== undefined) config.review.maxComments = Math.min(n, 50);
          } else if (k === "gate") {
            const g = oneOf(ctx, p, "review.gate", ["introduced", "all"] as const);
            if (g) config.review.gate = g;
          } else if (k === "comments") {
            const b = bool(ctx, p, "review.comments");
            if (b !== undefined) config.review.comments = b;
          } else at(ctx, p, `unknown key review.${k} (known: maxComments, gate, comments)`);
        }
        break;
      case "updates":
        for (const p of pairs(ctx, pair.value as Node, "updates")) {
          const k = String(scalarValue(p.key as Node));
          if (k === "enabled" || k === "pinDigests") {
            const b = bool(ctx, p, `updates.${k}`);
            if (b !== undefined) config.updates[k] = b;
          } else if (k === "policy") {
            const v = oneOf(ctx, p, "updates.policy", ["patch", "minor", "major"] as const);
            if (v) config.updates.policy = v;
          } else if (k === "openPullRequestsLimit") {
            const n = num(ctx, p, "updates.openPullRequestsLimit");
            if (n !== undefined) config.updates.openPullRequestsLimit = n;
          } else if (k === "schedule") {
            const v = scalarValue(p.value as Node);
            if (typeof v === "string") config.updates.schedule = v;
            else at(ctx, p, "updates.schedule must be a string (daily, weekly, or an interval like 6h)");
          } else if (k === "insecureRegistries" || k === "ignore") {
            const v = strings(ctx, p, `updates.${k}`);
            if (v) config.updates[k] = v;
          } else at(ctx, p, `unknown key updates.${k}`);
        }
        break;
      case "limits":
        for (const p of pairs(ctx, pair.value as Node, "limits")) {
          const k = String(scalarValue(p.key as Node));
          if (k === "maxFileBytes" || k === "maxFiles" || k === "maxDocuments" || k === "maxAliasCount" || k === "maxScanMs") {
            const n = num(ctx, p, `limits.${k}`, 1);
            if (n !== undefined) config.limits[k] = n;
          } else at(ctx, p, `unknown key limits.${k}`);
        }
        break;
      case "helm":
        for (const p of pairs(ctx, pair.value as Node, "helm")) {
          const k = String(scalarValue(p.key as Node));
          if (k === "valuesFiles") {
            const v = strings(ctx, p, "helm.valuesFiles");
            if (v) config.helm.valuesFiles = v;
          } else at(ctx, p, `unknown key helm.${k}`);
        }
        break;
      default:
        at(ctx, pair, `unknown key "${key}" (known: failOn, profile, include, exclude, rules, trustedRegistries, targetKubernetesVersion, pssVersion, review, updates, limits, helm, _extends)`);
    }
  }
  if (ctx.errors.length) throw new ConfigLoadError(source, ctx.errors);
  return { config, extends: ext };
}

function readRule(ctx: Ctx, pair: Pair, config: BulwarkConfig, knownRules?: ReadonlySet<string>): void {
  const id = String(scalarValue(pair.key as Node));
  if (knownRules && !knownRules.has(id)) {
    at(ctx, pair, `unknown rule ${id} (see \`bulwark rules\`)`);
    return;
  }
  const v = pair.value as Node | null;
  const sv = scalarValue(v);
  const entry: Partial<RuleSettings> = {};
  if (sv === "off" || sv === false) entry.enabled = false;
  else if (sv === "on" || sv === true) entry.enabled = true;
  else if (isSeverity(sv)) {
    entry.enabled = true;
    entry.severity = sv;
  } else if (isMap(v)) {
    for (const p of (v as YAMLMap).items as Pair[]) {
      const k = String(scalarValue(p.key as Node));
      if (k === "severity") {
        const s = severity(ctx, p, `rules.${id}.severity`);
        if (s) entry.severity = s;
      } else if (k === "enabled") {
        const b = bool(ctx, p, `rules.${id}.enabled`);
        if (b !== undefined) entry.enabled = b;
      } else if (k === "options") {
        const rules = (ctx.plain as { rules?: Record<string, { options?: unknown }> } | undefined)?.rules;
        const o = rules?.[id]?.options;
        if (o && typeof o === "object" && !Array.isArray(o)) entry.options = o as Record<string, unknown>;
        else at(ctx, p, `rules.${id}.options must be a mapping`);
      } else at(ctx, p, `unknown key rules.${id}.${k} (known: severity, enabled, options)`);
    }
  } else {
    at(ctx, pair.value as Node ?? pair, `rules.${id} must be off, on, a severity, or a mapping {severity, enabled, options}`);
    return;
  }
  config.rules[id] = { ...config.rules[id], ...entry };
}

/** Merge organisation defaults (`_extends`) under repository settings. */
export function mergeConfigs(base: BulwarkConfig, over: BulwarkConfig, overText: string): BulwarkConfig {
  // Only keys written in the repository file override the organisation's.
  const written = new Set<string>();
  const doc = parseDocument(overText);
  if (isMap(doc.contents)) for (const p of doc.contents.items) written.add(String(scalarValue(p.key as Node)));
  const out: BulwarkConfig = structuredClone(base);
  for (const k of Object.keys(over) as (keyof BulwarkConfig)[]) {
    if (!written.has(k) && !(k === "failOn" && written.has("fail-on"))) continue;
    if (k === "rules") out.rules = { ...base.rules, ...over.rules };
    else (out as unknown as Record<string, unknown>)[k] = structuredClone(over[k]);
  }
  return out;
}
