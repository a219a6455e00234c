// Byte-preserving edits: only the bytes of the version change; quoting, comments, CRLF and
// ARG indirection survive.
import { describe, expect, it } from "vitest";
import { applyTextEdits } from "../../src/core/engine/scan.js";
import { EditContext, diffHunks, planDependencyEdits } from "../../src/updates/edits.js";
import type { NewValues } from "../../src/updates/edits.js";
import { extractDependencies } from "../../src/updates/extract/index.js";

const D = (c: string) => `sha256:${c.repeat(64)}`;

function edit(path: string, text: string, values: NewValues, which = 0): string {
  const deps = extractDependencies([{ path, text }]).dependencies;
  const dep = deps[which]!;
  const r = planDependencyEdits(dep, values, new EditContext(new Map([[path, text]])));
  if (!r.ok) throw new Error(r.reason);
  return applyTextEdits(text, r.edits);
}

describe("Dockerfile", () => {
  it("edits the ARG default and the literal suffix separately", () => {
    const text = "ARG PY=3.11.4\nFROM python:${PY}-slim-bookworm AS build\n";
    expect(edit("Dockerfile", text, { tag: "3.11.9-slim-trixie" })).toBe("ARG PY=3.11.9\nFROM python:${PY}-slim-trixie AS build\n");
  });

  it("edits a quoted ARG holding the whole reference, and appends a digest there", () => {
    const text = 'ARG BASE="node:20.11.0-alpine3.19"\nFROM ${BASE}\n';
    expect(edit("Dockerfile", text, { tag: "20.12.0-alpine3.21", digest: D("b") })).toBe(`ARG BASE="node:20.12.0-alpine3.21@${D("b")}"\nFROM \${BASE}\n`);
  });

  it("replaces a pinned digest in place and keeps CRLF line ends", () => {
    const text = `FROM nginx:1.25@${D("a")} AS web\r\nRUN true\r\n`;
    expect(edit("Dockerfile", text, { tag: "1.27", digest: D("c") })).toBe(`FROM nginx:1.27@${D("c")} AS web\r\nRUN true\r\n`);
  });

  it("refuses a change that spans an ARG and the FROM line", () => {
    const text = "ARG V=1.2\nFROM acme/app:${V}.3\n";
    const dep = extractDependencies([{ path: "Dockerfile", text }]).dependencies[0]!;
    expect(edit("Dockerfile", text, { tag: "1.3.0" })).toBe("ARG V=1.3\nFROM acme/app:${V}.0\n");
    const r2 = planDependencyEdits(dep, { tag: "1.3" }, new EditContext(new Map([["Dockerfile", text]])));
    expect(r2).toEqual({ ok: false, reason: "the change spans ARG V and the FROM line: update it by hand" });
  });

  it("diffs by tokens", () => {
    expect(diffHunks("3.11.4-slim-bookworm", "3.11.9-slim-trixie")).toEqual([
      { oldStart: 5, oldEnd: 6, newStart: 5, newEnd: 6 },
      { oldStart: 12, oldEnd: 20, newStart: 12, newEnd: 18 },
    ]);
  });
});

describe("YAML", () => {
  it("keeps quoting and comments of a whole image reference", () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: 'ghcr.io/acme/web:1.0.0'   # pinned\n";
    expect(edit("pod.yaml", text, { tag: "1.1.0" })).toBe(text.replace("'ghcr.io/acme/web:1.0.0'", "'ghcr.io/acme/web:1.1.0'"));
  });

  it("keeps a numeric tag numeric when it round-trips, and quotes it when it would not", () => {
    const text = "image:\n  repository: nginx\n  tag: 1.25 # the web server\n";
    expect(edit("values.yaml", text, { tag: "1.27" })).toBe("image:\n  repository: nginx\n  tag: 1.27 # the web server\n");
    expect(edit("values.yaml", text, { tag: "1.30" })).toBe('image:\n  repository: nginx\n  tag: "1.30" # the web server\n');
  });

  it("rewrites tag@digest scalars whole and separate digest keys separately", () => {
    const inline = `image:\n  repository: acme/app\n  tag: "1.0.0@${D("a")}"\n`;
    expect(edit("values.yaml", inline, { tag: "1.1.0", digest: D("b") })).toBe(`image:\n  repository: acme/app\n  tag: "1.1.0@${D("b")}"\n`);
    const split = `image:\n  repository: acme/app\n  tag: 1.0.0\n  digest: ${D("a")}\n`;
    expect(edit("values.yaml", split, { tag: "1.1.0", digest: D("b") })).toBe(`image:\n  repository: acme/app\n  tag: 1.1.0\n  digest: ${D("b")}\n`);
  });

  it("edits one document of a multi-document file and a chart version range", () => {
    const text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n  source:\n    chart: redis\n    repoURL: https://charts.example.com\n    targetRevision: \"^18.1.0\"\n";
    expect(edit("app.yaml", text, { version: "^18.2.0" })).toBe(text.replace('"^18.1.0"', '"^18.2.0"'));
  });
});
