// What RUN commands do beyond package managers: DOCKER-009, 010, 021, 026, 027, 029D.
import type { RuleCheck } from "../../core/engine/check.js";
import type { ShellAssign, ShellCommand, ShellWord } from "../../core/parse/shell.js";
import { SHELL_NAMES } from "../../core/parse/shell.js";
import { identity, insertAfter, properties, reporter, runs, shellAt, where } from "./context.js";
import {
  CURL_ARG_LETTERS,
  DOWNLOADERS,
  hasShortFlag,
  invocation,
  isInterpreter,
  optionValues,
  pipCommand,
  readsProgramFromStdin,
  setsPipefail,
} from "./commands.js";
import type { Invocation } from "./commands.js";

// --- DOCKER-009 ----------------------------------------------------------------------------

/** The parent runs its argument as code: `sh -c "$(curl …)"`, `eval "$(curl …)"`, `python -c …`. */
function executesArgument(p: Invocation): boolean {
  if (p.name === "eval") return true;
  if (!isInterpreter(p.name)) return false;
  return p.argv.some((w, i) => i > 0 && w.literal && (SHELL_NAMES.has(p.name) ? /^-[a-zA-Z]*c[a-zA-Z]*$/.test(w.value) : /^-[ce]$/.test(w.value) || w.value === "--eval"));
}

const pipedScript: RuleCheck = {
  id: "DOCKER-009",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const run of runs(d, /\b(?:curl|wget|fetch)\b/)) {
      const script = run.script();
      const found: { start: number; end: number; tool: string; shell: string; how: string; cmds: ShellCommand[] }[] = [];
      for (const p of script.pipelines) {
        const dl = p.commands.find((c) => DOWNLOADERS.has(invocation(c).name));
        if (!dl) continue;
        const runner = p.commands.find((c) => (c.pipeIndex ?? 0) > (dl.pipeIndex ?? 0) && readsProgramFromStdin(invocation(c)));
        if (runner) found.push({ start: dl.start, end: runner.end, tool: invocation(dl).name, shell: invocation(runner).name, how: "pipes", cmds: [dl, runner] });
      }
      for (const c of script.commands) {
        if (!c.parent || (c.context !== "cmdsubst" && c.context !== "procsubst")) continue;
        const tool = invocation(c).name;
        if (!DOWNLOADERS.has(tool)) continue;
        const parent = invocation(c.parent);
        const runsIt = c.context === "cmdsubst" ? executesArgument(parent) : isInterpreter(parent.name) || parent.name === "source" || parent.name === ".";
        if (runsIt) found.push({ start: c.parent.start, end: c.parent.end, tool, shell: parent.name, how: c.context === "cmdsubst" ? "runs the output of" : "runs a process substitution of", cmds: [c.parent, c] });
      }
      for (const f of found) {
        report({
          start: f.start,
          end: f.end,
          stage: run.stage.index,
          identity: identity(...f.cmds),
          message: `${where(d, run.stage, run.instr)} ${f.how === "pipes" ? `pipes a script downloaded with ${f.tool} straight into ${f.shell}` : `${f.how} ${f.tool} with ${f.shell}`}: whatever the server (or anyone in between) sends is executed, unverified. Download it to a file, verify its SHA-256 (\`echo "<sha256>  install.sh" | sha256sum -c -\`) or signature, then run it.`,
        });
      }
    }
  },
};

// --- DOCKER-010 ----------------------------------------------------------------------------

interface Hit {
  start: number;
  end: number;
  what: string;
}

/** Environment variables that switch TLS verification off, and the values that do it. */
const TLS_VARS: Record<string, (v: string) => boolean> = {
  NODE_TLS_REJECT_UNAUTHORIZED: (v) => v.trim() === "0",
  PYTHONHTTPSVERIFY: (v) => v.trim() === "0",
  GIT_SSL_NO_VERIFY: (v) => v.trim() !== "",
  NPM_CONFIG_STRICT_SSL: (v) => /^(?:false|0|no)$/i.test(v.trim()),
  PIP_TRUSTED_HOST: (v) => v.trim() !== "",
  GOINSECURE: (v) => v.trim() !== "",
};

function tlsVar(name: string, value: string | undefined): boolean {
  if (value === undefined || value.includes("$")) return false;
  const test = TLS_VARS[name] ?? TLS_VARS[name.toUpperCase()];
  return test !== undefined && test(value);
}

/** A short flag in argv, skipping the words that are values of a preceding option (`-o -k`). */
function findShortFlag(argv: readonly ShellWord[], letter: string, longs: readonly string[], argLetters: string): ShellWord | undefined {
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i];
    if (!w.literal) continue;
    if (w.value === "--") return undefined;
    if (hasShortFlag([w], letter, longs, argLetters)) return w;
    // A cluster ending in a value-taking letter consumes the next word.
    if (/^-[A-Za-z0-9]+$/.test(w.value)) {
      const at = [...w.value.slice(1)].findIndex((ch) => argLetters.includes(ch));
      if (at === w.value.length - 2) i++;
    }
  }
  return undefined;
}

const FALSE = /^(?:false|0|no|off)$/i;

function tlsHits(cmd: ShellCommand): Hit[] {
  const inv = invocation(cmd);
  const argv = inv.argv;
  const hits: Hit[] = [];
  const word = (w: ShellWord | undefined, what: string) => {
    if (w) hits.push({ start: w.start, end: w.end, what });
  };
  const assign = (a: ShellAssign) => {
    if (tlsVar(a.name, a.value?.literal ? a.value.value : undefined)) hits.push({ start: a.start, end: a.end, what: `${a.name}=${a.value!.value}` });
  };
  cmd.assigns.forEach(assign);
  for (const [name, value] of inv.env) {
    if (tlsVar(name, value) && !cmd.assigns.some((a) => a.name === name)) {
      const w = argv.length ? cmd.argv.find((x) => x.value.startsWith(`${name}=`)) : undefined;
      if (w) hits.push({ start: w.start, end: w.end, what: `${name}=${value}` });
    }
  }
  switch (inv.name) {
    case "curl":
      word(findShortFlag(argv, "k", ["--insecure"], CURL_ARG_LETTERS), "curl --insecure");
      word(argv.find((w) => w.literal && (w.value === "--proxy-insecure" || w.value === "--doh-insecure")), "curl --proxy-insecure");
      break;
    case "wget":
      word(argv.find((w) => w.literal && w.value === "--no-check-certificate"), "wget --no-check-certificate");
      break;
    case "npm":
    case "yarn":
    case "pnpm": {
      const i = argv.findIndex((w) => w.literal && /^(?:strict-ssl|strictssl|enableStrictSsl)(?:=.*)?$/i.test(w.value));
      if (i > 0) {
        const v = argv[i].value.includes("=") ? argv[i].value.split("=")[1] : argv[i + 1]?.value;
        if (v !== undefined && FALSE.test(v)) word(argv[i], `${inv.name} config strict-ssl false`);
      }
      word(argv.find((w) => w.literal && (/^--strict-ssl=(?:false|0)$/i.test(w.value) || w.value === "--no-strict-ssl")), `${inv.name} --strict-ssl=false`);
      break;
    }
    case "git": {
      for (const v of optionValues(argv, ["-c"])) {
        const m = /^http\.(?:.*\.)?sslverify=(.*)$/i.exec(v);
        if (m && FALSE.test(m[1])) word(argv.find((w) => w.value === v), "git -c http.sslVerify=false");
      }
      const cfg = argv.findIndex((w) => w.literal && w.value === "config");
      if (cfg > 0) {
        const key = argv.findIndex((w, i) => i > cfg && w.literal && /^http\.(?:.*\.)?sslverify$/i.test(w.value));
        if (key > 0 && argv[key + 1] && FALSE.test(argv[key + 1].value)) word(argv[key], "git config http.sslVerify false");
      }
      break;
    }
    case "apt-get":
    case "apt":
      for (const v of optionValues(argv, ["-o", "--option"])) {
        if (/Verify-(?:Peer|Host)\s*=\s*(?:false|0|no)\b/i.test(v)) word(argv.find((w) => w.value === v || w.value === `-o${v}`), `apt -o ${v}`);
      }
      break;
    default:
      if (/^(?:yum|dnf|tdnf|microdnf|yum-config-manager|dnf-3)$/.test(inv.name)) {
        word(argv.find((w) => w.literal && /(?:^|[.=])sslverify\s*=\s*(?:0|false|no|off)\b/i.test(w.value)), `${inv.name} sslverify=false`);
      }
  }
  const pip = pipCommand(cmd);
  if (pip) {
    word(pip.inv.argv.find((w) => w.literal && (w.value === "--trusted-host" || w.value.startsWith("--trusted-host="))), "pip --trusted-host");
    if (pip.sub === "config") word(pip.inv.argv.find((w) => w.literal && /\.trusted-host$/.test(w.value)), "pip config trusted-host");
  }
  return hits;
}

const tlsOff: RuleCheck = {
  id: "DOCKER-010",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const stage of d.stages) {
      for (const instr of stage.instructions) {
        if (instr.keyword !== "ENV" && instr.keyword !== "ARG") continue;
        for (const p of properties(d, instr)) {
          if (!tlsVar(p.name, p.value)) continue;
          report({
            start: p.start,
            end: p.end,
            stage: stage.index,
            key: p.name,
            message: `${where(d, stage, instr)} sets ${p.name}=${p.value}, which turns off TLS certificate verification${instr.keyword === "ENV" ? " for every process in the image" : " for the build"}: any machine in the path can impersonate the server. Remove it; if a private CA is needed, add its certificate to the trust store (update-ca-certificates, NODE_EXTRA_CA_CERTS, PIP_CERT).`,
          });
        }
      }
    }
    for (const run of runs(d, /curl|wget|trusted-host|strict-?ssl|sslverify|verify-(?:peer|host)|TLS_REJECT|HTTPSVERIFY|SSL_NO_VERIFY|GOINSECURE/i)) {
      for (const cmd of run.script().commands) {
        for (const h of tlsHits(cmd)) {
          report({
            start: h.start,
            end: h.end,
            stage: run.stage.index,
            key: h.what,
            identity: identity(cmd),
            message: `${where(d, run.stage, run.instr)} turns off TLS certificate verification (${h.what}): any machine in the path can send you other content. Remove it; for a private CA, install its certificate (update-ca-certificates) or point the tool at it (--cacert, PIP_CERT, NODE_EXTRA_CA_CERTS).`,
          });
        }
      }
    }
  },
};

// --- DOCKER-021 ----------------------------------------------------------------------------

const sudo: RuleCheck = {
  id: "DOCKER-021",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const run of runs(d, /\bsudo\b/)) {
      for (const cmd of run.script().commands) {
        const w = cmd.name === "sudo" ? cmd.argv[0] : invocation(cmd).via.includes("sudo") ? cmd.argv.find((x) => x.literal && /(?:^|\/)sudo$/.test(x.value)) : undefined;
        if (!w) continue;
        report({
          start: w.start,
          end: w.end,
          stage: run.stage.index,
          identity: identity(cmd),
          message: `${where(d, run.stage, run.instr)} uses sudo: it needs sudo installed and configured in the image (a privilege-escalation path at run time) and behaves unpredictably without a TTY. Switch with USER root before the RUN and back to the unprivileged USER after it.`,
        });
      }
    }
  },
};

// --- DOCKER-026 ----------------------------------------------------------------------------

const passwords: RuleCheck = {
  id: "DOCKER-026",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const run of runs(d, /passwd|usermod|useradd|--password|\s-p\b/)) {
      for (const cmd of run.script().commands) {
        const inv = invocation(cmd);
        let what: string | undefined;
        if (inv.name === "chpasswd") what = "chpasswd";
        else if (inv.name === "passwd" && (inv.argv.some((w) => w.value === "--stdin") || (cmd.pipeline && (cmd.pipeIndex ?? 0) > 0))) what = "passwd reading from a pipe";
        else if (inv.name === "usermod" || inv.name === "useradd") {
          const pw = optionValues(inv.argv, ["-p", "--password"]);
          if (pw.some((v) => v !== "" && v !== "*" && v !== "!" && v !== "!!")) what = `${inv.name} --password`;
        }
        if (!what || !inv.argv[0]) continue;
        report({
          start: inv.argv[0].start,
          end: inv.argv[0].end,
          stage: run.stage.index,
          key: what,
          identity: identity(cmd),
          message: `${where(d, run.stage, run.instr)} sets a password during the build (${what}): the password (or its hash) ends up in /etc/shadow and the build history of the image, readable by anyone who can pull it. Do not set passwords in images; use key-based or external authentication and provide secrets at run time.`,
        });
      }
    }
  },
};

// --- DOCKER-027 ----------------------------------------------------------------------------

const pipefail: RuleCheck = {
  id: "DOCKER-027",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const run of runs(d, /\|/)) {
      const script = run.script();
      if (script.parser === "fallback" && script.error === "not a POSIX shell") continue;
      if (script.form === "exec" && !script.execShell) continue;
      const pipe = script.pipelines.find((p) => {
        if (p.context === "cmdsubst" || p.context === "procsubst") return false;
        if (p.scriptId === 0) {
          const shell = script.form === "exec" ? script.execShell ?? [] : shellAt(d, run.stage, run.instr);
          if (setsPipefail(["", ...shell.slice(1)])) return false;
        } else {
          const parent = script.commands.find((c) => c.scriptId === p.scriptId)?.parent;
          if (parent && setsPipefail(invocation(parent).argv.map((w) => w.value))) return false;
        }
        return !script.commands.some((c) => c.scriptId === p.scriptId && c.context !== "cmdsubst" && c.context !== "procsubst" && c.start < p.start && invocation(c).name === "set" && setsPipefail(invocation(c).argv.map((w) => w.value)));
      });
      if (!pipe) continue;
      // The last command's name: other rules' fixes edit the commands, not this word.
      const last = pipe.commands[pipe.commands.length - 1];
      const span = last.argv[0] ?? last;
      report({
        start: span.start,
        end: span.end,
        stage: run.stage.index,
        identity: identity(...pipe.commands),
        message: `${where(d, run.stage, run.instr)} pipes commands without pipefail: the RUN succeeds even when a command before the last one fails (a failed download piped into tar or sh goes unnoticed). Add SHELL ["/bin/bash", "-o", "pipefail", "-c"] before it (bash must exist in the image), or start the RUN with set -o pipefail &&.`,
      });
    }
  },
};

// --- DOCKER-029D ---------------------------------------------------------------------------

const useraddLog: RuleCheck = {
  id: "DOCKER-029D",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const run of runs(d, /\buseradd\b/)) {
      for (const cmd of run.script().commands) {
        const inv = invocation(cmd);
        if (inv.name !== "useradd") continue;
        const uid = optionValues(inv.argv, ["-u", "--uid"]).find((v) => /^\d+$/.test(v));
        if (!uid || uid.length <= 5) continue;
        if (hasShortFlag(inv.argv, "l", ["--no-log-init"], "bcdefgGkKpPRsuZ")) continue;
        report({
          start: inv.argv[0].start,
          end: inv.argv[0].end,
          stage: run.stage.index,
          identity: identity(cmd),
          message: `${where(d, run.stage, run.instr)}: useradd with the high UID ${uid} and without -l writes a sparse /var/log/lastlog and faillog sized for that UID, which the layer stores in full (easily gigabytes). Add -l (--no-log-init).`,
          ...(cmd.editable ? { fix: { description: "Add -l (--no-log-init)", edits: [insertAfter(inv.argv[0].end, "-l")] } } : {}),
        });
      }
    }
  },
};

export const RUN_DOCKER_CHECKS: RuleCheck[] = [pipedScript, tlsOff, sudo, passwords, pipefail, useraddLog];
