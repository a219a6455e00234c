// Secure storage (catalog §3.7, K8S-STORAGE-*): encryption at rest of API objects in etcd
// and of cloud volumes. Like the audit rules, the API-server rules only fire when its
// configuration is committed to the repository.
import type { RuleCheck } from "../core/engine/check.js";
import { asArray, asObj, isObj } from "../core/model/k8s.js";
import { apiServerConfigs, flagValue, reportMissingFlag } from "./audit.js";

const encryptionAtRest: RuleCheck = {
  id: "K8S-STORAGE-001",
  object(o, ctx) {
    for (const cfg of apiServerConfigs(o)) {
      if (flagValue(cfg, "encryption-provider-config")) continue;
      reportMissingFlag(
        ctx,
        cfg,
        `${cfg.label}: kube-apiserver has no --encryption-provider-config, so Secrets are stored in etcd unencrypted (base64 is not encryption): anyone with an etcd backup or etcd access reads every credential in the cluster. Add an EncryptionConfiguration (kms v2 or secretbox/aesgcm first for secrets) and point the flag at it.`,
      );
    }
  },
};

/** Selectors of an EncryptionConfiguration entry that cover core-group `secrets`. */
function coversSecrets(selector: unknown): boolean {
  return selector === "secrets" || selector === "*." || selector === "*.*";
}

function providerName(p: unknown): string | undefined {
  return isObj(p) ? Object.keys(p)[0] : undefined;
}

const weakEncryptionConfig: RuleCheck = {
  id: "K8S-STORAGE-002",
  object(o, ctx) {
    if (o.kind !== "EncryptionConfiguration" || !o.apiVersion.startsWith("apiserver.config.k8s.io/")) return;
    const entries = asArray(o.value.resources).map(asObj);
    // The first entry whose selectors name a resource decides how it is stored.
    const index = entries.findIndex((e) => asArray(e.resources).some(coversSecrets));
    if (index < 0) {
      ctx.report({
        object: o,
        path: ["resources"],
        severity: "high",
        message: `EncryptionConfiguration: no entry covers secrets (resources: [secrets], "*." or "*.*"), so Secrets are written to etcd in plain text. Add an entry for secrets whose first provider is kms (apiVersion v2), secretbox or aesgcm.`,
      });
      return;
    }
    const first = asArray(entries[index]!.providers)[0];
    const name = providerName(first);
    const path = ["resources", index, "providers", 0];
    if (name === "identity") {
      ctx.report({
        object: o,
        path,
        severity: "high",
        message: `EncryptionConfiguration: the first provider for secrets (resources[${index}]) is identity, so new and updated Secrets are written to etcd unencrypted; later providers are only used to read old data. Move a kms (v2), secretbox or aesgcm provider first and re-write existing Secrets.`,
      });
    } else if (name === "aescbc") {
      ctx.report({
        object: o,
        path,
        severity: "medium",
        message: `EncryptionConfiguration: secrets (resources[${index}]) are encrypted with aescbc first; the Kubernetes documentation no longer recommends it (CBC is open to padding-oracle attacks). Prefer a kms v2 provider (or secretbox), keeping aescbc after it so existing data can still be read.`,
      });
    }
  },
};

const EBS_PROVISIONERS = new Set(["ebs.csi.aws.com", "kubernetes.io/aws-ebs"]);
// Go's strconv.ParseBool, which the in-tree aws-ebs provisioner uses; the CSI driver accepts only "true".
const PARSE_BOOL_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);

const unencryptedStorageClass: RuleCheck = {
  id: "K8S-STORAGE-003",
  object(o, ctx) {
    if (o.kind !== "StorageClass" || !o.apiVersion.startsWith("storage.k8s.io/")) return;
    const provisioner = o.value.provisioner;
    if (typeof provisioner !== "string" || !EBS_PROVISIONERS.has(provisioner)) return;
    const params = asObj(o.value.parameters);
    // Both provisioners lower-case parameter keys before matching them.
    const key = Object.keys(params).find((k) => k.toLowerCase() === "encrypted");
    const value = key === undefined ? undefined : params[key];
    if (typeof value === "string" && (provisioner === "ebs.csi.aws.com" ? value === "true" : PARSE_BOOL_TRUE.has(value))) return;
    const label = `StorageClass "${o.name}" (${provisioner})`;
    if (value === true) {
      ctx.report({
        object: o,
        path: ["parameters", key!],
        message: `${label}: parameters.${key} is the YAML boolean true, but StorageClass parameters are strings and the API server rejects the manifest. Quote it: encrypted: "true".`,
      });
      return;
    }
    ctx.report({
      object: o,
      path: ["parameters", key ?? "encrypted"],
      message: `${label}: ${key === undefined ? "no encrypted parameter" : `encrypted is ${JSON.stringify(value)}`}, so volumes are created unencrypted unless EBS encryption-by-default is on in the account. Set parameters.encrypted: "true" (optionally kmsKeyId); parameters of an existing class cannot be changed, so for a class already in use create a new one and migrate the claims.`,
    });
  },
};

export const STORAGE_CHECKS: RuleCheck[] = [encryptionAtRest, weakEncryptionConfig, unencryptedStorageClass];
