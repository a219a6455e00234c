// Base images and the user the final image runs as: DOCKER-001 … 006, 029E, 029F.
import type { RuleCheck } from "../../core/engine/check.js";
import type { DockerfileModel, DockerStage } from "../../core/parse/dockerfile.js";
import { finalStage, isExternalImage, stageChain } from "../../core/parse/dockerfile.js";
import type { From } from "dockerfile-ast";
import { canonicalName, parseImageRef, registryMatches } from "../../core/image/reference.js";
import type { ParsedImageRef } from "../../core/image/reference.js";
import { lookupEol } from "../../core/data/eol.js";
import type { EolResult } from "../../core/data/eol.js";
import {
  insertionLineStart,
  isRootUser,
  newlineOf,
  runs,
  shellAt,
  stageName,
  userAt,
  where,
} from "./context.js";
import type { TextEdit } from "./context.js";
import { invocation, optionValues } from "./commands.js";

// dockerfile-ast re-tokenises on every range call and most rules ask: compute once per stage.
const spans = new WeakMap<DockerStage, { start: number; end: number }>();
const refs = new WeakMap<DockerStage, ParsedImageRef | null>();

/** Offsets of the image reference in a FROM instruction (falls back to the whole FROM). */
export function imageSpan(d: DockerfileModel, stage: DockerStage): { start: number; end: number } {
  let span = spans.get(stage);
  if (!span) {
    const r = (stage.from.node as From).getImageRange?.();
    span = r ? { start: d.lines.offset(r.start.line + 1, r.start.character + 1), end: d.lines.offset(r.end.line + 1, r.end.character + 1) } : { start: stage.from.start, end: stage.from.end };
    spans.set(stage, span);
  }
  return span;
}

/**
 * The image name without tag or digest: the span of findings about the stage as a whole
 * (DOCKER-001/003/004/006/024), which must keep their fingerprint when DOCKER-002 or
 * DOCKER-005 rewrites the tag.
 */
export function imageNameSpan(d: DockerfileModel, stage: DockerStage): { start: number; end: number } {
  const span = imageSpan(d, stage);
  const text = d.text.slice(span.start, span.end);
  if (text.includes("$")) return span;
  let end = text.indexOf("@") >= 0 ? text.indexOf("@") : text.length;
  const colon = text.lastIndexOf(":", end - 1);
  if (colon > text.lastIndexOf("/", end - 1)) end = colon;
  return { start: span.start, end: span.start + end };
}

/** The parsed base image of an external stage; undefined for scratch, stage aliases, unresolved ARGs. */
export function baseRef(stage: DockerStage, d: DockerfileModel): ParsedImageRef | undefined {
  let ref = refs.get(stage);
  if (ref === undefined) {
    const r = isExternalImage(d, stage) ? parseImageRef(stage.image) : undefined;
    ref = r?.ok ? r.ref : null;
    refs.set(stage, ref);
  }
  return ref ?? undefined;
}

function fromLabel(stage: DockerStage): string {
  return stage.alias ? `FROM ${stage.imageWritten} (stage "${stage.alias}")` : `FROM ${stage.imageWritten}`;
}

// --- DOCKER-001 -------------------------------------------------------------------------

type Family = "distroless" | "node" | "debian" | "alpine";

const DEBIAN_CODENAMES = /(?:^|[-_.])(?:bookworm|bullseye|buster|trixie|stretch|jessie|jammy|noble|focal|bionic|xenial)(?:$|[-_.])/;
/** Official images whose default variant is Debian or Ubuntu (useradd available). */
const DEBIAN_DEFAULT = new Set(["debian", "ubuntu", "node", "python", "ruby", "golang", "php", "perl", "rust", "buildpack-deps", "eclipse-temurin", "nginx", "httpd", "redis", "postgres"]);

function family(ref: ParsedImageRef): Family | undefined {
  const tag = ref.tag ?? "latest";
  if (ref.registry === "gcr.io" && ref.repository.startsWith("distroless/")) return "distroless";
  if (/windows|nanoserver|servercore|ltsc/.test(tag)) return undefined;
  // The official node images (Debian and Alpine variants) create the user node, UID 1000.
  if (ref.registry === "docker.io" && ref.repository === "library/node") return "node";
  if (ref.repository === "library/alpine" || /(?:^|[-_.])alpine/.test(tag)) return "alpine";
  if (DEBIAN_CODENAMES.test(tag)) return "debian";
  if (ref.registry === "docker.io" && ref.repository.startsWith("library/") && DEBIAN_DEFAULT.has(ref.repository.slice(8))) return "debian";
  return undefined;
}

function knownNonRoot(ref: ParsedImageRef): boolean {
  if (ref.registry === "cgr.dev" && ref.repository.startsWith("chainguard/")) return true;
  const tag = ref.tag ?? "";
  return tag === "nonroot" || tag.endsWith("-nonroot");
}

/** A UID created by `useradd -u N` / `adduser -u N` in the final image's RUNs, if any user is created. */
function createdUser(d: DockerfileModel, final: DockerStage): { uid?: string; name?: string } | undefined {
  let out: { uid?: string; name?: string } | undefined;
  for (const run of runs(d, /useradd|adduser/, stageChain(d, final))) {
    for (const cmd of run.script().commands) {
      const inv = invocation(cmd);
      if (inv.name !== "useradd" && inv.name !== "adduser") continue;
      const uid = optionValues(inv.argv, ["-u", "--uid"]).find((v) => /^\d+$/.test(v));
      const name = [...inv.argv].reverse().find((w, i, all) => i < all.length - 1 && w.literal && !w.value.startsWith("-"))?.value;
      out = { ...(uid ? { uid } : {}), ...(name ? { name } : {}) };
    }
  }
  return out;
}

function nonRootFix(d: DockerfileModel, final: DockerStage, base: ParsedImageRef | undefined): { edit?: TextEdit; advice: string } {
  const nl = newlineOf(d);
  const created = createdUser(d, final);
  let lines: string[] | undefined;
  let advice: string;
  if (created?.uid && Number(created.uid) > 0) {
    lines = [`USER ${created.uid}`];
    advice = `switch to the user this Dockerfile creates: add \`USER ${created.uid}\` before CMD/ENTRYPOINT`;
  } else if (created) {
    return { advice: `add \`USER <uid>\` for the user created here${created.name ? ` ("${created.name}")` : ""} before CMD/ENTRYPOINT; prefer a numeric UID (create it with an explicit --uid) so Kubernetes can verify runAsNonRoot` };
  } else {
    const fam = base ? family(base) : undefined;
    const posix = /(?:^|\/)(?:sh|bash|dash|ash)$/.test(shellAt(d, final, final.instructions[final.instructions.length - 1] ?? final.from)[0] ?? "");
    if (fam === "distroless") {
      lines = ["USER 65532:65532"];
      advice = "add `USER 65532:65532` (distroless images ship the nonroot user 65532) before CMD/ENTRYPOINT, or use the :nonroot tag";
    } else if (fam === "node") {
      lines = ["USER 1000"];
      advice = "switch to the image's own unprivileged user before CMD/ENTRYPOINT: `USER 1000` (the user node)";
    } else if (fam === "debian" && posix) {
      lines = ["RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin app", "USER 10001"];
      advice = "create an unprivileged user and switch to it before CMD/ENTRYPOINT: `RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin app` then `USER 10001`";
    } else if (fam === "alpine" && posix) {
      lines = ["RUN adduser -D -u 10001 app", "USER 10001"];
      advice = "create an unprivileged user and switch to it before CMD/ENTRYPOINT: `RUN adduser -D -u 10001 app` then `USER 10001`";
    } else {
      return { advice: "add a numeric non-root `USER <uid>[:<gid>]` before CMD/ENTRYPOINT (create the user first if the base image has none; a numeric UID also works without /etc/passwd, e.g. `USER 65532:65532`)" };
    }
  }
  // Before the first CMD/ENTRYPOINT that follows the last RUN, so every RUN still runs as before.
  const instrs = final.instructions;
  let lastRun = -1;
  instrs.forEach((i, idx) => {
    if (i.keyword === "RUN") lastRun = idx;
  });
  const target = instrs.find((i, idx) => idx > lastRun && (i.keyword === "CMD" || i.keyword === "ENTRYPOINT"));
  if (target) {
    const at = insertionLineStart(d, target);
    const indent = /^[ \t]*/.exec(d.text.slice(at))![0];
    return { edit: { start: at, end: at, newText: lines.map((l) => `${indent}${l}${nl}`).join("") }, advice };
  }
  const last = instrs[instrs.length - 1] ?? final.from;
  return { edit: { start: last.end, end: last.end, newText: lines.map((l) => `${nl}${l}`).join("") }, advice };
}

const finalUser: RuleCheck = {
  id: "DOCKER-001",
  dockerfile(d, ctx) {
    const final = finalStage(d);
    if (!final) return;
    const chain = stageChain(d, final);
    const root = chain[0];
    const base = baseRef(root, d);
    const user = userAt(d, final);
    if (user) {
      if (!isRootUser(user.value)) return;
      const { edit, advice } = nonRootFix(d, final, base);
      ctx.report({
        dockerfile: d,
        start: user.instr.start,
        end: user.instr.end,
        stage: final.index,
        message: `${where(d, user.stage, user.instr)} is the last USER of the final image (${stageName(final)}): the container runs as root. ${cap(advice)}.`,
        ...(edit ? { fix: { description: "Run the final stage as a non-root user", edits: [edit] } } : {}),
      });
      return;
    }
    if (base && knownNonRoot(base)) return;
    const { edit, advice } = nonRootFix(d, final, base);
    const why =
      root.image.toLowerCase() === "scratch"
        ? "FROM scratch runs as UID 0 unless USER is set"
        : base
          ? `the base image ${root.image} is not known to run as a non-root user`
          : `the base image "${root.imageWritten}" cannot be resolved, so its user is unknown`;
    const span = imageNameSpan(d, final);
    ctx.report({
      dockerfile: d,
      start: span.start,
      end: span.end,
      stage: final.index,
      message: `The final image (${stageName(final)}) sets no USER and ${why}: the container runs as root. ${cap(advice)}.`,
      ...(edit ? { fix: { description: "Run the final stage as a non-root user", edits: [edit] } } : {}),
    });
  },
};

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// --- DOCKER-002 / 003 / 004 ----------------------------------------------------------------

/** A tag for this repository written in another FROM of the same file (one distinct tag only). */
function knownTag(d: DockerfileModel, ref: ParsedImageRef): string | undefined {
  const tags = new Set<string>();
  for (const s of d.stages) {
    const r = baseRef(s, d);
    if (r && canonicalName(r) === canonicalName(ref) && r.tag && r.tag !== "latest") tags.add(r.tag);
  }
  return tags.size === 1 ? [...tags][0] : undefined;
}

const mutableTag: RuleCheck = {
  id: "DOCKER-002",
  dockerfile(d, ctx) {
    for (const stage of d.stages) {
      const ref = baseRef(stage, d);
      if (!ref || ref.digest) continue;
      if (ref.tag !== undefined && ref.tag !== "latest") continue;
      const span = imageSpan(d, stage);
      const tag = knownTag(d, ref);
      let fix: { description: string; edits: TextEdit[] } | undefined;
      // Only an image written literally can be edited in place (not `${BASE}`).
      if (tag && !stage.imageWritten.includes("$") && d.text.slice(span.start, span.end) === stage.imageWritten) {
        const edit = ref.tag === "latest" ? { start: span.end - "latest".length, end: span.end, newText: tag } : { start: span.end, end: span.end, newText: `:${tag}` };
        fix = { description: `Use the tag ${tag} (used by another FROM in this Dockerfile)`, edits: [edit] };
      }
      const what = ref.tag === "latest" ? "uses the tag latest" : "has no tag (so it means latest)";
      ctx.report({
        dockerfile: d,
        start: span.start,
        end: span.end,
        stage: stage.index,
        message: `${fromLabel(stage)} ${what}: every build may get a different image. ${tag ? `Use ${ref.name}:${tag}, the tag used elsewhere in this file` : "Pin an explicit version tag"} (and ideally a digest).`,
        ...(fix ? { fix } : {}),
      });
    }
  },
};

const notPinned: RuleCheck = {
  id: "DOCKER-003",
  dockerfile(d, ctx) {
    for (const stage of d.stages) {
      const ref = baseRef(stage, d);
      if (!ref || ref.digest) continue;
      const span = imageNameSpan(d, stage);
      ctx.report({
        dockerfile: d,
        start: span.start,
        end: span.end,
        stage: stage.index,
        message: `${fromLabel(stage)} is not pinned by digest: the tag can be moved to different content. Append @sha256:<digest> (keep the tag for readers); \`bulwark updates\`, Renovate or Dependabot can pin and refresh it.`,
      });
    }
  },
};

const untrustedRegistry: RuleCheck = {
  id: "DOCKER-004",
  dockerfile(d, ctx) {
    if (ctx.trustedRegistries.length === 0) return;
    for (const stage of d.stages) {
      const ref = baseRef(stage, d);
      if (!ref) continue;
      if (ctx.trustedRegistries.some((e) => registryMatches(ref, e))) continue;
      const span = imageNameSpan(d, stage);
      ctx.report({
        dockerfile: d,
        start: span.start,
        end: span.end,
        stage: stage.index,
        message: `${fromLabel(stage)} pulls from ${ref.registry}, which is not in trustedRegistries (${ctx.trustedRegistries.join(", ")}). Mirror the image into a trusted registry and use it from there, or add the registry to trustedRegistries.`,
      });
    }
  },
};

// --- DOCKER-005 -------------------------------------------------------------------------------

function describeEol(r: EolResult): string {
  const name = `${r.productTitle} ${r.cycle}${r.codename ? ` (${r.codename})` : ""}`;
  const via = r.matchedBy === "os-suffix" ? ` (from the tag suffix "${r.token}")` : "";
  const date = r.eolDate ?? "an unknown date";
  let s: string;
  if (r.status === "eol") s = `${name}${via} reached end of life on ${date}`;
  else if (r.status === "lts-only") s = `${name}${via} is past free security support (${date}); only ${r.extendedSupportPaid ? "paid " : ""}extended support remains${r.extendedSupportEnd ? ` until ${r.extendedSupportEnd}` : ""}`;
  else s = `${name}${via} reaches end of life on ${date} (in ${r.daysUntilEol ?? "?"} days)`;
  return s;
}

const endOfLife: RuleCheck = {
  id: "DOCKER-005",
  dockerfile(d, ctx) {
    for (const stage of d.stages) {
      const ref = baseRef(stage, d);
      if (!ref) continue;
      let results: EolResult[];
      try {
        results = lookupEol(ref, ctx.now);
      } catch {
        continue;
      }
      const bad = results.filter((r) => r.status !== "supported");
      if (bad.length === 0) continue;
      const span = imageSpan(d, stage);
      const replacement = bad.find((r) => r.replacement)?.replacement;
      const age = bad[0].dataAgeDays;
      const dataNote = `(end-of-life data from ${bad[0].snapshotDate}, ${age} day${age === 1 ? "" : "s"} old${age > 180 ? ": refresh it" : ""})`;
      const editable = !stage.imageWritten.includes("$") && d.text.slice(span.start, span.end) === stage.imageWritten;
      const fix = replacement && editable ? { description: `Move to ${replacement.image}`, edits: [{ start: span.start, end: span.end, newText: replacement.image }] } : undefined;
      const advice = replacement ? `Move to ${replacement.image}` : bad[0].advice ? bad[0].advice : "Move to a supported release";
      const eol = bad.some((r) => r.status === "eol");
      ctx.report({
        dockerfile: d,
        start: span.start,
        end: span.end,
        stage: stage.index,
        severity: eol ? "high" : "medium",
        message: `${fromLabel(stage)}: ${bad.map(describeEol).join("; ")}. ${advice} ${dataNote}.`,
        ...(fix ? { fix } : {}),
      });
    }
  },
};

// --- DOCKER-006 -------------------------------------------------------------------------------

const FULL_IMAGES: Record<string, RegExp | null> = {
  ubuntu: null,
  debian: /slim/,
  centos: null,
  fedora: /minimal/,
  rockylinux: /minimal/,
  almalinux: /minimal/,
  oraclelinux: /slim/,
  amazonlinux: /minimal/,
  node: /slim|alpine/,
  python: /slim|alpine/,
  ruby: /slim|alpine/,
  php: /alpine|-fpm-alpine/,
  perl: /slim/,
  openjdk: /slim|alpine|jre/,
  "eclipse-temurin": /jre|alpine/,
  // Toolchains: never minimal, whatever the variant.
  golang: null,
  rust: null,
  gcc: null,
  maven: null,
  gradle: null,
  "buildpack-deps": null,
};

const nonMinimal: RuleCheck = {
  id: "DOCKER-006",
  dockerfile(d, ctx) {
    const final = finalStage(d);
    if (!final) return;
    const root = stageChain(d, final)[0];
    const ref = baseRef(root, d);
    if (!ref || ref.registry !== "docker.io" || !ref.repository.startsWith("library/")) return;
    const name = ref.repository.slice(8);
    if (!(name in FULL_IMAGES)) return;
    const minimal = FULL_IMAGES[name];
    if (minimal && minimal.test(ref.tag ?? "")) return;
    const toolchain = minimal === null && ["golang", "rust", "gcc", "maven", "gradle", "buildpack-deps"].includes(name);
    const span = imageNameSpan(d, root);
    ctx.report({
      dockerfile: d,
      start: span.start,
      end: span.end,
      stage: root.index,
      message: `The final image is built on ${root.image} (${stageName(root)}), a ${toolchain ? "full build toolchain" : "full distribution/runtime image"}: more packages, more CVEs, bigger pulls. ${toolchain ? "Build in a separate stage and copy the result into a distroless, Chainguard or scratch image" : `Use a -slim or -alpine variant, a distroless or Chainguard image, or a multi-stage build`}.`,
    });
  },
};

// --- DOCKER-029E / 029F --------------------------------------------------------------------

const stageNames: RuleCheck = {
  id: "DOCKER-029E",
  dockerfile(d, ctx) {
    const seen = new Map<string, DockerStage>();
    for (const stage of d.stages) {
      if (!stage.alias) continue;
      const key = stage.alias.toLowerCase();
      const first = seen.get(key);
      if (first) {
        const r = (stage.from.node as From).getBuildStageRange?.();
        const start = r ? d.lines.offset(r.start.line + 1, r.start.character + 1) : stage.from.start;
        const end = r ? d.lines.offset(r.end.line + 1, r.end.character + 1) : stage.from.end;
        ctx.report({
          dockerfile: d,
          start,
          end,
          stage: stage.index,
          key: "duplicate",
          message: `${fromLabel(stage)} reuses the stage name "${stage.alias}" of line ${d.lines.position(first.from.start).line}: COPY --from and FROM now refer to the later stage only. Give each stage a unique name.`,
        });
      } else seen.set(key, stage);
    }
    for (const stage of d.stages) {
      for (const instr of stage.instructions) {
        if (instr.keyword !== "COPY") continue;
        const from = instr.flags.find((f) => f.name.toLowerCase() === "from")?.value;
        if (!from) continue;
        const self = (stage.alias && from.toLowerCase() === stage.alias.toLowerCase()) || from === String(stage.index);
        if (!self) continue;
        ctx.report({
          dockerfile: d,
          start: instr.start,
          end: instr.end,
          stage: stage.index,
          key: "self-copy",
          message: `${where(d, stage, instr)} copies --from=${from}, the stage it is in: a stage cannot copy from itself. Copy from an earlier stage or use a plain COPY.`,
        });
      }
    }
  },
};

const hardcodedPlatform: RuleCheck = {
  id: "DOCKER-029F",
  dockerfile(d, ctx) {
    for (const stage of d.stages) {
      const flag = (stage.from.node as From).getPlatformFlag?.();
      const value = flag?.getValue();
      if (!flag || !value || value.includes("$")) continue;
      const r = flag.getRange();
      ctx.report({
        dockerfile: d,
        start: d.lines.offset(r.start.line + 1, r.start.character + 1),
        end: d.lines.offset(r.end.line + 1, r.end.character + 1),
        stage: stage.index,
        message: `${fromLabel(stage)} hard-codes --platform=${value}: multi-platform builds get this platform (emulated) for every target. Drop the flag, or use $BUILDPLATFORM / $TARGETPLATFORM.`,
      });
    }
  },
};

export const IMAGE_DOCKER_CHECKS: RuleCheck[] = [finalUser, mutableTag, notPinned, untrustedRegistry, endOfLife, nonMinimal, stageNames, hardcodedPlatform];
