// Image rules beyond the documented examples: allow-list matching in detail, reference
// parsing edge cases and the k8s.gcr.io rewrite under fix verification.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { scan } from "../../src/core/engine/scan.js";
import { fixFiles } from "../../src/core/engine/fixes.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import type { RuleMeta } from "../../src/core/engine/rule.js";

const NOW = new Date("2026-11-25T00:00:00Z");

function run(rule: string, text: string, trustedRegistries: string[] = [], verifyFixes = false) {
  const config = { ...DEFAULT_CONFIG, profile: "hardened" as const, trustedRegistries, rules: { [rule]: { enabled: true } } };
  return scan([{ path: "manifest.yaml", text }], { config, onlyRules: [rule], now: NOW, verifyFixes }).findings.filter((f) => f.ruleId === rule);
}

function pod(...images: string[]): string {
  return [
    "apiVersion: v1",
    "kind: Pod",
    "metadata:",
    "  name: p",
    "spec:",
    "  containers:",
    ...images.flatMap((img, i) => [`    - name: c${i}`, `      image: ${JSON.stringify(img)}`]),
    "",
  ].join("\n");
}

describe("K8S-IMAGE-003 allow-list", () => {
  const meta = parse(readFileSync(new URL("../../rules/K8S-IMAGE-003.yaml", import.meta.url), "utf8")) as RuleMeta;

  it("names the containers of the documented failing example", () => {
    const ex = meta.examples.failing[0];
    const found = run("K8S-IMAGE-003", ex.content, (ex.config?.trustedRegistries as string[] | undefined) ?? []);
    expect(found).toHaveLength(ex.count!);
    expect(found.map((f) => f.resource?.container).sort()).toEqual(["init", "web"]);
  });

  it("is off without an allow-list (blank entries do not count)", () => {
    expect(run("K8S-IMAGE-003", pod("evil.io/x:1"), [])).toEqual([]);
    expect(run("K8S-IMAGE-003", pod("evil.io/x:1"), ["  "])).toEqual([]);
  });

  it("matches exact hosts and /-terminated prefixes, never open-ended string prefixes", () => {
    const allow = ["registry.acme.io", "ghcr.io/acme/"];
    const ok = ["registry.acme.io/team/app:1", "ghcr.io/acme/web:2", "ghcr.io/acme/sub/dir@sha256:" + "a".repeat(64)];
    const bad = ["registry.acme.io.evil.com/app:1", "registry.acme.io:5000/app:1", "ghcr.io/acmeevil/web:1", "ghcr.io/acme:1", "nginx:1.27"];
    expect(run("K8S-IMAGE-003", pod(...ok), allow)).toEqual([]);
    expect(run("K8S-IMAGE-003", pod(...bad), allow)).toHaveLength(bad.length);
  });

  it("treats bare names as Docker Hub, under any of its host names", () => {
    expect(run("K8S-IMAGE-003", pod("nginx:1.27", "index.docker.io/library/redis:7", "bitnami/redis:7"), ["docker.io"])).toEqual([]);
    const found = run("K8S-IMAGE-003", pod("nginx:1.27"), ["quay.io"]);
    expect(found).toHaveLength(1);
    expect(found[0].message).toContain("docker.io/library/nginx");
  });

  it("does not judge templated references", () => {
    expect(run("K8S-IMAGE-003", pod("$(REGISTRY)/app:1", "{{ .Values.image }}"), ["registry.acme.io"])).toEqual([]);
  });
});

describe("reference parsing in the image rules", () => {
  it("a registry port is not a tag; a digest pins whatever the tag", () => {
    expect(run("K8S-IMAGE-001", pod("localhost:5000/app", "registry:5000/team/app:1.2", "app:latest@sha256:" + "b".repeat(64)))).toHaveLength(1);
    expect(run("K8S-IMAGE-002", pod("registry:5000/team/app:1.2", "app@sha256:" + "c".repeat(64)))).toHaveLength(1);
  });

  it("ignores references that do not parse instead of failing", () => {
    const text = pod("UPPER/Case:1", "bad::tag", "");
    for (const id of ["K8S-IMAGE-001", "K8S-IMAGE-002", "K8S-IMAGE-004", "K8S-IMAGE-005"]) {
      const all = scan([{ path: "m.yaml", text }], { config: { ...DEFAULT_CONFIG, rules: { [id]: { enabled: true } } }, onlyRules: [id], now: NOW }).findings;
      expect(all.filter((f) => f.ruleId === "BULWARK-PARSE")).toEqual([]);
      expect(all.filter((f) => f.ruleId === id)).toEqual([]);
    }
  });

  it("skips containers without an image", () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n";
    expect(run("K8S-IMAGE-001", text)).toEqual([]);
  });
});

describe("K8S-IMAGE-004 rewrite", () => {
  it("keeps path, tag and digest and survives fix verification", () => {
    const digest = "sha256:" + "d".repeat(64);
    const found = run("K8S-IMAGE-004", pod(`k8s.gcr.io/ingress-nginx/controller:v1.2.1@${digest}`), [], true);
    expect(found).toHaveLength(1);
    expect(found[0].fix?.edits.map((e) => e.newText).join("")).toContain(`registry.k8s.io/ingress-nginx/controller:v1.2.1@${digest}`);
    expect(found[0].message).not.toContain("withheld");
  });

  it("is an AUTO fix applied without naming the rule", () => {
    const text = pod("k8s.gcr.io/pause:3.9");
    const out = fixFiles([{ path: "m.yaml", text }], {}, { config: { ...DEFAULT_CONFIG, rules: {} }, onlyRules: ["K8S-IMAGE-004"], now: NOW });
    expect(out.changed.get("m.yaml")).toBe(pod("registry.k8s.io/pause:3.9"));
  });
});

describe("K8S-IMAGE-005 pull policy", () => {
  it("fails on Never with a version tag and passes on the latest default", () => {
    const text = [
      "apiVersion: v1",
      "kind: Pod",
      "metadata: {name: p}",
      "spec:",
      "  containers:",
      "    - {name: a, image: 'app:1.0', imagePullPolicy: Never}",
      "    - {name: b, image: app}",
      "    - {name: c, image: 'app:latest', imagePullPolicy: IfNotPresent}",
      "",
    ].join("\n");
    expect(run("K8S-IMAGE-005", text).map((f) => f.resource?.container)).toEqual(["a", "c"]);
  });

  it("its fix is withheld from a plain fix run (AUTO*) and applied when the rule is named", () => {
    const text = pod("app:1.0");
    const config = { ...DEFAULT_CONFIG, rules: {} };
    expect(fixFiles([{ path: "m.yaml", text }], {}, { config, onlyRules: ["K8S-IMAGE-005"], now: NOW }).changed.size).toBe(0);
    expect(fixFiles([{ path: "m.yaml", text }], { rules: ["K8S-IMAGE-005"] }, { config, onlyRules: ["K8S-IMAGE-005"], now: NOW }).changed.get("m.yaml")).toContain("imagePullPolicy: Always");
  });
});
