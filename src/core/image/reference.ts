// Container image references, parsed the way the container runtime will resolve them
// (distribution/reference grammar + Docker's normalisation), so that rules agree with what
// the kubelet actually pulls: `nginx` is docker.io/library/nginx:latest, `localhost:5000/app`
// has a registry and no tag, `repo:tag@sha256:…` is pinned by the digest (the tag is ignored
// by the runtime but kept for readers).
//
// Grammar (distribution/reference, reference.go):
//   reference  := name [ ":" tag ] [ "@" digest ]
//   name       := [domain '/'] path-component ['/' path-component]*
//   domain     := host [':' port]        host := domain-name | IPv4 | '[' IPv6 ']'
//   path-component := [a-z0-9]+ (separator [a-z0-9]+)*    separator := [_.] | __ | -+
//   tag        := [\w][\w.-]{0,127}
//   digest     := algorithm ':' hex      (sha256: 64, sha384: 96, sha512: 128 lowercase hex)

export const DOCKER_HUB = "docker.io";

/** Host names that all mean Docker Hub; allow-lists and rules must treat them as one host. */
export const DOCKER_HUB_ALIASES: readonly string[] = ["docker.io", "index.docker.io", "registry-1.docker.io"];

export interface ParsedImageRef {
  /** The reference exactly as written. */
  raw: string;
  /** Registry host[:port], lower-cased; Docker Hub and its aliases become "docker.io". */
  registry: string;
  /** Repository path on that registry; official Docker Hub images get "library/" (nginx → library/nginx). */
  repository: string;
  /** Repository path as written, without the registry (nginx, bitnami/redis, team/app). */
  path: string;
  /** Everything before the tag/digest as written (registry as written + path): what a fix keeps. */
  name: string;
  tag?: string;
  /** "<algorithm>:<hex>", e.g. "sha256:…". */
  digest?: string;
  /** True when the reference names its registry (docker.io/nginx, ghcr.io/o/r, localhost:5000/app). */
  hasExplicitRegistry: boolean;
}

export type ImageRefResult =
  | { ok: true; ref: ParsedImageRef }
  /** A template or variable the scanner cannot resolve (`${VAR}`, `$VAR`, `{{ .Values.x }}`, `$(VAR)`). */
  | { ok: false; reason: "unresolved"; raw: string; variables: string[]; message: string }
  | { ok: false; reason: "invalid"; raw: string; message: string };

const NAME_TOTAL_LENGTH_MAX = 255;

const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = "\\[[a-fA-F0-9:]+\\]";
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?$`);
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const PATH_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const PATH_ANY_CASE_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`, "i");
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
/** go-digest registers only these; any other algorithm is rejected by the runtime. */
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
const IMAGE_ID_RE = /^[a-f0-9]{64}$/;

// `$VAR`/`${VAR}` (Dockerfile ARG, envsubst), `$(VAR)` (Kubernetes dependent env), `{{ … }}`
// (Helm, Go templates). A literal `$` is never valid in a reference, so any of these means
// "not known until render time" rather than "invalid".
const TEMPLATE_RES: readonly RegExp[] = [
  /\$\{([^}]*)\}?/g,
  /\$\(([^)]*)\)?/g,
  /\{\{-?\s*([^}]*?)\s*-?\}\}/g,
  /\$([A-Za-z_][A-Za-z0-9_]*)/g,
];

function templateVariables(s: string): string[] {
  const vars: string[] = [];
  let stripped = s;
  for (const re of TEMPLATE_RES) {
    stripped = stripped.replace(re, (_m, inner: string) => {
      // ${VAR:-default} / ${VAR-default}: the variable is the part before the operator.
      const name = inner.replace(/^([A-Za-z_][A-Za-z0-9_]*)[:?+-].*$/s, "$1").trim();
      if (name && !vars.includes(name)) vars.push(name);
      return "";
    });
  }
  return vars;
}

function isTemplated(s: string): boolean {
  return /\$[{(A-Za-z_]/.test(s) || s.includes("{{");
}

function normaliseRegistry(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.includes(lower) ? DOCKER_HUB : lower;
}

/** Parse an image reference. Never throws; invalid and templated input come back as results. */
export function parseImageRef(input: string): ImageRefResult {
  const raw = input;
  const invalid = (message: string): ImageRefResult => ({ ok: false, reason: "invalid", raw, message });
  if (input.length === 0) return invalid("empty image reference");
  if (isTemplated(input)) {
    const variables = templateVariables(input);
    return {
      ok: false,
      reason: "unresolved",
      raw,
      variables,
      message: `image reference contains unresolved template or variable(s): ${variables.join(", ") || input}`,
    };
  }
  if (/\s/.test(input)) return invalid("image reference contains whitespace");

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) return invalid(`invalid digest "${digest}" (expected <algorithm>:<hex>, e.g. sha256:<64 hex>)`);
    const [algorithm, hex] = digest.split(":") as [string, string];
    const want = DIGEST_HEX_LENGTH[algorithm];
    if (want === undefined) return invalid(`unsupported digest algorithm "${algorithm}"`);
    if (hex.length !== want || !/^[a-f0-9]+$/.test(hex)) {
      return invalid(`invalid ${algorithm} digest: expected ${want} lowercase hex characters`);
    }
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  // A colon before the last slash is a registry port (localhost:5000/app), not a tag.
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) return invalid(`invalid tag "${tag}"`);
  }

  const name = rest;
  if (name.length === 0) return invalid("missing repository name");
  if (name.length > NAME_TOTAL_LENGTH_MAX) return invalid(`repository name longer than ${NAME_TOTAL_LENGTH_MAX} characters`);
  if (IMAGE_ID_RE.test(name) && tag === undefined && digest === undefined) {
    return invalid("a 64-character hex string is an image ID, not a reference");
  }

  // Docker's rule (normalize.go splitDockerDomain): the first component is a registry only
  // if it looks like a host — contains "." or ":", is "localhost", or has upper case (paths cannot).
  let host: string | undefined;
  let path = name;
  const slash = name.indexOf("/");
  if (slash !== -1) {
    const first = name.slice(0, slash);
    if (/[.:]/.test(first) || first === "localhost" || first !== first.toLowerCase()) {
      host = first;
      path = name.slice(slash + 1);
    }
  }
  if (host !== undefined && !DOMAIN_RE.test(host)) return invalid(`invalid registry host "${host}"`);
  if (!PATH_RE.test(path)) {
    if (PATH_ANY_CASE_RE.test(path)) return invalid(`repository name "${path}" must be lowercase`);
    return invalid(`invalid repository name "${path}"`);
  }

  const registry = host === undefined ? DOCKER_HUB : normaliseRegistry(host);
  const repository = registry === DOCKER_HUB && !path.includes("/") ? `library/${path}` : path;
  const ref: ParsedImageRef = { raw, registry, repository, path, name, hasExplicitRegistry: host !== undefined };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return { ok: true, ref };
}

/** Convenience for callers that only care about valid references. */
export function tryParseImageRef(input: string): ParsedImageRef | undefined {
  const r = parseImageRef(input);
  return r.ok ? r.ref : undefined;
}

export interface FormatOptions {
  /** Replace the tag; `null` removes it. */
  tag?: string | null;
  /** Replace the digest; `null` removes it (required whenever the tag changes, or the pin lies). */
  digest?: string | null;
  /** Replace the repository path (normalised form, e.g. "ubi9/ubi"); the registry is kept as written. */
  repository?: string;
  /**
   * as-written (default): keep the user's spelling so an edit touches only what changed.
   * canonical: registry/repository (docker.io/library/nginx). familiar: Docker's short form (nginx).
   */
  style?: "as-written" | "canonical" | "familiar";
}

function familiarName(registry: string, repository: string): string {
  if (registry !== DOCKER_HUB) return `${registry}/${repository}`;
  return repository.startsWith("library/") ? repository.slice("library/".length) : repository;
}

export function formatImageRef(ref: ParsedImageRef, options: FormatOptions = {}): string {
  const style = options.style ?? "as-written";
  const repository = options.repository ?? ref.repository;
  let name: string;
  if (style === "canonical") name = `${ref.registry}/${repository}`;
  else if (style === "familiar") name = familiarName(ref.registry, repository);
  else if (options.repository === undefined) name = ref.name;
  else {
    const writtenHost = ref.hasExplicitRegistry ? ref.name.slice(0, ref.name.length - ref.path.length - 1) : undefined;
    // Keep "nginx" short when the user wrote it short; only Docker Hub has the implicit library/.
    const path = ref.registry === DOCKER_HUB && !ref.path.includes("/") && repository.startsWith("library/")
      ? repository.slice("library/".length)
      : repository;
    name = writtenHost === undefined ? path : `${writtenHost}/${path}`;
  }
  const tag = options.tag === undefined ? ref.tag : options.tag ?? undefined;
  const digest = options.digest === undefined ? ref.digest : options.digest ?? undefined;
  return `${name}${tag !== undefined ? `:${tag}` : ""}${digest !== undefined ? `@${digest}` : ""}`;
}

/** Registry host[:port] + "/" + repository, with Docker Hub normalised: the key allow-lists match. */
export function canonicalName(ref: ParsedImageRef): string {
  return `${ref.registry}/${ref.repository}`;
}

/**
 * Does an allow-list entry cover this image?
 *
 * - `host` or `host:port` (no slash): exactly that registry. `myregistry.io` does NOT match
 *   `myregistry.io.evil.com` or `myregistry.io:5000` — an open-ended string prefix would
 *   (cf. Trivy KSV-0124 on the same mistake in Gatekeeper constraints).
 * - an entry ending in `/` (`ghcr.io/myorg/`, `docker.io/library/`): a path prefix, matched on
 *   whole path components only.
 * - `host/path` without a trailing `/`: exactly that repository (any tag).
 * - `*.example.com`: any subdomain of example.com (not example.com itself), e.g. for ECR hosts.
 *
 * Docker Hub's three host names are one host on both sides; a scheme (`https://`) is ignored.
 */
export function registryMatches(ref: ParsedImageRef, allowEntry: string): boolean {
  let entry = allowEntry.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  if (entry.length === 0) return false;
  const prefix = entry.endsWith("/");
  if (prefix) entry = entry.replace(/\/+$/, "");
  const slash = entry.indexOf("/");
  const entryHost = normaliseRegistry(slash === -1 ? entry : entry.slice(0, slash));
  let entryPath = slash === -1 ? "" : entry.slice(slash + 1);

  if (entryHost.startsWith("*.")) {
    const suffix = entryHost.slice(1); // ".example.com"
    const host = ref.registry.replace(/:\d+$/, "");
    if (!(host.endsWith(suffix) && host.length > suffix.length)) return false;
    if (entryPath === "") return true;
  } else if (entryHost !== ref.registry) {
    return false;
  }
  if (entryPath === "") return true;

  if (entryHost === DOCKER_HUB && !prefix && !entryPath.includes("/")) entryPath = `library/${entryPath}`;
  if (prefix) return ref.repository.startsWith(`${entryPath}/`);
  return ref.repository === entryPath;
}
