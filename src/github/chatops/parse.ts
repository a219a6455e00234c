// Chat-ops commands in pull-request comments, parsed strictly. Pure.
//
//   /bulwark help
//   /bulwark fix [RULE-ID…]
//   /bulwark ignore RULE-ID [path[:line]] <reason…>
//   /bulwark explain RULE-ID
//   /bulwark rescan
//   /bulwark update
//
// One command per line; the line must START with `/bulwark` (leading spaces allowed, any case).
// Lines inside ``` / ~~~ fences and `>` quotes are ignored, so quoting someone's command (or the
// help text) never runs it. Anything malformed becomes an `invalid` command whose reply is the
// help text with the reason, never a guess.

export const MAX_COMMANDS_PER_COMMENT = 5;

export type Verb = "help" | "fix" | "ignore" | "explain" | "rescan" | "update";

export interface IgnoreLocation {
  path: string;
  line?: number;
}

export type Command =
  | { verb: "help" }
  | { verb: "fix"; rules: string[] }
  | { verb: "ignore"; ruleId: string; reason: string; location?: IgnoreLocation }
  | { verb: "explain"; ruleId: string }
  | { verb: "rescan" }
  | { verb: "update" }
  | { verb: "invalid"; text: string; reason: string };

export interface ParsedCommand {
  command: Command;
  /** 1-based line of the comment. */
  line: number;
  /** The command line as written (trimmed). */
  text: string;
}

const RULE_ID = /^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+$/;
const PREFIX = /^\/bulwark(?=\s|$)/i;
const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const LOCATION_PATH = /^[\w.@+/-]+$/;

/** Commands that commit, re-run or open pull requests: they need write permission. */
export function needsWrite(c: Command): boolean {
  return c.verb === "fix" || c.verb === "ignore" || c.verb === "rescan" || c.verb === "update";
}

export function isRuleId(s: string): boolean {
  return RULE_ID.test(s);
}

/** A token that names a file (so that `ignore RULE path reason` and `ignore RULE reason` are told apart). */
function asLocation(token: string): IgnoreLocation | undefined {
  const m = /^(.+?)(?::(\d+))?$/.exec(token);
  if (!m) return undefined;
  const path = m[1].replace(/^\.\//, "");
  if (!LOCATION_PATH.test(path) || path.includes("..")) return undefined;
  const looksLikeFile = m[2] !== undefined || path.includes("/") || /\.(ya?ml|json|tpl)$/i.test(path) || /(^|\.)(Dockerfile|Containerfile)(\.|$)/i.test(path);
  if (!looksLikeFile) return undefined;
  const line = m[2] !== undefined ? Number.parseInt(m[2], 10) : undefined;
  if (line !== undefined && line < 1) return undefined;
  return { path, ...(line !== undefined ? { line } : {}) };
}

function parseLine(rest: string, text: string): Command {
  const tokens = rest.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return { verb: "help" };
  const verb = tokens[0].toLowerCase();
  const args = tokens.slice(1);
  const invalid = (reason: string): Command => ({ verb: "invalid", text, reason });
  switch (verb) {
    case "help":
      return args.length === 0 ? { verb: "help" } : invalid("`help` takes no arguments");
    case "rescan":
    case "update":
      return args.length === 0 ? { verb } : invalid(`\`${verb}\` takes no arguments`);
    case "fix": {
      const bad = args.filter((a) => !isRuleId(a.replace(/,$/, "")));
      if (bad.length > 0) return invalid(`\`fix\` takes rule IDs only; \`${bad[0].slice(0, 60)}\` is not one`);
      return { verb: "fix", rules: [...new Set(args.map((a) => a.replace(/,$/, "").toUpperCase()))] };
    }
    case "explain":
      if (args.length !== 1 || !isRuleId(args[0])) return invalid("`explain` takes exactly one rule ID, e.g. `/bulwark explain K8S-RUNTIME-001`");
      return { verb: "explain", ruleId: args[0].toUpperCase() };
    case "ignore": {
      if (args.length === 0 || !isRuleId(args[0])) return invalid("`ignore` needs a rule ID and a reason: `/bulwark ignore K8S-RUNTIME-001 <why this is acceptable>`");
      const ruleId = args[0].toUpperCase();
      let rest2 = args.slice(1);
      const location = rest2.length > 0 ? asLocation(rest2[0]) : undefined;
      if (location) rest2 = rest2.slice(1);
      const reason = rest2.join(" ").trim();
      if (reason === "") return invalid(`\`ignore\` needs a reason, so that reviewers know why ${ruleId} does not apply: \`/bulwark ignore ${ruleId} <reason>\``);
      return { verb: "ignore", ruleId, reason, ...(location ? { location } : {}) };
    }
    default:
      return invalid(`unknown command \`${verb.slice(0, 40)}\``);
  }
}

/** Every command of a comment body, in order (at most MAX_COMMANDS_PER_COMMENT + 1: the extra one tells the caller there were too many). */
export function parseCommands(body: string | null | undefined): ParsedCommand[] {
  if (!body) return [];
  const out: ParsedCommand[] = [];
  let fence: string | undefined;
  const lines = body.replace(/\r\n?/g, "\n").split("\n");
  for (const [i, raw] of lines.entries()) {
    const f = FENCE.exec(raw);
    if (f) {
      const marker = f[1];
      if (fence === undefined) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length && raw.trim() === marker) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const line = raw.trim();
    if (line.startsWith(">")) continue;
    if (!PREFIX.test(line)) continue;
    out.push({ command: parseLine(line.replace(PREFIX, ""), line), line: i + 1, text: line });
    if (out.length > MAX_COMMANDS_PER_COMMENT) break;
  }
  return out;
}

/** True when two bodies hold the same commands (an edit that only fixes prose runs nothing again). */
export function sameCommands(a: string | null | undefined, b: string | null | undefined): boolean {
  const ka = parseCommands(a).map((c) => JSON.stringify(c.command));
  const kb = parseCommands(b).map((c) => JSON.stringify(c.command));
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

/** The help text (Markdown). */
export function helpText(): string {
  return [
    "**Bulwark commands** (one per line, in a pull-request comment):",
    "",
    "| Command | What it does | Who |",
    "|---|---|---|",
    "| `/bulwark help` | this list | anyone |",
    "| `/bulwark explain RULE-ID` | the rule's documentation | anyone |",
    "| `/bulwark fix [RULE-ID…]` | commits the safe (AUTO) fixes on the head branch; behaviour-changing (AUTO\\*) fixes only for the rules you name | write access |",
    "| `/bulwark ignore RULE-ID [path[:line]] reason` | commits a `# bulwark:ignore RULE-ID reason` comment above the finding (reply to Bulwark's inline comment, or give the path) | write access |",
    "| `/bulwark rescan` | reviews the head commit again | write access |",
    "| `/bulwark update` | lists the image and chart updates for the repository | write access |",
  ].join("\n");
}
