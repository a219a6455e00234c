// End to end over real parts: a fixture repository (Dockerfile, manifests, Helm chart and values,
// Flux, Argo CD, kustomize) pointing at a real docker-registry and a loopback chart repository.
// The planned updates and their exact edits are golden; applying them and planning again
// proposes nothing; a newer tag pushed later is proposed on the same branches.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTextEdits } from "../../src/core/engine/scan.js";
import { DEFAULT_CONFIG } from "../../src/core/config/schema.js";
import type { BulwarkConfig } from "../../src/core/config/schema.js";
import type { SourceFile, TextEdit } from "../../src/core/types.js";
import { createDatasources } from "../../src/updates/datasource/index.js";
import type { UpdateDatasources } from "../../src/updates/datasource/index.js";
import { extractDependencies } from "../../src/updates/extract/index.js";
import { groupUpdates, planUpdates } from "../../src/updates/plan.js";
import type { UpdatePlan } from "../../src/updates/plan.js";
import { parseVulnerabilityReport } from "../../src/updates/vulnerabilities.js";
import { helmIndex, startHelmRepo } from "../support/helm-repo.js";
import type { HelmRepoServer } from "../support/helm-repo.js";
import { registryUnavailable, startRegistry } from "../support/registry.js";
import type { TestRegistry } from "../support/registry.js";
import { readFixtureRepo } from "./fixture-repo.js";

const unavailable = registryUnavailable();
const NOW = new Date("2026-11-25T00:00:00Z");

/** The lines an edit set changes: [line, before, after]. */
function changedLines(text: string, edits: readonly TextEdit[]): [number, string, string][] {
  const before = text.split("\n");
  const after = applyTextEdits(text, edits).split("\n");
  expect(after.length).toBe(before.length);
  return before.flatMap((l, i) => (l === after[i] ? [] : [[i + 1, l, after[i]!] as [number, string, string]]));
}

/** Apply every update of a plan to the files (edits of one file merged; no two overlap). */
function applyPlan(files: SourceFile[], plan: UpdatePlan): SourceFile[] {
  return files.map((f) => {
    const edits = plan.updates.filter((u) => u.path === f.path).flatMap((u) => u.edits);
    const unique = edits.filter((e, i) => edits.findIndex((o) => o.start === e.start && o.end === e.end && o.newText === e.newText) === i);
    return { path: f.path, text: applyTextEdits(f.text, unique) };
  });
}

describe.skipIf(unavailable !== undefined)("update planning over a fixture repository (real registry and chart repository)", () => {
  let reg: TestRegistry;
  let charts: HelmRepoServer;
  let ds: UpdateDatasources & { clearCache(): void };
  let files: SourceFile[];
  let plan: UpdatePlan;
  const d: Record<string, string> = {};
  const config: BulwarkConfig = structuredClone(DEFAULT_CONFIG);

  beforeAll(async () => {
    reg = await startRegistry();
    for (const tag of ["1.0.0-bookworm", "1.0.1-bookworm", "1.0.1-trixie", "2.0.0-trixie"]) d[`base ${tag}`] = await reg.pushImage("acme/base", tag);
    d["web 1.0.0"] = await reg.pushImage("acme/web", "1.0.0", { created: "2026-01-01T00:00:00Z", labels: { "org.opencontainers.image.source": "https://github.com/acme/web" } });
    d["web 1.1.0"] = await reg.pushImage("acme/web", "1.1.0", { created: "2026-02-01T00:00:00Z", labels: { "org.opencontainers.image.source": "https://github.com/acme/web" } });
    d["web 2.0.0"] = await reg.pushImage("acme/web", "2.0.0", { created: "2026-03-01T00:00:00Z" });
    d["multi 1.0.0"] = (await reg.pushIndex("acme/multi", "1.0.0", [{ architecture: "amd64" }, { architecture: "arm64", variant: "v8" }])).index;
    d["multi 1.1.0"] = (await reg.pushIndex("acme/multi", "1.1.0", [{ architecture: "amd64" }, { architecture: "arm64", variant: "v8" }])).index;
    await reg.pushChart("charts/shop-common", "1.0.0");
    await reg.pushChart("charts/shop-common", "1.1.0+build.5");
    await reg.pushChart("charts/shop-common", "2.0.0-rc.1");
    charts = await startHelmRepo(
      helmIndex({
        redis: [{ version: "2.1.0-beta.1" }, { version: "2.0.0" }, { version: "1.3.0", sources: ["https://github.com/acme/charts"] }, { version: "1.2.3" }, { version: "1.2.0" }],
        podinfo: [{ version: "7.0.0" }, { version: "6.5.4", home: "https://github.com/stefanprodan/podinfo" }, { version: "6.5.0" }],
      }),
    );
    files = Object.entries(readFixtureRepo({ __REGISTRY__: reg.host, __CHARTS__: charts.url, __WEB100__: d["web 1.0.0"]! })).map(([path, text]) => ({ path, text }));
    ds = createDatasources();
    plan = await planUpdates(files, { datasources: ds, config, now: NOW });
  });
  afterAll(async () => {
    await charts?.stop();
    await reg?.stop();
  });

  it("finds every dependency of the repository", () => {
    const deps = extractDependencies(files).dependencies;
    expect(deps.map((x) => `${x.id} ${x.kind} ${x.current}`)).toEqual([
      "Dockerfile#stage0 image 1.0.0-bookworm",
      "Dockerfile#stage1 image 1.0.0",
      "argo/app.yaml#0:spec.source.targetRevision chart 1.2.0",
      "chart/Chart.yaml#0:dependencies.0.version chart ~1.2.0",
      "chart/Chart.yaml#0:dependencies.1.version chart 1.0.0",
      "chart/values.yaml#0:image.tag image 1.0.0",
      "flux/release.yaml#1:spec.chart.spec.version chart 6.5.0",
      "k8s/deploy.yaml#0:spec.template.spec.initContainers.0.image image 1.0.0",
      "k8s/deploy.yaml#0:spec.template.spec.containers.0.image image 1.0.0",
      "k8s/deploy.yaml#1:spec.jobTemplate.spec.template.spec.containers.0.image image 2.0.0",
      "overlays/prod/kustomization.yaml#0:images.0.newTag image 1.0.0",
    ]);
  });

  it("plans the golden updates with exact, byte-preserving edits", () => {
    expect(plan.errors).toEqual([]);
    const H = reg.host;
    const golden = plan.updates.map((u) => ({
      id: u.id,
      proposed: u.proposed,
      digest: u.digest ?? null,
      reasons: u.reasons,
      major: u.major,
      updateType: u.updateType,
      branchName: u.branchName,
      title: u.title,
      lines: changedLines(files.find((f) => f.path === u.path)!.text, u.edits),
    }));
    expect(golden).toEqual([
      {
        id: "Dockerfile#stage0",
        proposed: "1.0.1-trixie",
        digest: null,
        reasons: ["newer", "eol"],
        major: false,
        updateType: "patch",
        branchName: `bulwark/update/image-${H.replace(":", "-")}-acme-base`,
        title: `Update ${H}/acme/base to 1.0.1-trixie (Debian bookworm is end-of-life)`,
        lines: [[4, `FROM ${H}/acme/base:1.0.0-bookworm AS build`, `FROM ${H}/acme/base:1.0.1-trixie AS build`]],
      },
      {
        id: "Dockerfile#stage1",
        proposed: "1.1.0",
        digest: null,
        reasons: ["newer"],
        major: false,
        updateType: "minor",
        branchName: `bulwark/update/image-${H.replace(":", "-")}-acme-web`,
        title: `Update ${H}/acme/web to 1.1.0`,
        lines: [[2, "ARG WEB_VERSION=1.0.0", "ARG WEB_VERSION=1.1.0"]],
      },
      {
        id: "argo/app.yaml#0:spec.source.targetRevision",
        proposed: "1.3.0",
        digest: null,
        reasons: ["newer"],
        major: false,
        updateType: "minor",
        branchName: "bulwark/update/chart-redis",
        title: "Update Helm chart redis to 1.3.0",
        lines: [[11, "    targetRevision: 1.2.0", "    targetRevision: 1.3.0"]],
      },
      {
        id: "chart/Chart.yaml#0:dependencies.0.version",
        proposed: "~1.3.0",
        digest: null,
        reasons: ["newer"],
        major: false,
        updateType: "minor",
        branchName: "bulwark/update/chart-redis",
        title: "Update Helm chart redis to ~1.3.0",
        lines: [[6, "    version: ~1.2.0", "    version: ~1.3.0"]],
      },
      {
        id: "chart/Chart.yaml#0:dependencies.1.version",
        proposed: "1.1.0+build.5",
        digest: null,
        reasons: ["newer"],
        major: false,
        updateType: "minor",
        branchName: "bulwark/update/chart-shop-common",
        title: "Update Helm chart shop-common to 1.1.0+build.5",
        lines: [[9, "    version: 1.0.0", "    version: 1.1.0+build.5"]],
      },
      {
        id: "chart/values.yaml#0:image.tag",
        proposed: "1.1.0",
        digest: null,
        reasons: ["newer"],
        major: false,
        updateType: "minor",
        branchName: `bulwark/update/image-${H.replace(":", "-")}-acme-web`,
        title: `Update ${H}/acme/web to 1.1.0`,
        lines: [[5, "  tag: 1.0.0   # keep in sync with the Dockerfile", "  tag: 1.1.0   # keep in sync with the Dockerfile"]],
      },
      {
        id: "flux/release.yaml#1:spec.chart.spec.version",
        proposed: "6.5.4",
        digest: null,
        reasons: ["newer"],
        major: false,
        updateType: "patch",
        branchName: "bulwark/update/chart-podinfo",
        title: "Update Helm chart podinfo to 6.5.4",
        lines: [[20, '      version: "6.5.0"', '      version: "6.5.4"']],
      },
      {
        id: "k8s/deploy.yaml#0:spec.template.spec.initContainers.0.image",
        proposed: "1.1.0",
        digest: null,
        reasons: ["newer"],
        major: false,
        updateType: "minor",
        branchName: `bulwark/update/image-${H.replace(":", "-")}-acme-multi`,
        title: `Update ${H}/acme/multi to 1.1.0`,
        lines: [[16, `          image: "${H}/acme/multi:1.0.0"   # runs first`, `          image: "${H}/acme/multi:1.1.0"   # runs first`]],
      },
      {
        id: "k8s/deploy.yaml#0:spec.template.spec.containers.0.image",
        proposed: "1.1.0",
        digest: d["web 1.1.0"],
        reasons: ["newer"],
        major: false,
        updateType: "minor",
        branchName: `bulwark/update/image-${H.replace(":", "-")}-acme-web`,
        title: `Update ${H}/acme/web to 1.1.0`,
        lines: [[19, `          image: ${H}/acme/web:1.0.0@${d["web 1.0.0"]}`, `          image: ${H}/acme/web:1.1.0@${d["web 1.1.0"]}`]],
      },
      {
        id: "overlays/prod/kustomization.yaml#0:images.0.newTag",
        proposed: "1.1.0",
        digest: null,
        reasons: ["newer"],
        major: false,
        updateType: "minor",
        branchName: `bulwark/update/image-${H.replace(":", "-")}-acme-web`,
        title: `Update ${H}/acme/web to 1.1.0`,
        lines: [[8, '    newTag: "1.0.0"', '    newTag: "1.1.0"']],
      },
    ]);
    // 2.0.0 (CronJob) is already the newest; major updates are outside the default minor policy.
    expect(plan.updates.find((u) => u.id.startsWith("k8s/deploy.yaml#1"))).toBeUndefined();
  });

  it("explains the update in the body: from/to, digest, EOL, registry and release-notes links, resolved findings", () => {
    const base = plan.updates.find((u) => u.id === "Dockerfile#stage0")!;
    expect(base.resolvedFindings.map((f) => f.ruleId)).toContain("DOCKER-005");
    expect(base.addedFindings).toEqual([]);
    expect(base.body).toContain("| tag | `1.0.0-bookworm` | `1.0.1-trixie` |");
    expect(base.body).toContain("Debian 12 (`bookworm`) lost free security support on 2026-07-11 (only extended support remains, until 2028-06-30); the image moves to Debian 13 (`trixie`), supported until 2028-08-09.");
    const web = plan.updates.find((u) => u.id === "k8s/deploy.yaml#0:spec.template.spec.containers.0.image")!;
    expect(web.body).toContain(`| digest | \`${d["web 1.0.0"]}\` | \`${d["web 1.1.0"]}\` |`);
    expect(web.body).toContain("- Release notes: [acme/web releases](https://github.com/acme/web/releases)");
    expect(web.body).toMatch(/<!-- bulwark-update \{"branch":"bulwark\/update\/image-[^"]+-acme-web","dependency":"k8s\/deploy.yaml#0:spec.template.spec.containers.0.image","from":"1.0.0","to":"1.1.0","digest":"sha256:[a-f0-9]{64}"\} -->/);
    const redis = plan.updates.find((u) => u.id === "chart/Chart.yaml#0:dependencies.0.version")!;
    expect(redis.body).toContain(`- Registry: [redis](${charts.url})`);
    expect(redis.body).toContain("- Release notes: [acme/charts releases](https://github.com/acme/charts/releases)");
  });

  it("groups the references of one dependency line into one branch with merged edits", () => {
    const groups = groupUpdates(plan.updates);
    const H = reg.host;
    expect(groups.map((g) => [g.branchName, g.title, g.updates.length, g.edits.map((e) => e.path)])).toEqual([
      [plan.updates[0]!.branchName, plan.updates[0]!.title, 1, ["Dockerfile"]],
      [plan.updates[1]!.branchName, `Update ${H}/acme/web (4 references)`, 4, ["Dockerfile", "chart/values.yaml", "k8s/deploy.yaml", "overlays/prod/kustomization.yaml"]],
      ["bulwark/update/chart-redis", "Update Helm chart redis (2 references)", 2, ["argo/app.yaml", "chart/Chart.yaml"]],
      ["bulwark/update/chart-shop-common", "Update Helm chart shop-common to 1.1.0+build.5", 1, ["chart/Chart.yaml"]],
      ["bulwark/update/chart-podinfo", "Update Helm chart podinfo to 6.5.4", 1, ["flux/release.yaml"]],
      [plan.updates[7]!.branchName, `Update ${H}/acme/multi to 1.1.0`, 1, ["k8s/deploy.yaml"]],
    ]);
    expect(groups[1]!.body).toContain("### `k8s/deploy.yaml` line 19");
    expect(plan.updates[3]!.body).toContain("run `helm dependency update` on this branch");
  });

  it("proposes nothing once the updates are applied", async () => {
    const updated = applyPlan(files, plan);
    const again = await planUpdates(updated, { datasources: ds, config, now: NOW });
    expect(again.errors).toEqual([]);
    expect(again.updates).toEqual([]);
  });

  it("proposes a newer tag pushed later, on the same branches", async () => {
    d["web 1.2.0"] = await reg.pushImage("acme/web", "1.2.0", { created: "2026-04-01T00:00:00Z" });
    const updated = applyPlan(files, plan);
    // A new run: a fresh cache (one run = one cache).
    const later = await planUpdates(updated, { datasources: createDatasources(), config, now: NOW });
    expect(later.updates.map((u) => [u.id, u.current, u.proposed, u.digest ?? null, u.branchName])).toEqual([
      ["Dockerfile#stage1", "1.1.0", "1.2.0", null, plan.updates[1]!.branchName],
      ["chart/values.yaml#0:image.tag", "1.1.0", "1.2.0", null, plan.updates[5]!.branchName],
      ["k8s/deploy.yaml#0:spec.template.spec.containers.0.image", "1.1.0", "1.2.0", d["web 1.2.0"], plan.updates[8]!.branchName],
      ["overlays/prod/kustomization.yaml#0:images.0.newTag", "1.1.0", "1.2.0", null, plan.updates[9]!.branchName],
    ]);
  });

  it("re-pins a digest that moved only after the cooldown, and pins on request", async () => {
    const pinned = [{ path: "pod.yaml", text: `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: ${reg.host}/acme/multi:1.1.0@${d["multi 1.1.0"]}\n` }];
    // The tag is re-pushed with new content built "yesterday".
    const moved = (await reg.pushIndex("acme/multi", "1.1.0", [{ architecture: "amd64", created: "2026-11-24T00:00:00Z", salt: "rebuild" }, { architecture: "arm64", variant: "v8", created: "2026-11-24T00:00:00Z", salt: "rebuild" }])).index;
    const soon = await planUpdates(pinned, { datasources: createDatasources(), config, now: NOW });
    expect(soon.updates).toEqual([]);
    expect(soon.skipped.map((s) => s.reason)).toEqual([`the digest moved to ${moved.slice(7, 19)} 1 day(s) ago: waiting for the 3-day cooldown before re-pinning`]);
    const later = await planUpdates(pinned, { datasources: createDatasources(), config, now: new Date("2026-11-28T00:00:00Z") });
    expect(later.updates.map((u) => [u.updateType, u.current, u.proposed, u.digest, u.reasons, u.title])).toEqual([
      ["digest", "1.1.0", "1.1.0", moved, ["newer"], `Update ${reg.host}/acme/multi:1.1.0 digest to ${moved.slice(7, 19)}`],
    ]);
    const pinConfig = { ...config, updates: { ...config.updates, pinDigests: true } };
    const unpinned = [{ path: "pod.yaml", text: `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: ${reg.host}/acme/multi:1.1.0\n` }];
    const pin = await planUpdates(unpinned, { datasources: createDatasources(), config: pinConfig, now: NOW });
    expect(pin.updates.map((u) => [u.updateType, u.digest, u.reasons, u.title])).toEqual([["pin", moved, [], `Pin ${reg.host}/acme/multi:1.1.0 to digest ${moved.slice(7, 19)}`]]);
    expect(applyTextEdits(unpinned[0]!.text, pin.updates[0]!.edits)).toContain(`image: ${reg.host}/acme/multi:1.1.0@${moved}`);
  });

  it("marks updates of scanned-vulnerable images and lists what they resolve", async () => {
    const reports = parseVulnerabilityReport([
      { ArtifactName: `${reg.host}/acme/base:1.0.0-bookworm`, Results: [{ Vulnerabilities: [{ VulnerabilityID: "CVE-2026-0001", PkgName: "openssl", InstalledVersion: "3.0.9", FixedVersion: "3.0.15", Severity: "CRITICAL" }] }] },
      { ArtifactName: `${reg.host}/acme/base:1.0.1-trixie`, Results: [{ Vulnerabilities: [] }] },
    ]);
    const withVulns = await planUpdates(files, { datasources: ds, config, now: NOW, vulnerabilities: reports });
    const base = withVulns.updates.find((u) => u.id === "Dockerfile#stage0")!;
    expect(base.reasons).toEqual(["newer", "eol", "vulnerable"]);
    expect(base.resolvedVulnerabilities.map((v) => v.id)).toEqual(["CVE-2026-0001"]);
    expect(base.body).toContain("- CVE-2026-0001 (critical) in openssl 3.0.9, fixed in 3.0.15");
  });

  it("honours updates.ignore and updates.policy", async () => {
    const strict = { ...config, updates: { ...config.updates, policy: "patch" as const, ignore: ["*/charts/*", "redis", "*/acme/base"] } };
    const p = await planUpdates(files, { datasources: ds, config: strict, now: NOW });
    expect(p.updates.map((u) => `${u.id} ${u.proposed}`)).toEqual(["flux/release.yaml#1:spec.chart.spec.version 6.5.4"]);
    expect(p.skipped.filter((s) => s.reason === "ignored by updates.ignore").map((s) => s.name)).toEqual([`${reg.host}/acme/base`, "redis", "redis", "shop-common"]);
  });
});

if (unavailable) {
  describe("update planning", () => {
    it.skip(`SKIPPED: ${unavailable}`, () => undefined);
  });
}
