#!/usr/bin/env node
// `npm run build`: compile the catalog, the library (lib/, for the CLI and the app) and
// bundle the GitHub Action into dist/index.js. The bundle is deterministic so CI can
// fail when the committed dist/ differs from a fresh build.
// `bundleAction(outdir)` is exported for the action tests, which run a fresh bundle.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

// Large CommonJS dependencies that only some scans need (mvdan-sh: 1.5 MB of GopherJS, used for
// Dockerfile RUN scripts the fast tokenizer cannot split) are not bundled: they are copied next to
// the bundle and required on first property access, so a run that never needs them does not
// parse them at start-up (most of the action's cold start is compiling the bundle).
const LAZY = ["mvdan-sh"];

function lazyDependencies(outdir) {
  const used = new Set();
  return {
    name: "lazy-dependencies",
    setup(b) {
      b.onResolve({ filter: new RegExp(`^(${LAZY.join("|")})$`) }, (args) => ({ path: args.path, namespace: "lazy" }));
      // The copy next to the bundle, required at run time (the banner's createRequire).
      b.onResolve({ filter: /^\.\/[^/]+\.cjs$/, namespace: "lazy" }, (args) => ({ path: args.path, external: true }));
      b.onLoad({ filter: /.*/, namespace: "lazy" }, (args) => {
        used.add(args.path);
        return {
          loader: "js",
          contents: [
            `let mod;`,
            `const load = () => (mod ??= require("./${args.path}.cjs"));`,
            `export default new Proxy({}, {`,
            `  get: (_t, k) => load()[k],`,
            `  has: (_t, k) => k in load(),`,
            `  ownKeys: () => Reflect.ownKeys(load()),`,
            `  getOwnPropertyDescriptor: (_t, k) => Object.getOwnPropertyDescriptor(load(), k),`,
            `});`,
          ].join("\n"),
        };
      });
      b.onEnd(() => {
        const req = createRequire(join(root, "package.json"));
        for (const name of used) copyFileSync(req.resolve(name), join(outdir, `${name}.cjs`));
      });
    },
  };
}

/** Bundle src/action/index.ts into `outdir`/index.js (+ package.json); returns the bundle's inputs. */
export async function bundleAction(outdir = join(root, "dist")) {
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["src/action/index.ts"],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    outfile: join(outdir, "index.js"),
    legalComments: "none",
    logLevel: "warning",
    metafile: true,
    plugins: [lazyDependencies(outdir)],
    // @actions/* pull CJS dependencies that require Node built-ins dynamically.
    banner: { js: "import { createRequire as __bulwarkCreateRequire } from 'node:module'; const require = __bulwarkCreateRequire(import.meta.url);" },
  });
  const inputs = Object.keys(result.metafile.inputs);
  // The action must not carry the Probot app (or its server stack).
  const leaked = inputs.filter((p) => /(^|\/)node_modules\/(probot|@probot)\/|(^|\/)src\/app\//.test(p));
  if (leaked.length > 0) throw new Error(`the action bundle pulls in the Probot app:\n  ${leaked.join("\n  ")}`);
  writeFileSync(join(outdir, "package.json"), '{ "type": "module" }\n');
  return inputs;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const run = (cmd, args) => execFileSync(cmd, args, { stdio: "inherit", cwd: root });
  run("node", ["scripts/gen-rules.mjs"]);
  run("node", ["scripts/gen-data.mjs"]);
  run("npx", ["tsc", "-p", "tsconfig.build.json"]);
  if (existsSync(join(root, "src/action/index.ts"))) await bundleAction();
}
