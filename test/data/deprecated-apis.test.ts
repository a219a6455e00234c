import { describe, expect, it } from "vitest";
import {
  classify,
  lookupDeprecatedApi,
  parseKubernetesVersion,
  resolveReplacement,
  type DeprecatedApiEntry,
} from "../../src/core/data/deprecated-apis.js";

function entry(apiVersion: string, kind: string): DeprecatedApiEntry {
  const e = lookupDeprecatedApi(apiVersion, kind);
  if (!e) throw new Error(`no entry for ${apiVersion} ${kind}`);
  return e;
}

describe("lookupDeprecatedApi", () => {
  it("finds by apiVersion AND kind (extensions/v1beta1 means different things per kind)", () => {
    expect(entry("extensions/v1beta1", "Deployment")).toMatchObject({ removedIn: "1.16", replacement: "apps/v1", fix: "transform" });
    expect(entry("extensions/v1beta1", "Ingress")).toMatchObject({ removedIn: "1.22", replacement: "networking.k8s.io/v1", fix: "transform" });
    expect(entry("extensions/v1beta1", "NetworkPolicy")).toMatchObject({ removedIn: "1.16", replacement: "networking.k8s.io/v1", fix: "rename" });
    expect(entry("policy/v1beta1", "PodSecurityPolicy")).toMatchObject({ removedIn: "1.25", replacement: null, fix: "manual" });
    expect(entry("policy/v1beta1", "PodDisruptionBudget")).toMatchObject({ fix: "rename", manualIf: expect.stringMatching(/selector is empty/) });
    expect(entry("storage.k8s.io/v1beta1", "CSIStorageCapacity").removedIn).toBe("1.27");
    expect(entry("storage.k8s.io/v1beta1", "StorageClass").removedIn).toBe("1.22");
  });

  it("matches List kinds and trims the apiVersion", () => {
    expect(lookupDeprecatedApi("rbac.authorization.k8s.io/v1beta1", "RoleBindingList")?.replacement).toBe("rbac.authorization.k8s.io/v1");
    expect(lookupDeprecatedApi(" batch/v1beta1 ", "CronJob")?.replacement).toBe("batch/v1");
  });

  it("returns undefined for current APIs, unknown kinds and wrong case", () => {
    expect(lookupDeprecatedApi("apps/v1", "Deployment")).toBeUndefined();
    expect(lookupDeprecatedApi("batch/v1", "CronJob")).toBeUndefined();
    expect(lookupDeprecatedApi("v1", "Pod")).toBeUndefined();
    expect(lookupDeprecatedApi("extensions/v1beta1", "deployment")).toBeUndefined();
    expect(lookupDeprecatedApi("extensions/v1beta1", "StatefulSet")).toBeUndefined();
    expect(lookupDeprecatedApi("List", "List")).toBeUndefined();
  });
});

describe("classify across target versions", () => {
  // batch/v1beta1 CronJob: deprecated 1.21, removed 1.25.
  it.each([
    ["1.20", "not-deprecated"],
    ["1.21", "deprecated"],
    ["1.22", "deprecated"],
    ["1.23", "removed-soon"],
    ["1.24", "removed-soon"],
    ["1.25", "removed"],
    ["1.33", "removed"],
    ["v1.24.3", "removed-soon"],
  ] as const)("CronJob batch/v1beta1 at %s → %s", (target, status) => {
    expect(classify(entry("batch/v1beta1", "CronJob"), target)).toBe(status);
  });

  it.each([
    ["extensions/v1beta1", "Ingress", "1.13", "not-deprecated"],
    ["extensions/v1beta1", "Ingress", "1.14", "deprecated"],
    ["extensions/v1beta1", "Ingress", "1.20", "removed-soon"],
    ["extensions/v1beta1", "Ingress", "1.22", "removed"],
    ["flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "1.29", "deprecated"], // deprecatedIn unknown: treated as deprecated
    ["flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "1.30", "removed-soon"],
    ["flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "1.32", "removed"],
    ["resource.k8s.io/v1beta1", "ResourceClaim", "1.33", "deprecated"],
    ["resource.k8s.io/v1beta1", "ResourceClaim", "1.34", "removed-soon"],
    ["resource.k8s.io/v1beta1", "ResourceClaim", "1.36", "removed"],
    ["audit.k8s.io/v1beta1", "Policy", "1.30", "removed"],
  ] as const)("%s %s at %s → %s", (apiVersion, kind, target, status) => {
    expect(classify(entry(apiVersion, kind), target)).toBe(status);
  });

  it("rejects targets that are not 1.NN", () => {
    for (const bad of ["1", "latest", "1.x", "", "1.30-rc1"]) expect(() => classify(entry("batch/v1beta1", "CronJob"), bad)).toThrow(/invalid Kubernetes version/);
    expect(parseKubernetesVersion("v1.30.2")).toEqual({ major: 1, minor: 30 });
  });
});

describe("resolveReplacement follows removed replacements and keeps the least automatic fix", () => {
  it.each([
    ["batch/v1beta1", "CronJob", "1.30", "batch/v1", "rename", ["batch/v1beta1", "batch/v1"]],
    ["flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "1.25", "flowcontrol.apiserver.k8s.io/v1beta2", "rename", ["flowcontrol.apiserver.k8s.io/v1beta1", "flowcontrol.apiserver.k8s.io/v1beta2"]],
    [
      "flowcontrol.apiserver.k8s.io/v1beta1",
      "PriorityLevelConfiguration",
      "1.30",
      "flowcontrol.apiserver.k8s.io/v1",
      "transform",
      ["flowcontrol.apiserver.k8s.io/v1beta1", "flowcontrol.apiserver.k8s.io/v1beta2", "flowcontrol.apiserver.k8s.io/v1"],
    ],
    ["flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", "1.27", "flowcontrol.apiserver.k8s.io/v1beta3", "transform", ["flowcontrol.apiserver.k8s.io/v1beta2", "flowcontrol.apiserver.k8s.io/v1beta3"]],
    ["flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", "1.29", "flowcontrol.apiserver.k8s.io/v1", "transform", ["flowcontrol.apiserver.k8s.io/v1beta2", "flowcontrol.apiserver.k8s.io/v1"]],
    ["resource.k8s.io/v1beta1", "DeviceClass", "1.33", "resource.k8s.io/v1beta2", "manual", ["resource.k8s.io/v1beta1", "resource.k8s.io/v1beta2"]],
    ["resource.k8s.io/v1beta1", "DeviceClass", "1.35", "resource.k8s.io/v1", "manual", ["resource.k8s.io/v1beta1", "resource.k8s.io/v1"]],
    ["extensions/v1beta1", "Ingress", "1.22", "networking.k8s.io/v1", "transform", ["extensions/v1beta1", "networking.k8s.io/v1"]],
  ] as const)("%s %s at %s → %s (%s)", (apiVersion, kind, target, to, fix, chain) => {
    expect(resolveReplacement(entry(apiVersion, kind), kind, target)).toEqual({ apiVersion: to, fix, chain });
  });

  it("has nothing for PodSecurityPolicy, or when the target is too old for the replacement", () => {
    expect(resolveReplacement(entry("policy/v1beta1", "PodSecurityPolicy"), "PodSecurityPolicy", "1.25")).toBeUndefined();
    // PSP in extensions/v1beta1 → policy/v1beta1, itself removed in 1.25 with no replacement.
    expect(resolveReplacement(entry("extensions/v1beta1", "PodSecurityPolicy"), "PodSecurityPolicy", "1.30")).toBeUndefined();
    expect(resolveReplacement(entry("autoscaling/v2beta1", "HorizontalPodAutoscaler"), "HorizontalPodAutoscaler", "1.22")).toBeUndefined();
  });
});
