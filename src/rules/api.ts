import type { RuleCheck } from "../core/engine/check.js";

export const API_CHECKS: RuleCheck[] = [];
