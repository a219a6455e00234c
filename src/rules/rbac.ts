import type { RuleCheck } from "../core/engine/check.js";

export const RBAC_CHECKS: RuleCheck[] = [];
