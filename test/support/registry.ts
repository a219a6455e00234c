// A real OCI registry for tests: Debian's `docker-registry` (distribution 2.8) on 127.0.0.1 with
// a random free port and a temporary storage directory, filled through the plain HTTP API with
// real blobs and manifests (sha256 digests computed here). Optional token auth: a small token
// service on loopback issues ES256 JWTs signed with a key and self-signed certificate made with
// node:crypto (the registry trusts it through `rootcertbundle`). Loopback proxies in front of
// the registry inject faults (429 + Retry-After), paginate tag lists with `Link` headers, or
// answer the OCI 1.1 referrers API that distribution 2.8 lacks.
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.js";

export const MT = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar+gzip",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  helmConfig: "application/vnd.cncf.helm.config.v1+json",
  helmChart: "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
  cosignSig: "application/vnd.dev.cosign.simplesigning.v1+json",
} as const;

// ---- availability -------------------------------------------------------------------------

function which(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

let availability: string | undefined | null = null;

/**
 * undefined when docker-registry can run; otherwise why not. Installs it with apt when it is
 * missing and we are root (as scripts/check.sh does), so a skip means "not installable here".
 */
export function registryUnavailable(): string | undefined {
  if (availability !== null) return availability;
  if (!which("docker-registry")) {
    const root = typeof process.getuid === "function" && process.getuid() === 0;
    if (root && which("apt-get")) {
      try {
        execFileSync("sh", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry"], { stdio: "pipe", timeout: 300_000 });
      } catch {
        // reported below
      }
    }
  }
  availability = which("docker-registry") ? undefined : "docker-registry is not installed and could not be installed (apt-get install docker-registry); registry tests are SKIPPED";
  if (availability) console.warn(`[test/support/registry] ${availability}`);
  return availability;
}

export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

// ---- a self-signed certificate with node:crypto (DER by hand) -------------------------------

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const chunk: number[] = [];
    let v = n;
    do {
      chunk.unshift(v & 0x7f);
      v >>= 7;
    } while (v > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i]! |= 0x80;
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}
function utcTime(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, "0");
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, "ascii"));
}

export interface SigningMaterial {
  privateKey: KeyObject;
  certDer: Buffer;
  certPem: string;
}

/** An EC P-256 key and a self-signed CA certificate for it (valid for a day). */
export function makeSigningMaterial(commonName = "bulwark-test-token-signer"): SigningMaterial {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ecdsaSha256 = seq(oid("1.2.840.10045.4.3.2"));
  const name = seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0c, Buffer.from(commonName)))));
  const now = Date.now();
  const basicConstraints = seq(oid("2.5.29.19"), tlv(0x01, Buffer.from([0xff])), tlv(0x04, seq(tlv(0x01, Buffer.from([0xff])))));
  const keyUsage = seq(oid("2.5.29.15"), tlv(0x01, Buffer.from([0xff])), tlv(0x04, tlv(0x03, Buffer.from([0x01, 0x86])))); // digitalSignature, keyCertSign, cRLSign
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, Buffer.concat([Buffer.from([0x01]), randomBytes(8)])),
    ecdsaSha256,
    name,
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 86_400_000))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    tlv(0xa3, seq(basicConstraints, keyUsage)),
  );
  const signature = sign("sha256", tbs, privateKey);
  const certDer = seq(tbs, ecdsaSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const b64 = certDer.toString("base64").replace(/(.{64})/g, "$1\n").trim();
  return { privateKey, certDer, certPem: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n` };
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

// ---- token service --------------------------------------------------------------------------

export interface TokenPolicy {
  /** user → password. */
  users: Record<string, string>;
  /** Actions granted for `repository` to `user` (undefined = anonymous). */
  grant: (user: string | undefined, repository: string, requested: string[]) => string[];
}

export interface TokenServer {
  url: string;
  realm: string;
  service: string;
  issuer: string;
  material: SigningMaterial;
  requests: { user?: string; scope?: string; status: number }[];
  stop(): Promise<void>;
}

export async function startTokenServer(policy: TokenPolicy, service = "bulwark-test-registry", issuer = "bulwark-test-issuer"): Promise<TokenServer> {
  const material = makeSigningMaterial();
  const requests: TokenServer["requests"] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname !== "/token") {
      res.writeHead(404).end();
      return;
    }
    const auth = req.headers.authorization;
    let user: string | undefined;
    if (auth?.startsWith("Basic ")) {
      const [u, ...p] = Buffer.from(auth.slice(6), "base64").toString().split(":");
      if (!u || policy.users[u] === undefined || policy.users[u] !== p.join(":")) {
        requests.push({ user: u, scope: url.searchParams.get("scope") ?? undefined, status: 401 });
        res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "invalid credentials" }] }));
        return;
      }
      user = u;
    }
    const access = url.searchParams.getAll("scope").flatMap((scope) => {
      const m = /^repository:([^:]+):(.+)$/.exec(scope);
      if (!m) return [];
      const actions = policy.grant(user, m[1]!, m[2]!.split(","));
      return actions.length ? [{ type: "repository", name: m[1]!, actions }] : [];
    });
    requests.push({ user, scope: url.searchParams.get("scope") ?? undefined, status: 200 });
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: "JWT", alg: "ES256", x5c: [material.certDer.toString("base64")] };
    const claims = { iss: issuer, sub: user ?? "", aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString("hex"), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = sign("sha256", Buffer.from(input), { key: material.privateKey, dsaEncoding: "ieee-p1363" });
    const token = `${input}.${b64url(sig)}`;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return { url, realm: `${url}/token`, service, issuer, material, requests, stop: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((r) => {
    server.closeAllConnections?.();
    server.close(() => r());
  });
}

// ---- the registry ---------------------------------------------------------------------------

export interface ImageSpec {
  os?: string;
  architecture?: string;
  variant?: string;
  user?: string;
  created?: string;
  labels?: Record<string, string>;
  /** Docker v2 schema instead of OCI. */
  docker?: boolean;
  /** Extra bytes so that two pushes of "the same" image differ. */
  salt?: string;
}

export interface TestRegistry {
  /** host:port (127.0.0.1:NNNN). */
  host: string;
  url: string;
  storage: string;
  token?: TokenServer;
  pushBlob(name: string, data: Uint8Array | string): Promise<string>;
  pushManifest(name: string, reference: string, manifest: object, mediaType: string): Promise<string>;
  /** A single-platform image (config + one layer); returns the manifest digest. */
  pushImage(name: string, tag: string | undefined, spec?: ImageSpec): Promise<string>;
  /** A multi-arch index over per-platform images; returns the index digest. */
  pushIndex(name: string, tag: string, platforms: ImageSpec[], docker?: boolean): Promise<{ index: string; platforms: string[] }>;
  /** A Helm chart artifact tagged `version` with `+` stored as `_`. */
  pushChart(name: string, version: string): Promise<string>;
  /** A cosign-style signature manifest tagged `sha256-<hex>.sig` for `digest`. */
  pushSignature(name: string, digest: string): Promise<string>;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** Token auth through a loopback token service with this policy. */
  tokenAuth?: TokenPolicy;
}

const ADMIN = { user: "bulwark-admin", password: "admin-secret-1" };

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const storage = mkdtempSync(join(tmpdir(), "bulwark-registry-"));
  const port = await freePort();
  let token: TokenServer | undefined;
  let authYaml = "";
  if (options.tokenAuth) {
    const policy = options.tokenAuth;
    try {
      token = await startTokenServer({
        users: { ...policy.users, [ADMIN.user]: ADMIN.password },
        grant: (user, repo, requested) => (user === ADMIN.user ? requested : policy.grant(user, repo, requested)),
      });
    } catch (err) {
      rmSync(storage, { recursive: true, force: true });
      throw err;
    }
    writeFileSync(join(storage, "token-ca.pem"), token.material.certPem);
    authYaml = `auth:\n  token:\n    realm: ${token.realm}\n    service: ${token.service}\n    issuer: ${token.issuer}\n    rootcertbundle: ${join(storage, "token-ca.pem")}\n`;
  }
  const config = join(storage, "config.yml");
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\n  accesslog: { disabled: true }\nstorage:\n  filesystem:\n    rootdirectory: ${join(storage, "data")}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n  secret: ${randomBytes(16).toString("hex")}\n${authYaml}`,
  );
  const proc: ChildProcess = spawn("docker-registry", ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  proc.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/v2/`);
      await res.body?.cancel();
      break;
    } catch {
      if (proc.exitCode !== null || Date.now() > deadline) {
        proc.kill("SIGKILL");
        await token?.stop();
        rmSync(storage, { recursive: true, force: true });
        throw new Error(`docker-registry did not start: ${stderr.slice(0, 2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  // Pushes authenticate as the admin through the token service in token mode.
  const tokens = new Map<string, string>();
  const authed = async (name: string, input: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    const t = tokens.get(name);
    if (t) headers.set("authorization", `Bearer ${t}`);
    let res = await fetch(input, { ...init, headers });
    if (res.status === 401 && token) {
      await res.body?.cancel();
      const tr = await fetch(`${token.realm}?service=${token.service}&scope=repository:${name}:pull,push`, {
        headers: { authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString("base64")}` },
      });
      const body = (await tr.json()) as { token: string };
      tokens.set(name, body.token);
      headers.set("authorization", `Bearer ${body.token}`);
      res = await fetch(input, { ...init, headers });
    }
    return res;
  };

  const reg: TestRegistry = {
    host: `127.0.0.1:${port}`,
    url,
    storage,
    ...(token ? { token } : {}),
    async pushBlob(name, data) {
      const bytes = typeof data === "string" ? Buffer.from(data) : Buffer.from(data);
      const digest = sha256(bytes);
      const head = await authed(name, `${url}/v2/${name}/blobs/${digest}`, { method: "HEAD" });
      await head.body?.cancel();
      if (head.status === 200) return digest;
      const start = await authed(name, `${url}/v2/${name}/blobs/uploads/`, { method: "POST" });
      await start.body?.cancel();
      if (start.status !== 202) throw new Error(`blob upload start: HTTP ${start.status}`);
      const location = new URL(start.headers.get("location")!, url);
      location.searchParams.set("digest", digest);
      const put = await authed(name, location.toString(), { method: "PUT", body: bytes, headers: { "content-type": "application/octet-stream" } });
      await put.body?.cancel();
      if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status}`);
      return digest;
    },
    async pushManifest(name, reference, manifest, mediaType) {
      const body = JSON.stringify(manifest);
      const res = await authed(name, `${url}/v2/${name}/manifests/${reference}`, { method: "PUT", body, headers: { "content-type": mediaType } });
      const text = await res.text();
      if (res.status !== 201) throw new Error(`manifest ${name}:${reference}: HTTP ${res.status} ${text}`);
      const digest = sha256(body);
      if (res.headers.get("docker-content-digest") !== digest) throw new Error("registry computed another digest");
      return digest;
    },
    async pushImage(name, tag, spec = {}) {
      const config = {
        architecture: spec.architecture ?? "amd64",
        os: spec.os ?? "linux",
        ...(spec.variant ? { variant: spec.variant } : {}),
        created: spec.created ?? "2026-01-01T00:00:00Z",
        config: { User: spec.user ?? "", Labels: spec.labels ?? {} },
        rootfs: { type: "layers", diff_ids: [] as string[] },
      };
      const layerBytes = Buffer.from(`layer of ${name}:${tag ?? ""} ${spec.architecture ?? "amd64"} ${spec.salt ?? ""}`);
      const layer = await reg.pushBlob(name, layerBytes);
      const configBytes = Buffer.from(JSON.stringify(config));
      const cfg = await reg.pushBlob(name, configBytes);
      const docker = spec.docker === true;
      const manifest = {
        schemaVersion: 2,
        mediaType: docker ? MT.dockerManifest : MT.ociManifest,
        config: { mediaType: docker ? MT.dockerConfig : MT.ociConfig, digest: cfg, size: configBytes.length },
        layers: [{ mediaType: docker ? MT.dockerLayer : MT.ociLayer, digest: layer, size: layerBytes.length }],
      };
      const mediaType = docker ? MT.dockerManifest : MT.ociManifest;
      const body = JSON.stringify(manifest);
      const digest = await reg.pushManifest(name, tag ?? sha256(body), manifest, mediaType);
      return digest;
    },
    async pushIndex(name, tag, platforms, docker = false) {
      const entries: { mediaType: string; digest: string; size: number; platform: object }[] = [];
      const digests: string[] = [];
      for (const p of platforms) {
        const d = await reg.pushImage(name, undefined, { ...p, docker, salt: `${tag} ${p.salt ?? ""}` });
        digests.push(d);
        const m = await fetchManifestSize(name, d);
        entries.push({
          mediaType: docker ? MT.dockerManifest : MT.ociManifest,
          digest: d,
          size: m,
          platform: { architecture: p.architecture ?? "amd64", os: p.os ?? "linux", ...(p.variant ? { variant: p.variant } : {}) },
        });
      }
      const mediaType = docker ? MT.dockerList : MT.ociIndex;
      const index = await reg.pushManifest(name, tag, { schemaVersion: 2, mediaType, manifests: entries }, mediaType);
      return { index, platforms: digests };
    },
    async pushChart(name, version) {
      const config = Buffer.from(JSON.stringify({ apiVersion: "v2", name: name.split("/").pop(), version }));
      const cfg = await reg.pushBlob(name, config);
      const chart = Buffer.from(`fake chart archive ${name} ${version}`);
      const layer = await reg.pushBlob(name, chart);
      return reg.pushManifest(
        name,
        version.replace(/\+/g, "_"),
        {
          schemaVersion: 2,
          mediaType: MT.ociManifest,
          config: { mediaType: MT.helmConfig, digest: cfg, size: config.length },
          layers: [{ mediaType: MT.helmChart, digest: layer, size: chart.length }],
        },
        MT.ociManifest,
      );
    },
    async pushSignature(name, digest) {
      const payload = Buffer.from(JSON.stringify({ critical: { image: { "docker-manifest-digest": digest }, type: "cosign container image signature" } }));
      const layer = await reg.pushBlob(name, payload);
      const config = Buffer.from("{}");
      const cfg = await reg.pushBlob(name, config);
      return reg.pushManifest(
        name,
        `${digest.replace(":", "-")}.sig`,
        {
          schemaVersion: 2,
          mediaType: MT.ociManifest,
          config: { mediaType: MT.ociConfig, digest: cfg, size: config.length },
          layers: [{ mediaType: MT.cosignSig, digest: layer, size: payload.length, annotations: { "dev.cosignproject.cosign/signature": "MEUCIQ==" } }],
        },
        MT.ociManifest,
      );
    },
    async stop() {
      proc.kill("SIGTERM");
      await new Promise<void>((r) => {
        if (proc.exitCode !== null) return r();
        const t = setTimeout(() => {
          proc.kill("SIGKILL");
          r();
        }, 3000);
        proc.once("exit", () => {
          clearTimeout(t);
          r();
        });
      });
      await token?.stop();
      rmSync(storage, { recursive: true, force: true });
    },
  };

  async function fetchManifestSize(name: string, digest: string): Promise<number> {
    const res = await authed(name, `${url}/v2/${name}/manifests/${digest}`, { headers: { accept: `${MT.ociManifest}, ${MT.dockerManifest}` } });
    return (await res.arrayBuffer()).byteLength;
  }
  return reg;
}

// ---- proxies in front of the registry -------------------------------------------------------

export type ProxyHook = (req: IncomingMessage, url: URL, res: ServerResponse, forward: () => Promise<void>) => Promise<void> | void;

export interface TestProxy {
  host: string;
  url: string;
  /** Paths (with query) requested through the proxy, in order. */
  log: string[];
  stop(): Promise<void>;
}

/** A loopback HTTP proxy to `target`; `hook` may answer a request itself or call `forward()`. */
export async function startProxy(target: string, hook?: ProxyHook): Promise<TestProxy> {
  const log: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    log.push(`${req.method} ${url.pathname}${url.search}`);
    const forward = async () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && k !== "host" && k !== "connection") headers.set(k, v);
      const upstream = await fetch(`${target}${url.pathname}${url.search}`, { method: req.method, headers, redirect: "manual" });
      const out: Record<string, string> = {};
      upstream.headers.forEach((v, k) => {
        if (k !== "content-encoding" && k !== "transfer-encoding" && k !== "connection") out[k] = v;
      });
      const body = req.method === "HEAD" ? undefined : Buffer.from(await upstream.arrayBuffer());
      res.writeHead(upstream.status, out);
      res.end(body);
    };
    Promise.resolve(hook ? hook(req, url, res, forward) : forward()).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(err));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { host: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}`, log, stop: () => closeServer(server) };
}

/** Hook: the first request matching `pattern` gets 429 with `Retry-After: <seconds>`. */
export function rateLimitOnce(pattern: RegExp, retryAfterSeconds: number): { hook: ProxyHook; hits: () => number } {
  let hits = 0;
  const hook: ProxyHook = async (_req, url, res, forward) => {
    if (pattern.test(url.pathname) && hits === 0) {
      hits++;
      res.writeHead(429, { "retry-after": String(retryAfterSeconds), "content-type": "application/json" });
      res.end(JSON.stringify({ errors: [{ code: "TOOMANYREQUESTS", message: "slow down" }] }));
      return;
    }
    await forward();
  };
  return { hook, hits: () => hits };
}

/** Hook: tag lists served sorted in pages of `pageSize` with `Link: <…>; rel="next"` (relative URLs). */
export function paginateTags(target: string, pageSize: number): ProxyHook {
  return async (req, url, res, forward) => {
    const m = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (!m || req.method !== "GET") return forward();
    const headers = new Headers();
    if (req.headers.authorization) headers.set("authorization", req.headers.authorization);
    const upstream = await fetch(`${target}/v2/${m[1]}/tags/list`, { headers });
    if (!upstream.ok) {
      res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
      res.end(await upstream.text());
      return;
    }
    const all = ((await upstream.json()) as { tags: string[] }).tags.sort();
    const last = url.searchParams.get("last");
    const start = last ? all.findIndex((t) => t > last) : 0;
    const page = start < 0 ? [] : all.slice(start, start + pageSize);
    const more = start >= 0 && start + pageSize < all.length;
    const h: Record<string, string> = { "content-type": "application/json" };
    if (more) h["link"] = `</v2/${m[1]}/tags/list?n=${pageSize}&last=${encodeURIComponent(page[page.length - 1]!)}>; rel="next"`;
    res.writeHead(200, h);
    res.end(JSON.stringify({ name: m[1], tags: page }));
  };
}
