// Credential recognition shared by every rule that looks at literal values (env literals,
// ConfigMaps, Secrets, Helm values, Dockerfile ENV/ARG). Values are only classified here;
// messages never show them (see redact()).

/** Known credential formats (Kubescape sensitiveValues, Polaris, vendors' token prefixes). */
export const CREDENTIAL_PATTERNS: readonly { label: string; re: RegExp }[] = [
  { label: "a private key", re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  { label: "an AWS access key ID", re: /(?:AKIA|ASIA)[0-9A-Z]{16}/ },
  { label: "a GitHub token", re: /gh[pousr]_[0-9A-Za-z]{36}/ },
  { label: "a GitHub token", re: /\bgithub_pat_[A-Za-z0-9_]{22,}\b/ },
  { label: "a GitLab token", re: /\bglpat-[A-Za-z0-9_-]{20,}\b/ },
  { label: "a Slack token", re: /xox[baprs]-[0-9A-Za-z-]{10,48}/ },
  { label: "an npm token", re: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { label: "a Stripe secret key", re: /\b(?:sk|rk)_live_[A-Za-z0-9]{20,}\b/ },
  { label: "a Google API key", re: /AIza[0-9A-Za-z\-_]{35}/ },
  { label: "a JSON Web Token", re: /eyJhbGciO|\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/ },
];

/** scheme://user:password@host — a connection string carrying its password. */
export const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@$]+:[^/\s@$]+@/i;

/** "auth" inside AUTHOR / AUTHORITY is not about credentials; AUTHORIZATION / AUTHORISE is. */
export const NOT_AUTH = /author(?!i[sz])/gi;

/** The credential format a literal value has, if it has one. */
export function knownCredential(value: string): string | undefined {
  return CREDENTIAL_PATTERNS.find((p) => p.re.test(value))?.label;
}

/** Every credential format a text holds (vendor tokens, private keys, a URL with its password), once each. */
export function credentialFormatsIn(text: string): string[] {
  const found = new Set(CREDENTIAL_PATTERNS.filter((p) => p.re.test(text)).map((p) => p.label));
  if (URL_WITH_PASSWORD.test(text)) found.add("a URL with its password");
  return [...found];
}

/** True when a text holds a known credential format (what output that quotes file content must not show). */
export function hasCredentialFormat(text: string): boolean {
  return CREDENTIAL_PATTERNS.some((p) => p.re.test(text)) || URL_WITH_PASSWORD.test(text);
}
