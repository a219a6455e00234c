// A push to the default branch that touches an image or chart reference re-plans the update
// pull requests; other pushes do nothing. The datasource answers no newer version, so the run
// only reads the repository (and opens nothing).
import { describe, expect, it } from "vitest";
import type { UpdateDatasources } from "../../src/updates/datasource/index.js";
import { assertNoViolationsAfterEach } from "../support/lifecycle.js";
import { webhookPayload } from "../support/webhooks.js";
import { INSTALLATION_ID, OWNER, REPO, startHarness } from "./support/harness.js";
import type { Harness } from "./support/harness.js";
import { deployment } from "../support/manifests.js";

const noNewer: UpdateDatasources = {
  imageTags: async () => [],
  resolveDigest: async () => {
    throw new Error("not used");
  },
  published: async () => undefined,
  platformDigests: async () => new Map(),
  chartVersions: async () => [],
  ociChartVersions: async () => [],
};

const harnesses = assertNoViolationsAfterEach<Harness>();

function push(x: Harness, ref: string, touched: string[]) {
  const payload = webhookPayload("push", undefined, { owner: OWNER, repo: REPO, installationId: INSTALLATION_ID, defaultBranch: "main" });
  const after = x.gh.refSha(OWNER, REPO, "main")!;
  Object.assign(payload, { ref, deleted: false, after, commits: [{ id: after, added: [], modified: touched, removed: [] }] });
  (payload.repository as Record<string, unknown>).default_branch = "main";
  return payload;
}

const refReads = (x: Harness) => x.gh.count("GET /repos/{owner}/{repo}/git/ref/{ref}");

describe("update runs triggered by pushes", () => {
  it("re-plans after a push to the default branch that touches a manifest, and not otherwise", async () => {
    const h = harnesses.track(await startHarness({ app: { updates: { datasources: noNewer } } }));
    h.gh.createRepo({ owner: OWNER, repo: REPO, files: { "README.md": "# web\n", "k8s/web.yaml": deployment("web") } });

    await h.receive("push", push(h, "refs/heads/feature", ["k8s/web.yaml"]));
    await h.receive("push", push(h, "refs/heads/main", ["README.md"]));
    expect(refReads(h)).toBe(0);

    await h.receive("push", push(h, "refs/heads/main", ["k8s/web.yaml"]));
    expect(refReads(h)).toBeGreaterThan(0);
    expect(h.gh.count("POST /repos/{owner}/{repo}/pulls")).toBe(0);
  });
});
