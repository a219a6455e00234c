// Helm values without helm: HELM-001 conventions, K8S-SECRET-005, HELM-002/003 through the
// engine's chart visitor, and how charts are grouped (Chart.yaml, values, templates).
import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";
import { fixFiles } from "../../src/core/engine/fixes.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import type { SourceFile } from "../../src/core/types.js";
import { findSecurityContexts } from "../../src/core/helm/values.js";
import { findValuesSecrets, isValuesSecretKey, judgeValuesLiteral } from "../../src/core/helm/secrets.js";
import { templateRoot } from "../../src/core/helm/chart.js";

const NOW = new Date("2026-11-25T00:00:00Z");
const HELM_RULES = ["HELM-001", "HELM-002", "HELM-003", "K8S-SECRET-005"];

function run(files: SourceFile[], rules = HELM_RULES, knownPaths: string[] = []) {
  const config = { ...structuredClone(DEFAULT_CONFIG), rules: Object.fromEntries(rules.map((id) => [id, { enabled: true }])) };
  return scan(files, { config, onlyRules: rules, now: NOW, knownPaths }).findings;
}

describe("values conventions", () => {
  it("container and pod securityContexts at any depth, linked by parent", () => {
    const scs = findSecurityContexts({
      podSecurityContext: { fsGroup: 1 },
      securityContext: { runAsUser: 1 },
      controller: { podSecurityContext: {}, containerSecurityContext: { enabled: false } },
      legacy: { securityContext: { fsGroup: 2000 } },
    });
    expect(scs.map((s) => [s.path.join("."), s.level, s.pod?.path.join(".") ?? null, s.enabled ?? null])).toEqual([
      ["podSecurityContext", "pod", null, null],
      ["securityContext", "container", "podSecurityContext", null],
      ["controller.podSecurityContext", "pod", null, null],
      ["controller.containerSecurityContext", "container", "controller.podSecurityContext", false],
      ["legacy.securityContext", "pod", null, null],
    ]);
  });

  it("runAsNonRoot is only proposed when a non-zero runAsUser is already set (pod level counts)", () => {
    const values = "podSecurityContext:\n  runAsUser: 1001\nsecurityContext: {}\n";
    const [f] = run([{ path: "chart/values.yaml", text: values }], ["HELM-001"]).filter((x) => x.message.includes("unhardened"));
    expect(f.message).toContain("runAsNonRoot: true");
    expect(f.message).not.toContain("set a non-zero runAsUser");
    const out = fixFiles([{ path: "chart/values.yaml", text: values }], { rules: ["HELM-001"] }, { config: { ...DEFAULT_CONFIG, rules: { "HELM-001": { enabled: true } } }, onlyRules: ["HELM-001"], now: NOW });
    expect(out.changed.get("chart/values.yaml")).toContain("  runAsNonRoot: true\n");

    const root = run([{ path: "chart/values.yaml", text: "securityContext: {}\n" }], ["HELM-001"]);
    expect(root[0].message).toContain("runAsNonRoot: true (set a non-zero runAsUser the image supports first)");
  });

  it("per-component keys, a disabled Bitnami securityContext, RBAC wildcards, ingress without TLS", () => {
    const values = [
      "controller:",
      "  containerSecurityContext:",
      "    enabled: false",
      "    runAsUser: 1001",
      "  rbac:",
      "    create: true",
      "    rules:",
      "      - apiGroups: ['*']",
      "        resources: [pods]",
      "        verbs: [get]",
      "ingress:",
      "  enabled: true",
      "  hosts: [shop.example.com]",
      "",
    ].join("\n");
    const found = run([{ path: "charts/x/values.yaml", text: values }], ["HELM-001"]);
    expect(found.map((f) => [f.range.startLine, f.message.split(":")[0]])).toEqual([
      [3, "values.yaml `controller.containerSecurityContext.enabled` is false"],
      [8, 'values.yaml `controller.rbac.rules[0]` grants "*" in apiGroups'],
      [11, "values.yaml `ingress` is enabled without TLS"],
    ]);
    expect(found[0].fix?.edits.map((e) => e.newText)).toEqual(["true"]);
  });

  it("override files are judged on what they set, not on what they leave to values.yaml", () => {
    const files = [
      { path: "charts/x/values.yaml", text: "securityContext:\n  allowPrivilegeEscalation: false\n  readOnlyRootFilesystem: true\n  runAsNonRoot: true\n  capabilities: {drop: [ALL]}\n  seccompProfile: {type: RuntimeDefault}\n" },
      { path: "charts/x/values-prod.yaml", text: "securityContext:\n  privileged: true\n" },
    ];
    const found = run(files, ["HELM-001"]);
    expect(found.map((f) => [f.path, f.severity, f.range.startLine])).toEqual([["charts/x/values-prod.yaml", "critical", 2]]);
  });
});

describe("secrets in values (K8S-SECRET-005)", () => {
  it("keys that hold credentials vs keys that name or describe them", () => {
    for (const k of ["password", "adminPassword", "apiKey", "secretKey", "accessKey", "clientSecret", "token", "auth", "privateKey", "rootPassword"]) expect(isValuesSecretKey(k), k).toBe(true);
    for (const k of ["existingSecret", "existingSecretPasswordKey", "passwordKey", "userPasswordKey", "secretName", "tokenTTL", "authEnabled", "passwordFile", "author", "secretKeyRef", "webhookSecretKey", "tlsSecretKey"]) expect(isValuesSecretKey(k), k).toBe(false);
    for (const k of ["minioSecretKey", "awsSecretKey", "secretKey"]) expect(isValuesSecretKey(k), k).toBe(true);
    // The name of a key inside a Secret (deploy/helm/bulwark once had webhookSecretKey: WEBHOOK_SECRET).
    expect(judgeValuesLiteral("apiKey", "API_KEY")).toBeUndefined();
    expect(judgeValuesLiteral("privateKey", "private-key.pem")).toBeUndefined();
  });

  it("severities, placeholders, env-style lists; never the value", () => {
    expect(judgeValuesLiteral("password", "hunter2!")?.severity).toBe("medium");
    expect(judgeValuesLiteral("password", "changeme")).toMatchObject({ severity: "info", placeholder: true });
    expect(judgeValuesLiteral("anything", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789")?.severity).toBe("critical");
    expect(judgeValuesLiteral("url", "postgres://u:p4ss@db/x")?.severity).toBe("high");
    for (const v of ["", "{{ .Values.x }}", "${DB_PASSWORD}", "true", "/run/secrets/db"]) expect(judgeValuesLiteral("password", v), v).toBeUndefined();
    expect(findValuesSecrets({ env: [{ name: "DB_PASSWORD", value: "s3cr3t-pw" }], podAnnotations: { "x/secret": "abc" } }).map((s) => s.path)).toEqual([["env", 0, "value"]]);

    const secret = "Sup3r-s3cret-value";
    const [f] = run([{ path: "c/values.yaml", text: `db:\n  password: "${secret}"\n` }], ["K8S-SECRET-005"]);
    expect(f.message).not.toContain(secret);
    expect(f.message).not.toContain(secret.slice(0, 4));
    expect(f.message).toContain("18 characters");
  });
});

describe("charts in the engine", () => {
  const template = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  hostNetwork: true\n  containers: []\n";

  it("templates of a chart with Chart.yaml are reviewed, not skipped; stray templates keep the skip note", () => {
    const chart = run([
      { path: "charts/a/Chart.yaml", text: "apiVersion: v2\nname: a\nversion: 1.0.0\n" },
      { path: "charts/a/templates/pod.yaml", text: template },
    ]);
    expect(chart.map((f) => f.ruleId)).toEqual(["HELM-002"]);
    expect(chart[0].range).toEqual({ startLine: 6, startColumn: 3, endLine: 6, endColumn: 20 });

    const stray = run([{ path: "charts/a/templates/pod.yaml", text: template }]);
    expect(stray.map((f) => f.ruleId).sort()).toEqual(["BULWARK-SKIPPED", "HELM-002"]);

    // A Chart.yaml the caller knows about (not scanned) makes it a chart template too.
    expect(run([{ path: "charts/a/templates/pod.yaml", text: template }], HELM_RULES, ["charts/a/Chart.yaml"]).map((f) => f.ruleId)).toEqual(["HELM-002"]);
  });

  it("fingerprints of values findings do not depend on Chart.yaml being in the scan", () => {
    const values = { path: "charts/a/values.yaml", text: "hostNetwork: true\n" };
    const alone = run([values], ["HELM-001"]);
    const withChart = run([{ path: "charts/a/Chart.yaml", text: "apiVersion: v2\nname: renamed\nversion: 1.0.0\n" }, values], ["HELM-001"]);
    expect(alone.map((f) => f.fingerprint)).toEqual(withChart.map((f) => f.fingerprint));
  });

  it("suppression comments work in values files and templates", () => {
    const found = run([
      { path: "c/Chart.yaml", text: "apiVersion: v2\nname: c\nversion: 1.0.0\n" },
      { path: "c/values.yaml", text: "# bulwark:ignore HELM-001 the CNI plugin needs the node network\nhostNetwork: true\n" },
      { path: "c/templates/ds.yaml", text: "spec:\n  # bulwark:ignore HELM-002 node agent\n  hostPID: true\n  name: {{ .Release.Name }}\n" },
    ]);
    expect(found.map((f) => [f.ruleId, f.suppressed?.reason])).toEqual([
      ["HELM-002", "node agent"],
      ["HELM-001", "the CNI plugin needs the node network"],
    ]);
  });

  it("values files and Chart.yaml with YAML errors are reported, not ignored", () => {
    const found = run([{ path: "c/values.yaml", text: "a: [1\nb: 2\n" }]);
    expect(found.map((f) => f.ruleId)).toEqual(["BULWARK-PARSE"]);
  });

  it("template roots: nearest Chart.yaml, else the directory above templates/", () => {
    const roots = new Set(["charts/a", "charts/a/charts/b"]);
    expect(templateRoot("charts/a/templates/x.yaml", roots)).toEqual({ root: "charts/a", known: true });
    expect(templateRoot("charts/a/charts/b/templates/sub/x.yaml", roots)).toEqual({ root: "charts/a/charts/b", known: true });
    expect(templateRoot("other/templates/x.yaml", roots)).toEqual({ root: "other", known: false });
    expect(templateRoot("templates/x.yaml", new Set([""]))).toEqual({ root: "", known: true });
    expect(templateRoot("deploy/x.yaml", roots)).toBeUndefined();
  });
});
