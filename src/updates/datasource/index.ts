// The datasource interface the planner asks, and its fetch-based implementation. Tests and the
// GitHub side can hand the planner any object with this shape; one instance shared by a whole
// run caches every answer (tag lists, manifests, index.yaml files, tokens) across repositories.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CredentialLookup } from "./auth.js";
import { combineCredentials, credentialsFromDockerConfig, credentialsFromEnv } from "./auth.js";
import type { ChartVersion } from "./helm.js";
import { HelmRepoClient } from "./helm.js";
import type { HttpOptions } from "./http.js";
import type { ImageConfigInfo, RepositoryRef, ResolvedDigest, SignatureCheck } from "./oci.js";
import { OciClient } from "./oci.js";

export interface UpdateDatasources {
  /** All tags of an image repository. */
  imageTags(repo: RepositoryRef): Promise<string[]>;
  /** The digest to pin for a tag; keeps the kind (index vs platform manifest) of `keepKindOf`. */
  resolveDigest(repo: RepositoryRef, tag: string, keepKindOf?: string): Promise<ResolvedDigest>;
  /** When the content behind a digest was built; undefined when the registry does not say. */
  published(repo: RepositoryRef, digest: string): Promise<Date | undefined>;
  /** Per-platform manifest digests ("linux/amd64" → digest) of a tag or digest. */
  platformDigests(repo: RepositoryRef, reference: string): Promise<Map<string, string>>;
  /** Image config of a tag (labels such as org.opencontainers.image.source, User). Optional. */
  imageConfig?(repo: RepositoryRef, reference: string): Promise<ImageConfigInfo>;
  /** Versions of a chart in an HTTP Helm repository (index.yaml). */
  chartVersions(repoUrl: string, chart: string): Promise<ChartVersion[]>;
  /** Versions of an OCI chart. */
  ociChartVersions(repo: RepositoryRef): Promise<ChartVersion[]>;
  /** Cosign signature status of an image digest. Optional. */
  signatureStatus?(repo: RepositoryRef, digest: string): Promise<SignatureCheck>;
}

export interface DatasourceOptions extends HttpOptions {
  credentials?: CredentialLookup;
  maxTagPages?: number;
}

export interface RegistryDatasources extends UpdateDatasources {
  oci: OciClient;
  helm: HelmRepoClient;
  clearCache(): void;
}

export function createDatasources(options: DatasourceOptions = {}): RegistryDatasources {
  const oci = new OciClient(options);
  const helm = new HelmRepoClient(options, oci);
  return {
    oci,
    helm,
    clearCache: () => {
      oci.clearCache();
      helm.clearCache();
    },
    imageTags: (repo) => oci.listTags(repo),
    resolveDigest: (repo, tag, keep) => oci.resolveDigest(repo, tag, keep),
    published: (repo, digest) => oci.published(repo, digest),
    platformDigests: (repo, ref) => oci.platformDigests(repo, ref),
    imageConfig: (repo, ref) => oci.imageConfig(repo, ref),
    chartVersions: (url, chart) => helm.chartVersions(url, chart),
    ociChartVersions: (repo) => helm.ociChartVersions(repo),
    signatureStatus: (repo, digest) => oci.signatureStatus(repo, digest),
  };
}

/**
 * Credentials from the environment: BULWARK_REGISTRY_AUTH_<HOST>, then the docker config.json
 * named by BULWARK_DOCKER_CONFIG (a file) or DOCKER_CONFIG (a directory). ~/.docker is not read
 * unless DOCKER_CONFIG points there: CI runners should not lend their login silently.
 */
export function credentialsFromEnvironment(env: Readonly<Record<string, string | undefined>>, cwd = process.cwd()): CredentialLookup {
  const file = env["BULWARK_DOCKER_CONFIG"] ?? (env["DOCKER_CONFIG"] ? join(env["DOCKER_CONFIG"], "config.json") : undefined);
  let docker: CredentialLookup | undefined;
  if (file) {
    try {
      docker = credentialsFromDockerConfig(readFileSync(file.startsWith("/") ? file : join(cwd, file), "utf8"));
    } catch {
      docker = undefined;
    }
  }
  return combineCredentials(credentialsFromEnv(env), docker);
}
