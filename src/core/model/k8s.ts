// Typed view of Kubernetes objects found in YAML documents, with the paths needed to
// point back into the source. Values are the plain data of the document; rules read
// them, and report paths that the engine resolves to ranges and fix edits.
import type { Path } from "../fix/ops.js";
import type { ResourceRef } from "../types.js";
import type { YamlDoc, YamlFile } from "../parse/yaml.js";

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function asObj(v: unknown): Obj {
  return isObj(v) ? v : {};
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Read a nested value by path from plain data. */
export function getIn(value: unknown, path: Path): unknown {
  let cur = value;
  for (const seg of path) {
    if (typeof seg === "number") {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[seg];
    } else {
      if (!isObj(cur)) return undefined;
      cur = cur[seg];
    }
  }
  return cur;
}

export interface K8sObject {
  file: YamlFile;
  doc: YamlDoc;
  /** Path of the object inside its document: [] normally, ["items", i] inside a `kind: List`. */
  basePath: Path;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  value: Obj;
  ref: ResourceRef;
}

export type ContainerSet = "containers" | "initContainers" | "ephemeralContainers";

export interface ContainerRef {
  set: ContainerSet;
  index: number;
  name: string;
  value: Obj;
  /** Path of the container relative to the object. */
  path: Path;
  /** Native sidecar: an init container with restartPolicy Always (runs for the pod's lifetime). */
  sidecar: boolean;
}

export interface Workload {
  obj: K8sObject;
  podSpecPath: Path;
  podMetaPath: Path;
  podSpec: Obj;
  podMeta: Obj;
  /** C: init, regular and ephemeral containers (PSA's visitContainers order). */
  containers: ContainerRef[];
}

/** Catalog §2.1: where each workload kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, { spec: Path; meta: Path }> = {
  Pod: { spec: ["spec"], meta: ["metadata"] },
  PodTemplate: { spec: ["template", "spec"], meta: ["template", "metadata"] },
  ReplicationController: { spec: ["spec", "template", "spec"], meta: ["spec", "template", "metadata"] },
  ReplicaSet: { spec: ["spec", "template", "spec"], meta: ["spec", "template", "metadata"] },
  Deployment: { spec: ["spec", "template", "spec"], meta: ["spec", "template", "metadata"] },
  StatefulSet: { spec: ["spec", "template", "spec"], meta: ["spec", "template", "metadata"] },
  DaemonSet: { spec: ["spec", "template", "spec"], meta: ["spec", "template", "metadata"] },
  Job: { spec: ["spec", "template", "spec"], meta: ["spec", "template", "metadata"] },
  CronJob: { spec: ["spec", "jobTemplate", "spec", "template", "spec"], meta: ["spec", "jobTemplate", "spec", "template", "metadata"] },
  // Common CRDs with a pod template in the Deployment shape.
  Rollout: { spec: ["spec", "template", "spec"], meta: ["spec", "template", "metadata"] },
  DeploymentConfig: { spec: ["spec", "template", "spec"], meta: ["spec", "template", "metadata"] },
};

const CRD_WORKLOAD_GROUPS: Record<string, string> = { Rollout: "argoproj.io/", DeploymentConfig: "apps.openshift.io/" };

export const WORKLOAD_KINDS = Object.keys(POD_SPEC_PATHS);

export function podSpecPaths(obj: Pick<K8sObject, "kind" | "apiVersion">): { spec: Path; meta: Path } | undefined {
  const paths = POD_SPEC_PATHS[obj.kind];
  if (!paths) return undefined;
  const group = CRD_WORKLOAD_GROUPS[obj.kind];
  if (group && !obj.apiVersion.startsWith(group)) return undefined;
  return paths;
}

export function toWorkload(obj: K8sObject): Workload | undefined {
  const paths = podSpecPaths(obj);
  if (!paths) return undefined;
  const podSpec = getIn(obj.value, paths.spec);
  if (!isObj(podSpec)) return undefined;
  const containers: ContainerRef[] = [];
  for (const set of ["initContainers", "containers", "ephemeralContainers"] as const) {
    asArray(podSpec[set]).forEach((c, index) => {
      if (!isObj(c)) return;
      containers.push({
        set,
        index,
        name: typeof c.name === "string" ? c.name : `${set}[${index}]`,
        value: c,
        path: [...paths.spec, set, index],
        sidecar: set === "initContainers" && c.restartPolicy === "Always",
      });
    });
  }
  return { obj, podSpecPath: paths.spec, podMetaPath: paths.meta, podSpec, podMeta: asObj(getIn(obj.value, paths.meta)), containers };
}

/** C_run: containers that run for the pod's lifetime (regular containers and native sidecars). */
export function runningContainers(w: Workload): ContainerRef[] {
  return w.containers.filter((c) => c.set === "containers" || c.sidecar);
}

export const INHERITABLE_FIELDS = ["runAsUser", "runAsGroup", "runAsNonRoot", "seccompProfile", "appArmorProfile", "seLinuxOptions", "windowsOptions"] as const;
export type InheritableField = (typeof INHERITABLE_FIELDS)[number];

export interface EffectiveValue {
  value: unknown;
  /** Where the effective value comes from, relative to the object; undefined when unset everywhere. */
  path?: Path;
  level?: "container" | "pod";
}

/** Catalog §2.3: container securityContext overrides the pod's; every inheritable read goes through here. */
export function effective(w: Workload, c: ContainerRef, field: InheritableField): EffectiveValue {
  const cv = asObj(c.value.securityContext)[field];
  if (cv !== undefined && cv !== null) return { value: cv, path: [...c.path, "securityContext", field], level: "container" };
  const pv = asObj(w.podSpec.securityContext)[field];
  if (pv !== undefined && pv !== null) return { value: pv, path: [...w.podSpecPath, "securityContext", field], level: "pod" };
  return { value: undefined };
}

export function isWindowsPod(w: Workload): boolean {
  return asObj(w.podSpec.os).name === "windows";
}

/** `hostUsers: false` runs the pod in a user namespace (PSA relaxations from policy v1.35). */
export function usesUserNamespace(w: Workload): boolean {
  return w.podSpec.hostUsers === false;
}

export function makeObjects(file: YamlFile): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of file.docs) {
    if (!isObj(doc.value)) continue;
    const v = doc.value;
    if (isListKind(v)) {
      asArray(v.items).forEach((item, i) => {
        const o = makeObject(file, doc, item, ["items", i]);
        if (o) out.push(o);
      });
      continue;
    }
    const o = makeObject(file, doc, v, []);
    if (o) out.push(o);
  }
  return out;
}

function isListKind(v: Obj): boolean {
  return typeof v.kind === "string" && v.kind.endsWith("List") && Array.isArray(v.items) && typeof v.apiVersion === "string";
}

export function looksLikeK8sObject(v: unknown): v is Obj {
  return isObj(v) && typeof v.apiVersion === "string" && typeof v.kind === "string" && v.kind.length > 0;
}

function makeObject(file: YamlFile, doc: YamlDoc, v: unknown, basePath: Path): K8sObject | undefined {
  if (!looksLikeK8sObject(v)) return undefined;
  const meta = asObj(v.metadata);
  const name = typeof meta.name === "string" ? meta.name : typeof meta.generateName === "string" ? `${meta.generateName}*` : "(unnamed)";
  const namespace = typeof meta.namespace === "string" ? meta.namespace : undefined;
  const apiVersion = v.apiVersion as string;
  const kind = v.kind as string;
  return {
    file,
    doc,
    basePath,
    apiVersion,
    kind,
    name,
    namespace,
    value: v,
    ref: { apiVersion, kind, name, ...(namespace ? { namespace } : {}) },
  };
}
