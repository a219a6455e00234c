// Ops for the golden fixtures in test/fix/golden/<case>/{input.yaml,expected.yaml}.
// expected.yaml files were reviewed by hand; regenerate a missing one with
// UPDATE_GOLDEN=1 npx vitest run test/fix/golden.test.ts, then READ it before committing.
import type { FixOp, Path } from "../../src/core/fix/ops.js";

export interface GoldenCase {
  /** What style or behaviour the case pins down. */
  about: string;
  /** Ops per document index (most files have one document). */
  docs: { doc: number; ops: FixOp[] }[];
  /** Ops expected to land in `failed` (by index in the flattened op list); none by default. */
  failing?: number[];
}

const POD_CONTAINER = (i: number): Path => ["spec", "containers", i];
const DEPLOY_CONTAINER = (i: number): Path => ["spec", "template", "spec", "containers", i];

/** The five restricted-profile settings a container securityContext usually lacks. */
function hardenContainer(container: Path): FixOp[] {
  const sc = [...container, "securityContext"];
  return [
    { op: "set", path: [...sc, "runAsNonRoot"], value: true },
    { op: "set", path: [...sc, "allowPrivilegeEscalation"], value: false },
    { op: "set", path: [...sc, "capabilities", "drop"], value: ["ALL"] },
    { op: "set", path: [...sc, "seccompProfile", "type"], value: "RuntimeDefault" },
    { op: "set", path: [...sc, "readOnlyRootFilesystem"], value: true },
  ];
}

const single = (ops: FixOp[]): GoldenCase["docs"] => [{ doc: 0, ops }];

export const GOLDEN_CASES: Record<string, GoldenCase> = {
  "set-existing-scalars": {
    about: "set replaces only scalar tokens; quoting kept for strings, dropped for booleans/numbers; comments kept; equal value is a no-op",
    docs: single([
      { op: "set", path: ["spec", "automountServiceAccountToken"], value: false },
      { op: "set", path: ["spec", "hostNetwork"], value: false },
      { op: "set", path: ["metadata", "labels", "tier"], value: "backend" },
      { op: "set", path: ["metadata", "name"], value: "web" },
      { op: "set", path: [...POD_CONTAINER(0), "image"], value: "nginx:1.27" },
      { op: "set", path: [...POD_CONTAINER(0), "imagePullPolicy"], value: "Always" },
      { op: "set", path: [...POD_CONTAINER(0), "securityContext", "runAsUser"], value: 10001 },
      { op: "set", path: [...POD_CONTAINER(0), "securityContext", "procMount"], value: "Default" },
    ]),
  },
  "insert-into-existing-mapping": {
    about:
      "new keys go together after the last key of the existing mapping, past its trailing comment and past comment lines indented " +
      "deeper than its keys (they belong to the previous value); a comment at the keys' own column stays below the new keys",
    docs: single([
      { op: "set", path: [...DEPLOY_CONTAINER(0), "securityContext", "runAsNonRoot"], value: true },
      { op: "set", path: [...DEPLOY_CONTAINER(0), "securityContext", "capabilities", "drop"], value: ["ALL"] },
      { op: "set", path: [...DEPLOY_CONTAINER(0), "securityContext", "allowPrivilegeEscalation"], value: false },
      { op: "set", path: [...DEPLOY_CONTAINER(0), "securityContext", "seccompProfile", "type"], value: "RuntimeDefault" },
    ]),
  },
  "create-security-context": {
    about: "five sets under a missing securityContext become one block (indent 2, indented sequences); pod-level securityContext created too",
    docs: single([
      ...hardenContainer(DEPLOY_CONTAINER(0)),
      ...hardenContainer(DEPLOY_CONTAINER(1)),
      { op: "set", path: ["spec", "template", "spec", "securityContext", "seccompProfile", "type"], value: "RuntimeDefault" },
      { op: "set", path: ["spec", "template", "spec", "automountServiceAccountToken"], value: false },
    ]),
  },
  "indent4-flush-sequences": {
    about: "4-space indentation and flush sequences (`- x` at the key's column) are detected and reused",
    docs: single(hardenContainer(DEPLOY_CONTAINER(0))),
  },
  "indent3": {
    about: "an unusual 3-space step and `-  name` items: new keys follow the mapping's own columns",
    docs: single([
      ...hardenContainer(POD_CONTAINER(0)),
      { op: "set", path: [...POD_CONTAINER(0), "resources", "limits", "cpu"], value: "500m" },
    ]),
  },
  "flow-parent": {
    about: "a non-empty flow mapping parent gets flow insertions (`, key: { drop: [ALL] }`), in a block container and in a flow list item",
    docs: single([
      ...hardenContainer(POD_CONTAINER(0)),
      { op: "set", path: [...POD_CONTAINER(1), "securityContext", "privileged"], value: false },
      { op: "set", path: [...POD_CONTAINER(1), "securityContext", "capabilities", "drop"], value: ["ALL"] },
    ]),
  },
  "empty-flow-mapping": {
    about: "`key: {}` / `key: []` in block context become block collections (comment kept on the key line); `- {}` becomes a compact block mapping",
    docs: single([
      { op: "set", path: ["spec", "securityContext", "runAsNonRoot"], value: true },
      { op: "set", path: ["spec", "securityContext", "seccompProfile", "type"], value: "RuntimeDefault" },
      { op: "append", path: [...POD_CONTAINER(0), "securityContext", "capabilities", "drop"], value: "ALL" },
      { op: "set", path: [...POD_CONTAINER(1), "name"], value: "side" },
      { op: "set", path: [...POD_CONTAINER(1), "image"], value: "busybox:1.36" },
    ]),
  },
  "null-values": {
    about: "`key:` and `key: ~ # c` receive the new block in place of the null; the comment stays on the key line",
    docs: single([
      { op: "set", path: ["spec", "securityContext", "runAsNonRoot"], value: true },
      ...hardenContainer(POD_CONTAINER(0)),
      { op: "set", path: [...POD_CONTAINER(1), "securityContext", "capabilities", "drop"], value: ["ALL"] },
    ]),
  },
  crlf: {
    about: "CRLF files get CRLF in inserted lines; deletions take the whole CRLF line",
    docs: single([
      { op: "delete", path: ["spec", "template", "spec", "hostNetwork"] },
      ...hardenContainer(DEPLOY_CONTAINER(0)),
    ]),
  },
  "multi-document": {
    about: "`---` and `...` markers: each document is planned on its own ranges of the whole text",
    docs: [
      { doc: 0, ops: [{ op: "set", path: ["automountServiceAccountToken"], value: false }] },
      { doc: 1, ops: hardenContainer(POD_CONTAINER(0)) },
      { doc: 2, ops: [{ op: "set", path: ["immutable"], value: true }] },
    ],
  },
  "trailing-comment-last-line": {
    about: "inserting after a line with a trailing comment writes on the next line and keeps the comment",
    docs: single([
      { op: "set", path: [...POD_CONTAINER(0), "securityContext", "allowPrivilegeEscalation"], value: false },
      { op: "set", path: ["spec", "automountServiceAccountToken"], value: false },
    ]),
  },
  "no-final-newline": {
    about: "inserting after the last line of a file without final newline starts a new line and leaves the file without final newline",
    docs: single([
      { op: "set", path: [...POD_CONTAINER(0), "securityContext", "runAsNonRoot"], value: true },
      { op: "set", path: ["spec", "automountServiceAccountToken"], value: false },
    ]),
  },
  bom: {
    about: "a BOM before the first key does not shift columns",
    docs: single([
      { op: "set", path: ["metadata", "labels", "app"], value: "web" },
      { op: "set", path: ["spec", "automountServiceAccountToken"], value: false },
    ]),
  },
  "list-item-container": {
    about: "containers that are list items: keys go at the item's content column (`- name:` / `-   name:`), also for a one-key item",
    docs: single([
      { op: "set", path: ["spec", "initContainers", 0, "securityContext", "runAsNonRoot"], value: true },
      { op: "set", path: [...POD_CONTAINER(0), "securityContext", "runAsNonRoot"], value: true },
      { op: "set", path: [...POD_CONTAINER(1), "securityContext", "capabilities", "drop"], value: ["ALL"] },
    ]),
  },
  "quoted-new-strings": {
    about: "new strings are plain unless YAML (1.2 or 1.1) would read them as something else; then the file's quote style is used",
    docs: single([
      { op: "set", path: ["metadata", "annotations", "sidecar.istio.io/inject"], value: "false" },
      { op: "set", path: ["metadata", "annotations", "legacy"], value: "on" },
      { op: "set", path: ["metadata", "annotations", "note"], value: "key: value # not a comment" },
      { op: "set", path: ["metadata", "annotations", "plain"], value: "RuntimeDefault" },
      { op: "set", path: ["metadata", "annotations", "multi"], value: "line one\nline two" },
      { op: "set", path: ["metadata", "labels", "version"], value: "1.10" },
    ]),
  },
  "delete-host-network": {
    about: "delete takes the comment directly above (not the one separated by a blank line) and only the key's line",
    docs: single([
      { op: "delete", path: ["spec", "template", "spec", "hostNetwork"] },
      { op: "delete", path: ["spec", "template", "spec", "hostPID"] },
    ]),
  },
  "delete-capability-item": {
    about: "deleting block sequence items (with their comment) and flow items (with one comma each)",
    docs: single([
      { op: "delete", path: [...POD_CONTAINER(0), "securityContext", "capabilities", "add", 1] },
      { op: "delete", path: [...POD_CONTAINER(0), "securityContext", "capabilities", "add", 2] },
      { op: "delete", path: [...POD_CONTAINER(0), "securityContext", "capabilities", "drop", 1] },
      { op: "delete", path: [...POD_CONTAINER(0), "securityContext", "capabilities", "drop", 2] },
    ]),
  },
  "delete-key-with-comment": {
    about: "deleting a key removes its comment lines above, its nested lines and the comments indented inside it",
    docs: single([{ op: "delete", path: [...POD_CONTAINER(0), "securityContext"] }]),
  },
  "delete-last-item": {
    about: "deleting the only entry leaves `{}` (mapping) or `[]` (sequence) instead of a silent null",
    docs: single([
      { op: "delete", path: [...POD_CONTAINER(0), "securityContext", "privileged"] },
      { op: "delete", path: [...POD_CONTAINER(0), "ports", 0, "hostPort"] },
      { op: "delete", path: [...POD_CONTAINER(0), "volumeMounts", 0] },
      { op: "delete", path: ["spec", "volumes", 0, "hostPath", "path"] },
    ]),
  },
  append: {
    about: "append to a block sequence (flush style kept), a flow sequence, a null value, and a missing sequence",
    docs: single([
      { op: "append", path: [...POD_CONTAINER(0), "securityContext", "capabilities", "drop"], value: "ALL" },
      { op: "append", path: [...POD_CONTAINER(1), "securityContext", "capabilities", "drop"], value: "ALL" },
      { op: "append", path: [...POD_CONTAINER(2), "securityContext", "capabilities", "drop"], value: "ALL" },
      { op: "append", path: [...POD_CONTAINER(2), "securityContext", "capabilities", "add"], value: "NET_BIND_SERVICE" },
      { op: "append", path: ["spec", "volumes"], value: { name: "tmp", emptyDir: {} } },
    ]),
  },
  rename: {
    about: "rename rewrites just the key token (quoting kept), value and comment untouched",
    docs: single([
      { op: "rename", path: ["spec", "serviceAccount"], newKey: "serviceAccountName" },
      { op: "rename", path: ["spec", "hostIPC"], newKey: "hostUsers" },
    ]),
  },
  "tabs-and-separators": {
    about: "tabs used as separators stay; new lines are indented with spaces only",
    docs: single(hardenContainer(POD_CONTAINER(0)).slice(0, 3)),
  },
};
