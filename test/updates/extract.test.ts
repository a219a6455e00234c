// Zero-config extraction: every place a base image or chart version is written, with the exact
// offsets the planner will edit.
import { describe, expect, it } from "vitest";
import { extractDependencies } from "../../src/updates/extract/index.js";
import type { Dependency } from "../../src/updates/types.js";

const D = (c: string) => `sha256:${c.repeat(64)}`;

function summary(d: Dependency) {
  return { id: d.id, kind: d.kind, source: d.source, name: d.name, current: d.current, packageName: d.packageName, datasource: d.datasource, digest: d.currentDigest };
}

function segmentsText(text: string, d: Dependency): string[] {
  if (d.edit.type !== "text") throw new Error("not a text edit");
  return d.edit.segments.map((s) => `${s.origin}:${text.slice(s.start, s.end)}`);
}

describe("Dockerfile FROM", () => {
  const text = [
    "# syntax=docker/dockerfile:1.7",
    "ARG PY=3.11.4",
    'ARG BASE="node:20-alpine3.19"',
    "ARG REG",
    "ARG LATE",
    "FROM --platform=linux/amd64 python:${PY}-slim-bookworm AS build",
    "RUN pip install x",
    "FROM ${BASE} AS web",
    "FROM build AS test",
    "FROM scratch",
    "FROM ${REG:-docker.io}/library/nginx:1.25@" + D("a"),
    "FROM ghcr.io/acme/${LATE}:1.0",
    "FROM busybox",
    "",
  ].join("\n");
  const r = extractDependencies([{ path: "app/Dockerfile", text }]);

  it("finds external bases with ARG defaults expanded, skips stage aliases and scratch", () => {
    expect(r.dependencies.map(summary)).toEqual([
      { id: "app/Dockerfile#stage0", kind: "image", source: "dockerfile", name: "python", current: "3.11.4-slim-bookworm", packageName: "docker.io/library/python", datasource: "docker", digest: undefined },
      { id: "app/Dockerfile#stage1", kind: "image", source: "dockerfile", name: "node", current: "20-alpine3.19", packageName: "docker.io/library/node", datasource: "docker", digest: undefined },
      { id: "app/Dockerfile#stage4", kind: "image", source: "dockerfile", name: "docker.io/library/nginx", current: "1.25", packageName: "docker.io/library/nginx", datasource: "docker", digest: D("a") },
    ]);
    expect(r.dependencies[0]!.platform).toBe("linux/amd64");
    expect(r.dependencies[0]!.resource).toEqual({ apiVersion: "dockerfile", kind: "Stage", name: "build" });
  });

  it("edits the ARG default where the value comes from, the FROM line elsewhere", () => {
    expect(segmentsText(text, r.dependencies[0]!)).toEqual(["literal:python:", "PY:3.11.4", "literal:-slim-bookworm"]);
    expect(segmentsText(text, r.dependencies[1]!)).toEqual(["BASE:node:20-alpine3.19"]);
    expect(segmentsText(text, r.dependencies[2]!)).toEqual(["literal:docker.io", `literal:/library/nginx:1.25@${D("a")}`]);
  });

  it("reports what it cannot look up", () => {
    expect(r.skipped.map((s) => [s.name, s.reason])).toEqual([
      ["ghcr.io/acme/${LATE}:1.0", "ARG LATE has no default (set at build time): cannot look it up"],
      ["busybox", "no tag (implicitly latest): nothing to compare"],
    ]);
  });

  it("points the range at the image text", () => {
    expect(r.dependencies[0]!.range).toEqual({ startLine: 6, startColumn: 29, endLine: 6, endColumn: 55 });
  });
});

describe("Kubernetes manifests", () => {
  const text = `apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: jobs}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          initContainers: [{name: wait, image: "busybox:1.36"}]
          containers:
            - name: report
              image: ghcr.io/acme/report:1.0.0 # pinned
          ephemeralContainers:
            - name: debug
              image: 'alpine:3.19'
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      containers: [{name: redis, image: redis:7.2}]
      volumes:
        - name: models
          image: {reference: "ghcr.io/acme/models:2024.1", pullPolicy: IfNotPresent}
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: tpl}
    spec:
      template:
        spec:
          containers: [{name: x, image: "app:\${TAG}"}]
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: k8s}
spec:
  image: quay.io/prometheus/prometheus:v2.50.0
  version: v2.50.0
`;
  const r = extractDependencies([{ path: "k8s/all.yaml", text }]);

  it("covers init, regular and ephemeral containers, CronJob nesting, List items, image volumes and CRD images", () => {
    expect(r.dependencies.map((d) => [d.id, d.name, d.current, d.resource?.container ?? null])).toEqual([
      ["k8s/all.yaml#0:spec.jobTemplate.spec.template.spec.initContainers.0.image", "busybox", "1.36", "wait"],
      ["k8s/all.yaml#0:spec.jobTemplate.spec.template.spec.containers.0.image", "ghcr.io/acme/report", "1.0.0", "report"],
      ["k8s/all.yaml#0:spec.jobTemplate.spec.template.spec.ephemeralContainers.0.image", "alpine", "3.19", "debug"],
      ["k8s/all.yaml#1:items.0.spec.containers.0.image", "redis", "7.2", "redis"],
      ["k8s/all.yaml#1:items.0.spec.volumes.0.image.reference", "ghcr.io/acme/models", "2024.1", null],
      ["k8s/all.yaml#2:spec.image", "quay.io/prometheus/prometheus", "v2.50.0", null],
    ]);
    expect(r.dependencies[0]!.resource).toEqual({ apiVersion: "batch/v1", kind: "CronJob", name: "report", namespace: "jobs", container: "wait" });
    expect(r.skipped.map((s) => s.name)).toEqual(["app:${TAG}"]);
  });

  it("ranges cover the scalar as written (quotes included)", () => {
    const init = r.dependencies[0]!;
    const lines = text.split("\n");
    expect(lines[init.range.startLine - 1]!.slice(init.range.startColumn - 1, init.range.endColumn - 1)).toBe('"busybox:1.36"');
  });

  it("skips Helm templates", () => {
    const tpl = extractDependencies([{ path: "chart/templates/deploy.yaml", text: "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: \"{{ .Values.image }}\"}]\n" }]);
    expect(tpl.dependencies).toEqual([]);
  });
});

describe("Helm values", () => {
  const text = `image:
  repository: nginx
  tag: 1.25
controller:
  image:
    registry: ghcr.io
    repository: acme/controller
    tag: "v2.1.0@${D("a")}"
  service: {type: ClusterIP}
images:
  agent: {repository: acme/agent, tag: 3.4.5, digest: "${D("b")}"}
  fluent: {repository: fluent/fluent-bit, tag: ""}
sidecarImage: envoyproxy/envoy:v1.30.1
pullPolicyImage: IfNotPresent
worker:
  image:
    name: acme/worker
    tag: "{{ .Chart.AppVersion }}"
`;
  const r = extractDependencies([{ path: "chart/values.yaml", text }, { path: "chart/values-prod.yaml", text: "image:\n  repository: nginx\n  tag: '1.27.1'\n" }]);

  it("recognises image maps, registry prefixes, digests, nested *image keys and images: maps", () => {
    expect(r.dependencies.map((d) => [d.id, d.name, d.current, d.currentDigest ?? null, d.edit])).toEqual([
      ["chart/values.yaml#0:image.tag", "nginx", "1.25", null, { type: "yaml", docIndex: 0, tag: ["image", "tag"], numeric: ["tag"] }],
      ["chart/values.yaml#0:images.agent.tag", "acme/agent", "3.4.5", D("b"), { type: "yaml", docIndex: 0, tag: ["images", "agent", "tag"], digest: ["images", "agent", "digest"] }],
      ["chart/values.yaml#0:sidecarImage", "envoyproxy/envoy", "v1.30.1", null, { type: "yaml", docIndex: 0, ref: ["sidecarImage"] }],
      ["chart/values.yaml#0:controller.image.tag", "ghcr.io/acme/controller", "v2.1.0", D("a"), { type: "yaml", docIndex: 0, tag: ["controller", "image", "tag"] }],
      ["chart/values-prod.yaml#0:image.tag", "nginx", "1.27.1", null, { type: "yaml", docIndex: 0, tag: ["image", "tag"] }],
    ]);
    expect(r.skipped.map((s) => [s.name, s.reason])).toEqual([
      ["fluent/fluent-bit", "no tag in values (the chart's appVersion decides): nothing to compare"],
      ["acme/worker", "contains a template or variable"],
    ]);
  });
});

describe("charts", () => {
  it("reads Chart.yaml dependencies: HTTP repositories, oci://, and skips local charts and aliases", () => {
    const text = `apiVersion: v2
name: shop
version: 1.0.0
dependencies:
  - name: redis
    version: ~18.1.0
    repository: https://charts.example.com/stable/
  - name: common
    version: 2.x
    repository: oci://registry-1.docker.io/bitnamicharts
  - name: local
    version: 0.1.0
    repository: file://../local
  - name: aliased
    version: 1.0.0
    repository: "@stable"
`;
    const r = extractDependencies([{ path: "shop/Chart.yaml", text }]);
    expect(r.dependencies.map((d) => [d.name, d.current, d.datasource, d.packageName, d.registryUrl])).toEqual([
      ["redis", "~18.1.0", "helm", "redis", "https://charts.example.com/stable/"],
      ["common", "2.x", "docker", "registry-1.docker.io/bitnamicharts/common", "oci://registry-1.docker.io/bitnamicharts"],
    ]);
    expect(r.skipped.map((s) => s.reason)).toEqual(["local chart (file:// or charts/): nothing to look up", "repository alias @stable: write the repository URL to get updates"]);
  });

  it("resolves Flux HelmReleases against HelmRepositories in other files (namespace-aware) and reads their values", () => {
    const release = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, namespace: apps}
spec:
  interval: 10m
  chart:
    spec:
      chart: podinfo
      version: "6.5.0"
      sourceRef: {kind: HelmRepository, name: podinfo, namespace: flux-system}
  values:
    image: {repository: ghcr.io/stefanprodan/podinfo, tag: 6.5.0}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: cache, namespace: apps}
spec:
  chart:
    spec: {chart: redis, version: 18.x, sourceRef: {kind: HelmRepository, name: bitnami}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: lost, namespace: apps}
spec:
  chart:
    spec: {chart: x, version: 1.0.0, sourceRef: {kind: HelmRepository, name: nowhere}}
`;
    const repos = `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: podinfo, namespace: flux-system}
spec: {url: "https://stefanprodan.github.io/podinfo"}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: bitnami, namespace: apps}
spec: {type: oci, url: "oci://registry-1.docker.io/bitnamicharts"}
`;
    const r = extractDependencies([{ path: "clusters/apps/releases.yaml", text: release }, { path: "clusters/flux-system/repos.yaml", text: repos }]);
    expect(r.dependencies.map((d) => [d.source, d.kind, d.name, d.current, d.datasource, d.packageName, d.registryUrl])).toEqual([
      ["flux", "chart", "podinfo", "6.5.0", "helm", "podinfo", "https://stefanprodan.github.io/podinfo"],
      ["flux", "image", "ghcr.io/stefanprodan/podinfo", "6.5.0", "docker", "ghcr.io/stefanprodan/podinfo", "ghcr.io"],
      ["flux", "chart", "redis", "18.x", "docker", "registry-1.docker.io/bitnamicharts/redis", "oci://registry-1.docker.io/bitnamicharts"],
    ]);
    expect(r.skipped.map((s) => s.reason)).toEqual(["HelmRepository nowhere in namespace apps is not among the scanned files"]);
  });

  it("reads Argo CD Application and ApplicationSet Helm sources (OCI without a scheme) and valuesObject images", () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ingress, namespace: argocd}
spec:
  sources:
    - chart: ingress-nginx
      repoURL: https://kubernetes.github.io/ingress-nginx
      targetRevision: 4.10.0
      helm:
        valuesObject:
          controller:
            image: {registry: registry.k8s.io, image: ingress-nginx/controller, repository: ingress-nginx/controller, tag: v1.10.0}
    - repoURL: https://github.com/acme/config.git
      path: overlays/prod
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: podinfo}
spec:
  template:
    spec:
      source: {chart: podinfo, repoURL: ghcr.io/stefanprodan/charts, targetRevision: 6.5.*}
`;
    const r = extractDependencies([{ path: "argo/apps.yaml", text }]);
    expect(r.dependencies.map((d) => [d.kind, d.name, d.current, d.datasource, d.packageName])).toEqual([
      ["chart", "ingress-nginx", "4.10.0", "helm", "ingress-nginx"],
      ["image", "registry.k8s.io/ingress-nginx/controller", "v1.10.0", "docker", "registry.k8s.io/ingress-nginx/controller"],
      ["chart", "podinfo", "6.5.*", "docker", "ghcr.io/stefanprodan/charts/podinfo"],
    ]);
  });

  it("reads kustomization images (newName/newTag/digest) and helmCharts", () => {
    const text = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [deploy.yaml]
images:
  - name: nginx
    newTag: "1.25.3"
  - name: app
    newName: ghcr.io/acme/app
    newTag: 1.2
    digest: ${D("c")}
  - name: untouched
    newName: acme/untouched
helmCharts:
  - name: redis
    repo: https://charts.example.com
    version: 18.1.0
`;
    const r = extractDependencies([{ path: "overlays/prod/kustomization.yaml", text }]);
    expect(r.dependencies.map((d) => [d.kind, d.name, d.current, d.currentDigest ?? null, d.edit])).toEqual([
      ["image", "nginx", "1.25.3", null, { type: "yaml", docIndex: 0, tag: ["images", 0, "newTag"] }],
      ["image", "ghcr.io/acme/app", "1.2", D("c"), { type: "yaml", docIndex: 0, tag: ["images", 1, "newTag"], digest: ["images", 1, "digest"], numeric: ["tag"] }],
      ["chart", "redis", "18.1.0", null, { type: "yaml", docIndex: 0, version: ["helmCharts", 0, "version"] }],
    ]);
    expect(r.skipped.map((s) => s.reason)).toEqual(["no newTag: the tag comes from the base manifests"]);
  });
});

describe("robustness", () => {
  it("ignores invalid YAML, binary files and unrelated YAML without throwing", () => {
    const r = extractDependencies([
      { path: "bad.yaml", text: "a: [b\n" },
      { path: "Dockerfile", text: "\u0000\u0001binary" },
      { path: ".github/workflows/ci.yaml", text: "jobs:\n  test:\n    container: {image: node:20}\n" },
      { path: "README.md", text: "FROM python:3.8" },
    ]);
    expect(r.dependencies).toEqual([]);
  });
});
