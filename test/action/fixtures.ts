// Manifests for the action tests.

/** A Deployment: `privileged` adds K8S-RUNTIME-001 (critical); the defaults add high/medium findings. */
export function deployment(name: string, opts: { privileged?: boolean } = {}): string {
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
    "        - name: web",
    "          image: nginx:1.27",
    "          securityContext:",
    `            privileged: ${opts.privileged ? "true" : "false"}`,
    "",
  ].join("\n");
}

/** No findings under the default profile. */
export function configMap(name: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: web\ndata:\n  level: info\n`;
}
