// K8S-API-001 severities follow the target Kubernetes version; only pure renames get a fix.
import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";

function findings(ruleId: string, text: string, target = "1.34") {
  const config = { ...DEFAULT_CONFIG, targetKubernetesVersion: target, rules: { [ruleId]: { enabled: true } } };
  return scan([{ path: "a.yaml", text }], { config, onlyRules: [ruleId] }).findings.filter((f) => f.ruleId === ruleId);
}

const flowSchema = (apiVersion: string) => `apiVersion: ${apiVersion}\nkind: FlowSchema\nmetadata: {name: fs}\nspec:\n  priorityLevelConfiguration: {name: workload-low}\n`;
const hpa = "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 2\n  maxReplicas: 5\n";

describe("K8S-API-001", () => {
  it("critical once removed at the target, medium within two minors, low while only deprecated, silent before deprecation", () => {
    expect(findings("K8S-API-001", hpa, "1.26")[0]!.severity).toBe("critical");
    expect(findings("K8S-API-001", hpa, "1.24")[0]!.severity).toBe("medium");
    expect(findings("K8S-API-001", hpa, "1.23")[0]!.severity).toBe("low");
    expect(findings("K8S-API-001", flowSchema("flowcontrol.apiserver.k8s.io/v1beta3"), "1.29")[0]!.severity).toBe("low");
    expect(findings("K8S-API-001", hpa, "1.22")).toEqual([]);
  });

  it("names the removal version and the replacement", () => {
    const [f] = findings("K8S-API-001", hpa, "1.34");
    expect(f!.message).toContain("removed in Kubernetes 1.26");
    expect(f!.message).toContain("autoscaling/v2");
    expect(f!.fix?.edits).toHaveLength(1);
    expect(f!.fix?.warning).toBeUndefined();
  });

  it("offers no rename when the target does not serve the replacement yet", () => {
    const [f] = findings("K8S-API-001", flowSchema("flowcontrol.apiserver.k8s.io/v1beta3"), "1.27");
    expect(f!.severity).toBe("low");
    expect(f!.fix).toBeUndefined();
    expect(f!.message).toContain("served only from Kubernetes 1.29");
  });

  it("follows replacement chains and explains transforms without a fix", () => {
    const [f] = findings("K8S-API-001", flowSchema("flowcontrol.apiserver.k8s.io/v1beta1"));
    expect(f!.fix).toBeUndefined();
    expect(f!.message).toContain("via flowcontrol.apiserver.k8s.io/v1beta2");
    expect(f!.message).toContain("nominalConcurrencyShares");
    expect(f!.message).not.toMatch(/Pluto|catalog/);
  });

  it("renames a PodDisruptionBudget with a real selector, not one with an empty selector", () => {
    const pdb = (selector: string) => `apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec:\n  maxUnavailable: 1\n  selector: ${selector}\n`;
    expect(findings("K8S-API-001", pdb("{matchLabels: {app: web}}"))[0]!.fix).toBeDefined();
    const [empty] = findings("K8S-API-001", pdb("{}"));
    expect(empty!.fix).toBeUndefined();
    expect(empty!.message).toContain("ALL pods");
  });
});

describe("K8S-API-002", () => {
  const psp = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\nspec: {privileged: false}\n";

  it("says the policy no longer exists on a 1.25+ target, and is deprecated before", () => {
    expect(findings("K8S-API-002", psp, "1.34")[0]!.message).toContain("on 1.34 this manifest is rejected");
    expect(findings("K8S-API-002", psp, "1.24")[0]!.message).toContain("is deprecated and removed in Kubernetes 1.25");
  });

  it("is not also reported by K8S-API-001", () => {
    expect(findings("K8S-API-001", psp)).toEqual([]);
  });
});
