// Kubernetes manifests the GitHub-side tests (app, action, chat-ops, prod) and the benchmarks
// commit to the fake GitHub. One builder for all of them: the findings a test expects depend on
// these exact bytes (line numbers of `privileged:`, diffs between base and head).

/**
 * A Deployment with one container `web`. `privileged` adds K8S-RUNTIME-001 (critical); the other
 * defaults leave high/medium findings under the default profile (no resources, no runAsNonRoot).
 * `apeFalse` adds `allowPrivilegeEscalation: false`, `extraEnv` n `env` entries above the
 * securityContext (moving its line), `image` replaces nginx:1.27.
 */
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

/**
 * A ConfigMap. The namespace matters: without one, K8S-GEN-001 reports an info finding under the
 * default profile; with `namespace` it has no findings at all (what the action tests need).
 */
export function configMap(name: string, opts: { namespace?: string } = {}): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${opts.namespace ? `  namespace: ${opts.namespace}\n` : ""}data:\n  level: info\n`;
}

/** ConfigMap `settings` without a namespace: nothing for the runtime rules the app tests select. */
export const CLEAN_CONFIG_MAP = configMap("settings");
