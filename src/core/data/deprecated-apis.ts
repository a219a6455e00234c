// Deprecated and removed Kubernetes API versions (K8S-API-001). Data: rules/data/deprecated-apis.yaml,
// compiled into ./generated/deprecated-apis.ts by scripts/gen-data.mjs (an import, so the
// bundled action carries it and core does no I/O).
import { DEPRECATED_APIS_DATA } from "./generated/deprecated-apis.js";

export type ApiFixType = "rename" | "transform" | "manual";

export interface ApiTarget {
  apiVersion: string;
  /** First minor that serves it ("1.19"); absent when the sources do not say. */
  availableIn?: string;
}

export interface DeprecatedApiEntry {
  apiVersion: string;
  kinds: readonly string[];
  /** "1.NN"; absent where the sources give none. */
  deprecatedIn?: string;
  /** "1.NN": the first minor that no longer serves this apiVersion. */
  removedIn: string;
  /** null: nothing replaces it (PodSecurityPolicy). */
  replacement: string | null;
  replacementAvailableIn?: string;
  /** Other targets in order of preference, for clusters that do not serve `replacement` yet. */
  alternatives?: readonly ApiTarget[];
  fix: ApiFixType;
  /** When a "rename" is not behaviour-preserving and must become a suggestion. */
  manualIf?: string;
  notes?: string;
  /** false: the catalog marks the row ⚠︎ (Pluto data only). */
  verified?: boolean;
}

export interface DeprecatedApisData {
  snapshotDate: string;
  source: string;
  entries: readonly DeprecatedApiEntry[];
}

export const DEPRECATED_APIS: DeprecatedApisData = DEPRECATED_APIS_DATA;

const byKey = new WeakMap<DeprecatedApisData, Map<string, DeprecatedApiEntry>>();

function indexFor(data: DeprecatedApisData): Map<string, DeprecatedApiEntry> {
  let idx = byKey.get(data);
  if (!idx) {
    idx = new Map();
    for (const e of data.entries) for (const k of e.kinds) idx.set(`${e.apiVersion}\u0000${k}`, e);
    byKey.set(data, idx);
  }
  return idx;
}

/** The entry for apiVersion + kind (kinds are case-sensitive, as in the API; `RoleList` matches `Role`). */
export function lookupDeprecatedApi(
  apiVersion: string,
  kind: string,
  data: DeprecatedApisData = DEPRECATED_APIS,
): DeprecatedApiEntry | undefined {
  const idx = indexFor(data);
  const v = apiVersion.trim();
  return idx.get(`${v}\u0000${kind}`) ?? (kind.endsWith("List") ? idx.get(`${v}\u0000${kind.slice(0, -4)}`) : undefined);
}

export interface KubernetesVersion {
  major: number;
  minor: number;
}

/** "1.30", "v1.30", "1.30.2" → {1, 30}. Throws on anything else: a wrong target must not silently pass. */
export function parseKubernetesVersion(v: string): KubernetesVersion {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(v.trim());
  if (!m) throw new Error(`invalid Kubernetes version "${v}" (expected 1.NN)`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

function cmp(a: KubernetesVersion, b: KubernetesVersion): number {
  return a.major - b.major || a.minor - b.minor;
}

/**
 * removed: removedIn <= target (the manifest will not apply). removed-soon: removed within the
 * next two minors after the target. deprecated: otherwise, once deprecated (or when the sources
 * do not say since when). not-deprecated: the target predates deprecatedIn — nothing to report.
 */
export type DeprecationStatus = "removed" | "removed-soon" | "deprecated" | "not-deprecated";

export function classify(entry: DeprecatedApiEntry, targetKubernetesVersion: string): DeprecationStatus {
  const target = parseKubernetesVersion(targetKubernetesVersion);
  const removed = parseKubernetesVersion(entry.removedIn);
  if (cmp(removed, target) <= 0) return "removed";
  if (removed.major === target.major && removed.minor - target.minor <= 2) return "removed-soon";
  if (entry.deprecatedIn !== undefined && cmp(parseKubernetesVersion(entry.deprecatedIn), target) > 0) return "not-deprecated";
  return "deprecated";
}

const FIX_RANK: Readonly<Record<ApiFixType, number>> = { rename: 0, transform: 1, manual: 2 };

export interface ResolvedReplacement {
  apiVersion: string;
  /** The least automatic fix type along the chain (rename → transform → manual). */
  fix: ApiFixType;
  /** apiVersions passed through, starting with the entry's own (flowcontrol v1beta1 → v1beta2 → v1). */
  chain: string[];
}

/**
 * The apiVersion a manifest of `kind` should move to for a cluster at `target`: the first of
 * replacement/alternatives that the target serves and that is not itself removed there;
 * otherwise follows removed replacements through their own entries. Undefined when nothing
 * usable exists (PodSecurityPolicy) or the target is too old for every replacement.
 */
export function resolveReplacement(
  entry: DeprecatedApiEntry,
  kind: string,
  targetKubernetesVersion: string,
  data: DeprecatedApisData = DEPRECATED_APIS,
): ResolvedReplacement | undefined {
  const target = parseKubernetesVersion(targetKubernetesVersion);
  const seen = new Set<string>();
  const walk = (e: DeprecatedApiEntry, fix: ApiFixType, chain: string[]): ResolvedReplacement | undefined => {
    if (seen.has(e.apiVersion)) return undefined;
    seen.add(e.apiVersion);
    const worse = (f: ApiFixType): ApiFixType => (FIX_RANK[f] > FIX_RANK[fix] ? f : fix);
    const options: ApiTarget[] = [];
    if (e.replacement !== null) {
      options.push(e.replacementAvailableIn !== undefined ? { apiVersion: e.replacement, availableIn: e.replacementAvailableIn } : { apiVersion: e.replacement });
    }
    options.push(...(e.alternatives ?? []));
    const served = (t: ApiTarget) => t.availableIn === undefined || cmp(parseKubernetesVersion(t.availableIn), target) <= 0;
    for (const t of options) {
      if (!served(t)) continue;
      const next = lookupDeprecatedApi(t.apiVersion, kind, data);
      if (!next || classify(next, targetKubernetesVersion) !== "removed") {
        return { apiVersion: t.apiVersion, fix: worse(e.fix), chain: [...chain, t.apiVersion] };
      }
    }
    for (const t of options) {
      const next = lookupDeprecatedApi(t.apiVersion, kind, data);
      if (!next) continue;
      const r = walk(next, worse(e.fix), [...chain, t.apiVersion]);
      if (r) return r;
    }
    return undefined;
  };
  return walk(entry, entry.fix, [entry.apiVersion]);
}
