// Package managers in RUN: DOCKER-011 … 020. Size rules (012, 013, 017, 018, 020) only look at
// the stages that end up in the final image; correctness rules look at every stage.
import type { RuleCheck } from "../../core/engine/check.js";
import type { DockerfileModel, DockerInstruction } from "../../core/parse/dockerfile.js";
import type { ShellCommand, ShellWord } from "../../core/parse/shell.js";
import { appendCommandEdit } from "../../core/parse/shell.js";
import {
  configuredBefore,
  descendants,
  identity,
  insertAfter,
  lineOf,
  mountCovers,
  reporter,
  runs,
  runsAsRoot,
  shippedStages,
  variablesAt,
  where,
} from "./context.js";
import type { RunRef, TextEdit } from "./context.js";
import {
  fillsCache,
  hasShortFlag,
  hasWord,
  invocation,
  isAptInstall,
  isInstall,
  operands,
  optionValues,
  PIP_ARG_OPTIONS,
  pipCommand,
  pmCommand,
} from "./commands.js";
import type { PackageManager, PmCommand } from "./commands.js";

const APT = /\bapt(?:-get)?\b/;

/** `apt-get install` … `install`: the span a flag is inserted after (so the span text stays the same). */
function head(pm: { inv: { argv: ShellWord[] }; subWord: ShellWord }): { start: number; end: number } {
  return { start: pm.inv.argv[0].start, end: pm.subWord.end };
}

function pmCommands(run: RunRef): { cmd: ShellCommand; pm: PmCommand }[] {
  const out: { cmd: ShellCommand; pm: PmCommand }[] = [];
  for (const cmd of run.script().commands) {
    const pm = pmCommand(cmd);
    if (pm) out.push({ cmd, pm });
  }
  return out;
}

// --- DOCKER-011 ----------------------------------------------------------------------------

const SIG_WORDS: Record<string, readonly string[]> = {
  "apt-get": ["--allow-unauthenticated", "--force-yes", "--allow-insecure-repositories"],
  apt: ["--allow-unauthenticated", "--force-yes", "--allow-insecure-repositories"],
  aptitude: ["--allow-untrusted"],
  apk: ["--allow-untrusted"],
  yum: ["--nogpgcheck"],
  dnf: ["--nogpgcheck", "--no-gpgchecks"],
  tdnf: ["--nogpgcheck"],
  microdnf: ["--nogpgcheck"],
  "yum-config-manager": [],
  "dnf-3": ["--nogpgcheck"],
  rpm: ["--nosignature", "--nodigest", "--nofiledigest", "--noverify"],
  zypper: ["--no-gpg-checks"],
};

const signatures: RuleCheck = {
  id: "DOCKER-011",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const run of runs(d, /allow-unauthenticated|force-yes|allow-insecure|AllowUnauthenticated|AllowInsecure|allow-untrusted|gpgcheck|no-gpg-checks|nosignature|nodigest|noverify|nofiledigest|trusted=yes/i)) {
      for (const cmd of run.script().commands) {
        const inv = invocation(cmd);
        const hits: { word: ShellWord; what: string }[] = [];
        for (const w of inv.argv) {
          if (!w.literal) continue;
          if ((SIG_WORDS[inv.name] ?? []).includes(w.value)) hits.push({ word: w, what: `${inv.name} ${w.value}` });
          else if (/^(?:apt-get|apt)$/.test(inv.name) && /(?:AllowUnauthenticated|AllowInsecureRepositories|AllowDowngradeToInsecureRepositories)\s*=\s*(?:true|yes|1)/i.test(w.value)) hits.push({ word: w, what: `${inv.name} -o ${w.value}` });
          else if (/^(?:yum|dnf|tdnf|microdnf|yum-config-manager|dnf-3)$/.test(inv.name) && /(?:^|[.=])(?:local)?(?:pkg_|repo_)?gpgcheck\s*=\s*(?:0|false|no|off)\b/i.test(w.value)) hits.push({ word: w, what: `${inv.name} ${w.value}` });
          else if (/\[[^\]]*\btrusted=yes\b[^\]]*\]/.test(w.value)) hits.push({ word: w, what: "an APT source marked [trusted=yes]" });
        }
        for (const h of hits) {
          report({
            start: h.word.start,
            end: h.word.end,
            stage: run.stage.index,
            key: h.what,
            identity: identity(cmd),
            message: `${where(d, run.stage, run.instr)} turns off package signature checks (${h.what}): a tampered or spoofed package is installed without complaint. Remove it and import the repository's signing key instead.`,
          });
        }
      }
    }
  },
};

// --- DOCKER-012 ----------------------------------------------------------------------------

const noRecommends: RuleCheck = {
  id: "DOCKER-012",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const run of runs(d, APT, shippedStages(d))) {
      if (configuredBefore(d, run.stage, run.instr, /Install-Recommends\W+(?:false|0)\b/i, "/etc/apt/apt.conf.d")) continue;
      for (const { cmd, pm } of pmCommands(run)) {
        if (!isAptInstall(pm)) continue;
        const argv = pm.inv.argv;
        if (hasWord(argv, "--no-install-recommends")) continue;
        if (optionValues(argv, ["-o", "--option"]).some((v) => /Install-Recommends\s*=\s*(?:false|0|no)\b/i.test(v))) continue;
        const span = head(pm);
        report({
          ...span,
          stage: run.stage.index,
          identity: identity(cmd),
          message: `${where(d, run.stage, run.instr)}: ${pm.pm} install without --no-install-recommends also installs every recommended package, which the image rarely needs. Add --no-install-recommends and name what you need explicitly.`,
          ...(cmd.editable ? { fix: { description: "Add --no-install-recommends", edits: [insertAfter(pm.subWord.end, "--no-install-recommends")] } } : {}),
        });
      }
    }
  },
};

// --- DOCKER-013 ----------------------------------------------------------------------------

function aptListsRemoved(commands: readonly ShellCommand[]): boolean {
  return commands.some((c) => {
    const inv = invocation(c);
    return inv.name === "rm" && inv.argv.some((w) => w.literal && /^\/var\/lib\/apt\/lists(?:\/|$)/.test(w.value));
  });
}

/** A later RUN installs with apt without its own `apt-get update`: it needs the lists we would delete. */
function laterReliesOnAptLists(d: DockerfileModel, run: RunRef): boolean {
  for (const stage of descendants(d, run.stage)) {
    const after = stage === run.stage ? stage.instructions.slice(stage.instructions.indexOf(run.instr) + 1) : stage.instructions;
    for (const later of runs(d, APT, [stage])) {
      if (!after.includes(later.instr)) continue;
      const pms = pmCommands(later).map((x) => x.pm);
      if (pms.some(isAptInstall) && !pms.some((p) => (p.pm === "apt-get" || p.pm === "apt") && p.sub === "update")) return true;
    }
  }
  return false;
}

const aptLists: RuleCheck = {
  id: "DOCKER-013",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const run of runs(d, APT, shippedStages(d))) {
      const script = run.script();
      const install = pmCommands(run).find((x) => isAptInstall(x.pm));
      if (!install) continue;
      if (mountCovers(run.instr, "/var/lib/apt/lists") || aptListsRemoved(script.commands)) continue;
      const edit = runsAsRoot(d, run.stage, run.instr) && !laterReliesOnAptLists(d, run) ? appendCommandEdit(script, "rm -rf /var/lib/apt/lists/*") : undefined;
      report({
        ...head(install.pm),
        stage: run.stage.index,
        identity: identity(install.cmd),
        message: `${where(d, run.stage, run.instr)} installs packages with ${install.pm.pm} but leaves the package lists (/var/lib/apt/lists) in the layer. End the same RUN with && rm -rf /var/lib/apt/lists/* (or use a cache mount for /var/lib/apt).`,
        ...(edit ? { fix: { description: "Remove /var/lib/apt/lists/* in the same RUN", edits: [edit] } } : {}),
      });
    }
  },
};

// --- DOCKER-014 ----------------------------------------------------------------------------

type Family = "apt" | "apk" | "zypper" | "rpm";

function familyOf(pm: PackageManager): Family {
  if (pm === "apt-get" || pm === "apt") return "apt";
  if (pm === "apk" || pm === "zypper") return pm;
  return "rpm";
}

function isIndexRefresh(pm: PmCommand): boolean {
  switch (familyOf(pm.pm)) {
    case "apt":
    case "apk":
      return pm.sub === "update";
    case "zypper":
      return pm.sub === "refresh" || pm.sub === "ref";
    case "rpm":
      return pm.sub === "makecache" || pm.sub === "check-update";
  }
}

const staleIndex: RuleCheck = {
  id: "DOCKER-014",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const run of runs(d, /update|refresh|\bref\b|makecache/)) {
      const top = run.script().commands.filter((c) => c.depth === 0);
      if (top.length === 0) continue;
      let family: Family | undefined;
      let first: { cmd: ShellCommand; pm: PmCommand } | undefined;
      let alone = true;
      for (const c of top) {
        const inv = invocation(c);
        if (["set", "true", ":", "echo"].includes(inv.name)) continue;
        const pm = pmCommand(c);
        if (!pm || !isIndexRefresh(pm)) {
          alone = false;
          break;
        }
        family = familyOf(pm.pm);
        first ??= { cmd: c, pm };
      }
      if (!alone || !family || !first) continue;
      let installLine: number | undefined;
      for (const stage of descendants(d, run.stage)) {
        const after = stage === run.stage ? stage.instructions.slice(stage.instructions.indexOf(run.instr) + 1) : stage.instructions;
        for (const later of runs(d, undefined, [stage])) {
          if (installLine !== undefined || !after.includes(later.instr)) continue;
          const uses = pmCommands(later).some(({ pm }) => familyOf(pm.pm) === family && isInstall(pm) && !(pm.pm === "apk" && hasWord(pm.inv.argv, "--no-cache")));
          if (uses) installLine = lineOf(d, later.instr.start);
        }
      }
      if (installLine === undefined) continue;
      report({
        ...head(first.pm),
        stage: run.stage.index,
        identity: identity(first.cmd),
        message: `${where(d, run.stage, run.instr)} only refreshes the package index; the install on line ${installLine} is a separate RUN, so a cached layer can serve a stale index (old package versions, or 404s). Refresh and install in one RUN, e.g. \`apt-get update && apt-get install -y …\`.`,
      });
    }
  },
};

// --- DOCKER-015 ----------------------------------------------------------------------------

const PROMPTING: Partial<Record<PackageManager, ReadonlySet<string>>> = {
  "apt-get": new Set(["install", "upgrade", "dist-upgrade", "full-upgrade", "reinstall"]),
  apt: new Set(["install", "upgrade", "dist-upgrade", "full-upgrade", "reinstall"]),
  yum: new Set(["install", "groupinstall", "localinstall", "reinstall", "update", "upgrade", "remove", "erase", "downgrade", "distro-sync"]),
  dnf: new Set(["install", "groupinstall", "localinstall", "reinstall", "update", "upgrade", "remove", "erase", "downgrade", "distro-sync"]),
  tdnf: new Set(["install", "reinstall", "update", "upgrade", "remove", "erase", "downgrade", "distro-sync"]),
  zypper: new Set(["install", "in", "remove", "rm", "update", "up", "patch", "dist-upgrade", "dup", "source-install", "si"]),
};

function nonInteractive(d: DockerfileModel, run: RunRef, pm: PmCommand): boolean {
  const argv = pm.inv.argv;
  switch (pm.pm) {
    case "apt-get":
    case "apt":
      return (
        hasShortFlag(argv, "y", ["--yes", "--assume-yes"], "octa") ||
        argv.some((w) => w.literal && (/^-q*qq$/.test(w.value) || w.value === "-q=2" || w.value === "--quiet=2")) ||
        optionValues(argv, ["-o", "--option"]).some((v) => /Assume-Yes\s*=\s*(?:true|1|yes)/i.test(v)) ||
        configuredBefore(d, run.stage, run.instr, /Assume-Yes\W+(?:true|1)\b/i)
      );
    case "zypper":
      return hasShortFlag(argv.slice(0, pm.subIndex), "n", ["--non-interactive"]) || hasShortFlag(argv.slice(pm.subIndex), "y", ["--no-confirm"]);
    default:
      return hasShortFlag(argv, "y", ["--assumeyes"], "cedxR") || configuredBefore(d, run.stage, run.instr, /assumeyes\s*=\s*(?:1|true|yes)/i);
  }
}

const assumeYes: RuleCheck = {
  id: "DOCKER-015",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const run of runs(d, /\b(?:apt|apt-get|yum|dnf|tdnf|zypper)\b/)) {
      for (const { cmd, pm } of pmCommands(run)) {
        if (!PROMPTING[pm.pm]?.has(pm.sub) || nonInteractive(d, run, pm)) continue;
        report({
          ...head(pm),
          stage: run.stage.index,
          identity: identity(cmd),
          message: `${where(d, run.stage, run.instr)}: ${pm.pm} ${pm.sub} without -y asks for confirmation, which a build cannot give (the build aborts as soon as the question comes up). Add -y.`,
          ...(cmd.editable ? { fix: { description: "Add -y", edits: [insertAfter(pm.subWord.end, "-y")] } } : {}),
        });
      }
    }
  },
};

// --- DOCKER-016 ----------------------------------------------------------------------------

function unpinned(cmd: ShellCommand): { tool: string; names: string[]; span: { start: number; end: number } } | undefined {
  const pm = pmCommand(cmd);
  const literal = (ws: ShellWord[]) => ws.filter((w) => w.literal).map((w) => w.value);
  if (pm && isInstall(pm)) {
    const pkgs = literal(pm.packages).filter((p) => !p.includes("/") && !/\.(?:deb|rpm|apk)$/.test(p));
    let bad: string[];
    if (pm.pm === "apk") {
      const virt = new Set(optionValues(pm.inv.argv, ["-t", "--virtual"]));
      bad = pkgs.filter((p) => !virt.has(p) && !/[=~<>]/.test(p));
    } else if (familyOf(pm.pm) === "rpm") bad = pkgs.filter((p) => !/-\d/.test(p) && !/[=<>]/.test(p) && !p.startsWith("@"));
    else bad = pkgs.filter((p) => !/[=<>]/.test(p));
    return bad.length ? { tool: pm.pm, names: bad, span: head(pm) } : undefined;
  }
  const pip = pipCommand(cmd);
  if (pip && pip.sub === "install") {
    const pkgs = literal(operands(pip.inv.argv, pip.subIndex + 1, PIP_ARG_OPTIONS)).filter((p) => !/^[.~/]|:\/\/|^git\+|\.(?:whl|tar\.gz|zip)$/.test(p));
    const bad = pkgs.filter((p) => !/===?|@/.test(p));
    return bad.length ? { tool: "pip", names: bad, span: { start: pip.head.start, end: pip.subWord.end } } : undefined;
  }
  const inv = invocation(cmd);
  const sub = inv.argv[1]?.value;
  if ((inv.name === "npm" && (sub === "install" || sub === "i" || sub === "add")) || ((inv.name === "yarn" || inv.name === "pnpm") && sub === "add")) {
    const pkgs = literal(operands(inv.argv, 2, new Set(["--prefix", "--registry", "--tag", "-w", "--workspace"]))).filter((p) => !/^[.~/]|:\/\/|^git|^github:|\.tgz$/.test(p));
    const bad = pkgs.filter((p) => {
      const at = p.lastIndexOf("@");
      return at <= 0 || /@(?:latest|next|\*)$/.test(p);
    });
    return bad.length ? { tool: inv.name, names: bad, span: { start: inv.argv[0].start, end: inv.argv[1].end } } : undefined;
  }
  if (inv.name === "gem" && sub === "install") {
    if (hasWord(inv.argv, "-v", "--version") || inv.argv.some((w) => w.value.startsWith("--version="))) return undefined;
    const bad = literal(operands(inv.argv, 2, new Set(["-v", "--version", "-i", "--install-dir", "-n", "--bindir", "--source"]))).filter((p) => !p.includes(":") && !p.endsWith(".gem"));
    return bad.length ? { tool: "gem", names: bad, span: { start: inv.argv[0].start, end: inv.argv[1].end } } : undefined;
  }
  if (inv.name === "go" && sub === "install") {
    const bad = literal(operands(inv.argv, 2, new Set(["-o", "-tags", "-ldflags", "-gcflags", "-p"]))).filter((p) => !p.startsWith(".") && (!p.includes("@") || p.endsWith("@latest")));
    return bad.length ? { tool: "go", names: bad, span: { start: inv.argv[0].start, end: inv.argv[1].end } } : undefined;
  }
  return undefined;
}

const unpinnedPackages: RuleCheck = {
  id: "DOCKER-016",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const run of runs(d, /\b(?:apt|apt-get|apk|yum|dnf|tdnf|microdnf|zypper|pip\d*(?:\.\d+)?|python\d*(?:\.\d+)?|npm|yarn|pnpm|gem|go)\b/)) {
      for (const cmd of run.script().commands) {
        const u = unpinned(cmd);
        if (!u) continue;
        const list = u.names.length > 5 ? `${u.names.slice(0, 5).join(", ")} and ${u.names.length - 5} more` : u.names.join(", ");
        report({
          ...u.span,
          stage: run.stage.index,
          key: u.tool,
          identity: identity(cmd),
          message: `${where(d, run.stage, run.instr)} installs ${u.tool} packages without a version (${list}): rebuilds get whatever is newest. Pin versions (${u.tool === "pip" ? "pkg==1.2.3" : u.tool === "npm" || u.tool === "yarn" || u.tool === "pnpm" || u.tool === "go" ? "pkg@1.2.3" : u.tool === "gem" ? "pkg:1.2.3" : u.tool === "yum" || u.tool === "dnf" || u.tool === "tdnf" || u.tool === "microdnf" ? "pkg-1.2.3" : "pkg=1.2.3"}) or a lock/constraints file.`,
        });
      }
    }
  },
};

// --- DOCKER-017 ----------------------------------------------------------------------------

/** `&& rm -rf /var/cache/apk/*` at the very end of the script, joined by `&&` only: safe to drop. */
function trailingApkCacheRm(d: DockerfileModel, run: RunRef): TextEdit | undefined {
  const cmds = run.script().commands.filter((c) => c.depth === 0);
  const last = cmds[cmds.length - 1];
  const prev = cmds[cmds.length - 2];
  if (!last || !prev) return undefined;
  const inv = invocation(last);
  if (inv.name !== "rm" || inv.via.length > 0 || last.assigns.length > 0) return undefined;
  const args = inv.argv.slice(1);
  if (!args.every((w) => w.literal && (/^-[rRf]+$/.test(w.value) || /^\/var\/cache\/apk(?:\/\*?)?$/.test(w.value)))) return undefined;
  if (!args.some((w) => w.value.startsWith("/"))) return undefined;
  const gap = d.text.slice(prev.end, last.start);
  const tail = d.text.slice(last.end, run.instr.end);
  if (!/^[ \t]*(?:\\\r?\n[ \t]*)?&&[ \t]*(?:\\\r?\n[ \t]*)?$/.test(gap) || tail.trim() !== "") return undefined;
  return { start: prev.end, end: last.end, newText: "" };
}

const apkNoCache: RuleCheck = {
  id: "DOCKER-017",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const run of runs(d, /\bapk\b/, shippedStages(d))) {
      if (mountCovers(run.instr, "/var/cache/apk") || mountCovers(run.instr, "/etc/apk/cache")) continue;
      const apks = pmCommands(run).filter((x) => x.pm.pm === "apk");
      const adds = apks.filter((x) => x.pm.sub === "add");
      for (const { cmd, pm } of adds) {
        if (hasWord(pm.inv.argv, "--no-cache")) continue;
        const edits: TextEdit[] = [];
        if (cmd.editable && run.script().parser !== "fallback") {
          edits.push(insertAfter(pm.subWord.end, "--no-cache"));
          // --update(-cache) only refreshes the cache that --no-cache no longer keeps.
          pm.inv.argv.forEach((w, i) => {
            if (i > 0 && w.literal && (w.value === "--update" || w.value === "-U" || w.value === "--update-cache")) edits.push({ start: pm.inv.argv[i - 1].end, end: w.end, newText: "" });
          });
          if (adds.length === 1 && apks.length === 1) {
            const rm = trailingApkCacheRm(d, run);
            if (rm) edits.push(rm);
          }
        }
        report({
          ...head(pm),
          stage: run.stage.index,
          identity: identity(cmd),
          message: `${where(d, run.stage, run.instr)}: apk add without --no-cache leaves the package index in /var/cache/apk in the layer. Use apk add --no-cache (it needs no apk update or cache cleanup).`,
          ...(edits.length ? { fix: { description: "Use apk add --no-cache", edits } } : {}),
        });
      }
    }
  },
};

// --- DOCKER-018 ----------------------------------------------------------------------------

const CACHE_DIRS: Record<string, readonly string[]> = {
  yum: ["/var/cache/yum", "/var/cache/dnf"],
  dnf: ["/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5"],
  microdnf: ["/var/cache/yum", "/var/cache/dnf"],
  tdnf: ["/var/cache/tdnf"],
  zypper: ["/var/cache/zypp"],
};

function cleaned(pm: PackageManager, commands: readonly ShellCommand[]): boolean {
  return commands.some((c) => {
    const p = pmCommand(c);
    if (p && (p.sub === "clean" || (pm === "zypper" && p.sub === "cc"))) {
      if (pm === "zypper") return p.pm === "zypper";
      if (pm === "microdnf" || pm === "tdnf") return p.pm === pm;
      return (p.pm === "yum" || p.pm === "dnf") && hasWord(p.inv.argv, "all");
    }
    const inv = invocation(c);
    return inv.name === "rm" && inv.argv.some((w) => w.literal && CACHE_DIRS[pm].some((dir) => w.value === dir || w.value.startsWith(`${dir}/`)));
  });
}

const rpmCache: RuleCheck = {
  id: "DOCKER-018",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const run of runs(d, /\b(?:yum|dnf|microdnf|tdnf|zypper)\b/, shippedStages(d))) {
      const script = run.script();
      const done = new Set<string>();
      for (const { cmd, pm } of pmCommands(run)) {
        if (!(pm.pm in CACHE_DIRS) || done.has(pm.pm) || !fillsCache(pm)) continue;
        done.add(pm.pm);
        if (CACHE_DIRS[pm.pm].some((dir) => mountCovers(run.instr, dir)) || cleaned(pm.pm, script.commands)) continue;
        const clean = pm.pm === "zypper" ? "zypper clean --all" : `${pm.pm} clean all`;
        const edit = runsAsRoot(d, run.stage, run.instr) ? appendCommandEdit(script, clean) : undefined;
        report({
          ...head(pm),
          stage: run.stage.index,
          key: pm.pm,
          identity: identity(cmd),
          message: `${where(d, run.stage, run.instr)}: ${pm.pm} ${pm.sub} leaves its package and metadata cache in the layer. End the same RUN with && ${clean}.`,
          ...(edit ? { fix: { description: `Append ${clean}`, edits: [edit] } } : {}),
        });
      }
    }
  },
};

// --- DOCKER-019 ----------------------------------------------------------------------------

const aptCli: RuleCheck = {
  id: "DOCKER-019",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const run of runs(d, /\b(?:apt|apt-get|zypper)\b/)) {
      for (const cmd of run.script().commands) {
        const pm = pmCommand(cmd);
        const inv = pm?.inv ?? invocation(cmd);
        if (inv.name === "apt") {
          report({
            start: inv.argv[0].start,
            end: inv.argv[0].end,
            stage: run.stage.index,
            key: "apt",
            identity: identity(cmd),
            message: `${where(d, run.stage, run.instr)} uses apt, whose command line is meant for people and may change between releases (it warns so itself). Use apt-get (or apt-cache) in scripts.`,
          });
        }
        if (pm && ((familyOf(pm.pm) === "apt" && (pm.sub === "dist-upgrade" || pm.sub === "full-upgrade")) || (pm.pm === "zypper" && (pm.sub === "dist-upgrade" || pm.sub === "dup")))) {
          report({
            ...head(pm),
            stage: run.stage.index,
            key: "dist-upgrade",
            identity: identity(cmd),
            message: `${where(d, run.stage, run.instr)} runs ${pm.pm} ${pm.sub}, which may move the image to another distribution release behind the base image's back. Update the base image instead (or use upgrade for security fixes).`,
          });
        }
      }
    }
  },
};

// --- DOCKER-020 ----------------------------------------------------------------------------

function pipCacheOff(d: DockerfileModel, run: RunRef, instr: DockerInstruction, env: Map<string, string>, commands: readonly ShellCommand[]): boolean {
  const off = (v: string | undefined) => v !== undefined && v !== "" && v !== "0";
  if (off(env.get("PIP_NO_CACHE_DIR")) || off(variablesAt(d, run.stage, instr).get("PIP_NO_CACHE_DIR"))) return true;
  if (commands.some((c) => c.assigns.some((a) => a.name === "PIP_NO_CACHE_DIR" && off(a.value?.value)))) return true;
  return mountCovers(instr, "/root/.cache/pip") || instr.flags.some((f) => f.name === "mount" && /type=cache/.test(f.value ?? "") && /\.cache(?:\/pip)?\b/.test(f.value ?? ""));
}

const pipNoCache: RuleCheck = {
  id: "DOCKER-020",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const run of runs(d, /\bpip|\bpython/, shippedStages(d))) {
      const commands = run.script().commands;
      for (const cmd of commands) {
        const pip = pipCommand(cmd);
        if (!pip || pip.sub !== "install" || hasWord(pip.inv.argv, "--no-cache-dir")) continue;
        if (pipCacheOff(d, run, run.instr, pip.inv.env, commands)) continue;
        report({
          start: pip.head.start,
          end: pip.subWord.end,
          stage: run.stage.index,
          identity: identity(cmd),
          message: `${where(d, run.stage, run.instr)}: pip install without --no-cache-dir keeps downloaded wheels in ~/.cache/pip in the layer. Add --no-cache-dir (or set ENV PIP_NO_CACHE_DIR=1, or use a cache mount).`,
          ...(cmd.editable ? { fix: { description: "Add --no-cache-dir", edits: [insertAfter(pip.subWord.end, "--no-cache-dir")] } } : {}),
        });
      }
    }
  },
};

export const PACKAGE_DOCKER_CHECKS: RuleCheck[] = [signatures, noRecommends, aptLists, staleIndex, assumeYes, unpinnedPackages, apkNoCache, rpmCache, aptCli, pipNoCache];
