import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";
import { parseYamlFile } from "../../src/core/parse/yaml.js";
import { makeObjects, toWorkload, effective } from "../../src/core/model/k8s.js";
import { parseDockerfile } from "../../src/core/parse/dockerfile.js";
import { detectFileKind } from "../../src/core/parse/detect.js";

const POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27\n      securityContext:\n        privileged: true\n";

describe("positions", () => {
  it("reports exact 1-based ranges of the offending field", () => {
    const f = scan([{ path: "p.yaml", text: POD }], { onlyRules: ["K8S-RUNTIME-001"] }).findings[0];
    expect(f.range).toEqual({ startLine: 10, startColumn: 9, endLine: 10, endColumn: 25 });
  });

  it("keeps the same lines with CRLF line endings and a BOM", () => {
    const text = "\uFEFF" + POD.replace(/\n/g, "\r\n");
    const f = scan([{ path: "p.yaml", text }], { onlyRules: ["K8S-RUNTIME-001"] }).findings[0];
    expect(f.range.startLine).toBe(10);
    expect(f.range.startColumn).toBe(9);
  });

  it("counts lines across --- separated documents", () => {
    const text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\n" + POD;
    const f = scan([{ path: "p.yaml", text }], { onlyRules: ["K8S-RUNTIME-001"] }).findings[0];
    expect(f.range.startLine).toBe(15);
  });

  it("reads JSON manifests", () => {
    const json = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "j" }, spec: { containers: [{ name: "a", image: "a:1", securityContext: { privileged: true } }] } }, null, 2);
    const f = scan([{ path: "p.json", text: json }], { onlyRules: ["K8S-RUNTIME-001"] }).findings;
    expect(f).toHaveLength(1);
    expect(f[0].range.startLine).toBe(13);
  });
});

describe("model", () => {
  it("expands kind: List and keeps item paths", () => {
    const text = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: a}\n    spec: {containers: [{name: c, image: i}]}\n  - apiVersion: v1\n    kind: Service\n    metadata: {name: s}\n";
    const objs = makeObjects(parseYamlFile("l.yaml", text));
    expect(objs.map((o) => [o.kind, o.name, o.basePath])).toEqual([
      ["Pod", "a", ["items", 0]],
      ["Service", "s", ["items", 1]],
    ]);
  });

  it("finds the pod spec of every workload kind, and every container set", () => {
    const text = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          initContainers:\n            - {name: side, image: i, restartPolicy: Always}\n            - {name: init, image: i}\n          containers: [{name: main, image: i}]\n          ephemeralContainers: [{name: dbg, image: i}]\n";
    const [o] = makeObjects(parseYamlFile("c.yaml", text));
    const w = toWorkload(o)!;
    expect(w.podSpecPath).toEqual(["spec", "jobTemplate", "spec", "template", "spec"]);
    expect(w.containers.map((c) => [c.name, c.set, c.sidecar])).toEqual([
      ["side", "initContainers", true],
      ["init", "initContainers", false],
      ["main", "containers", false],
      ["dbg", "ephemeralContainers", false],
    ]);
  });

  it("effective(): the container overrides the pod; the pod fills in", () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: 1000, runAsNonRoot: true}\n  containers:\n    - {name: a, image: i, securityContext: {runAsUser: 0}}\n    - {name: b, image: i}\n";
    const w = toWorkload(makeObjects(parseYamlFile("p.yaml", text))[0])!;
    const [a, b] = w.containers;
    expect(effective(w, a, "runAsUser")).toMatchObject({ value: 0, level: "container" });
    expect(effective(w, b, "runAsUser")).toMatchObject({ value: 1000, level: "pod" });
    expect(effective(w, a, "runAsNonRoot")).toMatchObject({ value: true, level: "pod" });
    expect(effective(w, b, "seccompProfile")).toEqual({ value: undefined });
  });
});

describe("Dockerfile parsing", () => {
  it("resolves ARG-substituted bases, stage aliases and chains", () => {
    const d = parseDockerfile("Dockerfile", "# syntax=docker/dockerfile:1.7\nARG BASE=node\nARG TAG=22-alpine\nFROM ${BASE}:${TAG} AS build\nRUN npm ci \\\n    --omit=dev\nFROM build AS test\nFROM gcr.io/distroless/nodejs22:nonroot\nCOPY --from=build /app /app\n");
    expect(d.stages.map((s) => [s.image, s.alias, s.parentStage])).toEqual([
      ["node:22-alpine", "build", undefined],
      ["build", "test", 0],
      ["gcr.io/distroless/nodejs22:nonroot", undefined, undefined],
    ]);
    expect(d.directives.get("syntax")).toBe("docker/dockerfile:1.7");
    const run = d.stages[0].instructions[0];
    expect(run.keyword).toBe("RUN");
    expect(run.range.startLine).toBe(5);
    expect(run.range.endLine).toBe(6);
  });

  it("detects Dockerfiles by name", () => {
    for (const name of ["Dockerfile", "api/Dockerfile", "Containerfile", "web.Dockerfile", "Dockerfile.prod"]) expect(detectFileKind(name), name).toBe("dockerfile");
    for (const name of ["Dockerfile.md", "notes.txt", ".dockerignore"]) expect(detectFileKind(name), name).not.toBe("dockerfile");
    expect(detectFileKind("deploy/app.yaml")).toBe("manifest");
    expect(detectFileKind("chart/Chart.yaml")).toBe("chart");
  });
});
