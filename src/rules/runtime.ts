// Runtime hardening: the Pod Security Standards core (catalog §3.2), PSA semantics.
// Each PSS check is a port of kubernetes/pod-security-admission policy/check_*.go as the
// catalog summarises it: the same fields, the same allow-lists per policy version, the
// same pod-level/container-level rules and the same Windows and user-namespace relaxations.
import type { CheckContext, RuleCheck } from "../core/engine/check.js";
import { minorOf } from "../core/engine/check.js";
import type { FixOp, Path } from "../core/fix/ops.js";
import type { ContainerRef, Obj, Workload } from "../core/model/k8s.js";
import { asArray, asObj, effective, isObj, isWindowsPod, usesUserNamespace } from "../core/model/k8s.js";
import { containerLabel, podSc, podScPath, resourceLabel, sc, scPath, where } from "./helpers.js";

// ---------------------------------------------------------------------------------------
// Policy versions

/** The selected PSS policy version as a minor number ("latest" = every version known). */
export function policyMinor(ctx: CheckContext): number {
  return minorOf(ctx.pssVersion);
}

export function policyLabel(ctx: CheckContext): string {
  return ctx.pssVersion === "latest" ? "latest" : `v${ctx.pssVersion.replace(/^v/, "")}`;
}

/** "PSS restricted, policy v1.30": messages say which version decided, since allow-lists move. */
function pss(level: "baseline" | "restricted", ctx: CheckContext): string {
  return `PSS ${level}, policy ${policyLabel(ctx)}`;
}

/** PSA relaxes runAsNonRoot, runAsUser and baseline procMount for user-namespaced pods from v1.35. */
function userNamespaceRelaxed(w: Workload, ctx: CheckContext): boolean {
  return policyMinor(ctx) >= 35 && usesUserNamespace(w);
}

/** PSA exempts Windows pods from restricted capabilities, seccomp and allowPrivilegeEscalation from v1.25. */
function windowsExempt(w: Workload, ctx: CheckContext): boolean {
  return policyMinor(ctx) >= 25 && isWindowsPod(w);
}

const WINDOWS_BEFORE_1_25 =
  "Windows pods cannot set this field (the API rejects it), so no patch is offered; PSS policy v1.25+ exempts Windows pods from this control — set pssVersion to 1.25 or later";

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** `container "a"` / `containers "a", "b"`. */
function containersPhrase(names: readonly string[]): string {
  return `${names.length === 1 ? "container" : "containers"} ${names.map((n) => `"${n}"`).join(", ")}`;
}

// ---------------------------------------------------------------------------------------
// K8S-RUNTIME-001 — privileged

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

// ---------------------------------------------------------------------------------------
// K8S-RUNTIME-002 — allowPrivilegeEscalation (restricted, v1.8+)

function addsSysAdmin(c: ContainerRef): string | undefined {
  return asArray(asObj(sc(c).capabilities).add).map(str).find((cap) => cap !== undefined && normCap(cap) === "SYS_ADMIN");
}

const allowPrivilegeEscalation: RuleCheck = {
  id: "K8S-RUNTIME-002",
  workload(w, ctx) {
    if (policyMinor(ctx) < 8 || windowsExempt(w, ctx)) return;
    for (const c of w.containers) {
      const value = sc(c).allowPrivilegeEscalation;
      if (value === false) continue;
      const path = scPath(c, "allowPrivilegeEscalation");
      const state = value === true ? "is true" : "is not set (unset allows escalation)";
      const head = `${where(w, c)}: securityContext.allowPrivilegeEscalation ${state}, so setuid binaries and file capabilities can gain privileges (${pss("restricted", ctx)})`;
      const sysAdmin = addsSysAdmin(c);
      let blocked: string | undefined;
      // The API rejects allowPrivilegeEscalation: false next to privileged: true or CAP_SYS_ADMIN,
      // and either one keeps escalation possible anyway: a patch would be refused or hollow.
      if (sc(c).privileged === true) blocked = "it cannot be set to false while the container is privileged (the API rejects the combination): remove privileged: true first (K8S-RUNTIME-001), then set allowPrivilegeEscalation: false";
      else if (sysAdmin) blocked = `it cannot usefully be set to false while capabilities.add contains ${sysAdmin} (escalation stays possible with CAP_SYS_ADMIN, and the API rejects false next to CAP_SYS_ADMIN): drop that capability first (K8S-RUNTIME-006), then set allowPrivilegeEscalation: false`;
      else if (isWindowsPod(w)) blocked = WINDOWS_BEFORE_1_25;
      if (blocked) {
        ctx.report({ object: w.obj, container: c, path, message: `${head}; ${blocked}.` });
        continue;
      }
      ctx.report({
        object: w.obj,
        container: c,
        path,
        message: `${head}. Set securityContext.allowPrivilegeEscalation: false.`,
        fix: { description: `Set allowPrivilegeEscalation: false on ${containerLabel(c)}`, ops: [{ op: "set", path, value: false }] },
      });
    }
  },
};

// ---------------------------------------------------------------------------------------
// K8S-RUNTIME-003 — runAsNonRoot (restricted)

const runAsNonRoot: RuleCheck = {
  id: "K8S-RUNTIME-003",
  workload(w, ctx) {
    if (userNamespaceRelaxed(w, ctx)) return;
    if (ctx.settings.options.mode === "effective") return runAsNonRootEffective(w, ctx);
    const pod = podSc(w).runAsNonRoot;
    const unset = (v: unknown) => v === undefined || v === null;
    const fix = "set runAsNonRoot: true at pod level once you know the image runs as a numeric non-zero UID (add runAsUser: <uid> if the image names its user)";
    if (pod === false) {
      const inheriting = w.containers.filter((c) => unset(sc(c).runAsNonRoot)).map((c) => c.name);
      const inherit = inheriting.length > 0 ? `, inherited by ${containersPhrase(inheriting)}` : "";
      ctx.report({
        object: w.obj,
        path: podScPath(w, "runAsNonRoot"),
        message: `${resourceLabel(w)}: pod securityContext.runAsNonRoot is false${inherit} (${pss("restricted", ctx)}, strict mode): ${fix}.`,
      });
    }
    for (const c of w.containers) {
      const v = sc(c).runAsNonRoot;
      if (v === false) {
        ctx.report({
          object: w.obj,
          container: c,
          path: scPath(c, "runAsNonRoot"),
          message: `${where(w, c)}: securityContext.runAsNonRoot is false, so the container may run as root (${pss("restricted", ctx)}, strict mode): remove it or set it to true once you know the image runs as a numeric non-zero UID.`,
        });
      } else if (unset(v) && pod !== true && pod !== false) {
        ctx.report({
          object: w.obj,
          container: c,
          path: scPath(c, "runAsNonRoot"),
          message: `${where(w, c)}: runAsNonRoot is set neither on the container nor on the pod, so it runs as whatever user the image says, root if none (${pss("restricted", ctx)}, strict mode): ${fix}.`,
        });
      }
    }
  },
};

/** Option `mode: effective` (KubeLinter/Checkov/Polaris): a container passes with runAsNonRoot or a non-zero runAsUser. */
function runAsNonRootEffective(w: Workload, ctx: CheckContext): void {
  for (const c of w.containers) {
    const nonRoot = effective(w, c, "runAsNonRoot");
    const user = effective(w, c, "runAsUser");
    if (nonRoot.value === true || (typeof user.value === "number" && user.value > 0)) continue;
    const why =
      nonRoot.value === false
        ? `runAsNonRoot is false (${nonRoot.level}-level)`
        : user.value === 0
          ? `runAsUser is 0 (${user.level}-level) and runAsNonRoot is not true`
          : "neither runAsNonRoot: true nor a non-zero runAsUser applies";
    ctx.report({
      object: w.obj,
      container: c,
      path: nonRoot.path ?? scPath(c, "runAsNonRoot"),
      message: `${where(w, c)}: ${why}, so it may run as root (mode: effective): set runAsNonRoot: true or runAsUser to a non-zero UID the image supports.`,
    });
  }
}

// ---------------------------------------------------------------------------------------
// K8S-RUNTIME-004 — runAsUser: 0 (restricted, v1.23+)

const runAsUser: RuleCheck = {
  id: "K8S-RUNTIME-004",
  workload(w, ctx) {
    if (policyMinor(ctx) < 23 || userNamespaceRelaxed(w, ctx)) return;
    if (podSc(w).runAsUser === 0) {
      // PSA forbids the pod-level 0 itself, even when every container overrides it.
      const inheriting = w.containers.filter((c) => sc(c).runAsUser === undefined || sc(c).runAsUser === null).map((c) => c.name);
      const note = inheriting.length > 0 ? `inherited by ${containersPhrase(inheriting)}` : "every container overrides it, but the pod-level value itself is forbidden";
      ctx.report({
        object: w.obj,
        path: podScPath(w, "runAsUser"),
        message: `${resourceLabel(w)}: pod securityContext.runAsUser is 0 (root); ${note} (${pss("restricted", ctx)}). Use a non-zero UID the image supports (e.g. 65532 for distroless) or remove it.`,
      });
    }
    for (const c of w.containers) {
      if (sc(c).runAsUser !== 0) continue;
      ctx.report({
        object: w.obj,
        container: c,
        path: scPath(c, "runAsUser"),
        message: `${where(w, c)}: securityContext.runAsUser is 0, so it runs as root (${pss("restricted", ctx)}). Use a non-zero UID the image supports (e.g. 65532 for distroless).`,
      });
    }
  },
};

// ---------------------------------------------------------------------------------------
// K8S-RUNTIME-005 — root group (hardened)

const rootGroup: RuleCheck = {
  id: "K8S-RUNTIME-005",
  workload(w, ctx) {
    // Windows pods cannot set runAsGroup, fsGroup or supplementalGroups at all.
    if (isWindowsPod(w)) return;
    const todo = "use a non-zero GID (e.g. the same as runAsUser)";
    if (podSc(w).runAsGroup === 0) {
      const inheriting = w.containers.filter((c) => effective(w, c, "runAsGroup").level === "pod").map((c) => c.name);
      if (inheriting.length > 0) {
        ctx.report({
          object: w.obj,
          path: podScPath(w, "runAsGroup"),
          message: `${resourceLabel(w)}: pod securityContext.runAsGroup is 0 (root group), inherited by ${containersPhrase(inheriting)}: ${todo}.`,
        });
      }
    }
    for (const c of w.containers) {
      if (sc(c).runAsGroup !== 0) continue;
      ctx.report({ object: w.obj, container: c, path: scPath(c, "runAsGroup"), message: `${where(w, c)}: securityContext.runAsGroup is 0 (root group): ${todo}.` });
    }
    asArray(podSc(w).supplementalGroups).forEach((g, i) => {
      if (g !== 0) return;
      ctx.report({ object: w.obj, path: podScPath(w, "supplementalGroups", i), message: `${resourceLabel(w)}: pod securityContext.supplementalGroups contains 0 (root group): remove it.` });
    });
    if (podSc(w).fsGroup === 0) {
      ctx.report({ object: w.obj, path: podScPath(w, "fsGroup"), message: `${resourceLabel(w)}: pod securityContext.fsGroup is 0, so mounted volumes are group-owned by root: ${todo}.` });
    }
  },
};

// ---------------------------------------------------------------------------------------
// K8S-RUNTIME-006 / 007 — capabilities

/** PSA capabilities_baseline compares these literally: CAP_CHOWN or chown are not in the set. */
const BASELINE_CAPABILITIES = new Set(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);
const DANGEROUS_CAPABILITIES = new Set(["ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "SYS_RAWIO", "BPF", "PERFMON", "DAC_READ_SEARCH", "SYS_BOOT", "MAC_ADMIN", "MAC_OVERRIDE"]);

/** Only for severity and hints: the check itself compares literal strings, as PSA does. */
function normCap(cap: string): string {
  return cap.toUpperCase().replace(/^CAP_/, "");
}

const capabilitiesBaseline: RuleCheck = {
  id: "K8S-RUNTIME-006",
  workload(w, ctx) {
    for (const c of w.containers) {
      asArray(asObj(sc(c).capabilities).add).forEach((raw, i) => {
        const cap = str(raw) ?? String(raw);
        if (BASELINE_CAPABILITIES.has(cap)) return;
        const norm = normCap(cap);
        const spelling = BASELINE_CAPABILITIES.has(norm) ? ` PSA compares names literally: write ${norm}, not ${cap}.` : " Remove it unless the workload cannot run without it (then suppress with a reason).";
        ctx.report({
          object: w.obj,
          container: c,
          path: scPath(c, "capabilities", "add", i),
          key: cap,
          severity: DANGEROUS_CAPABILITIES.has(norm) ? "critical" : undefined,
          message: `${where(w, c)}: securityContext.capabilities.add contains ${cap}, which is not in the baseline default set (${pss("baseline", ctx)}).${spelling}`,
        });
      });
    }
  },
};

const capabilitiesRestricted: RuleCheck = {
  id: "K8S-RUNTIME-007",
  workload(w, ctx) {
    if (policyMinor(ctx) < 22 || windowsExempt(w, ctx)) return;
    for (const c of w.containers) {
      const caps = asObj(sc(c).capabilities);
      if (!asArray(caps.drop).includes("ALL")) {
        const path = scPath(c, "capabilities", "drop");
        const head = `${where(w, c)}: securityContext.capabilities.drop does not contain "ALL", so the runtime's default capabilities (NET_RAW, CHOWN, SETUID, …) stay (${pss("restricted", ctx)})`;
        if (isWindowsPod(w)) ctx.report({ object: w.obj, container: c, path, message: `${head}; ${WINDOWS_BEFORE_1_25}.` });
        else {
          ctx.report({
            object: w.obj,
            container: c,
            path,
            message: `${head}. Add "ALL" to capabilities.drop and add back only NET_BIND_SERVICE if needed.`,
            fix: { description: `Drop ALL capabilities in ${containerLabel(c)}`, ops: [{ op: "append", path, value: "ALL" }] },
          });
        }
      }
      asArray(caps.add).forEach((raw, i) => {
        const cap = str(raw) ?? String(raw);
        if (cap === "NET_BIND_SERVICE") return;
        ctx.report({
          object: w.obj,
          container: c,
          path: scPath(c, "capabilities", "add", i),
          key: `add:${cap}`,
          message: `${where(w, c)}: securityContext.capabilities.add contains ${cap}; only NET_BIND_SERVICE may be added (${pss("restricted", ctx)}). Remove it.`,
        });
      });
    }
  },
};

// ---------------------------------------------------------------------------------------
// K8S-RUNTIME-008 / 009 — seccomp

const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/";

function validSeccompType(t: unknown): boolean {
  return t === "RuntimeDefault" || t === "Localhost";
}

function validSeccompAnnotation(v: string): boolean {
  return v === "" || v === "runtime/default" || v === "docker/default" || v.startsWith("localhost/");
}

/** Ops that turn an explicit seccomp/AppArmor profile into RuntimeDefault (localhostProfile is only valid with Localhost). */
function toRuntimeDefault(profilePath: Path, profile: Obj): FixOp[] {
  const ops: FixOp[] = [{ op: "set", path: [...profilePath, "type"], value: "RuntimeDefault" }];
  if (profile.localhostProfile !== undefined) ops.push({ op: "delete", path: [...profilePath, "localhostProfile"] });
  return ops;
}

const seccompBaseline: RuleCheck = {
  id: "K8S-RUNTIME-008",
  workload(w, ctx) {
    // Policy versions before 1.19 read the alpha annotations; from 1.19 only the fields count.
    if (policyMinor(ctx) < 19) return seccompAnnotations(w, ctx);
    const check = (profileValue: unknown, profilePath: Path, label: string, c?: ContainerRef) => {
      if (!isObj(profileValue) || validSeccompType(profileValue.type)) return;
      const shown = str(profileValue.type) ?? "(missing)";
      ctx.report({
        object: w.obj,
        container: c,
        path: [...profilePath, "type"],
        message: `${label}: securityContext.seccompProfile.type is ${shown}, which disables syscall filtering (${pss("baseline", ctx)}): use RuntimeDefault (or Localhost with a reviewed profile).`,
        fix: { description: "Set seccompProfile.type: RuntimeDefault", ops: toRuntimeDefault(profilePath, profileValue) },
      });
    };
    check(podSc(w).seccompProfile, podScPath(w, "seccompProfile"), `${resourceLabel(w)}, pod`);
    for (const c of w.containers) check(sc(c).seccompProfile, scPath(c, "seccompProfile"), where(w, c), c);
  },
};

function seccompAnnotations(w: Workload, ctx: CheckContext): void {
  const annotations = asObj(w.podMeta.annotations);
  const check = (key: string, label: string, c?: ContainerRef) => {
    const v = str(annotations[key]);
    if (v === undefined || validSeccompAnnotation(v)) return;
    const path = [...w.podMetaPath, "annotations", key];
    ctx.report({
      object: w.obj,
      container: c,
      path,
      key,
      message: `${label}: annotation ${key}: "${v}" disables syscall filtering (${pss("baseline", ctx)} reads the seccomp annotations): use runtime/default (or localhost/<profile>).`,
      fix: { description: `Set ${key} to runtime/default`, ops: [{ op: "set", path, value: "runtime/default" }] },
    });
  };
  check(SECCOMP_POD_ANNOTATION, `${resourceLabel(w)}, pod`);
  for (const c of w.containers) check(SECCOMP_CONTAINER_ANNOTATION + c.name, where(w, c), c);
}

const seccompRestricted: RuleCheck = {
  id: "K8S-RUNTIME-009",
  workload(w, ctx) {
    if (policyMinor(ctx) < 19 || windowsExempt(w, ctx)) return;
    const podProfile = podSc(w).seccompProfile;
    const podValid = isObj(podProfile) && validSeccompType(podProfile.type);
    if (podValid) return;
    // Explicitly invalid profiles are K8S-RUNTIME-008's findings; this rule reports the
    // containers that end up with no profile because neither they nor the pod set one.
    const unset = w.containers.filter((c) => !isObj(sc(c).seccompProfile));
    if (unset.length === 0) return;
    const path = podScPath(w, "seccompProfile", "type");
    const one = unset.length === 1;
    const head = `${resourceLabel(w)}: ${containersPhrase(unset.map((c) => c.name))} ${one ? "sets" : "set"} no securityContext.seccompProfile`;
    if (isObj(podProfile)) {
      ctx.report({
        object: w.obj,
        path,
        message: `${head} and the pod-level seccompProfile.type is ${str(podProfile.type) ?? "(missing)"} (${pss("restricted", ctx)}): set the pod-level type to RuntimeDefault (see K8S-RUNTIME-008).`,
      });
      return;
    }
    const message = `${head} and neither does the pod, so ${one ? "it runs" : "they run"} without a syscall filter unless the kubelet defaults to seccomp (${pss("restricted", ctx)})`;
    if (isWindowsPod(w)) {
      ctx.report({ object: w.obj, path, message: `${message}; ${WINDOWS_BEFORE_1_25}.` });
      return;
    }
    ctx.report({
      object: w.obj,
      path,
      message: `${message}. Set the pod's securityContext.seccompProfile.type: RuntimeDefault (one line covers every container).`,
      fix: { description: "Set pod-level seccompProfile.type: RuntimeDefault", ops: [{ op: "set", path, value: "RuntimeDefault" }] },
    });
  },
};

// ---------------------------------------------------------------------------------------
// K8S-RUNTIME-010 — AppArmor (baseline)

const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

function validAppArmorAnnotation(v: string): boolean {
  return v === "" || v === "runtime/default" || v.startsWith("localhost/");
}

const appArmor: RuleCheck = {
  id: "K8S-RUNTIME-010",
  workload(w, ctx) {
    const check = (profileValue: unknown, profilePath: Path, label: string, c?: ContainerRef) => {
      if (!isObj(profileValue) || validSeccompType(profileValue.type)) return;
      ctx.report({
        object: w.obj,
        container: c,
        path: [...profilePath, "type"],
        message: `${label}: securityContext.appArmorProfile.type is ${str(profileValue.type) ?? "(missing)"}, which removes AppArmor confinement (${pss("baseline", ctx)}): use RuntimeDefault (or Localhost with a reviewed profile).`,
        fix: { description: "Set appArmorProfile.type: RuntimeDefault", ops: toRuntimeDefault(profilePath, profileValue) },
      });
    };
    check(podSc(w).appArmorProfile, podScPath(w, "appArmorProfile"), `${resourceLabel(w)}, pod`);
    for (const c of w.containers) check(sc(c).appArmorProfile, scPath(c, "appArmorProfile"), where(w, c), c);
    // PSA checks every annotation with the prefix, whether or not the container exists.
    for (const [key, raw] of Object.entries(asObj(w.podMeta.annotations))) {
      if (!key.startsWith(APPARMOR_ANNOTATION)) continue;
      const v = str(raw);
      if (v === undefined || validAppArmorAnnotation(v)) continue;
      const name = key.slice(APPARMOR_ANNOTATION.length);
      const c = w.containers.find((x) => x.name === name);
      const path = [...w.podMetaPath, "annotations", key];
      const migration = c && migratesAppArmorAnnotation(w, ctx) ? migrateAppArmorAnnotation(w, c, key) : undefined;
      const field = c ? sc(c).appArmorProfile : undefined;
      const advice = !migration
        ? "use runtime/default (or localhost/<profile>)"
        : isObj(field) && validSeccompType(field.type)
          ? `remove it: the container's securityContext.appArmorProfile (type ${String(field.type)}) takes precedence, and the annotation is deprecated from Kubernetes 1.30`
          : "move it to the container's securityContext.appArmorProfile.type: RuntimeDefault (or Localhost with a reviewed profile); the annotation is deprecated from Kubernetes 1.30";
      ctx.report({
        object: w.obj,
        container: c,
        path,
        key,
        message: `${c ? where(w, c) : `${resourceLabel(w)}, container "${name}"`}: annotation ${key}: "${v}" removes AppArmor confinement (${pss("baseline", ctx)}): ${advice}.`,
        fix: migration ?? { description: `Set ${key} to runtime/default`, ops: [{ op: "set", path, value: "runtime/default" }] },
      });
    }
  },
};

/**
 * Catalog: when the target cluster is 1.30 or later the fix moves the deprecated annotation
 * to the container's appArmorProfile field. Not for Windows pods (the API rejects the field
 * there), nor in JSON files: the edit planner writes the new keys YAML-style, which the
 * engine refuses in JSON, so there the value rewrite is the fix that can be offered.
 */
function migratesAppArmorAnnotation(w: Workload, ctx: CheckContext): boolean {
  return minorOf(ctx.targetKubernetesVersion) >= 30 && !isWindowsPod(w) && !/\.json$/i.test(w.obj.file.path);
}

/**
 * Delete the annotation (with `annotations` itself when it was the only one) and give the
 * container the profile the kubelet would otherwise have taken from it: the container's
 * field wins over the annotation, which wins over the pod's field, so RuntimeDefault on
 * the container is what `runtime/default` meant. A container field that already confines
 * is kept (the kubelet ignored the annotation); an Unconfined one becomes RuntimeDefault.
 */
function migrateAppArmorAnnotation(w: Workload, c: ContainerRef, key: string): { description: string; ops: FixOp[] } {
  const annotationsPath = [...w.podMetaPath, "annotations"];
  const alone = Object.keys(asObj(w.podMeta.annotations)).every((k) => k === key);
  const ops: FixOp[] = [{ op: "delete", path: alone ? annotationsPath : [...annotationsPath, key] }];
  const profile = sc(c).appArmorProfile;
  const profilePath = scPath(c, "appArmorProfile");
  if (isObj(profile) && validSeccompType(profile.type)) {
    return { description: `Remove ${key} (${containerLabel(c)} already sets appArmorProfile.type: ${String(profile.type)})`, ops };
  }
  ops.push(...(isObj(profile) ? toRuntimeDefault(profilePath, profile) : [{ op: "set" as const, path: [...profilePath, "type"], value: "RuntimeDefault" }]));
  return { description: `Replace ${key} with securityContext.appArmorProfile.type: RuntimeDefault on ${containerLabel(c)}`, ops };
}

// ---------------------------------------------------------------------------------------
// K8S-RUNTIME-011 — SELinux (baseline)

function allowedSeLinuxTypes(ctx: CheckContext): Set<string> {
  const types = new Set(["", "container_t", "container_init_t", "container_kvm_t"]);
  if (policyMinor(ctx) >= 31) types.add("container_engine_t");
  return types;
}

const seLinux: RuleCheck = {
  id: "K8S-RUNTIME-011",
  workload(w, ctx) {
    const allowed = allowedSeLinuxTypes(ctx);
    const check = (opts: unknown, optsPath: Path, label: string, c?: ContainerRef) => {
      if (!isObj(opts)) return;
      const type = str(opts.type) ?? "";
      if (!allowed.has(type)) {
        ctx.report({
          object: w.obj,
          container: c,
          path: [...optsPath, "type"],
          key: "type",
          message: `${label}: securityContext.seLinuxOptions.type is ${type}; only ${[...allowed].filter(Boolean).join(", ")} or empty are allowed (${pss("baseline", ctx)}). Remove the custom type.`,
        });
      }
      for (const field of ["user", "role"] as const) {
        const v = str(opts[field]) ?? "";
        if (v === "") continue;
        ctx.report({
          object: w.obj,
          container: c,
          path: [...optsPath, field],
          key: field,
          message: `${label}: securityContext.seLinuxOptions.${field} is ${v}; a custom SELinux ${field} is forbidden (${pss("baseline", ctx)}). Remove it.`,
        });
      }
    };
    check(podSc(w).seLinuxOptions, podScPath(w, "seLinuxOptions"), `${resourceLabel(w)}, pod`);
    for (const c of w.containers) check(sc(c).seLinuxOptions, scPath(c, "seLinuxOptions"), where(w, c), c);
  },
};

// ---------------------------------------------------------------------------------------
// K8S-RUNTIME-012 — procMount (baseline; restricted variant from v1.35)

/**
 * The baseline control allows any procMount in user-namespaced pods from v1.35; the
 * restricted one (procMount_restricted) never does. CheckContext does not say which
 * profile is in force, so the rule option `level` does; restricted (the stricter reading)
 * is the default because the default profile, hardened, includes it.
 */
function procMountLevel(ctx: CheckContext): "baseline" | "restricted" {
  return ctx.settings.options.level === "baseline" ? "baseline" : "restricted";
}

const procMount: RuleCheck = {
  id: "K8S-RUNTIME-012",
  workload(w, ctx) {
    const level = procMountLevel(ctx);
    const userNs = userNamespaceRelaxed(w, ctx);
    if (level === "baseline" && userNs) return;
    for (const c of w.containers) {
      const v = sc(c).procMount;
      if (v === undefined || v === null || v === "Default") continue;
      const path = scPath(c, "procMount");
      const why = userNs
        ? ` hostUsers: false relaxes only the baseline control; the restricted one (procMount_restricted, v1.35+) still requires Default — set rule option level: baseline if you enforce baseline only.`
        : "";
      ctx.report({
        object: w.obj,
        container: c,
        path,
        message: `${where(w, c)}: securityContext.procMount is ${String(v)}, which unmasks /proc and exposes host kernel information (${pss(userNs ? "restricted" : "baseline", ctx)}). Set it to Default or remove it.${why}`,
        fix: { description: "Set procMount: Default", ops: [{ op: "set", path, value: "Default" }] },
      });
    }
  },
};

// ---------------------------------------------------------------------------------------
// K8S-RUNTIME-013 — sysctls (baseline)

const SAFE_SYSCTLS: readonly { since: number; names: readonly string[] }[] = [
  { since: 0, names: ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"] },
  { since: 27, names: ["net.ipv4.ip_local_reserved_ports"] },
  { since: 29, names: ["net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"] },
  { since: 32, names: ["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"] },
  { since: 37, names: ["net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"] },
];

const sysctls: RuleCheck = {
  id: "K8S-RUNTIME-013",
  workload(w, ctx) {
    const minor = policyMinor(ctx);
    const safe = new Set(SAFE_SYSCTLS.filter((s) => minor >= s.since).flatMap((s) => s.names));
    asArray(podSc(w).sysctls).forEach((entry, i) => {
      const name = str(asObj(entry).name) ?? "";
      if (safe.has(name)) return;
      const later = SAFE_SYSCTLS.find((s) => s.names.includes(name));
      const hint = later ? ` It is allowed from policy v1.${later.since}: raise pssVersion if your clusters enforce that version.` : " Remove it, or set it on the node (kubelet --allowed-unsafe-sysctls) for a dedicated node pool.";
      ctx.report({
        object: w.obj,
        path: podScPath(w, "sysctls", i, "name"),
        key: name,
        message: `${resourceLabel(w)}: pod securityContext.sysctls sets ${name || "(no name)"}, which is not in the safe set (${pss("baseline", ctx)}).${hint}`,
      });
    });
  },
};

// ---------------------------------------------------------------------------------------
// K8S-RUNTIME-014 — Windows HostProcess (baseline)

const hostProcess: RuleCheck = {
  id: "K8S-RUNTIME-014",
  workload(w, ctx) {
    const what = "runs as a Windows HostProcess container with full access to the node";
    if (asObj(podSc(w).windowsOptions).hostProcess === true) {
      ctx.report({ object: w.obj, path: podScPath(w, "windowsOptions", "hostProcess"), message: `${resourceLabel(w)}: pod securityContext.windowsOptions.hostProcess is true, so every container ${what} (${pss("baseline", ctx)}). Remove it.` });
    }
    for (const c of w.containers) {
      if (asObj(sc(c).windowsOptions).hostProcess !== true) continue;
      ctx.report({ object: w.obj, container: c, path: scPath(c, "windowsOptions", "hostProcess"), message: `${where(w, c)}: securityContext.windowsOptions.hostProcess is true: it ${what} (${pss("baseline", ctx)}). Remove it.` });
    }
  },
};

// ---------------------------------------------------------------------------------------
// K8S-RUNTIME-015 — readOnlyRootFilesystem (hardened)

function mountsTmp(c: ContainerRef): boolean {
  return asArray(c.value.volumeMounts).some((m) => /^\/tmp\/*$/.test(str(asObj(m).mountPath) ?? ""));
}

/** A volume name for this container's /tmp that no existing volume uses (a DNS label, ≤ 63 chars). */
function tmpVolumeName(w: Workload, c: ContainerRef): string {
  const taken = new Set(asArray(w.podSpec.volumes).map((v) => str(asObj(v).name)));
  const base = `tmp-${c.name}`.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 58).replace(/-+$/, "");
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  return name;
}

const readOnlyRootFilesystem: RuleCheck = {
  id: "K8S-RUNTIME-015",
  workload(w, ctx) {
    // Windows pods cannot set readOnlyRootFilesystem (the API rejects it).
    if (isWindowsPod(w)) return;
    for (const c of w.containers) {
      if (c.set === "ephemeralContainers") continue;
      const v = sc(c).readOnlyRootFilesystem;
      if (v === true) continue;
      const path = scPath(c, "readOnlyRootFilesystem");
      const ops: FixOp[] = [{ op: "set", path, value: true }];
      let extra = "";
      if (!mountsTmp(c)) {
        // Most programs need a writable /tmp; an emptyDir keeps that without a writable image layer.
        const name = tmpVolumeName(w, c);
        ops.push({ op: "append", path: [...w.podSpecPath, "volumes"], value: { name, emptyDir: {} } });
        ops.push({ op: "append", path: [...c.path, "volumeMounts"], value: { name, mountPath: "/tmp" } });
        extra = ` and mount an emptyDir volume "${name}" at /tmp`;
      }
      ctx.report({
        object: w.obj,
        container: c,
        path,
        message: `${where(w, c)}: securityContext.readOnlyRootFilesystem is ${v === false ? "false" : "not set"}, so an attacker can modify the container's files. Set it to true and mount emptyDir volumes where the program writes (/tmp, caches, pid files).`,
        fix: { description: `Set readOnlyRootFilesystem: true${extra}`, ops },
      });
    }
  },
};

// ---------------------------------------------------------------------------------------
// K8S-RUNTIME-016 — no securityContext at all (hygiene)

function emptySc(v: unknown): boolean {
  return !isObj(v) || Object.keys(v).length === 0;
}

const noSecurityContext: RuleCheck = {
  id: "K8S-RUNTIME-016",
  workload(w, ctx) {
    if (!emptySc(w.podSpec.securityContext)) return;
    for (const c of w.containers) {
      if (!emptySc(c.value.securityContext)) continue;
      ctx.report({
        object: w.obj,
        container: c,
        path: scPath(c),
        message: `${where(w, c)} has no securityContext, and neither does the pod: it runs with every runtime default. Add one (allowPrivilegeEscalation: false, capabilities.drop: [ALL], runAsNonRoot: true, seccompProfile RuntimeDefault).`,
      });
    }
  },
};

// ---------------------------------------------------------------------------------------
// K8S-RUNTIME-017 — volume types (restricted)

/**
 * PSA's restrictedVolumes allows configMap, csi, downwardAPI, emptyDir, ephemeral, image,
 * persistentVolumeClaim, projected and secret; these are every other VolumeSource field.
 * Keys that are not volume sources at all are dropped by the API (the volume then defaults
 * to emptyDir), so PSA never sees them: they pass here too. hostPath is K8S-HOST-004's
 * (baseline) finding.
 */
const RESTRICTED_VOLUME_SOURCES = new Set([
  "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd", "flexVolume", "cinder", "cephfs",
  "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos",
]);

const volumeTypes: RuleCheck = {
  id: "K8S-RUNTIME-017",
  workload(w, ctx) {
    asArray(w.podSpec.volumes).forEach((raw, i) => {
      const vol = asObj(raw);
      const name = str(vol.name) ?? `volumes[${i}]`;
      for (const [source, value] of Object.entries(vol)) {
        if (!RESTRICTED_VOLUME_SOURCES.has(source) || value === null || value === undefined) continue;
        const gitRepo = source === "gitRepo";
        ctx.report({
          object: w.obj,
          path: [...w.podSpecPath, "volumes", i, source],
          key: `${name}:${source}`,
          severity: gitRepo ? "high" : undefined,
          message: `${resourceLabel(w)}: volume "${name}" uses ${source}, which is not an allowed volume type (${pss("restricted", ctx)}).${gitRepo ? " gitRepo is deprecated and lets the repository's git hooks run on the node (CVE-2024-10220): clone in an init container into an emptyDir instead." : " Use a PersistentVolumeClaim (or csi/ephemeral) backed by this storage instead."}`,
        });
      }
    });
  },
};

export const RUNTIME_CHECKS: RuleCheck[] = [
  privileged,
  allowPrivilegeEscalation,
  runAsNonRoot,
  runAsUser,
  rootGroup,
  capabilitiesBaseline,
  capabilitiesRestricted,
  seccompBaseline,
  seccompRestricted,
  appArmor,
  seLinux,
  procMount,
  sysctls,
  hostProcess,
  readOnlyRootFilesystem,
  noSecurityContext,
  volumeTypes,
];
