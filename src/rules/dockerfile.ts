// Dockerfile rules DOCKER-001 … DOCKER-029F (catalog §3.10). The checks live in
// ./dockerfile/*.ts by theme; this list is in rule-ID order.
import type { RuleCheck } from "../core/engine/check.js";
import { IMAGE_DOCKER_CHECKS } from "./dockerfile/image.js";
import { INSTRUCTION_DOCKER_CHECKS } from "./dockerfile/instructions.js";
import { PACKAGE_DOCKER_CHECKS } from "./dockerfile/packages.js";
import { RUN_DOCKER_CHECKS } from "./dockerfile/run.js";

const byId = (a: RuleCheck, b: RuleCheck) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export const DOCKERFILE_CHECKS: RuleCheck[] = [...IMAGE_DOCKER_CHECKS, ...INSTRUCTION_DOCKER_CHECKS, ...PACKAGE_DOCKER_CHECKS, ...RUN_DOCKER_CHECKS].sort(byId);
