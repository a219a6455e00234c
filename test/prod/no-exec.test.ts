// "The app never checks out or runs pull-request code", held as a property of the import graph:
// nothing reachable from the app's entry point (nor the Action's, which runs on PR events too)
// can start a process, evaluate code or load a worker — so no file of a pull request can be
// executed, whatever it contains. The CLI's Helm/Kustomize rendering (src/helm/exec.ts) runs
// tools on the user's own checkout and must stay out of both graphs.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const FORBIDDEN = ["child_process", "node:child_process", "vm", "node:vm", "worker_threads", "node:worker_threads", "cluster", "node:cluster"];

/** Every src module reachable from `entry` through static and dynamic imports, with the bare specifiers each imports. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const todo = [resolve(ROOT, entry)];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (graph.has(file)) continue;
    const text = readFileSync(file, "utf8");
    const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s*["']([^"']+)["']/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
    graph.set(file, specs);
    for (const s of specs) if (s.startsWith(".")) todo.push(resolve(dirname(file), s.replace(/\.js$/, ".ts")));
  }
  return graph;
}

describe.each(["src/app/index.ts", "src/action/index.ts"])("nothing reachable from %s can run code", (entry) => {
  const graph = importGraph(entry);

  it("walks the real graph (the review pipeline and the engine are in it)", () => {
    const files = [...graph.keys()].map((f) => f.slice(ROOT.length + 1));
    expect(files).toEqual(expect.arrayContaining(["src/github/review.ts", "src/core/engine/scan.ts", "src/core/parse/yaml.ts"]));
    expect(files.length).toBeGreaterThan(40);
  });

  it("imports no process, vm, worker or cluster module, and not the CLI's tool runner", () => {
    const offenders = [...graph].flatMap(([file, specs]) => specs.filter((s) => FORBIDDEN.includes(s)).map((s) => `${file.slice(ROOT.length + 1)} imports ${s}`));
    expect(offenders).toEqual([]);
    expect([...graph.keys()].map((f) => f.slice(ROOT.length + 1))).not.toContain("src/helm/exec.ts");
  });

  it("calls no eval or Function constructor", () => {
    // `redis.eval(…)` (a Lua script run by Redis) is a member call, not JavaScript eval.
    const offenders = [...graph.keys()].filter((f) => /(?<![.\w])eval\s*\(|\bnew\s+Function\s*\(/.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });
});
