// Dockerfile rules beyond their documented examples: the parsing corners that decide what a
// rule sees (--platform, ARG before FROM, stage chains, mounts, exec form, heredocs, the escape
// directive), fixes applied together and under the engine's fix verification, fingerprints
// that survive other rules' fixes, suppressions, and never echoing secrets.
import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";
import { fixFiles } from "../../src/core/engine/fixes.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import type { BulwarkConfig } from "../../src/core/config/schema.js";
import { DOCKERFILE_CHECKS } from "../../src/rules/dockerfile.js";
import { hasDockerignore, secretFile } from "../../src/rules/dockerfile/instructions.js";
import { isSensitiveName, credentialKind } from "../../src/rules/dockerfile/secrets.js";

const NOW = new Date("2026-11-25T00:00:00Z");
const ALL = DOCKERFILE_CHECKS.map((c) => c.id);

function config(extra: Partial<BulwarkConfig> = {}): BulwarkConfig {
  return { ...DEFAULT_CONFIG, profile: "hardened", rules: Object.fromEntries(ALL.map((id) => [id, { enabled: true }])), ...extra };
}

function findings(text: string, rules: string[] = ALL, options: { path?: string; knownPaths?: string[]; verifyFixes?: boolean; config?: BulwarkConfig } = {}) {
  return scan([{ path: options.path ?? "Dockerfile", text }], {
    config: options.config ?? config(),
    onlyRules: rules,
    now: NOW,
    knownPaths: options.knownPaths,
    verifyFixes: options.verifyFixes,
  }).findings.filter((f) => f.ruleId.startsWith("DOCKER-") || f.ruleId === "BULWARK-PARSE");
}

const ids = (fs: { ruleId: string }[]) => fs.map((f) => f.ruleId).sort();

describe("FROM parsing", () => {
  it("reads the image after --platform=$BUILDPLATFORM, resolving ARGs declared before FROM", () => {
    const text = "ARG GO=1.26\nARG BASE=golang:${GO}-bookworm\nFROM --platform=$BUILDPLATFORM ${BASE} AS build\nFROM --platform=linux/arm64 alpine\n";
    const fs = findings(text, ["DOCKER-002", "DOCKER-003", "DOCKER-029F"]);
    expect(ids(fs)).toEqual(["DOCKER-002", "DOCKER-003", "DOCKER-003", "DOCKER-029F"]);
    expect(fs.find((f) => f.ruleId === "DOCKER-002")!.message).toMatch(/FROM alpine has no tag/);
    expect(fs.filter((f) => f.ruleId === "DOCKER-003").map((f) => f.message.split(" is not")[0])).toEqual(["FROM ${BASE} (stage \"build\")", "FROM alpine"]);
  });

  it("never treats scratch, stage names or unresolved ARGs as images", () => {
    const text = "ARG BASE\nFROM ${BASE} AS a\nFROM a AS b\nFROM B\nFROM scratch\n";
    expect(findings(text, ["DOCKER-002", "DOCKER-003", "DOCKER-004", "DOCKER-005"], { config: config({ trustedRegistries: ["registry.acme.io"] }) })).toEqual([]);
  });

  it("follows FROM <stage> chains for USER, shell and shipped stages", () => {
    const text = [
      "FROM debian:13-slim AS base",
      'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
      "USER 10001",
      "FROM base AS mid",
      "RUN curl -fsSL https://x | tar -xz",
      "FROM alpine:3.21 AS unrelated",
      "RUN apk add curl",
      "FROM mid",
      "RUN apt-get install -y --no-install-recommends git",
      "",
    ].join("\n");
    const fs = findings(text, ["DOCKER-001", "DOCKER-027", "DOCKER-017", "DOCKER-013"]);
    // USER 10001 is inherited, pipefail too; apk add is in a stage that is not shipped.
    expect(ids(fs)).toEqual(["DOCKER-013"]);
    expect(fs[0].message).toMatch(/RUN on line 9 in stage 3 \(FROM mid\)/);
  });

  it("reports USER root of a parent stage when the final stage inherits it", () => {
    const text = "FROM ubuntu:24.04 AS base\nUSER root\nFROM base AS app\nCMD [\"bash\"]\n";
    const [f] = findings(text, ["DOCKER-001"]);
    expect(f.message).toMatch(/USER on line 2 in stage "base" is the last USER of the final image \(stage "app"\)/);
    expect(f.range.startLine).toBe(2);
    expect(f.fix?.edits[0].newText).toBe("RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin app\nUSER 10001\n");
  });

  it("offers no DOCKER-001 fix for an unknown family and says what to do", () => {
    const [f] = findings("FROM registry.acme.io/base/runtime:3\nCMD [\"/app\"]\n", ["DOCKER-001"]);
    expect(f.fix).toBeUndefined();
    expect(f.message).toMatch(/not known to run as a non-root user.*numeric non-root `USER <uid>/);
  });
});

describe("RUN parsing", () => {
  it("ignores --mount flags as commands and honours cache mounts", () => {
    const text = [
      "FROM debian:13-slim",
      "RUN --mount=type=secret,id=token,env=TOKEN --mount=type=cache,target=/var/lib/apt/lists \\",
      "    apt-get update && apt-get install -y --no-install-recommends curl",
      "",
    ].join("\n");
    expect(findings(text, ["DOCKER-013", "DOCKER-021", "DOCKER-022"])).toEqual([]);
  });

  it("checks exec-form RUN but never edits it", () => {
    const fs = findings('FROM debian:13-slim\nRUN ["apt-get", "install", "curl"]\n', ["DOCKER-015", "DOCKER-012", "DOCKER-013"]);
    expect(ids(fs)).toEqual(["DOCKER-012", "DOCKER-013", "DOCKER-015"]);
    expect(fs.every((f) => f.fix === undefined)).toBe(true);
  });

  it("reads heredoc scripts and leaves COPY heredocs alone", () => {
    const text = ["# syntax=docker/dockerfile:1.7", "FROM alpine:3.21", "COPY <<EOF /etc/app.env", "TOKEN=x", "EOF", "RUN <<EOF", "apk add curl", "curl -s https://x | sh", "EOF", ""].join("\n");
    expect(ids(findings(text, ["DOCKER-017", "DOCKER-009", "DOCKER-023", "DOCKER-027"]))).toEqual(["DOCKER-009", "DOCKER-017", "DOCKER-027"]);
  });

  it("honours `# escape=`` ` for continuations and fixes in the same style", () => {
    const text = "# escape=`\nFROM debian:13-slim\nRUN apt-get update `\n  && apt-get install -y --no-install-recommends curl\n";
    const out = fixFiles([{ path: "Dockerfile", text }], { rules: ["DOCKER-013"] }, { config: config(), onlyRules: ["DOCKER-013"], now: NOW });
    expect(out.changed.get("Dockerfile")).toBe(
      "# escape=`\nFROM debian:13-slim\nRUN apt-get update `\n  && apt-get install -y --no-install-recommends curl `\n  && rm -rf /var/lib/apt/lists/*\n",
    );
  });

  it("still reports from the tokenizer on a shell syntax error, without fixes and without failing", () => {
    const text = 'FROM debian:13-slim\nRUN echo "oops && apt-get install curl\nRUN apt-get install curl ) \n';
    const fs = findings(text, ["DOCKER-015", "DOCKER-012"]);
    expect(fs.some((f) => f.ruleId === "BULWARK-PARSE")).toBe(false);
    expect(ids(fs)).toEqual(["DOCKER-012", "DOCKER-015"]);
    expect(fs.every((f) => f.fix === undefined)).toBe(true);
  });

  it("skips shell analysis under a PowerShell SHELL", () => {
    const text = 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\nRUN Get-ChildItem | Select-Object Name\n';
    expect(findings(text, ["DOCKER-027", "DOCKER-009"])).toEqual([]);
  });
});

describe("fixes", () => {
  const messy = [
    "FROM debian:13-slim AS base",
    "MAINTAINER ops@example.com",
    "RUN apt-get update \\",
    "    && apt-get install curl git \\",
    "    && pip install flask==3.1.0",
    "ADD config.yaml /etc/app/",
    "RUN useradd -u 1234567 svc",
    "FROM base",
    "RUN apt-get update && apt-get install --no-install-recommends -y jq",
    'CMD ["/usr/bin/jq", "--version"]',
    "",
  ].join("\n");

  it("apply together (several rules on one RUN), re-parse, and remove what they fix", () => {
    const out = fixFiles([{ path: "Dockerfile", text: messy }], { includeBehaviourChanging: true }, { config: config(), onlyRules: ALL, now: NOW });
    const fixed = out.changed.get("Dockerfile")!;
    expect(fixed).toBe(
      [
        "FROM debian:13-slim AS base",
        'LABEL org.opencontainers.image.authors="ops@example.com"',
        "RUN apt-get update \\",
        "    && apt-get install -y --no-install-recommends curl git \\",
        "    && pip install --no-cache-dir flask==3.1.0 \\",
        "    && rm -rf /var/lib/apt/lists/*",
        "COPY config.yaml /etc/app/",
        "RUN useradd -l -u 1234567 svc",
        "FROM base",
        "RUN apt-get update && apt-get install --no-install-recommends -y jq && rm -rf /var/lib/apt/lists/*",
        "USER 1234567",
        'CMD ["/usr/bin/jq", "--version"]',
        "",
      ].join("\n"),
    );
    expect(out.rules).toEqual(["DOCKER-001", "DOCKER-008", "DOCKER-012", "DOCKER-013", "DOCKER-015", "DOCKER-020", "DOCKER-029B", "DOCKER-029D"]);
    const after = ids(findings(fixed));
    for (const r of out.rules) expect(after).not.toContain(r);
  });

  it("survive the engine's fix verification (no fix withheld, fingerprints of other findings stable)", () => {
    const fs = findings(messy, ALL, { verifyFixes: true });
    const withheld = fs.filter((f) => /automatic fix withheld/.test(f.message));
    expect(withheld.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
    expect(fs.filter((f) => f.fix).length).toBeGreaterThanOrEqual(8);
  });

  it("keep other findings' fingerprints when a flag is inserted into the same command", () => {
    const text = "FROM debian:13-slim\nRUN apt-get update && apt-get install curl\n";
    const before = findings(text, ["DOCKER-012", "DOCKER-013", "DOCKER-015"]);
    const out = fixFiles([{ path: "Dockerfile", text }], { rules: ["DOCKER-012"] }, { config: config(), onlyRules: ["DOCKER-012"], now: NOW });
    const after = findings(out.changed.get("Dockerfile")!, ["DOCKER-013", "DOCKER-015"]);
    expect(after.map((f) => f.fingerprint).sort()).toEqual(before.filter((f) => f.ruleId !== "DOCKER-012").map((f) => f.fingerprint).sort());
  });

  it("tell identical findings in one stage apart", () => {
    const fs = findings("FROM ubuntu:24.04\nRUN sudo id\nRUN sudo id\n", ["DOCKER-021"]);
    expect(new Set(fs.map((f) => f.fingerprint)).size).toBe(2);
  });

  it("do not delete apt lists that a later RUN still uses", () => {
    const text = "FROM debian:13-slim AS a\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nFROM a\nRUN apt-get install -y --no-install-recommends git\n";
    const fs = findings(text, ["DOCKER-013"]);
    expect(fs.map((f) => [f.range.startLine, f.fix === undefined])).toEqual([
      [2, true],
      [4, false],
    ]);
  });

  it("do not append cleanups to a RUN that runs as a non-root user", () => {
    const text = "FROM rockylinux:9\nUSER 1000\nRUN sudo dnf install -y git\n";
    const [f] = findings(text, ["DOCKER-018"]);
    expect(f.fix).toBeUndefined();
  });
});

describe("suppressions and secrets", () => {
  it("honours # bulwark:ignore above a RUN", () => {
    const text = "FROM debian:13-slim\n# bulwark:ignore DOCKER-013 lists are removed by the base image's cleanup hook\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n";
    const r = scan([{ path: "Dockerfile", text }], { config: config(), onlyRules: ["DOCKER-013"], now: NOW });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0].suppressed?.reason).toMatch(/cleanup hook/);
  });

  it("never echoes secret values", () => {
    const secret = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";
    const fs = findings(`FROM node:22-alpine\nENV GITHUB_TOKEN=${secret}\nARG DB_PASSWORD=hunter2hunter2\nRUN echo 'root:${secret}' | chpasswd\n`, ["DOCKER-022", "DOCKER-026"]);
    expect(ids(fs)).toEqual(["DOCKER-022", "DOCKER-022", "DOCKER-026"]);
    for (const f of fs) {
      expect(f.message).not.toContain(secret);
      expect(f.message).not.toContain("hunter2hunter2");
    }
    expect(fs.find((f) => f.message.includes("GITHUB_TOKEN"))!.severity).toBe("critical");
    expect(fs.find((f) => f.message.includes("DB_PASSWORD"))!.severity).toBe("high");
  });

  it("classifies names, values and file names", () => {
    expect(["NPM_TOKEN", "AWS_SECRET_ACCESS_KEY", "DOCKER_PASSWORD", "DB_PASS", "MYSQL_ROOT_PWD", "client-secret"].every(isSensitiveName)).toBe(true);
    expect(["PWD", "PASSWORD_FILE", "TOKEN_URL", "AWS_ACCESS_KEY_ID", "SECRET_NAME", "PASSENGER_ENV", "BYPASS_CACHE"].some(isSensitiveName)).toBe(false);
    expect(credentialKind("-----BEGIN OPENSSH PRIVATE KEY-----")).toBe("a private key");
    expect(credentialKind("https://user:${PASS}@host")).toBeUndefined();
    expect(["./.env", "deploy/id_rsa", ".aws/credentials", "secrets/tls.key", "app.pfx", "home/.ssh"].map((s) => secretFile(s) !== undefined)).toEqual([true, true, true, true, true, true]);
    expect([".env.sample", "id_rsa.pub", "fullchain.pem", "ca-bundle.pem", "docker.gpg.key", "environment.ts"].map((s) => secretFile(s))).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});

describe("project-level and configured rules", () => {
  it("DOCKER-028 accepts a .dockerignore next to, above, or named after the Dockerfile", () => {
    const text = "FROM node:22-alpine\nCOPY . .\n";
    expect(findings(text, ["DOCKER-028"], { path: "svc/api/Dockerfile" })).toHaveLength(1);
    expect(findings(text, ["DOCKER-028"], { path: "svc/api/Dockerfile", knownPaths: ["svc/api/.dockerignore"] })).toEqual([]);
    expect(findings(text, ["DOCKER-028"], { path: "svc/api/Dockerfile", knownPaths: [".dockerignore"] })).toEqual([]);
    expect(findings(text, ["DOCKER-028"], { path: "svc/api/Dockerfile", knownPaths: ["svc/api/Dockerfile.dockerignore"] })).toEqual([]);
    expect(findings(text, ["DOCKER-028"], { path: "svc/api/Dockerfile", knownPaths: ["svc/web/.dockerignore"] })).toHaveLength(1);
    expect(hasDockerignore(new Set(["./a/.dockerignore"]), "a/b/Dockerfile")).toBe(true);
  });

  it("DOCKER-004 matches registries exactly and is off without trustedRegistries", () => {
    const text = "FROM registry.acme.io.evil.com/x:1\nFROM registry.acme.io/x:1\nFROM node:22\n";
    expect(findings(text, ["DOCKER-004"])).toEqual([]);
    const fs = findings(text, ["DOCKER-004"], { config: config({ trustedRegistries: ["registry.acme.io"] }) });
    expect(fs.map((f) => f.range.startLine)).toEqual([1, 3]);
  });

  it("DOCKER-005 says how old the end-of-life data is", () => {
    const [f] = findings("FROM ubuntu:20.04\n", ["DOCKER-005"]);
    expect(f.severity).toBe("medium");
    expect(f.message).toMatch(/end-of-life data from \d{4}-\d{2}-\d{2}, \d+ days old/);
  });

  it("runs every check on a large realistic Dockerfile without internal errors", () => {
    const text = [
      "# syntax=docker/dockerfile:1.7",
      "ARG NODE=22",
      "FROM --platform=$BUILDPLATFORM node:${NODE}-trixie AS deps",
      "WORKDIR /app",
      "COPY package.json package-lock.json ./",
      "RUN --mount=type=cache,target=/root/.npm npm ci",
      "FROM deps AS build",
      "COPY . .",
      "RUN npm run build && npm prune --omit=dev",
      "FROM gcr.io/distroless/nodejs22-debian12:nonroot",
      "COPY --from=build /app /app",
      "WORKDIR /app",
      'CMD ["server.js"]',
      "",
    ].join("\n");
    const fs = findings(text);
    expect(fs.filter((f) => f.ruleId === "BULWARK-PARSE")).toEqual([]);
    expect(ids(fs)).toEqual(["DOCKER-003", "DOCKER-003", "DOCKER-024", "DOCKER-028"]);
  });
});
