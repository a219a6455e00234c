import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { GitStore } from "./git-store.js";

const files: Record<string, string> = {
  "deploy.yaml": "kind: Deployment\n",
  "charts/web/Chart.yaml": "name: web\n",
  "charts/web/values.yaml": "image: nginx\n",
  "charts/web-extra": "x\n", // sorts between "charts/web/" and "charts/web.yaml" edge cases
  "charts/web.yaml": "y\n",
  Dockerfile: "FROM alpine\n",
};

describe("GitStore", () => {
  it("produces the same blob, tree and commit ids as git", () => {
    const dir = mkdtempSync(join(tmpdir(), "bulwark-git-"));
    const git = (...args: string[]): string =>
      execFileSync("git", args, {
        cwd: dir,
        encoding: "utf8",
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: "A U Thor",
          GIT_AUTHOR_EMAIL: "author@example.com",
          GIT_AUTHOR_DATE: "2026-01-02T03:04:05Z",
          GIT_COMMITTER_NAME: "A U Thor",
          GIT_COMMITTER_EMAIL: "author@example.com",
          GIT_COMMITTER_DATE: "2026-01-02T03:04:05Z",
        },
      }).trim();
    git("init", "-q");
    for (const [p, c] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), c);
    }
    git("add", "-A");
    git("-c", "commit.gpgsign=false", "commit", "-q", "-m", "first");
    const store = new GitStore();
    const sig = { name: "A U Thor", email: "author@example.com", date: "2026-01-02T03:04:05Z" };
    const tree = store.writeTree(files);
    expect(tree).toBe(git("rev-parse", "HEAD^{tree}"));
    expect(store.putBlob(files["deploy.yaml"])).toBe(git("rev-parse", "HEAD:deploy.yaml"));
    // git adds a trailing newline to -m messages
    const commit = store.putCommit({ tree, parents: [], message: "first\n", author: sig, committer: sig });
    expect(commit).toBe(git("rev-parse", "HEAD"));
  });

  it("deletes files and directories, walks ancestry", () => {
    const s = new GitStore();
    const t1 = s.writeTree(files);
    const c1 = s.putCommit({ tree: t1, parents: [], message: "1" });
    const t2 = s.writeTree({ "charts/web": null, "new.txt": "n" }, t1);
    const c2 = s.putCommit({ tree: t2, parents: [c1], message: "2" });
    expect([...s.files(c2).keys()].sort()).toEqual(["Dockerfile", "charts/web-extra", "charts/web.yaml", "deploy.yaml", "new.txt"]);
    const c3 = s.putCommit({ tree: t1, parents: [c1], message: "3" });
    expect(s.isAncestor(c1, c2)).toBe(true);
    expect(s.isAncestor(c2, c3)).toBe(false);
    expect(s.mergeBase(c2, c3)).toBe(c1);
    expect(s.commitsBetween(c3, c2)).toEqual([c2]);
    expect(s.resolvePrefix(c2.slice(0, 8))).toBe(c2);
  });
});
