import type { RuleCheck } from "../core/engine/check.js";

export const HOST_CHECKS: RuleCheck[] = [];
