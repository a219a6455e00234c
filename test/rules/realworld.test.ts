// Real-world shapes (test/fixtures/realworld): every rule of the catalog runs over three
// bundles modelled on kube-prometheus, Argo CD's install.yaml and Online Boutique. No rule
// may fail on them, and the findings of the image, network, RBAC, service-account and
// secrets rules are pinned to what a reviewer would expect.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { scan } from "../../src/core/engine/scan.js";
import { fixFiles } from "../../src/core/engine/fixes.js";
import { getCatalog } from "../../src/core/engine/catalog.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import type { BulwarkConfig } from "../../src/core/config/schema.js";
import type { Finding, SourceFile } from "../../src/core/types.js";

const ROOT = fileURLToPath(new URL("../fixtures/realworld/", import.meta.url));
const NOW = new Date("2026-11-25T00:00:00Z");

function load(dir: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".yaml")) out.push({ path: relative(ROOT, p), text: readFileSync(p, "utf8") });
    }
  };
  walk(join(ROOT, dir));
  return out;
}

const everyRule: BulwarkConfig = {
  ...DEFAULT_CONFIG,
  profile: "hardened",
  trustedRegistries: ["quay.io", "registry.k8s.io", "ghcr.io/dexidp/"],
  rules: Object.fromEntries([...getCatalog().ids()].map((id) => [id, { enabled: true }])),
};

const MINE = /^K8S-(?:IMAGE|NET|RBAC|SA|SECRET)-/;
const MINE_IDS = [...getCatalog().ids()].filter((id) => MINE.test(id));

function scanBundle(dir: string, verifyFixes = false): Finding[] {
  // Verification re-scans a file per fix: limited to these rules to keep the suite fast.
  return scan(load(dir), { config: everyRule, now: NOW, verifyFixes, ...(verifyFixes ? { onlyRules: MINE_IDS } : {}) }).findings;
}

/** "RULE severity kind/name" per finding, sorted, for the rules this suite pins. */
function summary(findings: Finding[], ...rules: string[]): string[] {
  return findings
    .filter((f) => rules.includes(f.ruleId))
    .map((f) => `${f.ruleId} ${f.severity} ${f.resource?.kind}/${f.resource?.name}${f.fix ? " +fix" : ""}`)
    .sort();
}

const BUNDLES = ["kube-prometheus", "argo-cd", "microservices-demo"];

describe.each(BUNDLES)("%s", (bundle) => {
  const findings = scanBundle(bundle);

  it("is a few hundred lines of multi-document YAML", () => {
    const files = load(bundle);
    const lines = files.reduce((n, f) => n + f.text.split("\n").length, 0);
    expect(lines).toBeGreaterThan(300);
    expect(files.every((f) => f.text.includes("\n---\n"))).toBe(true);
  });

  it("runs every rule without a failure or parse problem", () => {
    expect(findings.filter((f) => f.ruleId === "BULWARK-PARSE" || f.ruleId === "BULWARK-LIMIT").map((f) => f.message)).toEqual([]);
    expect(findings.length).toBeGreaterThan(10);
  });

  it("never echoes a secret value", () => {
    for (const f of findings.filter((x) => x.ruleId.startsWith("K8S-SECRET-"))) {
      expect(f.message).not.toMatch(/hunter2|AAAAC3Nza|requirepass/);
    }
  });

  it("keeps the fixes of these rules through fix verification", () => {
    const verified = scanBundle(bundle, true).filter((f) => MINE.test(f.ruleId));
    expect(verified.filter((f) => f.message.includes("automatic fix withheld")).map((f) => f.message)).toEqual([]);
  });

  it("applies every fix of these rules to a file that still parses", () => {
    const files = load(bundle);
    const out = fixFiles(files, { rules: MINE_IDS, includeBehaviourChanging: true }, { config: everyRule, onlyRules: MINE_IDS, now: NOW });
    const fixed = files.map((f) => ({ path: f.path, text: out.changed.get(f.path) ?? f.text }));
    const after = scan(fixed, { config: everyRule, now: NOW }).findings;
    expect(after.filter((f) => f.ruleId === "BULWARK-PARSE")).toEqual([]);
    const fixable = (fs: Finding[]) => fs.filter((f) => MINE.test(f.ruleId) && f.fix).length;
    expect(fixable(after)).toBe(0);
    expect(after.length).toBeLessThan(findings.length);
  });
});

describe("pinned findings", () => {
  it("kube-prometheus: policies everywhere, no default deny, operator wildcards, secrets readers", () => {
    const f = scanBundle("kube-prometheus");
    expect(summary(f, "K8S-NET-001")).toEqual([]);
    expect(summary(f, "K8S-NET-002")).toEqual(["K8S-NET-002 medium Namespace/monitoring"]);
    expect(summary(f, "K8S-RBAC-001")).toEqual(Array(3).fill("K8S-RBAC-001 high ClusterRole/prometheus-operator"));
    expect(summary(f, "K8S-RBAC-003")).toEqual(["K8S-RBAC-003 critical ClusterRole/kube-state-metrics", "K8S-RBAC-003 critical ClusterRole/prometheus-operator"]);
    expect(summary(f, "K8S-RBAC-002", "K8S-RBAC-004", "K8S-RBAC-005", "K8S-RBAC-007", "K8S-RBAC-012", "K8S-RBAC-013")).toEqual([]);
    // Pods that opt back in to the token are bound to roles: reported, never patched.
    expect(summary(f, "K8S-SA-001")).toEqual([
      "K8S-SA-001 medium DaemonSet/node-exporter",
      "K8S-SA-001 medium Deployment/blackbox-exporter",
      "K8S-SA-001 medium Deployment/kube-state-metrics",
      "K8S-SA-001 medium Deployment/prometheus-operator",
    ]);
    expect(summary(f, "K8S-SA-002", "K8S-SA-003")).toEqual([]);
    expect(summary(f, "K8S-SECRET-001", "K8S-SECRET-003")).toEqual([]);
    expect(summary(f, "K8S-SECRET-002")).toEqual(["K8S-SECRET-002 critical Secret/alertmanager-main", "K8S-SECRET-002 critical Secret/grafana-datasources"]);
    expect(summary(f, "K8S-IMAGE-001", "K8S-IMAGE-004")).toEqual([]);
    expect(summary(f, "K8S-IMAGE-003")).toEqual(["K8S-IMAGE-003 high Deployment/blackbox-exporter", "K8S-IMAGE-003 high Deployment/grafana"]);
  });

  it("argo-cd: the controller's cluster-admin equivalent, server wildcards, open server policy", () => {
    const f = scanBundle("argo-cd");
    expect(summary(f, "K8S-RBAC-001")).toEqual([
      "K8S-RBAC-001 critical ClusterRole/argocd-application-controller",
      "K8S-RBAC-001 high ClusterRole/argocd-application-controller",
      "K8S-RBAC-001 high ClusterRole/argocd-server",
    ]);
    expect(summary(f, "K8S-RBAC-002")).toEqual(["K8S-RBAC-002 critical ClusterRoleBinding/argocd-application-controller"]);
    expect(summary(f, "K8S-RBAC-003")).toEqual([
      "K8S-RBAC-003 high ClusterRole/argocd-server",
      "K8S-RBAC-003 high Role/argocd-application-controller",
      "K8S-RBAC-003 high Role/argocd-dex-server",
      "K8S-RBAC-003 high Role/argocd-server",
    ]);
    expect(summary(f, "K8S-RBAC-005", "K8S-RBAC-007", "K8S-RBAC-008")).toEqual([
      "K8S-RBAC-005 high ClusterRole/argocd-server",
      "K8S-RBAC-007 high ClusterRole/argocd-server",
      "K8S-RBAC-008 high ClusterRole/argocd-server",
    ]);
    expect(summary(f, "K8S-NET-001")).toEqual([]);
    expect(summary(f, "K8S-NET-002")).toEqual(["K8S-NET-002 medium NetworkPolicy/argocd-application-controller-network-policy"]);
    expect(summary(f, "K8S-NET-003")).toEqual(["K8S-NET-003 low NetworkPolicy/argocd-server-network-policy"]);
    expect(summary(f, "K8S-SA-001")).toEqual([
      "K8S-SA-001 medium Deployment/argocd-dex-server",
      "K8S-SA-001 medium Deployment/argocd-redis +fix",
      "K8S-SA-001 medium Deployment/argocd-server",
      "K8S-SA-001 medium StatefulSet/argocd-application-controller",
    ]);
    expect(summary(f, "K8S-SECRET-001", "K8S-SECRET-002", "K8S-SECRET-003")).toEqual([]);
    expect(summary(f, "K8S-SECRET-004")).toHaveLength(4);
    expect(summary(f, "K8S-IMAGE-005")).toEqual(["K8S-IMAGE-005 low Deployment/argocd-redis +fix"]);
    expect(summary(f, "K8S-IMAGE-003")).toEqual(["K8S-IMAGE-003 high Deployment/argocd-redis"]);
  });

  it("microservices-demo: unknown isolation, a public LoadBalancer, tokens everywhere", () => {
    const f = scanBundle("microservices-demo");
    const net1 = summary(f, "K8S-NET-001");
    expect(net1).toHaveLength(12);
    expect(net1.every((s) => s.startsWith("K8S-NET-001 info "))).toBe(true);
    expect(summary(f, "K8S-NET-002", "K8S-NET-005", "K8S-NET-006")).toEqual([]);
    expect(summary(f, "K8S-NET-004")).toEqual(["K8S-NET-004 medium Service/frontend-external"]);
    const sa1 = summary(f, "K8S-SA-001");
    expect(sa1).toHaveLength(12);
    expect(sa1.every((s) => s.endsWith("+fix"))).toBe(true);
    expect(summary(f, "K8S-SA-002")).toEqual(["K8S-SA-002 low Deployment/redis-cart"]);
    expect(summary(f, "K8S-IMAGE-001", "K8S-IMAGE-004")).toEqual([]);
    expect(summary(f, "K8S-IMAGE-002")).toHaveLength(12);
    expect(summary(f, "K8S-SECRET-001", "K8S-SECRET-002", "K8S-SECRET-003", "K8S-SECRET-004")).toEqual([]);
  });
});
