// Pod Security Admission conformance, in the shape of pod-security-admission's
// test/fixtures_*.go: for every PSA check, minimal pods that pass and fail, evaluated
// at every policy version under the pss-baseline / pss-restricted profiles. A fail case
// must raise exactly its rule (plus the rules a higher level adds) from the check's first
// policy version on, and nothing before; a pass case must raise nothing.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { scan } from "../../src/core/engine/scan.js";
import { getCatalog } from "../../src/core/engine/catalog.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import type { BulwarkConfig } from "../../src/core/config/schema.js";

type Obj = Record<string, unknown>;
type Level = "baseline" | "restricted";
type PssProfile = "pss-baseline" | "pss-restricted";

interface Container extends Obj {
  name: string;
  image: string;
  securityContext?: Obj;
}

interface Pod {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: Obj & { initContainers: Container[]; containers: Container[]; ephemeralContainers?: Container[]; securityContext?: Obj; volumes?: Obj[] };
}

/** A rule a fail case raises in addition to its own, from a policy version and under a profile. */
interface Also {
  rule: string;
  since: number;
  profiles: PssProfile[];
}

interface PodCase {
  name: string;
  mutate: (p: Pod) => void;
  /** Policy versions (minor) the case applies to; outside them it is not evaluated. */
  since?: number;
  until?: number;
  also?: Also[];
}

interface Fixture {
  /** PSA check ID(s) in policy/check_*.go. */
  check: string;
  rule: string;
  level: Level;
  /** First and last policy version (minor) in which the check reads these fields. */
  since: number;
  until?: number;
  pass: PodCase[];
  fail: PodCase[];
}

const VERSIONS = ["1.0", "1.7", "1.8", "1.18", "1.19", "1.21", "1.22", "1.23", "1.24", "1.25", "1.26", "1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37", "latest"];

function minor(v: string): number {
  return v === "latest" ? Number.POSITIVE_INFINITY : Number(v.split(".")[1]);
}

function container(name: string): Container {
  return { name, image: "registry.k8s.io/pause:3.10" };
}

/** PSA's minimal valid pods: the baseline one sets nothing, the restricted one the least it needs. */
function basePod(level: Level): Pod {
  const pod: Pod = { metadata: { name: "test" }, spec: { initContainers: [container("init")], containers: [container("app")] } };
  if (level === "restricted") {
    pod.spec.securityContext = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
    for (const c of [...pod.spec.initContainers, ...pod.spec.containers]) c.securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
  }
  return pod;
}

function sc(c: Container): Obj {
  c.securityContext ??= {};
  return c.securityContext;
}

function podSc(p: Pod): Obj {
  p.spec.securityContext ??= {};
  return p.spec.securityContext;
}

function caps(c: Container): Obj {
  const s = sc(c);
  s.capabilities ??= {};
  return s.capabilities as Obj;
}

const app = (p: Pod) => p.spec.containers[0];
const init = (p: Pod) => p.spec.initContainers[0];
const every = (p: Pod) => [...p.spec.initContainers, ...p.spec.containers, ...(p.spec.ephemeralContainers ?? [])];

function annotate(p: Pod, key: string, value: string): void {
  p.metadata.annotations = { ...p.metadata.annotations, [key]: value };
}

function withEphemeral(p: Pod): Container {
  const c = container("dbg");
  p.spec.ephemeralContainers = [c];
  return c;
}

const restrictedOnly = (rule: string, since: number): Also => ({ rule, since, profiles: ["pss-restricted"] });

const FIXTURES: Fixture[] = [
  {
    check: "windowsHostProcess",
    rule: "K8S-RUNTIME-014",
    level: "baseline",
    since: 0,
    pass: [{ name: "hostProcess false everywhere", mutate: (p) => {
      podSc(p).windowsOptions = { hostProcess: false };
      for (const c of every(p)) sc(c).windowsOptions = { hostProcess: false };
    } }],
    fail: [
      { name: "pod-level hostProcess", mutate: (p) => void (podSc(p).windowsOptions = { hostProcess: true }) },
      { name: "container hostProcess", mutate: (p) => void (sc(app(p)).windowsOptions = { hostProcess: true }) },
      { name: "init container hostProcess", mutate: (p) => void (sc(init(p)).windowsOptions = { hostProcess: true }) },
    ],
  },
  ...(["hostNetwork", "hostPID", "hostIPC"] as const).map((field, i): Fixture => ({
    check: "hostNamespaces",
    rule: `K8S-HOST-00${i + 1}`,
    level: "baseline",
    since: 0,
    pass: [{ name: `${field} false`, mutate: (p) => void (p.spec[field] = false) }],
    fail: [{ name: `${field} true`, mutate: (p) => void (p.spec[field] = true) }],
  })),
  {
    check: "privileged",
    rule: "K8S-RUNTIME-001",
    level: "baseline",
    since: 0,
    pass: [{ name: "privileged false", mutate: (p) => { for (const c of every(p)) sc(c).privileged = false; } }],
    fail: [
      { name: "container privileged", mutate: (p) => void (sc(app(p)).privileged = true) },
      { name: "init container privileged", mutate: (p) => void (sc(init(p)).privileged = true) },
      {
        name: "ephemeral container privileged",
        mutate: (p) => void (sc(withEphemeral(p)).privileged = true),
        // the added container sets none of restricted's fields
        also: [restrictedOnly("K8S-RUNTIME-002", 8), restrictedOnly("K8S-RUNTIME-007", 22)],
      },
    ],
  },
  {
    check: "capabilities_baseline",
    rule: "K8S-RUNTIME-006",
    level: "baseline",
    since: 0,
    pass: [
      { name: "every capability of the baseline set", mutate: (p) => void (caps(app(p)).add = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]) },
      { name: "empty add", mutate: (p) => void (caps(app(p)).add = []) },
    ],
    fail: [
      { name: "NET_RAW", mutate: (p) => void (caps(app(p)).add = ["NET_RAW"]), also: [restrictedOnly("K8S-RUNTIME-007", 22)] },
      { name: "SYS_ADMIN on the init container", mutate: (p) => void (caps(init(p)).add = ["SYS_ADMIN"]), also: [restrictedOnly("K8S-RUNTIME-007", 22)] },
      { name: "CAP_CHOWN (literal comparison)", mutate: (p) => void (caps(app(p)).add = ["CAP_CHOWN"]), also: [restrictedOnly("K8S-RUNTIME-007", 22)] },
      { name: "chown (literal comparison)", mutate: (p) => void (caps(app(p)).add = ["chown"]), also: [restrictedOnly("K8S-RUNTIME-007", 22)] },
    ],
  },
  {
    check: "hostPathVolumes",
    rule: "K8S-HOST-004",
    level: "baseline",
    since: 0,
    pass: [
      { name: "emptyDir volume", mutate: (p) => void (p.spec.volumes = [{ name: "a", emptyDir: {} }]) },
      // restricted-only sources are fine at baseline
      { name: "nfs volume", mutate: (p) => void (p.spec.volumes = [{ name: "a", nfs: { server: "nfs", path: "/x" } }]) },
    ],
    fail: [{ name: "hostPath volume (restricted reports it here too, not as a volume type)", mutate: (p) => void (p.spec.volumes = [{ name: "a", hostPath: { path: "/a" } }]) }],
  },
  {
    check: "hostPorts",
    rule: "K8S-HOST-007",
    level: "baseline",
    since: 0,
    pass: [{ name: "hostPort 0 and unset", mutate: (p) => void (app(p).ports = [{ containerPort: 8080, hostPort: 0 }, { containerPort: 8081 }]) }],
    fail: [
      { name: "container hostPort", mutate: (p) => void (app(p).ports = [{ containerPort: 8080, hostPort: 12345 }]) },
      { name: "init container hostPort", mutate: (p) => void (init(p).ports = [{ containerPort: 8080, hostPort: 12345 }]) },
    ],
  },
  {
    check: "hostProbesAndHostLifecycle",
    rule: "K8S-HOST-008",
    level: "baseline",
    since: 34,
    pass: [{ name: "empty host", mutate: (p) => void (app(p).livenessProbe = { httpGet: { host: "", port: 8080 } }) }],
    fail: [
      { name: "liveness httpGet host", mutate: (p) => void (app(p).livenessProbe = { httpGet: { host: "example.com", port: 8080 } }) },
      { name: "startup tcpSocket host", mutate: (p) => void (app(p).startupProbe = { tcpSocket: { host: "example.com", port: 8080 } }) },
      { name: "postStart tcpSocket host", mutate: (p) => void (app(p).lifecycle = { postStart: { tcpSocket: { host: "example.com", port: 8080 } } }) },
      { name: "init container readiness httpGet host", mutate: (p) => void (init(p).readinessProbe = { httpGet: { host: "example.com", port: 8080 } }) },
    ],
  },
  {
    check: "appArmorProfile",
    rule: "K8S-RUNTIME-010",
    level: "baseline",
    since: 0,
    pass: [
      { name: "RuntimeDefault and Localhost fields", mutate: (p) => {
        podSc(p).appArmorProfile = { type: "RuntimeDefault" };
        sc(app(p)).appArmorProfile = { type: "Localhost", localhostProfile: "foo" };
      } },
      { name: "allowed annotations", mutate: (p) => {
        annotate(p, "container.apparmor.security.beta.kubernetes.io/app", "runtime/default");
        annotate(p, "container.apparmor.security.beta.kubernetes.io/init", "localhost/foo");
        annotate(p, "container.apparmor.security.beta.kubernetes.io/other", "");
      } },
    ],
    fail: [
      { name: "pod-level Unconfined", mutate: (p) => void (podSc(p).appArmorProfile = { type: "Unconfined" }) },
      { name: "container Unconfined", mutate: (p) => void (sc(app(p)).appArmorProfile = { type: "Unconfined" }) },
      { name: "annotation unconfined", mutate: (p) => annotate(p, "container.apparmor.security.beta.kubernetes.io/app", "unconfined") },
      { name: "annotation for a container that does not exist", mutate: (p) => annotate(p, "container.apparmor.security.beta.kubernetes.io/ghost", "unconfined") },
    ],
  },
  {
    check: "seLinuxOptions",
    rule: "K8S-RUNTIME-011",
    level: "baseline",
    since: 0,
    pass: [
      { name: "allowed types and a level", mutate: (p) => {
        podSc(p).seLinuxOptions = { level: "s0:c1,c2" };
        sc(init(p)).seLinuxOptions = { type: "container_init_t" };
        sc(app(p)).seLinuxOptions = { type: "container_kvm_t" };
      } },
      { name: "container_t at pod level", mutate: (p) => void (podSc(p).seLinuxOptions = { type: "container_t" }) },
      { name: "container_engine_t (v1.31+)", since: 31, mutate: (p) => void (sc(app(p)).seLinuxOptions = { type: "container_engine_t" }) },
    ],
    fail: [
      { name: "custom type on a container", mutate: (p) => void (sc(app(p)).seLinuxOptions = { type: "spc_t" }) },
      { name: "custom type at pod level", mutate: (p) => void (podSc(p).seLinuxOptions = { type: "unconfined_t" }) },
      { name: "user", mutate: (p) => void (sc(init(p)).seLinuxOptions = { user: "system_u" }) },
      { name: "role", mutate: (p) => void (podSc(p).seLinuxOptions = { role: "system_r" }) },
      { name: "container_engine_t before v1.31", until: 30, mutate: (p) => void (sc(app(p)).seLinuxOptions = { type: "container_engine_t" }) },
    ],
  },
  {
    check: "procMount",
    rule: "K8S-RUNTIME-012",
    level: "baseline",
    since: 0,
    pass: [{ name: "Default", mutate: (p) => { for (const c of every(p)) sc(c).procMount = "Default"; } }],
    fail: [
      { name: "Unmasked on a container", mutate: (p) => void (sc(app(p)).procMount = "Unmasked") },
      { name: "Unmasked on the init container", mutate: (p) => void (sc(init(p)).procMount = "Unmasked") },
    ],
  },
  {
    check: "seccompProfile_baseline (fields, v1.19+)",
    rule: "K8S-RUNTIME-008",
    level: "baseline",
    since: 19,
    pass: [
      { name: "RuntimeDefault and Localhost", mutate: (p) => {
        podSc(p).seccompProfile = { type: "RuntimeDefault" };
        sc(app(p)).seccompProfile = { type: "Localhost", localhostProfile: "app.json" };
      } },
    ],
    fail: [
      { name: "pod-level Unconfined", mutate: (p) => void (podSc(p).seccompProfile = { type: "Unconfined" }), also: [restrictedOnly("K8S-RUNTIME-009", 19)] },
      { name: "container Unconfined", mutate: (p) => void (sc(app(p)).seccompProfile = { type: "Unconfined" }) },
      { name: "init container profile without a type", mutate: (p) => void (sc(init(p)).seccompProfile = {}) },
    ],
  },
  {
    check: "seccompProfile_baseline (annotations, before v1.19)",
    rule: "K8S-RUNTIME-008",
    level: "baseline",
    since: 0,
    until: 18,
    pass: [
      { name: "allowed annotation values", mutate: (p) => {
        annotate(p, "seccomp.security.alpha.kubernetes.io/pod", "runtime/default");
        annotate(p, "container.seccomp.security.alpha.kubernetes.io/app", "docker/default");
        annotate(p, "container.seccomp.security.alpha.kubernetes.io/init", "localhost/init.json");
      } },
    ],
    fail: [
      { name: "pod annotation unconfined", mutate: (p) => annotate(p, "seccomp.security.alpha.kubernetes.io/pod", "unconfined") },
      { name: "container annotation unconfined", mutate: (p) => annotate(p, "container.seccomp.security.alpha.kubernetes.io/app", "unconfined") },
    ],
  },
  {
    check: "sysctls",
    rule: "K8S-RUNTIME-013",
    level: "baseline",
    since: 0,
    pass: [
      { name: "v1.0 safe set", mutate: (p) => void (podSc(p).sysctls = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"].map((name) => ({ name, value: "0" }))) },
      { name: "ip_local_reserved_ports (v1.27+)", since: 27, mutate: (p) => void (podSc(p).sysctls = [{ name: "net.ipv4.ip_local_reserved_ports", value: "0" }]) },
      { name: "tcp_keepalive_time and tcp_fin_timeout (v1.29+)", since: 29, mutate: (p) => void (podSc(p).sysctls = [{ name: "net.ipv4.tcp_keepalive_time", value: "1" }, { name: "net.ipv4.tcp_fin_timeout", value: "1" }]) },
      { name: "tcp_rmem (v1.32+)", since: 32, mutate: (p) => void (podSc(p).sysctls = [{ name: "net.ipv4.tcp_rmem", value: "4096 87380 16777216" }]) },
      { name: "tcp_slow_start_after_idle (v1.37+)", since: 37, mutate: (p) => void (podSc(p).sysctls = [{ name: "net.ipv4.tcp_slow_start_after_idle", value: "0" }]) },
    ],
    fail: [
      { name: "unknown sysctl", mutate: (p) => void (podSc(p).sysctls = [{ name: "a.b", value: "1" }]) },
      { name: "kernel.msgmax next to a safe one", mutate: (p) => void (podSc(p).sysctls = [{ name: "net.ipv4.tcp_syncookies", value: "1" }, { name: "kernel.msgmax", value: "1" }]) },
      { name: "ip_local_reserved_ports before v1.27", until: 26, mutate: (p) => void (podSc(p).sysctls = [{ name: "net.ipv4.ip_local_reserved_ports", value: "0" }]) },
      { name: "tcp_keepalive_probes before v1.29", until: 28, mutate: (p) => void (podSc(p).sysctls = [{ name: "net.ipv4.tcp_keepalive_probes", value: "1" }]) },
      { name: "tcp_wmem before v1.32", until: 31, mutate: (p) => void (podSc(p).sysctls = [{ name: "net.ipv4.tcp_wmem", value: "4096 87380 16777216" }]) },
      { name: "tcp_notsent_lowat before v1.37", until: 36, mutate: (p) => void (podSc(p).sysctls = [{ name: "net.ipv4.tcp_notsent_lowat", value: "1" }]) },
    ],
  },
  {
    check: "restrictedVolumes",
    rule: "K8S-RUNTIME-017",
    level: "restricted",
    since: 0,
    pass: [
      { name: "every allowed source", mutate: (p) => void (p.spec.volumes = [
        { name: "a", configMap: { name: "x" } },
        { name: "b", csi: { driver: "x" } },
        { name: "c", downwardAPI: {} },
        { name: "d", emptyDir: {} },
        { name: "e", ephemeral: { volumeClaimTemplate: { spec: {} } } },
        { name: "f", image: { reference: "x" } },
        { name: "g", persistentVolumeClaim: { claimName: "x" } },
        { name: "h", projected: { sources: [] } },
        { name: "i", secret: { secretName: "x" } },
        { name: "j" },
      ]) },
    ],
    fail: [
      ...["gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos"].map(
        (source): PodCase => ({ name: source, mutate: (p) => void (p.spec.volumes = [{ name: "a", [source]: {} }]) }),
      ),
    ],
  },
  {
    check: "allowPrivilegeEscalation",
    rule: "K8S-RUNTIME-002",
    level: "restricted",
    since: 8,
    pass: [{ name: "false everywhere", mutate: () => {} }],
    fail: [
      { name: "unset on the container", mutate: (p) => void delete sc(app(p)).allowPrivilegeEscalation },
      { name: "true on the init container", mutate: (p) => void (sc(init(p)).allowPrivilegeEscalation = true) },
      { name: "ephemeral container without securityContext", mutate: (p) => withEphemeral(p), also: [restrictedOnly("K8S-RUNTIME-007", 22)] },
    ],
  },
  {
    check: "runAsNonRoot",
    rule: "K8S-RUNTIME-003",
    level: "restricted",
    since: 0,
    pass: [
      { name: "pod true, containers unset", mutate: () => {} },
      { name: "pod unset, every container true", mutate: (p) => {
        delete podSc(p).runAsNonRoot;
        for (const c of every(p)) sc(c).runAsNonRoot = true;
      } },
      { name: "pod true, a container true", mutate: (p) => void (sc(app(p)).runAsNonRoot = true) },
    ],
    fail: [
      { name: "unset everywhere", mutate: (p) => void delete podSc(p).runAsNonRoot },
      { name: "pod false although every container sets true", mutate: (p) => {
        podSc(p).runAsNonRoot = false;
        for (const c of every(p)) sc(c).runAsNonRoot = true;
      } },
      { name: "container false under a pod true", mutate: (p) => void (sc(app(p)).runAsNonRoot = false) },
      { name: "pod unset, only the container sets true", mutate: (p) => {
        delete podSc(p).runAsNonRoot;
        sc(app(p)).runAsNonRoot = true;
      } },
      { name: "pod unset, runAsUser 1000 does not count in strict mode", mutate: (p) => {
        delete podSc(p).runAsNonRoot;
        podSc(p).runAsUser = 1000;
      } },
    ],
  },
  {
    check: "runAsUser",
    rule: "K8S-RUNTIME-004",
    level: "restricted",
    since: 23,
    pass: [
      { name: "non-zero at both levels", mutate: (p) => {
        podSc(p).runAsUser = 1000;
        sc(app(p)).runAsUser = 1001;
      } },
    ],
    fail: [
      { name: "pod 0 although every container overrides it", mutate: (p) => {
        podSc(p).runAsUser = 0;
        for (const c of every(p)) sc(c).runAsUser = 1000;
      } },
      { name: "container 0", mutate: (p) => void (sc(app(p)).runAsUser = 0) },
      { name: "init container 0 under a non-zero pod", mutate: (p) => {
        podSc(p).runAsUser = 1000;
        sc(init(p)).runAsUser = 0;
      } },
    ],
  },
  {
    check: "seccompProfile_restricted",
    rule: "K8S-RUNTIME-009",
    level: "restricted",
    since: 19,
    pass: [
      { name: "pod RuntimeDefault", mutate: () => {} },
      { name: "pod unset, every container Localhost or RuntimeDefault", mutate: (p) => {
        delete podSc(p).seccompProfile;
        sc(init(p)).seccompProfile = { type: "RuntimeDefault" };
        sc(app(p)).seccompProfile = { type: "Localhost", localhostProfile: "app.json" };
      } },
    ],
    fail: [
      { name: "unset everywhere", mutate: (p) => void delete podSc(p).seccompProfile },
      { name: "pod unset, only the container sets one", mutate: (p) => {
        delete podSc(p).seccompProfile;
        sc(app(p)).seccompProfile = { type: "RuntimeDefault" };
      } },
      { name: "legacy annotations do not count", mutate: (p) => {
        delete podSc(p).seccompProfile;
        annotate(p, "seccomp.security.alpha.kubernetes.io/pod", "runtime/default");
      } },
    ],
  },
  {
    check: "capabilities_restricted",
    rule: "K8S-RUNTIME-007",
    level: "restricted",
    since: 22,
    pass: [
      { name: "drop ALL, add NET_BIND_SERVICE", mutate: (p) => void (caps(app(p)).add = ["NET_BIND_SERVICE"]) },
    ],
    fail: [
      { name: "no capabilities", mutate: (p) => void delete sc(app(p)).capabilities },
      { name: "drop NET_RAW only", mutate: (p) => void (caps(init(p)).drop = ["NET_RAW"]) },
      { name: "drop lower-case all", mutate: (p) => void (caps(app(p)).drop = ["all"]) },
      { name: "add CHOWN (baseline allows it, restricted not)", mutate: (p) => void (caps(app(p)).add = ["CHOWN"]) },
    ],
  },
];

function config(profile: PssProfile, pssVersion: string, rules: BulwarkConfig["rules"] = {}): BulwarkConfig {
  return { ...DEFAULT_CONFIG, profile, pssVersion, rules };
}

function firedRules(text: string, cfg: BulwarkConfig): string[] {
  const { findings } = scan([{ path: "pod.yaml", text }], { config: cfg });
  return [...new Set(findings.filter((f) => !f.ruleId.startsWith("BULWARK-")).map((f) => f.ruleId))].sort();
}

function podYaml(p: Pod): string {
  return stringify({ apiVersion: "v1", kind: "Pod", ...p });
}

function build(level: Level, mutate: (p: Pod) => void): Pod {
  const p = basePod(level);
  mutate(p);
  return p;
}

/** The same pod inside a CronJob and inside a Deployment of a `kind: List`. */
function wrapped(p: Pod): Record<string, string> {
  const template = { metadata: p.metadata.annotations ? { annotations: p.metadata.annotations } : {}, spec: p.spec };
  return {
    CronJob: stringify({ apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "test" }, spec: { schedule: "@daily", jobTemplate: { spec: { template } } } }),
    "List/Deployment": stringify({
      apiVersion: "v1",
      kind: "List",
      items: [{ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "test" }, spec: { selector: { matchLabels: { a: "b" } }, template } }],
    }),
  };
}

function applies(c: PodCase, f: Fixture, v: number): boolean {
  return v >= (c.since ?? 0) && v <= (c.until ?? Number.POSITIVE_INFINITY);
}

/**
 * Fail cases run at the versions where their expected rule set can change (each side of
 * every boundary) plus the extremes; pass cases and the minimal pods run at every version.
 * A fail case scans take milliseconds each (fix planning), so this keeps the suite fast.
 */
function versionsFor(f: Fixture, c: PodCase): string[] {
  const edges = new Set<number>([0, 25, Number.POSITIVE_INFINITY]);
  for (const b of [f.since, c.since ?? 0, ...(c.also ?? []).map((a) => a.since)]) edges.add(b).add(b - 1);
  for (const b of [f.until, c.until]) if (b !== undefined) edges.add(b).add(b + 1);
  return VERSIONS.filter((x) => applies(c, f, minor(x)) && edges.has(minor(x)));
}

function expected(f: Fixture, c: PodCase, profile: PssProfile, v: number): string[] {
  const inForce = v >= f.since && v <= (f.until ?? Number.POSITIVE_INFINITY);
  const ids = inForce ? [f.rule] : [];
  for (const a of c.also ?? []) if (v >= a.since && a.profiles.includes(profile)) ids.push(a.rule);
  return [...new Set(ids)].sort();
}

const PROFILES_FOR: Record<Level, PssProfile[]> = { baseline: ["pss-baseline", "pss-restricted"], restricted: ["pss-restricted"] };
const BASE_FOR: Record<PssProfile, Level> = { "pss-baseline": "baseline", "pss-restricted": "restricted" };

describe("PSA fixtures", () => {
  it("the minimal pods pass their own level at every version", () => {
    for (const v of VERSIONS) {
      expect(firedRules(podYaml(basePod("baseline")), config("pss-baseline", v)), v).toEqual([]);
      expect(firedRules(podYaml(basePod("restricted")), config("pss-restricted", v)), v).toEqual([]);
    }
  });

  for (const f of FIXTURES) {
    describe(`${f.check} → ${f.rule} (${f.level})`, () => {
      for (const c of f.pass) {
        it(`passes: ${c.name}`, () => {
          for (const v of VERSIONS.filter((x) => applies(c, f, minor(x)))) {
            const profile: PssProfile = f.level === "baseline" ? "pss-baseline" : "pss-restricted";
            expect(firedRules(podYaml(build(f.level, c.mutate)), config(profile, v)), `policy ${v}`).toEqual([]);
          }
        });
      }
      for (const c of f.fail) {
        it(`fails: ${c.name}`, () => {
          for (const profile of PROFILES_FOR[f.level]) {
            for (const v of versionsFor(f, c)) {
              const got = firedRules(podYaml(build(BASE_FOR[profile], c.mutate)), config(profile, v));
              expect(got, `${profile} policy ${v}`).toEqual(expected(f, c, profile, minor(v)));
            }
          }
        });
      }
      if (f.until === undefined) {
        it("fails the same way inside a CronJob and a List", () => {
          for (const c of f.fail.filter((x) => x.until === undefined)) {
            const profile: PssProfile = f.level === "baseline" ? "pss-baseline" : "pss-restricted";
            for (const [kind, text] of Object.entries(wrapped(build(f.level, c.mutate)))) {
              expect(firedRules(text, config(profile, "latest")), `${c.name} in ${kind}`).toEqual(expected(f, c, profile, Number.POSITIVE_INFINITY));
            }
          }
        });
      }
    });
  }

  it("covers every PSA check of the coverage matrix (catalog §3.11)", () => {
    const checks = new Set(FIXTURES.map((f) => f.check.split(" ")[0]));
    for (const id of ["windowsHostProcess", "hostNamespaces", "privileged", "capabilities_baseline", "hostPathVolumes", "hostPorts", "hostProbesAndHostLifecycle", "appArmorProfile", "seLinuxOptions", "procMount", "seccompProfile_baseline", "sysctls", "restrictedVolumes", "allowPrivilegeEscalation", "runAsNonRoot", "runAsUser", "seccompProfile_restricted", "capabilities_restricted"]) {
      expect(checks, id).toContain(id);
    }
  });
});

describe("PSA relaxations", () => {
  function windowsPod(): Pod {
    const p = basePod("baseline");
    p.spec.os = { name: "windows" };
    podSc(p).runAsNonRoot = true;
    return p;
  }

  it.each([
    ["1.18", ["K8S-RUNTIME-002"]],
    ["1.21", ["K8S-RUNTIME-002", "K8S-RUNTIME-009"]],
    ["1.24", ["K8S-RUNTIME-002", "K8S-RUNTIME-007", "K8S-RUNTIME-009"]],
    ["1.25", []],
    ["latest", []],
  ])("Windows pods are exempt from restricted capabilities, seccomp and allowPrivilegeEscalation from v1.25 (policy %s)", (v, ids) => {
    expect(firedRules(podYaml(windowsPod()), config("pss-restricted", v))).toEqual(ids);
  });

  it("Windows pods are not exempt from baseline controls or runAsNonRoot", () => {
    const p = windowsPod();
    delete podSc(p).runAsNonRoot;
    sc(app(p)).windowsOptions = { hostProcess: true };
    expect(firedRules(podYaml(p), config("pss-restricted", "latest"))).toEqual(["K8S-RUNTIME-003", "K8S-RUNTIME-014"]);
  });

  function userNamespacePod(): Pod {
    const p = basePod("restricted");
    p.spec.hostUsers = false;
    delete podSc(p).runAsNonRoot;
    podSc(p).runAsUser = 0;
    sc(app(p)).procMount = "Unmasked";
    return p;
  }

  it.each([
    ["1.34", ["K8S-RUNTIME-003", "K8S-RUNTIME-004", "K8S-RUNTIME-012"]],
    // runAsNonRoot/runAsUser relax; procMount_restricted still forbids Unmasked
    ["1.35", ["K8S-RUNTIME-012"]],
    ["latest", ["K8S-RUNTIME-012"]],
  ])("hostUsers: false under pss-restricted (policy %s)", (v, ids) => {
    expect(firedRules(podYaml(userNamespacePod()), config("pss-restricted", v))).toEqual(ids);
  });

  it("hostUsers: false relaxes baseline procMount from v1.35 when K8S-RUNTIME-012 is told the level is baseline", () => {
    const p = basePod("baseline");
    p.spec.hostUsers = false;
    sc(app(p)).procMount = "Unmasked";
    const baselineLevel = { "K8S-RUNTIME-012": { options: { level: "baseline" } } };
    expect(firedRules(podYaml(p), config("pss-baseline", "1.34", baselineLevel))).toEqual(["K8S-RUNTIME-012"]);
    expect(firedRules(podYaml(p), config("pss-baseline", "1.35", baselineLevel))).toEqual([]);
    expect(firedRules(podYaml(p), config("pss-baseline", "latest", baselineLevel))).toEqual([]);
    // Checks are not told the profile (CheckContext has none), so without the option the
    // rule applies the stricter restricted reading even under pss-baseline.
    expect(firedRules(podYaml(p), config("pss-baseline", "latest"))).toEqual(["K8S-RUNTIME-012"]);
  });
});

describe("profiles", () => {
  const catalog = getCatalog();
  const profilesOf = (id: string) => catalog.meta(id)?.profiles ?? [];

  /** Every restricted-only violation at once, on a pod that passes baseline. */
  function restrictedViolations(): Pod {
    const p = basePod("baseline");
    podSc(p).runAsNonRoot = false;
    podSc(p).runAsUser = 0;
    sc(app(p)).allowPrivilegeEscalation = true;
    caps(app(p)).add = ["CHOWN"];
    p.spec.volumes = [{ name: "a", nfs: { server: "x", path: "/" } }, { name: "b", gitRepo: { repository: "x" } }];
    withEphemeral(p);
    return p;
  }

  it("under pss-baseline no restricted-only rule fires, at any policy version", () => {
    for (const v of VERSIONS) {
      const fired = firedRules(podYaml(restrictedViolations()), config("pss-baseline", v));
      expect(fired, v).toEqual([]);
    }
    for (const f of FIXTURES.filter((x) => x.level === "restricted")) {
      for (const c of f.fail) {
        const fired = firedRules(podYaml(build("baseline", c.mutate)), config("pss-baseline", "latest"));
        expect(fired.filter((id) => !profilesOf(id).includes("pss-baseline")), `${f.check}: ${c.name}`).toEqual([]);
      }
    }
  });

  it("under pss-restricted the same pod raises each restricted rule", () => {
    expect(firedRules(podYaml(restrictedViolations()), config("pss-restricted", "latest"))).toEqual([
      "K8S-RUNTIME-002",
      "K8S-RUNTIME-003",
      "K8S-RUNTIME-004",
      "K8S-RUNTIME-007",
      "K8S-RUNTIME-009",
      "K8S-RUNTIME-017",
    ]);
  });

  it("hardened-only host and runtime rules stay out of both PSS profiles", () => {
    const p = basePod("baseline");
    p.spec.volumes = [{ name: "sock", hostPath: { path: "/var/run/docker.sock" } }];
    app(p).volumeMounts = [{ name: "sock", mountPath: "/var/run/docker.sock" }];
    app(p).ports = [{ containerPort: 22 }];
    podSc(p).runAsGroup = 0;
    for (const profile of ["pss-baseline", "pss-restricted"] as const) {
      const fired = firedRules(podYaml(p), config(profile, "latest"));
      expect(fired.every((id) => profilesOf(id).some((x) => x === "pss-baseline" || x === "pss-restricted")), fired.join()).toBe(true);
      expect(fired).toContain("K8S-HOST-004");
    }
  });
});
