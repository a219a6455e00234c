import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { declaredOperations, loadOpenApiFixture, matchRoute, validateRequest } from "./openapi.js";

const script = readFileSync(fileURLToPath(new URL("../../scripts/extract-openapi.mjs", import.meta.url)), "utf8");
const scriptOps = [...script.matchAll(/^\s+"((?:GET|POST|PATCH|PUT|DELETE) \/[^"]+)",$/gm)].map((m) => m[1]);

describe("the fixture", () => {
  it("holds exactly the operations the extract script declares, from spec 23.0.2", () => {
    const fx = loadOpenApiFixture();
    expect(fx.specVersion).toBe("23.0.2");
    expect(fx.package).toBe("@octokit/openapi@23.0.2");
    expect(scriptOps).toHaveLength(34);
    expect(fx.operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual([...scriptOps].sort());
    expect(declaredOperations()).toContain("POST /graphql");
    expect(fx.routes.length).toBeGreaterThan(1000);
  });
  it("is fully dereferenced", () => {
    expect(JSON.stringify(loadOpenApiFixture().operations)).not.toContain('"$ref"');
  });
});

describe("matchRoute", () => {
  it("prefers literal segments and keeps encoded slashes inside parameters", () => {
    expect(matchRoute("GET", "/repos/o/r/git/ref/heads%2Ffeature%2Fx")).toMatchObject({ key: "GET /repos/{owner}/{repo}/git/ref/{ref}", params: { ref: "heads/feature/x" } });
    expect(matchRoute("GET", "/repos/o/r/git/ref/heads/feature/x")?.params.ref).toBe("heads/feature/x");
    expect(matchRoute("GET", "/repos/o/r/contents/a/b%20c.yaml?ref=main")).toMatchObject({ params: { path: "a/b c.yaml" } });
    expect(matchRoute("GET", "/repos/o/r/commits/abc/check-runs")?.key).toBe("GET /repos/{owner}/{repo}/commits/{ref}/check-runs");
    expect(matchRoute("GET", "/repos/o/r/pulls/1/files")?.operation?.operationId).toBe("pulls/list-files");
    expect(matchRoute("GET", "https://api.github.com/repos/o/r")?.key).toBe("GET /repos/{owner}/{repo}");
    expect(matchRoute("GET", "/nope")).toBeUndefined();
  });
});

describe("validateRequest", () => {
  const review = (body: object) => validateRequest({ method: "POST", url: "/repos/o/r/pulls/1/reviews", headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(body) });

  it("accepts what Bulwark sends", () => {
    expect(review({ commit_id: "a".repeat(40), event: "COMMENT", body: "b", comments: [{ path: "a.yaml", line: 3, side: "RIGHT", start_line: 2, start_side: "RIGHT", body: "c" }] })).toEqual([]);
    expect(validateRequest({ method: "GET", url: "/repos/o/r/pulls/1/files?per_page=100&page=2" })).toEqual([]);
    expect(validateRequest({ method: "PATCH", url: "/repos/o/r/check-runs/5", body: { conclusion: "success", output: { title: "t", summary: "s" } } })).toEqual([]);
    expect(validateRequest({ method: "POST", url: "/graphql", body: { query: "{ viewer { login } }", variables: {} } })).toEqual([]);
  });

  it("reports enums, types, required fields and closed objects", () => {
    expect(review({ event: "COMMENTED" }).map((e) => e.kind)).toEqual(["body"]);
    expect(review({ comments: [{ path: "a", line: "3", body: "x" }] })[0].message).toMatch(/must be integer/);
    expect(review({ comments: [{ line: 3, body: "x" }] })[0].message).toMatch(/required property 'path'/);
    expect(review({ event: "COMMENT", comments: [{ path: "a", body: "x", startLine: 2 }] })).toEqual([
      expect.objectContaining({ kind: "unknown-property", where: "/comments/0/startLine" }),
    ]);
    expect(
      validateRequest({ method: "POST", url: "/repos/o/r/pulls/1/reviews", body: { comments: [{ path: "a", body: "x", startLine: 2 }] } }, { unknownProperties: "ignore" }),
    ).toEqual([]);
  });

  it("checks path and query parameters", () => {
    const errs = validateRequest({ method: "GET", url: "/repos/o/r/pulls/x/files?per_page=lots&foo=1" });
    expect(errs.map((e) => [e.kind, e.where])).toEqual([
      ["path-param", "pull_number"],
      ["query", "per_page"],
      ["query", "foo"],
    ]);
    expect(validateRequest({ method: "GET", url: "/repos/o/r/pulls?state=merged" })[0].message).toMatch(/allowed values/);
  });

  it("bodies: JSON required where the spec says so, none where it has none", () => {
    expect(validateRequest({ method: "POST", url: "/repos/o/r/check-runs", body: "not json" })[0].message).toMatch(/not valid JSON/);
    expect(validateRequest({ method: "POST", url: "/repos/o/r/check-runs" })[0].message).toMatch(/requires a request body/);
    expect(validateRequest({ method: "GET", url: "/repos/o/r", body: "{}" })[0].message).toMatch(/takes no request body/);
    expect(validateRequest({ method: "POST", url: "/repos/o/r/git/blobs", headers: { "content-type": "text/plain" }, body: '{"content":"x"}' })[0].kind).toBe("header");
    expect(validateRequest({ method: "POST", url: "/graphql", body: { variables: {} } })[0].message).toMatch(/query must be a string/);
  });

  it("GitHub's limits that the schema carries", () => {
    const ann = { path: "a", start_line: 1, end_line: 1, annotation_level: "warning", message: "m" };
    const tooMany = validateRequest({ method: "POST", url: "/repos/o/r/check-runs", body: { name: "n", head_sha: "s", output: { title: "t", summary: "s", annotations: Array(51).fill(ann) } } });
    expect(tooMany[0].message).toMatch(/more than 50 items/);
    const summary = validateRequest({ method: "POST", url: "/repos/o/r/check-runs", body: { name: "n", head_sha: "s", output: { title: "t", summary: "x".repeat(65536) } } });
    expect(summary[0].message).toMatch(/more than 65535 characters/);
    const actions = validateRequest({ method: "POST", url: "/repos/o/r/check-runs", body: { name: "n", head_sha: "s", actions: [{ label: "Apply all the fixes now", description: "d", identifier: "apply-fixes" }] } });
    expect(actions[0].message).toMatch(/more than 20 characters/);
    const completedNoConclusion = validateRequest({ method: "PATCH", url: "/repos/o/r/check-runs/1", body: { status: "completed" } });
    expect(completedNoConclusion.some((e) => /conclusion/.test(e.message))).toBe(true);
  });

  it("unknown vs undeclared operations", () => {
    expect(validateRequest({ method: "GET", url: "/repos/o/r/nothing-here" })[0].kind).toBe("unknown-operation");
    expect(validateRequest({ method: "GET", url: "/repos/o/r/issues" })[0]).toMatchObject({ kind: "undeclared-operation", message: expect.stringContaining("GET /repos/{owner}/{repo}/issues") });
  });
});
