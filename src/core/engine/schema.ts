// Kubernetes schema validation of the objects a fix touches (kubernetes-models, generated from
// the official OpenAPI schemas). Part of fix verification: a patch must never turn a valid
// object into one the API server would reject. Only the kinds Bulwark's fixes edit are loaded,
// to keep the bundled action small.
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Pod } from "kubernetes-models/v1/Pod";
import { PodTemplate } from "kubernetes-models/v1/PodTemplate";
import { ReplicationController } from "kubernetes-models/v1/ReplicationController";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { ReplicaSet } from "kubernetes-models/apps/v1/ReplicaSet";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Job } from "kubernetes-models/batch/v1/Job";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { StorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import { makeObjects } from "../model/k8s.js";
import type { K8sObject } from "../model/k8s.js";
import { parseYamlFile } from "../parse/yaml.js";

type Validator = (value: unknown) => void;
const model =
  <T extends { validate(): void }>(Cls: new (data: never) => T): Validator =>
  (value) =>
    new Cls(value as never).validate();

const VALIDATORS: Record<string, Validator> = {
  "v1/ConfigMap": model(ConfigMap),
  "v1/Namespace": model(Namespace),
  "v1/Pod": model(Pod),
  "v1/PodTemplate": model(PodTemplate),
  "v1/ReplicationController": model(ReplicationController),
  "v1/Secret": model(Secret),
  "v1/Service": model(Service),
  "v1/ServiceAccount": model(ServiceAccount),
  "apps/v1/DaemonSet": model(DaemonSet),
  "apps/v1/Deployment": model(Deployment),
  "apps/v1/ReplicaSet": model(ReplicaSet),
  "apps/v1/StatefulSet": model(StatefulSet),
  "batch/v1/CronJob": model(CronJob),
  "batch/v1/Job": model(Job),
  "networking.k8s.io/v1/Ingress": model(Ingress),
  "networking.k8s.io/v1/NetworkPolicy": model(NetworkPolicy),
  "rbac.authorization.k8s.io/v1/ClusterRole": model(ClusterRole),
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": model(ClusterRoleBinding),
  "rbac.authorization.k8s.io/v1/Role": model(Role),
  "rbac.authorization.k8s.io/v1/RoleBinding": model(RoleBinding),
  "storage.k8s.io/v1/StorageClass": model(StorageClass),
};

/** The schema error of an object, or undefined when it validates (or its kind is not known here). */
export function schemaError(o: Pick<K8sObject, "apiVersion" | "kind" | "value">): string | undefined {
  const validate = VALIDATORS[`${o.apiVersion}/${o.kind}`];
  if (!validate) return undefined;
  try {
    validate(o.value);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message.split("\n")[0] : String(err);
  }
}

/**
 * Objects that validated before the edit and do not after it, as "Kind/name: error".
 * Objects that were already invalid are not the fix's doing and are left out.
 */
export function schemaRegressions(path: string, before: string, after: string): string[] {
  if (!/\.(?:ya?ml|json)$/i.test(path)) return [];
  const key = (o: K8sObject) => `${o.apiVersion}/${o.kind}/${o.namespace ?? ""}/${o.name}`;
  const valid = new Set(makeObjects(parseYamlFile(path, before)).filter((o) => VALIDATORS[`${o.apiVersion}/${o.kind}`] && !schemaError(o)).map(key));
  const out: string[] = [];
  for (const o of makeObjects(parseYamlFile(path, after))) {
    if (!valid.has(key(o))) continue;
    const err = schemaError(o);
    if (err) out.push(`${o.kind}/${o.name}: ${err}`);
  }
  return out;
}
