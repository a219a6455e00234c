// Resources and probes (catalog §3.8). Only containers that run for the pod's lifetime
// (C_run: regular containers and native sidecars) are checked. None of these rules has a
// fix: the right limit or probe depends on the application, and a placeholder value
// would make the finding disappear without making the workload correct.
import type { CheckContext, RuleCheck } from "../core/engine/check.js";
import type { ContainerRef, Obj, Workload } from "../core/model/k8s.js";
import { asArray, asObj, isObj, runningContainers } from "../core/model/k8s.js";
import { where } from "./helpers.js";

type ResourceName = "memory" | "cpu" | "ephemeral-storage";

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== "";
}

function resources(c: ContainerRef): { limits: Obj; requests: Obj } {
  const r = asObj(c.value.resources);
  return { limits: asObj(r.limits), requests: asObj(r.requests) };
}

/** Pod-level resources (spec.resources, beta in 1.34) bound every container that sets none of its own. */
function podLevel(w: Workload): { limits: Obj; requests: Obj } {
  const r = asObj(w.podSpec.resources);
  return { limits: asObj(r.limits), requests: asObj(r.requests) };
}

interface ResourceRule {
  id: string;
  kind: "limits" | "requests";
  resource: ResourceName;
  why: string;
  how: string;
}

function resourceCheck(rule: ResourceRule): RuleCheck {
  return {
    id: rule.id,
    workload(w, ctx) {
      if (rule.resource !== "ephemeral-storage") {
        // Pod-level resources cover only cpu and memory; a pod-level limit also defaults the pod-level request.
        const pod = podLevel(w);
        if (isSet(pod[rule.kind][rule.resource]) || (rule.kind === "requests" && isSet(pod.limits[rule.resource]))) return;
      }
      for (const c of runningContainers(w)) {
        const r = resources(c);
        if (isSet(r[rule.kind][rule.resource])) continue;
        // Without a request the API server copies the limit into it, so a limit alone is enough.
        if (rule.kind === "requests" && isSet(r.limits[rule.resource])) continue;
        ctx.report({
          object: w.obj,
          container: c,
          path: [...c.path, "resources", rule.kind, rule.resource],
          message: `${where(w, c)} has no resources.${rule.kind}.${rule.resource}: ${rule.why} ${rule.how}`,
        });
      }
    },
  };
}

const MEASURE = "Choose the value from observed usage (metrics, or a VerticalPodAutoscaler recommendation in Off mode) plus headroom.";

const memoryLimit = resourceCheck({
  id: "K8S-RES-001",
  kind: "limits",
  resource: "memory",
  why: "a leak or a hostile input can consume the node's memory and get other pods on the node OOM-killed or evicted.",
  how: `Set a memory limit. ${MEASURE}`,
});

const memoryRequest = resourceCheck({
  id: "K8S-RES-002",
  kind: "requests",
  resource: "memory",
  why: "the scheduler reserves no memory for it, so it can be placed on a full node and is among the first evicted under memory pressure.",
  how: `Set a memory request (or a limit, which the request then defaults to). ${MEASURE}`,
});

const cpuRequest = resourceCheck({
  id: "K8S-RES-003",
  kind: "requests",
  resource: "cpu",
  why: "the scheduler reserves no CPU for it, so under contention it gets only the minimal CPU share and latency becomes unpredictable.",
  how: `Set a CPU request. ${MEASURE}`,
});

const cpuLimit = resourceCheck({
  id: "K8S-RES-004",
  kind: "limits",
  resource: "cpu",
  why: "it may use all idle CPU of the node.",
  how: `If your policy requires CPU limits, set one from observed usage; many teams deliberately set only a CPU request, because limits cause throttling.`,
});

const ephemeralStorageLimit = resourceCheck({
  id: "K8S-RES-005",
  kind: "limits",
  resource: "ephemeral-storage",
  why: "logs, emptyDir volumes and the writable layer can fill the node's disk, which evicts every pod on that node.",
  how: `Set an ephemeral-storage limit. ${MEASURE}`,
});

/** Kinds whose pods are meant to run indefinitely; run-to-completion pods do not need probes. */
const LONG_RUNNING = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Pod", "Rollout", "DeploymentConfig"]);

function isLongRunning(w: Workload): boolean {
  if (!LONG_RUNNING.has(w.obj.kind)) return false;
  // A bare Pod that does not restart is a one-off task, not a service.
  if (w.obj.kind === "Pod") return w.podSpec.restartPolicy === undefined || w.podSpec.restartPolicy === "Always";
  return true;
}

function probeCheck(id: string, probe: "readinessProbe" | "livenessProbe", message: string): RuleCheck {
  return {
    id,
    workload(w, ctx) {
      if (!isLongRunning(w)) return;
      for (const c of runningContainers(w)) {
        if (isObj(c.value[probe])) continue;
        ctx.report({ object: w.obj, container: c, path: [...c.path, probe], message: `${where(w, c)} has no ${probe}: ${message}` });
      }
    },
  };
}

const readinessProbe = probeCheck(
  "K8S-RES-006",
  "readinessProbe",
  "it receives Service traffic as soon as it starts, before it can answer, and a rollout of a broken version is not stopped. Add a readinessProbe (httpGet, tcpSocket, grpc or exec) against an endpoint that reports whether this instance can serve requests.",
);

const livenessProbe = probeCheck(
  "K8S-RES-007",
  "livenessProbe",
  "a deadlocked or hung process keeps running and is never restarted. Add a livenessProbe that checks only the process itself (not its dependencies, or one outage restarts every replica), with a generous failureThreshold.",
);

// ---- K8S-RES-008 ------------------------------------------------------------------

const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;
const HANDLERS = ["httpGet", "tcpSocket", "grpc"] as const;

function declaredPorts(c: ContainerRef): { names: Set<string>; numbers: Set<number> } {
  const names = new Set<string>();
  const numbers = new Set<number>();
  for (const p of asArray(c.value.ports)) {
    const port = asObj(p);
    if (typeof port.name === "string") names.add(port.name);
    if (typeof port.containerPort === "number") numbers.add(port.containerPort);
  }
  return { names, numbers };
}

function checkProbePorts(w: Workload, c: ContainerRef, ctx: CheckContext): void {
  const own = declaredPorts(c);
  for (const probe of PROBES) {
    const p = asObj(c.value[probe]);
    for (const handler of HANDLERS) {
      const h = p[handler];
      if (!isObj(h)) continue;
      // With an explicit host the port belongs to another machine (K8S-HOST-008 reports that).
      if (typeof h.host === "string" && h.host !== "") continue;
      const port = h.port;
      const path = [...c.path, probe, handler, "port"];
      const numeric = typeof port === "number" ? port : typeof port === "string" && /^\d+$/.test(port) ? Number(port) : undefined;
      if (numeric === undefined) {
        if (typeof port !== "string" || port === "" || own.names.has(port)) continue;
        const known = [...own.names];
        ctx.report({
          object: w.obj,
          container: c,
          path,
          key: `${probe}.${handler}`,
          // Certain failure: the kubelet resolves named ports only among this container's ports.
          severity: "medium",
          message: `${where(w, c)}: ${probe}.${handler}.port is the named port "${port}", which this container does not declare (${known.length > 0 ? `its ports are ${known.map((n) => `"${n}"`).join(", ")}` : "it declares no named ports"}), so the probe can never succeed${probe === "readinessProbe" ? " and the container never becomes ready" : " and the kubelet keeps restarting the container"}. Name the port in ports[] or use the right name.`,
        });
        continue;
      }
      if (own.numbers.has(numeric)) continue;
      const owner = runningContainers(w).find((o) => o !== c && declaredPorts(o).numbers.has(numeric));
      if (owner) {
        ctx.report({
          object: w.obj,
          container: c,
          path,
          key: `${probe}.${handler}`,
          message: `${where(w, c)}: ${probe}.${handler}.port ${numeric} is declared by container "${owner.name}", not by this one, so the probe checks the other container's health${probe === "readinessProbe" ? "" : " and restarts this one when the other fails"}. Probe a port this container serves.`,
        });
        continue;
      }
      // Ports are informational: with none declared at all, a numeric probe port is no evidence of a mistake.
      if (own.numbers.size === 0) continue;
      ctx.report({
        object: w.obj,
        container: c,
        path,
        key: `${probe}.${handler}`,
        message: `${where(w, c)}: ${probe}.${handler}.port ${numeric} is not among the container's declared ports (${[...own.numbers].join(", ")}); if the application does not listen on ${numeric} the probe always fails. Probe a declared port, or declare ${numeric} in ports[].`,
      });
    }
  }
}

const probePorts: RuleCheck = {
  id: "K8S-RES-008",
  workload(w, ctx) {
    for (const c of runningContainers(w)) checkProbePorts(w, c, ctx);
  },
};

export const RESOURCES_CHECKS: RuleCheck[] = [memoryLimit, memoryRequest, cpuRequest, cpuLimit, ephemeralStorageLimit, readinessProbe, livenessProbe, probePorts];
