// Bulwark's own deployment files pass Bulwark (issue 10 part 7): CI scans deploy/ with the CLI
// contract (main(), in process), exactly as a user would run `bulwark scan`.
//
//   deploy/kubernetes  --profile pss-restricted: no finding at all (not even a suppressed one)
//                      --profile hardened: every finding suppressed, each with a reason
//   deploy/Dockerfile  default profile (hardened): likewise
//   deploy/helm        rendered with its default values (and with a few switched on): the same
//
// The scans use the real date on purpose: when a base image of deploy/Dockerfile nears its end of
// life (DOCKER-005), this test fails and tells us to move on, which is the point of the exercise.
//
// There is no helm binary on this project's machines, so the chart is rendered by a small Go
// template interpreter below that implements exactly the constructs and functions the chart
// uses, with Helm's semantics, and throws on anything else (a template change that needs more
// must extend it, never pass silently).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml, stringify } from "yaml";
import { main } from "../src/cli/main.js";
import type { Finding } from "../src/core/types.js";

const ROOT = join(import.meta.dirname, "..");
const CHART = join(ROOT, "deploy/helm/bulwark");

interface JsonReport {
  findings: Finding[];
  summary: { findings: number; suppressed: number; files: number; resources: number };
}

async function scanJson(args: string[], cwd = ROOT): Promise<{ code: number; report: JsonReport; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(["scan", ...args, "--format", "json"], {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    isTTY: false,
    env: {},
    cwd,
    now: new Date(),
  });
  return { code, report: JSON.parse(stdout) as JsonReport, stderr };
}

function describeFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.path}:${f.range.startLine} ${f.ruleId}${f.suppressed ? ` (suppressed: ${f.suppressed.reason})` : ""} ${f.message}`).join("\n");
}

/** Every finding is suppressed, with a real reason (not the engine's "(no reason given)"). */
function expectOnlyReasonedSuppressions(report: JsonReport): void {
  const open = report.findings.filter((f) => !f.suppressed);
  expect(open, describeFindings(open)).toEqual([]);
  for (const f of report.findings) {
    const reason = f.suppressed!.reason.trim();
    expect(reason, `${f.path}:${f.range.startLine} ${f.ruleId}`).not.toBe("(no reason given)");
    // A reason says why, in words: not a placeholder.
    expect(reason.split(/\s+/).length, `${f.ruleId} reason "${reason}"`).toBeGreaterThanOrEqual(6);
  }
}

describe("deploy/kubernetes", () => {
  it("passes --profile pss-restricted with zero findings (none suppressed either)", async () => {
    const { code, report } = await scanJson(["deploy/kubernetes", "--profile", "pss-restricted", "--fail-on", "info"]);
    expect(report.findings, describeFindings(report.findings)).toEqual([]);
    expect(code).toBe(0);
    expect(report.summary.resources).toBeGreaterThanOrEqual(6);
  });

  it("passes --profile hardened with only reasoned suppressions", async () => {
    const { code, report } = await scanJson(["deploy/kubernetes", "--profile", "hardened", "--fail-on", "info"]);
    expect(code).toBe(0);
    expectOnlyReasonedSuppressions(report);
    // The one deliberate exception: the image digest is only known after the release build.
    expect([...new Set(report.findings.map((f) => f.ruleId))]).toEqual(["K8S-IMAGE-002"]);
  });

  it("deploys what docs/deploy.md promises", () => {
    const docs = parseAllDocuments(readFileSync(join(ROOT, "deploy/kubernetes/bulwark.yaml"), "utf8")).map((d) => d.toJS() as K8s);
    const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
    expect(docs.map((d) => d.kind).sort()).toEqual(["Deployment", "Namespace", "NetworkPolicy", "NetworkPolicy", "Service", "ServiceAccount"]);
    const ns = byKind("Namespace")[0];
    expect(ns.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect(byKind("ServiceAccount")[0].automountServiceAccountToken).toBe(false);
    expect(byKind("Service")[0].spec.type).toBe("ClusterIP");
    const deploy = byKind("Deployment")[0];
    expect(deploy.spec.replicas).toBe(2);
    checkPodSpec(deploy.spec.template.spec, { redis: "optional" });
    // Default deny for the whole namespace, both directions.
    const deny = byKind("NetworkPolicy").find((p) => Object.keys(p.spec.podSelector ?? {}).length === 0);
    expect(deny?.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(deny?.spec.ingress ?? []).toEqual([]);
    expect(deny?.spec.egress ?? []).toEqual([]);
    checkAllowPolicy(byKind("NetworkPolicy").find((p) => p !== deny)!);
    // No Secret object: the credentials are created out of band.
    expect(byKind("Secret")).toEqual([]);
  });
});

describe("deploy/Dockerfile", () => {
  it("scans clean with --fail-on info except reasoned suppressions", async () => {
    const { code, report } = await scanJson(["deploy/Dockerfile", "--fail-on", "info"]);
    expect(code).toBe(0);
    expectOnlyReasonedSuppressions(report);
    expect([...new Set(report.findings.map((f) => f.ruleId))]).toEqual(["DOCKER-003"]);
  });

  it("is multi-stage, builds lib/, prunes dev dependencies and runs as a numeric non-root user", () => {
    const text = readFileSync(join(ROOT, "deploy/Dockerfile"), "utf8");
    const froms = [...text.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBe(2);
    expect(froms[1]).toMatch(/^gcr\.io\/distroless\/nodejs\d+-debian\d+:nonroot$/);
    expect(text).toMatch(/npm ci\b/);
    expect(text).toMatch(/npm run build:lib/);
    expect(text).toMatch(/npm prune --omit=dev/);
    expect(text).toMatch(/^USER 65532:65532$/m);
    expect(text).toMatch(/^HEALTHCHECK /m);
    expect(text).not.toMatch(/^COPY \. /m);
    // The command is what `npm start` runs (package.json), without npm in the image.
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe("probot run ./lib/app/index.js");
    expect(text).toContain('CMD ["node_modules/probot/bin/probot.js", "run", "./lib/app/index.js"]');
  });
});

describe("deploy/ as a whole (the files CI scans)", () => {
  it("passes the default profile with --fail-on info, suppressions all reasoned", async () => {
    const { code, report } = await scanJson(["deploy", "--fail-on", "info"]);
    expect(code).toBe(0);
    expectOnlyReasonedSuppressions(report);
    expect(report.summary.files).toBeGreaterThanOrEqual(2);
  });
});

// ------------------------------------------------------------------------------------------------
// The Helm chart, rendered

describe("deploy/helm/bulwark rendered", () => {
  const renderTo = (overrides: Values = {}): { dir: string; docs: K8s[] } => {
    const out = renderChart(CHART, overrides);
    const dir = mkdtempSync(join(tmpdir(), "bulwark-helm-"));
    const docs: K8s[] = [];
    for (const [name, text] of out) {
      mkdirSync(join(dir, "rendered"), { recursive: true });
      writeFileSync(join(dir, "rendered", name), text);
      for (const d of parseAllDocuments(text)) {
        expect(d.errors, `${name}: ${d.errors.map((e) => e.message).join("; ")}`).toEqual([]);
        const v = d.toJS() as K8s | null;
        if (v) docs.push(v);
      }
    }
    return { dir, docs };
  };

  it("default values: pss-restricted finds nothing, hardened only reasoned suppressions", async () => {
    const { dir, docs } = renderTo();
    expect(docs.map((d) => d.kind).sort()).toEqual(["Deployment", "NetworkPolicy", "NetworkPolicy", "Service", "ServiceAccount"]);
    const restricted = await scanJson(["rendered", "--profile", "pss-restricted", "--fail-on", "info"], dir);
    expect(restricted.report.findings, describeFindings(restricted.report.findings)).toEqual([]);
    expect(restricted.code).toBe(0);
    const hardened = await scanJson(["rendered", "--profile", "hardened", "--fail-on", "info"], dir);
    expect(hardened.code).toBe(0);
    expectOnlyReasonedSuppressions(hardened.report);
    expect([...new Set(hardened.report.findings.map((f) => f.ruleId))]).toEqual(["K8S-IMAGE-002"]);
  });

  it("renders the same pod hardening as deploy/kubernetes", () => {
    const { docs } = renderTo();
    const deploy = docs.find((d) => d.kind === "Deployment")!;
    expect(deploy.metadata.name).toBe("bulwark");
    expect(deploy.spec.replicas).toBe(2);
    checkPodSpec(deploy.spec.template.spec, { redis: "absent" });
    const plain = parseAllDocuments(readFileSync(join(ROOT, "deploy/kubernetes/bulwark.yaml"), "utf8"))
      .map((d) => d.toJS() as K8s)
      .find((d) => d.kind === "Deployment")!;
    const pod = deploy.spec.template.spec;
    const plainPod = plain.spec.template.spec;
    expect(pod.securityContext).toEqual(plainPod.securityContext);
    expect(pod.containers[0].securityContext).toEqual(plainPod.containers[0].securityContext);
    expect(pod.containers[0].resources).toEqual(plainPod.containers[0].resources);
    for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) expect(pod.containers[0][probe]).toEqual(plainPod.containers[0][probe]);
    expect(pod.volumes).toEqual(plainPod.volumes);
    checkAllowPolicy(docs.find((d) => d.kind === "NetworkPolicy" && d.metadata.name === "bulwark")!);
  });

  it("with a digest, Redis and GHE set: still clean, and nothing left to suppress", async () => {
    const digest = `sha256:${"0123456789abcdef".repeat(4)}`;
    const { dir, docs } = renderTo({ image: { digest }, redis: { existingSecret: "bulwark-redis" }, githubApp: { gheHost: "github.acme.io" } });
    const deploy = docs.find((d) => d.kind === "Deployment")!;
    const c = deploy.spec.template.spec.containers[0];
    expect(c.image).toBe(`ghcr.io/bulwark-dev/bulwark@${digest}`);
    checkPodSpec(deploy.spec.template.spec, { redis: "required" });
    expect(c.env.find((e: EnvVar) => e.name === "GHE_HOST")?.value).toBe("github.acme.io");
    const policy = docs.find((d) => d.kind === "NetworkPolicy" && d.metadata.name === "bulwark")!;
    expect(policy.spec.egress.some((r: { ports?: { port: unknown }[] }) => r.ports?.some((p) => p.port === 6379))).toBe(true);
    const hardened = await scanJson(["rendered", "--profile", "hardened", "--fail-on", "info"], dir);
    expect(hardened.report.findings, describeFindings(hardened.report.findings)).toEqual([]);
    expect(hardened.code).toBe(0);
  });

  it("refuses to render without the credentials Secret, and never with the default service account", () => {
    expect(() => renderChart(CHART, { githubApp: { existingSecret: "" } })).toThrow(/githubApp.existingSecret is required/);
    expect(() => renderChart(CHART, { serviceAccount: { create: false } })).toThrow(/serviceAccount.name is required/);
  });

  it("the chart's own files (values, Chart.yaml, templates) pass a scan of the chart directory", async () => {
    const { code, report } = await scanJson(["deploy/helm", "--fail-on", "info"]);
    expect(code).toBe(0);
    expectOnlyReasonedSuppressions(report);
  });
});

// ------------------------------------------------------------------------------------------------
// What every rendering of the pod must say (both the plain manifest and the chart)

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed manifests are untyped data
type K8s = any;
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}

function checkPodSpec(pod: K8s, opts: { redis: "absent" | "optional" | "required" }): void {
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(pod.serviceAccountName).toBe("bulwark");
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } });
  expect(pod.containers).toHaveLength(1);
  const c = pod.containers[0];
  expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
  expect(c.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
  expect(pod.volumes.find((v: { name: string }) => v.name === "tmp")?.emptyDir).toBeDefined();
  expect(c.startupProbe.httpGet.path).toBe("/ping");
  expect(c.livenessProbe.httpGet.path).toBe("/healthz");
  expect(c.readinessProbe.httpGet.path).toBe("/readyz");
  expect(c.resources.requests.memory).toBeDefined();
  expect(c.resources.limits.memory).toBeDefined();
  const env = new Map<string, EnvVar>((c.env as EnvVar[]).map((e) => [e.name, e]));
  expect(env.get("HOST")?.value).toBe("0.0.0.0");
  expect(env.get("PORT")?.value).toBe(String(c.ports[0].containerPort));
  // Credentials only by reference; the key is a file on a read-only Secret volume.
  for (const name of ["APP_ID", "WEBHOOK_SECRET"]) expect(env.get(name)?.valueFrom?.secretKeyRef?.name).toBe("bulwark-github-app");
  expect(env.get("PRIVATE_KEY_PATH")?.value).toBe("/var/run/secrets/bulwark/private-key.pem");
  expect(c.volumeMounts).toContainEqual({ name: "github-app-key", mountPath: "/var/run/secrets/bulwark", readOnly: true });
  expect(pod.volumes.find((v: { name: string }) => v.name === "github-app-key")?.secret?.secretName).toBe("bulwark-github-app");
  for (const e of c.env as EnvVar[]) if (/SECRET|KEY|TOKEN|PASSWORD|REDIS_URL/.test(e.name) && e.name !== "PRIVATE_KEY_PATH") expect(e.value, e.name).toBeUndefined();
  const redis = env.get("REDIS_URL")?.valueFrom?.secretKeyRef;
  if (opts.redis === "absent") expect(redis).toBeUndefined();
  else expect(redis).toMatchObject({ name: "bulwark-redis", key: "REDIS_URL", ...(opts.redis === "optional" ? { optional: true } : {}) });
}

function checkAllowPolicy(p: K8s): void {
  expect(p.spec.policyTypes).toEqual(["Ingress", "Egress"]);
  expect(p.spec.ingress).toHaveLength(1);
  expect(p.spec.ingress[0].ports).toEqual([{ port: "http", protocol: "TCP" }]);
  expect(p.spec.ingress[0].from.length).toBeGreaterThan(0);
  const egressPorts = p.spec.egress.flatMap((r: { ports: { port: unknown; protocol: string }[] }) => r.ports.map((x) => `${x.port}/${x.protocol}`));
  expect(egressPorts).toEqual(expect.arrayContaining(["53/UDP", "53/TCP", "443/TCP"]));
}

// ------------------------------------------------------------------------------------------------
// A Go-template interpreter for exactly what the chart uses

type Values = { [k: string]: unknown };

/** Render the chart like `helm template bulwark <chart> -n bulwark`: file name → output (non-empty only). */
function renderChart(chartDir: string, overrides: Values = {}): Map<string, string> {
  const chart = parseYaml(readFileSync(join(chartDir, "Chart.yaml"), "utf8")) as { name: string; version: string; appVersion: string };
  const values = deepMerge(parseYaml(readFileSync(join(chartDir, "values.yaml"), "utf8")) as Values, overrides);
  const root = {
    Values: values,
    Release: { Name: "bulwark", Namespace: "bulwark", Service: "Helm" },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
  };
  const dir = join(chartDir, "templates");
  const files = readdirSync(dir).sort();
  const defines = new Map<string, Node[]>();
  const parsed = new Map<string, Node[]>();
  for (const f of files) {
    const nodes = parseTemplate(readFileSync(join(dir, f), "utf8"), f);
    collectDefines(nodes, defines);
    parsed.set(f, nodes);
  }
  const out = new Map<string, string>();
  for (const [f, nodes] of parsed) {
    if (f.startsWith("_") || !/\.ya?ml$/.test(f)) continue;
    const text = new Renderer(defines, root).render(nodes, root, new Map([["$", root]]));
    if (text.trim() !== "") out.set(f, text);
  }
  return out;
}

function deepMerge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Values {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

type Node =
  | { t: "text"; text: string }
  | { t: "action"; pipe: string; assign?: string }
  | { t: "if" | "with"; pipe: string; then: Node[]; else: Node[] }
  | { t: "define"; name: string; body: Node[] };

/** Lex `{{ … }}` actions (with `{{-` / `-}}` whitespace trimming and comments) and build the block tree. */
function parseTemplate(src: string, file: string): Node[] {
  type Tok = { kind: "text"; text: string } | { kind: "act"; body: string };
  const toks: Tok[] = [];
  let pos = 0;
  let trimNext = false;
  while (pos < src.length) {
    const open = src.indexOf("{{", pos);
    let text = src.slice(pos, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, "");
    trimNext = false;
    if (open < 0) {
      toks.push({ kind: "text", text });
      break;
    }
    const close = src.indexOf("}}", open);
    if (close < 0) throw new Error(`${file}: unclosed action`);
    let body = src.slice(open + 2, close);
    if (/^-\s/.test(body)) {
      text = text.replace(/\s+$/, "");
      body = body.slice(2);
    }
    if (/\s-$/.test(body)) {
      trimNext = true;
      body = body.slice(0, -2);
    }
    toks.push({ kind: "text", text });
    body = body.trim();
    if (!(body.startsWith("/*") && body.endsWith("*/"))) toks.push({ kind: "act", body });
    pos = close + 2;
  }
  let i = 0;
  const block = (terminators: string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (i < toks.length) {
      const tok = toks[i++];
      if (tok.kind === "text") {
        if (tok.text) nodes.push({ t: "text", text: tok.text });
        continue;
      }
      const kw = tok.body.split(/\s+/)[0];
      const rest = tok.body.slice(kw.length).trim();
      if (terminators.includes(kw)) return { nodes, end: kw };
      if (kw === "if" || kw === "with") {
        const then = block(["else", "end"]);
        const other = then.end === "else" ? block(["end"]).nodes : [];
        nodes.push({ t: kw, pipe: rest, then: then.nodes, else: other });
      } else if (kw === "define") {
        const name = JSON.parse(rest) as string;
        nodes.push({ t: "define", name, body: block(["end"]).nodes });
      } else if (["range", "block", "template", "else", "end"].includes(kw)) {
        throw new Error(`${file}: "${kw}" is not supported by this test's renderer`);
      } else {
        const m = /^(\$\w+)\s*:?=\s*(.*)$/s.exec(tok.body);
        nodes.push(m ? { t: "action", pipe: m[2], assign: m[1] } : { t: "action", pipe: tok.body });
      }
    }
    if (terminators.length > 0) throw new Error(`${file}: missing {{ end }}`);
    return { nodes, end: "" };
  };
  return block([]).nodes;
}

function collectDefines(nodes: Node[], into: Map<string, Node[]>): void {
  for (const n of nodes) if (n.t === "define") into.set(n.name, n.body);
}

function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

function show(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return String(v);
  throw new Error(`cannot print ${JSON.stringify(v)} without toYaml`);
}

/** Helm's toYaml: YAML of the value without the final newline ("{}" / "[]" for empty ones). */
function toYaml(v: unknown): string {
  if (v === undefined || v === null) return "null";
  return stringify(v, { lineWidth: 0 }).replace(/\n$/, "");
}

class Renderer {
  constructor(
    private readonly defines: Map<string, Node[]>,
    private readonly root: unknown,
  ) {}

  render(nodes: Node[], dot: unknown, vars: Map<string, unknown>): string {
    let out = "";
    for (const n of nodes) {
      if (n.t === "text") out += n.text;
      else if (n.t === "define") continue;
      else if (n.t === "action") {
        const v = this.pipeline(n.pipe, dot, vars);
        if (n.assign) vars.set(n.assign, v);
        else out += show(v);
      } else {
        const v = this.pipeline(n.pipe, dot, vars);
        if (truthy(v)) out += this.render(n.then, n.t === "with" ? v : dot, vars);
        else out += this.render(n.else, dot, vars);
      }
    }
    return out;
  }

  private pipeline(src: string, dot: unknown, vars: Map<string, unknown>): unknown {
    let acc: unknown;
    let first = true;
    for (const cmd of splitTop(src, "|")) {
      const args = tokenize(cmd);
      acc = this.command(args, dot, vars, first ? [] : [acc]);
      first = false;
    }
    return acc;
  }

  private command(tokens: string[], dot: unknown, vars: Map<string, unknown>, piped: unknown[]): unknown {
    const [head, ...rest] = tokens;
    if (!/^[a-zA-Z]\w*$/.test(head) || head === "true" || head === "false") {
      if (rest.length > 0 || piped.length > 0) throw new Error(`cannot call ${head}`);
      return this.operand(head, dot, vars);
    }
    const args = [...rest.map((a) => this.operand(a, dot, vars)), ...piped];
    const str = (i: number) => {
      const v = args[i];
      if (typeof v !== "string") throw new Error(`${head}: argument ${i + 1} is ${JSON.stringify(v)}, not a string`);
      return v;
    };
    switch (head) {
      case "include": {
        const body = this.defines.get(str(0));
        if (!body) throw new Error(`include: no template "${str(0)}"`);
        return this.render(body, args[1], new Map([["$", this.root]]));
      }
      case "default":
        return truthy(args[1]) ? args[1] : args[0];
      case "required":
        if (!truthy(args[1])) throw new Error(`execution error: ${str(0)}`);
        return args[1];
      case "not":
        return !truthy(args[0]);
      case "quote":
        return JSON.stringify(show(args[0]));
      case "toYaml":
        return toYaml(args[0]);
      case "nindent":
      case "indent": {
        const pad = " ".repeat(Number(args[0]));
        const text = str(1)
          .split("\n")
          .map((l) => pad + l)
          .join("\n");
        return head === "nindent" ? `\n${text}` : text;
      }
      case "trunc":
        return str(1).slice(0, Number(args[0]));
      case "trimSuffix":
        return str(1).endsWith(str(0)) ? str(1).slice(0, -str(0).length) : str(1);
      case "contains":
        return str(1).includes(str(0));
      case "replace":
        return str(2).split(str(0)).join(str(1));
      case "printf": {
        let k = 1;
        return str(0).replace(/%[sd]/g, () => show(args[k++]));
      }
      default:
        throw new Error(`function "${head}" is not supported by this test's renderer`);
    }
  }

  private operand(tok: string, dot: unknown, vars: Map<string, unknown>): unknown {
    if (tok.startsWith("(")) return this.pipeline(tok.slice(1, -1), dot, vars);
    if (tok.startsWith('"')) return JSON.parse(tok) as string;
    if (/^-?\d+$/.test(tok)) return Number(tok);
    if (tok === "true" || tok === "false") return tok === "true";
    if (tok === ".") return dot;
    let base: unknown;
    let path: string;
    if (tok.startsWith("$")) {
      const m = /^(\$\w*)(.*)$/.exec(tok)!;
      if (!vars.has(m[1])) throw new Error(`undefined variable ${m[1]}`);
      base = vars.get(m[1]);
      path = m[2];
    } else if (tok.startsWith(".")) {
      base = dot;
      path = tok;
    } else throw new Error(`cannot read operand ${tok}`);
    for (const key of path.split(".").filter(Boolean)) base = isPlainObject(base) ? base[key] : undefined;
    return base;
  }
}

/** Split on `sep` outside quotes and parentheses. */
function splitTop(src: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = "";
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      cur += ch;
      if (ch === "\\") cur += src[++i];
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    if (ch === sep && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** Words of a command: quoted strings and parenthesised pipelines stay whole. */
function tokenize(cmd: string): string[] {
  return splitTop(cmd.replace(/\s+/g, " "), " ").filter((t) => t !== "");
}
