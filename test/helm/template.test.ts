// The line-level template reader: actions, blocks, hard-coded fields, syntax problems, and the
// key paths / .Values origins the rendered mapping relies on.
import { describe, expect, it } from "vitest";
import { checkTemplateSyntax, findHardcoded, lexTemplate } from "../../src/core/helm/template.js";
import { mapTemplate, originOf, originOfField, sourceFor, sourceHeaders, sourceToPath } from "../../src/core/helm/source-map.js";

describe("lexTemplate", () => {
  it("finds actions, keeps offsets, honours quotes and comments", () => {
    const text = 'a: {{ printf "}}" }}\n{{/* x }} y */}}\nb: {{- .Values.b -}}\n';
    const lex = lexTemplate(text);
    expect(lex.actions.map((a) => [a.body, a.comment])).toEqual([
      ['printf "}}"', false],
      ["", true],
      [".Values.b", false],
    ]);
    expect(lex.masked.length).toBe(text.length);
    expect(lex.masked.split("\n")[0]).toMatch(/^a: +$/);
    expect(lex.unclosed).toBeUndefined();
  });

  it("reports an unclosed action", () => {
    expect(lexTemplate("a: {{ .Values.a\n").unclosed).toBe(3);
  });
});

describe("checkTemplateSyntax", () => {
  it("balanced blocks with else branches pass", () => {
    expect(checkTemplateSyntax("{{- if .Values.a }}\nx: 1\n{{- else if .Values.b }}\nx: 2\n{{- else }}\n{{- range .Values.l }}\n- {{ . }}\n{{- end }}\n{{- end }}\n")).toEqual([]);
  });

  it("reports a block never closed, a stray end and an unclosed action", () => {
    expect(checkTemplateSyntax("{{- with .Values.a }}\nx: 1\n").map((p) => p.message)).toEqual(["{{ with }} is never closed with {{ end }}"]);
    expect(checkTemplateSyntax("x: 1\n{{- end }}\n").map((p) => p.message)).toEqual(["unexpected {{ end }}: no block is open here"]);
    expect(checkTemplateSyntax("x: {{ .Values.x\n").map((p) => p.message)).toEqual(["unclosed action: `{{` has no matching `}}`"]);
  });
});

describe("findHardcoded", () => {
  it("finds literal risky fields with their exact spans", () => {
    const text = [
      "spec:",
      "  hostNetwork: true",
      "  hostPID: {{ .Values.hostPID }}",
      "  containers:",
      "    - name: a",
      "      securityContext:",
      "        privileged: true # needed for eBPF",
      "        runAsUser: 0",
      "        allowPrivilegeEscalation: true",
      "  volumes:",
      "    - name: sock",
      "      hostPath: {path: /var/run/docker.sock}",
      "",
    ].join("\n");
    const hits = findHardcoded(text);
    expect(hits.map((h) => [h.field, h.line, text.slice(h.start, h.end)])).toEqual([
      ["hostNetwork", 2, "hostNetwork: true"],
      ["privileged", 7, "privileged: true"],
      ["runAsUser", 8, "runAsUser: 0"],
      ["allowPrivilegeEscalation", 9, "allowPrivilegeEscalation: true"],
      ["hostPath", 12, "hostPath:"],
    ]);
  });

  it("a line guarded by a values condition is a knob, not hard-coded; other conditions are reported with the condition", () => {
    const text = "{{- if .Values.agent.hostNetwork }}\nhostNetwork: true\n{{- end }}\n{{- if .Capabilities.APIVersions.Has \"x/v1\" }}\nhostIPC: true\n{{- end }}\n";
    expect(findHardcoded(text).map((h) => [h.field, h.condition])).toEqual([["hostIPC", 'if .Capabilities.APIVersions.Has "x/v1"']]);
  });

  it("comments and block scalars are text", () => {
    expect(findHardcoded("# privileged: true\ndata:\n  notes: |\n    hostNetwork: true\n    privileged: true\nkind: ConfigMap\n")).toEqual([]);
  });
});

describe("originOf", () => {
  it("direct, defaulted, quoted and piped values reads are settable", () => {
    for (const body of [".Values.a.b", "$.Values.a.b", '.Values.a.b | default "x"', 'default "x" .Values.a.b', ".Values.a.b | quote", "toYaml .Values.a.b | nindent 8"]) {
      expect(originOf(body, []), body).toEqual({ kind: "values", path: ["a", "b"], direct: true, expr: body });
    }
  });

  it("computed reads point at the key but are not settable; helpers are opaque; release fields are not values", () => {
    expect(originOf("not .Values.a", [])).toMatchObject({ kind: "values", path: ["a"], direct: false });
    expect(originOf('.Values.a | ternary "x" "y"', [])).toMatchObject({ kind: "values", path: ["a"], direct: false });
    expect(originOf('include "x.labels" . | nindent 4', [])).toMatchObject({ kind: "opaque" });
    expect(originOf("tpl .Values.a .", [])).toMatchObject({ kind: "values", path: ["a"], direct: false });
    expect(originOf(".Release.Name", [])).toBeUndefined();
  });

  it("Bitnami idioms: omit keeps the subtree settable; a helper fed one values key points at it", () => {
    expect(originOf('omit .Values.containerSecurityContext "enabled" | toYaml | nindent 12', [])).toMatchObject({ kind: "values", path: ["containerSecurityContext"], direct: true });
    expect(originOf('include "common.compatibility.renderSecurityContext" (dict "secContext" .Values.containerSecurityContext "context" $) | nindent 12', [])).toMatchObject({ kind: "values", path: ["containerSecurityContext"], direct: false });
  });

  it("resolves dot through enclosing with blocks, not through range", () => {
    const withBlocks = [{ kind: "with" as const, arg: ".Values.sc", start: 0 }];
    expect(originOf("toYaml . | nindent 12", withBlocks)).toMatchObject({ kind: "values", path: ["sc"], direct: true });
    expect(originOf(".runAsUser", withBlocks)).toMatchObject({ kind: "values", path: ["sc", "runAsUser"], direct: true });
    expect(originOf("toYaml .", [{ kind: "range", arg: ".Values.containers", start: 0 }])).toMatchObject({ kind: "opaque" });
  });
});

describe("mapTemplate / originOfField", () => {
  const template = [
    "apiVersion: apps/v1", // 1
    "kind: Deployment", // 2
    "spec:", // 3
    "  template:", // 4
    "    spec:", // 5
    "      hostNetwork: {{ .Values.hostNetwork }}", // 6
    "      {{- with .Values.podSecurityContext }}", // 7
    "      securityContext:", // 8
    "        {{- toYaml . | nindent 8 }}", // 9
    "      {{- end }}", // 10
    "      containers:", // 11
    "        - name: {{ .Chart.Name }}", // 12
    "          securityContext: {{- toYaml .Values.securityContext | nindent 12 }}", // 13
    '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"', // 14
    "        - name: sidecar", // 15
    "          image: busybox:1.36", // 16
    "          securityContext:", // 17
    "            runAsUser: 0", // 18
    "",
  ].join("\n");
  const map = mapTemplate(template);
  const rendered = { spec: { template: { spec: { containers: [{ name: "web" }, { name: "sidecar" }] } } } };
  const c = (i: number, ...rest: (string | number)[]) => ["spec", "template", "spec", "containers", i, ...rest];

  it("a scalar read from values", () => {
    expect(originOfField(map, ["spec", "template", "spec", "hostNetwork"], rendered)).toMatchObject({ kind: "values", valuesPath: ["hostNetwork"], direct: true, via: "scalar", line: { line: 6 } });
  });

  it("a field inside a toYaml subtree (with block, or inline on the key line)", () => {
    expect(originOfField(map, ["spec", "template", "spec", "securityContext", "seccompProfile", "type"], rendered)).toMatchObject({ kind: "values", valuesPath: ["podSecurityContext", "seccompProfile", "type"], via: "subtree", line: { line: 8 } });
    expect(originOfField(map, c(0, "securityContext", "capabilities", "drop", 0), rendered)).toMatchObject({ kind: "values", valuesPath: ["securityContext", "capabilities", "drop", 0], line: { line: 13 } });
  });

  it("list items by literal name, else by position", () => {
    expect(originOfField(map, c(1, "securityContext", "runAsUser"), rendered)).toMatchObject({ kind: "template", exact: true, line: { line: 18, literal: "0" } });
    // The sidecar has no allowPrivilegeEscalation: the nearest line is its securityContext, not the first container's.
    expect(originOfField(map, c(1, "securityContext", "allowPrivilegeEscalation"), rendered)).toMatchObject({ kind: "template", exact: false, line: { line: 17 } });
    // A field no line writes, on the first container: its item line.
    expect(originOfField(map, c(0, "resources"), rendered)).toMatchObject({ kind: "template", exact: false, line: { line: 12 } });
  });

  it("a value built from several reads is derived and points at their common parent", () => {
    expect(originOfField(map, c(0, "image"), rendered)).toMatchObject({ kind: "values", valuesPath: ["image"], direct: false });
  });
});

describe("helm template output", () => {
  const rendered = "---\n# Source: web/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\n---\n# Source: web/charts/redis/templates/master.yaml\napiVersion: v1\nkind: Pod\n";
  it("reads # Source: headers and maps them to chart files", () => {
    const headers = sourceHeaders(rendered);
    expect(headers.map((h) => h.source)).toEqual(["web/templates/sa.yaml", "web/charts/redis/templates/master.yaml"]);
    const second = rendered.indexOf("apiVersion", rendered.indexOf("redis"));
    expect(sourceFor(headers, second, rendered.indexOf("---", 10))).toBe("web/charts/redis/templates/master.yaml");
    expect(sourceToPath("web/templates/sa.yaml", "web", "charts/web")).toBe("charts/web/templates/sa.yaml");
    expect(sourceToPath("web/templates/sa.yaml", "web", "")).toBe("templates/sa.yaml");
    expect(sourceToPath("other/templates/sa.yaml", "web", "")).toBeUndefined();
  });
});
