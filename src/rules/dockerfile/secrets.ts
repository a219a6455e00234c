// Credential recognition for ENV/ARG (DOCKER-022): names that say "secret", and values whose
// shape gives them away. Values are only classified here; messages redact them.

import { knownCredential, URL_WITH_PASSWORD } from "../../core/secrets/credentials.js";

/** What kind of credential a literal value looks like, if any. */
export function credentialKind(value: string): string | undefined {
  return knownCredential(value) ?? (URL_WITH_PASSWORD.test(value) ? "a URL with an embedded password" : undefined);
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
