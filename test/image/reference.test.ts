import { describe, expect, it } from "vitest";
import {
  canonicalName,
  formatImageRef,
  parseImageRef,
  registryMatches,
  tryParseImageRef,
  type ParsedImageRef,
} from "../../src/core/image/reference.js";

const D64 = "sha256:" + "0123456789abcdef".repeat(4);

function ok(s: string): ParsedImageRef {
  const r = parseImageRef(s);
  if (!r.ok) throw new Error(`expected ${s} to parse: ${r.message}`);
  return r.ref;
}

describe("parseImageRef: valid shapes", () => {
  it.each([
    // raw, registry, repository, path, tag, digest, explicit
    ["nginx", "docker.io", "library/nginx", "nginx", undefined, undefined, false],
    ["nginx:1.25", "docker.io", "library/nginx", "nginx", "1.25", undefined, false],
    ["nginx:latest", "docker.io", "library/nginx", "nginx", "latest", undefined, false],
    ["bitnami/redis:7.2", "docker.io", "bitnami/redis", "bitnami/redis", "7.2", undefined, false],
    ["docker.io/nginx", "docker.io", "library/nginx", "nginx", undefined, undefined, true],
    ["docker.io/library/nginx:1", "docker.io", "library/nginx", "library/nginx", "1", undefined, true],
    ["index.docker.io/library/nginx", "docker.io", "library/nginx", "library/nginx", undefined, undefined, true],
    ["registry-1.docker.io/bitnami/redis", "docker.io", "bitnami/redis", "bitnami/redis", undefined, undefined, true],
    ["localhost:5000/app", "localhost:5000", "app", "app", undefined, undefined, true],
    ["localhost:5000/app:1.0", "localhost:5000", "app", "app", "1.0", undefined, true],
    ["localhost/app", "localhost", "app", "app", undefined, undefined, true],
    ["127.0.0.1:5000/team/app:v2", "127.0.0.1:5000", "team/app", "team/app", "v2", undefined, true],
    ["[::1]:5000/app:dev", "[::1]:5000", "app", "app", "dev", undefined, true],
    ["registry.k8s.io/pause:3.9", "registry.k8s.io", "pause", "pause", "3.9", undefined, true],
    ["k8s.gcr.io/ingress-nginx/controller:v1.9.4", "k8s.gcr.io", "ingress-nginx/controller", "ingress-nginx/controller", "v1.9.4", undefined, true],
    ["gcr.io/project/sub/dir/app:tag_1.0-rc", "gcr.io", "project/sub/dir/app", "project/sub/dir/app", "tag_1.0-rc", undefined, true],
    [`ghcr.io/o/r@${D64}`, "ghcr.io", "o/r", "o/r", undefined, D64, true],
    [`repo:tag@${D64}`, "docker.io", "library/repo", "repo", "tag", D64, false],
    [`myregistry.io:5000/team/app:1.2.3@${D64}`, "myregistry.io:5000", "team/app", "team/app", "1.2.3", D64, true],
    ["Registry.Example.COM/app", "registry.example.com", "app", "app", undefined, undefined, true],
    ["a.b/c_d__e-f--g.h/i:j", "a.b", "c_d__e-f--g.h/i", "c_d__e-f--g.h/i", "j", undefined, true],
    ["mcr.microsoft.com/dotnet/aspnet:8.0-bookworm-slim", "mcr.microsoft.com", "dotnet/aspnet", "dotnet/aspnet", "8.0-bookworm-slim", undefined, true],
  ] as const)("%s", (raw, registry, repository, path, tag, digest, explicit) => {
    const ref = ok(raw);
    expect(ref).toMatchObject({ raw, registry, repository, path, hasExplicitRegistry: explicit });
    expect(ref.tag).toBe(tag);
    expect(ref.digest).toBe(digest);
  });

  it("keeps the name exactly as written", () => {
    expect(ok("Registry.Example.COM/app:1").name).toBe("Registry.Example.COM/app");
    expect(ok("docker.io/nginx:1").name).toBe("docker.io/nginx");
    expect(ok("nginx").name).toBe("nginx");
  });

  it("treats a colon after the last slash as a tag, before it as a port", () => {
    expect(ok("localhost:5000/app").tag).toBeUndefined();
    // Docker's own reading: no slash, so localhost is a Docker Hub repository and 5000 its tag.
    expect(ok("localhost:5000")).toMatchObject({ registry: "docker.io", repository: "library/localhost", tag: "5000" });
  });

  it("accepts the other registered digest algorithms", () => {
    expect(ok(`app@sha512:${"a".repeat(128)}`).digest).toBe(`sha512:${"a".repeat(128)}`);
    expect(ok(`app@sha384:${"b".repeat(96)}`).digest).toBe(`sha384:${"b".repeat(96)}`);
  });

  it("tryParseImageRef returns undefined instead of an error", () => {
    expect(tryParseImageRef("nginx")?.repository).toBe("library/nginx");
    expect(tryParseImageRef("NGINX")).toBeUndefined();
  });
});

describe("parseImageRef: invalid", () => {
  it.each([
    ["", /empty/],
    ["Nginx", /must be lowercase/],
    ["docker.io/Library/nginx", /must be lowercase/],
    ["nginx:", /invalid tag/],
    ["nginx:.hidden", /invalid tag/],
    [`nginx:${"a".repeat(129)}`, /invalid tag/],
    ["nginx:a/b", /invalid registry host/],
    ["nginx@", /invalid digest/],
    ["nginx@sha256:abc", /invalid digest/],
    [`nginx@sha256:${"A".repeat(64)}`, /lowercase hex/],
    [`nginx@sha256:${"a".repeat(63)}`, /64 lowercase hex/],
    [`nginx@md5:${"a".repeat(32)}`, /unsupported digest algorithm/],
    [`nginx@${D64}@${D64}`, /invalid digest/],
    [":tag", /missing repository/],
    ["/nginx", /invalid repository name/],
    ["nginx/", /invalid repository name/],
    ["a//b", /invalid repository name/],
    ["-nginx", /invalid repository name/],
    ["nginx_", /invalid repository name/],
    ["my registry/app", /whitespace/],
    ["https://registry.io/app", /invalid/],
    ["-bad.host/app", /invalid registry host/],
    ["0123456789abcdef".repeat(4), /image ID/],
    [`x.io/${"a".repeat(260)}`, /longer than 255/],
  ])("%j", (raw, message) => {
    const r = parseImageRef(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe("invalid");
      expect(r.message).toMatch(message);
    }
  });
});

describe("parseImageRef: templated references are unresolved, not invalid", () => {
  it.each([
    ["${REGISTRY}/app:1.0", ["REGISTRY"]],
    ["$REGISTRY/app", ["REGISTRY"]],
    ["${REG:-docker.io}/app:${TAG}", ["REG", "TAG"]],
    ["app:$(IMAGE_TAG)", ["IMAGE_TAG"]],
    ["{{ .Values.image.repository }}:{{ .Values.image.tag }}", [".Values.image.repository", ".Values.image.tag"]],
    ['{{- include "chart.image" . -}}', ['include "chart.image" .']],
    ["nginx:{{.Chart.AppVersion}}", [".Chart.AppVersion"]],
  ])("%s", (raw, variables) => {
    const r = parseImageRef(raw);
    expect(r).toMatchObject({ ok: false, reason: "unresolved", raw, variables });
  });
});

describe("formatImageRef", () => {
  it.each(["nginx", "nginx:1.25", `repo:tag@${D64}`, "localhost:5000/app", "Registry.Example.COM/app:1", "docker.io/nginx:1"])(
    "round-trips %s as written",
    (raw) => expect(formatImageRef(ok(raw))).toBe(raw),
  );

  it("replaces the tag and drops a stale digest", () => {
    const ref = ok(`node:16-alpine@${D64}`);
    expect(formatImageRef(ref, { tag: "22-alpine", digest: null })).toBe("node:22-alpine");
    expect(formatImageRef(ref, { tag: null })).toBe(`node@${D64}`);
  });

  it("writes canonical and familiar forms", () => {
    expect(formatImageRef(ok("nginx:1"), { style: "canonical" })).toBe("docker.io/library/nginx:1");
    expect(formatImageRef(ok("index.docker.io/library/nginx:1"), { style: "familiar" })).toBe("nginx:1");
    expect(formatImageRef(ok("docker.io/bitnami/redis"), { style: "familiar" })).toBe("bitnami/redis");
    expect(formatImageRef(ok("ghcr.io/o/r:1"), { style: "familiar" })).toBe("ghcr.io/o/r:1");
    expect(canonicalName(ok("nginx"))).toBe("docker.io/library/nginx");
  });

  it("replaces the repository, keeping the registry as written", () => {
    const ubi = ok("Registry.Access.Redhat.com/ubi7/ubi:7.9");
    expect(formatImageRef(ubi, { repository: "ubi8/ubi", tag: null })).toBe("Registry.Access.Redhat.com/ubi8/ubi");
    expect(formatImageRef(ok("nginx:1"), { repository: "library/httpd" })).toBe("httpd:1");
  });
});

describe("registryMatches", () => {
  it.each([
    // image, entry, expected
    ["myregistry.io/app:1", "myregistry.io", true],
    ["myregistry.io.evil.com/app:1", "myregistry.io", false],
    ["evilmyregistry.io/app", "myregistry.io", false],
    ["myregistry.io:5000/app", "myregistry.io", false],
    ["myregistry.io:5000/app", "myregistry.io:5000", true],
    ["MyRegistry.IO/app", "myregistry.io", true],
    ["myregistry.io/app", "MyRegistry.io", true],
    ["myregistry.io/app", "https://myregistry.io", true],
    ["myregistry.io/app", "myregistry.io/", true],
    ["myregistry.io.evil.com/app", "myregistry.io/", false],
    ["ghcr.io/myorg/app", "ghcr.io/myorg/", true],
    ["ghcr.io/myorg/sub/app", "ghcr.io/myorg/", true],
    ["ghcr.io/myorgevil/app", "ghcr.io/myorg/", false],
    ["ghcr.io/myorg", "ghcr.io/myorg/", false],
    ["ghcr.io/myorg/app:1", "ghcr.io/myorg/app", true],
    ["ghcr.io/myorg/app2", "ghcr.io/myorg/app", false],
    ["nginx", "docker.io", true],
    ["nginx", "index.docker.io", true],
    ["nginx", "registry-1.docker.io", true],
    ["index.docker.io/library/nginx", "docker.io", true],
    ["bitnami/redis", "docker.io/library/", false],
    ["nginx:1.25", "docker.io/library/", true],
    ["nginx:1.25", "docker.io/nginx", true],
    ["nginx:1.25", "index.docker.io/library/nginx", true],
    ["bitnami/redis", "docker.io/bitnami/", true],
    ["nginx", "ghcr.io", false],
    ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/app", "*.amazonaws.com", true],
    ["amazonaws.com/app", "*.amazonaws.com", false],
    ["evilamazonaws.com/app", "*.amazonaws.com", false],
    ["123.dkr.ecr.eu-west-1.amazonaws.com/team/app", "*.amazonaws.com/team/", true],
    ["123.dkr.ecr.eu-west-1.amazonaws.com/other/app", "*.amazonaws.com/team/", false],
    ["nginx", "", false],
  ])("%s vs %j → %s", (image, entry, expected) => {
    expect(registryMatches(ok(image), entry)).toBe(expected);
  });
});
