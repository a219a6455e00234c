import type { RuleCheck } from "../core/engine/check.js";

export const DOCKERFILE_CHECKS: RuleCheck[] = [];
