// Version ordering: docker tags (precision, variant, OS release moves on EOL, floating tags)
// and Helm ranges with Masterminds semantics.
import { describe, expect, it } from "vitest";
import { tryParseImageRef } from "../../src/core/image/reference.js";
import { chooseDockerTag, compareTags, isArtifactTag } from "../../src/updates/versioning/docker.js";
import { chooseChartVersion, parseHelmRange } from "../../src/updates/versioning/helm.js";
import { allowedByPolicy, versionChange } from "../../src/updates/versioning/policy.js";
import { parseTag } from "../../src/core/image/tag.js";

const NOW = new Date("2026-11-25T00:00:00Z");
const img = (s: string) => tryParseImageRef(s)!;
const choose = (ref: string, tags: string[], policy: "patch" | "minor" | "major" = "minor") => {
  const image = img(ref);
  return chooseDockerTag(image, image.tag!, tags, { policy, now: NOW });
};

describe("policies", () => {
  it("classify changes by the first differing component", () => {
    expect(versionChange([1, 2, 3], [1, 2, 4])).toBe("patch");
    expect(versionChange([1, 2, 3], [1, 3, 0])).toBe("minor");
    expect(versionChange([1, 2], [2, 0])).toBe("major");
    expect(allowedByPolicy("minor", "patch")).toBe(false);
    expect(allowedByPolicy("minor", "minor")).toBe(true);
    expect(allowedByPolicy("major", "minor")).toBe(false);
    expect(allowedByPolicy("major", "major")).toBe(true);
  });
});

describe("docker tags", () => {
  const python = ["3.11.4-slim-bookworm", "3.11.9-slim-bookworm", "3.11.9-slim-trixie", "3.12.1-slim-trixie", "3.12.1-slim-bookworm", "3.11.10-slim", "3.11.10", "3.11", "3.11-slim-trixie", "latest", "3.13.0rc1-slim-trixie", "4.0.0-slim-trixie"];

  it("keeps variant and precision, moves the EOL OS release and says why", () => {
    const d = choose("python:3.11.4-slim-bookworm", python, "patch");
    expect(d.proposed).toBe("3.11.9-slim-trixie");
    expect(d.change).toBe("patch");
    expect(d.osMove).toMatchObject({ productTitle: "Debian", from: { token: "bookworm", cycle: "12", eolDate: "2026-07-11", status: "lts-only" }, to: { token: "trixie", cycle: "13", eolDate: "2028-08-09" } });
    expect(choose("python:3.11.4-slim-bookworm", python, "minor").proposed).toBe("3.12.1-slim-trixie");
    expect(choose("python:3.11.4-slim-bookworm", python, "major").proposed).toBe("4.0.0-slim-trixie");
  });

  it("does not move a supported OS release", () => {
    const d = choose("python:3.11.9-slim-trixie", ["3.11.10-slim-trixie", "3.11.10-slim-forky", "3.12.0-slim-trixie"], "patch");
    expect(d.proposed).toBe("3.11.10-slim-trixie");
    expect(d.osMove).toBeUndefined();
  });

  it("never proposes a lower version to move the OS", () => {
    const d = choose("python:3.11.9-slim-bookworm", ["3.11.4-slim-trixie", "3.11.10-slim-bookworm"], "patch");
    expect(d.proposed).toBe("3.11.10-slim-bookworm");
    expect(d.note).toContain("Debian 12 is end-of-life but no tag");
  });

  it("keeps precision: 1.25 moves to 1.27, never to 1.27.3", () => {
    expect(choose("nginx:1.25", ["1.25.3", "1.26", "1.27", "1.27.3", "2.0", "1.27-alpine", "mainline"]).proposed).toBe("1.27");
    expect(choose("node:18", ["18.20.4", "20", "22", "22-alpine"], "minor").proposed).toBeUndefined();
    expect(choose("node:18", ["18.20.4", "20", "22", "22-alpine"], "major").proposed).toBe("22");
  });

  it("keeps a v prefix, build revisions and the variant order", () => {
    expect(choose("ghcr.io/a/b:v1.2.3", ["v1.2.4", "1.2.5", "v1.3.0", "v2.0.0"], "patch").proposed).toBe("v1.2.4");
    expect(choose("bitnami/nginx:1.25.3-debian-12-r5", ["1.25.3-debian-12-r6", "1.25.4-debian-12-r0", "1.25.4-debian-12-r1", "1.25.4-debian-12"], "patch").proposed).toBe("1.25.4-debian-12-r1");
    expect(choose("node:20.11.1-bookworm-slim", ["20.12.0-bookworm-slim", "20.12.0-slim-bookworm", "20.12.1-bookworm"]).proposed).toBe("20.12.0-bookworm-slim");
  });

  it("moves alpine3.x only to a supported alpine release, in the same spelling", () => {
    const d = choose("node:22-alpine3.19", ["22-alpine3.20", "22-alpine3.21", "22-alpine3.22", "22-alpine", "24-alpine3.22"], "minor");
    expect(d.proposed).toBe("22-alpine3.22");
    expect(d.osMove?.from.token).toBe("alpine3.19");
    expect(choose("node:22-alpine", ["22-alpine3.22", "23-alpine"], "major").proposed).toBe("23-alpine");
  });

  it("never proposes floating tags and gives floating or commit tags no version update", () => {
    expect(choose("nginx:latest", ["1.27", "latest", "stable"]).proposed).toBeUndefined();
    expect(choose("nginx:latest", ["1.27"]).note).toContain("floating tag");
    expect(choose("acme/app:a1b2c3d", ["b2c3d4e"]).note).toContain("commit tag");
    expect(choose("nginx:1.25", ["latest", "stable", "mainline-alpine"]).proposed).toBeUndefined();
  });

  it("skips prereleases unless the current tag is one", () => {
    expect(choose("python:3.12.0", ["3.12.1rc1", "3.13.0b1", "3.12.1"]).proposed).toBe("3.12.1");
    expect(choose("python:3.13.0b1", ["3.13.0b2", "3.13.0rc1", "3.13.0"]).proposed).toBe("3.13.0");
    expect(choose("python:3.13.0b1", ["3.13.0b2", "3.13.0rc1"]).proposed).toBe("3.13.0rc1");
  });

  it("orders date-stamped builds and drops signature tags", () => {
    expect(choose("ubuntu:jammy-20240111", ["jammy-20240212", "jammy-20231211", "noble-20240301", "jammy"]).proposed).toBe("jammy-20240212");
    expect(isArtifactTag(`sha256-${"a".repeat(64)}.sig`)).toBe(true);
    expect(isArtifactTag("1.2.3.att")).toBe(true);
    expect(isArtifactTag("1.2.3")).toBe(false);
    expect(compareTags(parseTag("1.10"), parseTag("1.9"))).toBeGreaterThan(0);
    expect(compareTags(parseTag("8u412-b08"), parseTag("8u402-b06"))).toBeGreaterThan(0);
  });

  it("prefers a ranked candidate (e.g. one that resolves vulnerabilities) before version order", () => {
    const image = img("acme/app:1.0.0");
    const d = chooseDockerTag(image, "1.0.0", ["1.0.1", "1.0.2", "1.1.0"], { policy: "minor", now: NOW, rank: (t) => (t === "1.0.2" ? 1 : 0) });
    expect(d.proposed).toBe("1.0.2");
  });
});

describe("Helm ranges (Masterminds)", () => {
  const versions = ["0.9.0", "1.0.0", "1.2.0", "1.2.5", "1.3.0", "1.4.0-rc.1", "1.5.0+build.1", "2.0.0", "2.1.0"].map((version) => ({ version, deprecated: false }));
  const cases: [string, "minor" | "major", string | undefined][] = [
    ["1.2.0", "minor", "1.5.0+build.1"],
    ["1.2.0", "major", "2.1.0"],
    ["v1.2.0", "minor", "v1.5.0+build.1"],
    ["^1.2.0", "minor", "^1.5.0+build.1"],
    ["~1.2.0", "major", "~2.1.0"],
    ["1.2.x", "minor", "1.5.x"],
    ["1.x", "minor", undefined],
    ["1.x", "major", "2.x"],
    [">=1.2.0", "minor", ">=1.5.0+build.1"],
    ["=> 1.2", "major", "=> 2.1.0"],
    [">= 1.2, < 2.0", "minor", undefined],
    ["1.x || 2.x", "major", undefined],
    ["*", "major", undefined],
  ];
  for (const [constraint, policy, expected] of cases) {
    it(`${constraint} (${policy}) → ${expected ?? "no change"}`, () => {
      expect(chooseChartVersion(constraint, versions, { policy }).proposed).toBe(expected);
    });
  }

  it("translates Masterminds syntax to semver ranges", () => {
    expect(parseHelmRange(">= 1.2, < 2.0")!.range.test("1.9.9")).toBe(true);
    expect(parseHelmRange(">= 1.2, < 2.0")!.range.test("2.0.0")).toBe(false);
    expect(parseHelmRange("!=1.2.5, >=1.0")!.range.test("1.2.5")).toBe(false);
    expect(parseHelmRange("!=1.2.5, >=1.0")!.range.test("1.2.6")).toBe(true);
    expect(parseHelmRange("1.2 - 1.4.5")!.range.test("1.4.5")).toBe(true);
    expect(parseHelmRange("~> 1.2")!.range.test("1.3.0")).toBe(false);
    expect(parseHelmRange("=< 1.2.3")!.range.test("1.2.3")).toBe(true);
    expect(parseHelmRange("not a range")).toBeUndefined();
  });

  it("says so when a complex range excludes the newest allowed version", () => {
    const d = chooseChartVersion(">=1.0.0 <1.3.0", versions, { policy: "minor" });
    expect(d.proposed).toBeUndefined();
    expect(d.note).toBe('the range ">=1.0.0 <1.3.0" excludes 1.5.0+build.1 and is too complex to rewrite automatically');
  });

  it("skips deprecated versions and prereleases, and flags a deprecated chart", () => {
    const vs = [
      { version: "1.0.0", deprecated: false },
      { version: "1.1.0", deprecated: false },
      { version: "1.2.0", deprecated: true },
      { version: "1.3.0-beta.1", deprecated: false },
    ];
    const d = chooseChartVersion("1.0.0", vs, { policy: "minor" });
    expect(d.proposed).toBe("1.1.0");
    expect(d.deprecated).toBe(true);
    expect(chooseChartVersion("1.3.0-beta.0", [...vs, { version: "1.3.0-beta.2", deprecated: false }], { policy: "minor" }).proposed).toBe("1.3.0-beta.2");
    expect(chooseChartVersion("1.1.0", [{ version: "1.1.0", deprecated: true }, { version: "1.0.0", deprecated: false }], { policy: "minor" })).toEqual({ change: "none", deprecated: true });
  });
});
