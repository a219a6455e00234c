import type { RuleCheck } from "../core/engine/check.js";

export const STORAGE_CHECKS: RuleCheck[] = [];
