// Encryption at rest: API-server flag, EncryptionConfiguration provider order, EBS StorageClasses.
import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";

function findings(ruleId: string, text: string) {
  const config = { ...DEFAULT_CONFIG, rules: { [ruleId]: { enabled: true } } };
  return scan([{ path: "s.yaml", text }], { config, onlyRules: [ruleId] }).findings.filter((f) => f.ruleId === ruleId);
}

const encConfig = (resources: string) => `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n${resources}`;

describe("K8S-STORAGE-001", () => {
  it("reports a kubeadm v1beta4 config without the flag and passes with it", () => {
    const base = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\napiServer:\n  extraArgs:\n";
    expect(findings("K8S-STORAGE-001", `${base}    - {name: authorization-mode, value: "Node,RBAC"}\n`)).toHaveLength(1);
    expect(findings("K8S-STORAGE-001", `${base}    - {name: encryption-provider-config, value: /etc/enc.yaml}\n`)).toEqual([]);
  });
});

describe("K8S-STORAGE-002", () => {
  it("rates identity-first high and aescbc-first medium, pointing at the provider", () => {
    const [identity] = findings("K8S-STORAGE-002", encConfig("  - resources: [secrets]\n    providers:\n      - identity: {}\n"));
    expect(identity!.severity).toBe("high");
    expect(identity!.range.startLine).toBe(6);
    const [cbc] = findings("K8S-STORAGE-002", encConfig("  - resources: [secrets]\n    providers:\n      - aescbc: {keys: [{name: k, secret: c2VjcmV0}]}\n"));
    expect(cbc!.severity).toBe("medium");
  });

  it("uses the first entry that covers secrets", () => {
    const text = encConfig("  - resources: [secrets]\n    providers:\n      - secretbox: {keys: [{name: k, secret: c2VjcmV0}]}\n  - resources: ['*.*']\n    providers:\n      - identity: {}\n");
    expect(findings("K8S-STORAGE-002", text)).toEqual([]);
  });

  it("reports a configuration that does not cover secrets at all", () => {
    const [f] = findings("K8S-STORAGE-002", encConfig("  - resources: ['*.apps']\n    providers:\n      - secretbox: {keys: [{name: k, secret: c2VjcmV0}]}\n"));
    expect(f!.severity).toBe("high");
    expect(f!.message).toContain("no entry covers secrets");
  });
});

describe("K8S-STORAGE-003", () => {
  const sc = (provisioner: string, params: string) => `apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: x}\nprovisioner: ${provisioner}\nparameters:\n${params}`;

  it("accepts Go booleans for the in-tree provisioner but only \"true\" for the CSI driver", () => {
    expect(findings("K8S-STORAGE-003", sc("kubernetes.io/aws-ebs", '  encrypted: "True"\n'))).toEqual([]);
    expect(findings("K8S-STORAGE-003", sc("ebs.csi.aws.com", '  encrypted: "True"\n'))).toHaveLength(1);
  });

  it("matches the parameter key case-insensitively, as both provisioners do", () => {
    expect(findings("K8S-STORAGE-003", sc("ebs.csi.aws.com", '  Encrypted: "true"\n'))).toEqual([]);
  });

  it("explains an unquoted boolean instead of calling it unencrypted", () => {
    const [f] = findings("K8S-STORAGE-003", sc("ebs.csi.aws.com", "  encrypted: true\n"));
    expect(f!.message).toContain("rejects");
  });

  it("ignores other provisioners", () => {
    expect(findings("K8S-STORAGE-003", sc("disk.csi.azure.com", "  skuName: Premium_LRS\n"))).toEqual([]);
  });
});
