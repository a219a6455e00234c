#!/usr/bin/env node
/* global fetch, AbortSignal, setTimeout */
// Refresh rules/data/eol-snapshot.yaml from endoflife.date, then regenerate the TS module.
//
// NEEDS NETWORK: fetches https://endoflife.date/api/<slug>.json (API v0) for every product
// whose `endoflife:` slug is set. The engine never does this; it judges with the committed,
// dated snapshot. Run it by hand (or in a scheduled job) and commit the result after review.
//
//   node scripts/refresh-eol.mjs                 fetch, rewrite the YAML, run gen-data
//   node scripts/refresh-eol.mjs --dry-run       fetch and print the YAML it would write (stdout)
//                                                plus a per-product change summary (stderr)
//   node scripts/refresh-eol.mjs --only=node,python   refresh some products only
//   node scripts/refresh-eol.mjs --from-dir=DIR  read DIR/<slug>.json instead of the network
//                                                (offline runs, tests)
//   node scripts/refresh-eol.mjs --date=YYYY-MM-DD    snapshot date to write (default: today, UTC)
//
// What it rewrites: each refreshed product's `cycles`, `snapshotDate` and `sourceRef`.
// What it keeps: comments, product metadata (allEolUpTo, preferLts, advice …), the image map,
// osSuffixes, hand-curated products (endoflife: null, e.g. ingress-nginx), and cycles that
// upstream no longer lists (with a warning). It writes nothing unless EVERY requested product
// fetched and the result validates, so a partial outage cannot leave a half-new snapshot with a
// new date. API v0 is what the brief asks for; endoflife.date recommends v1 (notes §6.1) and will
// retire v0 at least a year after v1 — switching means changing fetchProduct/toCycles only.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseDocument } from "yaml";
import { main as genData, validateEolSnapshot } from "./gen-data.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SNAPSHOT = join(ROOT, "rules/data/eol-snapshot.yaml");
const API = "https://endoflife.date/api";
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseArgs(argv) {
  const opts = { dryRun: false, only: undefined, fromDir: undefined, date: undefined };
  for (const a of argv) {
    if (a === "--dry-run") opts.dryRun = true;
    else if (a.startsWith("--only=")) opts.only = a.slice(7).split(",").filter(Boolean);
    else if (a.startsWith("--from-dir=")) opts.fromDir = a.slice(11);
    else if (a.startsWith("--date=")) opts.date = a.slice(7);
    else if (a === "--help" || a === "-h") opts.help = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (opts.date !== undefined && !DATE.test(opts.date)) throw new Error(`--date must be YYYY-MM-DD, got ${opts.date}`);
  return opts;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function fetchProduct(slug, fromDir) {
  if (fromDir) return JSON.parse(readFileSync(join(fromDir, `${slug}.json`), "utf8"));
  const url = `${API}/${encodeURIComponent(slug)}.json`;
  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const res = await fetch(url, {
        headers: { accept: "application/json", "user-agent": "bulwark-refresh-eol (+https://github.com)" },
        signal: AbortSignal.timeout(20_000),
      });
      if (res.ok) return await res.json();
      lastError = new Error(`${url}: HTTP ${res.status}`);
      // 4xx other than 429 will not get better by retrying (a wrong slug is a 404).
      if (res.status < 500 && res.status !== 429) break;
      const retryAfter = Number(res.headers.get("retry-after"));
      await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 30) * 1000 : 1000 * 2 ** (attempt - 1));
    } catch (e) {
      lastError = new Error(`${url}: ${e.message}`);
      await sleep(1000 * 2 ** (attempt - 1));
    }
  }
  throw lastError;
}

/** "Jammy Jellyfish" → "jammy", "Bookworm" → "bookworm": the word image tags use. */
function tagCodename(codename) {
  if (typeof codename !== "string") return undefined;
  const word = codename.trim().split(/\s+/)[0]?.toLowerCase();
  return word && /^[a-z][a-z0-9]*$/.test(word) ? word : undefined;
}

const isDate = (v) => typeof v === "string" && DATE.test(v);

/** API v0 rows → snapshot cycles. v0: eol date|bool (true = ended); lts bool|date; extendedSupport date|bool (true = ongoing). */
function toCycles(key, product, rows, previous) {
  if (!Array.isArray(rows) || rows.length === 0) throw new Error(`${key}: expected a non-empty JSON array`);
  const filter = product.refreshCycleFilter ? new RegExp(product.refreshCycleFilter) : undefined;
  const prevByCycle = new Map(previous.map((c) => [c.cycle, c]));
  const out = [];
  for (const row of rows) {
    if (row === null || typeof row !== "object" || row.cycle === undefined) throw new Error(`${key}: row without "cycle": ${JSON.stringify(row)}`);
    const cycle = String(row.cycle);
    if (filter && !filter.test(cycle)) continue;
    if (!(isDate(row.eol) || typeof row.eol === "boolean")) throw new Error(`${key} ${cycle}: unexpected eol ${JSON.stringify(row.eol)}`);
    const c = { cycle };
    const codename = tagCodename(row.codename) ?? prevByCycle.get(cycle)?.codename;
    if (codename) c.codename = codename;
    if (row.lts === true || isDate(row.lts)) c.lts = row.lts;
    if (isDate(row.support)) c.support = row.support;
    c.eol = row.eol;
    if (isDate(row.extendedSupport) || row.extendedSupport === true) c.extendedSupport = row.extendedSupport;
    out.push(c);
  }
  if (out.length === 0) throw new Error(`${key}: no cycles left after refreshCycleFilter`);
  // Curated cycles upstream dropped are kept (and reported): losing data silently is worse.
  const kept = previous.filter((p) => !out.some((c) => c.cycle === p.cycle));
  return { cycles: [...out, ...kept], kept: kept.map((c) => c.cycle) };
}

function summarise(key, before, after, kept) {
  const b = new Map(before.map((c) => [c.cycle, JSON.stringify({ ...c, source: undefined })]));
  const a = new Map(after.map((c) => [c.cycle, JSON.stringify({ ...c, source: undefined })]));
  const added = [...a.keys()].filter((k) => !b.has(k));
  const changed = [...a.keys()].filter((k) => b.has(k) && b.get(k) !== a.get(k));
  const parts = [];
  if (added.length) parts.push(`+${added.length} (${added.slice(0, 8).join(", ")}${added.length > 8 ? ", …" : ""})`);
  if (changed.length) parts.push(`~${changed.length} (${changed.join(", ")})`);
  if (kept.length) parts.push(`kept, not upstream: ${kept.join(", ")}`);
  return `${key}: ${parts.length ? parts.join("; ") : "unchanged"}`;
}

export async function refresh(argv = process.argv.slice(2), { snapshotPath = SNAPSHOT, log = console.error, out = (t) => process.stdout.write(t) } = {}) {
  const opts = parseArgs(argv);
  if (opts.help) {
    out(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 16).map((l) => l.replace(/^\/\/ ?/, "")).join("\n") + "\n");
    return 0;
  }
  const text = readFileSync(snapshotPath, "utf8");
  const doc = parseDocument(text);
  const data = doc.toJS();
  const date = opts.date ?? new Date().toISOString().slice(0, 10);

  const keys = Object.entries(data.products)
    .filter(([key, p]) => p.endoflife && (!opts.only || opts.only.includes(key)))
    .map(([key]) => key);
  if (opts.only) for (const k of opts.only) if (!keys.includes(k)) throw new Error(`--only: "${k}" is not a product with an endoflife slug`);

  // Fetch everything first; any failure aborts before a byte is written.
  const fetched = await Promise.all(keys.map(async (key) => [key, await fetchProduct(data.products[key].endoflife, opts.fromDir)]));

  for (const [key, rows] of fetched) {
    const product = data.products[key];
    const { cycles, kept } = toCycles(key, product, rows, product.cycles);
    log(summarise(key, product.cycles, cycles, kept));
    const node = doc.createNode(cycles);
    for (const item of node.items) item.flow = true; // one line per cycle, like the hand-written file
    doc.setIn(["products", key, "cycles"], node);
  }
  doc.set("snapshotDate", date);
  doc.set(
    "sourceRef",
    `endoflife.date API v0 (${API}/<slug>.json), fetched ${date} for: ${keys.join(", ")}; other products as previously recorded`,
  );

  const next = doc.toString({ lineWidth: 0, flowCollectionPadding: false }).replace(/\n+$/, "\n");
  const problems = validateEolSnapshot(parseDocument(next).toJS());
  if (problems.length) throw new Error(`refreshed snapshot does not validate:\n  ${problems.join("\n  ")}`);

  if (opts.dryRun) {
    out(next);
    log(`dry run: ${snapshotPath} not written`);
    return 0;
  }
  writeFileSync(snapshotPath, next);
  log(`wrote ${snapshotPath} (snapshotDate ${date})`);
  return genData([]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  refresh().then(
    (code) => (process.exitCode = code),
    (e) => {
      console.error(`refresh-eol: ${e.message}`);
      process.exitCode = 1;
    },
  );
}
