// The Helm repository client against a loopback chart repository serving a real index.yaml:
// deprecated charts, prereleases, Basic auth, caching, errors reported by the planner.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HelmRepoClient } from "../../src/updates/datasource/helm.js";
import { createDatasources } from "../../src/updates/datasource/index.js";
import { planUpdates } from "../../src/updates/plan.js";
import { helmIndex, startHelmRepo } from "../support/helm-repo.js";
import type { HelmRepoServer } from "../support/helm-repo.js";

const NOW = new Date("2026-11-25T00:00:00Z");

describe("Helm chart repository", () => {
  let repo: HelmRepoServer;
  let privateRepo: HelmRepoServer;

  beforeAll(async () => {
    repo = await startHelmRepo(
      helmIndex({
        legacy: [{ version: "1.1.0", deprecated: true }, { version: "1.0.1" }, { version: "1.0.0" }],
        ingress: [{ version: "4.11.0-beta.0" }, { version: "4.10.1", home: "https://github.com/kubernetes/ingress-nginx" }, { version: "4.10.0" }],
        mixed: [{ version: "2.1.0", deprecated: true }, { version: "2.0.0" }, { version: "3.0.0" }],
      }),
    );
    privateRepo = await startHelmRepo(helmIndex({ secret: [{ version: "1.0.1" }, { version: "1.0.0" }] }), { user: "charts", password: "p@ss-w0rd" });
  });
  afterAll(async () => {
    await repo?.stop();
    await privateRepo?.stop();
  });

  it("reads index.yaml once per run, with deprecated flags and metadata", async () => {
    const client = new HelmRepoClient();
    const legacy = await client.chartVersions(`${repo.url}/`, "legacy");
    expect(legacy.map((v) => [v.version, v.deprecated])).toEqual([
      ["1.1.0", true],
      ["1.0.1", false],
      ["1.0.0", false],
    ]);
    await client.chartVersions(repo.url, "ingress");
    expect(repo.requests.filter((r) => r === "/index.yaml")).toHaveLength(1);
    await expect(client.chartVersions(repo.url, "nope")).rejects.toThrow(`chart nope is not in ${repo.url}/index.yaml`);
  });

  it("plans updates for Chart.yaml and Argo CD Applications; flags deprecated charts; skips prereleases", async () => {
    const files = [
      {
        path: "Chart.yaml",
        text: `apiVersion: v2\nname: x\nversion: 1.0.0\ndependencies:\n  - {name: legacy, version: 1.0.0, repository: "${repo.url}"}\n  - {name: ingress, version: "4.10.0", repository: "${repo.url}"}\n  - {name: mixed, version: "^2.0.0", repository: "${repo.url}"}\n`,
      },
      {
        path: "apps.yaml",
        text: `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: legacy}\nspec:\n  source: {chart: legacy, repoURL: "${repo.url}", targetRevision: 1.0.1}\n`,
      },
    ];
    const plan = await planUpdates(files, { datasources: createDatasources(), now: NOW });
    expect(plan.errors).toEqual([]);
    expect(plan.updates.map((u) => [u.id, u.current, u.proposed, u.reasons, u.edits.length])).toEqual([
      // 1.1.0 is deprecated, and as the newest entry it deprecates the chart: 1.0.1 is proposed, flagged.
      ["Chart.yaml#0:dependencies.0.version", "1.0.0", "1.0.1", ["newer", "deprecated"], 1],
      ["Chart.yaml#0:dependencies.1.version", "4.10.0", "4.10.1", ["newer"], 1],
      ["apps.yaml#0:spec.source.targetRevision", "1.0.1", "1.0.1", ["deprecated"], 0],
    ]);
    const notice = plan.updates[2]!;
    expect(notice.title).toBe("Helm chart legacy is deprecated");
    expect(plan.updates[1]!.body).toContain("- Release notes: [kubernetes/ingress-nginx releases](https://github.com/kubernetes/ingress-nginx/releases)");
    // ^2.0.0 under the minor policy: 2.1.0 is deprecated, 3.0.0 is a major → nothing to do.
    expect(plan.updates.find((u) => u.name === "mixed")).toBeUndefined();
  });

  it("authenticates with Basic credentials from BULWARK_REGISTRY_AUTH_<HOST> and reports refusals", async () => {
    const file = { path: "Chart.yaml", text: `apiVersion: v2\nname: x\nversion: 1.0.0\ndependencies:\n  - {name: secret, version: 1.0.0, repository: "${privateRepo.url}"}\n` };
    const without = await planUpdates([file], { datasources: createDatasources(), now: NOW });
    expect(without.errors).toEqual([{ path: "Chart.yaml", dependency: "secret", message: `${privateRepo.url} index.yaml: access denied (HTTP 401)` }]);
    const wrong = await planUpdates([file], { datasources: createDatasources({ credentials: () => ({ username: "charts", password: "wrong-pass" }) }), now: NOW });
    expect(wrong.errors[0]!.message).toBe(`${privateRepo.url} index.yaml: access denied (HTTP 401) with the configured credentials`);
    expect(JSON.stringify(wrong)).not.toContain("wrong-pass");
    const ok = await planUpdates([file], { datasources: createDatasources({ credentials: (host) => (host === privateRepo.host ? { username: "charts", password: "p@ss-w0rd" } : undefined) }), now: NOW });
    expect(ok.updates.map((u) => u.proposed)).toEqual(["1.0.1"]);
  });

  it("reports an unreachable repository and a broken index as errors", async () => {
    const dead = await startHelmRepo("");
    await dead.stop();
    dead.setIndex("x");
    const broken = await startHelmRepo("entries: [unclosed\n");
    try {
      const files = [
        { path: "a/Chart.yaml", text: `apiVersion: v2\nname: a\nversion: 1.0.0\ndependencies:\n  - {name: x, version: 1.0.0, repository: "${dead.url}"}\n` },
        { path: "b/Chart.yaml", text: `apiVersion: v2\nname: b\nversion: 1.0.0\ndependencies:\n  - {name: y, version: 1.0.0, repository: "${broken.url}"}\n` },
      ];
      const plan = await planUpdates(files, { datasources: createDatasources({ maxRetries: 0 }), now: NOW });
      expect(plan.errors.map((e) => [e.path, e.message.replace(/\(.*\)$/, "(…)")])).toEqual([
        ["a/Chart.yaml", `${dead.url} index.yaml: cannot reach ${dead.host} (…)`],
        ["b/Chart.yaml", `${broken.url} index.yaml: not valid YAML (…)`],
      ]);
      expect(plan.lookups).toEqual({ attempted: 2, failed: 2 });
    } finally {
      await broken.stop();
    }
  });
});
