// Image security (catalog §3.1), offline part: what the reference itself says. Resolving
// digests and signatures needs a registry and belongs to the update feature.
import type { CheckContext, RuleCheck } from "../core/engine/check.js";
import type { ContainerRef, Workload } from "../core/model/k8s.js";
import { parseImageRef, registryMatches } from "../core/image/reference.js";
import type { ParsedImageRef } from "../core/image/reference.js";
import { where } from "./helpers.js";

interface ImageUse {
  c: ContainerRef;
  raw: string;
  ref: ParsedImageRef;
}

/**
 * Containers whose image parses. Templated references (`$(VAR)`, `{{ … }}`) are not known
 * until render time and invalid ones will not pull at all: judging either would be a guess.
 */
function images(w: Workload): ImageUse[] {
  const out: ImageUse[] = [];
  for (const c of w.containers) {
    const raw = c.value.image;
    if (typeof raw !== "string") continue;
    const parsed = parseImageRef(raw.trim());
    if (parsed.ok) out.push({ c, raw, ref: parsed.ref });
  }
  return out;
}

/** The runtime pulls a mutable tag: `latest`, or no tag at all (which means `latest`). */
function isMutableLatest(ref: ParsedImageRef): boolean {
  return ref.digest === undefined && (ref.tag === undefined || ref.tag === "latest");
}

const mutableTag: RuleCheck = {
  id: "K8S-IMAGE-001",
  workload(w, ctx) {
    for (const { c, raw, ref } of images(w)) {
      if (!isMutableLatest(ref)) continue;
      const what = ref.tag === undefined ? "has no tag, so the runtime pulls \":latest\"" : "uses the mutable \":latest\" tag";
      ctx.report({
        object: w.obj,
        container: c,
        path: [...c.path, "image"],
        message: `${where(w, c)}: image "${raw}" ${what}; what runs changes whenever the tag moves. Pin a version tag, ideally with its digest (repo:1.2.3@sha256:…).`,
      });
    }
  },
};

const notPinned: RuleCheck = {
  id: "K8S-IMAGE-002",
  workload(w, ctx) {
    for (const { c, raw, ref } of images(w)) {
      if (ref.digest !== undefined) continue;
      ctx.report({
        object: w.obj,
        container: c,
        path: [...c.path, "image"],
        message: `${where(w, c)}: image "${raw}" is not pinned by digest; a re-pushed tag silently changes what runs. Pin it as ${ref.name}:${ref.tag ?? "<version>"}@sha256:<index digest> (the update feature with updates.pinDigests does this).`,
      });
    }
  },
};

const untrustedRegistry: RuleCheck = {
  id: "K8S-IMAGE-003",
  workload(w, ctx) {
    // Without an allow-list there is nothing to enforce: the rule is off.
    const allow = ctx.trustedRegistries.filter((e) => e.trim() !== "");
    if (allow.length === 0) return;
    for (const { c, raw, ref } of images(w)) {
      if (allow.some((entry) => registryMatches(ref, entry))) continue;
      const shown = `${ref.registry}/${ref.repository}${ref.hasExplicitRegistry ? "" : " (Docker Hub: no registry written)"}`;
      ctx.report({
        object: w.obj,
        container: c,
        path: [...c.path, "image"],
        message: `${where(w, c)}: image "${raw}" comes from ${shown}, which is not in trustedRegistries (${allow.join(", ")}). Use an image from a trusted registry, or mirror it there.`,
      });
    }
  },
};

const FROZEN_REGISTRY = "k8s.gcr.io";
const SUCCESSOR_REGISTRY = "registry.k8s.io";

const frozenRegistry: RuleCheck = {
  id: "K8S-IMAGE-004",
  workload(w, ctx) {
    for (const { c, raw, ref } of images(w)) {
      if (ref.registry !== FROZEN_REGISTRY) continue;
      const trimmed = raw.trim();
      // Keep the rest of the reference byte for byte: registry.k8s.io serves the same paths,
      // tags and digests, so only the host changes.
      const rewritten = SUCCESSOR_REGISTRY + trimmed.slice(trimmed.indexOf("/"));
      ctx.report({
        object: w.obj,
        container: c,
        path: [...c.path, "image"],
        message: `${where(w, c)}: image "${raw}" is pulled from k8s.gcr.io, which has been frozen since April 2023 (no new tags or fixes) and is being shut down. Use ${rewritten}.`,
        fix: { description: `Pull from ${SUCCESSOR_REGISTRY}`, ops: [{ op: "set", path: [...c.path, "image"], value: rewritten }] },
      });
    }
  },
};

/** The kubelet's default when imagePullPolicy is unset. */
function defaultPullPolicy(ref: ParsedImageRef): string {
  return ref.tag === undefined || ref.tag === "latest" ? "Always" : "IfNotPresent";
}

const pullPolicy: RuleCheck = {
  id: "K8S-IMAGE-005",
  workload(w, ctx) {
    for (const { c, raw, ref } of images(w)) {
      if (ref.digest !== undefined) continue;
      const set = c.value.imagePullPolicy;
      const policy = typeof set === "string" ? set : defaultPullPolicy(ref);
      if (policy === "Always") continue;
      reportPullPolicy(w, c, raw, policy, typeof set === "string", ctx);
    }
  },
};

function reportPullPolicy(w: Workload, c: ContainerRef, raw: string, policy: string, explicit: boolean, ctx: CheckContext): void {
  const path = [...c.path, "imagePullPolicy"];
  const how = explicit ? `imagePullPolicy: ${policy}` : `imagePullPolicy unset (defaults to ${policy} for a version tag)`;
  ctx.report({
    object: w.obj,
    container: c,
    path,
    message: `${where(w, c)}: image "${raw}" has a mutable tag and ${how}: nodes keep whatever they pulled first, so replicas can run different images. Pin the digest, or set imagePullPolicy: Always.`,
    fix: { description: "Set imagePullPolicy: Always", ops: [{ op: "set", path, value: "Always" }] },
  });
}

export const IMAGE_CHECKS: RuleCheck[] = [mutableTag, notPinned, untrustedRegistry, frozenRegistry, pullPolicy];
