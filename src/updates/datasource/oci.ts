// OCI Distribution client (images and OCI Helm charts) over fetch.
//
// - `/v2/` ping per host; the WWW-Authenticate challenge decides the auth: Bearer tokens from
//   the realm (anonymous, or Basic credentials at the token service: Docker Hub, GHCR, Quay,
//   GCR/Artifact Registry, ECR Public, any v2 registry), Basic at the registry, or none. Tokens
//   are cached per host+scope until they expire; a 401 refreshes once.
// - Tags: `tags/list` following `Link: <…>; rel="next"` (same origin only, page cap); never
//   trusts the registry's order.
// - Digests: `HEAD` with the index/list media types first, so a multi-arch tag pins the INDEX
//   digest; a pinned per-platform digest is followed to the same platform of the new tag.
// - Image config (`User`, `created`, labels) from the config blob; cosign signatures through
//   the OCI 1.1 referrers API and the `sha256-<hex>.sig` tag convention.
// - Results are cached per client, so one client shared by a whole run (several repositories)
//   asks the registry once per tag list / manifest.
import { createHash } from "node:crypto";
import type { Challenge, CredentialLookup, RegistryCredential } from "./auth.js";
import { basicHeader, envKeyForHost, parseWwwAuthenticate } from "./auth.js";
import { DatasourceError, HttpClient, nextLink, plainHttpAllowed } from "./http.js";
import type { HttpOptions } from "./http.js";

export const MEDIA_TYPES = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
} as const;

/** Index and manifest-list types FIRST: a multi-arch tag must resolve to its index digest. */
export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest].join(", ");

export const COSIGN_SIGNATURE_TYPES = ["application/vnd.dev.cosign.artifact.sig.v1+json", "application/vnd.dev.sigstore.bundle"];

export interface RepositoryRef {
  /** Registry host[:port] as in image references (docker.io for Docker Hub). */
  registry: string;
  /** Repository path (library/python, acme/web). */
  repository: string;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: Platform;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface ManifestInfo {
  digest: string;
  mediaType: string;
  /** Index / manifest list entries. */
  manifests?: Descriptor[];
  /** Image manifest config and layers. */
  config?: Descriptor;
  layers?: Descriptor[];
  artifactType?: string;
}

export interface ImageConfigInfo {
  /** Digest of the platform manifest the config belongs to. */
  manifestDigest: string;
  os?: string;
  architecture?: string;
  variant?: string;
  /** `config.User` ("" when the image runs as root by default). */
  user?: string;
  created?: string;
  labels: Record<string, string>;
}

export interface ResolvedDigest {
  digest: string;
  /** "index": the multi-arch index (or list); "manifest": one platform's image manifest. */
  kind: "index" | "manifest";
  platform?: string;
}

export type SignatureStatus = "signed" | "unsigned" | "unknown";

export interface SignatureCheck {
  status: SignatureStatus;
  /** How it was decided: the referrers API or the cosign tag convention. */
  via?: "referrers" | "tag";
  detail: string;
}

export interface OciClientOptions extends HttpOptions {
  credentials?: CredentialLookup;
  /** Tag list pages followed per repository (default 50). */
  maxTagPages?: number;
  /** `n` asked per tag page (default 1000; ECR caps at 1000). */
  tagPageSize?: number;
}

const DOCKER_HUB_HOSTS = new Set(["docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"]);

/** The host that serves the v2 API for a registry name (Docker Hub → registry-1.docker.io). */
export function apiHost(registry: string): string {
  const h = registry.toLowerCase();
  return DOCKER_HUB_HOSTS.has(h) ? "registry-1.docker.io" : h;
}

/** "host/path/name" → { registry, repository }, with Docker Hub's implicit library/. */
export function splitPackageName(packageName: string): RepositoryRef {
  const slash = packageName.indexOf("/");
  const registry = packageName.slice(0, slash).toLowerCase();
  let repository = packageName.slice(slash + 1);
  if (DOCKER_HUB_HOSTS.has(registry) && !repository.includes("/")) repository = `library/${repository}`;
  return { registry: DOCKER_HUB_HOSTS.has(registry) ? "docker.io" : registry, repository };
}

export function parsePlatform(s: string): Platform | undefined {
  const [os, architecture, variant] = s.split("/");
  if (!os || !architecture) return undefined;
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function platformKey(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}`;
}

function isIndexType(mediaType: string | undefined): boolean {
  return mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList;
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** The descriptor of an index that runs on `want` (attestation entries `unknown/unknown` never match). */
export function matchPlatform(manifests: readonly Descriptor[], want: Platform): Descriptor | undefined {
  const candidates = manifests.filter((m) => m.platform && m.platform.os === want.os && m.platform.architecture === want.architecture);
  if (want.variant) return candidates.find((m) => m.platform!.variant === want.variant) ?? (want.architecture === "arm64" && want.variant === "v8" ? candidates.find((m) => !m.platform!.variant) : undefined);
  return candidates.find((m) => !m.platform!.variant) ?? candidates[0];
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

export class OciClient {
  readonly http: HttpClient;
  private readonly pings = new Map<string, Promise<Challenge | null>>();
  private readonly tokens = new Map<string, CachedToken>();
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(readonly options: OciClientOptions = {}) {
    this.http = new HttpClient(options);
  }

  /** Forget every cached answer and token. */
  clearCache(): void {
    this.pings.clear();
    this.tokens.clear();
    this.cache.clear();
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      this.cache.set(key, p);
    }
    return p;
  }

  private credential(registry: string): RegistryCredential | undefined {
    const c = this.options.credentials?.(registry);
    if (c) {
      if ("bearer" in c) this.http.redactor.add(c.bearer);
      else {
        this.http.redactor.add(c.password);
        this.http.redactor.add(basicHeader(c).slice(6));
      }
    }
    return c;
  }

  private base(registry: string): string {
    return this.http.baseUrl(apiHost(registry));
  }

  /** GET /v2/: null when the registry needs no auth, else its (first usable) challenge. */
  private ping(registry: string): Promise<Challenge | null> {
    const host = apiHost(registry);
    let p = this.pings.get(host);
    if (!p) {
      p = (async () => {
        const res = await this.http.request(`${this.base(registry)}/v2/`, { what: `${host} /v2/` });
        await res.body?.cancel().catch(() => undefined);
        if (res.status !== 401) return null;
        return pickChallenge(parseWwwAuthenticate(res.headers.get("www-authenticate")));
      })();
      this.pings.set(host, p);
    }
    return p;
  }

  private async token(registry: string, challenge: Challenge, scope: string, fresh: boolean): Promise<string> {
    const realm = challenge.params["realm"];
    if (!realm) throw this.http.error("auth", `${registry}: Bearer challenge without a realm`);
    const service = challenge.params["service"];
    const key = `${apiHost(registry)}|${realm}|${service ?? ""}|${scope}`;
    const hit = this.tokens.get(key);
    if (hit && !fresh && hit.expiresAt > Date.now()) return hit.value;
    const url = new URL(realm);
    if (service) url.searchParams.set("service", service);
    url.searchParams.set("scope", scope);
    const cred = this.credential(registry);
    const headers: Record<string, string> = {};
    // Credentials go to the token service only over HTTPS (or to a loopback/insecure-listed host).
    if (cred && !("bearer" in cred)) {
      if (url.protocol !== "https:" && !plainHttpAllowed(url.host, this.options.insecureRegistries)) {
        throw this.http.error("insecure", `${registry}: token service ${url.host} is plain HTTP; credentials are not sent there`);
      }
      headers["authorization"] = basicHeader(cred);
    }
    const res = await this.http.request(url.toString(), { headers, what: `${registry} token` });
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel().catch(() => undefined);
      throw this.http.error(
        "auth",
        cred
          ? `${registry}: the credentials for ${registry} were rejected by its token service (HTTP ${res.status})`
          : `${registry}: anonymous token refused (HTTP ${res.status}); set ${envKeyForHost(registry)}`,
        res.status,
      );
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw this.http.error("http", `${registry}: token service answered HTTP ${res.status}`, res.status);
    }
    const body = await this.http.json<{ token?: string; access_token?: string; expires_in?: number }>(res, `${registry} token`, 1024 * 1024);
    const value = body.token ?? body.access_token;
    if (!value) throw this.http.error("invalid-response", `${registry}: token service returned no token`);
    this.http.redactor.add(value);
    const ttl = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 60;
    this.tokens.set(key, { value, expiresAt: Date.now() + Math.max(1, ttl - 10) * 1000 });
    return value;
  }

  private async authorization(repo: RepositoryRef, challenge: Challenge | null, fresh: boolean): Promise<string | undefined> {
    const cred = this.credential(repo.registry);
    if (cred && "bearer" in cred) return `Bearer ${cred.bearer}`;
    if (!challenge) return undefined;
    if (challenge.scheme === "basic") return cred ? basicHeader(cred) : undefined;
    if (challenge.scheme === "bearer") return `Bearer ${await this.token(repo.registry, challenge, `repository:${repo.repository}:pull`, fresh)}`;
    return undefined;
  }

  /** An authorised request to the registry; one re-authentication on 401. */
  async send(repo: RepositoryRef, pathOrUrl: string, opts: { method?: "GET" | "HEAD"; accept?: string; what: string }): Promise<Response> {
    const url = pathOrUrl.startsWith("http") ? pathOrUrl : `${this.base(repo.registry)}${pathOrUrl}`;
    let challenge: Challenge | null;
    try {
      challenge = await this.ping(repo.registry);
    } catch (err) {
      // The ping is shared by every lookup on the host: name the lookup that needed it.
      if (!(err instanceof DatasourceError)) throw err;
      const prefix = `${apiHost(repo.registry)} /v2/: `;
      throw new DatasourceError(err.code, `${opts.what}: ${err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message}`, err.status);
    }
    for (let attempt = 0; ; attempt++) {
      const auth = await this.authorization(repo, challenge, attempt > 0);
      const headers: Record<string, string> = {};
      if (auth) headers["authorization"] = auth;
      if (opts.accept) headers["accept"] = opts.accept;
      const res = await this.http.request(url, { method: opts.method ?? "GET", headers, what: opts.what });
      if (res.status !== 401 && res.status !== 403) return res;
      await res.body?.cancel().catch(() => undefined);
      const again = pickChallenge(parseWwwAuthenticate(res.headers.get("www-authenticate")));
      if (res.status === 401 && attempt === 0 && again) {
        challenge = again;
        continue;
      }
      const cred = this.credential(repo.registry);
      throw this.http.error(
        "auth",
        cred
          ? `${opts.what}: access denied with the configured credentials for ${repo.registry} (HTTP ${res.status})`
          : `${opts.what}: ${repo.registry} requires authentication (HTTP ${res.status}); set ${envKeyForHost(repo.registry)}`,
        res.status,
      );
    }
  }

  private async expectOk(res: Response, what: string): Promise<Response> {
    if (res.ok) return res;
    await res.body?.cancel().catch(() => undefined);
    if (res.status === 404) throw this.http.error("not-found", `${what}: not found (HTTP 404)`, 404);
    throw this.http.error("http", `${what}: HTTP ${res.status}`, res.status);
  }

  /** Every tag of a repository, following Link pagination (same origin, page cap). */
  listTags(repo: RepositoryRef): Promise<string[]> {
    return this.cached(`tags|${repo.registry}/${repo.repository}`, async () => {
      const what = `${repo.registry}/${repo.repository} tags`;
      const pageSize = this.options.tagPageSize ?? 1000;
      let url = `${this.base(repo.registry)}/v2/${repo.repository}/tags/list?n=${pageSize}`;
      const origin = new URL(url).origin;
      const tags: string[] = [];
      const maxPages = this.options.maxTagPages ?? 50;
      for (let page = 0; page < maxPages; page++) {
        const res = await this.expectOk(await this.send(repo, url, { what, accept: "application/json" }), what);
        const body = await this.http.json<{ tags?: unknown }>(res, what, 32 * 1024 * 1024);
        if (Array.isArray(body.tags)) for (const t of body.tags) if (typeof t === "string") tags.push(t);
        const next = nextLink(res.headers.get("link"), url);
        if (!next || new URL(next).origin !== origin) break;
        url = next;
      }
      return [...new Set(tags)];
    });
  }

  /** HEAD a manifest: the digest a tag resolves to (an index digest for multi-arch tags). */
  head(repo: RepositoryRef, reference: string): Promise<{ digest: string; mediaType: string; lastModified?: string }> {
    return this.cached(`head|${repo.registry}/${repo.repository}|${reference}`, async () => {
      const what = `${repo.registry}/${repo.repository}:${reference}`;
      const res = await this.expectOk(
        await this.send(repo, `/v2/${repo.repository}/manifests/${reference}`, { method: "HEAD", accept: MANIFEST_ACCEPT, what }),
        what,
      );
      const digest = res.headers.get("docker-content-digest");
      const mediaType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
      const lastModified = res.headers.get("last-modified") ?? undefined;
      if (digest) return { digest, mediaType, ...(lastModified ? { lastModified } : {}) };
      const m = await this.manifest(repo, reference);
      return { digest: m.digest, mediaType: m.mediaType };
    });
  }

  /** GET a manifest or index (verified against the digest when asked by digest). */
  manifest(repo: RepositoryRef, reference: string): Promise<ManifestInfo> {
    return this.cached(`manifest|${repo.registry}/${repo.repository}|${reference}`, async () => {
      const what = `${repo.registry}/${repo.repository}@${reference}`;
      const res = await this.expectOk(await this.send(repo, `/v2/${repo.repository}/manifests/${reference}`, { accept: MANIFEST_ACCEPT, what }), what);
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.byteLength > 4 * 1024 * 1024) throw this.http.error("invalid-response", `${what}: manifest larger than 4 MiB`);
      const computed = sha256(bytes);
      if (reference.startsWith("sha256:") && computed !== reference) throw this.http.error("invalid-response", `${what}: manifest content does not match its digest`);
      const digest = reference.startsWith("sha256:") ? reference : (res.headers.get("docker-content-digest") ?? computed);
      let body: { mediaType?: string; manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[]; artifactType?: string };
      try {
        body = JSON.parse(new TextDecoder().decode(bytes)) as typeof body;
      } catch {
        throw this.http.error("invalid-response", `${what}: manifest is not JSON`);
      }
      const contentType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
      const mediaType = body.mediaType ?? (Array.isArray(body.manifests) ? MEDIA_TYPES.ociIndex : contentType || MEDIA_TYPES.ociManifest);
      const info: ManifestInfo = { digest, mediaType };
      if (Array.isArray(body.manifests)) info.manifests = body.manifests;
      if (body.config) info.config = body.config;
      if (Array.isArray(body.layers)) info.layers = body.layers;
      if (body.artifactType) info.artifactType = body.artifactType;
      return info;
    });
  }

  /** A blob parsed as JSON (config blobs), verified against its digest. */
  blobJson<T>(repo: RepositoryRef, digest: string): Promise<T> {
    return this.cached(`blob|${repo.registry}/${repo.repository}|${digest}`, async () => {
      const what = `${repo.registry}/${repo.repository} blob ${digest.slice(0, 19)}`;
      const res = await this.expectOk(await this.send(repo, `/v2/${repo.repository}/blobs/${digest}`, { what }), what);
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.byteLength > 8 * 1024 * 1024) throw this.http.error("invalid-response", `${what}: larger than 8 MiB`);
      if (digest.startsWith("sha256:") && sha256(bytes) !== digest) throw this.http.error("invalid-response", `${what}: content does not match its digest`);
      try {
        return JSON.parse(new TextDecoder().decode(bytes)) as T;
      } catch {
        throw this.http.error("invalid-response", `${what}: not JSON`);
      }
    });
  }

  /** Platform manifest of `reference` for `platform` (default linux/amd64; a single-platform tag is itself). */
  async platformManifest(repo: RepositoryRef, reference: string, platform: Platform = { os: "linux", architecture: "amd64" }): Promise<ManifestInfo> {
    const m = await this.manifest(repo, reference);
    if (!m.manifests) return m;
    const d = matchPlatform(m.manifests, platform);
    if (!d) throw this.http.error("not-found", `${repo.registry}/${repo.repository}:${reference} has no ${platformKey(platform)} image`);
    return this.manifest(repo, d.digest);
  }

  /** The image config of one platform: User, created, labels. */
  async imageConfig(repo: RepositoryRef, reference: string, platform?: Platform): Promise<ImageConfigInfo> {
    const m = await this.platformManifest(repo, reference, platform);
    if (!m.config) throw this.http.error("invalid-response", `${repo.registry}/${repo.repository}@${m.digest}: manifest has no config`);
    const cfg = await this.blobJson<{
      os?: string;
      architecture?: string;
      variant?: string;
      created?: string;
      config?: { User?: string; Labels?: Record<string, string> | null };
    }>(repo, m.config.digest);
    const info: ImageConfigInfo = { manifestDigest: m.digest, labels: cfg.config?.Labels ?? {} };
    if (cfg.os) info.os = cfg.os;
    if (cfg.architecture) info.architecture = cfg.architecture;
    if (cfg.variant) info.variant = cfg.variant;
    if (cfg.config?.User !== undefined) info.user = cfg.config.User;
    if (cfg.created) info.created = cfg.created;
    return info;
  }

  /** Per-platform manifest digests of a tag or digest (one entry for single-platform images). */
  async platformDigests(repo: RepositoryRef, reference: string): Promise<Map<string, string>> {
    const m = await this.manifest(repo, reference);
    const out = new Map<string, string>();
    if (m.manifests) {
      for (const d of m.manifests) if (d.platform && d.platform.os !== "unknown") out.set(platformKey(d.platform), d.digest);
      return out;
    }
    const cfg = await this.imageConfig(repo, reference);
    out.set(platformKey({ os: cfg.os ?? "linux", architecture: cfg.architecture ?? "amd64", ...(cfg.variant ? { variant: cfg.variant } : {}) }), m.digest);
    return out;
  }

  /**
   * The digest to pin for `tag`. With `keepKindOf` (the digest pinned today): a per-platform
   * pin stays a pin of the same platform in the new tag's index; an index pin stays an index pin.
   */
  async resolveDigest(repo: RepositoryRef, tag: string, keepKindOf?: string): Promise<ResolvedDigest> {
    if (keepKindOf) {
      const current = await this.manifest(repo, keepKindOf).catch(() => undefined);
      if (current && !current.manifests && current.config) {
        const cfg = await this.imageConfig(repo, keepKindOf);
        const platform: Platform = { os: cfg.os ?? "linux", architecture: cfg.architecture ?? "amd64", ...(cfg.variant ? { variant: cfg.variant } : {}) };
        const next = await this.manifest(repo, tag);
        if (!next.manifests) return { digest: next.digest, kind: "manifest", platform: platformKey(platform) };
        const d = matchPlatform(next.manifests, platform);
        if (!d) throw this.http.error("not-found", `${repo.registry}/${repo.repository}:${tag} has no ${platformKey(platform)} image (the platform pinned today)`);
        return { digest: d.digest, kind: "manifest", platform: platformKey(platform) };
      }
    }
    const h = await this.head(repo, tag);
    return { digest: h.digest, kind: isIndexType(h.mediaType) ? "index" : "manifest" };
  }

  /**
   * When the content behind a digest was built: the newest `created` of its platform configs
   * (or Last-Modified). Undefined when the registry does not say (or says 1970).
   */
  async published(repo: RepositoryRef, digest: string): Promise<Date | undefined> {
    const m = await this.manifest(repo, digest);
    const descs = m.manifests ? m.manifests.filter((d) => d.platform && d.platform.os !== "unknown") : [undefined];
    let newest: number | undefined;
    for (const d of descs) {
      const cfg = await this.imageConfig(repo, d ? d.digest : digest).catch(() => undefined);
      const t = cfg?.created ? Date.parse(cfg.created) : NaN;
      if (!Number.isNaN(t) && t > Date.UTC(2000, 0, 1) && (newest === undefined || t > newest)) newest = t;
    }
    return newest === undefined ? undefined : new Date(newest);
  }

  /** OCI 1.1 referrers of a digest, or undefined when the registry has no referrers API. */
  async referrers(repo: RepositoryRef, digest: string, artifactType?: string): Promise<Descriptor[] | undefined> {
    const what = `${repo.registry}/${repo.repository} referrers of ${digest.slice(0, 19)}`;
    const q = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : "";
    const res = await this.send(repo, `/v2/${repo.repository}/referrers/${digest}${q}`, { accept: MEDIA_TYPES.ociIndex, what });
    if (res.status === 404 || res.status === 405 || res.status === 400) {
      await res.body?.cancel().catch(() => undefined);
      return undefined;
    }
    await this.expectOk(res, what);
    const body = await this.http.json<{ manifests?: Descriptor[] }>(res, what, 4 * 1024 * 1024);
    return Array.isArray(body.manifests) ? body.manifests : [];
  }

  /**
   * Whether a cosign signature is attached to `digest` (referrers API first, then the
   * `sha256-<hex>.sig` tag). This finds signatures; it does NOT verify them against a key.
   */
  async signatureStatus(repo: RepositoryRef, digest: string): Promise<SignatureCheck> {
    try {
      const refs = await this.referrers(repo, digest);
      const sig = refs?.find((d) => COSIGN_SIGNATURE_TYPES.some((t) => (d.artifactType ?? "").startsWith(t)));
      if (sig) return { status: "signed", via: "referrers", detail: `signature ${sig.digest.slice(0, 19)} (${sig.artifactType}) found through the referrers API` };
      const sigTag = `${digest.replace(":", "-")}.sig`;
      try {
        await this.head(repo, sigTag);
        return { status: "signed", via: "tag", detail: `cosign signature tag ${sigTag} exists` };
      } catch (err) {
        if (err instanceof DatasourceError && err.code === "not-found") {
          return { status: "unsigned", via: refs ? "referrers" : "tag", detail: `no ${sigTag} tag${refs ? " and no signature referrer" : ""}` };
        }
        throw err;
      }
    } catch (err) {
      return { status: "unknown", detail: err instanceof Error ? err.message : String(err) };
    }
  }
}

function pickChallenge(challenges: Challenge[]): Challenge | null {
  return challenges.find((c) => c.scheme === "bearer") ?? challenges.find((c) => c.scheme === "basic") ?? null;
}
