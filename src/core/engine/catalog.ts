// The catalog: rule metadata (rules/*.yaml, compiled into a generated module) joined
// with the checks in src/rules/. Profiles decide which rules run by default.
import { RULES } from "../data/generated/rules.js";
import { CHECKS } from "../../rules/index.js";
import type { RuleCheck } from "./check.js";
import type { Profile, RuleMeta } from "./rule.js";

/** Rules the engine itself reports (parse errors, limits, suppressions); they have no check. */
export const ENGINE_RULE_IDS = ["BULWARK-PARSE", "BULWARK-LIMIT", "BULWARK-SUPPRESS", "BULWARK-SKIPPED"] as const;

export interface CatalogEntry {
  meta: RuleMeta;
  check?: RuleCheck;
}

export class Catalog {
  readonly entries: ReadonlyMap<string, CatalogEntry>;

  constructor(metas: readonly RuleMeta[], checks: readonly RuleCheck[]) {
    const byId = new Map<string, CatalogEntry>();
    for (const meta of metas) byId.set(meta.id, { meta });
    for (const check of checks) {
      const e = byId.get(check.id);
      if (e) e.check = check;
    }
    this.entries = byId;
  }

  get metas(): ReadonlyMap<string, RuleMeta> {
    return new Map([...this.entries].map(([id, e]) => [id, e.meta]));
  }

  meta(id: string): RuleMeta | undefined {
    return this.entries.get(id)?.meta;
  }

  ids(): Set<string> {
    return new Set(this.entries.keys());
  }
}

const PROFILE_INCLUDES: Record<Profile, readonly Profile[]> = {
  "pss-baseline": ["pss-baseline"],
  "pss-restricted": ["pss-baseline", "pss-restricted"],
  hardened: ["pss-baseline", "pss-restricted", "hardened", "hygiene"],
  hygiene: ["hygiene"],
};

export function inProfile(meta: RuleMeta, profile: Profile): boolean {
  if (meta.category === "bulwark") return true;
  return meta.profiles.some((p) => PROFILE_INCLUDES[profile].includes(p));
}

let defaultCatalog: Catalog | undefined;

export function getCatalog(): Catalog {
  defaultCatalog ??= new Catalog(RULES, CHECKS);
  return defaultCatalog;
}
