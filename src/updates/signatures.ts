// Cosign signature presence for extracted images (K8S-IMAGE-006). Needs the registry, so it
// lives here and not in the offline engine: callers with network access (the action, the app,
// `bulwark updates` in the future) run `checkSignatures` and turn the result into findings.
// "signed" means a signature artifact is attached (referrers API or `sha256-<hex>.sig` tag); it
// is NOT a verification against a key or identity — admission policies do that.
import { fingerprint } from "../core/engine/scan.js";
import type { Finding } from "../core/types.js";
import type { UpdateDatasources } from "./datasource/index.js";
import type { SignatureCheck } from "./datasource/oci.js";
import type { Dependency } from "./types.js";

export const SIGNATURE_RULE_ID = "K8S-IMAGE-006";

export interface SignatureResult {
  dependency: Dependency;
  /** The digest that was checked (the pinned one, or the tag's current digest). */
  digest?: string;
  check: SignatureCheck;
}

/** Looks up the signature status of every image dependency (never throws; failures are "unknown"). */
export async function checkSignatures(dependencies: readonly Dependency[], ds: UpdateDatasources): Promise<SignatureResult[]> {
  const out: SignatureResult[] = [];
  for (const dep of dependencies) {
    if (dep.kind !== "image" || !dep.image) continue;
    const repo = { registry: dep.image.registry, repository: dep.image.repository };
    if (!ds.signatureStatus) {
      out.push({ dependency: dep, check: { status: "unknown", detail: "the datasource cannot check signatures" } });
      continue;
    }
    try {
      const digest = dep.currentDigest ?? (await ds.resolveDigest(repo, dep.current)).digest;
      out.push({ dependency: dep, digest, check: await ds.signatureStatus(repo, digest) });
    } catch (err) {
      out.push({ dependency: dep, check: { status: "unknown", detail: err instanceof Error ? err.message : String(err) } });
    }
  }
  return out;
}

/** K8S-IMAGE-006 findings for images with no signature attached ("unknown" yields none). */
export function signatureFindings(results: readonly SignatureResult[]): Finding[] {
  return results
    .filter((r) => r.check.status === "unsigned")
    .map(({ dependency: dep, digest, check }) => ({
      ruleId: SIGNATURE_RULE_ID,
      severity: "medium" as const,
      title: "Image has no cosign signature",
      message: `${dep.image?.raw ?? dep.name}${digest ? ` (${digest.slice(0, 19)}…)` : ""} has no cosign signature attached (${check.detail}). Sign images in CI (cosign sign) and verify signatures at admission.`,
      path: dep.path,
      range: dep.range,
      ...(dep.resource ? { resource: dep.resource } : {}),
      fingerprint: fingerprint([SIGNATURE_RULE_ID, dep.path, dep.resource?.kind ?? "", dep.resource?.namespace ?? "", dep.resource?.name ?? "", dep.resource?.container ?? "", dep.packageName]),
    }));
}
