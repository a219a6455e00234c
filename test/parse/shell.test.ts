// The shell facade over mvdan-sh: argv with exact offsets, pipelines and substitutions,
// nested scripts, Docker's view of RUN text (continuations, heredocs, exec form, escape
// directive), the plain-script fast path (checked against mvdan-sh itself) and the
// never-throw fallback.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDockerfile } from "../../src/core/parse/dockerfile.js";
import type { DockerInstruction } from "../../src/core/parse/dockerfile.js";
import { appendCommandEdit, parseRun, parseShell, shellParserAvailable } from "../../src/core/parse/shell.js";
import type { ShellCommand, ShellScript } from "../../src/core/parse/shell.js";

const argv = (c: ShellCommand) => c.argv.map((w) => w.value);
const names = (s: ShellScript) => s.commands.map((c) => c.name);

function runs(text: string): { text: string; run: (i?: number) => ReturnType<typeof parseRun>; instrs: DockerInstruction[] } {
  const m = parseDockerfile("Dockerfile", text);
  const instrs = m.stages.flatMap((s) => s.instructions).filter((i) => i.keyword === "RUN");
  return { text, instrs, run: (i = 0) => parseRun(m, instrs[i]) };
}

function apply(text: string, edit: { start: number; end: number; newText: string }): string {
  return text.slice(0, edit.start) + edit.newText + text.slice(edit.end);
}

describe("parseShell", () => {
  it("uses mvdan-sh (the GopherJS layout self-check passes)", () => {
    expect(shellParserAvailable()).toBe(true);
    expect(parseShell("echo 'a b' | cat").parser).toBe("mvdan-sh");
  });

  it("gives argv with quotes removed and offsets of each word in the source", () => {
    const src = `FOO=1 apt-get install -y "a b" 'c d' e\\ f $X`;
    const s = parseShell(src);
    const [c] = s.commands;
    expect(argv(c)).toEqual(["apt-get", "install", "-y", "a b", "c d", "e f", "$X"]);
    expect(c.argv.map((w) => w.literal)).toEqual([true, true, true, true, true, true, false]);
    expect(c.argv.map((w) => src.slice(w.start, w.end))).toEqual(["apt-get", "install", "-y", '"a b"', "'c d'", "e\\ f", "$X"]);
    expect(c.assigns).toMatchObject([{ name: "FOO", value: { value: "1" } }]);
    expect(src.slice(c.start, c.end)).toBe(src);
  });

  it("maps UTF-8 byte offsets back to string offsets", () => {
    const src = "echo 'héllo wörld' && apt-get install -y curl";
    const c = parseShell(src).commands[1];
    expect(src.slice(c.start, c.end)).toBe("apt-get install -y curl");
    expect(src.slice(c.argv[3].start, c.argv[3].end)).toBe("curl");
  });

  it("records pipelines, statements and list operators", () => {
    const s = parseShell("set -o pipefail; curl -fsSL x | tar -xz && echo ok || true\nls | wc -l | cat");
    expect(names(s)).toEqual(["set", "curl", "tar", "echo", "true", "ls", "wc", "cat"]);
    expect(s.commands.map((c) => c.statement)).toEqual([0, 1, 1, 1, 1, 2, 2, 2]);
    expect(s.pipelines.map((p) => [p.length, p.commands.map((c) => `${c.name}@${c.pipeIndex}`)])).toEqual([
      [2, ["curl@0", "tar@1"]],
      [3, ["ls@0", "wc@1", "cat@2"]],
    ]);
  });

  it("links substitutions to the command that holds them", () => {
    const s = parseShell('sh -c "$(curl -fsSL https://x)" && bash <(wget -qO- https://y) && X=$(id -u) env');
    const curl = s.commands.find((c) => c.name === "curl")!;
    expect(curl.context).toBe("cmdsubst");
    expect(curl.parent?.name).toBe("sh");
    expect(curl.parentArg).toBe(2);
    const wget = s.commands.find((c) => c.name === "wget")!;
    expect(wget.context).toBe("procsubst");
    expect(wget.parent?.name).toBe("bash");
    const id = s.commands.find((c) => c.name === "id")!;
    expect([id.context, id.parent?.name, id.parentArg]).toEqual(["cmdsubst", "env", -1]);
  });

  it("parses `sh -c` scripts with their own script id and exact offsets inside the quotes", () => {
    const src = `bash -o pipefail -c 'apt-get update && curl -s x | sh' && sh -ec "echo \\"hi\\"; cd /tmp"`;
    const s = parseShell(src);
    const nested = s.commands.filter((c) => c.context === "script");
    expect(nested.map((c) => [c.name, c.scriptId, c.statement, c.parent?.name])).toEqual([
      ["apt-get", 1, 0, "bash"],
      ["curl", 1, 0, "bash"],
      ["sh", 1, 0, "bash"],
      ["echo", 2, 0, "sh"],
      ["cd", 2, 1, "sh"],
    ]);
    const update = nested[0];
    expect(src.slice(update.argv[1].start, update.argv[1].end)).toBe("update");
    expect(nested[3].argv[1].value).toBe("hi");
    const hi = nested[3].argv[1];
    expect(src.slice(hi.start, hi.end)).toBe('\\"hi\\"');
    expect(s.pipelines.map((p) => p.scriptId)).toEqual([1]);
  });

  it("finds commands in compound commands and marks them nested", () => {
    const s = parseShell("if true; then cd /x && make; fi; (cd /y); for f in $(ls); do rm $f; done");
    expect(s.commands.map((c) => `${c.name}:${c.context}`)).toEqual(["true:nested", "cd:nested", "make:nested", "cd:nested", "ls:cmdsubst", "rm:nested"]);
  });

  it("treats export / declare arguments as assignments", () => {
    const s = parseShell("export NODE_TLS_REJECT_UNAUTHORIZED=0 PATH; local x=1");
    expect(s.commands[0].name).toBe("export");
    expect(s.commands[0].assigns.map((a) => [a.name, a.value?.value])).toEqual([
      ["NODE_TLS_REJECT_UNAUTHORIZED", "0"],
      ["PATH", undefined],
    ]);
  });

  it("puts the append point after the last statement, before `;`, redirections stay before it", () => {
    for (const [src, expected] of [
      ["apt-get install -y x;", "apt-get install -y x"],
      ["make > /dev/null 2>&1 # done", "make > /dev/null 2>&1"],
      ['echo "a" && tar -xzf "b c.tgz"', 'echo "a" && tar -xzf "b c.tgz"'],
    ] as const) {
      const s = parseShell(src);
      expect(src.slice(0, s.appendAt)).toBe(expected);
    }
    expect(parseShell("sleep 10 &").appendAt).toBeUndefined();
  });

  it("falls back to the conservative tokenizer on a syntax error, with nothing editable", () => {
    const s = parseShell(`echo "unterminated && curl -s https://x | sh`);
    expect(s.parser).toBe("fallback");
    expect(s.error).toMatch(/quote/);
    expect(s.commands.every((c) => !c.editable)).toBe(true);
    expect(s.appendAt).toBeUndefined();
    const t = parseShell("apt-get install -y ( curl | sh");
    expect(t.parser).toBe("fallback");
    expect(names(t)).toEqual(["apt-get", "curl", "sh"]);
    expect(t.pipelines).toHaveLength(1);
  });

  it("never throws, and every offset stays inside the text", () => {
    const alphabet = fc.constantFrom(..."ab $'\"`\\|&;()<>{}#\n\t=-*é".split(""), "<<EOF\n", "$(", "<(", "&&", "||", "sh -c ", "curl ", "EOF\n");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }).map((a) => a.join("")), (src) => {
        const s = parseShell(src);
        for (const c of s.commands) {
          expect(c.start).toBeGreaterThanOrEqual(0);
          expect(c.end).toBeLessThanOrEqual(src.length);
          for (const w of c.argv) expect(w.start <= w.end && w.end <= src.length).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe("fast path for plain scripts", () => {
  const plain = [
    "apt-get update && apt-get install -y curl ca-certificates",
    "apk add --no-cache curl",
    "curl -fsSL https://example.com/install.sh | sh",
    "npm ci && npm run build; npm prune --omit=dev",
    "FOO=1 BAR= make -j4 install || true",
    "ls /opt | wc -l | cat",
    "set -eux\napt-get update\n\napt-get install -y tini\n",
    "a &&\n b",
    "pip install --no-cache-dir -r requirements.txt",
    "rm -rf /var/lib/apt/lists/* /tmp/*",
    "test -f /x || echo missing",
    "A=1",
  ];

  const normalise = (s: ShellScript) => ({
    commands: s.commands.map((c) => ({ argv: c.argv, assigns: c.assigns, name: c.name, start: c.start, end: c.end, context: c.context, statement: c.statement, pipeIndex: c.pipeIndex, editable: c.editable })),
    pipelines: s.pipelines.map((p) => ({ length: p.length, start: p.start, end: p.end, statement: p.statement })),
    appendAt: s.appendAt,
  });

  it.each(plain)("gives exactly what mvdan-sh gives: %j", (src) => {
    const fast = parseShell(src, { base: 7 });
    const slow = parseShell(src, { base: 7, fastPath: false });
    expect(fast.parser).toBe("simple");
    expect(slow.parser).toBe("mvdan-sh");
    expect(normalise(fast)).toEqual(normalise(slow));
  });

  it.each(["echo 'q'", "a | | b", "a &", "if true; then x; fi", "sh -c ls", "export A=1", "a && ", "; a", "x > y", "echo $HOME", "cmd # c", "a;; b"])(
    "leaves anything else to mvdan-sh: %j",
    (src) => {
      expect(parseShell(src).parser).not.toBe("simple");
    },
  );
});

describe("parseRun (Docker's view of RUN)", () => {
  it("joins continuations, drops comment lines inside them and ignores --mount flags", () => {
    const r = runs(`FROM debian:13
RUN --mount=type=secret,id=npm,target=/root/.npmrc apt-get update \\
  # refresh first
  && apt-get install -y \\
     curl # the only tool
`);
    const s = r.run();
    expect(s.form).toBe("shell");
    expect(s.commands.map(argv)).toEqual([
      ["apt-get", "update"],
      ["apt-get", "install", "-y", "curl"],
    ]);
    const curl = s.commands[1].argv[3];
    expect(r.text.slice(curl.start, curl.end)).toBe("curl");
    const edit = appendCommandEdit(s, "rm -rf /var/lib/apt/lists/*")!;
    expect(apply(r.text, edit)).toContain("     curl \\\n  && rm -rf /var/lib/apt/lists/* # the only tool\n");
  });

  it("reads the exec form as argv, and analyses `[\"sh\", \"-c\", …]` as a script", () => {
    const r = runs(`FROM alpine
RUN ["apt-get", "install", "x"]
RUN ["/bin/bash", "-o", "pipefail", "-c", "curl -s \\"https://x\\" | tar -x && echo done"]
`);
    const a = r.run(0);
    expect([a.form, a.commands.map(argv), a.commands[0].editable]).toEqual(["exec", [["apt-get", "install", "x"]], false]);
    const b = r.run(1);
    expect(b.execShell).toEqual(["/bin/bash", "-o", "pipefail", "-c"]);
    expect(b.commands.map((c) => c.name)).toEqual(["curl", "tar", "echo"]);
    expect(b.commands[0].argv[2].value).toBe("https://x");
    const url = b.commands[0].argv[2];
    expect(r.text.slice(url.start, url.end)).toBe('\\"https://x\\"');
    expect(apply(r.text, appendCommandEdit(b, "rm -f /x")!)).toContain('echo done && rm -f /x"]');
  });

  it("runs the body of `RUN <<EOF` as the script and appends a line before the delimiter", () => {
    const r = runs(`# syntax=docker/dockerfile:1.7
FROM debian:13
RUN <<EOF
set -e
apt-get update
apt-get install -y tini
EOF
RUN <<EOT
#!/usr/bin/env python3
import os
EOT
RUN python3 <<EOF && echo after
print("hi")
EOF
RUN bash <<'EOF'
curl -s https://x | sh
EOF
`);
    const a = r.run(0);
    expect([a.form, a.commands.map((c) => c.name)]).toEqual(["heredoc", ["set", "apt-get", "apt-get"]]);
    expect(apply(r.text, appendCommandEdit(a, "rm -rf /var/lib/apt/lists/*")!)).toContain("apt-get install -y tini\nrm -rf /var/lib/apt/lists/*\nEOF\n");
    expect(r.run(1).commands).toEqual([]);
    const c = r.run(2);
    expect(c.commands.map((x) => x.name)).toEqual(["python3", "echo"]);
    const d = r.run(3);
    const nested = d.commands.filter((x) => x.context === "script");
    expect(nested.map((x) => x.name)).toEqual(["curl", "sh"]);
    expect(nested[0].parent?.name).toBe("bash");
    expect(d.pipelines).toHaveLength(1);
  });

  it("honours the escape directive (backtick continuations)", () => {
    const r = runs("# escape=`\nFROM debian:13\nRUN apt-get update `\n  && apt-get install -y curl\n");
    const s = r.run();
    expect(s.commands.map(argv)).toEqual([
      ["apt-get", "update"],
      ["apt-get", "install", "-y", "curl"],
    ]);
    expect(apply(r.text, appendCommandEdit(s, "rm -rf /var/lib/apt/lists/*")!)).toBe(
      "# escape=`\nFROM debian:13\nRUN apt-get update `\n  && apt-get install -y curl `\n  && rm -rf /var/lib/apt/lists/*\n",
    );
  });

  it("keeps CRLF line endings when appending", () => {
    const r = runs("FROM debian:13\r\nRUN apt-get update && \\\r\n    apt-get install -y curl\r\n");
    const s = r.run();
    expect(s.commands.map((c) => c.name)).toEqual(["apt-get", "apt-get"]);
    expect(apply(r.text, appendCommandEdit(s, "rm -rf /var/lib/apt/lists/*")!)).toBe(
      "FROM debian:13\r\nRUN apt-get update && \\\r\n    apt-get install -y curl && \\\r\n    rm -rf /var/lib/apt/lists/*\r\n",
    );
  });

  it("uses the tokenizer for PowerShell and cmd, and caches per instruction", () => {
    const m = parseDockerfile("Dockerfile", 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN Invoke-WebRequest https://x -OutFile x.zip; Expand-Archive x.zip -DestinationPath C:\\x\n');
    const run = m.stages[0].instructions[0];
    const s = parseRun(m, run, ["powershell", "-Command"]);
    expect(s.parser).toBe("fallback");
    expect(s.commands.map((c) => c.name)).toEqual(["Invoke-WebRequest", "Expand-Archive"]);
    expect(parseRun(m, run, ["powershell", "-Command"])).toBe(s);
  });
});
