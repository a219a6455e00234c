// The Kustomize model without a binary: kustomization fields, remote detection, names through
// layers, JSON pointers, list items by name, and patch proposals.
import { describe, expect, it } from "vitest";
import { isRemote, loadTree, nameAt, parseKustomization, transformedId } from "../../src/kustomize/kustomization.js";
import type { KustomizeReader } from "../../src/kustomize/kustomization.js";
import { patchProposal, pointer, translatePath } from "../../src/kustomize/map.js";
import { makeObjects } from "../../src/core/model/k8s.js";
import { parseYamlFile } from "../../src/core/parse/yaml.js";

function reader(files: Record<string, string>): KustomizeReader {
  return {
    read: (p) => files[p],
    isDir: (p) => Object.keys(files).some((f) => f.startsWith(`${p}/`)),
  };
}

describe("kustomization model", () => {
  it("reads resources, bases, components and every patch form", () => {
    const k = parseKustomization(
      "ov/kustomization.yaml",
      [
        "namePrefix: p-",
        "namespace: shop",
        "resources: [../base, github.com/acme/k8s//base?ref=v1, extra.yaml]",
        "bases: [../legacy]",
        "components: [../comp]",
        "patchesStrategicMerge:",
        "  - smp.yaml",
        "  - |-",
        "    apiVersion: v1",
        "    kind: Pod",
        "patches:",
        "  - path: p.yaml",
        "    target: {kind: Deployment, name: web}",
        "  - patch: |-",
        "      - op: remove",
        "        path: /spec/x",
        "patchesJson6902:",
        "  - path: j.yaml",
        "    target: {kind: Deployment, name: web}",
        "",
      ].join("\n"),
    );
    expect(k.resources.map((r) => [r.raw, r.remote, r.resolved ?? null])).toEqual([
      ["../base", false, "base"],
      ["github.com/acme/k8s//base?ref=v1", true, null],
      ["extra.yaml", false, "ov/extra.yaml"],
      ["../legacy", false, "legacy"],
    ]);
    expect(k.components.map((c) => c.resolved)).toEqual(["comp"]);
    expect(k.patches.map((p) => [p.entryPath.join("."), p.file ?? "inline", p.json6902 ?? false, p.target?.name ?? null])).toEqual([
      ["patchesStrategicMerge.0", "ov/smp.yaml", false, null],
      ["patchesStrategicMerge.1", "inline", false, null],
      ["patches.0", "ov/p.yaml", false, "web"],
      ["patches.1", "inline", false, null],
      ["patchesJson6902.0", "ov/j.yaml", true, "web"],
    ]);
    expect([k.namePrefix, k.nameSuffix, k.namespace]).toEqual(["p-", "", "shop"]);
  });

  it("remote references", () => {
    for (const r of ["https://github.com/acme/k8s//base?ref=v1", "git@github.com:acme/k8s.git//base", "github.com/acme/k8s/base?ref=main", "file:///srv/repo//base"]) expect(isRemote(r), r).toBe(true);
    for (const r of ["../base", "deployment.yaml", "./overlays/prod"]) expect(isRemote(r), r).toBe(false);
  });

  it("names and namespaces through layers; patches see the names of their layer", () => {
    const tree = loadTree(
      "ov",
      reader({
        "ov/kustomization.yaml": "namePrefix: prod-\nnamespace: shop\nresources: [../mid]\n",
        "mid/kustomization.yaml": "nameSuffix: -v2\nresources: [../base]\n",
        "base/kustomization.yaml": "resources: [d.yaml, ns.yaml]\n",
        "base/d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: dev}\n",
        "base/ns.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\n",
      }),
    )!;
    const [d, role] = tree.objects;
    expect(transformedId(d)).toEqual({ name: "prod-web-v2", namespace: "shop" });
    expect(transformedId(role)).toEqual({ name: "prod-reader-v2" });
    expect(nameAt(d, tree.root)).toBe("web-v2");
    expect(nameAt(d, d.layer)).toBe("web");
    expect(tree.layers.map((l) => l.k.path)).toEqual(["ov/kustomization.yaml", "mid/kustomization.yaml", "base/kustomization.yaml"]);
  });

  it("a kustomization that includes itself is a problem, not a hang", () => {
    const tree = loadTree("a", reader({ "a/kustomization.yaml": "resources: [../b]\n", "b/kustomization.yaml": "resources: [../a]\n" }))!;
    expect(tree.problems).toEqual(["a/kustomization.yaml includes itself"]);
  });
});

describe("mapping helpers", () => {
  it("JSON pointers", () => {
    expect(pointer("/spec/template/spec/containers/1/securityContext")).toEqual(["spec", "template", "spec", "containers", 1, "securityContext"]);
    expect(pointer("/metadata/annotations/a~1b~0c")).toEqual(["metadata", "annotations", "a/b~c"]);
  });

  it("list items by name when they have one, else by index; absent named items are absent", () => {
    const rendered = { spec: { containers: [{ name: "a" }, { name: "b", ports: [{ containerPort: 80 }] }] } };
    const base = { spec: { containers: [{ name: "b", ports: [{ containerPort: 8080 }] }, { name: "a" }] } };
    expect(translatePath(["spec", "containers", 1, "ports", 0, "containerPort"], rendered, base)).toEqual(["spec", "containers", 0, "ports", 0, "containerPort"]);
    expect(translatePath(["spec", "containers", 0, "securityContext"], rendered, { spec: { containers: [{ name: "b" }] } })).toBeUndefined();
  });

  it("patch proposals carry identity, list items by name, and only the touched fields", () => {
    const [obj] = makeObjects(parseYamlFile("r.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: edge-web, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n        - name: side\n        - name: web\n          securityContext: {privileged: true}\n"));
    const c = ["spec", "template", "spec", "containers", 1, "securityContext"];
    expect(patchProposal(obj, [{ op: "set", path: [...c, "privileged"], value: false }, { op: "append", path: [...c, "capabilities", "drop"], value: "ALL" }])).toBe(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: edge-web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          securityContext:\n            privileged: false\n            capabilities:\n              drop:\n                - ALL",
    );
  });
});
