// Helm chart versions: `<repo>/index.yaml` of HTTP chart repositories (parsed once per run per
// repository, JSON accepted too, size-capped) and OCI chart repositories (tags, with Helm's
// `+` → `_` tag mapping undone and signature/attestation tags dropped).
import { parse } from "yaml";
import type { CredentialLookup } from "./auth.js";
import { basicHeader } from "./auth.js";
import { HttpClient } from "./http.js";
import type { HttpOptions } from "./http.js";
import type { OciClient, RepositoryRef } from "./oci.js";
import { isArtifactTag } from "../versioning/docker.js";

export interface ChartVersion {
  version: string;
  deprecated: boolean;
  created?: string;
  appVersion?: string;
  home?: string;
  sources?: string[];
  /** sha256 of the chart archive (index.yaml), or the OCI manifest digest. */
  digest?: string;
}

export interface HelmClientOptions extends HttpOptions {
  credentials?: CredentialLookup;
  /** index.yaml size limit (default 64 MiB; Flux uses 50 MB). */
  maxIndexBytes?: number;
}

interface IndexEntry {
  version?: unknown;
  deprecated?: unknown;
  created?: unknown;
  appVersion?: unknown;
  home?: unknown;
  sources?: unknown;
  digest?: unknown;
}

export class HelmRepoClient {
  readonly http: HttpClient;
  private readonly indexes = new Map<string, Promise<Map<string, ChartVersion[]>>>();

  constructor(
    readonly options: HelmClientOptions = {},
    private readonly oci?: OciClient,
  ) {
    this.http = new HttpClient(options);
  }

  clearCache(): void {
    this.indexes.clear();
  }

  /** All entries of a repository's index.yaml, by chart name. */
  index(repoUrl: string): Promise<Map<string, ChartVersion[]>> {
    const key = repoUrl.replace(/\/+$/, "");
    let p = this.indexes.get(key);
    if (!p) {
      p = this.loadIndex(key);
      this.indexes.set(key, p);
    }
    return p;
  }

  private async loadIndex(base: string): Promise<Map<string, ChartVersion[]>> {
    const url = `${base}/index.yaml`;
    let host: string;
    try {
      host = new URL(url).host;
    } catch {
      throw this.http.error("invalid-response", `invalid chart repository URL ${base}`);
    }
    const what = `${this.http.redactor.redact(base)} index.yaml`;
    const headers: Record<string, string> = { accept: "application/x-yaml, application/yaml, text/yaml, application/json;q=0.9, */*;q=0.1" };
    const cred = this.options.credentials?.(host);
    if (cred) {
      if ("bearer" in cred) {
        this.http.redactor.add(cred.bearer);
        headers["authorization"] = `Bearer ${cred.bearer}`;
      } else {
        this.http.redactor.add(cred.password);
        headers["authorization"] = basicHeader(cred);
      }
    }
    const res = await this.http.request(url, { headers, what });
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel().catch(() => undefined);
      throw this.http.error("auth", `${what}: access denied (HTTP ${res.status})${cred ? " with the configured credentials" : ""}`, res.status);
    }
    if (res.status === 404) {
      await res.body?.cancel().catch(() => undefined);
      throw this.http.error("not-found", `${what}: not found (HTTP 404)`, 404);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw this.http.error("http", `${what}: HTTP ${res.status}`, res.status);
    }
    const text = await this.http.text(res, what, this.options.maxIndexBytes ?? 64 * 1024 * 1024);
    let data: unknown;
    try {
      // JSON is YAML; aliases are capped like everywhere else (alias bombs).
      data = parse(text, { maxAliasCount: 100, uniqueKeys: false });
    } catch (err) {
      throw this.http.error("invalid-response", `${what}: not valid YAML (${err instanceof Error ? err.message.split("\n")[0] : String(err)})`);
    }
    const entries = (data as { entries?: unknown } | null)?.entries;
    if (typeof entries !== "object" || entries === null) throw this.http.error("invalid-response", `${what}: no entries`);
    const out = new Map<string, ChartVersion[]>();
    for (const [name, list] of Object.entries(entries as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue;
      const versions: ChartVersion[] = [];
      for (const raw of list as IndexEntry[]) {
        if (!raw || typeof raw !== "object") continue;
        const version = typeof raw.version === "string" ? raw.version : typeof raw.version === "number" ? String(raw.version) : undefined;
        if (!version) continue;
        const v: ChartVersion = { version, deprecated: raw.deprecated === true };
        if (typeof raw.created === "string") v.created = raw.created;
        else if (raw.created instanceof Date) v.created = raw.created.toISOString();
        if (typeof raw.appVersion === "string") v.appVersion = raw.appVersion;
        if (typeof raw.home === "string") v.home = raw.home;
        if (Array.isArray(raw.sources)) v.sources = raw.sources.filter((s): s is string => typeof s === "string");
        if (typeof raw.digest === "string") v.digest = raw.digest;
        versions.push(v);
      }
      out.set(name, versions);
    }
    return out;
  }

  /** Versions of `chart` in an HTTP repository; not-found when the chart is not in the index. */
  async chartVersions(repoUrl: string, chart: string): Promise<ChartVersion[]> {
    const index = await this.index(repoUrl);
    const versions = index.get(chart);
    if (!versions) throw this.http.error("not-found", `chart ${chart} is not in ${this.http.redactor.redact(repoUrl.replace(/\/+$/, ""))}/index.yaml`);
    return versions;
  }

  /** Versions of an OCI chart (tags; `_` read back as `+`, artifact tags dropped). */
  async ociChartVersions(repo: RepositoryRef): Promise<ChartVersion[]> {
    if (!this.oci) throw this.http.error("invalid-response", "no OCI client configured for OCI charts");
    const tags = await this.oci.listTags(repo);
    return tags.filter((t) => !isArtifactTag(t) && t !== "latest").map((t) => ({ version: t.replace(/_/g, "+"), deprecated: false }));
  }
}
