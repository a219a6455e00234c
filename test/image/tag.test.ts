import { describe, expect, it } from "vitest";
import { EOL_SNAPSHOT } from "../../src/core/data/eol.js";
import { DEFAULT_OS_TOKENS, formatOsToken, osTokenMatcher, parseTag, rewriteTag } from "../../src/core/image/tag.js";

interface Expect {
  version?: string;
  precision?: number;
  variant?: string;
  os?: [family: string, cycle: string | undefined];
  keyword?: string;
  floating: boolean;
  date?: string;
  sha?: string;
  prerelease?: string;
  build?: string;
  prefix?: string;
}

describe("parseTag: version, variant and OS release are separate", () => {
  it.each<[string, Expect]>([
    ["3.11.4-slim-bookworm", { version: "3.11.4", precision: 3, variant: "slim", os: ["debian", "12"], floating: false }],
    ["18-alpine3.19", { version: "18", precision: 1, os: ["alpine", "3.19"], floating: false }],
    ["1.25-alpine", { version: "1.25", precision: 2, os: ["alpine", undefined], floating: false }],
    ["20.04", { version: "20.04", precision: 2, floating: false }],
    ["jammy", { os: ["ubuntu", "22.04"], floating: false }],
    ["8-jdk", { version: "8", precision: 1, variant: "jdk", floating: false }],
    ["lts", { keyword: "lts", floating: true }],
    ["latest", { keyword: "latest", floating: true }],
    ["stable-perl", { keyword: "stable", variant: "perl", floating: true }],
    ["mainline-alpine-perl", { keyword: "mainline", variant: "perl", os: ["alpine", undefined], floating: true }],
    ["lts-alpine3.19", { keyword: "lts", os: ["alpine", "3.19"], floating: false }],
    ["slim", { variant: "slim", floating: true }],
    ["alpine", { os: ["alpine", undefined], floating: true }],
    ["20-bookworm-slim", { version: "20", variant: "slim", os: ["debian", "12"], floating: false }],
    ["bookworm-slim", { variant: "slim", os: ["debian", "12"], floating: false }],
    ["bookworm-20240110-slim", { variant: "slim", os: ["debian", "12"], date: "20240110", floating: false }],
    ["jammy-20240111", { os: ["ubuntu", "22.04"], date: "20240111", floating: false }],
    ["noble", { os: ["ubuntu", "24.04"], floating: false }],
    ["3.12-slim-trixie", { version: "3.12", variant: "slim", os: ["debian", "13"], floating: false }],
    ["8.1-fpm-alpine3.20", { version: "8.1", variant: "fpm", os: ["alpine", "3.20"], floating: false }],
    ["8.0-noble-chiseled", { version: "8.0", variant: "chiseled", os: ["ubuntu", "24.04"], floating: false }],
    ["21-jdk-ubi9-minimal", { version: "21", variant: "jdk-minimal", os: ["ubi", "9"], floating: false }],
    ["17-al2023", { version: "17", os: ["amazonlinux", "2023"], floating: false }],
    ["11-amazonlinux2", { version: "11", os: ["amazonlinux", "2"], floating: false }],
    ["24.0.7-dind-alpine3.18", { version: "24.0.7", variant: "dind", os: ["alpine", "3.18"], floating: false }],
    ["1.27.1-alpine-otel", { version: "1.27.1", variant: "otel", os: ["alpine", undefined], floating: false }],
    ["8u412-b08-jre-jammy", { version: "8u412", precision: 1, build: "b08", variant: "jre", os: ["ubuntu", "22.04"], floating: false }],
    ["17.0.11_9-jdk-alpine", { version: "17.0.11_9", precision: 3, build: "_9", variant: "jdk", os: ["alpine", undefined], floating: false }],
    ["3.13.0rc1-slim", { version: "3.13.0rc1", prerelease: "rc1", variant: "slim", floating: false }],
    ["1.2.3-rc1", { version: "1.2.3", prerelease: "rc1", floating: false }],
    ["v1.9.4", { version: "v1.9.4", prefix: "v", precision: 3, floating: false }],
    ["centos7", { version: "centos7", prefix: "centos", precision: 1, floating: false }],
    ["stream9-minimal", { version: "stream9", prefix: "stream", variant: "minimal", floating: false }],
    ["2.0.20240306.2", { version: "2.0.20240306.2", precision: 4, floating: false }],
    ["1.25.3-debian-12-r5", { version: "1.25.3", variant: "debian-12", build: "r5", floating: false }],
    ["20240315", { date: "20240315", floating: false }],
    ["a1b2c3d", { sha: "a1b2c3d", floating: false }],
    ["windowsservercore-ltsc2022", { os: ["windows", undefined], floating: true }],
    ["BOOKWORM", { os: ["debian", "12"], floating: false }],
  ])("%s", (raw, e) => {
    const t = parseTag(raw);
    expect(t.raw).toBe(raw);
    expect(t.version?.text).toBe(e.version);
    if (e.precision !== undefined) expect(t.version?.precision).toBe(e.precision);
    if (e.prefix !== undefined) expect(t.version?.prefix).toBe(e.prefix);
    expect(t.variant).toBe(e.variant);
    expect(t.os ? [t.os.family, t.os.cycle] : undefined).toEqual(e.os);
    expect(t.keyword).toBe(e.keyword);
    expect(t.floating).toBe(e.floating);
    expect(t.date).toBe(e.date);
    expect(t.sha).toBe(e.sha);
    expect(t.version?.prerelease).toBe(e.prerelease);
    expect(t.version?.build).toBe(e.build);
    // Tokens always reassemble the tag exactly.
    expect(t.tokens.map((x) => x.text).join("-")).toBe(raw);
  });

  it("exposes numeric parts for comparisons", () => {
    expect(parseTag("3.11.4-slim").version?.parts).toEqual([3, 11, 4]);
    expect(parseTag("8u412").version).toMatchObject({ parts: [8], update: 412 });
  });
});

describe("rewriteTag / formatOsToken", () => {
  it.each([
    ["3.8-slim-buster", { version: "3.11", os: ["13", "trixie"] }, "3.11-slim-trixie"],
    ["16-alpine", { version: "22" }, "22-alpine"],
    ["18-alpine3.19", { version: "22", os: ["3.22"] }, "22-alpine3.22"],
    ["20-bookworm-slim", { os: ["13", "trixie"] }, "20-trixie-slim"],
    ["bookworm-20240110-slim", { os: ["13", "trixie"] }, "trixie-slim"],
    ["8u412-b08-jdk-focal", { os: ["22.04", "jammy"] }, "8u412-b08-jdk-jammy"],
    ["8u412-b08-jdk-focal", { version: "11" }, "11-jdk-focal"],
    ["3.13.0rc1-slim", { version: "3.14" }, "3.14-slim"],
    ["v1.2", { version: "1.3" }, "v1.3"],
    ["21-jdk-ubi8-minimal", { os: ["9"] }, "21-jdk-ubi9-minimal"],
  ] as const)("%s → %s", (raw, change, expected) => {
    const t = parseTag(raw);
    const os = "os" in change ? change.os : undefined;
    const osToken = os && t.os ? formatOsToken(t.os, os[0], os[1]) : undefined;
    expect(
      rewriteTag(t, {
        ...("version" in change ? { version: change.version } : {}),
        ...(osToken !== undefined ? { osToken } : {}),
      }),
    ).toBe(expected);
  });

  it("leaves the tag alone when nothing changes", () => {
    for (const raw of ["3.11.4-slim-bookworm", "jammy-20240111", "8u412-b08-jre"]) expect(rewriteTag(parseTag(raw), {})).toBe(raw);
  });
});

describe("OS tokens come from the EOL data", () => {
  it("recognises every Debian and Ubuntu codename in the snapshot", () => {
    for (const key of ["debian", "ubuntu"]) {
      for (const c of EOL_SNAPSHOT.products[key]!.cycles) {
        if (!c.codename) continue;
        expect(DEFAULT_OS_TOKENS(c.codename), `${key} ${c.codename}`).toMatchObject({ product: key, cycle: c.cycle });
      }
    }
  });

  it("accepts a custom table (a new codename is a data change, not a code change)", () => {
    const match = osTokenMatcher([{ family: "debian", product: "debian", codenames: true }], {
      debian: { cycles: [{ cycle: "14", codename: "forky" }] },
    });
    expect(parseTag("3.14-slim-forky", match).os).toMatchObject({ family: "debian", cycle: "14" });
    expect(parseTag("3.14-slim-forky").os).toBeUndefined();
  });
});
