import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/core/types.js";
import { escapeMarkdown, formatMarkdown, MARKDOWN_MAX_CHARS } from "../../src/report/markdown.js";
import { ctx, DOCKER_NO_USER, LATEST_TAG_SUPPRESSED, many, PARSE_ERROR, PRIVILEGED_WINDOWS, RUN_AS_ROOT, scan } from "./fixtures.js";

/** The cells of a GFM table row, split on unescaped pipes. */
function cells(row: string): string[] {
  return row
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

describe("formatMarkdown", () => {
  it("starts with a headline and summary tables by severity and by rule", () => {
    const out = formatMarkdown(scan(), ctx());
    expect(out.startsWith("## bulwark report\n\n❌ **2 findings at or above `high`** (4 findings in total) · 4 files, 6 resources scanned · 1 suppressed\n")).toBe(true);
    expect(out).toContain(
      [
        "| Severity | Findings | Suppressed |",
        "|---|---:|---:|",
        "| 🔴 critical | 1 | 0 |",
        "| 🟠 high | 1 | 0 |",
        "| 🟡 medium | 0 | 1 |",
        "| 🔵 low | 1 | 0 |",
        "| ⚪ info | 1 | 0 |",
      ].join("\n"),
    );
    expect(out).toContain(
      [
        "| Rule | Severity | Title | Findings | Suppressed |",
        "|---|---|---|---:|---:|",
        "| `K8S-HOST-001` | 🔴 critical | Privileged container | 1 | 0 |",
        "| `K8S-RUNTIME-002` | 🟠 high | Container may run as root | 1 | 0 |",
        "| `K8S-IMAGE-001` | 🟡 medium | Image uses a mutable tag | 0 | 1 |",
      ].join("\n"),
    );
  });

  it("has one collapsible section per file with a findings table", () => {
    const out = formatMarkdown(scan([RUN_AS_ROOT, DOCKER_NO_USER]), ctx());
    expect(out).toContain(
      [
        "<details><summary><code>deploy/web.yaml</code> · 1 finding (1 high)</summary>",
        "",
        "| Line | Severity | Rule | Message |",
        "|---:|---|---|---|",
        '| 9 | 🟠 high | `K8S-RUNTIME-002` | Container "app" may run as root: runAsNonRoot is not set <sub>Deployment/web/app</sub> · 🔧 fix available |',
        "</details>",
      ].join("\n"),
    );
    expect(out.match(/<details>/g)).toHaveLength(2);
    expect(out.match(/<\/details>/g)).toHaveLength(2);
  });

  it("escapes pipes and backticks so messages stay in their cell; keeps unicode; relative Windows paths", () => {
    const out = formatMarkdown(scan([PRIVILEGED_WINDOWS]), ctx({ cwd: "C:\\repo" }));
    expect(out).toContain("<summary><code>charts/db/templates/sts.yaml</code>");
    const row = out.split("\n").find((l) => l.startsWith("| 21 |"))!;
    expect(cells(row)).toEqual(["21", "🔴 critical", "`K8S-HOST-001`", "Conteneur « db » privilégié 🚨 — value \\`a\\|b\\` \\| pipe <sub>StatefulSet/db/postgres</sub>"]);
  });

  it("neutralises HTML, control characters, newlines and @mentions from scanned content", () => {
    const evil: Finding = { ...PARSE_ERROR, message: "<img src=x onerror=alert(1)>\nline2 *bold* [link](x) ~~s~~ @octocat", path: "a/<b>.yaml" };
    const out = formatMarkdown(scan([evil]), ctx());
    expect(out).not.toContain("<img");
    expect(out).toContain("&lt;img src=x onerror=alert(1)&gt; line2 \\*bold\\* \\[link\\](x) \\~\\~s\\~\\~ @\u200boctocat");
    expect(out).toContain("<code>a/&lt;b&gt;.yaml</code>");
    expect(formatMarkdown(scan([PARSE_ERROR]), ctx())).not.toContain("\u001b");
    expect(escapeMarkdown("a|b`c\\d")).toBe("a\\|b\\`c\\\\d");
  });

  it("lists suppressed findings in their own section with the reason", () => {
    const out = formatMarkdown(scan([RUN_AS_ROOT, LATEST_TAG_SUPPRESSED]), ctx());
    expect(out).toContain(
      [
        "<details><summary>Suppressed findings (1)</summary>",
        "",
        "| File | Line | Rule | Message | Reason |",
        "|---|---:|---|---|---|",
        '| <code>deploy/web.yaml</code> | 10 | `K8S-IMAGE-001` | Image "nginx:latest" uses the mutable tag \\`latest\\` | pinned by the CD pipeline |',
        "</details>",
      ].join("\n"),
    );
    expect(out).toContain("<code>deploy/web.yaml</code> · 1 finding (1 high)");
  });

  it("reports a clean scan", () => {
    const out = formatMarkdown(scan([]), ctx());
    expect(out).toBe("## bulwark report\n\n✅ **No findings** · 4 files, 6 resources scanned\n");
    expect(formatMarkdown(scan([DOCKER_NO_USER]), ctx())).toContain("⚠️ **1 finding**, none at or above `high`");
  });

  it("stays under 65,000 characters by truncating with a note", () => {
    const findings = many(5_000, 40, 120);
    const out = formatMarkdown(scan(findings), ctx());
    expect(out.length).toBeLessThanOrEqual(MARKDOWN_MAX_CHARS);
    expect(out.length).toBeGreaterThan(MARKDOWN_MAX_CHARS - 2_000);
    const shown = out.split("\n").filter((l) => /^\| \d+ \| /.test(l)).length;
    expect(shown).toBeGreaterThan(100);
    expect(out).toContain(`Report truncated to stay under 65000 characters: ${5_000 - shown} findings not shown.`);
    // Every opened section is closed.
    expect(out.match(/<details>/g)!.length).toBe(out.match(/<\/details>/g)!.length);
    // The most severe findings are the ones kept, and cut files say how many they show.
    const rows = out.split("\n").filter((l) => /^\| \d+ \| /.test(l));
    expect(rows.every((r) => r.includes("🔴 critical"))).toBe(true);
    expect(out).toContain("<code>gen/file-000.yaml</code> · 125 findings (125 critical)</summary>");
    expect(out).toMatch(/<code>gen\/file-\d+\.yaml<\/code> · 125 findings \(125 critical\), \d+ shown<\/summary>/);
    // Summary tables are complete even when rows are cut.
    expect(out).toContain("| 🔴 critical | 1000 | 0 |");
  });

  it("honours a custom limit and never exceeds it", () => {
    for (const max of [2_000, 5_000, 20_000]) {
      const out = formatMarkdown(scan(many(300, 7)), ctx(), max);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(out).toContain("Report truncated");
    }
  });

  it("does not truncate a report that fits", () => {
    expect(formatMarkdown(scan(many(50, 3)), ctx())).not.toContain("truncated");
  });
});
