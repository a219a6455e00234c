// Registry credentials and WWW-Authenticate challenges.
//
// Credentials come from (first match wins):
//   BULWARK_REGISTRY_AUTH_<HOST>  "user:password" (Basic at the token service or the registry),
//                                 or a bare token sent as `Authorization: Bearer` as it is.
//                                 <HOST> is the host[:port] upper-cased with every other
//                                 character turned into "_": ghcr.io → GHCR_IO,
//                                 127.0.0.1:5000 → 127_0_0_1_5000, docker.io → DOCKER_IO.
//   a docker config.json          `auths.<host>.auth` (base64 user:password), username/password,
//                                 or identitytoken; read only when BULWARK_DOCKER_CONFIG (a file)
//                                 or DOCKER_CONFIG (a directory) is set. Credential helpers
//                                 (credsStore/credHelpers) are not run.
// Credentials are never logged; the HTTP client redacts them from every error message.

export type RegistryCredential = { username: string; password: string } | { bearer: string };

export type CredentialLookup = (host: string) => RegistryCredential | undefined;

const DOCKER_HUB_KEYS = ["docker.io", "index.docker.io", "registry-1.docker.io", "https://index.docker.io/v1/", "https://index.docker.io/v1", "registry.hub.docker.com"];

/** Host spellings that name the same registry (Docker Hub has several). */
export function hostAliases(host: string): string[] {
  const h = host.toLowerCase();
  return DOCKER_HUB_KEYS.includes(h) ? DOCKER_HUB_KEYS : [h];
}

export function envKeyForHost(host: string): string {
  return `BULWARK_REGISTRY_AUTH_${host.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

export function parseCredential(value: string): RegistryCredential | undefined {
  const v = value.trim();
  if (v === "") return undefined;
  const colon = v.indexOf(":");
  if (colon > 0) return { username: v.slice(0, colon), password: v.slice(colon + 1) };
  return { bearer: v };
}

export function credentialsFromEnv(env: Readonly<Record<string, string | undefined>>): CredentialLookup {
  return (host) => {
    for (const alias of hostAliases(host)) {
      const v = env[envKeyForHost(alias.replace(/^https?:\/\//, "").replace(/\/.*$/, ""))];
      if (v !== undefined) return parseCredential(v);
    }
    return undefined;
  };
}

interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** Credentials from the text of a docker `config.json`; malformed input yields none. */
export function credentialsFromDockerConfig(text: string): CredentialLookup {
  let auths: Record<string, DockerAuthEntry> = {};
  try {
    const parsed = JSON.parse(text) as { auths?: Record<string, DockerAuthEntry> };
    if (parsed && typeof parsed.auths === "object" && parsed.auths !== null) auths = parsed.auths;
  } catch {
    auths = {};
  }
  const byHost = new Map<string, DockerAuthEntry>();
  for (const [key, entry] of Object.entries(auths)) {
    const host = key.toLowerCase().replace(/^https?:\/\//, "").replace(/\/.*$/, "");
    byHost.set(host, entry);
  }
  return (host) => {
    for (const alias of hostAliases(host)) {
      const entry = byHost.get(alias.replace(/^https?:\/\//, "").replace(/\/.*$/, ""));
      if (!entry) continue;
      if (entry.registrytoken) return { bearer: entry.registrytoken };
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        if (colon > 0) {
          const username = decoded.slice(0, colon);
          const password = decoded.slice(colon + 1);
          // An identity token is sent as the password of the user "<token>" to the token service.
          return entry.identitytoken ? { username: "<token>", password: entry.identitytoken } : { username, password };
        }
      }
      if (entry.identitytoken) return { username: "<token>", password: entry.identitytoken };
      if (entry.username && entry.password) return { username: entry.username, password: entry.password };
    }
    return undefined;
  };
}

export function combineCredentials(...lookups: (CredentialLookup | undefined)[]): CredentialLookup {
  return (host) => {
    for (const l of lookups) {
      const c = l?.(host);
      if (c) return c;
    }
    return undefined;
  };
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `WWW-Authenticate` (RFC 7235), which may hold several challenges. */
export function parseWwwAuthenticate(header: string | null): Challenge[] {
  if (!header) return [];
  const out: Challenge[] = [];
  let current: Challenge | undefined;
  let i = 0;
  const n = header.length;
  const skip = (chars: string) => {
    while (i < n && chars.includes(header[i]!)) i++;
  };
  while (i < n) {
    skip(" \t,");
    const start = i;
    while (i < n && !" \t,=".includes(header[i]!)) i++;
    const token = header.slice(start, i);
    if (token === "") break;
    skip(" \t");
    if (header[i] === "=" && current) {
      i++;
      skip(" \t");
      let value = "";
      if (header[i] === '"') {
        i++;
        while (i < n && header[i] !== '"') {
          if (header[i] === "\\" && i + 1 < n) i++;
          value += header[i];
          i++;
        }
        i++;
      } else {
        const vs = i;
        while (i < n && header[i] !== ",") i++;
        value = header.slice(vs, i).trim();
      }
      current.params[token.toLowerCase()] = value;
    } else {
      current = { scheme: token.toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}

export function basicHeader(c: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
}
