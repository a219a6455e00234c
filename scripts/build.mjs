#!/usr/bin/env node
// `npm run build`: compile the catalog, the library (lib/, for the CLI and the app) and
// bundle the GitHub Action into dist/index.js. The bundle is deterministic so CI can
// fail when the committed dist/ differs from a fresh build.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const run = (cmd, args) => execFileSync(cmd, args, { stdio: "inherit" });
run("node", ["scripts/gen-rules.mjs"]);
run("node", ["scripts/gen-data.mjs"]);
run("npx", ["tsc", "-p", "tsconfig.build.json"]);

if (existsSync("src/action/index.ts")) {
  mkdirSync("dist", { recursive: true });
  await build({
    entryPoints: ["src/action/index.ts"],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    outfile: "dist/index.js",
    legalComments: "none",
    logLevel: "warning",
    // @actions/* pull CJS dependencies that require Node built-ins dynamically.
    banner: { js: "import { createRequire as __bulwarkCreateRequire } from 'node:module'; const require = __bulwarkCreateRequire(import.meta.url);" },
  });
  writeFileSync("dist/package.json", '{ "type": "module" }\n');
}
