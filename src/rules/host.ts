// Host isolation (catalog §3.3): host namespaces, hostPath, host ports, probe hosts.
// The PSS controls among them follow Pod Security Admission (policy/check_*.go).
import { posix } from "node:path";
import type { RuleCheck } from "../core/engine/check.js";
import type { Project } from "../core/engine/project.js";
import type { ContainerRef, K8sObject, Obj, Workload } from "../core/model/k8s.js";
import { asArray, asObj, isObj } from "../core/model/k8s.js";
import { containerLabel, resourceLabel, where } from "./helpers.js";
import { policyLabel, policyMinor } from "./runtime.js";

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

// ---------------------------------------------------------------------------------------
// K8S-HOST-001 / 002 / 003 — host namespaces (baseline)

function hostNamespace(id: string, field: "hostNetwork" | "hostPID" | "hostIPC", what: string): RuleCheck {
  return {
    id,
    workload(w, ctx) {
      if (w.podSpec[field] !== true) return;
      const path = [...w.podSpecPath, field];
      ctx.report({
        object: w.obj,
        path,
        message: `${resourceLabel(w)}: ${field}: true shares the node's ${what} with every container of the pod (PSS baseline, policy ${policyLabel(ctx)}). Remove it; node agents that truly need it should be suppressed with a reason.`,
        fix: { description: `Remove ${field}`, ops: [{ op: "delete", path }] },
      });
    },
  };
}

const hostNetwork = hostNamespace("K8S-HOST-001", "hostNetwork", "network namespace (its interfaces, localhost services and ports)");
const hostPID = hostNamespace("K8S-HOST-002", "hostPID", "process namespace (every process on the node becomes visible and signalable)");
const hostIPC = hostNamespace("K8S-HOST-003", "hostIPC", "IPC namespace (shared memory and message queues of host processes)");

// ---------------------------------------------------------------------------------------
// hostPath volumes: K8S-HOST-004, 005, 006

interface HostPathVolume {
  index: number;
  name: string;
  /** Normalised absolute path ("" when missing). */
  path: string;
  type: string;
}

function hostPathVolumes(w: Workload): HostPathVolume[] {
  const out: HostPathVolume[] = [];
  asArray(w.podSpec.volumes).forEach((raw, index) => {
    const v = asObj(raw);
    if (!isObj(v.hostPath)) return;
    const p = str(v.hostPath.path) ?? "";
    out.push({ index, name: str(v.name) ?? `volumes[${index}]`, path: p ? posix.normalize(p).replace(/(.)\/+$/, "$1") : "", type: str(v.hostPath.type) ?? "" });
  });
  return out;
}

/** Containers (any set) that mount the volume, with the index of the mount. */
function mountsOf(w: Workload, volume: string): { c: ContainerRef; index: number; mount: Obj }[] {
  const out: { c: ContainerRef; index: number; mount: Obj }[] = [];
  for (const c of w.containers) {
    asArray(c.value.volumeMounts).forEach((m, index) => {
      if (str(asObj(m).name) === volume) out.push({ c, index, mount: asObj(m) });
    });
  }
  return out;
}

function mountedBy(w: Workload, volume: string): string {
  const names = [...new Set(mountsOf(w, volume).map((m) => `"${m.c.name}"`))];
  if (names.length === 0) return "not mounted by any container";
  return `mounted by ${names.length === 1 ? "container" : "containers"} ${names.join(", ")}`;
}

const SENSITIVE_HOST_PATHS = ["/etc", "/proc", "/sys", "/boot", "/dev", "/lib", "/usr", "/root", "/var/lib/kubelet", "/var/lib/docker", "/var/lib/containerd", "/var/run", "/run"];

function sensitiveHostPath(p: string): boolean {
  return p === "/" || SENSITIVE_HOST_PATHS.some((s) => p === s || p.startsWith(`${s}/`));
}

const hostPath: RuleCheck = {
  id: "K8S-HOST-004",
  workload(w, ctx) {
    for (const v of hostPathVolumes(w)) {
      const sensitive = sensitiveHostPath(v.path);
      ctx.report({
        object: w.obj,
        path: [...w.podSpecPath, "volumes", v.index, "hostPath"],
        key: v.name,
        severity: sensitive ? "critical" : undefined,
        message: `${resourceLabel(w)}: volume "${v.name}" is a hostPath volume (${v.path || "no path"}${sensitive ? ", a sensitive node directory" : ""}; ${mountedBy(w, v.name)}): it exposes the node's filesystem to the pod (PSS baseline, policy ${policyLabel(ctx)}). Use a configMap, secret, emptyDir or a PersistentVolumeClaim instead.`,
      });
    }
  },
};

const RUNTIME_SOCKETS = ["docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock", "podman.sock"];

function runtimeSocket(p: string): boolean {
  return RUNTIME_SOCKETS.includes(posix.basename(p));
}

const runtimeSocketMount: RuleCheck = {
  id: "K8S-HOST-005",
  workload(w, ctx) {
    for (const v of hostPathVolumes(w)) {
      if (!runtimeSocket(v.path)) continue;
      ctx.report({
        object: w.obj,
        path: [...w.podSpecPath, "volumes", v.index, "hostPath", "path"],
        key: v.name,
        message: `${resourceLabel(w)}: hostPath volume "${v.name}" is the container runtime socket ${v.path} (${mountedBy(w, v.name)}): whoever can talk to it can start privileged containers and owns the node. Remove it; build images with a daemonless builder (BuildKit rootless, kaniko) instead.`,
      });
    }
  },
};

const hostPathReadWrite: RuleCheck = {
  id: "K8S-HOST-006",
  workload(w, ctx) {
    for (const v of hostPathVolumes(w)) {
      for (const m of mountsOf(w, v.name)) {
        if (m.mount.readOnly === true) continue;
        const path = [...m.c.path, "volumeMounts", m.index, "readOnly"];
        const head = `${where(w, m.c)}: volumeMounts[${m.index}] mounts hostPath volume "${v.name}" (${v.path || "no path"}) read-write, so the container can change files on the node`;
        // A read-only bind mount does not stop connect() on a Unix socket: the patch would
        // silence the finding without removing the risk.
        if (v.type === "Socket" || runtimeSocket(v.path)) {
          ctx.report({ object: w.obj, container: m.c, path, key: v.name, message: `${head}. readOnly: true would not help: a socket stays usable through a read-only mount; remove the volume (see K8S-HOST-005).` });
          continue;
        }
        ctx.report({
          object: w.obj,
          container: m.c,
          path,
          key: v.name,
          message: `${head}. Set readOnly: true on the mount, or use another volume type.`,
          fix: { description: `Mount "${v.name}" read-only in ${containerLabel(m.c)}`, ops: [{ op: "set", path, value: true }] },
        });
      }
    }
  },
};

// ---------------------------------------------------------------------------------------
// K8S-HOST-007 — hostPort (baseline)

/** A Service in this scan that selects the pod and targets the port: removing hostPort keeps the port reachable. */
function exposingService(p: Project, w: Workload, port: Obj): K8sObject | undefined {
  const labels = asObj(w.podMeta.labels);
  const containerPort = port.containerPort;
  const portName = str(port.name);
  return p.byKind("Service").find((svc) => {
    if (svc.apiVersion !== "v1") return false;
    // Manifests often leave the namespace to `kubectl -n`: an unset one matches any.
    if (svc.namespace !== undefined && w.obj.namespace !== undefined && svc.namespace !== w.obj.namespace) return false;
    const spec = asObj(svc.value.spec);
    const selector = Object.entries(asObj(spec.selector));
    if (selector.length === 0 || !selector.every(([k, v]) => labels[k] === v)) return false;
    return asArray(spec.ports).some((sp) => {
      const target = asObj(sp).targetPort ?? asObj(sp).port;
      return (typeof target === "number" && target === containerPort) || (portName !== undefined && target === portName);
    });
  });
}

const hostPort: RuleCheck = {
  id: "K8S-HOST-007",
  project(p, ctx) {
    for (const w of p.workloads) {
      for (const c of w.containers) {
        asArray(c.value.ports).forEach((raw, i) => {
          const port = asObj(raw);
          if (port.hostPort === undefined || port.hostPort === null || port.hostPort === 0) return;
          const path = [...c.path, "ports", i, "hostPort"];
          const head = `${where(w, c)}: ports[${i}].hostPort ${String(port.hostPort)} binds the port on the node's interfaces, bypassing NetworkPolicy and limiting scheduling (PSS baseline, policy ${policyLabel(ctx)})`;
          const svc = exposingService(p, w, port);
          if (!svc) {
            ctx.report({ object: w.obj, container: c, path, message: `${head}. No Service in this change selects the pod on containerPort ${String(port.containerPort)}: expose it through a Service, then remove hostPort.` });
            return;
          }
          ctx.report({
            object: w.obj,
            container: c,
            path,
            message: `${head}. Service "${svc.name}" already exposes containerPort ${String(port.containerPort)}: remove hostPort and reach the pod through the Service.`,
            fix: { description: `Remove hostPort ${String(port.hostPort)}`, ops: [{ op: "delete", path }] },
          });
        });
      }
    }
  },
};

// ---------------------------------------------------------------------------------------
// K8S-HOST-008 — probe / lifecycle host (baseline, v1.34+)

const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;
const HOOKS = ["postStart", "preStop"] as const;
const HANDLERS = ["httpGet", "tcpSocket"] as const;

const probeHost: RuleCheck = {
  id: "K8S-HOST-008",
  workload(w, ctx) {
    if (policyMinor(ctx) < 34) return;
    // Ephemeral containers cannot have probes or lifecycle hooks.
    for (const c of w.containers.filter((x) => x.set !== "ephemeralContainers")) {
      const handlers: { where: string[]; value: unknown }[] = [
        ...PROBES.map((p) => ({ where: [p], value: c.value[p] })),
        ...HOOKS.map((h) => ({ where: ["lifecycle", h], value: asObj(c.value.lifecycle)[h] })),
      ];
      for (const h of handlers) {
        for (const kind of HANDLERS) {
          const host = str(asObj(asObj(h.value)[kind]).host) ?? "";
          if (host === "") continue;
          const path = [...c.path, ...h.where, kind, "host"];
          ctx.report({
            object: w.obj,
            container: c,
            path,
            key: [...h.where, kind].join("."),
            message: `${where(w, c)}: ${[...h.where, kind].join(".")}.host is ${host}, so the kubelet sends requests to another host on the pod's behalf (PSS baseline, policy ${policyLabel(ctx)}). Remove host so the pod IP is used.`,
            fix: { description: `Remove ${[...h.where, kind].join(".")}.host`, ops: [{ op: "delete", path }] },
          });
        }
      }
    }
  },
};

// ---------------------------------------------------------------------------------------
// K8S-HOST-009 — privileged / SSH container port

const privilegedPort: RuleCheck = {
  id: "K8S-HOST-009",
  workload(w, ctx) {
    for (const c of w.containers) {
      asArray(c.value.ports).forEach((raw, i) => {
        const port = asObj(raw).containerPort;
        if (typeof port !== "number" || port <= 0 || port >= 1024) return;
        const ssh = port === 22;
        ctx.report({
          object: w.obj,
          container: c,
          path: [...c.path, "ports", i, "containerPort"],
          key: String(port),
          severity: ssh ? "low" : undefined,
          message: ssh
            ? `${where(w, c)}: containerPort 22 suggests an SSH server in the container: use kubectl exec/debug instead of SSH and remove the port.`
            : `${where(w, c)}: containerPort ${port} is a privileged port (< 1024), which needs root or NET_BIND_SERVICE: listen on a port ≥ 1024 and map it with the Service's targetPort.`,
        });
      });
    }
  },
};

export const HOST_CHECKS: RuleCheck[] = [hostNetwork, hostPID, hostIPC, hostPath, runtimeSocketMount, hostPathReadWrite, hostPort, probeHost, privilegedPort];
