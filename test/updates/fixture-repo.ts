// The fixture repository of the update tests (test/updates/fixtures/repo/) with its placeholders
// (__REGISTRY__, __CHARTS__, __WEB100__) replaced: plan.test.ts plans it in memory, prs.test.ts
// commits it to the fake GitHub.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const FIXTURE = new URL("./fixtures/repo/", import.meta.url).pathname;

/** Path relative to the fixture root → text with every key of `vars` replaced by its value (paths in sorted walk order). */
export function readFixtureRepo(vars: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else {
        let text = readFileSync(abs, "utf8");
        for (const [k, v] of Object.entries(vars)) text = text.split(k).join(v);
        out[relative(FIXTURE, abs)] = text;
      }
    }
  };
  walk(FIXTURE);
  return out;
}
