// Secrets rules: the name/value heuristics, and the promise that no message ever carries
// a value (raw, base64 or decoded) beyond redact()'s two-character hint.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { scan } from "../../src/core/engine/scan.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import type { RuleMeta } from "../../src/core/engine/rule.js";
import { isSecretName, judgeLiteral } from "../../src/rules/secrets.js";

const NOW = new Date("2026-11-25T00:00:00Z");
const IDS = ["K8S-SECRET-001", "K8S-SECRET-002", "K8S-SECRET-003", "K8S-SECRET-004"];

function run(ids: string[], text: string) {
  const config = { ...DEFAULT_CONFIG, rules: Object.fromEntries(ids.map((id) => [id, { enabled: true }])) };
  return scan([{ path: "manifest.yaml", text }], { config, onlyRules: ids, now: NOW }).findings.filter((f) => ids.includes(f.ruleId));
}

describe("credential heuristics", () => {
  it("names", () => {
    for (const n of ["DB_PASSWORD", "db_passwd", "PGPASSWORD", "apiKey", "API-KEY", "GITHUB_TOKEN", "CLIENT_SECRET", "AWS_SECRET_ACCESS_KEY", "AUTHORIZATION", "BASIC_AUTH", "credentials"]) {
      expect(isSecretName(n), n).toBe(true);
    }
    for (const n of ["PASSWORD_FILE", "TOKEN_TTL", "SECRET_NAME", "AUTH_ENABLED", "OAUTH_CLIENT_ID", "AUTHOR", "OIDC_AUTHORITY", "LOG_LEVEL", "tokenUrl", "AUTH_TYPE"]) {
      expect(isSecretName(n), n).toBe(false);
    }
  });

  it("values", () => {
    expect(judgeLiteral("X", "AKIAIOSFODNN7EXAMPLE")?.severity).toBe("critical");
    expect(judgeLiteral("X", "xoxb-1234567890-abcdefghij")?.severity).toBe("critical");
    expect(judgeLiteral("X", "AIzaSyA1234567890abcdefghijklmnopqrstuv")?.severity).toBe("critical");
    expect(judgeLiteral("X", "eyJhbGciOiJIUzI1NiJ9.e30.x")?.severity).toBe("critical");
    expect(judgeLiteral("DSN", "mysql://root:toor@db/app")?.severity).toBe("high");
    expect(judgeLiteral("PASSWORD", "changeme")?.severity).toBe("high");
    for (const v of ["", "  ", "true", "Disabled", "3600", "30s", "/etc/secret", "https://vault:8200/v1", "$(DB_PASSWORD)", "${TOKEN}", "{{ .Values.token }}"]) {
      expect(judgeLiteral("PASSWORD", v), v).toBeUndefined();
    }
    // A credential-format value is caught whatever its name, a reference is not.
    expect(judgeLiteral("HELPER", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789")?.severity).toBe("critical");
    expect(judgeLiteral("DSN", "postgres://app:$(DB_PASSWORD)@db/app")).toBeUndefined();
  });
});

describe("K8S-SECRET-001 value types", () => {
  it("judges YAML numbers as their text but skips structured values", () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: x:1\n      env:\n        - {name: API_TOKEN, value: s3cr3t-t0k3n}\n        - {name: PASSWORD, value: 123456}\n        - {name: SECRET, value: {a: b}}\n";
    expect(run(["K8S-SECRET-001"], text).map((f) => f.range.startLine)).toEqual([9]);
  });
});

describe("K8S-SECRET-002 SOPS", () => {
  it("excludes a SOPS-encrypted List by its document-level sops key", () => {
    const text = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata: {name: s}\n    data: {a: ENC[AES256_GCM,data:x=]}\nsops:\n  version: 3.9.0\n";
    expect(run(["K8S-SECRET-002"], text)).toEqual([]);
  });
});

describe("no value ever appears in a message", () => {
  const values: string[] = [];
  const texts: string[] = [];
  for (const id of IDS) {
    const meta = parse(readFileSync(new URL(`../../rules/${id}.yaml`, import.meta.url), "utf8")) as RuleMeta;
    for (const ex of meta.examples.failing) texts.push(ex.content);
  }
  for (const text of texts) {
    for (const doc of text.split(/^---$/m)) {
      // every scalar after "value:", every data/stringData entry, and what base64 hides
      for (const m of doc.matchAll(/^\s*(?:-\s*)?value:\s*"?([^"\n{}[\]]{6,})"?\s*$/gm)) values.push(m[1].trim());
      for (const m of doc.matchAll(/^\s+[\w.]+: ([A-Za-z0-9+/]{8,}={0,2})$/gm)) values.push(Buffer.from(m[1], "base64").toString("utf8").replace(/[^\x20-\x7e]/g, ""));
    }
  }
  const secrets = [...new Set(values.filter((v) => v.length >= 6))].filter((v) => !/^(?:apps\/v1|batch\/v1|Deployment|ConfigMap|rbac\.|networking|v1$)/.test(v));

  it("collected the example values", () => {
    for (const v of ["s3cr3t-Passw0rd", "hunter2", "k3y-0f-th3-d4y"]) {
      expect(secrets.some((s) => s.includes(v)), v).toBe(true);
    }
  });

  it("redacts them in every finding of every secrets rule", () => {
    for (const text of texts) {
      for (const f of run(IDS, text)) {
        for (const v of ["s3cr3t-Passw0rd", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "hunter2", "correct-horse-battery-staple", "Sup3rS3cret", "k3y-0f-th3-d4y", "9f86d081884c7d659a2feaa0c55ad015", "aHVudGVyMg==", "YXBp", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"]) {
          expect(f.message, f.ruleId).not.toContain(v);
        }
        for (const v of secrets) {
          if (v.length >= 8 && !/\s/.test(v) && !/^[a-z.]+$/i.test(v)) expect(f.message, `${f.ruleId}: ${v}`).not.toContain(v);
        }
      }
    }
  });
});
