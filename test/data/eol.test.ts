import { describe, expect, it } from "vitest";
import {
  EOL_SNAPSHOT,
  lookupEol,
  lookupEolCycle,
  snapshotAgeDays,
  type EolResult,
  type EolSnapshotData,
} from "../../src/core/data/eol.js";
import { parseImageRef, type ParsedImageRef } from "../../src/core/image/reference.js";

const SNAPSHOT_DAY = new Date("2026-08-22T15:30:00Z");
const D64 = "sha256:" + "ab".repeat(32);

function ref(s: string): ParsedImageRef {
  const r = parseImageRef(s);
  if (!r.ok) throw new Error(`${s}: ${r.message}`);
  return r.ref;
}

function eol(image: string, today: Date = SNAPSHOT_DAY): EolResult[] {
  return lookupEol(ref(image), today);
}

/** "product cycle status → replacement image" lines: compact, and shows the whole answer. */
function summary(image: string, today: Date = SNAPSHOT_DAY): string[] {
  return eol(image, today).map(
    (r) => `${r.product} ${r.cycle} ${r.status}${r.replacement ? ` → ${r.replacement.cycle} ${r.replacement.image}` : ""}`,
  );
}

describe("lookupEol at the snapshot date (2026-08-22), one product at a time", () => {
  it.each([
    // node: LTS majors only as replacements
    ["node:16-alpine", ["node 16 eol → 22 node:22-alpine"]],
    ["node:16.20.2-bullseye-slim", ["node 16 eol → 22 node:22-trixie-slim", "debian 11 lts-only → 13 node:22-trixie-slim"]],
    ["node:20", ["node 20 eol → 22 node:22"]],
    ["node:22-alpine", ["node 22 supported"]],
    ["node:25", ["node 25 eol"]], // nothing newer is LTS yet: 26 becomes LTS on 2026-10-28
    ["node:19", ["node 19 eol → 22 node:22"]],
    // python + the Debian release in the suffix: two lifecycles, one combined fix
    ["python:3.8-slim-buster", ["python 3.8 eol → 3.11 python:3.11-slim-trixie", "debian 10 eol → 13 python:3.11-slim-trixie"]],
    ["python:3.10-alpine", ["python 3.10 eol-soon → 3.11 python:3.11-alpine"]],
    ["python:3.12-slim-bullseye", ["python 3.12 supported", "debian 11 lts-only → 13 python:3.12-slim-trixie"]],
    ["python:3.5", ["python 3.5 eol → 3.11 python:3.11"]],
    ["python:2.7.18-slim", ["python 2.7 eol → 3.11 python:3.11-slim"]],
    // golang: two newest minors only
    ["golang:1.25-bookworm", ["golang 1.25 eol → 1.26 golang:1.26-trixie", "debian 12 lts-only → 13 golang:1.26-trixie"]],
    ["golang:1.26-alpine", ["golang 1.26 supported"]],
    ["golang:1.21.6", ["golang 1.21 eol → 1.26 golang:1.26"]],
    // OS images
    ["debian:buster-slim", ["debian 10 eol → 13 debian:trixie-slim"]],
    ["debian:12", ["debian 12 lts-only → 13 debian:13"]],
    ["debian:bookworm-20240110-slim", ["debian 12 lts-only → 13 debian:trixie-slim"]],
    ["debian:trixie", ["debian 13 supported"]],
    ["debian:jessie", ["debian 8 eol → 13 debian:trixie"]],
    ["debian:7", ["debian 7 eol → 13 debian:13"]],
    ["ubuntu:focal", ["ubuntu 20.04 lts-only → 22.04 ubuntu:jammy"]],
    ["ubuntu:20.04", ["ubuntu 20.04 lts-only → 22.04 ubuntu:22.04"]],
    ["ubuntu:18.04", ["ubuntu 18.04 lts-only → 22.04 ubuntu:22.04"]],
    ["ubuntu:16.04", ["ubuntu 16.04 eol → 22.04 ubuntu:22.04"]],
    ["ubuntu:jammy-20240111", ["ubuntu 22.04 supported"]],
    ["ubuntu:oracular", ["ubuntu 24.10 eol → 26.04 ubuntu:resolute"]],
    ["ubuntu:25.10", ["ubuntu 25.10 eol → 26.04 ubuntu:26.04"]],
    ["ubuntu:21.04", ["ubuntu 21.04 eol → 22.04 ubuntu:22.04"]],
    ["alpine:3.19", ["alpine 3.19 eol → 3.22 alpine:3.22"]],
    ["alpine:3.21.3", ["alpine 3.21 eol-soon → 3.22 alpine:3.22"]],
    ["alpine:3.12", ["alpine 3.12 eol → 3.22 alpine:3.22"]],
    ["alpine:3.23", ["alpine 3.23 supported"]],
    ["amazonlinux:2", ["amazonlinux 2 eol → 2023 amazonlinux:2023"]],
    ["amazonlinux:2.0.20240306.2", ["amazonlinux 2 eol → 2023 amazonlinux:2023"]],
    ["amazonlinux:2018.03", ["amazonlinux 2018.03 eol → 2023 amazonlinux:2023"]],
    ["public.ecr.aws/amazonlinux/amazonlinux:2023", ["amazonlinux 2023 supported"]],
    ["centos:7", ["centos 7 eol"]],
    ["centos:centos7.9.2009", ["centos 7 eol"]],
    ["centos:5", ["centos 5 eol"]],
    ["quay.io/centos/centos:stream8", ["centos-stream 8 eol → 9 quay.io/centos/centos:stream9"]],
    ["quay.io/centos/centos:stream9-minimal", ["centos-stream 9 supported"]],
    // runtimes and apps
    ["eclipse-temurin:24-jdk", ["eclipse-temurin 24 eol → 25 eclipse-temurin:25-jdk"]],
    ["eclipse-temurin:26-jre", ["eclipse-temurin 26 eol-soon"]], // no newer LTS yet
    ["eclipse-temurin:17.0.11_9-jre-jammy", ["eclipse-temurin 17 supported", "ubuntu 22.04 supported"]],
    ["eclipse-temurin:8u412-b08-jdk-focal", ["eclipse-temurin 8 supported", "ubuntu 20.04 lts-only → 22.04 eclipse-temurin:8u412-b08-jdk-jammy"]],
    ["eclipse-temurin:21-jdk-ubi9-minimal", ["eclipse-temurin 21 supported", "ubi 9 supported"]],
    ["php:8.1-fpm-alpine", ["php 8.1 eol → 8.2 php:8.2-fpm-alpine"]],
    ["php:7.4-apache", ["php 7.4 eol → 8.2 php:8.2-apache"]],
    ["php:8.3-cli", ["php 8.3 supported"]],
    ["ruby:3.2-slim-bookworm", ["ruby 3.2 eol → 3.3 ruby:3.3-slim-trixie", "debian 12 lts-only → 13 ruby:3.3-slim-trixie"]],
    ["ruby:3.4", ["ruby 3.4 supported"]],
    ["mcr.microsoft.com/dotnet/aspnet:6.0-bookworm-slim", ["dotnet 6 eol → 10 mcr.microsoft.com/dotnet/aspnet:10.0-trixie-slim", "debian 12 lts-only → 13 mcr.microsoft.com/dotnet/aspnet:10.0-trixie-slim"]],
    ["mcr.microsoft.com/dotnet/sdk:8.0", ["dotnet 8 eol-soon → 10 mcr.microsoft.com/dotnet/sdk:10.0"]],
    ["mcr.microsoft.com/dotnet/runtime:10.0-noble-chiseled", ["dotnet 10 supported", "ubuntu 24.04 supported"]],
    ["postgres:13-alpine3.20", ["postgres 13 eol → 15 postgres:15-alpine3.22", "alpine 3.20 eol → 3.22 postgres:15-alpine3.22"]],
    ["postgres:14", ["postgres 14 eol-soon → 15 postgres:15"]],
    ["postgres:9.6", ["postgres 9 eol → 15 postgres:15"]],
    ["nginx:1.29.1-alpine-perl", ["nginx 1.29 eol → 1.30 nginx:1.30-alpine-perl"]],
    ["nginx:1.30", ["nginx 1.30 supported"]],
    ["nginxinc/nginx-unprivileged:1.27-alpine", ["nginx 1.27 eol → 1.30 nginxinc/nginx-unprivileged:1.30-alpine"]],
    ["registry.access.redhat.com/ubi7/ubi:7.9", ["ubi 7 eol → 8 registry.access.redhat.com/ubi8/ubi"]],
    ["registry.access.redhat.com/ubi7", ["ubi 7 eol → 8 registry.access.redhat.com/ubi8"]],
    ["registry.redhat.io/ubi8/ubi-minimal:8.10", ["ubi 8 supported"]],
    ["registry.access.redhat.com/ubi9-minimal:latest", ["ubi 9 supported"]],
    ["registry.k8s.io/ingress-nginx/controller:v1.9.4", ["ingress-nginx all eol"]],
    ["k8s.gcr.io/ingress-nginx/controller:v0.49.3", ["ingress-nginx all eol"]],
    // mirrors of Docker Hub official images
    ["public.ecr.aws/docker/library/python:3.8", ["python 3.8 eol → 3.11 public.ecr.aws/docker/library/python:3.11"]],
    ["mirror.gcr.io/library/node:18", ["node 18 eol → 22 mirror.gcr.io/library/node:22"]],
    // any image: the OS suffix still carries a lifecycle
    ["openjdk:11-jre-slim-buster", ["debian 10 eol → 13 openjdk:11-jre-slim-trixie"]],
    ["ghcr.io/acme/api:1.4.2-alpine3.18", ["alpine 3.18 eol → 3.22 ghcr.io/acme/api:1.4.2-alpine3.22"]],
    ["amazoncorretto:17-al2023", ["amazonlinux 2023 supported"]],
    ["node:lts-bullseye", ["debian 11 lts-only → 13 node:lts-trixie"]],
  ])("%s", (image, expected) => {
    expect(summary(image)).toEqual(expected);
  });
});

describe("floating and unknown tags are never EOL", () => {
  it.each([
    "node:lts", "node:current", "node:latest", "node", "node:lts-alpine", "python:3", "python:3-slim", "python:slim",
    "golang:1", "golang:alpine", "ubuntu:latest", "ubuntu:rolling", "debian:stable-slim", "debian:sid", "alpine:edge",
    "alpine:20240315", "nginx:stable-perl", "nginx:mainline-alpine", "php:8", "ruby:3", "postgres:latest",
    "eclipse-temurin:latest", `node@${D64}`, "node:27", "python:3.15-slim", "ubuntu:27.04",
    "mcr.microsoft.com/dotnet/framework/runtime:4.8", "myorg/node:16", "node:a1b2c3d",
  ])("%s → []", (image) => {
    expect(eol(image)).toEqual([]);
  });
});

describe("result details", () => {
  it("carries dates, days, snapshot metadata and provenance", () => {
    const [py, deb] = eol("python:3.8-slim-buster");
    expect(py).toMatchObject({
      product: "python",
      productTitle: "Python",
      cycle: "3.8",
      matchedBy: "image",
      token: "3.8",
      status: "eol",
      eolDate: "2024-10-07",
      snapshotDate: "2026-08-22",
      dataAgeDays: 0,
      lts: false,
    });
    expect(py!.daysUntilEol).toBeLessThan(0);
    expect(deb).toMatchObject({
      product: "debian",
      cycle: "10",
      codename: "buster",
      matchedBy: "os-suffix",
      token: "buster",
      status: "eol",
      eolDate: "2022-09-10",
      extendedSupportEnd: "2024-06-30",
      extendedSupportPaid: false,
    });
    expect(deb!.replacement).toEqual({ cycle: "13", codename: "trixie", eolDate: "2028-08-09", tag: "3.11-slim-trixie", image: "python:3.11-slim-trixie" });
  });

  it("eol-soon counts days (python 3.10 ends 2026-10-31)", () => {
    expect(eol("python:3.10")[0]).toMatchObject({ status: "eol-soon", daysUntilEol: 70, eolDate: "2026-10-31" });
    // 91 days before: still supported; 90 days before: eol-soon; on the day: eol.
    expect(eol("python:3.10", new Date("2026-08-01T00:00:00Z"))[0]).toMatchObject({ status: "supported", daysUntilEol: 91 });
    expect(eol("python:3.10", new Date("2026-08-02T23:59:59Z"))[0]).toMatchObject({ status: "eol-soon", daysUntilEol: 90 });
    expect(eol("python:3.10", new Date("2026-10-31T00:00:00Z"))[0]).toMatchObject({ status: "eol", daysUntilEol: 0 });
  });

  it("lts-only until extended support ends, then eol (Debian 11 LTS ends 2026-08-31)", () => {
    expect(eol("debian:bullseye", new Date("2026-08-30T12:00:00Z"))[0]).toMatchObject({ status: "lts-only", extendedSupportEnd: "2026-08-31" });
    expect(eol("debian:bullseye", new Date("2026-08-31T00:00:00Z"))[0]).toMatchObject({ status: "eol" });
  });

  it("flags paid extended support (Ubuntu ESM)", () => {
    expect(eol("ubuntu:focal")[0]).toMatchObject({ status: "lts-only", extendedSupportEnd: "2030-04-02", extendedSupportPaid: true, lts: true });
  });

  it("unlisted cycles below allEolUpTo are EOL with no date", () => {
    expect(eol("node:14")[0]).toMatchObject({ cycle: "14", status: "eol", eolDate: null, lts: false });
    expect(eol("node:14")[0]!.daysUntilEol).toBeUndefined();
  });

  it("supported with no announced end has eolDate null", () => {
    expect(eol("golang:1.27")[0]).toMatchObject({ status: "supported", eolDate: null });
  });

  it("month-precision EOL (ingress-nginx: March 2026) and advice when there is no replacement", () => {
    const [r] = eol(`registry.k8s.io/ingress-nginx/controller:v1.9.4@${D64}`, new Date("2026-01-15T00:00:00Z"));
    expect(r).toMatchObject({ product: "ingress-nginx", status: "eol-soon", eolDate: "2026-03", daysUntilEol: 45 });
    expect(r!.advice).toMatch(/Gateway API/);
    expect(r!.replacement).toBeUndefined();
    expect(r!.dataSource).toMatch(/C-0292/);
    expect(eol("centos:7")[0]!.advice).toMatch(/CentOS Stream/);
  });

  it("drops the digest from the replacement (it pinned the old tag)", () => {
    expect(eol(`postgres:13@${D64}`)[0]!.replacement).toMatchObject({ tag: "15", image: "postgres:15" });
  });

  it("keeps the reference as written (registry spelling, no library/)", () => {
    expect(eol("docker.io/library/node:16")[0]!.replacement!.image).toBe("docker.io/library/node:22");
    expect(eol("index.docker.io/library/node:16")[0]!.replacement!.image).toBe("index.docker.io/library/node:22");
  });

  it("prefers LTS cycles where the product says so", () => {
    // Ubuntu 23.10 → 24.04 (LTS), not 24.10/25.04 (interim, also EOL by now anyway).
    expect(eol("ubuntu:23.10", new Date("2024-06-01T00:00:00Z"))[0]!.replacement!.cycle).toBe("24.04");
    // Node 26 is LTS from 2026-10-28; after that it is node 25's replacement.
    expect(eol("node:25", new Date("2026-11-01T00:00:00Z"))[0]!.replacement!.cycle).toBe("26");
  });

  it("is pure: today is a parameter (the past looks different)", () => {
    const past = new Date("2024-01-01T00:00:00Z");
    expect(summary("node:20", past)).toEqual(["node 20 supported"]);
    expect(eol("node:20", past)[0]!.dataAgeDays).toBe(-964);
    expect(summary("node:16", past)).toEqual(["node 16 eol → 18 node:18"]);
  });

  it("reports the data's age", () => {
    expect(eol("node:22", new Date("2026-11-30T00:00:00Z"))[0]!.dataAgeDays).toBe(100);
    expect(snapshotAgeDays(new Date("2026-09-01T23:00:00Z"))).toBe(10);
  });

  it("rejects an invalid Date", () => {
    expect(() => eol("node:16", new Date("nope"))).toThrow(RangeError);
  });
});

describe("lookupEolCycle", () => {
  it("judges a known product cycle directly", () => {
    expect(lookupEolCycle("python", "3.8", SNAPSHOT_DAY)).toMatchObject({ status: "eol", replacement: { cycle: "3.11", eolDate: "2027-10-31" } });
    expect(lookupEolCycle("debian", "12", SNAPSHOT_DAY)).toMatchObject({ status: "lts-only", codename: "bookworm", replacement: { cycle: "13", codename: "trixie" } });
    expect(lookupEolCycle("node", "12", SNAPSHOT_DAY)).toMatchObject({ status: "eol", eolDate: null });
    expect(lookupEolCycle("node", "22", SNAPSHOT_DAY)?.replacement).toBeUndefined();
    expect(lookupEolCycle("node", "99", SNAPSHOT_DAY)).toBeUndefined();
    expect(lookupEolCycle("cobol", "1", SNAPSHOT_DAY)).toBeUndefined();
  });
});

describe("a custom snapshot can be injected (live data, tests)", () => {
  const custom: EolSnapshotData = {
    snapshotDate: "2030-01-01",
    source: "test",
    sourceRef: "test",
    products: {
      debian: {
        title: "Debian",
        endoflife: "debian",
        kind: "os",
        cycles: [
          { cycle: "14", codename: "forky", eol: false },
          { cycle: "13", codename: "trixie", eol: "2028-08-09" },
        ],
      },
      app: { title: "App", endoflife: null, kind: "app", cycles: [{ cycle: "2", eol: false }, { cycle: "1", eol: "2029-01-01" }] },
    },
    images: [{ product: "app", repositories: ["ghcr.io/acme/app"] }],
    dockerHubMirrors: [],
    osSuffixes: [{ family: "debian", product: "debian", codenames: true }],
  };

  it("uses the snapshot's products, images and OS tokens", () => {
    const results = lookupEol(ref("ghcr.io/acme/app:1.4-trixie"), new Date("2030-01-01T00:00:00Z"), custom);
    expect(results.map((r) => `${r.product} ${r.cycle} ${r.status} → ${r.replacement?.image}`)).toEqual([
      "app 1 eol → ghcr.io/acme/app:2-forky",
      "debian 13 eol → ghcr.io/acme/app:2-forky",
    ]);
    expect(results[0]!.dataAgeDays).toBe(0);
    // The default snapshot does not know this image.
    expect(lookupEol(ref("ghcr.io/acme/app:1.4"), SNAPSHOT_DAY)).toEqual([]);
  });

  it("the default export is the compiled YAML snapshot", () => {
    expect(EOL_SNAPSHOT.snapshotDate).toBe("2026-08-22");
  });
});
