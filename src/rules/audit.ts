import type { RuleCheck } from "../core/engine/check.js";

export const AUDIT_CHECKS: RuleCheck[] = [];
