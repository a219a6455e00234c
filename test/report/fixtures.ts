// Hand-built findings and rule metadata for the formatter tests.
import type { RuleMeta } from "../../src/core/engine/rule.js";
import type { Finding, Severity } from "../../src/core/types.js";
import { countBySeverity } from "../../src/report/common.js";
import type { ReportContext, ScanResult, ScanSummary } from "../../src/report/model.js";

export function rule(id: string, severity: Severity, over: Partial<RuleMeta> = {}): RuleMeta {
  return {
    id,
    title: `Title of ${id}`,
    severity,
    category: "runtime",
    profiles: ["pss-restricted"],
    fix: "AUTO",
    description: `Description of ${id}.`,
    remediation: `Remediation of ${id}.`,
    defaultEnabled: true,
    references: {},
    examples: { failing: [], passing: [] },
    ...over,
  };
}

export const RULES: ReadonlyMap<string, RuleMeta> = new Map(
  [
    rule("K8S-RUNTIME-002", "high", {
      title: "Container may run as root",
      description: "The container does not set runAsNonRoot: true, so it may run as UID 0.",
      remediation: "Set securityContext.runAsNonRoot: true and a non-zero runAsUser.",
      references: {
        pss: { level: "restricted", control: "Running as Non-root", checks: ["runAsNonRoot"] },
        cis: ["5.2.6"],
        nsa: true,
        kubescape: ["C-0013"],
        checkov: ["CKV_K8S_23"],
        links: ["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
      },
    }),
    rule("K8S-IMAGE-001", "medium", { title: "Image uses a mutable tag", category: "image", profiles: ["hygiene"] }),
    rule("K8S-HOST-001", "critical", { title: "Privileged container", category: "host", profiles: ["pss-baseline"] }),
    rule("DOCKER-USER-001", "low", { title: "Dockerfile has no USER", category: "dockerfile", profiles: [], fix: "SUGGEST" }),
  ].map((r) => [r.id, r]),
);

export function ctx(over: Partial<ReportContext> = {}): ReportContext {
  return { tool: { name: "bulwark", version: "0.1.0", informationUri: "https://example.invalid/bulwark" }, rules: RULES, failOn: "high", color: false, ...over };
}

// A CRLF Dockerfile with a non-BMP character before the edit, so UTF-16 offsets matter.
export const DOCKERFILE_CRLF = "# 🐳 build\r\nFROM alpine:3.20\r\nRUN apk add curl\r\n";
export const DOCKERFILE_CRLF_FIXED = "# 🐳 build\r\nFROM alpine:3.20\r\nRUN apk add curl\r\nUSER 10001\r\n";

export const MANIFEST = [
  "apiVersion: apps/v1",
  "kind: Deployment",
  "metadata:",
  "  name: web",
  "spec:",
  "  template:",
  "    spec:",
  "      containers:",
  "        - name: app",
  "          image: nginx:latest",
  "",
].join("\n");

export function finding(over: Partial<Finding> & Pick<Finding, "ruleId" | "path">): Finding {
  return {
    severity: "medium",
    title: `Title of ${over.ruleId}`,
    message: `Message of ${over.ruleId}`,
    range: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 },
    fingerprint: `fp-${over.ruleId}-${over.path}`,
    ...over,
  };
}

export const RUN_AS_ROOT = finding({
  ruleId: "K8S-RUNTIME-002",
  severity: "high",
  title: "Container may run as root",
  message: 'Container "app" may run as root: runAsNonRoot is not set',
  path: "deploy/web.yaml",
  range: { startLine: 9, startColumn: 11, endLine: 9, endColumn: 20 },
  resource: { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "prod", container: "app" },
  fingerprint: "a1b2c3d4e5f60718",
  fix: {
    description: "Set runAsNonRoot: true",
    edits: [
      {
        path: "deploy/web.yaml",
        start: MANIFEST.indexOf("          image:"),
        end: MANIFEST.indexOf("          image:"),
        newText: "          securityContext:\n            runAsNonRoot: true\n",
      },
    ],
  },
});

export const LATEST_TAG_SUPPRESSED = finding({
  ruleId: "K8S-IMAGE-001",
  severity: "medium",
  title: "Image uses a mutable tag",
  message: 'Image "nginx:latest" uses the mutable tag `latest`',
  path: "deploy/web.yaml",
  range: { startLine: 10, startColumn: 18, endLine: 10, endColumn: 30 },
  resource: { apiVersion: "apps/v1", kind: "Deployment", name: "web", container: "app" },
  fingerprint: "00ff00ff00ff00ff",
  suppressed: { reason: "pinned by the CD pipeline", source: "comment:deploy/web.yaml:9" },
});

export const PRIVILEGED_WINDOWS = finding({
  ruleId: "K8S-HOST-001",
  severity: "critical",
  title: "Privileged container",
  message: "Conteneur « db » privilégié 🚨 — value `a|b` | pipe",
  path: "C:\\repo\\charts\\db\\templates\\sts.yaml",
  range: { startLine: 21, startColumn: 13, endLine: 21, endColumn: 29 },
  resource: { apiVersion: "apps/v1", kind: "StatefulSet", name: "db", container: "postgres" },
  fingerprint: "ffeeddccbbaa9988",
});

export const DOCKER_NO_USER = finding({
  ruleId: "DOCKER-USER-001",
  severity: "low",
  title: "Dockerfile has no USER",
  message: "The final stage runs as root: add a USER instruction",
  path: "images/api/Dockerfile",
  range: { startLine: 2, startColumn: 1, endLine: 2, endColumn: 17 },
  fingerprint: "1234567890abcdef",
  fix: {
    description: "Add USER 10001",
    warning: "changes the runtime user",
    edits: [{ path: "images/api/Dockerfile", start: DOCKERFILE_CRLF.length, end: DOCKERFILE_CRLF.length, newText: "USER 10001\r\n" }],
  },
});

export const PARSE_ERROR = finding({
  ruleId: "BULWARK-PARSE-001",
  severity: "info",
  title: "File could not be parsed",
  message: "YAML error: unexpected end of stream\n\u001b[31mred\u001b[0m @octocat/admins",
  path: "apps/my app/dépl.yaml",
  range: { startLine: 3, startColumn: 1, endLine: 3, endColumn: 1 },
  fingerprint: "deadbeefdeadbeef",
});

export const ALL: readonly Finding[] = [PARSE_ERROR, LATEST_TAG_SUPPRESSED, DOCKER_NO_USER, RUN_AS_ROOT, PRIVILEGED_WINDOWS];

export function summarize(findings: readonly Finding[], files = 4, resources = 6, errors = 0): ScanSummary {
  const active = findings.filter((f) => !f.suppressed);
  const byRule: Record<string, number> = {};
  for (const f of active) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  return {
    files,
    resources,
    findings: active.length,
    suppressed: findings.length - active.length,
    bySeverity: countBySeverity(active),
    byRule,
    errors,
  };
}

export function scan(findings: readonly Finding[] = ALL, errors = 0): ScanResult {
  return { findings: [...findings], summary: summarize(findings, 4, 6, errors) };
}

/** n synthetic findings spread over `files` files, severities cycling. */
export function many(n: number, files = 10, messageLength = 40): Finding[] {
  const sevs: Severity[] = ["critical", "high", "medium", "low", "info"];
  const out: Finding[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      finding({
        ruleId: ["K8S-RUNTIME-002", "K8S-IMAGE-001", "K8S-HOST-001", "DOCKER-USER-001"][i % 4]!,
        severity: sevs[i % 5]!,
        path: `gen/file-${String(i % files).padStart(3, "0")}.yaml`,
        range: { startLine: i + 1, startColumn: 3, endLine: i + 1, endColumn: 9 },
        message: `Finding ${i} `.padEnd(messageLength, "x"),
        fingerprint: `fp-${i}`,
      }),
    );
  }
  return out;
}
