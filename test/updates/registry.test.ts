// The OCI client against a real docker-registry (distribution 2.8) on loopback: anonymous and
// token auth, tags, index vs platform digests, image config, OCI charts, cosign signatures,
// 429 back-off and Link pagination through proxies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credentialsFromDockerConfig, credentialsFromEnv, envKeyForHost } from "../../src/updates/datasource/auth.js";
import { HelmRepoClient } from "../../src/updates/datasource/helm.js";
import { DatasourceError, isLoopbackHost, parseRetryAfter, plainHttpAllowed } from "../../src/updates/datasource/http.js";
import type { FetchLike } from "../../src/updates/datasource/http.js";
import { apiHost, OciClient, splitPackageName } from "../../src/updates/datasource/oci.js";
import { createDatasources } from "../../src/updates/datasource/index.js";
import { planUpdates } from "../../src/updates/plan.js";
import { extractDependencies } from "../../src/updates/extract/index.js";
import { checkSignatures, signatureFindings } from "../../src/updates/signatures.js";
import { paginateTags, rateLimitOnce, registryUnavailable, startProxy, startRegistry } from "../support/registry.js";
import type { TestProxy, TestRegistry } from "../support/registry.js";

const unavailable = registryUnavailable();

describe("registry rules without a registry", () => {
  it("plain HTTP only for loopback and listed hosts", () => {
    for (const h of ["127.0.0.1:5000", "127.1.2.3", "localhost:5000", "[::1]:5000", "registry.localhost"]) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["128.0.0.1", "registry.local:5000", "10.0.0.1", "localhost.evil.com"]) expect(isLoopbackHost(h), h).toBe(false);
    expect(plainHttpAllowed("registry.lan:5000", ["registry.lan:5000"])).toBe(true);
    expect(plainHttpAllowed("registry.lan:5000", ["registry.lan"])).toBe(true);
    expect(plainHttpAllowed("registry.lan:5001", ["registry.lan:5000"])).toBe(false);
    expect(plainHttpAllowed("registry.lan.evil.com", ["registry.lan"])).toBe(false);
  });

  it("maps Docker Hub names to its API host and library/", () => {
    expect(apiHost("docker.io")).toBe("registry-1.docker.io");
    expect(apiHost("index.docker.io")).toBe("registry-1.docker.io");
    expect(splitPackageName("docker.io/nginx")).toEqual({ registry: "docker.io", repository: "library/nginx" });
    expect(splitPackageName("registry-1.docker.io/bitnamicharts/redis")).toEqual({ registry: "docker.io", repository: "bitnamicharts/redis" });
  });

  it("asks Docker Hub over HTTPS at registry-1.docker.io, with an anonymous token from the challenge realm", async () => {
    const seen: string[] = [];
    const fake: FetchLike = async (url, init) => {
      seen.push(`${init?.method ?? "GET"} ${url} ${new Headers(init?.headers).get("authorization") ?? "-"}`);
      if (url === "https://registry-1.docker.io/v2/") return new Response("", { status: 401, headers: { "www-authenticate": 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"' } });
      if (url.startsWith("https://auth.docker.io/token")) return Response.json({ token: "anon-token-123", expires_in: 300 });
      return Response.json({ name: "library/nginx", tags: ["1.27", "1.25"] });
    };
    const client = new OciClient({ fetch: fake });
    expect(await client.listTags({ registry: "docker.io", repository: "library/nginx" })).toEqual(["1.27", "1.25"]);
    expect(seen).toEqual([
      "GET https://registry-1.docker.io/v2/ -",
      "GET https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Fnginx%3Apull -",
      "GET https://registry-1.docker.io/v2/library/nginx/tags/list?n=1000 Bearer anon-token-123",
    ]);
  });

  it("refuses plain HTTP to a remote host unless it is listed as insecure", async () => {
    const seen: string[] = [];
    const fake: FetchLike = async (url) => {
      seen.push(url);
      return Response.json({ tags: [] });
    };
    const http = new OciClient({ fetch: fake });
    expect(http.http.baseUrl("registry.lan:5000")).toBe("https://registry.lan:5000");
    const insecure = new OciClient({ fetch: fake, insecureRegistries: ["registry.lan:5000"] });
    await insecure.listTags({ registry: "registry.lan:5000", repository: "a/b" });
    expect(seen[0]).toBe("http://registry.lan:5000/v2/");
    const helm = new HelmRepoClient({ fetch: fake });
    await expect(helm.chartVersions("http://charts.example.com", "x")).rejects.toThrow("refusing plain HTTP to charts.example.com");
    expect(seen).not.toContain("http://charts.example.com/index.yaml");
  });

  it("reads credentials from BULWARK_REGISTRY_AUTH_<HOST> and docker config.json", () => {
    expect(envKeyForHost("ghcr.io")).toBe("BULWARK_REGISTRY_AUTH_GHCR_IO");
    expect(envKeyForHost("127.0.0.1:5000")).toBe("BULWARK_REGISTRY_AUTH_127_0_0_1_5000");
    const env = credentialsFromEnv({ BULWARK_REGISTRY_AUTH_GHCR_IO: "bot:ghp_secret", BULWARK_REGISTRY_AUTH_DOCKER_IO: "tok-only" });
    expect(env("ghcr.io")).toEqual({ username: "bot", password: "ghp_secret" });
    expect(env("registry-1.docker.io")).toEqual({ bearer: "tok-only" });
    const docker = credentialsFromDockerConfig(JSON.stringify({ auths: { "https://index.docker.io/v1/": { auth: Buffer.from("hubuser:hubpass").toString("base64") }, "quay.io": { identitytoken: "idtok" } } }));
    expect(docker("docker.io")).toEqual({ username: "hubuser", password: "hubpass" });
    expect(docker("quay.io")).toEqual({ username: "<token>", password: "idtok" });
    expect(docker("ghcr.io")).toBeUndefined();
    expect(credentialsFromDockerConfig("{not json")("x")).toBeUndefined();
  });

  it("parses Retry-After in seconds and as an HTTP date", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});

describe.skipIf(unavailable !== undefined)("OCI client against docker-registry", () => {
  let reg: TestRegistry;
  let multi: { index: string; platforms: string[] };
  let web100: string;
  const repo = (repository: string) => ({ registry: reg.host, repository });

  beforeAll(async () => {
    reg = await startRegistry();
    web100 = await reg.pushImage("acme/web", "1.0.0", { user: "1000", created: "2026-01-01T00:00:00Z", labels: { "org.opencontainers.image.source": "https://github.com/acme/web" } });
    await reg.pushImage("acme/web", "1.1.0", { created: "2026-02-01T00:00:00Z" });
    await reg.pushImage("acme/web", "2.0.0", { created: "2026-03-01T00:00:00Z", docker: true });
    multi = await reg.pushIndex("acme/multi", "1.0.0", [{ architecture: "amd64" }, { architecture: "arm64", variant: "v8" }]);
    await reg.pushIndex("acme/multi", "1.1.0", [{ architecture: "amd64", created: "2026-05-01T00:00:00Z" }, { architecture: "arm64", variant: "v8", created: "2026-05-02T00:00:00Z" }], true);
    await reg.pushChart("charts/shop", "1.0.0");
    await reg.pushChart("charts/shop", "1.1.0+build.5");
    await reg.pushChart("charts/shop", "2.0.0-rc.1");
    await reg.pushSignature("acme/web", web100);
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it("lists tags (the registry's order is not trusted) and drops nothing itself", async () => {
    const tags = await new OciClient().listTags(repo("acme/web"));
    expect([...tags].sort()).toEqual(["1.0.0", "1.1.0", "2.0.0", `${web100.replace(":", "-")}.sig`]);
  });

  it("resolves a multi-arch tag to its INDEX digest and a single-platform tag to its manifest digest", async () => {
    const client = new OciClient();
    expect(await client.resolveDigest(repo("acme/multi"), "1.0.0")).toEqual({ digest: multi.index, kind: "index" });
    expect(await client.resolveDigest(repo("acme/web"), "1.0.0")).toEqual({ digest: web100, kind: "manifest" });
    const docker = await client.head(repo("acme/web"), "2.0.0");
    expect(docker.mediaType).toBe("application/vnd.docker.distribution.manifest.v2+json");
  });

  it("keeps a per-platform pin on the same platform of the new tag (OCI index → Docker manifest list)", async () => {
    const client = new OciClient();
    const arm = await client.resolveDigest(repo("acme/multi"), "1.1.0", multi.platforms[1]);
    const next = await client.platformDigests(repo("acme/multi"), "1.1.0");
    expect(arm).toEqual({ digest: next.get("linux/arm64/v8"), kind: "manifest", platform: "linux/arm64/v8" });
    expect([...next.keys()]).toEqual(["linux/amd64", "linux/arm64/v8"]);
    const indexPin = await client.resolveDigest(repo("acme/multi"), "1.1.0", multi.index);
    expect(indexPin.kind).toBe("index");
  });

  it("reads the image config: User, labels, created; and when a digest was built", async () => {
    const client = new OciClient();
    const cfg = await client.imageConfig(repo("acme/web"), "1.0.0");
    expect(cfg).toMatchObject({ manifestDigest: web100, os: "linux", architecture: "amd64", user: "1000", labels: { "org.opencontainers.image.source": "https://github.com/acme/web" } });
    expect((await client.imageConfig(repo("acme/web"), "1.1.0")).user).toBe("");
    const idx = await client.head(repo("acme/multi"), "1.1.0");
    expect((await client.published(repo("acme/multi"), idx.digest))?.toISOString()).toBe("2026-05-02T00:00:00.000Z");
  });

  it("lists OCI chart versions with `_` read back as `+`", async () => {
    const versions = await new HelmRepoClient({}, new OciClient()).ociChartVersions(repo("charts/shop"));
    expect(versions.map((v) => v.version).sort()).toEqual(["1.0.0", "1.1.0+build.5", "2.0.0-rc.1"]);
  });

  it("finds cosign signatures by tag; unsigned and unknown otherwise", async () => {
    const client = new OciClient();
    expect(await client.signatureStatus(repo("acme/web"), web100)).toEqual({ status: "signed", via: "tag", detail: `cosign signature tag ${web100.replace(":", "-")}.sig exists` });
    const other = (await client.head(repo("acme/web"), "1.1.0")).digest;
    expect((await client.signatureStatus(repo("acme/web"), other)).status).toBe("unsigned");
    const down = new OciClient({ maxRetries: 0 });
    const gone = await down.signatureStatus({ registry: "127.0.0.1:9", repository: "x/y" }, other);
    expect(gone.status).toBe("unknown");
    expect(gone.detail).toContain("cannot reach 127.0.0.1:9");
  });

  it("turns unsigned images into K8S-IMAGE-006 findings (signed and unknown give none)", async () => {
    const text = `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - {name: signed, image: "${reg.host}/acme/web:1.0.0"}\n    - {name: unsigned, image: "${reg.host}/acme/web:1.1.0"}\n    - {name: gone, image: "127.0.0.1:9/acme/web:1.0.0"}\n`;
    const deps = extractDependencies([{ path: "pod.yaml", text }]).dependencies;
    const results = await checkSignatures(deps, createDatasources({ maxRetries: 0 }));
    expect(results.map((r) => [r.dependency.resource?.container, r.check.status])).toEqual([
      ["signed", "signed"],
      ["unsigned", "unsigned"],
      ["gone", "unknown"],
    ]);
    const findings = signatureFindings(results);
    expect(findings.map((f) => [f.ruleId, f.severity, f.resource?.container, f.range.startLine])).toEqual([["K8S-IMAGE-006", "medium", "unsigned", 7]]);
    expect(findings[0]!.message).toContain("has no cosign signature attached (no sha256-");
  });

  it("uses the OCI 1.1 referrers API when the registry has one", async () => {
    const other = (await new OciClient().head(repo("acme/web"), "1.1.0")).digest;
    const proxy = await startProxy(reg.url, async (_req, url, res, forward) => {
      if (url.pathname === `/v2/acme/web/referrers/${other}`) {
        res.writeHead(200, { "content-type": "application/vnd.oci.image.index.v1+json" });
        res.end(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${"e".repeat(64)}`, size: 1, artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json" }] }));
        return;
      }
      await forward();
    });
    try {
      const check = await new OciClient().signatureStatus({ registry: proxy.host, repository: "acme/web" }, other);
      expect(check.status).toBe("signed");
      expect(check.via).toBe("referrers");
    } finally {
      await proxy.stop();
    }
  });

  it("answers a Basic challenge with the configured credentials", async () => {
    const expected = `Basic ${Buffer.from("robot:b4sic-pass").toString("base64")}`;
    const proxy = await startProxy(reg.url, async (req, _url, res, forward) => {
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { "www-authenticate": 'Basic realm="registry"' }).end();
        return;
      }
      await forward();
    });
    try {
      const denied = await new OciClient().listTags({ registry: proxy.host, repository: "acme/web" }).catch((e: unknown) => e as Error);
      expect((denied as Error).message).toBe(`${proxy.host}/acme/web tags: ${proxy.host} requires authentication (HTTP 401); set ${envKeyForHost(proxy.host)}`);
      const client = new OciClient({ credentials: (host) => (host === proxy.host ? { username: "robot", password: "b4sic-pass" } : undefined) });
      expect(await client.listTags({ registry: proxy.host, repository: "acme/web" })).toHaveLength(4);
    } finally {
      await proxy.stop();
    }
  });

  it("shares one cache across repositories planned in the same run", async () => {
    const proxy = await startProxy(reg.url);
    try {
      const ds = createDatasources();
      const file = (path: string) => ({ path, text: `FROM ${proxy.host}/acme/web:1.0.0\n` });
      const a = await planUpdates([file("repo-a/Dockerfile")], { datasources: ds, now: new Date("2026-11-25T00:00:00Z") });
      const b = await planUpdates([file("repo-b/Dockerfile")], { datasources: ds, now: new Date("2026-11-25T00:00:00Z") });
      expect([a.updates[0]!.proposed, b.updates[0]!.proposed]).toEqual(["1.1.0", "1.1.0"]);
      expect(proxy.log.filter((l) => l.includes("/tags/list"))).toHaveLength(1);
      expect(proxy.log.filter((l) => l === "GET /v2/")).toHaveLength(1);
    } finally {
      await proxy.stop();
    }
  });

  describe("429 and pagination through a proxy", () => {
    let proxy: TestProxy | undefined;
    afterAll(async () => {
      await proxy?.stop();
    });

    it("waits for Retry-After once, then succeeds", async () => {
      const limiter = rateLimitOnce(/\/tags\/list$/, 1);
      proxy = await startProxy(reg.url, limiter.hook);
      const t0 = Date.now();
      const tags = await new OciClient().listTags({ registry: proxy.host, repository: "acme/web" });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
      expect(tags).toHaveLength(4);
      expect(limiter.hits()).toBe(1);
      expect(proxy.log.filter((l) => l.includes("/tags/list"))).toHaveLength(2);
      await proxy.stop();
      proxy = undefined;
    });

    it("gives up when Retry-After is longer than the run may wait, and reports it in the plan", async () => {
      const limiter = rateLimitOnce(/\/tags\/list$/, 120);
      proxy = await startProxy(reg.url, limiter.hook);
      const client = new OciClient({ maxRetryDelayMs: 5_000 });
      const err = await client.listTags({ registry: proxy.host, repository: "acme/web" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatasourceError);
      expect((err as DatasourceError).code).toBe("rate-limited");
      expect((err as Error).message).toBe(`${proxy.host}/acme/web tags: rate limited by ${proxy.host}; Retry-After 120 s is longer than the 5 s this run waits`);
      await proxy.stop();
      proxy = undefined;
    });

    it("follows Link rel=next pages (relative URLs) and sorts nothing away", async () => {
      proxy = await startProxy(reg.url, paginateTags(reg.url, 2));
      const tags = await new OciClient().listTags({ registry: proxy.host, repository: "acme/web" });
      expect(tags).toEqual(["1.0.0", "1.1.0", "2.0.0", `${web100.replace(":", "-")}.sig`]);
      expect(proxy.log.filter((l) => l.includes("/tags/list"))).toEqual([
        "GET /v2/acme/web/tags/list?n=1000",
        "GET /v2/acme/web/tags/list?n=2&last=1.1.0",
      ]);
      await proxy.stop();
      proxy = undefined;
    });

    it("does not follow a Link to another origin", async () => {
      proxy = await startProxy(reg.url, async (_req, url, res, forward) => {
        if (!url.pathname.endsWith("/tags/list")) return forward();
        res.writeHead(200, { "content-type": "application/json", link: '<http://127.0.0.2:1/v2/acme/web/tags/list?last=x>; rel="next"' });
        res.end(JSON.stringify({ tags: ["9.9.9"] }));
      });
      expect(await new OciClient().listTags({ registry: proxy.host, repository: "acme/web" })).toEqual(["9.9.9"]);
      await proxy.stop();
      proxy = undefined;
    });
  });
});

describe.skipIf(unavailable !== undefined)("token auth against docker-registry", () => {
  let reg: TestRegistry;
  const PASSWORD = "wonderland-s3cret";

  beforeAll(async () => {
    reg = await startRegistry({
      tokenAuth: {
        users: { alice: PASSWORD },
        grant: (user, repository, requested) => (repository.startsWith("public/") || user === "alice" ? requested.filter((a) => a === "pull") : []),
      },
    });
    await reg.pushImage("public/tool", "1.0.0");
    await reg.pushImage("public/tool", "1.2.0");
    await reg.pushImage("private/app", "3.0.0");
    await reg.pushImage("private/app", "3.1.0");
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it("pings /v2/, follows the Bearer challenge and gets an anonymous token for public repositories", async () => {
    const client = new OciClient();
    expect((await client.listTags({ registry: reg.host, repository: "public/tool" })).sort()).toEqual(["1.0.0", "1.2.0"]);
    expect(reg.token!.requests.at(-1)).toEqual({ user: undefined, scope: "repository:public/tool:pull", status: 200 });
    // The token is cached: a second call asks the token service nothing.
    const count = reg.token!.requests.length;
    await client.head({ registry: reg.host, repository: "public/tool" }, "1.0.0");
    expect(reg.token!.requests.length).toBe(count);
  });

  it("sends credentials to the token service for private repositories", async () => {
    const client = new OciClient({ credentials: credentialsFromEnv({ [envKeyForHost(reg.host)]: `alice:${PASSWORD}` }) });
    expect((await client.listTags({ registry: reg.host, repository: "private/app" })).sort()).toEqual(["3.0.0", "3.1.0"]);
    expect(reg.token!.requests.at(-1)).toEqual({ user: "alice", scope: "repository:private/app:pull", status: 200 });
  });

  it("reports missing and wrong credentials without throwing from the planner, and never echoes the password", async () => {
    const files = [
      {
        path: "k8s/app.yaml",
        text: `apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n    - name: app\n      image: ${reg.host}/private/app:3.0.0\n    - name: tool\n      image: ${reg.host}/public/tool:1.0.0\n`,
      },
    ];
    const anonymous = await planUpdates(files, { datasources: createDatasources(), now: new Date("2026-11-25T00:00:00Z") });
    expect(anonymous.errors).toEqual([
      {
        path: "k8s/app.yaml",
        dependency: `${reg.host}/private/app`,
        message: `${reg.host}/private/app tags: ${reg.host} requires authentication (HTTP 401); set ${envKeyForHost(reg.host)}`,
      },
    ]);
    expect(anonymous.updates.map((u) => [u.name, u.proposed])).toEqual([[`${reg.host}/public/tool`, "1.2.0"]]);

    const wrong = await planUpdates(files, {
      datasources: createDatasources({ credentials: () => ({ username: "alice", password: "not-the-password" }) }),
      now: new Date("2026-11-25T00:00:00Z"),
    });
    expect(wrong.errors.map((e) => e.message)).toEqual([
      `${reg.host}: the credentials for ${reg.host} were rejected by its token service (HTTP 401)`,
      `${reg.host}: the credentials for ${reg.host} were rejected by its token service (HTTP 401)`,
    ]);
    expect(JSON.stringify(wrong)).not.toContain("not-the-password");
    expect(wrong.lookups).toEqual({ attempted: 2, failed: 2 });
  });
});

if (unavailable) {
  describe("registry tests", () => {
    it.skip(`SKIPPED: ${unavailable}`, () => undefined);
  });
}
