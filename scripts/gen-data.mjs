#!/usr/bin/env node
// Compiles the domain data files into TypeScript modules:
//   rules/data/eol-snapshot.yaml     → src/core/data/generated/eol-snapshot.ts
//   rules/data/deprecated-apis.yaml  → src/core/data/generated/deprecated-apis.ts
// The engine imports the modules instead of reading YAML at run time, so the same code works
// from src/, from lib/ and inside the esbuild bundle of the action (dist/index.js), and core
// does no file I/O. The modules are typed against the interfaces in src/core/data/*.ts, so
// `tsc` checks the shape; this script checks what types cannot (dates, uniqueness, references).
//
//   node scripts/gen-data.mjs          write the modules
//   node scripts/gen-data.mjs --check  exit 1 when a module is stale (the test suite runs this)
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse } from "yaml";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DATE_OR_MONTH = /^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/;
const MINOR = /^\d+\.\d+$/;

class Problems {
  list = [];
  add(where, msg) {
    this.list.push(`${where}: ${msg}`);
  }
}

function isObj(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function onlyKeys(p, where, obj, allowed) {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) p.add(where, `unknown key "${k}" (allowed: ${allowed.join(", ")})`);
}

function str(p, where, v, { optional = false, re, nullable = false } = {}) {
  if (v === undefined && optional) return;
  if (v === null && nullable) return;
  if (typeof v !== "string") return p.add(where, `expected a string, got ${JSON.stringify(v)} — quote numbers such as "3.10"`);
  if (re && !re.test(v)) p.add(where, `"${v}" does not match ${re}`);
}

function dateOrBool(p, where, v, { optional = false, month = false } = {}) {
  if (v === undefined && optional) return;
  if (typeof v === "boolean") return;
  str(p, where, v, { re: month ? DATE_OR_MONTH : DATE });
}

function regex(p, where, v) {
  if (v === undefined) return undefined;
  try {
    return new RegExp(v, "d");
  } catch (e) {
    p.add(where, `invalid regex: ${e.message}`);
    return undefined;
  }
}

export function validateEolSnapshot(data) {
  const p = new Problems();
  if (!isObj(data)) return ["eol-snapshot: not a mapping"];
  onlyKeys(p, "eol-snapshot", data, ["snapshotDate", "source", "sourceRef", "products", "images", "dockerHubMirrors", "osSuffixes"]);
  str(p, "snapshotDate", data.snapshotDate, { re: DATE });
  str(p, "source", data.source);
  str(p, "sourceRef", data.sourceRef);
  if (!isObj(data.products)) p.add("products", "expected a mapping");
  const products = isObj(data.products) ? data.products : {};
  for (const [key, prod] of Object.entries(products)) {
    const w = `products.${key}`;
    if (!isObj(prod)) {
      p.add(w, "expected a mapping");
      continue;
    }
    onlyKeys(p, w, prod, ["title", "endoflife", "kind", "cycles", "allEolUpTo", "preferLts", "extendedSupportPaid", "advice", "refreshCycleFilter"]);
    str(p, `${w}.title`, prod.title);
    str(p, `${w}.endoflife`, prod.endoflife, { nullable: true });
    if (!["os", "runtime", "app"].includes(prod.kind)) p.add(`${w}.kind`, "expected os | runtime | app");
    str(p, `${w}.allEolUpTo`, prod.allEolUpTo, { optional: true, re: /^\d+(\.\d+)*$/ });
    for (const b of ["preferLts", "extendedSupportPaid"]) {
      if (prod[b] !== undefined && typeof prod[b] !== "boolean") p.add(`${w}.${b}`, "expected a boolean");
    }
    str(p, `${w}.advice`, prod.advice, { optional: true });
    regex(p, `${w}.refreshCycleFilter`, prod.refreshCycleFilter);
    if (!Array.isArray(prod.cycles) || prod.cycles.length === 0) {
      p.add(`${w}.cycles`, "expected a non-empty list");
      continue;
    }
    const seen = new Set();
    prod.cycles.forEach((c, i) => {
      const cw = `${w}.cycles[${i}]`;
      if (!isObj(c)) return p.add(cw, "expected a mapping");
      onlyKeys(p, cw, c, ["cycle", "codename", "eol", "extendedSupport", "lts", "support", "source"]);
      str(p, `${cw}.cycle`, c.cycle);
      if (seen.has(c.cycle)) p.add(`${cw}.cycle`, `duplicate cycle "${c.cycle}"`);
      seen.add(c.cycle);
      str(p, `${cw}.codename`, c.codename, { optional: true, re: /^[a-z][a-z0-9]*$/ });
      if (c.eol === undefined) p.add(`${cw}.eol`, "required (date, YYYY-MM, true or false)");
      dateOrBool(p, `${cw}.eol`, c.eol, { optional: true, month: true });
      dateOrBool(p, `${cw}.extendedSupport`, c.extendedSupport, { optional: true });
      dateOrBool(p, `${cw}.lts`, c.lts, { optional: true });
      dateOrBool(p, `${cw}.support`, c.support, { optional: true });
      str(p, `${cw}.source`, c.source, { optional: true });
    });
  }

  if (!Array.isArray(data.images)) p.add("images", "expected a list");
  (Array.isArray(data.images) ? data.images : []).forEach((m, i) => {
    const w = `images[${i}]`;
    if (!isObj(m)) return p.add(w, "expected a mapping");
    onlyKeys(p, w, m, ["product", "repositories", "repositoryPattern", "cycleFrom", "cycle", "tagPrefixes", "tagPrecision", "tags"]);
    if (!products[m.product]) p.add(`${w}.product`, `unknown product "${m.product}"`);
    if ((m.repositories === undefined) === (m.repositoryPattern === undefined)) p.add(w, "give exactly one of repositories / repositoryPattern");
    if (m.repositories !== undefined && (!Array.isArray(m.repositories) || m.repositories.some((r) => typeof r !== "string" || !r.includes("/")))) {
      p.add(`${w}.repositories`, "expected a list of registry/repository names (docker.io/library/node)");
    }
    const re = regex(p, `${w}.repositoryPattern`, m.repositoryPattern);
    const from = m.cycleFrom ?? "tag";
    if (!["tag", "repository", "fixed"].includes(from)) p.add(`${w}.cycleFrom`, "expected tag | repository | fixed");
    if (from === "repository" && !(re && /\(\?<cycle>/.test(m.repositoryPattern))) p.add(w, "cycleFrom: repository needs a repositoryPattern with a (?<cycle>…) group");
    if (from === "fixed") {
      str(p, `${w}.cycle`, m.cycle);
      if (products[m.product] && !products[m.product].cycles?.some((c) => c.cycle === m.cycle)) p.add(`${w}.cycle`, `"${m.cycle}" is not a cycle of ${m.product}`);
    }
    if (m.tagPrefixes !== undefined && (!Array.isArray(m.tagPrefixes) || m.tagPrefixes.some((t) => typeof t !== "string"))) p.add(`${w}.tagPrefixes`, "expected a list of strings");
    if (m.tagPrecision !== undefined && !(Number.isInteger(m.tagPrecision) && m.tagPrecision > 0)) p.add(`${w}.tagPrecision`, "expected a positive integer");
    str(p, `${w}.tags`, m.tags, { optional: true });
  });

  if (!Array.isArray(data.dockerHubMirrors) || data.dockerHubMirrors.some((m) => typeof m !== "string" || !m.endsWith("/"))) {
    p.add("dockerHubMirrors", 'expected a list of prefixes ending in "/"');
  }

  if (!Array.isArray(data.osSuffixes)) p.add("osSuffixes", "expected a list");
  const codenameOwners = new Map();
  (Array.isArray(data.osSuffixes) ? data.osSuffixes : []).forEach((s, i) => {
    const w = `osSuffixes[${i}]`;
    if (!isObj(s)) return p.add(w, "expected a mapping");
    onlyKeys(p, w, s, ["family", "product", "codenames", "pattern"]);
    str(p, `${w}.family`, s.family);
    if (s.product !== undefined && !products[s.product]) p.add(`${w}.product`, `unknown product "${s.product}"`);
    if (s.codenames !== undefined && s.codenames !== true) p.add(`${w}.codenames`, "expected true");
    if (s.codenames && !s.product) p.add(w, "codenames: true needs a product");
    if (!s.codenames && s.pattern === undefined) p.add(w, "give codenames: true or a pattern");
    const re = regex(p, `${w}.pattern`, s.pattern);
    if (re && s.product && !/\(\?<cycle>/.test(s.pattern)) p.add(w, "a pattern with a product needs a (?<cycle>…) group");
    if (s.codenames && products[s.product]) {
      for (const c of products[s.product].cycles ?? []) {
        if (!c.codename) continue;
        const owner = codenameOwners.get(c.codename);
        if (owner && owner !== s.product) p.add(w, `codename "${c.codename}" is used by both ${owner} and ${s.product}`);
        codenameOwners.set(c.codename, s.product);
      }
    }
  });
  return p.list;
}

export function validateDeprecatedApis(data) {
  const p = new Problems();
  if (!isObj(data)) return ["deprecated-apis: not a mapping"];
  onlyKeys(p, "deprecated-apis", data, ["snapshotDate", "source", "entries"]);
  str(p, "snapshotDate", data.snapshotDate, { re: DATE });
  str(p, "source", data.source);
  if (!Array.isArray(data.entries) || data.entries.length === 0) {
    p.add("entries", "expected a non-empty list");
    return p.list;
  }
  const seen = new Map();
  data.entries.forEach((e, i) => {
    const w = `entries[${i}]`;
    if (!isObj(e)) return p.add(w, "expected a mapping");
    onlyKeys(p, w, e, ["apiVersion", "kinds", "deprecatedIn", "removedIn", "replacement", "replacementAvailableIn", "alternatives", "fix", "manualIf", "notes", "verified"]);
    str(p, `${w}.apiVersion`, e.apiVersion, { re: /^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/ });
    if (!Array.isArray(e.kinds) || e.kinds.length === 0 || e.kinds.some((k) => typeof k !== "string" || !/^[A-Z][A-Za-z0-9]*$/.test(k))) {
      p.add(`${w}.kinds`, "expected a non-empty list of Kinds");
    }
    str(p, `${w}.deprecatedIn`, e.deprecatedIn, { optional: true, re: MINOR });
    str(p, `${w}.removedIn`, e.removedIn, { re: MINOR });
    if (!("replacement" in e)) p.add(`${w}.replacement`, "required (an apiVersion, or null when none exists)");
    str(p, `${w}.replacement`, e.replacement, { optional: true, nullable: true });
    str(p, `${w}.replacementAvailableIn`, e.replacementAvailableIn, { optional: true, re: MINOR });
    if (e.alternatives !== undefined) {
      if (!Array.isArray(e.alternatives)) p.add(`${w}.alternatives`, "expected a list");
      else
        e.alternatives.forEach((a, j) => {
          if (!isObj(a)) return p.add(`${w}.alternatives[${j}]`, "expected a mapping");
          onlyKeys(p, `${w}.alternatives[${j}]`, a, ["apiVersion", "availableIn"]);
          str(p, `${w}.alternatives[${j}].apiVersion`, a.apiVersion);
          str(p, `${w}.alternatives[${j}].availableIn`, a.availableIn, { optional: true, re: MINOR });
        });
    }
    if (!["rename", "transform", "manual"].includes(e.fix)) p.add(`${w}.fix`, "expected rename | transform | manual");
    str(p, `${w}.manualIf`, e.manualIf, { optional: true });
    str(p, `${w}.notes`, e.notes, { optional: true });
    if (e.verified !== undefined && typeof e.verified !== "boolean") p.add(`${w}.verified`, "expected a boolean");
    const minor = (v) => Number(String(v).split(".")[1]);
    if (typeof e.deprecatedIn === "string" && typeof e.removedIn === "string" && minor(e.deprecatedIn) > minor(e.removedIn)) {
      p.add(w, `deprecatedIn ${e.deprecatedIn} is after removedIn ${e.removedIn}`);
    }
    for (const k of Array.isArray(e.kinds) ? e.kinds : []) {
      const key = `${e.apiVersion} ${k}`;
      if (seen.has(key)) p.add(w, `${key} is already listed in entries[${seen.get(key)}]`);
      seen.set(key, i);
    }
  });
  return p.list;
}

const TARGETS = [
  {
    yaml: "rules/data/eol-snapshot.yaml",
    out: "src/core/data/generated/eol-snapshot.ts",
    validate: validateEolSnapshot,
    typeImport: 'import type { EolSnapshotData } from "../eol.js";',
    decl: "export const EOL_SNAPSHOT_DATA: EolSnapshotData",
  },
  {
    yaml: "rules/data/deprecated-apis.yaml",
    out: "src/core/data/generated/deprecated-apis.ts",
    validate: validateDeprecatedApis,
    typeImport: 'import type { DeprecatedApisData } from "../deprecated-apis.js";',
    decl: "export const DEPRECATED_APIS_DATA: DeprecatedApisData",
  },
];

/** Render one module from YAML text (exported for scripts/refresh-eol.mjs). */
export function renderModule(target, yamlText) {
  // YAML 1.2 core schema (the yaml package's default) keeps 2026-08-22 a string, which the types expect.
  const data = parse(yamlText, { schema: "core", uniqueKeys: true });
  const problems = target.validate(data);
  if (problems.length) throw new Error(`${target.yaml}:\n  ${problems.join("\n  ")}`);
  return (
    `// generated — do not edit. Source: ${target.yaml}; regenerate with \`node scripts/gen-data.mjs\`.\n` +
    `${target.typeImport}\n\n` +
    `${target.decl} = ${JSON.stringify(data, null, 2)};\n`
  );
}

export function targetFor(yamlPath) {
  return TARGETS.find((t) => t.yaml === yamlPath);
}

export function main(argv = process.argv.slice(2), root = ROOT) {
  const check = argv.includes("--check");
  let failed = false;
  for (const t of TARGETS) {
    let text;
    try {
      text = renderModule(t, readFileSync(join(root, t.yaml), "utf8"));
    } catch (e) {
      console.error(e.message);
      failed = true;
      continue;
    }
    const out = join(root, t.out);
    if (check) {
      const current = existsSync(out) ? readFileSync(out, "utf8") : "";
      if (current !== text) {
        console.error(`${relative(root, out)} is stale: run \`node scripts/gen-data.mjs\``);
        failed = true;
      }
    } else {
      mkdirSync(dirname(out), { recursive: true });
      if (!existsSync(out) || readFileSync(out, "utf8") !== text) writeFileSync(out, text);
    }
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main();
}
