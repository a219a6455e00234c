// Runtime hardening: the Pod Security Standards core (catalog §3.2), PSA semantics.
import type { RuleCheck } from "../core/engine/check.js";
import { sc, scPath, where } from "./helpers.js";

const privileged: RuleCheck = {
  id: "K8S-RUNTIME-001",
  workload(w, ctx) {
    for (const c of w.containers) {
      if (sc(c).privileged !== true) continue;
      ctx.report({
        object: w.obj,
        container: c,
        path: scPath(c, "privileged"),
        message: `${where(w, c)} runs privileged (securityContext.privileged: true): it has every capability and full access to the host's devices. Remove it or set it to false.`,
        fix: { description: "Set privileged: false", ops: [{ op: "set", path: scPath(c, "privileged"), value: false }] },
      });
    }
  },
};

export const RUNTIME_CHECKS: RuleCheck[] = [privileged];
