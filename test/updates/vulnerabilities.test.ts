// Trivy and Grype reports mapped onto extracted image references as K8S-IMAGE-007 findings.
import { describe, expect, it } from "vitest";
import { extractDependencies } from "../../src/updates/extract/index.js";
import { parseVulnerabilityReport, vulnerabilityFindings, VulnerabilityIndex } from "../../src/updates/vulnerabilities.js";
import { tryParseImageRef } from "../../src/core/image/reference.js";

const DIGEST = `sha256:${"d".repeat(64)}`;

// Shapes as `trivy image --format json` (schema v2) writes them.
const trivy = {
  SchemaVersion: 2,
  ArtifactName: "python:3.11.4-slim-bookworm",
  ArtifactType: "container_image",
  Metadata: { OS: { Family: "debian", Name: "12.1" }, RepoTags: ["python:3.11.4-slim-bookworm"], RepoDigests: [`python@${DIGEST}`] },
  Results: [
    {
      Target: "python:3.11.4-slim-bookworm (debian 12.1)",
      Class: "os-pkgs",
      Type: "debian",
      Vulnerabilities: [
        { VulnerabilityID: "CVE-2023-5363", PkgName: "openssl", InstalledVersion: "3.0.9-1", FixedVersion: "3.0.11-1~deb12u2", Severity: "HIGH", Title: "openssl: Incorrect cipher key", PrimaryURL: "https://avd.aquasec.com/nvd/cve-2023-5363" },
        { VulnerabilityID: "CVE-2023-4911", PkgName: "libc6", InstalledVersion: "2.36-9", FixedVersion: "2.36-9+deb12u3", Severity: "CRITICAL" },
        { VulnerabilityID: "CVE-2011-3374", PkgName: "apt", InstalledVersion: "2.6.1", Severity: "LOW" },
      ],
    },
    { Target: "Python", Class: "lang-pkgs", Type: "python-pkg" },
  ],
};

// Shape of `grype -o json`.
const grype = {
  matches: [
    {
      vulnerability: { id: "GHSA-xxxx-yyyy", dataSource: "https://github.com/advisories/GHSA-xxxx-yyyy", severity: "Medium", fix: { versions: ["1.2.4"], state: "fixed" } },
      artifact: { name: "libfoo", version: "1.2.3", type: "apk" },
    },
    { vulnerability: { id: "CVE-2024-0001", severity: "Negligible", fix: { versions: [], state: "not-fixed" } }, artifact: { name: "busybox", version: "1.36.1-r0" } },
  ],
  source: { type: "image", target: { userInput: "ghcr.io/acme/web:1.0.0", imageID: "sha256:1", repoDigests: [], tags: ["ghcr.io/acme/web:1.0.0"] } },
  descriptor: { name: "grype", version: "0.80.0" },
};

const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.0.0
        - name: tools
          image: python:3.11.4-slim-bookworm
        - name: clean
          image: nginx:1.27
`;

describe("vulnerability reports", () => {
  it("parses Trivy and Grype JSON (text, objects or arrays) and ignores anything else", () => {
    const reports = parseVulnerabilityReport(JSON.stringify([trivy, grype, { hello: 1 }]));
    expect(reports.map((r) => [r.scanner, r.image, r.vulnerabilities.length])).toEqual([
      ["trivy", "python:3.11.4-slim-bookworm", 3],
      ["grype", "ghcr.io/acme/web:1.0.0", 2],
    ]);
    expect(reports[1]!.vulnerabilities[0]).toEqual({ id: "GHSA-xxxx-yyyy", severity: "medium", pkg: "libfoo", installed: "1.2.3", fixed: "1.2.4", url: "https://github.com/advisories/GHSA-xxxx-yyyy" });
    expect(reports[1]!.vulnerabilities[1]!.fixed).toBeUndefined();
    expect(parseVulnerabilityReport("not json")).toEqual([]);
  });

  it("matches images by tag or by repo digest, normalising Docker Hub names", () => {
    const index = new VulnerabilityIndex(parseVulnerabilityReport(trivy));
    expect(index.forImage(tryParseImageRef("docker.io/library/python:3.11.4-slim-bookworm")!)?.image).toBe("python:3.11.4-slim-bookworm");
    expect(index.forImage(tryParseImageRef(`python:whatever@${DIGEST}`)!)?.image).toBe("python:3.11.4-slim-bookworm");
    expect(index.forImage(tryParseImageRef("python:3.12")!)).toBeUndefined();
  });

  it("turns them into one K8S-IMAGE-007 finding per affected dependency", () => {
    const deps = extractDependencies([{ path: "k8s/web.yaml", text: manifest }]).dependencies;
    const findings = vulnerabilityFindings(parseVulnerabilityReport([trivy, grype]), deps);
    expect(findings.map((f) => [f.ruleId, f.severity, f.resource?.container, f.range.startLine])).toEqual([
      ["K8S-IMAGE-007", "medium", "web", 9],
      ["K8S-IMAGE-007", "critical", "tools", 11],
    ]);
    expect(findings[1]!.message).toBe(
      "python:3.11.4-slim-bookworm has 3 known vulnerabilities (1 critical, 1 high, 1 low) according to the trivy scan of python:3.11.4-slim-bookworm; 2 have a fixed package version. " +
        "CVE-2023-4911 (critical, libc6 2.36-9 → 2.36-9+deb12u3); CVE-2023-5363 (high, openssl 3.0.9-1 → 3.0.11-1~deb12u2); CVE-2011-3374 (low, apt 2.6.1, no fix yet).",
    );
    // Stable across a tag bump: the fingerprint names the image, not its version.
    const bumped = extractDependencies([{ path: "k8s/web.yaml", text: manifest.replace("web:1.0.0", "web:1.0.1") }]).dependencies;
    const again = vulnerabilityFindings(parseVulnerabilityReport([{ ...grype, source: { ...grype.source, target: { ...grype.source.target, userInput: "ghcr.io/acme/web:1.0.1" } } }]), bumped);
    expect(again[0]!.fingerprint).toBe(findings[0]!.fingerprint);
  });
});
