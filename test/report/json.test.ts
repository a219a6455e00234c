import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/core/types.js";
import { formatJson } from "../../src/report/json.js";
import { ALL, ctx, LATEST_TAG_SUPPRESSED, PRIVILEGED_WINDOWS, RUN_AS_ROOT, scan } from "./fixtures.js";

function parse(text: string): { tool: Record<string, unknown>; findings: Record<string, unknown>[]; summary: Record<string, unknown> } {
  return JSON.parse(text) as { tool: Record<string, unknown>; findings: Record<string, unknown>[]; summary: Record<string, unknown> };
}

describe("formatJson", () => {
  it("prints the DESIGN.md contract: tool {name, version}, findings, summary", () => {
    const out = parse(formatJson(scan(), ctx()));
    expect(Object.keys(out)).toEqual(["tool", "findings", "summary"]);
    expect(out.tool).toEqual({ name: "bulwark", version: "0.1.0" }); // informationUri is not part of the contract
    expect(out.findings).toHaveLength(ALL.length);
  });

  it("is pretty-printed with 2 spaces and ends with a newline", () => {
    const text = formatJson(scan(), ctx());
    expect(text.startsWith('{\n  "tool": {\n    "name": "bulwark"')).toBe(true);
    expect(text.endsWith("}\n")).toBe(true);
  });

  it("sorts findings by path, line, column, ruleId", () => {
    const a: Finding = { ...RUN_AS_ROOT, ruleId: "B", fingerprint: "1", range: { ...RUN_AS_ROOT.range, startLine: 3, startColumn: 5 } };
    const b: Finding = { ...a, ruleId: "A", fingerprint: "2" };
    const c: Finding = { ...a, range: { ...a.range, startColumn: 1 }, fingerprint: "3" };
    const d: Finding = { ...a, range: { ...a.range, startLine: 2 }, fingerprint: "4" };
    const e: Finding = { ...a, path: "a.yaml", range: { ...a.range, startLine: 99 }, fingerprint: "5" };
    const out = parse(formatJson(scan([a, b, c, d, e]), ctx()));
    expect(out.findings.map((f) => f.fingerprint)).toEqual(["5", "4", "3", "2", "1"]);
  });

  it("is byte-identical whatever order the engine produced and whatever key order the objects had", () => {
    const shuffled = [...ALL].reverse().map((f) => Object.fromEntries(Object.entries(f).reverse()) as unknown as Finding);
    expect(formatJson(scan(shuffled), ctx())).toBe(formatJson(scan(), ctx()));
  });

  it("writes every object with a fixed key order", () => {
    const out = parse(formatJson(scan([RUN_AS_ROOT, LATEST_TAG_SUPPRESSED]), ctx()));
    const [root, suppressed] = out.findings as [Record<string, Record<string, unknown>>, Record<string, Record<string, unknown>>];
    expect(Object.keys(root)).toEqual(["ruleId", "severity", "title", "message", "path", "range", "resource", "fingerprint", "fix"]);
    expect(Object.keys(root.range!)).toEqual(["startLine", "startColumn", "endLine", "endColumn"]);
    expect(Object.keys(root.resource!)).toEqual(["apiVersion", "kind", "name", "namespace", "container"]);
    expect(Object.keys(root.fix!)).toEqual(["description", "edits"]);
    expect(Object.keys((root.fix!.edits as Record<string, unknown>[])[0]!)).toEqual(["path", "start", "end", "newText"]);
    expect(Object.keys(suppressed)).toEqual(["ruleId", "severity", "title", "message", "path", "range", "resource", "fingerprint", "suppressed"]);
    expect(suppressed.suppressed).toEqual({ reason: "pinned by the CD pipeline", source: "comment:deploy/web.yaml:9" });
    expect(Object.keys(out.summary)).toEqual(["files", "resources", "findings", "suppressed", "bySeverity", "byRule", "errors"]);
    expect(Object.keys(out.summary.bySeverity as object)).toEqual(["critical", "high", "medium", "low", "info"]);
  });

  it("lists suppressed findings (never silently dropped) and passes the summary through", () => {
    const out = parse(formatJson(scan(), ctx()));
    expect(out.findings.filter((f) => f.suppressed)).toHaveLength(1);
    expect(out.summary).toMatchObject({ files: 4, resources: 6, findings: 4, suppressed: 1, errors: 0 });
    expect(Object.keys(out.summary.byRule as object)).toEqual([...Object.keys(out.summary.byRule as object)].sort());
  });

  it("keeps paths and unicode text as given (Windows paths, emoji, control characters are JSON-escaped)", () => {
    const text = formatJson(scan(), ctx({ cwd: "C:\\repo" }));
    const out = parse(text);
    const priv = out.findings.find((f) => f.ruleId === PRIVILEGED_WINDOWS.ruleId)!;
    expect(priv.path).toBe(PRIVILEGED_WINDOWS.path);
    expect(priv.message).toBe(PRIVILEGED_WINDOWS.message);
    expect(text).not.toContain("\u001b");
    expect(text).toContain("\\u001b[31m");
  });

  it("keeps fields a newer engine adds, after the known ones, sorted", () => {
    const extra = { ...RUN_AS_ROOT, zeta: 1, alpha: { b: 2, a: [1] } } as unknown as Finding;
    const out = parse(formatJson(scan([extra]), ctx()));
    expect(Object.keys(out.findings[0]!).slice(-2)).toEqual(["alpha", "zeta"]);
    expect(out.findings[0]!.alpha).toEqual({ a: [1], b: 2 });
  });

  it("prints an empty report", () => {
    const out = parse(formatJson(scan([]), ctx()));
    expect(out.findings).toEqual([]);
    expect(out.summary).toMatchObject({ findings: 0, suppressed: 0, byRule: {} });
  });
});
