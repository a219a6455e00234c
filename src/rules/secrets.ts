// Secrets in manifests (catalog §3.7). Values are evidence, never output: every message
// names the resource, container and key, and shows a value only through redact().
import type { RuleCheck } from "../core/engine/check.js";
import type { K8sObject } from "../core/model/k8s.js";
import { asArray, asObj, isObj } from "../core/model/k8s.js";
import type { Severity } from "../core/types.js";
import { redact, where } from "./helpers.js";
import { CREDENTIAL_PATTERNS, NOT_AUTH, URL_WITH_PASSWORD } from "../core/secrets/credentials.js";

/** Catalog K8S-SECRET-001 name pattern. */
const SECRET_NAME = /passw(?:or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|bearer|auth/i;

/**
 * When the name's last word is one of these, the variable describes a credential (where it
 * is, how long it lives, what kind it is) rather than holding one: TOKEN_TTL, SECRET_NAME,
 * DB_PASSWORD_FILE, AUTH_ENABLED, OAUTH_CLIENT_ID.
 */
const DESCRIPTIVE_SUFFIXES = new Set([
  "enabled", "disabled", "enable", "disable", "file", "files", "path", "paths", "dir", "directory", "url", "uri", "urls",
  "endpoint", "endpoints", "host", "hosts", "port", "ttl", "timeout", "expiry", "expiration", "expires", "duration",
  "interval", "length", "size", "type", "mode", "method", "methods", "name", "names", "ref", "header", "issuer",
  "audience", "provider", "providers", "strategy", "algorithm", "alg", "scope", "scopes", "realm", "id", "user", "username",
  "role", "roles", "namespace", "version", "region", "count", "limit", "retries", "format", "location", "addr", "address",
  "server", "domain", "backend", "store", "mount", "field", "policy", "level", "source", "class", "kind",
]);

function nameWords(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w.toLowerCase());
}

export function isSecretName(name: string): boolean {
  if (!SECRET_NAME.test(name.replace(NOT_AUTH, ""))) return false;
  const words = nameWords(name);
  const last = words[words.length - 1];
  return last === undefined || !DESCRIPTIVE_SUFFIXES.has(last);
}

/** `$(VAR)` (Kubernetes), `${VAR}` (envsubst) and `{{ … }}` (templates) are filled in elsewhere. */
function isReference(value: string): boolean {
  return /\$\([A-Za-z_][A-Za-z0-9_.-]*\)|\$\{[^}]*\}|\{\{.*\}\}/s.test(value);
}

/** Values that cannot be a credential even under a credential-like name. */
function isObviouslyNotSecret(value: string): boolean {
  const v = value.trim();
  if (v === "") return true;
  if (/^(?:true|false|yes|no|on|off|enabled?|disabled?|none|null|nil|required|optional|\*)$/i.test(v)) return true;
  if (/^-?\d+(?:\.\d+)?(?:ms|s|m|h|d|w)?$/.test(v)) return true;
  if (/^(?:\/|~\/|\.\/)\S*$/.test(v)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\/[^\s@]*$/i.test(v)) return true;
  return false;
}

export type LiteralVerdict = { severity: Severity; reason: string } | undefined;

/** Is this literal a committed credential? Order matters: a known format beats any heuristic. */
export function judgeLiteral(name: string, value: string): LiteralVerdict {
  if (value.trim() === "" || isReference(value)) return undefined;
  const pattern = CREDENTIAL_PATTERNS.find((p) => p.re.test(value));
  if (pattern) return { severity: "critical", reason: `it looks like ${pattern.label}` };
  if (URL_WITH_PASSWORD.test(value)) return { severity: "high", reason: "it is a URL with an embedded password" };
  if (isSecretName(name) && !isObviouslyNotSecret(value)) return { severity: "high", reason: "its name says it is a credential" };
  return undefined;
}

const envLiteral: RuleCheck = {
  id: "K8S-SECRET-001",
  workload(w, ctx) {
    for (const c of w.containers) {
      asArray(c.value.env).forEach((e, i) => {
        if (!isObj(e) || typeof e.name !== "string" || e.valueFrom !== undefined) return;
        if (e.value === undefined || e.value === null || typeof e.value === "object") return;
        const value = String(e.value);
        const verdict = judgeLiteral(e.name, value);
        if (!verdict) return;
        ctx.report({
          object: w.obj,
          container: c,
          path: [...c.path, "env", i, "value"],
          severity: verdict.severity,
          message: `${where(w, c)}: env ${e.name} is a hard-coded value (${redact(value)}) and ${verdict.reason}. Anyone who can read the manifest or the pod spec has it: rotate it, store it in a Secret (or an ExternalSecret) and use valueFrom.secretKeyRef.`,
        });
      });
    }
  },
};

/** SOPS-encrypted documents carry a top-level `sops:` key; their values are ciphertext. */
function isSopsEncrypted(o: K8sObject): boolean {
  return o.value.sops !== undefined || (isObj(o.doc.value) && o.doc.value.sops !== undefined);
}

function entries(v: unknown): [string, string][] {
  return Object.entries(asObj(v)).flatMap(([k, val]) => {
    if (val === null || val === undefined || typeof val === "object") return [];
    const s = String(val);
    return s.trim() === "" || isReference(s) ? [] : [[k, s] as [string, string]];
  });
}

function decodeBase64(s: string): string | undefined {
  const compact = s.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, "base64").toString("utf8");
}

function keyList(keys: string[]): string {
  const shown = keys.slice(0, 5).join(", ");
  return keys.length > 5 ? `${shown} and ${keys.length - 5} more` : shown;
}

const inlineSecret: RuleCheck = {
  id: "K8S-SECRET-002",
  object(o, ctx) {
    if (o.kind !== "Secret" || o.apiVersion !== "v1" || isSopsEncrypted(o)) return;
    const type = typeof o.value.type === "string" ? o.value.type : "Opaque";
    const data = entries(o.value.data);
    const stringData = entries(o.value.stringData);
    if (data.length > 0) {
      const matched = data.filter(([, v]) => {
        const decoded = decodeBase64(v);
        return decoded !== undefined && CREDENTIAL_PATTERNS.some((p) => p.re.test(decoded));
      });
      const tokenNote = type === "kubernetes.io/service-account-token" ? " (a service-account token Secret is filled in by the cluster and should be committed empty)" : "";
      ctx.report({
        object: o,
        path: ["data"],
        severity: matched.length > 0 ? "critical" : undefined,
        message: `Secret "${o.name}" (type ${type}) commits values for ${keyList(data.map(([k]) => k))} in data${tokenNote}. Base64 is an encoding, not encryption${matched.length > 0 ? ` (${keyList(matched.map(([k]) => k))} decode${matched.length === 1 ? "s" : ""} to a known credential format)` : ""}: rotate these values and keep them out of git (SealedSecret, External Secrets or SOPS).`,
      });
    }
    if (stringData.length > 0) {
      ctx.report({
        object: o,
        path: ["stringData"],
        severity: "critical",
        message: `Secret "${o.name}" (type ${type}) commits plain-text values for ${keyList(stringData.map(([k]) => k))} in stringData. Rotate them and keep them out of git (SealedSecret, External Secrets or SOPS).`,
      });
    }
  },
};

/** `key: value`, `key = value` and `"key": "value"` lines inside a config-file value. */
const EMBEDDED_ASSIGNMENT = /^\s*["']?([A-Za-z_][\w.-]*)["']?\s*[:=]\s*["']?([^"'\s#,]+)["']?\s*,?\s*(?:#.*)?$/;

function judgeConfigValue(key: string, value: string): { severity: Severity; reason: string; inner?: string } | undefined {
  const direct = value.includes("\n") ? undefined : judgeLiteral(key, value);
  if (direct) return direct;
  const pattern = CREDENTIAL_PATTERNS.find((p) => p.re.test(value));
  if (pattern) return { severity: "critical", reason: `it contains ${pattern.label}` };
  if (!value.includes("\n")) return undefined;
  for (const line of value.split(/\r?\n/)) {
    const m = EMBEDDED_ASSIGNMENT.exec(line);
    if (!m) continue;
    const verdict = judgeLiteral(m[1], m[2]);
    if (verdict) return { severity: verdict.severity, reason: `sets ${m[1]} to a hard-coded value (${redact(m[2])}) and ${verdict.reason}`, inner: m[1] };
  }
  return undefined;
}

const configMapSecret: RuleCheck = {
  id: "K8S-SECRET-003",
  object(o, ctx) {
    if (o.kind !== "ConfigMap" || o.apiVersion !== "v1") return;
    for (const [key, value] of entries(o.value.data)) {
      const verdict = judgeConfigValue(key, value);
      if (!verdict) continue;
      const shown = verdict.inner ? verdict.reason : `is a hard-coded value (${redact(value)}) and ${verdict.reason}`;
      ctx.report({
        object: o,
        path: ["data", key],
        severity: verdict.severity,
        message: `ConfigMap "${o.name}": data key ${key} ${shown}. ConfigMaps are readable by anyone with read access to the namespace and are not encrypted at rest: move it to a Secret and rotate it.`,
      });
    }
  },
};

const secretEnv: RuleCheck = {
  id: "K8S-SECRET-004",
  workload(w, ctx) {
    for (const c of w.containers) {
      asArray(c.value.env).forEach((e, i) => {
        const ref = asObj(asObj(asObj(e).valueFrom).secretKeyRef);
        if (Object.keys(ref).length === 0) return;
        ctx.report({
          object: w.obj,
          container: c,
          path: [...c.path, "env", i, "valueFrom", "secretKeyRef"],
          message: `${where(w, c)}: env ${String(asObj(e).name)} comes from Secret "${String(ref.name)}" key ${String(ref.key)}. Environment variables leak into crash dumps, child processes and "env" output; mount the Secret as a file if the application can read one.`,
        });
      });
      asArray(c.value.envFrom).forEach((e, j) => {
        const ref = asObj(asObj(e).secretRef);
        if (Object.keys(ref).length === 0) return;
        ctx.report({
          object: w.obj,
          container: c,
          path: [...c.path, "envFrom", j, "secretRef"],
          message: `${where(w, c)}: envFrom loads every key of Secret "${String(ref.name)}" into the environment, where it leaks into crash dumps, child processes and "env" output. Mount the Secret as files if the application can read them.`,
        });
      });
    }
  },
};

export const SECRETS_CHECKS: RuleCheck[] = [envLiteral, inlineSecret, configMapSecret, secretEnv];
