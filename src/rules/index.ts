// Every check, by area. A test keeps this list and rules/*.yaml in one-to-one correspondence.
import type { RuleCheck } from "../core/engine/check.js";
import { API_CHECKS } from "./api.js";
import { AUDIT_CHECKS } from "./audit.js";
import { DOCKERFILE_CHECKS } from "./dockerfile.js";
import { GENERAL_CHECKS } from "./general.js";
import { HELM_CHECKS } from "./helm.js";
import { HOST_CHECKS } from "./host.js";
import { IMAGE_CHECKS } from "./image.js";
import { NETWORK_CHECKS } from "./network.js";
import { RBAC_CHECKS } from "./rbac.js";
import { RESOURCES_CHECKS } from "./resources.js";
import { RUNTIME_CHECKS } from "./runtime.js";
import { SECRETS_CHECKS } from "./secrets.js";
import { STORAGE_CHECKS } from "./storage.js";

export const CHECKS: RuleCheck[] = [
  ...RUNTIME_CHECKS,
  ...HOST_CHECKS,
  ...IMAGE_CHECKS,
  ...NETWORK_CHECKS,
  ...RBAC_CHECKS,
  ...SECRETS_CHECKS,
  ...STORAGE_CHECKS,
  ...AUDIT_CHECKS,
  ...RESOURCES_CHECKS,
  ...API_CHECKS,
  ...GENERAL_CHECKS,
  ...DOCKERFILE_CHECKS,
  ...HELM_CHECKS,
];
