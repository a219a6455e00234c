// Mapping `helm template` output back to the chart, on a chart written for this test and the
// output helm prints for it (test/fixtures/helm/web/rendered.yaml, release "web").
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import { scan } from "../../src/core/engine/scan.js";
import { reviewRenderedChart } from "../../src/core/helm/review.js";
import { mergeRendered } from "../../src/core/helm/merge.js";
import { planRenderedFixes } from "../../src/cli/render.js";
import type { Finding } from "../../src/core/types.js";

const ROOT = "test/fixtures/helm/web";
const FILES = ["Chart.yaml", "values.yaml", "templates/deployment.yaml", "templates/service.yaml", "templates/serviceaccount.yaml", "templates/_helpers.tpl"];
const RULES = ["K8S-HOST-001", "K8S-RUNTIME-001", "K8S-RUNTIME-002", "K8S-RUNTIME-009", "K8S-RUNTIME-015", "K8S-IMAGE-002", "K8S-RES-001", "K8S-GEN-001", "HELM-001", "HELM-002"];
const NOW = new Date("2026-11-25T00:00:00Z");

function load(overrides: Record<string, string> = {}): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of FILES) m.set(`${ROOT}/${f}`, overrides[f] ?? readFileSync(`${ROOT}/${f}`, "utf8"));
  return m;
}

const config = { ...structuredClone(DEFAULT_CONFIG), rules: Object.fromEntries(RULES.map((id) => [id, { enabled: true }])) };
const options = { config, onlyRules: RULES, now: NOW };
const rendered = readFileSync(`${ROOT}/rendered.yaml`, "utf8");

function review(files = load(), text = rendered): Finding[] {
  return reviewRenderedChart({ root: ROOT, name: "web", chartYamlPath: `${ROOT}/Chart.yaml`, files, valuesFiles: [`${ROOT}/values.yaml`] }, text, options);
}

const short = (f: Finding) => [f.ruleId, f.path.slice(ROOT.length + 1), f.range.startLine, f.resource?.container ?? null, f.fix ? "fix" : null];

describe("reviewRenderedChart", () => {
  const found = review();

  it("moves every rendered finding to the values key or the template line that sets it", () => {
    expect(found.map(short)).toEqual([
      // hostNetwork: {{ .Values.hostNetwork }} — a scalar read: the values key, fixable.
      ["K8S-HOST-001", "values.yaml", 26, null, "fix"],
      // securityContext: {{- toYaml . }} inside {{- with .Values.podSecurityContext }}: the subtree's key.
      ["K8S-RUNTIME-009", "values.yaml", 16, null, "fix"],
      ["K8S-RUNTIME-002", "values.yaml", 19, "web", "fix"],
      // The rule's fix also adds an emptyDir volume, which no value controls: no fix, still on the values key.
      ["K8S-RUNTIME-015", "values.yaml", 19, "web", null],
      // "{{ .Values.image.repository }}:{{ .Values.image.tag }}": derived, the parent key, no fix.
      ["K8S-IMAGE-002", "values.yaml", 4, "web", null],
      // The literal "metrics" container: template lines, SUGGEST only.
      ["K8S-RES-001", "templates/deployment.yaml", 37, "metrics", null],
      ["K8S-IMAGE-002", "templates/deployment.yaml", 38, "metrics", null],
      ["K8S-RUNTIME-015", "templates/deployment.yaml", 39, "metrics", null],
      ["K8S-RUNTIME-002", "templates/deployment.yaml", 40, "metrics", null],
    ]);
  });

  it("says where the value comes from", () => {
    const hostNetwork = found.find((f) => f.ruleId === "K8S-HOST-001")!;
    expect(hostNetwork.message).toContain("[Helm: `hostNetwork` in values.yaml, rendered by templates/deployment.yaml:18]");
    expect(hostNetwork.fix?.description).toBe("Set hostNetwork: false (in values.yaml: `hostNetwork`)");
    const missing = found.find((f) => f.ruleId === "K8S-RUNTIME-002" && f.resource?.container === "web")!;
    expect(missing.message).toContain("`securityContext.allowPrivilegeEscalation` is not set in values.yaml; templates/deployment.yaml:26 renders it");
    const literal = found.find((f) => f.ruleId === "K8S-RUNTIME-002" && f.resource?.container === "metrics")!;
    expect(literal.message).toContain("[Helm: written in templates/deployment.yaml:40; no value controls it.");
    expect(literal.range).toEqual({ startLine: 40, startColumn: 13, endLine: 40, endColumn: 43 });
  });

  it("drops render artefacts: helm sets the namespace at install time", () => {
    expect(found.some((f) => f.ruleId === "K8S-GEN-001")).toBe(false);
  });

  it("values fixes are byte-preserving edits of values.yaml, planned together", () => {
    const files = load();
    const { changed, used } = planRenderedFixes(found, files);
    expect(used.map((f) => f.ruleId).sort()).toEqual(["K8S-HOST-001", "K8S-RUNTIME-002", "K8S-RUNTIME-009"]);
    const before = files.get(`${ROOT}/values.yaml`)!;
    const after = changed.get(`${ROOT}/values.yaml`)!;
    expect(after).toBe(
      before
        .replace("podSecurityContext:\n  fsGroup: 10001\n", "podSecurityContext:\n  fsGroup: 10001\n  seccompProfile:\n    type: RuntimeDefault\n")
        .replace("    drop:\n    - ALL\n", "    drop:\n    - ALL\n  allowPrivilegeEscalation: false\n")
        .replace("hostNetwork: true", "hostNetwork: false"),
    );
    expect([...changed.keys()]).toEqual([`${ROOT}/values.yaml`]);
  });

  it("fingerprints are stable across unrelated edits of values.yaml and the templates", () => {
    const values = readFileSync(`${ROOT}/values.yaml`, "utf8");
    const edited = load({ "values.yaml": `# a new comment\n${values.replace("replicaCount: 1", "replicaCount: 3\n\nextra: {}")}` });
    const again = review(edited, rendered.replace("replicas: 1", "replicas: 3"));
    expect(again.map((f) => f.fingerprint)).toEqual(found.map((f) => f.fingerprint));
    expect(new Set(found.map((f) => f.fingerprint)).size).toBe(found.length);
  });

  it("`# bulwark:ignore` above a values key (or its parent) suppresses what it renders", () => {
    const values = readFileSync(`${ROOT}/values.yaml`, "utf8").replace("securityContext:\n  runAsUser", "# bulwark:ignore K8S-RUNTIME-002 the JVM agent needs setuid\nsecurityContext:\n  runAsUser");
    const f = review(load({ "values.yaml": values })).find((x) => x.ruleId === "K8S-RUNTIME-002" && x.resource?.container === "web")!;
    expect(f.suppressed).toEqual({ reason: "the JVM agent needs setuid", source: `comment ${ROOT}/values.yaml:19` });
  });

  it("a template Bulwark cannot see (a packaged subchart) points at Chart.yaml", () => {
    const sub = "---\n# Source: web/charts/redis/templates/master.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: redis\nspec:\n  hostNetwork: true\n  containers:\n    - name: redis\n      image: redis:7.2.4\n";
    const [f] = review(load(), sub).filter((x) => x.ruleId === "K8S-HOST-001");
    expect(short(f)).toEqual(["K8S-HOST-001", "Chart.yaml", 1, null, null]);
    expect(f.message).toContain("rendered from web/charts/redis/templates/master.yaml (not in this scan");
  });

  it("merged with the plain scan: static HELM findings on the same line give way, nothing is said twice", () => {
    const files = load();
    const plain = scan([...files].map(([path, text]) => ({ path, text })), options);
    const helm001 = plain.findings.filter((f) => f.ruleId === "HELM-001").map((f) => f.range.startLine);
    expect(helm001).toContain(26); // hostNetwork: true, found without helm
    const merged = mergeRendered(plain, found);
    const onLine26 = merged.findings.filter((f) => f.path.endsWith("values.yaml") && f.range.startLine === 26).map((f) => f.ruleId);
    expect(onLine26).toEqual(["K8S-HOST-001"]);
    const helm002 = merged.findings.filter((f) => f.ruleId === "HELM-002").map((f) => f.range.startLine);
    expect(helm002).toEqual([]); // allowPrivilegeEscalation: true on line 40 is K8S-RUNTIME-002 now
    expect(merged.summary.findings).toBe(merged.findings.filter((f) => !f.suppressed).length);
    expect(merged.summary.byRule["K8S-HOST-001"]).toBe(1);
  });
});
