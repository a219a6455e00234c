// Everything one scan sees, for cross-resource rules (NetworkPolicy selection,
// ServiceAccount automount, RoleBinding → Role …).
import type { K8sObject, Workload } from "../model/k8s.js";
import type { DockerfileModel } from "../parse/dockerfile.js";

export interface Project {
  objects: K8sObject[];
  workloads: Workload[];
  dockerfiles: DockerfileModel[];
  /** Every file path in the scan (e.g. to look for a .dockerignore next to a Dockerfile). */
  paths: ReadonlySet<string>;
  byKind(kind: string): K8sObject[];
}

export function makeProject(objects: K8sObject[], workloads: Workload[], dockerfiles: DockerfileModel[], paths: Iterable<string>): Project {
  const index = new Map<string, K8sObject[]>();
  for (const o of objects) {
    const list = index.get(o.kind);
    if (list) list.push(o);
    else index.set(o.kind, [o]);
  }
  return { objects, workloads, dockerfiles, paths: new Set(paths), byKind: (kind) => index.get(kind) ?? [] };
}
