// Deterministic corpus for the benchmarks: manifests in the shapes real repositories
// have (Deployments, StatefulSets, CronJobs, Services, RBAC, NetworkPolicies, multi-doc
// files) with a mix of secure and insecure settings, plus Dockerfiles.
import type { SourceFile } from "../src/core/types.js";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const IMAGES = ["nginx:1.27.2", "nginx:latest", "python:3.12-slim", "node:16-alpine", "ghcr.io/acme/api:2.3.1", "k8s.gcr.io/pause:3.2", "redis@sha256:" + "a".repeat(64), "busybox"];

function container(r: () => number, name: string, indent: string): string {
  const lines = [`${indent}- name: ${name}`, `${indent}  image: ${IMAGES[Math.floor(r() * IMAGES.length)]}`];
  if (r() < 0.7) lines.push(`${indent}  ports:`, `${indent}    - containerPort: ${8000 + Math.floor(r() * 100)}`);
  if (r() < 0.5) lines.push(`${indent}  resources:`, `${indent}    limits: {memory: 256Mi, cpu: 500m}`, `${indent}    requests: {memory: 128Mi, cpu: 100m}`);
  if (r() < 0.3) lines.push(`${indent}  env:`, `${indent}    - name: API_TOKEN`, `${indent}      value: "tok-${Math.floor(r() * 1e9)}"`);
  const sc: string[] = [];
  if (r() < 0.4) sc.push(`${indent}    allowPrivilegeEscalation: false`);
  if (r() < 0.3) sc.push(`${indent}    runAsNonRoot: true`);
  if (r() < 0.1) sc.push(`${indent}    privileged: true`);
  if (r() < 0.3) sc.push(`${indent}    capabilities:`, `${indent}      drop: [ALL]`);
  if (r() < 0.2) sc.push(`${indent}    readOnlyRootFilesystem: true`);
  if (sc.length) lines.push(`${indent}  securityContext:`, ...sc);
  if (r() < 0.5) lines.push(`${indent}  readinessProbe:`, `${indent}    httpGet: {path: /healthz, port: 8080}`);
  return lines.join("\n");
}

function workload(r: () => number, i: number): string {
  const kind = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"][Math.floor(r() * 5)];
  const name = `app-${i}`;
  const podSpec = (indent: string) => {
    const lines = [`${indent}${r() < 0.1 ? "hostNetwork: true\n" + indent : ""}containers:`];
    const n = 1 + Math.floor(r() * 3);
    for (let c = 0; c < n; c++) lines.push(container(r, `c${c}`, indent + "  "));
    if (kind === "Job" || kind === "CronJob") lines.push(`${indent}restartPolicy: OnFailure`);
    return lines.join("\n");
  };
  const header = `apiVersion: ${kind === "Job" || kind === "CronJob" ? "batch/v1" : "apps/v1"}\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: team-${i % 20}\n  labels:\n    app: ${name}\n`;
  if (kind === "CronJob") {
    return header + `spec:\n  schedule: "*/5 * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n${podSpec("          ")}\n`;
  }
  return header + `spec:\n  selector:\n    matchLabels:\n      app: ${name}\n  template:\n    metadata:\n      labels:\n        app: ${name}\n    spec:\n${podSpec("      ")}\n`;
}

function other(r: () => number, i: number): string {
  switch (Math.floor(r() * 4)) {
    case 0:
      return `apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${i}\n  namespace: team-${i % 20}\nspec:\n  type: ${r() < 0.3 ? "LoadBalancer" : "ClusterIP"}\n  selector:\n    app: app-${i}\n  ports:\n    - port: 80\n      targetPort: 8080\n`;
    case 1:
      return `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: role-${i}\n  namespace: team-${i % 20}\nrules:\n  - apiGroups: [""]\n    resources: [${r() < 0.3 ? '"*"' : '"pods", "secrets"'}]\n    verbs: ["get", "list"${r() < 0.2 ? ', "*"' : ""}]\n`;
    case 2:
      return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np-${i}\n  namespace: team-${i % 20}\nspec:\n  podSelector:\n    matchLabels:\n      app: app-${i}\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - podSelector: {}\n`;
    default:
      return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: team-${i % 20}\ndata:\n  LOG_LEVEL: info\n  config.yaml: |\n    server:\n      port: 8080\n`;
  }
}

export function manifestCorpus(count: number, seed = 42): SourceFile[] {
  const r = rng(seed);
  const files: SourceFile[] = [];
  for (let i = 0; i < count; i++) {
    const docs = [workload(r, i)];
    if (r() < 0.4) docs.push(other(r, i));
    files.push({ path: `deploy/team-${i % 20}/app-${i}.yaml`, text: docs.join("---\n") });
  }
  return files;
}

export function dockerfileCorpus(count: number, seed = 7): SourceFile[] {
  const r = rng(seed);
  const bases = ["node:16", "node:22-alpine", "python:3.12-slim", "debian:bookworm", "golang:1.23 AS build", "ubuntu:22.04", "alpine:3.20"];
  const files: SourceFile[] = [];
  for (let i = 0; i < count; i++) {
    const lines = [`FROM ${bases[Math.floor(r() * bases.length)]}`, "WORKDIR /app"];
    if (r() < 0.5) lines.push("RUN apt-get update && apt-get install -y curl ca-certificates");
    if (r() < 0.3) lines.push("RUN apk add curl");
    if (r() < 0.2) lines.push("RUN curl -fsSL https://example.com/install.sh | sh");
    if (r() < 0.5) lines.push("COPY . .");
    else lines.push("ADD app.tar.gz /app/");
    if (r() < 0.3) lines.push("ENV NPM_TOKEN=abcdef123456");
    if (r() < 0.5) lines.push("USER 10001");
    lines.push('CMD ["./run"]');
    files.push({ path: `services/svc-${i}/Dockerfile`, text: lines.join("\n") + "\n" });
  }
  return files;
}
