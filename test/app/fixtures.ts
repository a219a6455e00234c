// Manifests for the app tests.

/** A Deployment; `privileged` adds the K8S-RUNTIME-001 finding to container `web`. */
export function deployment(name: string, opts: { privileged?: boolean; apeFalse?: boolean; image?: string; extraEnv?: number } = {}): string {
  const env = Array.from({ length: opts.extraEnv ?? 0 }, (_, i) => `            - name: VAR_${i}\n              value: "${i}"\n`).join("");
  return [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    `  name: ${name}`,
    "spec:",
    "  selector:",
    `    matchLabels: {app: ${name}}`,
    "  template:",
    "    metadata:",
    `      labels: {app: ${name}}`,
    "    spec:",
    "      containers:",
    `        - name: web`,
    `          image: ${opts.image ?? "nginx:1.27"}`,
    ...(env ? ["          env:", env.replace(/\n$/, "")] : []),
    "          securityContext:",
    `            privileged: ${opts.privileged ? "true" : "false"}`,
    ...(opts.apeFalse ? ["            allowPrivilegeEscalation: false"] : []),
    "",
  ].join("\n");
}

/** One file with `n` privileged Deployments (n K8S-RUNTIME-001 findings). */
export function manyPrivileged(n: number): string {
  return Array.from({ length: n }, (_, i) => deployment(`app-${i}`, { privileged: true })).join("---\n");
}

export const CLEAN_CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n";
