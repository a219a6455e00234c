import type { RuleCheck } from "../core/engine/check.js";

export const NETWORK_CHECKS: RuleCheck[] = [];
