// What shell commands mean: wrappers (sudo, env, xargs …) are looked through, package-manager
// sub-commands are found past their global options, and short-option clusters (`-fsSLk`) are
// read the way the tool reads them.
import type { ShellCommand, ShellWord } from "../../core/parse/shell.js";
import { SHELL_NAMES } from "../../core/parse/shell.js";

export interface Invocation {
  cmd: ShellCommand;
  /** argv of the program that really runs (wrappers removed); [0] is the program. */
  argv: ShellWord[];
  name: string;
  /** Wrappers looked through, outermost first (`sudo`, `env`). */
  via: string[];
  /** Variables set for the program (`VAR=x cmd`, `env VAR=x cmd`). */
  env: Map<string, string>;
}

const WRAPPER_ARG_OPTIONS: Record<string, ReadonlySet<string>> = {
  sudo: new Set(["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "-R"]),
  doas: new Set(["-u", "-C"]),
  env: new Set(["-u", "-C", "--unset", "--chdir"]),
  nice: new Set(["-n", "--adjustment"]),
  nohup: new Set(),
  time: new Set(["-f", "-o"]),
  exec: new Set(["-a"]),
  command: new Set(),
  stdbuf: new Set(["-i", "-o", "-e"]),
  timeout: new Set(["-s", "-k", "--signal", "--kill-after"]),
  xargs: new Set(["-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-chars", "--max-lines"]),
};

export function baseName(s: string): string {
  const i = s.lastIndexOf("/");
  return i < 0 ? s : s.slice(i + 1);
}

/** Look through `sudo -E env FOO=1 xargs …` to the program that runs. */
export function invocation(cmd: ShellCommand): Invocation {
  const env = new Map<string, string>();
  for (const a of cmd.assigns) if (a.value?.literal) env.set(a.name, a.value.value);
  let argv = cmd.argv;
  const via: string[] = [];
  for (let guard = 0; guard < 8 && argv.length > 0 && argv[0].literal; guard++) {
    const name = baseName(argv[0].value);
    const argOpts = WRAPPER_ARG_OPTIONS[name];
    if (!argOpts) break;
    if (name === "command" && argv.some((w) => w.value === "-v" || w.value === "-V")) break;
    let i = 1;
    while (i < argv.length && argv[i].literal) {
      const v = argv[i].value;
      if (v === "--") {
        i++;
        break;
      }
      if (name === "env" && /^[A-Za-z_][A-Za-z0-9_]*=/.test(v)) {
        env.set(v.slice(0, v.indexOf("=")), v.slice(v.indexOf("=") + 1));
        i++;
        continue;
      }
      if (!v.startsWith("-") || v === "-") break;
      if (name === "nice" && /^-\d+$/.test(v)) {
        i++;
        continue;
      }
      i += argOpts.has(v) ? 2 : 1;
    }
    // timeout takes a DURATION before the command.
    if (name === "timeout" && i < argv.length) i++;
    via.push(name);
    argv = argv.slice(i);
  }
  return { cmd, argv, name: argv[0]?.literal ? baseName(argv[0].value) : "", via, env };
}

/** Index of the first operand at or after `from`, skipping options (and the values of `withArg` options). */
export function operandIndex(argv: readonly ShellWord[], from: number, withArg: ReadonlySet<string>): number {
  for (let i = from; i < argv.length; i++) {
    const w = argv[i];
    if (!w.literal) return i;
    const v = w.value;
    if (v === "--") return i + 1 < argv.length ? i + 1 : -1;
    if (v.startsWith("-") && v !== "-") {
      if (withArg.has(v)) i++;
      continue;
    }
    return i;
  }
  return -1;
}

/** Operands (non-options) from `from` on, skipping the values of `withArg` options. */
export function operands(argv: readonly ShellWord[], from: number, withArg: ReadonlySet<string>): ShellWord[] {
  const out: ShellWord[] = [];
  let afterDashes = false;
  for (let i = from; i < argv.length; i++) {
    const w = argv[i];
    if (!afterDashes && w.literal && w.value === "--") {
      afterDashes = true;
      continue;
    }
    if (!afterDashes && w.literal && w.value.startsWith("-") && w.value !== "-") {
      if (withArg.has(w.value)) i++;
      continue;
    }
    out.push(w);
  }
  return out;
}

export function hasWord(argv: readonly ShellWord[], ...values: string[]): boolean {
  return argv.some((w) => w.literal && values.includes(w.value));
}

/** `-y` alone, or inside a cluster of flag letters (`-qy`); `--long` forms are matched exactly. */
export function hasShortFlag(argv: readonly ShellWord[], letter: string, longForms: readonly string[] = [], argLetters = ""): boolean {
  return argv.some((w) => {
    if (!w.literal) return false;
    const v = w.value;
    if (longForms.some((l) => v === l || v.startsWith(`${l}=`))) return true;
    if (!/^-[A-Za-z0-9]+$/.test(v)) return false;
    for (const ch of v.slice(1)) {
      if (ch === letter) return true;
      // After a letter that takes a value, the rest of the cluster is that value.
      if (argLetters.includes(ch)) return false;
    }
    return false;
  });
}

/** The value of an option given as `-o VALUE`, `-oVALUE`, `--opt=VALUE` or `--opt VALUE` (all occurrences). */
export function optionValues(argv: readonly ShellWord[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i];
    if (!w.literal) continue;
    for (const n of names) {
      if (w.value === n && i + 1 < argv.length) out.push(argv[i + 1].value);
      else if (n.startsWith("--") && w.value.startsWith(`${n}=`)) out.push(w.value.slice(n.length + 1));
      else if (/^-[A-Za-z]$/.test(n) && w.value.startsWith(n) && w.value.length > 2) out.push(w.value.slice(2));
    }
  }
  return out;
}

// --- package managers -----------------------------------------------------------------

export type PackageManager = "apt-get" | "apt" | "apk" | "yum" | "dnf" | "microdnf" | "tdnf" | "zypper";

const PM_ARG_OPTIONS: Record<PackageManager, ReadonlySet<string>> = {
  "apt-get": new Set(["-o", "-c", "-t", "-a", "--option", "--config-file", "--target-release", "--default-release", "--host-architecture"]),
  apt: new Set(["-o", "-c", "-t", "-a", "--option", "--config-file", "--target-release", "--default-release", "--host-architecture"]),
  apk: new Set(["-X", "-p", "-t", "--repository", "--root", "--arch", "--cache-dir", "--keys-dir", "--repositories-file", "--virtual"]),
  yum: new Set(["-c", "-e", "-d", "-x", "-R", "--config", "--installroot", "--releasever", "--setopt", "--enablerepo", "--disablerepo", "--exclude", "--repo", "--repoid"]),
  dnf: new Set(["-c", "-e", "-d", "-x", "-R", "--config", "--installroot", "--releasever", "--setopt", "--enablerepo", "--disablerepo", "--exclude", "--repo", "--repoid"]),
  tdnf: new Set(["-c", "--config", "--installroot", "--releasever", "--setopt", "--enablerepo", "--disablerepo", "--exclude"]),
  microdnf: new Set(["--config", "--installroot", "--releasever", "--setopt", "--enablerepo", "--disablerepo"]),
  zypper: new Set(["-c", "-R", "-r", "-D", "-C", "--config", "--root", "--repo", "--reposd-path", "--cache-dir", "--raw-cache-dir", "--solv-cache-dir", "--pkg-cache-dir", "--from"]),
};

export const PACKAGE_MANAGERS: ReadonlySet<string> = new Set(Object.keys(PM_ARG_OPTIONS));

export interface PmCommand {
  inv: Invocation;
  pm: PackageManager;
  /** The sub-command as written (`install`, `in`, `add`), and its index in inv.argv. */
  sub: string;
  subIndex: number;
  /** The sub-command word: flags are inserted after it. */
  subWord: ShellWord;
  /** Operands after the sub-command (package names, files). */
  packages: ShellWord[];
}

export function pmCommand(cmd: ShellCommand): PmCommand | undefined {
  const inv = invocation(cmd);
  if (!PACKAGE_MANAGERS.has(inv.name)) return undefined;
  const pm = inv.name as PackageManager;
  const withArg = PM_ARG_OPTIONS[pm];
  const subIndex = operandIndex(inv.argv, 1, withArg);
  if (subIndex < 0 || !inv.argv[subIndex].literal) return undefined;
  const subWord = inv.argv[subIndex];
  return { inv, pm, sub: subWord.value, subIndex, subWord, packages: operands(inv.argv, subIndex + 1, withArg) };
}

const INSTALL_SUBCOMMANDS: Record<PackageManager, ReadonlySet<string>> = {
  "apt-get": new Set(["install"]),
  apt: new Set(["install"]),
  apk: new Set(["add"]),
  yum: new Set(["install", "groupinstall", "localinstall", "reinstall"]),
  dnf: new Set(["install", "groupinstall", "localinstall", "reinstall"]),
  tdnf: new Set(["install", "reinstall"]),
  microdnf: new Set(["install", "reinstall"]),
  zypper: new Set(["install", "in", "source-install", "si"]),
};

export function isInstall(c: PmCommand): boolean {
  return INSTALL_SUBCOMMANDS[c.pm].has(c.sub);
}

/** Sub-commands that download packages into the yum/dnf/zypper cache (installs and upgrades). */
export function fillsCache(c: PmCommand): boolean {
  if (isInstall(c)) return true;
  if (c.pm === "zypper") return ["update", "up", "patch", "dist-upgrade", "dup"].includes(c.sub);
  if (c.pm === "yum" || c.pm === "dnf" || c.pm === "tdnf" || c.pm === "microdnf") return ["update", "upgrade", "distro-sync", "downgrade"].includes(c.sub);
  return false;
}

export function isAptInstall(c: PmCommand | undefined): c is PmCommand {
  return c !== undefined && (c.pm === "apt-get" || c.pm === "apt") && c.sub === "install";
}

// --- other tools ----------------------------------------------------------------------

const PIP_GLOBAL_ARG_OPTIONS: ReadonlySet<string> = new Set([
  "--proxy",
  "--retries",
  "--timeout",
  "--exists-action",
  "--trusted-host",
  "--cert",
  "--client-cert",
  "--cache-dir",
  "--log",
  "--python",
  "--keyring-provider",
  "--use-feature",
  "--use-deprecated",
  "-r",
  "-c",
  "-e",
  "-i",
  "--index-url",
  "--extra-index-url",
  "--requirement",
  "--constraint",
  "--editable",
  "-t",
  "--target",
  "--prefix",
  "--root",
  "--platform",
  "--python-version",
  "--implementation",
  "--abi",
  "--src",
  "--upgrade-strategy",
  "-f",
  "--find-links",
  "--progress-bar",
  "--report",
  "--config-settings",
  "-C",
  "--global-option",
  "--no-binary",
  "--only-binary",
]);

export interface PipCommand {
  inv: Invocation;
  /** Index in inv.argv of the sub-command word. */
  subIndex: number;
  sub: string;
  subWord: ShellWord;
  /** First word of the pip invocation (`pip`, or `python` of `python -m pip`). */
  head: ShellWord;
}

/** `pip install`, `pip3.12 install`, `python3 -m pip install`. */
export function pipCommand(cmd: ShellCommand): PipCommand | undefined {
  const inv = invocation(cmd);
  let from: number;
  if (/^pip(?:\d+(?:\.\d+)?)?$/.test(inv.name)) from = 1;
  else if (/^python(?:\d+(?:\.\d+)?)?$/.test(inv.name)) {
    const m = inv.argv.findIndex((w, i) => i > 0 && w.literal && w.value === "-m");
    if (m < 0 || inv.argv[m + 1]?.value !== "pip") return undefined;
    if (inv.argv.slice(1, m).some((w) => !w.literal || !w.value.startsWith("-"))) return undefined;
    from = m + 2;
  } else return undefined;
  const subIndex = operandIndex(inv.argv, from, PIP_GLOBAL_ARG_OPTIONS);
  if (subIndex < 0 || !inv.argv[subIndex].literal) return undefined;
  return { inv, subIndex, sub: inv.argv[subIndex].value, subWord: inv.argv[subIndex], head: inv.argv[0] };
}

export const PIP_ARG_OPTIONS = PIP_GLOBAL_ARG_OPTIONS;

/** Programs that execute a script read from stdin or from a file argument. */
export const INTERPRETERS: ReadonlySet<string> = new Set([...SHELL_NAMES, "python", "python2", "python3", "perl", "ruby", "node", "php"]);

export function isInterpreter(name: string): boolean {
  return INTERPRETERS.has(name) || /^python\d+(?:\.\d+)?$/.test(name);
}

/** The interpreter reads its program from stdin (no script operand, `-`, or `sh -s`). */
export function readsProgramFromStdin(inv: Invocation): boolean {
  if (!isInterpreter(inv.name)) return false;
  for (let i = 1; i < inv.argv.length; i++) {
    const w = inv.argv[i];
    if (!w.literal) return false;
    const v = w.value;
    if (v === "-" || v === "--") return true;
    if (/^[-+]o$/.test(v) && SHELL_NAMES.has(inv.name)) {
      i++;
      continue;
    }
    if (v.startsWith("-")) {
      if (SHELL_NAMES.has(inv.name) && /^-[a-zA-Z]+$/.test(v)) {
        if (v.includes("c")) return false;
        if (v.includes("s")) return true;
      }
      // `python -c CODE`, `perl -e CODE`, `node -e CODE`: the program is an argument.
      if (/^-[ce]$/.test(v) || v === "--eval") return false;
      continue;
    }
    return false;
  }
  return true;
}

export const DOWNLOADERS: ReadonlySet<string> = new Set(["curl", "wget", "fetch"]);

/** curl's short options that take a value: the rest of a cluster after them is that value. */
export const CURL_ARG_LETTERS = "AbcCdDeEFhHKmoPQrtTuUwxXyYz";

/** `set -o pipefail`, `set -eo pipefail`, `set -euxo pipefail`. */
export function setsPipefail(argv: readonly string[]): boolean {
  for (let i = 1; i < argv.length - 1; i++) {
    if (/^-[a-zA-Z]*o$/.test(argv[i]) && argv[i + 1] === "pipefail") return true;
  }
  return false;
}
