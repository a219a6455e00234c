// Credential recognition for ENV/ARG (DOCKER-022): names that say "secret", and values whose
// shape gives them away. Values are only classified here; messages redact them.

const CREDENTIAL_PATTERNS: readonly [RegExp, string][] = [
  [/-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/, "a private key"],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key ID"],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/, "a GitHub token"],
  [/\bgithub_pat_[A-Za-z0-9_]{22,}\b/, "a GitHub token"],
  [/\bglpat-[A-Za-z0-9_-]{20,}\b/, "a GitLab token"],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}\b/, "a Slack token"],
  [/\bnpm_[A-Za-z0-9]{36}\b/, "an npm token"],
  [/\b(?:sk|rk)_live_[A-Za-z0-9]{20,}\b/, "a Stripe secret key"],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, "a Google API key"],
  [/\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, "a JSON Web Token"],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@$]+:[^/\s@$]+@/i, "a URL with an embedded password"],
];

/** What kind of credential a literal value looks like, if any. */
export function credentialKind(value: string): string | undefined {
  for (const [re, kind] of CREDENTIAL_PATTERNS) if (re.test(value)) return kind;
  return undefined;
}

const SENSITIVE = /(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|APIKEY|API_KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?|AUTH_KEY|(?:^|_)PASS$|(?:^|_)PWD$)/;

/** Parts that make a secret-sounding name describe something else (a path, a switch, an ID). */
const NOT_A_SECRET =
  /_(?:FILE|FILES|PATH|DIR|LOCATION|ENDPOINT|HOST|PORT|NAME|USER|USERNAME|TYPE|LENGTH|LEN|TTL|EXPIRY|EXPIRES|EXPIRATION|ENABLED|DISABLED|REQUIRED|HEADER|FIELD|METHOD|MODE|ID|URL|URI|ISSUER|AUDIENCE|SCOPES?|REGION|VERSION|PROVIDER|TIMEOUT|LIMIT|POLICY|COUNT|FORMAT|PREFIX|SUFFIX|KIND|ALGORITHM|LIFETIME|REFRESH_INTERVAL)$/;

export function isSensitiveName(name: string): boolean {
  const n = name.toUpperCase().replace(/-/g, "_");
  if (n === "PWD" || n === "OLDPWD") return false;
  return SENSITIVE.test(n) && !NOT_A_SECRET.test(n);
}
