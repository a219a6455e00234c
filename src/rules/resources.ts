import type { RuleCheck } from "../core/engine/check.js";

export const RESOURCES_CHECKS: RuleCheck[] = [];
