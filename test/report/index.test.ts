import { describe, expect, it } from "vitest";
import { formatJson } from "../../src/report/json.js";
import { formatMarkdown } from "../../src/report/markdown.js";
import { formatReport, isReportFormat, REPORT_FORMATS } from "../../src/report/index.js";
import { formatSarif } from "../../src/report/sarif.js";
import { formatText } from "../../src/report/text.js";
import { ctx, scan } from "./fixtures.js";

describe("formatReport", () => {
  it.each([
    ["text", formatText],
    ["json", formatJson],
    ["sarif", formatSarif],
    ["markdown", formatMarkdown],
  ] as const)("dispatches %s", (format, fn) => {
    const out = formatReport(format, scan(), ctx());
    expect(out).toBe(fn(scan(), ctx()));
    expect(out.endsWith("\n")).toBe(true);
  });

  it("knows its formats", () => {
    expect(REPORT_FORMATS).toEqual(["text", "json", "sarif", "markdown"]);
    expect(isReportFormat("sarif")).toBe(true);
    expect(isReportFormat("html")).toBe(false);
    expect(isReportFormat(undefined)).toBe(false);
  });

  it("does not mutate the scan result", () => {
    const result = scan();
    const before = JSON.stringify(result);
    for (const f of REPORT_FORMATS) formatReport(f, result, ctx());
    expect(JSON.stringify(result)).toBe(before);
  });
});
