import type { RuleCheck } from "../core/engine/check.js";

export const IMAGE_CHECKS: RuleCheck[] = [];
