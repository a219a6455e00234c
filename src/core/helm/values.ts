// Where charts keep their security knobs in values.yaml. There is no schema: these are the
// conventions of `helm create`, Bitnami and most community charts, looked for at any depth so
// that multi-component charts (`controller.securityContext`, `server.podSecurityContext`) are
// covered too.
import type { Path } from "../fix/ops.js";
import type { Obj } from "../model/k8s.js";
import { isObj } from "../model/k8s.js";

export type ValuesVisitor = (path: Path, value: unknown, parent: Obj | unknown[] | undefined) => "skip" | undefined;

/** Depth-first walk over plain values data; "skip" does not descend into the node. */
export function walkValues(data: unknown, visit: ValuesVisitor, maxDepth = 16): void {
  const go = (value: unknown, path: Path, parent: Obj | unknown[] | undefined) => {
    if (path.length > 0 && visit(path, value, parent) === "skip") return;
    if (path.length >= maxDepth) return;
    if (Array.isArray(value)) value.forEach((v, i) => go(v, [...path, i], value));
    else if (isObj(value)) for (const [k, v] of Object.entries(value)) go(v, [...path, k], value);
  };
  go(data, [], undefined);
}

const CONTAINER_SC_KEYS = new Set(["securityContext", "containerSecurityContext"]);
const POD_SC_KEYS = new Set(["podSecurityContext"]);
/** Fields only a pod securityContext has: a `securityContext` holding them is the pod's. */
const POD_ONLY_FIELDS = ["fsGroup", "fsGroupChangePolicy", "supplementalGroups", "supplementalGroupsPolicy", "sysctls", "seLinuxChangePolicy"];
const CONTAINER_ONLY_FIELDS = ["privileged", "allowPrivilegeEscalation", "capabilities", "readOnlyRootFilesystem", "procMount"];

export interface ValuesSecurityContext {
  path: Path;
  level: "pod" | "container";
  value: Obj;
  /** Bitnami-style `enabled` switch inside the map: false means the chart renders none of it. */
  enabled?: boolean;
  /** The pod-level sibling (same parent map) a container securityContext inherits from. */
  pod?: ValuesSecurityContext;
}

function securityContextLevel(key: string, value: Obj): "pod" | "container" | undefined {
  if (POD_SC_KEYS.has(key)) return "pod";
  if (!CONTAINER_SC_KEYS.has(key)) return undefined;
  if (key === "securityContext" && POD_ONLY_FIELDS.some((f) => f in value) && !CONTAINER_ONLY_FIELDS.some((f) => f in value)) return "pod";
  return "container";
}

/** Every securityContext-like map in the values, container ones linked to their pod sibling. */
export function findSecurityContexts(data: unknown): ValuesSecurityContext[] {
  const found: ValuesSecurityContext[] = [];
  walkValues(data, (path, value) => {
    const key = path[path.length - 1];
    if (typeof key !== "string") return;
    // `securityContext: ~` in values is the same knob as `{}`: the chart renders nothing.
    const map = isObj(value) ? value : value === null ? {} : undefined;
    if (!map) return;
    const level = securityContextLevel(key, map);
    if (!level) return;
    found.push({ path, level, value: map, ...(typeof map.enabled === "boolean" ? { enabled: map.enabled } : {}) });
    return "skip";
  });
  const parentKey = (p: Path) => JSON.stringify(p.slice(0, -1));
  const pods = new Map(found.filter((s) => s.level === "pod").map((s) => [parentKey(s.path), s]));
  for (const s of found) if (s.level === "container") {
    const pod = pods.get(parentKey(s.path));
    if (pod) s.pod = pod;
  }
  return found;
}

/** Effective value of an inheritable field (catalog §2.3) between a container map and its pod sibling. */
export function effectiveIn(sc: ValuesSecurityContext, field: string): { value: unknown; path?: Path } {
  const own = sc.value[field];
  if (own !== undefined && own !== null) return { value: own, path: [...sc.path, field] };
  const pod = sc.pod && sc.pod.enabled !== false ? sc.pod.value[field] : undefined;
  if (pod !== undefined && pod !== null) return { value: pod, path: [...sc.pod!.path, field] };
  return { value: undefined };
}

export interface ValuesHit {
  path: Path;
  value: unknown;
}

/** Keys named `name` anywhere (outside securityContext maps) whose value is `true`. */
export function findTrueFlags(data: unknown, names: readonly string[]): ValuesHit[] {
  const wanted = new Set(names);
  const out: ValuesHit[] = [];
  walkValues(data, (path, value) => {
    const key = path[path.length - 1];
    if (typeof key === "string" && CONTAINER_SC_KEYS.has(key)) return "skip";
    if (typeof key === "string" && wanted.has(key) && value === true) out.push({ path, value });
  });
  return out;
}

/** Maps under a key called `name` (at any depth), e.g. every `serviceAccount`, `networkPolicy`. */
export function findMaps(data: unknown, name: string): { path: Path; value: Obj }[] {
  const out: { path: Path; value: Obj }[] = [];
  walkValues(data, (path, value) => {
    if (path[path.length - 1] === name && isObj(value)) out.push({ path, value });
    return undefined;
  });
  return out;
}

/** Image references in the values: `image: {repository, tag, digest}` maps and `image: repo:tag` strings. */
export function findImages(data: unknown): { path: Path; repository?: string; tag?: string; digest?: string; tagPath?: Path }[] {
  const out: { path: Path; repository?: string; tag?: string; digest?: string; tagPath?: Path }[] = [];
  walkValues(data, (path, value) => {
    const key = path[path.length - 1];
    if (typeof key !== "string" || !/^(?:image|[a-z]+Image)$/.test(key)) return;
    if (isObj(value) && (typeof value.repository === "string" || typeof value.name === "string")) {
      const tag = value.tag === undefined || value.tag === null ? undefined : String(value.tag);
      out.push({
        path,
        repository: String(value.repository ?? value.name),
        ...(tag !== undefined ? { tag, tagPath: [...path, "tag"] } : {}),
        ...(typeof value.digest === "string" && value.digest !== "" ? { digest: value.digest } : {}),
      });
      return "skip";
    }
    if (typeof value === "string" && /[/:]/.test(value)) {
      const str = value;
      const at = str.indexOf("@");
      const noDigest = at >= 0 ? str.slice(0, at) : str;
      const colon = noDigest.lastIndexOf(":");
      const tag = colon > noDigest.lastIndexOf("/") ? noDigest.slice(colon + 1) : undefined;
      out.push({ path, repository: colon > noDigest.lastIndexOf("/") ? noDigest.slice(0, colon) : noDigest, ...(tag ? { tag } : {}), ...(at >= 0 ? { digest: str.slice(at + 1) } : {}) });
    }
  });
  return out;
}

/** RBAC rules given in values (`rbac.rules`, `rbac.extraRules`, `clusterRole.rules` …). */
export function findRbacRules(data: unknown): { path: Path; rule: Obj }[] {
  const out: { path: Path; rule: Obj }[] = [];
  walkValues(data, (path, value) => {
    if (!isObj(value)) return;
    if (!path.some((p) => typeof p === "string" && /rbac|role/i.test(p))) return;
    if (typeof path[path.length - 1] !== "number") return;
    if (Array.isArray(value.verbs) || Array.isArray(value.resources)) {
      out.push({ path, rule: value });
      return "skip";
    }
  });
  return out;
}
