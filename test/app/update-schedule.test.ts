// Scheduled update runs walk every installation's repositories through the App's own
// authentication (JWT → installations → installation token → repositories).
import { describe, expect, it } from "vitest";
import type { GitHubClient } from "../../src/github/client.js";
import { parseInterval, runScheduledUpdates } from "../../src/app/update-schedule.js";
import { assertNoViolationsAfterEach } from "../support/lifecycle.js";
import { OWNER, startHarness } from "./support/harness.js";
import type { Harness } from "./support/harness.js";

const harnesses = assertNoViolationsAfterEach<Harness>();

describe("scheduled update runs", () => {
  it("visit every repository of every installation, and a failing one does not stop the rest", async () => {
    const h = harnesses.track(await startHarness());
    h.gh.createRepo({ owner: OWNER, repo: "web", files: { "README.md": "# web\n" } });
    h.gh.createRepo({ owner: OWNER, repo: "api", files: { "README.md": "# api\n" } });
    const visited: string[] = [];
    const probot = h.probot;
    const result = await runScheduledUpdates({
      auth: async (id) => (await probot.auth(id)) as unknown as GitHubClient,
      update: async (client, target) => {
        visited.push(`${target.repo.owner}/${target.repo.repo}@${target.defaultBranch}`);
        // The installation client really reads the repository.
        await client.request("GET /repos/{owner}/{repo}", { owner: target.repo.owner, repo: target.repo.repo });
        if (target.repo.repo === "web") throw new Error("registry unreachable");
        return "ok";
      },
      log: { info: () => undefined, warn: () => undefined },
    });
    expect(visited.sort()).toEqual([`${OWNER}/api@main`, `${OWNER}/web@main`]);
    expect(result).toEqual({ repositories: 2, failed: 1 });
  });

  it("reads the interval", () => {
    expect(parseInterval("24h")).toBe(86_400_000);
    expect(parseInterval("90m")).toBe(5_400_000);
    expect(parseInterval("1d")).toBe(86_400_000);
    expect(parseInterval("off")).toBeUndefined();
    expect(() => parseInterval("daily")).toThrow(/BULWARK_UPDATE_INTERVAL/);
  });
});
