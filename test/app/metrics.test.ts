// /metrics content the issue asks for beyond the queue counters: findings by severity from the
// reviews, and the registry requests and rate-limit remaining of update runs (a real
// docker-registry on loopback; Docker Hub's `ratelimit-remaining` header parsed as it sends it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BulwarkMetrics } from "../../src/app/metrics.js";
import { HttpClient, rateLimitRemaining } from "../../src/updates/datasource/http.js";
import { registryUnavailable, startRegistry } from "../support/registry.js";
import type { TestRegistry } from "../support/registry.js";
import { assertNoViolationsAfterEach } from "../support/lifecycle.js";
import { metricValue } from "../prod/support.js";
import { webhookPayload } from "../support/webhooks.js";
import { INSTALLATION_ID, OWNER, REPO, prPayload, startHarness } from "./support/harness.js";
import type { Harness } from "./support/harness.js";
import { deployment } from "../support/manifests.js";

const harnesses = assertNoViolationsAfterEach<Harness>();

describe("findings by severity", () => {
  it("counts the active findings of each finished review by severity and kind", async () => {
    const metrics = new BulwarkMetrics();
    const h = harnesses.track(await startHarness({ app: { metrics, scan: { onlyRules: ["K8S-RUNTIME-001", "K8S-RESOURCES-001"] } } }));
    h.gh.createRepo({ owner: OWNER, repo: REPO, files: { "README.md": "# web\n" } });
    h.gh.commit({ owner: OWNER, repo: REPO, branch: "feature", files: { "k8s/a.yaml": deployment("a", { privileged: true }), "k8s/b.yaml": deployment("b", { privileged: true }) } });
    const pr = h.gh.openPullRequest({ owner: OWNER, repo: REPO, head: "feature" });
    await h.receive("pull_request", prPayload(h.gh, "opened", pr.number));
    const outcome = h.events[0]?.outcome;
    expect(outcome?.status).toBe("reviewed");
    const bySeverity = outcome!.findings.bySeverity!.introduced;
    const text = await metrics.text();
    // The metric is the outcome's count, per severity (privileged: critical; the resource rule: its own).
    expect(Object.values(bySeverity).reduce((a, b) => a + (b ?? 0), 0)).toBe(outcome!.findings.introduced);
    expect(bySeverity.critical).toBe(2);
    for (const [severity, n] of Object.entries(bySeverity)) expect(metricValue(text, `bulwark_findings_by_severity_total{severity="${severity}",kind="introduced"}`)).toBe(n);
  });
});

describe("registry requests of update runs", () => {
  const unavailable = registryUnavailable();
  let reg: TestRegistry;
  beforeAll(async () => {
    if (unavailable) return;
    reg = await startRegistry();
    await reg.pushImage("acme/web", "1.0.0", { created: "2026-01-01T00:00:00Z" });
    await reg.pushImage("acme/web", "1.1.0", { created: "2026-02-01T00:00:00Z" });
  }, 60_000);
  afterAll(async () => {
    await reg?.stop();
  });

  it.skipIf(unavailable)("a push-triggered update run counts its registry requests by host and status", async () => {
    const metrics = new BulwarkMetrics();
    const h = harnesses.track(await startHarness({ app: { metrics, updates: { now: () => new Date("2026-11-25T00:00:00Z") } } }));
    h.gh.createRepo({ owner: OWNER, repo: REPO, files: { "k8s/web.yaml": deployment("web", { image: `${reg.host}/acme/web:1.0.0` }) } });
    const payload = webhookPayload("push", undefined, { owner: OWNER, repo: REPO, installationId: INSTALLATION_ID, defaultBranch: "main" });
    const after = h.gh.refSha(OWNER, REPO, "main")!;
    Object.assign(payload, { ref: "refs/heads/main", deleted: false, after, commits: [{ id: after, added: ["k8s/web.yaml"], modified: [], removed: [] }] });
    (payload.repository as Record<string, unknown>).default_branch = "main";
    await h.receive("push", payload);
    // The run found 1.1.0 in the registry and opened its pull request.
    expect(h.gh.count("POST /repos/{owner}/{repo}/pulls")).toBe(1);
    const text = await metrics.text();
    expect(metricValue(text, `bulwark_registry_requests_total{registry="${reg.host}",status="200"}`)).toBeGreaterThan(0);
  });

  it("reads Docker Hub's and the x- form of the rate-limit header", () => {
    expect(rateLimitRemaining(new Headers({ "ratelimit-remaining": "76;w=21600" }))).toBe(76);
    expect(rateLimitRemaining(new Headers({ "x-ratelimit-remaining": "4999" }))).toBe(4999);
    expect(rateLimitRemaining(new Headers({ "ratelimit-limit": "100;w=21600" }))).toBeUndefined();
    expect(rateLimitRemaining(new Headers({ "ratelimit-remaining": "soon" }))).toBeUndefined();
  });

  it("the HTTP client reports each response (and each failure to get one) to the metrics", async () => {
    const metrics = new BulwarkMetrics();
    let calls = 0;
    const http = new HttpClient({
      fetch: async () => {
        if (++calls === 2) throw new TypeError("fetch failed");
        return new Response("{}", { status: 200, headers: { "ratelimit-remaining": "76;w=21600" } });
      },
      maxRetries: 0,
      onResponse: (r) => metrics.observeRegistry(r),
    });
    await http.request("https://registry-1.docker.io/v2/library/nginx/tags/list", { what: "nginx tags" });
    await expect(http.request("https://registry-1.docker.io/v2/library/nginx/tags/list", { what: "nginx tags" })).rejects.toThrow(/cannot reach/);
    const text = await metrics.text();
    expect(metricValue(text, 'bulwark_registry_requests_total{registry="registry-1.docker.io",status="200"}')).toBe(1);
    expect(metricValue(text, 'bulwark_registry_requests_total{registry="registry-1.docker.io",status="0"}')).toBe(1);
    expect(metricValue(text, 'bulwark_registry_rate_limit_remaining{registry="registry-1.docker.io"}')).toBe(76);
  });
});
