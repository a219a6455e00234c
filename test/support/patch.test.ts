import { readFileSync, readdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePatch } from "../../src/github/diff.js";
import { makePatch } from "./patch.js";

const dir = fileURLToPath(new URL("../fixtures/diffs/", import.meta.url));
const read = (f: string): string => (existsSync(dir + f) ? readFileSync(dir + f, "utf8") : "");

describe("makePatch", () => {
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".patch")).map((f) => f.slice(0, -6))) {
    if (existsSync(`${dir}${name}.manual`) || existsSync(`${dir}${name}.args`)) continue;
    it(`matches git for ${name}`, () => {
      expect(makePatch(read(`${name}.before`), read(`${name}.after`))).toBe(read(`${name}.patch`));
    });
  }
  it("zero context uses git's zero-count conventions", () => {
    expect(makePatch(read("insert-zero-context.before"), read("insert-zero-context.after"), { context: 0 })).toBe(
      read("insert-zero-context.patch"),
    );
  });
  it("identical texts give an empty patch", () => {
    expect(makePatch("a\n", "a\n")).toBe("");
  });
  it("property: the patch parses and reproduces both sides", () => {
    const line = fc.constantFrom("a", "b", "c", "", "d\r", "  x: 1");
    const text = fc.tuple(fc.array(line, { maxLength: 30 }), fc.boolean()).map(([ls, nl]) => (ls.length ? ls.join("\n") + (nl ? "\n" : "") : ""));
    fc.assert(
      fc.property(text, text, fc.integer({ min: 0, max: 4 }), (a, b, context) => {
        const patch = makePatch(a, b, { context });
        if (a === b) return patch === "";
        const aLines = a === "" ? [] : (a.endsWith("\n") ? a.slice(0, -1) : a).split("\n");
        const bLines = b === "" ? [] : (b.endsWith("\n") ? b.slice(0, -1) : b).split("\n");
        for (const h of parsePatch(patch))
          for (const l of h.lines) {
            if (l.oldLine !== null && aLines[l.oldLine - 1] !== l.text) return false;
            if (l.newLine !== null && bLines[l.newLine - 1] !== l.text) return false;
          }
        return true;
      }),
      { numRuns: 300 },
    );
  });
});
