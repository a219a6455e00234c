// Instructions other than FROM and RUN: DOCKER-007, 008, 022 … 025, 028, 029A/B/C.
import type { RuleCheck } from "../../core/engine/check.js";
import type { DockerfileModel, DockerInstruction, DockerStage } from "../../core/parse/dockerfile.js";
import { finalStage, stageChain } from "../../core/parse/dockerfile.js";
import { redact } from "../helpers.js";
import { identity, isShipped, properties, reporter, runs, where } from "./context.js";
import { invocation } from "./commands.js";
import { credentialKind, isSensitiveName } from "./secrets.js";
import { imageNameSpan } from "./image.js";

interface Source {
  value: string;
  start: number;
  end: number;
}

interface LspPos {
  line: number;
  character: number;
}
interface AstArg {
  getValue(): string;
  getRange(): { start: LspPos; end: LspPos };
}
interface CopyNode {
  getArguments(): AstArg[];
  getOpeningBracket?(): unknown;
  getClosingBracket?(): unknown;
  getJSONStrings?(): (AstArg & { getJSONValue(): string; getJSONRange(): { start: LspPos; end: LspPos } })[];
  getHeredocs?(): unknown[];
}

const copyCache = new WeakMap<DockerInstruction, { sources: Source[]; dest?: Source } | null>();

/** Sources and destination of COPY / ADD (shell or JSON form); undefined for heredoc forms. */
export function copyArgs(d: DockerfileModel, instr: DockerInstruction): { sources: Source[]; dest?: Source } | undefined {
  let c = copyCache.get(instr);
  if (c === undefined) {
    c = readCopyArgs(d, instr) ?? null;
    copyCache.set(instr, c);
  }
  return c ?? undefined;
}

function readCopyArgs(d: DockerfileModel, instr: DockerInstruction): { sources: Source[]; dest?: Source } | undefined {
  const node = instr.node as unknown as CopyNode;
  if ((node.getHeredocs?.() ?? []).length > 0) return undefined;
  const off = (p: LspPos) => d.lines.offset(p.line + 1, p.character + 1);
  let items: Source[];
  if (node.getOpeningBracket?.() && node.getClosingBracket?.() && node.getJSONStrings) {
    items = node.getJSONStrings().map((s) => ({ value: s.getJSONValue(), start: off(s.getJSONRange().start), end: off(s.getJSONRange().end) }));
  } else {
    items = node
      .getArguments()
      .map((a) => ({ value: a.getValue(), start: off(a.getRange().start), end: off(a.getRange().end) }))
      .filter((a) => !/^--[a-z-]+(?:=|$)/.test(a.value));
  }
  if (items.length < 2) return { sources: items };
  return { sources: items.slice(0, -1), dest: items[items.length - 1] };
}

const REMOTE = /^(?:https?|ftp):\/\//i;
const GIT = /^(?:git@|git:\/\/|ssh:\/\/)|^https?:\/\/[^#\s]+\.git(?:#|$)/i;

// --- DOCKER-007 ----------------------------------------------------------------------------

const addRemote: RuleCheck = {
  id: "DOCKER-007",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const stage of d.stages) {
      for (const instr of stage.instructions) {
        if (instr.keyword !== "ADD") continue;
        if (instr.flags.some((f) => f.name.toLowerCase() === "checksum" && f.value)) continue;
        for (const s of copyArgs(d, instr)?.sources ?? []) {
          const git = GIT.test(s.value);
          if (!git && !REMOTE.test(s.value)) continue;
          // A full commit hash pins git content as firmly as a checksum pins a file.
          if (git && /#[0-9a-f]{40}(?::|$)/i.test(s.value)) continue;
          report({
            start: s.start,
            end: s.end,
            stage: stage.index,
            message: git
              ? `${where(d, stage, instr)} adds the git repository ${s.value} at a moving ref: the build takes whatever that branch or tag points to. Pin a full commit hash (…#<commit>) or add --checksum=<commit>.`
              : `${where(d, stage, instr)} downloads ${s.value} without --checksum: a changed or tampered file is built into the image unnoticed. Use ADD --checksum=sha256:<digest> ${s.value} <dest> (Dockerfile syntax 1.6+), or RUN curl -fsSLo <file> <url> && echo "<sha256>  <file>" | sha256sum -c -.`,
          });
        }
      }
    }
  },
};

// --- DOCKER-008 ----------------------------------------------------------------------------

const ARCHIVE = /\.(?:tar|tgz|tbz2?|txz|tzst|taz|tlz|tz2|gz|bz2|xz|zst|lz|lzma|z)$|\.tar\.[a-z0-9]+$/i;
const ADD_ONLY_FLAGS = new Set(["checksum", "keep-git-dir", "unpack"]);

/** undefined: not sure (a glob or name that may be an archive, a variable); true: certainly not an archive. */
function plainLocal(src: string): boolean | undefined {
  if (src.includes("$")) return undefined;
  const base = src.replace(/\/+$/, "").split("/").pop() ?? "";
  if (src === "." || src === "./" || src.endsWith("/")) return !/[*?[]/.test(src) || undefined;
  if (ARCHIVE.test(base)) return false;
  if (/[*?[]/.test(base)) {
    // `*.js` cannot match an archive; `*`, `app-*` and `*.gz` can.
    const ext = /\.([A-Za-z0-9]+)$/.exec(base);
    return ext && !/[*?[]/.test(ext[1]) && !ARCHIVE.test(base) ? true : undefined;
  }
  return true;
}

const addLocal: RuleCheck = {
  id: "DOCKER-008",
  dockerfile(d, ctx) {
    for (const stage of d.stages) {
      for (const instr of stage.instructions) {
        if (instr.keyword !== "ADD") continue;
        const args = copyArgs(d, instr);
        if (!args || args.sources.length === 0) continue;
        if (args.sources.some((s) => REMOTE.test(s.value) || GIT.test(s.value))) continue;
        const kinds = args.sources.map((s) => plainLocal(s.value));
        if (kinds.some((k) => k === false)) continue;
        if (kinds.some((k) => k === undefined)) continue;
        const addOnly = instr.flags.some((f) => ADD_ONLY_FLAGS.has(f.name.toLowerCase()));
        const kw = d.text.slice(instr.start, instr.start + 3);
        const copy = kw === "add" ? "copy" : kw === "Add" ? "Copy" : "COPY";
        // An extensionless file might be a tarball that ADD would unpack: report, but only fix what is certain.
        const certain = args.sources.every((s) => s.value === "." || s.value.endsWith("/") || /\.[A-Za-z0-9]+$/.test(s.value));
        ctx.report({
          dockerfile: d,
          start: instr.start,
          end: instr.start + 3,
          stage: stage.index,
          message: `${where(d, stage, instr)} copies local files (${args.sources.map((s) => s.value).join(", ")}) with ADD, which also unpacks archives and fetches URLs. Use COPY: it does only what it says.`,
          ...(kw.toUpperCase() === "ADD" && !addOnly && certain ? { fix: { description: "Use COPY instead of ADD", edits: [{ start: instr.start, end: instr.start + 3, newText: copy }] } } : {}),
        });
      }
    }
  },
};

// --- DOCKER-022 ----------------------------------------------------------------------------

const buildSecrets: RuleCheck = {
  id: "DOCKER-022",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    const scopes: { stage?: DockerStage; instr: DockerInstruction }[] = d.preamble.filter((i) => i.keyword === "ARG").map((instr) => ({ instr }));
    for (const stage of d.stages) for (const instr of stage.instructions) if (instr.keyword === "ENV" || instr.keyword === "ARG") scopes.push({ stage, instr });
    for (const { stage, instr } of scopes) {
      for (const p of properties(d, instr)) {
        const value = p.value;
        const pattern = value ? credentialKind(value) : undefined;
        const byName = isSensitiveName(p.name);
        if (!pattern && !byName) continue;
        if (instr.keyword === "ENV" && (value === undefined || value.trim() === "")) continue;
        if (value && /^\/run\/secrets\//.test(value)) continue;
        const kind = instr.keyword;
        const id = p.name.toLowerCase().replace(/[^a-z0-9]+/g, "_");
        const place = stage ? where(d, stage, instr) : `${kind} on line ${d.lines.position(instr.start).line} (before the first FROM)`;
        const shown = value === undefined ? "" : value.includes("$") && !pattern ? ` (from ${value})` : ` (value ${redact(value)})`;
        const why =
          kind === "ENV"
            ? "ENV values are stored in the image config: anyone who can pull the image reads them with docker inspect, and every container gets them"
            : "build arguments are recorded in the image history wherever a RUN uses them, and passing secrets this way leaks them into build logs and caches";
        report({
          start: p.start,
          end: p.end,
          stage: stage?.index,
          key: p.name,
          ...(pattern ? { severity: "critical" as const } : {}),
          message: `${place} ${pattern ? `holds what looks like ${pattern}` : `passes the secret-looking ${p.name}`} as ${kind === "ENV" ? "an ENV" : "an ARG"}${shown}: ${why}. Use a BuildKit secret instead: RUN --mount=type=secret,id=${id},env=${p.name} … with docker build --secret id=${id},env=${p.name}; give running containers secrets at run time (e.g. a Kubernetes Secret).`,
        });
      }
    }
  },
};

// --- DOCKER-023 ----------------------------------------------------------------------------

const PUBLIC_PEM = /(?:^|[-_.])(?:ca|cacert|cert|certs|certificate|chain|fullchain|bundle|pub|public|root)(?:[-_.]|$)/i;

/** What kind of credential file a COPY source names, if any. */
export function secretFile(src: string): string | undefined {
  const path = src.replace(/^\.\//, "").replace(/\/+$/, "");
  const base = path.split("/").pop() ?? "";
  if (/^\.env(?:\.|$)/.test(base) && !/\.(?:example|sample|template|dist|defaults?|tpl)$/i.test(base)) return "an environment file with secrets";
  if (/^id_(?:rsa|dsa|ecdsa|ed25519)(?!.*\.pub$)/.test(base)) return "an SSH private key";
  if (/(?:^|\/)\.ssh$/.test(path) || base === ".ssh") return "an SSH directory (private keys)";
  if (/\.pem$/i.test(base) && !PUBLIC_PEM.test(base.replace(/\.pem$/i, ""))) return "a PEM file that may hold a private key";
  if (/\.key$/i.test(base) && !/(?:gpg|asc|pub|public|keyring|archive)/i.test(base)) return "a private key";
  if (/\.(?:p12|pfx)$/i.test(base)) return "a PKCS#12 key store";
  if (base === ".npmrc" || base === ".pypirc" || base === ".git-credentials" || base === ".netrc" || base === ".dockercfg") return `${base} (registry or git credentials)`;
  if (/(?:^|\/)\.docker\/config\.json$/.test(path)) return "Docker registry credentials";
  if (/(?:^|\/)\.aws(?:\/credentials)?$/.test(path) || base === ".aws") return "AWS credentials";
  if (base === "kubeconfig" || /(?:^|\/)\.kube(?:\/config)?$/.test(path)) return "a kubeconfig (cluster credentials)";
  return undefined;
}

const secretFiles: RuleCheck = {
  id: "DOCKER-023",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const stage of d.stages) {
      const shipped = isShipped(d, stage);
      for (const instr of stage.instructions) {
        if (instr.keyword !== "COPY" && instr.keyword !== "ADD") continue;
        for (const s of copyArgs(d, instr)?.sources ?? []) {
          const what = secretFile(s.value);
          if (!what) continue;
          report({
            start: s.start,
            end: s.end,
            stage: stage.index,
            ...(shipped ? {} : { severity: "medium" as const }),
            message: `${where(d, stage, instr)} copies ${s.value}, ${what}, into the ${shipped ? "image" : "build stage"}: ${shipped ? "every layer is readable by anyone who can pull the image, even if a later step deletes it" : "this stage is not shipped, but its layers stay in the build cache and can be exported with --target"}. Use RUN --mount=type=secret,id=…,target=… for build-time credentials, mount runtime secrets instead, and list the file in .dockerignore.`,
          });
        }
      }
    }
  },
};

// --- DOCKER-024 / 025 ----------------------------------------------------------------------

const healthcheck: RuleCheck = {
  id: "DOCKER-024",
  dockerfile(d, ctx) {
    const final = finalStage(d);
    if (!final) return;
    const hc = stageChain(d, final).flatMap((s) => s.instructions).filter((i) => i.keyword === "HEALTHCHECK");
    const last = hc[hc.length - 1];
    if (last && (last.args[0] ?? "").toUpperCase() !== "NONE") return;
    const span = imageNameSpan(d, final);
    ctx.report({
      dockerfile: d,
      ...span,
      stage: final.index,
      message: `The final image (FROM ${final.imageWritten}) has no HEALTHCHECK${last ? " (HEALTHCHECK NONE)" : ""}: Docker, Compose and Swarm cannot tell a hung container from a healthy one. Add HEALTHCHECK CMD <probe>; on Kubernetes define liveness/readiness probes instead (it ignores HEALTHCHECK).`,
    });
  },
};

const exposeSsh: RuleCheck = {
  id: "DOCKER-025",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const stage of d.stages) {
      if (!isShipped(d, stage)) continue;
      for (const instr of stage.instructions) {
        if (instr.keyword !== "EXPOSE") continue;
        const node = instr.node as unknown as CopyNode;
        for (const a of node.getArguments()) {
          const m = /^(\d+)(?:-(\d+))?(?:\/(?:tcp|udp|sctp))?$/i.exec(a.getValue());
          if (!m) continue;
          const lo = Number(m[1]);
          const hi = m[2] ? Number(m[2]) : lo;
          if (lo > 22 || hi < 22) continue;
          const r = a.getRange();
          report({
            start: d.lines.offset(r.start.line + 1, r.start.character + 1),
            end: d.lines.offset(r.end.line + 1, r.end.character + 1),
            stage: stage.index,
            message: `${where(d, stage, instr)} exposes port 22 (SSH): an SSH server in a container is another way in, with keys or passwords to manage. Remove it; use docker exec / kubectl exec (or an ephemeral debug container) to get a shell.`,
          });
        }
      }
    }
  },
};

// --- DOCKER-028 ----------------------------------------------------------------------------

function dirOf(path: string): string {
  const p = path.replace(/\\/g, "/").replace(/^\.\//, "");
  const i = p.lastIndexOf("/");
  return i < 0 ? "" : p.slice(0, i);
}

/** A .dockerignore applies: next to the Dockerfile, in a directory above it (the usual context), or `<Dockerfile>.dockerignore`. */
const normalisedPaths = new WeakMap<ReadonlySet<string>, Set<string>>();

export function hasDockerignore(paths: ReadonlySet<string>, dockerfilePath: string): boolean {
  let norm = normalisedPaths.get(paths);
  if (!norm) {
    norm = new Set([...paths].map((p) => p.replace(/\\/g, "/").replace(/^\.\//, "")));
    normalisedPaths.set(paths, norm);
  }
  const df = dockerfilePath.replace(/\\/g, "/").replace(/^\.\//, "");
  if (norm.has(`${df}.dockerignore`)) return true;
  let dir = dirOf(df);
  for (;;) {
    if (norm.has(dir ? `${dir}/.dockerignore` : ".dockerignore")) return true;
    if (dir === "") return false;
    dir = dirOf(dir);
  }
}

const wholeContext: RuleCheck = {
  id: "DOCKER-028",
  project(p, ctx) {
    for (const d of p.dockerfiles) {
      if (hasDockerignore(p.paths, d.path)) continue;
      const report = reporter(d, ctx);
      for (const stage of d.stages) {
        for (const instr of stage.instructions) {
          if (instr.keyword !== "COPY" && instr.keyword !== "ADD") continue;
          if (instr.flags.some((f) => f.name.toLowerCase() === "from")) continue;
          const src = copyArgs(d, instr)?.sources.find((s) => s.value === "." || s.value === "./" || s.value === "./." || s.value === "*");
          if (!src) continue;
          // The source word, not the instruction: DOCKER-008 may turn this ADD into COPY.
          report({
            start: src.start,
            end: src.end,
            stage: stage.index,
            message: `${where(d, stage, instr)} copies the whole build context and no .dockerignore was found next to ${d.path}: .git, .env files, local credentials and build output end up in the image. Add a .dockerignore (at least .git, .env*, *.pem, *.key, node_modules) or copy only the paths the image needs.`,
          });
        }
      }
    }
  },
};

// --- DOCKER-029A / B / C -------------------------------------------------------------------

const relativeDir: RuleCheck = {
  id: "DOCKER-029A",
  dockerfile(d, ctx) {
    const report = reporter(d, ctx);
    for (const stage of d.stages) {
      for (const instr of stage.instructions) {
        if (instr.keyword !== "WORKDIR" || instr.args.length === 0) continue;
        const dir = instr.args.join(" ").replace(/^["']|["']$/g, "");
        if (/^(?:\/|\$|[A-Za-z]:[\\/]|\\\\)/.test(dir)) continue;
        report({
          start: instr.start,
          end: instr.end,
          stage: stage.index,
          key: "workdir",
          message: `${where(d, stage, instr)} uses the relative path "${dir}": it resolves against whatever WORKDIR came before (possibly from the base image). Use an absolute path.`,
        });
      }
    }
    for (const run of runs(d, /\bcd\b/)) {
      const cd = run.script().commands.find((c) => c.context === "top" && c.depth === 0 && c.scriptId === 0 && invocation(c).name === "cd");
      if (!cd) continue;
      report({
        start: cd.start,
        end: cd.end,
        stage: run.stage.index,
        key: "cd",
        identity: identity(cd),
        message: `${where(d, run.stage, run.instr)} changes directory with cd: the next instruction starts in the WORKDIR again, which is easy to misread. Use WORKDIR <dir> (or a subshell for a one-off).`,
      });
    }
  },
};

function labelValue(raw: string): string {
  return raw.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\$/g, "\\$");
}

const maintainer: RuleCheck = {
  id: "DOCKER-029B",
  dockerfile(d, ctx) {
    for (const stage of d.stages) {
      for (const instr of stage.instructions) {
        if (instr.keyword !== "MAINTAINER") continue;
        const kw = d.text.slice(instr.start, instr.start + "MAINTAINER".length);
        const raw = instr.argsText.replace(/\\\r?\n/g, " ").replace(/\s+/g, " ").trim();
        const label = kw === kw.toLowerCase() ? "label" : "LABEL";
        ctx.report({
          dockerfile: d,
          start: instr.start,
          end: instr.end,
          stage: stage.index,
          message: `${where(d, stage, instr)}: MAINTAINER is deprecated and not shown by standard tooling. Use LABEL org.opencontainers.image.authors="…".`,
          ...(raw ? { fix: { description: "Replace MAINTAINER with the OCI authors label", edits: [{ start: instr.start, end: instr.end, newText: `${label} org.opencontainers.image.authors="${labelValue(raw)}"` }] } } : {}),
        });
      }
    }
  },
};

const repeated: RuleCheck = {
  id: "DOCKER-029C",
  dockerfile(d, ctx) {
    for (const stage of d.stages) {
      for (const kw of ["CMD", "ENTRYPOINT", "HEALTHCHECK"]) {
        const list = stage.instructions.filter((i) => i.keyword === kw);
        const last = list[list.length - 1];
        for (const instr of list.slice(0, -1)) {
          ctx.report({
            dockerfile: d,
            start: instr.start,
            end: instr.end,
            stage: stage.index,
            key: kw,
            message: `${where(d, stage, instr)} has no effect: only the last ${kw} of a stage counts (line ${d.lines.position(last.start).line}). Remove it.`,
          });
        }
      }
    }
  },
};

export const INSTRUCTION_DOCKER_CHECKS: RuleCheck[] = [addRemote, addLocal, buildSecrets, secretFiles, healthcheck, exposeSsh, wholeContext, relativeDir, maintainer, repeated];
