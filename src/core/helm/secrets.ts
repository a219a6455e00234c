// Credentials committed in Helm values (K8S-SECRET-005). Values files have their own idioms:
// `existingSecret`, `passwordKey: password`, `secretName: db-creds` NAME a Secret or a key in
// it, while `password`, `apiKey`, `secretKey` HOLD one. The value itself never leaves this
// module: callers get its length, never its characters.
import type { Path } from "../fix/ops.js";
import { isObj } from "../model/k8s.js";
import { walkValues } from "./values.js";
import { CREDENTIAL_PATTERNS, NOT_AUTH, URL_WITH_PASSWORD } from "../secrets/credentials.js";

export interface ValuesSecret {
  path: Path;
  /** critical: a known credential format; medium: a literal under a credential-like key; info: a placeholder. */
  severity: "critical" | "high" | "medium" | "info";
  reason: string;
  placeholder: boolean;
  /** Length of the value, the only thing a message may say about it. */
  length: number;
}

const SECRET_WORD = /passw(?:or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|bearer|auth|passphrase|htpasswd|connection[_-]?string/i;


/** Last words that make a key describe a credential rather than hold it. */
const DESCRIPTIVE = new Set([
  "enabled", "disabled", "enable", "create", "file", "files", "path", "paths", "dir", "url", "uri", "endpoint", "host", "port",
  "ttl", "timeout", "expiry", "expiration", "duration", "interval", "length", "size", "type", "mode", "method", "name", "names",
  "ref", "refs", "header", "issuer", "audience", "provider", "strategy", "algorithm", "scope", "scopes", "realm", "id", "user",
  "username", "role", "namespace", "version", "region", "format", "location", "address", "server", "domain", "backend",
  "store", "mount", "field", "policy", "level", "source", "class", "kind", "annotations", "labels", "selector", "template",
]);
/** `<word>Key` names a key inside a Secret (`passwordKey: password`), except for the key kinds that are secrets themselves. */
const SECRET_KEY_KINDS = new Set(["api", "access", "secret", "private", "encryption", "signing", "master", "license", "client", "shared", "session", "auth", "cookie"]);
/** Subtrees that name secrets or carry metadata, not credentials. */
const SKIP_SUBTREES = new Set(["annotations", "labels", "podAnnotations", "podLabels", "commonLabels", "commonAnnotations", "secretKeyRef", "valueFrom", "existingSecret", "selector", "matchLabels", "nodeSelector"]);

const PLACEHOLDER = /^(?:change[-_ ]?me!?|change[-_ ]?it|replace[-_ ]?me|<[^>]*>|x{3,}|\*{3,}|your[-_ ].*|todo|tbd|dummy|example|placeholder|none|null|nil|secret|password|passw0rd|redacted|set[-_ ]?me|fill[-_ ]?me[-_ ]?in)$/i;

function words(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w.toLowerCase());
}

/** Does this key hold a credential (as opposed to naming or describing one)? */
export function isValuesSecretKey(key: string): boolean {
  if (!SECRET_WORD.test(key.replace(NOT_AUTH, ""))) return false;
  const w = words(key);
  if (w.includes("existing")) return false;
  const last = w[w.length - 1];
  if (last === undefined) return false;
  if (DESCRIPTIVE.has(last)) return false;
  if (last === "key" && w.length > 1 && !SECRET_KEY_KINDS.has(w[w.length - 2])) return false;
  // `webhookSecretKey`, `tlsSecretKey`: the key inside a Secret; `secretKey`, `minioSecretKey`: the credential.
  if (last === "key" && w.length > 2 && w[w.length - 2] === "secret" && !CLOUD_QUALIFIERS.has(w[w.length - 3])) return false;
  return true;
}

/** Qualifiers of `<x>SecretKey` that make it an object-store / cloud secret key (a credential). */
const CLOUD_QUALIFIERS = new Set(["aws", "s3", "minio", "gcs", "storage", "object", "bucket", "azure", "spaces", "r2", "b2", "wasabi", "access"]);

function isReference(v: string): boolean {
  return /\$\([A-Za-z_][A-Za-z0-9_.-]*\)|\$\{[^}]*\}|\{\{.*\}\}/s.test(v);
}

function cannotBeSecret(v: string): boolean {
  const s = v.trim();
  if (s === "") return true;
  if (/^(?:true|false|yes|no|on|off|enabled?|disabled?|required|optional|auto|\*)$/i.test(s)) return true;
  if (/^-?\d+(?:\.\d+)?(?:ms|s|m|h|d|w)?$/.test(s)) return true;
  if (/^(?:\/|~\/|\.\/)\S*$/.test(s)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\/[^\s@]*$/i.test(s)) return true;
  return false;
}

/** Judges one literal. `name` is the key (or the `name` of an env-style `{name, value}` item). */
export function judgeValuesLiteral(name: string, value: string): Omit<ValuesSecret, "path"> | undefined {
  if (value.trim() === "" || isReference(value)) return undefined;
  const length = value.length;
  const pattern = CREDENTIAL_PATTERNS.find((p) => p.re.test(value));
  if (pattern) return { severity: "critical", reason: `it looks like ${pattern.label}`, placeholder: false, length };
  if (URL_WITH_PASSWORD.test(value)) return { severity: "high", reason: "it is a URL with an embedded password", placeholder: false, length };
  if (!isValuesSecretKey(name) || cannotBeSecret(value)) return undefined;
  // `…Key: WEBHOOK_SECRET` / `…Key: tls.key`: the name of a Secret key or file, not its content.
  if (/key$/i.test(name) && (/^[A-Z][A-Z0-9_]{2,}$/.test(value) || /^[\w-]+\.(?:pem|key|crt|cert|json|p12|jks)$/i.test(value))) return undefined;
  if (PLACEHOLDER.test(value.trim())) return { severity: "info", reason: "it is a placeholder that may end up deployed as the real credential", placeholder: true, length };
  return { severity: "medium", reason: "its key says it is a credential", placeholder: false, length };
}

/** Every committed credential in one values document. */
export function findValuesSecrets(data: unknown): ValuesSecret[] {
  const out: ValuesSecret[] = [];
  walkValues(data, (path, value, parent) => {
    const key = path[path.length - 1];
    if (typeof key === "string" && SKIP_SUBTREES.has(key)) return "skip";
    if (typeof value !== "string") return;
    let name = typeof key === "string" ? key : "";
    // env-style lists: `- name: DB_PASSWORD` / `value: …` — the name is the entry's.
    if (key === "value" && isObj(parent) && typeof parent.name === "string") name = parent.name;
    const verdict = judgeValuesLiteral(name, value);
    if (verdict) out.push({ path, ...verdict });
  });
  return out;
}
