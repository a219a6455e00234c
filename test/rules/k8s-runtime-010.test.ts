// K8S-RUNTIME-010's fix of the deprecated AppArmor annotation (catalog: AUTO migration to the
// appArmorProfile field when the target cluster is 1.30 or later). Every case checks the
// finding's own edit set from a scan with every default rule on (so the engine has verified
// it: re-parsed, finding gone, no new finding, schema-valid) and `fixFiles`, byte for byte.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyTextEdits, scan } from "../../src/core/engine/scan.js";
import { fixFiles } from "../../src/core/engine/fixes.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import type { BulwarkConfig } from "../../src/core/config/schema.js";
import { main } from "../../src/cli/main.js";

const RULE = "K8S-RUNTIME-010";
const NOW = new Date("2026-11-25T00:00:00Z");
const PREFIX = "container.apparmor.security.beta.kubernetes.io/";

function config(target?: string): BulwarkConfig {
  return target === undefined ? DEFAULT_CONFIG : { ...DEFAULT_CONFIG, targetKubernetesVersion: target };
}

/** The rule's findings in a scan with every default rule on. */
function findings(text: string, target?: string, path = "m.yaml") {
  return scan([{ path, text }], { config: config(target), now: NOW }).findings.filter((f) => f.ruleId === RULE);
}

/** The text after the annotation finding's own edit set; also what `fixFiles` writes for this rule. */
function fixed(text: string, target?: string, path = "m.yaml"): string {
  const annotation = findings(text, target, path).filter((f) => f.message.includes(PREFIX));
  expect(annotation).toHaveLength(1);
  const [f] = annotation;
  expect(f!.message).not.toContain("withheld");
  expect(f!.fix).toBeDefined();
  const one = applyTextEdits(text, f!.fix!.edits);
  const all = fixFiles([{ path, text }], { rules: [RULE] }, { config: config(target), now: NOW });
  expect(all.rejected.size).toBe(0);
  expect(all.changed.get(path) ?? text).toBe(one);
  expect(findings(one, target, path)).toEqual([]);
  return one;
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    container.apparmor.security.beta.kubernetes.io/web: unconfined
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations:
        prometheus.io/scrape: "true"
        container.apparmor.security.beta.kubernetes.io/web: unconfined
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: app
  annotations:
    container.apparmor.security.beta.kubernetes.io/app: unconfined
spec:
  containers:
  - name: app
    image: example/app:1.0
`;

describe("K8S-RUNTIME-010: annotation → appArmorProfile field (target ≥ 1.30)", () => {
  it("Deployment: the pod template's annotation moves, the Deployment's own metadata is not the pod's", () => {
    expect(fixed(DEPLOYMENT)).toBe(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    container.apparmor.security.beta.kubernetes.io/web: unconfined
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations:
        prometheus.io/scrape: "true"
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext:
            appArmorProfile:
              type: RuntimeDefault
`);
  });

  it("bare Pod without a securityContext: the only annotation goes with its `annotations:` key, the default target is 1.34", () => {
    expect(DEFAULT_CONFIG.targetKubernetesVersion).toBe("1.34");
    const [f] = findings(POD);
    expect(f!.message).toContain("deprecated from Kubernetes 1.30");
    expect(f!.fix!.description).toBe(`Replace ${PREFIX}app with securityContext.appArmorProfile.type: RuntimeDefault on container "app"`);
    expect(fixed(POD)).toBe(`apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: example/app:1.0
    securityContext:
      appArmorProfile:
        type: RuntimeDefault
`);
    expect(fixed(POD, "1.30")).toBe(fixed(POD));
  });

  it("init container with an existing block securityContext: the field is added after its last entry", () => {
    const text = `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/setup: unconfined
        sidecar.istio.io/inject: "false"
    spec:
      restartPolicy: Never
      initContainers:
        - name: setup
          image: example/setup:1.0
          securityContext:
            runAsNonRoot: true
            # needs the mount
            readOnlyRootFilesystem: false
      containers:
        - name: migrate
          image: example/migrate:1.0
`;
    expect(fixed(text)).toBe(`apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    metadata:
      annotations:
        sidecar.istio.io/inject: "false"
    spec:
      restartPolicy: Never
      initContainers:
        - name: setup
          image: example/setup:1.0
          securityContext:
            runAsNonRoot: true
            # needs the mount
            readOnlyRootFilesystem: false
            appArmorProfile:
              type: RuntimeDefault
      containers:
        - name: migrate
          image: example/migrate:1.0
`);
  });

  it("only the named container gets the field; the other container is untouched", () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: app
  annotations:
    container.apparmor.security.beta.kubernetes.io/side: unconfined
spec:
  containers:
  - name: app
    image: example/app:1.0
  - name: side
    image: example/side:1.0
    securityContext:
      capabilities: {drop: [ALL]}
`;
    expect(fixed(text)).toBe(`apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: example/app:1.0
  - name: side
    image: example/side:1.0
    securityContext:
      capabilities: {drop: [ALL]}
      appArmorProfile:
        type: RuntimeDefault
`);
  });

  it("a flow-style securityContext receives the field in flow style", () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: app
  annotations: {container.apparmor.security.beta.kubernetes.io/app: unconfined}
  labels: {app: x}
spec:
  containers:
  - {name: app, image: example/app:1.0, securityContext: {runAsNonRoot: true}}
`;
    expect(fixed(text)).toBe(`apiVersion: v1
kind: Pod
metadata:
  name: app
  labels: {app: x}
spec:
  containers:
  - {name: app, image: example/app:1.0, securityContext: {runAsNonRoot: true, appArmorProfile: {type: RuntimeDefault}}}
`);
  });

  it("flow-style maps: the annotation leaves a flow map with other entries, and a flow map it empties goes", () => {
    const shared = `apiVersion: v1
kind: Pod
metadata: {name: app, annotations: {team: a, container.apparmor.security.beta.kubernetes.io/app: unconfined}}
spec:
  containers:
    - name: app
      image: example/app:1.0
`;
    expect(fixed(shared)).toBe(`apiVersion: v1
kind: Pod
metadata: {name: app, annotations: {team: a}}
spec:
  containers:
    - name: app
      image: example/app:1.0
      securityContext:
        appArmorProfile:
          type: RuntimeDefault
`);
    const alone = shared.replace("team: a, ", "");
    expect(fixed(alone)).toBe(`apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
    - name: app
      image: example/app:1.0
      securityContext:
        appArmorProfile:
          type: RuntimeDefault
`);
  });

  it("comments around the annotation: its own comment lines go with it, every other comment stays", () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: app
  # annotations for the platform team
  annotations:
    # owners
    team: payments   # keep
    # ptrace for the profiler
    container.apparmor.security.beta.kubernetes.io/app: unconfined  # TODO drop
    # scraping
    prometheus.io/scrape: "true"
  # end of metadata
spec:
  containers:
  - name: app
    image: example/app:1.0
`;
    expect(fixed(text)).toBe(`apiVersion: v1
kind: Pod
metadata:
  name: app
  # annotations for the platform team
  annotations:
    # owners
    team: payments   # keep
    # scraping
    prometheus.io/scrape: "true"
  # end of metadata
spec:
  containers:
  - name: app
    image: example/app:1.0
    securityContext:
      appArmorProfile:
        type: RuntimeDefault
`);
  });

  it("valid annotations next to the finding stay byte for byte", () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: app
  annotations:
    container.apparmor.security.beta.kubernetes.io/app: unconfined
    container.apparmor.security.beta.kubernetes.io/side: 'localhost/k8s-side'
    container.apparmor.security.beta.kubernetes.io/init: runtime/default
    container.apparmor.security.beta.kubernetes.io/other: ""
spec:
  initContainers:
  - name: init
    image: example/init:1.0
  containers:
  - name: app
    image: example/app:1.0
  - name: side
    image: example/side:1.0
`;
    expect(fixed(text)).toBe(
      text
        .replace(`    ${PREFIX}app: unconfined\n`, "")
        .replace("    image: example/app:1.0\n", "    image: example/app:1.0\n    securityContext:\n      appArmorProfile:\n        type: RuntimeDefault\n"),
    );
  });

  it("a container field that already confines is kept: only the annotation goes", () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: app
  annotations:
    container.apparmor.security.beta.kubernetes.io/app: unconfined
spec:
  containers:
  - name: app
    image: example/app:1.0
    securityContext:
      appArmorProfile: {type: Localhost, localhostProfile: k8s-app}
`;
    const [f] = findings(text);
    expect(f!.message).toContain("takes precedence");
    expect(fixed(text)).toBe(text.replace(`  annotations:\n    ${PREFIX}app: unconfined\n`, ""));
  });

  it("an Unconfined container field becomes RuntimeDefault; with the field's own finding, one coherent edit", () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: app
  annotations:
    container.apparmor.security.beta.kubernetes.io/app: unconfined
spec:
  containers:
  - name: app
    image: example/app:1.0
    securityContext:
      appArmorProfile:
        type: Unconfined
`;
    expect(findings(text)).toHaveLength(2);
    const expected = `apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: example/app:1.0
    securityContext:
      appArmorProfile:
        type: RuntimeDefault
`;
    const out = fixFiles([{ path: "m.yaml", text }], { rules: [RULE] }, { config: DEFAULT_CONFIG, now: NOW });
    expect(out.applied).toHaveLength(2);
    expect(out.changed.get("m.yaml")).toBe(expected);
    const annotation = findings(text).find((f) => f.message.includes(PREFIX))!;
    expect(applyTextEdits(text, annotation.fix!.edits)).toBe(expected);
  });

  it("CRLF line endings are kept", () => {
    const text = POD.replace(/\n/g, "\r\n");
    expect(fixed(text)).toBe(fixed(POD).replace(/\n/g, "\r\n"));
  });
});

describe("K8S-RUNTIME-010: where the value rewrite is kept", () => {
  const rewritten = POD.replace(`${PREFIX}app: unconfined`, `${PREFIX}app: runtime/default`);

  it("target 1.29: the annotation value becomes runtime/default", () => {
    const [f] = findings(POD, "1.29");
    expect(f!.message).toContain("use runtime/default");
    expect(f!.fix!.description).toBe(`Set ${PREFIX}app to runtime/default`);
    expect(fixed(POD, "1.29")).toBe(rewritten);
  });

  it("an annotation that names no container of the pod", () => {
    const text = POD.replace(`${PREFIX}app:`, `${PREFIX}ghost:`);
    const [f] = findings(text);
    expect(f!.message).toContain('container "ghost"');
    expect(fixed(text)).toBe(text.replace(`${PREFIX}ghost: unconfined`, `${PREFIX}ghost: runtime/default`));
  });

  it("Windows pods (the API rejects appArmorProfile there)", () => {
    const text = POD.replace("spec:\n", "spec:\n  os: {name: windows}\n");
    expect(fixed(text)).toBe(rewritten.replace("spec:\n", "spec:\n  os: {name: windows}\n"));
  });

  it("JSON manifests (the new keys could not be written as JSON)", () => {
    const text = `{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "app", "annotations": {"${PREFIX}app": "unconfined"}},
  "spec": {"containers": [{"name": "app", "image": "example/app:1.0"}]}
}
`;
    expect(fixed(text, undefined, "pod.json")).toBe(text.replace('"unconfined"', '"runtime/default"'));
  });
});

describe("bulwark scan --fix", () => {
  it("--fix-rules K8S-RUNTIME-010 migrates the annotation in place", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bulwark-apparmor-"));
    writeFileSync(join(dir, "pod.yaml"), POD);
    let stderr = "";
    const code = await main(["scan", "pod.yaml", "--fix", "--fix-rules", RULE], { stdout: () => {}, stderr: (s) => (stderr += s), isTTY: false, env: {}, cwd: dir, now: NOW });
    expect(code).not.toBe(2);
    expect(stderr).toMatch(/fixed 1 finding/);
    expect(readFileSync(join(dir, "pod.yaml"), "utf8")).toBe(fixed(POD));
  });
});
