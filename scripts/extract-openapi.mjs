#!/usr/bin/env node
// Extract the GitHub REST operations Bulwark uses from GitHub's OpenAPI description into a
// small, fully dereferenced test fixture.
//
//   node scripts/extract-openapi.mjs
//
// Input:  node_modules/@octokit/openapi/generated/api.github.com.json (devDependency
//         @octokit/openapi, pinned). Only that one JSON file is read: never import the package
//         root, it loads ~400 MB of JSON.
// Output: test/fixtures/openapi/github-operations.json
//   { specVersion, source, operations: [{ method, path, operationId, summary, parameters,
//     requestBody }], routes: ["GET /path", ...], multiSegment: { "/path": ["param"] } }
//   `operations` holds the operations listed in OPERATIONS below, with every `$ref` inlined
//   (cycles cut and marked with "x-cycle"). `routes`/`multiSegment` list every operation of the
//   REST API (method + path template only) so the validator can tell "not a GitHub endpoint"
//   from "a GitHub endpoint Bulwark has not declared here".
// To use a new endpoint in Bulwark: add it to OPERATIONS, re-run, commit the fixture.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SPEC = join(root, "node_modules/@octokit/openapi/generated/api.github.com.json");
const PKG = join(root, "node_modules/@octokit/openapi/package.json");
const OUT = join(root, "test/fixtures/openapi/github-operations.json");

export const OPERATIONS = [
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}",
  "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/comments",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
  "POST /repos/{owner}/{repo}/check-runs",
  "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
  "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
  "GET /repos/{owner}/{repo}/contents/{path}",
  "GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
  "GET /repos/{owner}/{repo}/git/blobs/{file_sha}",
  "POST /repos/{owner}/{repo}/git/blobs",
  "POST /repos/{owner}/{repo}/git/trees",
  "POST /repos/{owner}/{repo}/git/commits",
  "PATCH /repos/{owner}/{repo}/git/refs/{ref}",
  "POST /repos/{owner}/{repo}/git/refs",
  "GET /repos/{owner}/{repo}/git/ref/{ref}",
  "DELETE /repos/{owner}/{repo}/git/refs/{ref}",
  "GET /repos/{owner}/{repo}/commits/{ref}",
  "GET /repos/{owner}/{repo}/compare/{basehead}",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
  "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
  "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
  "POST /repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions",
  "POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies",
  "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
  "POST /repos/{owner}/{repo}/pulls",
  "PATCH /repos/{owner}/{repo}/pulls/{pull_number}",
  "GET /repos/{owner}/{repo}/pulls",
  "GET /repos/{owner}/{repo}",
  "GET /repos/{owner}/{repo}/branches/{branch}",
  "POST /app/installations/{installation_id}/access_tokens",
  "GET /app/installations",
  "GET /installation/repositories",
];

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

function resolvePointer(spec, ref) {
  if (!ref.startsWith("#/")) throw new Error(`external $ref not supported: ${ref}`);
  let node = spec;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    node = node?.[key];
    if (node === undefined) throw new Error(`dangling $ref ${ref}`);
  }
  return node;
}

/** Inline every $ref; a $ref already being expanded on the current path becomes {"x-cycle": ref}. */
function deref(spec, node, stack = [], isPropertyMap = false) {
  if (Array.isArray(node)) return node.map((n) => deref(spec, n, stack));
  if (node === null || typeof node !== "object") return node;
  if (typeof node.$ref === "string") {
    if (stack.includes(node.$ref)) return { "x-cycle": node.$ref };
    const target = resolvePointer(spec, node.$ref);
    const siblings = { ...node };
    delete siblings.$ref;
    const expanded = deref(spec, target, [...stack, node.$ref]);
    return Object.keys(siblings).length ? { ...expanded, ...deref(spec, siblings, stack) } : expanded;
  }
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    // Examples are documentation, not contract; they bloat the fixture. (Inside a
    // `properties` map the keys are field names, which may well be called "example".)
    if (!isPropertyMap && (k === "examples" || k === "example")) continue;
    out[k] = deref(spec, v, stack, k === "properties" && !isPropertyMap);
  }
  return out;
}

function main() {
  const spec = JSON.parse(readFileSync(SPEC, "utf8"));
  const pkg = JSON.parse(readFileSync(PKG, "utf8"));
  const operations = [];
  for (const key of OPERATIONS) {
    const [method, path] = key.split(" ");
    const pathItem = spec.paths[path];
    const op = pathItem?.[method.toLowerCase()];
    if (!op) throw new Error(`operation not in spec: ${key}`);
    const parameters = deref(spec, [...(pathItem.parameters ?? []), ...(op.parameters ?? [])]);
    const requestBody = op.requestBody ? deref(spec, op.requestBody) : undefined;
    operations.push({
      method,
      path,
      operationId: op.operationId,
      summary: op.summary,
      parameters: parameters.map((p) => {
        const copy = { ...p };
        delete copy.description;
        return copy;
      }),
      ...(requestBody ? { requestBody } : {}),
    });
  }
  const routes = [];
  const multiSegment = {};
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      routes.push(`${m.toUpperCase()} ${path}`);
      for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
        const param = p.$ref ? resolvePointer(spec, p.$ref) : p;
        if (param.in === "path" && param["x-multi-segment"]) {
          const list = (multiSegment[path] ??= []);
          if (!list.includes(param.name)) list.push(param.name);
        }
      }
    }
  }
  routes.sort();
  const fixture = {
    specVersion: spec.info.version,
    package: `${pkg.name}@${pkg.version}`,
    source: "generated/api.github.com.json",
    generatedBy: "scripts/extract-openapi.mjs",
    operations,
    routes,
    multiSegment,
  };
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(fixture, null, 1) + "\n");
  console.log(`wrote ${OUT}: ${operations.length} operations, ${routes.length} routes (spec ${spec.info.version})`);
}

main();
