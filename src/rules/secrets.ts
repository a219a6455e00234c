import type { RuleCheck } from "../core/engine/check.js";

export const SECRETS_CHECKS: RuleCheck[] = [];
