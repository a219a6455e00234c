// The app end to end through probot.receive(), against the strict fake GitHub.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rightLines } from "../../src/github/diff.js";
import { parseMarker } from "../../src/github/comments.js";
import { scan } from "../../src/core/engine/scan.js";
import { OWNER, REPO, prPayload, startHarness } from "./support/harness.js";
import type { Harness } from "./support/harness.js";
import { deployment } from "./fixtures.js";

const RULES = { onlyRules: ["K8S-RUNTIME-001", "K8S-RUNTIME-002"] };

interface CommentJson {
  id: number;
  path: string;
  line: number | null;
  start_line: number | null;
  side: string;
  body: string;
  commit_id: string;
  user: { login: string; type: string };
}

let h: Harness;

afterEach(async () => {
  if (h) {
    h.proxy.assertNoViolations();
    await h.stop();
  }
});

function setupPullRequest(h: Harness, head: Record<string, string | null>, base: Record<string, string> = {}) {
  h.gh.createRepo({ owner: OWNER, repo: REPO, files: { "README.md": "# web\n", ...base } });
  h.gh.commit({ owner: OWNER, repo: REPO, branch: "feature", files: head });
  return h.gh.openPullRequest({ owner: OWNER, repo: REPO, head: "feature", title: "Deploy web" });
}

describe("pull_request.opened through probot.receive()", () => {
  beforeEach(async () => {
    h = await startHarness({ app: { scan: RULES } });
  });

  it("creates the check in_progress at once, then completes it as failure, with one review whose comments are all on diff lines", async () => {
    const pr = setupPullRequest(h, { "k8s/web.yaml": deployment("web", { privileged: true }), "k8s/api.yaml": deployment("api", { privileged: true, apeFalse: true }) });
    await h.receive("pull_request", prPayload(h.gh, "opened", pr.number));

    // The first request after the token is the in_progress check run.
    const writes = h.gh.requests.filter((r) => r.route !== "POST /app/installations/{installation_id}/access_tokens");
    expect(writes[0].route).toBe("POST /repos/{owner}/{repo}/check-runs");
    expect((writes[0].body as { status: string }).status).toBe("in_progress");
    const runs = h.gh.checkRuns(OWNER, REPO);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ name: "Bulwark", head_sha: pr.headSha, status: "completed", conclusion: "failure", external_id: String(pr.number) });
    expect(runs[0].output.summary).toContain("at or above");

    const reviews = h.gh.reviews(OWNER, REPO, pr.number) as { state: string; commit_id: string; body: string }[];
    expect(reviews).toHaveLength(1);
    expect(reviews[0].state).toBe("COMMENTED");
    expect(reviews[0].commit_id).toBe(pr.headSha);

    const comments = h.gh.reviewCommentsOf(OWNER, REPO, pr.number) as unknown as CommentJson[];
    expect(comments.length).toBeGreaterThanOrEqual(3);
    const files = h.gh.pullFiles(OWNER, REPO, pr.number) as { filename: string; patch: string }[];
    for (const c of comments) {
      const right = rightLines(files.find((f) => f.filename === c.path)!.patch);
      expect(c.side).toBe("RIGHT");
      expect(right.has(c.line!)).toBe(true);
      if (c.start_line !== null) expect(right.has(c.start_line)).toBe(true);
      expect(parseMarker(c.body)).toBeDefined();
      expect(c.user.type).toBe("Bot");
    }
    // K8S-RUNTIME-001 (AUTO*) becomes a suggestion with its warning above it.
    const priv = comments.filter((c) => parseMarker(c.body)?.ruleId === "K8S-RUNTIME-001");
    expect(priv).toHaveLength(2);
    for (const c of priv) {
      expect(c.body).toMatch(/```suggestion\n {12}privileged: false\n```/);
      expect(c.body.indexOf("[!WARNING]")).toBeLessThan(c.body.indexOf("```suggestion"));
    }
    expect(h.events.map((e) => e.outcome?.status)).toEqual(["reviewed"]);
  });
});

void scan;
