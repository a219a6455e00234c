import { describe, expect, it } from "vitest";
import { formatText, shouldUseColor } from "../../src/report/text.js";
import { ctx, DOCKER_NO_USER, LATEST_TAG_SUPPRESSED, PARSE_ERROR, PRIVILEGED_WINDOWS, RUN_AS_ROOT, scan } from "./fixtures.js";

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/;

describe("formatText", () => {
  it("groups findings by file with location, severity, rule, message, resource and fix marker", () => {
    const out = formatText(scan([RUN_AS_ROOT, DOCKER_NO_USER]), ctx());
    expect(out).toBe(
      [
        "deploy/web.yaml",
        '  9:11  high      K8S-RUNTIME-002  Container "app" may run as root: runAsNonRoot is not set  [Deployment/web/app]  fix available',
        "",
        "images/api/Dockerfile",
        "  2:1  low       DOCKER-USER-001  The final stage runs as root: add a USER instruction  fix available",
        "",
        "✖ 2 findings (1 high, 1 low), 2 fixable",
        '  1 at or above fail-on threshold "high" · 4 files, 6 resources scanned',
        "",
      ].join("\n"),
    );
  });

  it("aligns locations and rule ids within a file", () => {
    const a = { ...RUN_AS_ROOT, range: { ...RUN_AS_ROOT.range, startLine: 100 } };
    const b = { ...RUN_AS_ROOT, ruleId: "K8S-X-1", fingerprint: "x", range: { ...RUN_AS_ROOT.range, startLine: 9, startColumn: 1 } };
    const lines = formatText(scan([a, b]), ctx()).split("\n");
    expect(lines[1]!.startsWith("  9:1     high      K8S-X-1          Container")).toBe(true);
    expect(lines[2]!.startsWith("  100:11  high      K8S-RUNTIME-002  Container")).toBe(true);
  });

  it("lists suppressed findings separately with their reason and source, and counts them", () => {
    const out = formatText(scan([RUN_AS_ROOT, LATEST_TAG_SUPPRESSED]), ctx());
    expect(out).toContain(
      [
        "Suppressed (1)",
        '  deploy/web.yaml:10:18  medium  K8S-IMAGE-001  Image "nginx:latest" uses the mutable tag `latest`',
        "    reason: pinned by the CD pipeline (comment:deploy/web.yaml:9)",
      ].join("\n"),
    );
    expect(out).toContain("✖ 1 finding (1 high), 1 suppressed, 1 fixable");
    // The suppressed finding is not in the per-file list.
    expect(out.split("Suppressed (1)")[0]).not.toContain("K8S-IMAGE-001");
  });

  it("shows paths relative to cwd, Windows paths included, and unicode messages unchanged", () => {
    const out = formatText(scan([PRIVILEGED_WINDOWS]), ctx({ cwd: "C:\\repo\\" }));
    expect(out.split("\n")[0]).toBe("charts/db/templates/sts.yaml");
    expect(out).toContain("Conteneur « db » privilégié 🚨 — value `a|b` | pipe  [StatefulSet/db/postgres]");
    expect(out).toContain('1 at or above fail-on threshold "high"');
  });

  it("never prints control characters from scanned content (no terminal injection, one line per finding)", () => {
    const out = formatText(scan([PARSE_ERROR]), ctx({ color: false }));
    expect(out).not.toMatch(ANSI);
    expect(out).toContain("YAML error: unexpected end of stream \\x1b[31mred\\x1b[0m @octocat/admins");
    expect(out).toContain("\n  3:1  info  ");
    const bidi = { ...PARSE_ERROR, message: "evil\u202eeman\u2066x" };
    expect(formatText(scan([bidi]), ctx())).toContain("evil\\u202eeman\\u2066x");
  });

  it("uses ANSI colour only when asked", () => {
    const plain = formatText(scan(), ctx({ color: false }));
    const coloured = formatText(scan(), ctx({ color: true }));
    expect(plain).not.toMatch(ANSI);
    expect(coloured).toMatch(ANSI);
    expect(coloured).toContain("\u001b[1;35mcritical\u001b[0m");
    // Same text once the escapes are stripped.
    // eslint-disable-next-line no-control-regex
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, "")).toBe(plain);
  });

  it("says when nothing is at or above the threshold", () => {
    const out = formatText(scan([DOCKER_NO_USER]), ctx({ failOn: "critical" }));
    expect(out).toContain('! 1 finding (1 low), 1 fixable\n  none at or above fail-on threshold "critical"');
  });

  it("prints a clean report, with suppressed and error counts", () => {
    expect(formatText(scan([]), ctx())).toBe("✔ No findings · 4 files, 6 resources scanned\n");
    expect(formatText(scan([LATEST_TAG_SUPPRESSED], 2), ctx())).toContain("✔ No findings · 1 suppressed · 2 file errors · 4 files, 6 resources scanned");
  });
});

describe("shouldUseColor", () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{ NO_COLOR: "1" }, true, false],
    [{ NO_COLOR: "anything" }, true, false],
    [{ NO_COLOR: "" }, true, true], // empty NO_COLOR is ignored
    [{ TERM: "dumb" }, true, false],
    [{ FORCE_COLOR: "1" }, false, true],
    [{ FORCE_COLOR: "" }, false, true],
    [{ FORCE_COLOR: "3" }, false, true],
    [{ FORCE_COLOR: "true" }, false, true],
    [{ FORCE_COLOR: "0" }, true, false],
    [{ FORCE_COLOR: "false" }, true, false],
    [{ FORCE_COLOR: "1", NO_COLOR: "1" }, false, true], // an explicit FORCE_COLOR wins, as in Node
  ] as const)("%j on a %s TTY → %s", (env, tty, expected) => {
    expect(shouldUseColor(env, tty)).toBe(expected);
  });
});
