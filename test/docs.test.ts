import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TOOL } from "../src/cli/version.js";

describe("generated docs", () => {
  it("docs/rules.md and the README coverage table match rules/*.yaml (npm run docs)", () => {
    expect(() => execFileSync(process.execPath, ["--import", "tsx", "scripts/gen-docs.ts", "--check"], { stdio: "pipe" })).not.toThrow();
  });

  it("the tool version matches package.json", () => {
    expect(TOOL.version).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
  });
});
