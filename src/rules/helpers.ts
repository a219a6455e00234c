// Small readers shared by the checks: typed access to container and pod fields, and
// message fragments that name the resource, the container and the field.
import type { ContainerRef, Obj, Workload } from "../core/model/k8s.js";
import { asObj } from "../core/model/k8s.js";
import type { Path } from "../core/fix/ops.js";

export function sc(c: ContainerRef): Obj {
  return asObj(c.value.securityContext);
}

export function podSc(w: Workload): Obj {
  return asObj(w.podSpec.securityContext);
}

export function containerLabel(c: ContainerRef): string {
  const set = c.set === "containers" ? "container" : c.set === "initContainers" ? (c.sidecar ? "sidecar container" : "init container") : "ephemeral container";
  return `${set} "${c.name}"`;
}

export function resourceLabel(w: Workload): string {
  return `${w.obj.kind} "${w.obj.name}"`;
}

export function where(w: Workload, c?: ContainerRef): string {
  return c ? `${resourceLabel(w)}, ${containerLabel(c)}` : resourceLabel(w);
}

export function scPath(c: ContainerRef, ...rest: (string | number)[]): Path {
  return [...c.path, "securityContext", ...rest];
}

export function podScPath(w: Workload, ...rest: (string | number)[]): Path {
  return [...w.podSpecPath, "securityContext", ...rest];
}

export function fieldName(path: Path): string {
  return path.filter((p) => typeof p === "string").slice(-2).join(".");
}

/** Never echo a secret: keep a hint of its shape, not its content. */
export function redact(value: string): string {
  if (value.length <= 4) return "****";
  return `${value.slice(0, 2)}${"*".repeat(Math.min(8, value.length - 2))} (${value.length} chars)`;
}
