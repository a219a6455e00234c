import type { RuleCheck } from "../core/engine/check.js";

export const GENERAL_CHECKS: RuleCheck[] = [];
