import { describe, expect, it } from "vitest";
import { parseAllDocuments, type Document } from "yaml";
import { applyEdits } from "../../src/core/fix/apply.js";
import type { FixOp } from "../../src/core/fix/ops.js";
import { parseYamlForEdits, planYamlEdits, type YamlEditPlan } from "../../src/core/fix/yaml-edit.js";

function plan(text: string, ops: FixOp[], doc = 0): YamlEditPlan & { fixed: string; reasons: string[] } {
  const result = planYamlEdits(text, parseYamlForEdits(text)[doc]!, ops, "m.yaml");
  return { ...result, fixed: applyEdits(text, result.edits), reasons: result.failed.map((f) => f.reason) };
}

const POD = `apiVersion: v1
kind: Pod
spec:
  containers:
    - name: app
      image: nginx:1.27
`;
const SC = ["spec", "containers", 0, "securityContext"];

describe("planYamlEdits: merging", () => {
  it("turns five sets under a missing securityContext into one insertion", () => {
    const result = plan(POD, [
      { op: "set", path: [...SC, "runAsNonRoot"], value: true },
      { op: "set", path: [...SC, "allowPrivilegeEscalation"], value: false },
      { op: "set", path: [...SC, "capabilities", "drop"], value: ["ALL"] },
      { op: "set", path: [...SC, "seccompProfile", "type"], value: "RuntimeDefault" },
      { op: "set", path: [...SC, "readOnlyRootFilesystem"], value: true },
    ]);
    expect(result.failed).toEqual([]);
    expect(result.edits).toHaveLength(1);
    expect(result.edits[0]!.newText).toBe(
      [
        "      securityContext:",
        "        runAsNonRoot: true",
        "        allowPrivilegeEscalation: false",
        "        capabilities:",
        "          drop:",
        "            - ALL",
        "        seccompProfile:",
        "          type: RuntimeDefault",
        "        readOnlyRootFilesystem: true",
        "",
      ].join("\n"),
    );
  });

  it("inserts all new keys of an existing mapping together after its last key", () => {
    const text = POD + "      securityContext:\n        runAsUser: 1000\n";
    const result = plan(text, [
      { op: "set", path: [...SC, "runAsNonRoot"], value: true },
      { op: "set", path: [...SC, "runAsUser"], value: 10001 },
      { op: "set", path: [...SC, "readOnlyRootFilesystem"], value: true },
    ]);
    expect(result.edits.map((e) => e.newText)).toEqual(["10001", "        runAsNonRoot: true\n        readOnlyRootFilesystem: true\n"]);
  });

  it("plans documents of one file independently; their edits combine", () => {
    const text = "a: 1\n---\nb: 2\n";
    const docs = parseYamlForEdits(text);
    const first = planYamlEdits(text, docs[0]!, [{ op: "set", path: ["x"], value: 1 }], "m.yaml");
    const second = planYamlEdits(text, docs[1]!, [{ op: "set", path: ["w"], value: 2 }], "m.yaml");
    expect(applyEdits(text, [...first.edits, ...second.edits])).toBe("a: 1\nx: 1\n---\nb: 2\nw: 2\n");
  });
});

describe("planYamlEdits: no-ops", () => {
  it("setting an equal value, deleting an absent path and repeating a rename change nothing", () => {
    const text = "a:\n  b: 1\n  c: [x]\n  d: ~\n  e: y\n";
    const result = plan(text, [
      { op: "set", path: ["a", "b"], value: 1 },
      { op: "set", path: ["a", "c"], value: ["x"] },
      { op: "set", path: ["a", "d"], value: null },
      { op: "delete", path: ["a", "zz"] },
      { op: "delete", path: ["a", "b", "deeper"] },
      { op: "rename", path: ["a", "old"], newKey: "e" },
    ]);
    expect(result).toMatchObject({ edits: [], failed: [] });
  });

  it("a delete of content added earlier in the batch cancels it", () => {
    const result = plan(POD, [
      { op: "set", path: [...SC, "runAsNonRoot"], value: true },
      { op: "delete", path: [...SC, "runAsNonRoot"] },
    ]);
    expect(result.failed).toEqual([]);
    expect(result.fixed).toBe(POD + "      securityContext: {}\n");
  });
});

describe("planYamlEdits: refusals", () => {
  const cases: [string, string, FixOp[], RegExp][] = [
    ["anchor on the path", "a: &x {b: 1}\nc: *x\n", [{ op: "set", path: ["a", "z"], value: 1 }], /anchor &x/],
    ["alias on the path", "a: &x {b: 1}\nc: *x\n", [{ op: "set", path: ["c", "z"], value: 1 }], /alias \*x/],
    ["merge key", "base: {x: 1}\nd:\n  <<: {x: 2}\n  e: 1\n", [{ op: "set", path: ["d", "z"], value: 1 }], /merge key/],
    ["path through a scalar", "f: 1\n", [{ op: "set", path: ["f", "z"], value: 1 }], /through a scalar/],
    ["scalar replaced by a collection", "f: 1\n", [{ op: "set", path: ["f"], value: [1] }], /replacing it with a collection/],
    ["collection replaced", "f: [a]\n", [{ op: "set", path: ["f"], value: ["b"] }], /replacing whole collections/],
    ["complex key", "? [a]\n: 1\nb: 2\n", [{ op: "set", path: ["b"], value: 3 }], /complex/],
    ["explicit key", "? a\n: 1\nb: 2\n", [{ op: "set", path: ["b"], value: 3 }], /explicit key/],
    ["explicit tag", "a: !!str 1\n", [{ op: "set", path: ["a"], value: "2" }], /explicit tag/],
    ["parse errors", "a: [\n", [{ op: "set", path: ["a"], value: 1 }], /YAML errors/],
    ["index past the end", "a: [x]\n", [{ op: "set", path: ["a", 3], value: 1 }], /past the end/],
    ["empty sequence item", "a:\n  -\n  - x\n", [{ op: "set", path: ["a", 0, "k"], value: 1 }], /empty sequence item/],
    ["document root", "a: 1\nb: 2\n", [{ op: "delete", path: [] }], /document root/],
    ["last root entry", "a: 1\n", [{ op: "delete", path: ["a"] }], /empty document/],
    ["empty document", "--- # nothing\n", [{ op: "set", path: ["a"], value: 1 }], /document is empty/],
    ["not plain data", "a: 1\n", [{ op: "set", path: ["b"], value: new Date(0) }], /of class Date is not plain data/],
    ["append to a mapping", "a: {b: 1}\n", [{ op: "append", path: ["a"], value: 1 }], /not a sequence/],
    ["rename onto an existing key", "a: 1\nb: 2\n", [{ op: "rename", path: ["a"], newKey: "b" }], /already exists/],
    ["rename of an absent key", "a: 1\n", [{ op: "rename", path: ["q"], newKey: "z" }], /not found/],
    ["compact nested sequence", "a:\n  - - x\n    - y\n", [{ op: "delete", path: ["a", 0, 0] }], /compact nested/],
  ];
  for (const [name, text, ops, reason] of cases) {
    it(`${name} → failed, text untouched`, () => {
      const result = plan(text, ops);
      expect(result.edits).toEqual([]);
      expect(result.reasons).toHaveLength(1);
      expect(result.reasons[0]).toMatch(reason);
    });
  }

  it("a document parsed without source tokens is refused (positions would be guesses)", () => {
    const text = "a:\n  b: 1\n";
    const doc = parseAllDocuments(text)[0] as Document.Parsed;
    const result = planYamlEdits(text, doc, [{ op: "set", path: ["a", "c"], value: 2 }], "m.yaml");
    expect(result.failed[0]!.reason).toMatch(/keepSourceTokens/);
  });

  it("ops that contradict earlier ops of the batch fail; the rest still apply", () => {
    const text = "a:\n  b: 1\n  c: 2\nz: 0\n";
    const result = plan(text, [
      { op: "delete", path: ["a"] },
      { op: "set", path: ["a", "d"], value: 1 },
      { op: "set", path: ["z"], value: 5 },
    ]);
    expect(result.reasons).toEqual(["conflicts with an earlier delete of this path"]);
    expect(result.fixed).toBe("z: 5\n");

    const reverse = plan(text, [
      { op: "set", path: ["a", "d"], value: 1 },
      { op: "delete", path: ["a"] },
    ]);
    expect(reverse.reasons).toEqual(["conflicts with an earlier op that changes something inside it"]);
    expect(reverse.fixed).toBe("a:\n  b: 1\n  c: 2\n  d: 1\nz: 0\n");
  });
});

describe("planYamlEdits: text details", () => {
  it("keeps what a `|+` block scalar owns when inserting after it", () => {
    const text = "data:\n  script: |+\n    echo hi\n\n\nother: 1\n";
    expect(plan(text, [{ op: "set", path: ["data", "new"], value: "x" }]).fixed).toBe(
      "data:\n  script: |+\n    echo hi\n\n\n  new: x\nother: 1\n",
    );
  });

  it("writes a value into `key:` and `key: # comment` after the colon", () => {
    const text = "a:\nb: # note\nc: ~ # tilde\n";
    const result = plan(text, [
      { op: "set", path: ["a"], value: 1 },
      { op: "set", path: ["b"], value: "x" },
      { op: "set", path: ["c"], value: true },
    ]);
    expect(result.fixed).toBe("a: 1\nb: x # note\nc: true # tilde\n");
  });

  it("quotes YAML 1.1 booleans such as y/on (Kubernetes still reads them as booleans)", () => {
    expect(plan("a: 1\n", [{ op: "set", path: ["b"], value: ["y", "on", "RuntimeDefault"] }]).fixed).toBe(
      'a: 1\nb:\n  - "y"\n  - "on"\n  - RuntimeDefault\n',
    );
  });

  it("keeps single quotes when the new string allows, else double quotes", () => {
    const text = "a: 'x'\nb: \"y\"\nc: plain\nd: 'n'\n";
    const result = plan(text, [
      { op: "set", path: ["a"], value: "line1\nline2" },
      { op: "set", path: ["b"], value: "z" },
      { op: "set", path: ["c"], value: "it's: here" },
      { op: "set", path: ["d"], value: 5 },
    ]);
    // c was plain; the file prefers single quotes (2 to 1), so the new text uses them.
    expect(result.fixed).toBe("a: \"line1\\nline2\"\nb: \"z\"\nc: 'it''s: here'\nd: 5\n");
  });

  it("deletes flow items with exactly one comma each, including runs and trailing commas", () => {
    const text = "a: {x: 1, y: 2, z: 3}\nb: [1, 2, 3, 4, ]\nc: [only]\n";
    const result = plan(text, [
      { op: "delete", path: ["a", "y"] },
      { op: "delete", path: ["a", "z"] },
      { op: "delete", path: ["b", 0] },
      { op: "delete", path: ["b", 1] },
      { op: "delete", path: ["b", 3] },
      { op: "delete", path: ["c", 0] },
    ]);
    expect(result.fixed).toBe("a: {x: 1}\nb: [3, ]\nc: []\n");
  });

  it("rebuilds a flow collection whose items are all replaced", () => {
    const result = plan("a: {x: 1}\n", [
      { op: "delete", path: ["a", "x"] },
      { op: "set", path: ["a", "w"], value: 2 },
    ]);
    expect(result.fixed).toBe("a: {w: 2}\n");
  });

  it("pulls the next key onto the dash line when the first key of a list item goes", () => {
    const text = "items:\n  - a: 1\n    # about b\n    b: 2\n  - c: 3\n    d: 4\n";
    const result = plan(text, [
      { op: "delete", path: ["items", 0, "a"] },
      { op: "delete", path: ["items", 1, "c"] },
      { op: "delete", path: ["items", 1, "d"] },
    ]);
    expect(result.fixed).toBe("items:\n  - # about b\n    b: 2\n  - {}\n");
  });

  it("keeps a missing final newline when deleting the last lines (CRLF too)", () => {
    expect(plan("a: 1\r\nb:\r\n  c: 2", [{ op: "delete", path: ["b"] }]).fixed).toBe("a: 1");
    expect(plan("a: 1\nb: [x]", [{ op: "append", path: ["b"], value: "z" }]).fixed).toBe("a: 1\nb: [x, z]");
  });

  it("verifies documents that need their %TAG directive against the whole file", () => {
    const text = "%TAG !e! tag:example.com,2000:\n---\na: !e!foo 1\nb:\n  c: 2\n";
    const result = plan(text, [{ op: "set", path: ["b", "d"], value: 3 }]);
    expect(result.failed).toEqual([]);
    expect(result.fixed).toBe(text + "  d: 3\n");
  });

  it("never writes tabs, even in a file that uses them as separators", () => {
    const result = plan("a:\t1\nb:\n\t# tab comment\n  c:\t2\n", [{ op: "set", path: ["b", "d", "e"], value: 1 }]);
    expect(result.failed).toEqual([]);
    expect(result.edits.map((e) => e.newText).join("")).not.toContain("\t");
  });
});
