// Decisions the rule examples cannot show: when a PSS/host rule withholds its patch (and
// says why), rule options, per-finding severities, and multi-op patches that must stay valid.
import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";
import { fixFiles } from "../../src/core/engine/fixes.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import type { BulwarkConfig } from "../../src/core/config/schema.js";

function run(rule: string, text: string, opts: { pssVersion?: string; options?: Record<string, unknown> } = {}) {
  const config: BulwarkConfig = { ...DEFAULT_CONFIG, pssVersion: opts.pssVersion ?? "latest", rules: { [rule]: { enabled: true, options: opts.options ?? {} } } };
  return scan([{ path: "m.yaml", text }], { config, onlyRules: [rule] }).findings.filter((f) => f.ruleId === rule);
}

function fix(rule: string, text: string): string {
  const config: BulwarkConfig = { ...DEFAULT_CONFIG, rules: { [rule]: { enabled: true } } };
  return fixFiles([{ path: "m.yaml", text }], { rules: [rule] }, { config, onlyRules: [rule] }).changed.get("m.yaml") ?? text;
}

/** A Pod whose single container "app" has the given securityContext lines (YAML, 8 spaces deep). */
function pod(containerSc: string, podLines = ""): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
${podLines}  containers:
    - name: app
      image: example/app:1.0
      securityContext:
${containerSc}`;
}

describe("K8S-RUNTIME-002 withholds its patch where false would be rejected or hollow", () => {
  it.each([
    ["privileged", "        privileged: true\n", /privileged: true first/],
    ["CAP_SYS_ADMIN", "        capabilities: {add: [CAP_SYS_ADMIN]}\n", /CAP_SYS_ADMIN/],
    ["SYS_ADMIN", "        capabilities: {add: [SYS_ADMIN]}\n", /SYS_ADMIN/],
  ])("%s", (_name, sc, why) => {
    const [f] = run("K8S-RUNTIME-002", pod(sc));
    expect(f.fix).toBeUndefined();
    expect(f.message).toMatch(why);
  });

  it("Windows pods before policy v1.25: reported, no patch (the API rejects the field)", () => {
    const text = pod("        runAsNonRoot: true\n", "  os: {name: windows}\n");
    const [f] = run("K8S-RUNTIME-002", text, { pssVersion: "1.24" });
    expect(f.fix).toBeUndefined();
    expect(f.message).toMatch(/v1\.25/);
    expect(run("K8S-RUNTIME-002", text, { pssVersion: "1.25" })).toEqual([]);
  });

  it("names the policy version that applied", () => {
    expect(run("K8S-RUNTIME-002", pod("        runAsNonRoot: true\n"), { pssVersion: "1.30" })[0].message).toContain("PSS restricted, policy v1.30");
  });
});

describe("K8S-RUNTIME-003", () => {
  it("never offers a patch: runAsNonRoot needs the image's user", () => {
    const found = run("K8S-RUNTIME-003", pod("        runAsNonRoot: false\n"));
    expect(found).toHaveLength(1);
    expect(found[0].fix).toBeUndefined();
    expect(found[0].message).toContain("strict mode");
  });

  it("mode: effective also accepts a non-zero runAsUser, and says so", () => {
    const effective = { options: { mode: "effective" } };
    expect(run("K8S-RUNTIME-003", pod("        runAsUser: 1000\n"), effective)).toEqual([]);
    expect(run("K8S-RUNTIME-003", pod("        runAsUser: 1000\n        runAsNonRoot: false\n"), effective)).toEqual([]);
    expect(run("K8S-RUNTIME-003", pod("        runAsUser: 1000\n"))).toHaveLength(1);
    const [f] = run("K8S-RUNTIME-003", pod("        runAsUser: 0\n"), effective);
    expect(f.message).toContain("mode: effective");
  });
});

describe("K8S-RUNTIME-007 / 009 on Windows pods before policy v1.25", () => {
  const text = pod("        runAsNonRoot: true\n", "  os: {name: windows}\n");
  it.each(["K8S-RUNTIME-007", "K8S-RUNTIME-009"])("%s reports without a patch", (rule) => {
    const [f] = run(rule, text, { pssVersion: "1.24" });
    expect(f.fix).toBeUndefined();
    expect(run(rule, text, { pssVersion: "1.25" })).toEqual([]);
  });
});

describe("K8S-RUNTIME-009", () => {
  it("does not override an explicit pod-level profile (that is K8S-RUNTIME-008's AUTO* patch)", () => {
    const [f] = run("K8S-RUNTIME-009", pod("        runAsNonRoot: true\n", "  securityContext:\n    seccompProfile: {type: Unconfined}\n"));
    expect(f.fix).toBeUndefined();
    expect(f.message).toContain("K8S-RUNTIME-008");
  });

  it("reports once per pod, naming every container that lacks a profile", () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
    - {name: a, image: x}
  containers:
    - {name: b, image: x}
    - {name: c, image: x, securityContext: {seccompProfile: {type: RuntimeDefault}}}
`;
    const found = run("K8S-RUNTIME-009", text);
    expect(found).toHaveLength(1);
    expect(found[0].message).toContain('containers "a", "b"');
  });
});

describe("K8S-RUNTIME-008 / 010 patches stay valid", () => {
  it("removes localhostProfile when it turns a profile into RuntimeDefault", () => {
    const text = pod("        seccompProfile:\n          type: Unconfined\n          localhostProfile: old.json\n");
    expect(fix("K8S-RUNTIME-008", text)).toBe(pod("        seccompProfile:\n          type: RuntimeDefault\n"));
  });

  it("checks the seccomp annotations only for policy versions before v1.19", () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    container.seccomp.security.alpha.kubernetes.io/app: unconfined
spec:
  containers:
    - {name: app, image: x}
`;
    const [f] = run("K8S-RUNTIME-008", text, { pssVersion: "1.18" });
    expect(f.resource?.container).toBe("app");
    expect(f.message).toContain("policy v1.18");
    expect(run("K8S-RUNTIME-008", text, { pssVersion: "1.19" })).toEqual([]);
  });
});

describe("K8S-RUNTIME-015 /tmp volume", () => {
  it("picks a volume name nobody uses", () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: app
      image: x
      volumeMounts:
        - {name: tmp-app, mountPath: /data}
  volumes:
    - {name: tmp-app, emptyDir: {}}
`;
    expect(fix("K8S-RUNTIME-015", text)).toBe(`apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: app
      image: x
      volumeMounts:
        - {name: tmp-app, mountPath: /data}
        - name: tmp-app-2
          mountPath: /tmp
      securityContext:
        readOnlyRootFilesystem: true
  volumes:
    - {name: tmp-app, emptyDir: {}}
    - name: tmp-app-2
      emptyDir: {}
`);
  });

  it("adds no volume when something is mounted at /tmp/", () => {
    const [f] = run("K8S-RUNTIME-015", `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: app
      image: x
      volumeMounts:
        - {name: t, mountPath: /tmp/}
  volumes:
    - {name: t, emptyDir: {medium: Memory}}
`);
    expect(f.fix?.description).toBe("Set readOnlyRootFilesystem: true");
  });
});

describe("K8S-RUNTIME-012 level option", () => {
  const text = pod("        procMount: Unmasked\n", "  hostUsers: false\n");
  it("restricted reading by default, baseline relaxation with level: baseline from v1.35", () => {
    expect(run("K8S-RUNTIME-012", text)[0].message).toContain("procMount_restricted");
    expect(run("K8S-RUNTIME-012", text, { options: { level: "baseline" } })).toEqual([]);
    expect(run("K8S-RUNTIME-012", text, { options: { level: "baseline" }, pssVersion: "1.34" })).toHaveLength(1);
  });
});

describe("severities raised per finding", () => {
  it.each([
    ["SYS_ADMIN", "critical"],
    ["CAP_SYS_ADMIN", "critical"],
    ["sys_ptrace", "critical"],
    ["NET_RAW", "high"],
  ])("K8S-RUNTIME-006 %s → %s", (cap, severity) => {
    expect(run("K8S-RUNTIME-006", pod(`        capabilities: {add: [${cap}]}\n`))[0].severity).toBe(severity);
  });

  it.each([
    ["/", "critical"],
    ["/var/lib/kubelet/pods", "critical"],
    ["/var/run/", "critical"],
    ["/etc/../etc/ssl", "critical"],
    ["/etcd-data", "high"],
    ["/data", "high"],
  ])("K8S-HOST-004 %s → %s", (path, severity) => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - {name: app, image: x}
  volumes:
    - name: h
      hostPath: {path: "${path}"}
`;
    expect(run("K8S-HOST-004", text)[0].severity).toBe(severity);
  });

  it("K8S-RUNTIME-017 gitRepo → high; K8S-HOST-009 port 22 → low", () => {
    const vols = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - {name: app, image: x, ports: [{containerPort: 22}, {containerPort: 443}]}
  volumes:
    - {name: g, gitRepo: {repository: x}}
    - {name: n, nfs: {server: x, path: /}}
`;
    expect(run("K8S-RUNTIME-017", vols).map((f) => f.severity)).toEqual(["high", "medium"]);
    expect(run("K8S-HOST-009", vols).map((f) => f.severity).sort()).toEqual(["info", "low"]);
  });
});

describe("K8S-HOST-006 / 007 patches", () => {
  it("K8S-HOST-006 offers no readOnly patch for a Socket hostPath", () => {
    const [f] = run("K8S-HOST-006", `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: app
      image: x
      volumeMounts: [{name: s, mountPath: /run/podman.sock}]
  volumes:
    - {name: s, hostPath: {path: /run/user/1000/podman/podman.sock, type: Socket}}
`);
    expect(f.fix).toBeUndefined();
    expect(f.message).toContain("K8S-HOST-005");
  });

  function hostPortCase(service: string): string {
    return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web, tier: front}
    spec:
      containers:
        - name: web
          image: x
          ports:
            - {containerPort: 8080, hostPort: 8080}
---
apiVersion: v1
kind: Service
metadata:
${service}`;
  }

  it.each([
    ["targetPort by number", "  name: s\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n", true],
    ["port without targetPort", "  name: s\nspec:\n  selector: {app: web}\n  ports: [{port: 8080}]\n", true],
    ["namespace left to kubectl -n", "  name: s\nspec:\n  selector: {tier: front}\n  ports: [{port: 8080}]\n", true],
    ["other namespace", "  name: s\n  namespace: dev\nspec:\n  selector: {app: web}\n  ports: [{port: 8080}]\n", false],
    ["selector does not match", "  name: s\nspec:\n  selector: {app: api}\n  ports: [{port: 8080}]\n", false],
    ["other port", "  name: s\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 9090}]\n", false],
    ["no selector", "  name: s\nspec:\n  ports: [{port: 8080}]\n", false],
  ])("K8S-HOST-007 patch when a Service exposes the port: %s → %s", (_name, service, patched) => {
    const [f] = run("K8S-HOST-007", hostPortCase(service));
    expect(f.fix !== undefined).toBe(patched);
  });
});
