// A loopback wrapper in front of the strict fake GitHub (test/support/fake-github.ts, which this
// file does not change) that adds two things Bulwark needs and the fake does not have:
//
//  - GraphQL `Repository.object(expression: "<rev>:<path>") { ... on Blob { text isBinary
//    byteSize } }`, resolved from the fake's own git store (the same commits the fake serves),
//    with the fake's GraphQL executor (test/support/graphql.ts). Queries that use `object` are
//    answered here; every other request is forwarded to the fake unchanged, so it is still
//    validated against GitHub's OpenAPI description there.
//  - Latency: `latencyMs` before every answer (the benchmark's 50 ms per request).
//
// The proxy records every request it sees (`requests`), so request budgets count what the client
// sent, including the GraphQL queries answered here; GraphQL parse/validation errors in those are
// recorded as violations.
import { createServer, request as httpRequest } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { matchRoute } from "./openapi.js";
import { executeGraphQL, gqlFieldError } from "./graphql.js";
import type { GqlObject, GqlValue } from "./graphql.js";
import type { FakeGitHub } from "./fake-github.js";

export interface ProxyRequest {
  method: string;
  url: string;
  /** "METHOD /template" (REST) or "POST /graphql". */
  route?: string;
  status: number;
  /** GraphQL: "query" or "mutation" and the operation name. */
  graphql?: { kind: "query" | "mutation"; name?: string; local: boolean };
  at: number;
  ms: number;
}

export interface ProxyOptions {
  latencyMs?: number;
  /** Default branch used to resolve "HEAD:" expressions (default "main"). */
  defaultBranch?: string;
  /** Simulate GitHub truncating Blob.text above this many bytes. */
  truncateTextOver?: number;
}

const BINARY_SNIFF = 8000;

export class GitHubProxy {
  readonly requests: ProxyRequest[] = [];
  readonly violations: string[] = [];
  private server!: Server;
  private baseUrl = "";

  private constructor(
    readonly gh: FakeGitHub,
    private readonly opts: ProxyOptions,
  ) {}

  static async start(gh: FakeGitHub, opts: ProxyOptions = {}): Promise<GitHubProxy> {
    const p = new GitHubProxy(gh, opts);
    p.server = createServer((req, res) => void p.handle(req, res));
    // Clients keep connections open across long scans (a 1,000-file review computes for seconds).
    p.server.keepAliveTimeout = 120_000;
    await new Promise<void>((resolve) => p.server.listen(0, "127.0.0.1", () => resolve()));
    p.baseUrl = `http://127.0.0.1:${(p.server.address() as AddressInfo).port}`;
    return p;
  }

  get url(): string {
    return this.baseUrl;
  }

  setLatency(ms: number): void {
    this.opts.latencyMs = ms;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Both layers: the fake's OpenAPI checks and this proxy's GraphQL checks. */
  assertNoViolations(): void {
    this.gh.assertNoViolations();
    if (this.violations.length > 0) throw new Error(`GraphQL violations:\n  ${this.violations.join("\n  ")}`);
  }

  /** Requests whose route matches (e.g. "GET /repos/{owner}/{repo}/pulls/{pull_number}/files"), or all with "*". */
  count(route: string, filter?: (r: ProxyRequest) => boolean): number {
    return this.requests.filter((r) => (route === "*" || r.route === route) && (!filter || filter(r))).length;
  }

  reset(): void {
    this.requests.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const method = (req.method ?? "GET").toUpperCase();
    const url = req.url ?? "/";
    const route = matchRoute(method, url)?.key;
    const record: ProxyRequest = { method, url, ...(route ? { route } : {}), status: 0, at: started, ms: 0 };
    this.requests.push(record);
    if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs));

    if (method === "POST" && new URL(url, "http://x").pathname === "/graphql") {
      let body: { query?: unknown; variables?: unknown; operationName?: unknown } = {};
      try {
        body = JSON.parse(raw.toString("utf8")) as typeof body;
      } catch {
        /* forwarded: the fake reports it */
      }
      const query = typeof body.query === "string" ? body.query : "";
      const m = /^\s*(query|mutation)\b\s*([A-Za-z_]\w*)?/.exec(query);
      const local = /\bobject\s*\(\s*expression\s*:/.test(query);
      record.graphql = { kind: m?.[1] === "mutation" ? "mutation" : "query", ...(m?.[2] ? { name: m[2] } : {}), local };
      if (local) {
        if (typeof req.headers.authorization !== "string" || !/^(token|bearer)\s+\S+/i.test(req.headers.authorization)) {
          this.violations.push(`${method} ${url}: GraphQL request without an Authorization header`);
          return this.reply(res, record, started, 401, { message: "This endpoint requires you to be authenticated." });
        }
        const vars = (body.variables && typeof body.variables === "object" ? body.variables : {}) as Record<string, GqlValue>;
        const result = executeGraphQL(query, vars, typeof body.operationName === "string" ? body.operationName : undefined, this.roots());
        // Like the fake: everything but "not found"/"forbidden" (runtime outcomes) is a client bug.
        for (const e of result.errors ?? []) if (e.type !== "NOT_FOUND" && e.type !== "FORBIDDEN") this.violations.push(`GraphQL ${e.type ?? "error"}: ${e.message}`);
        return this.reply(res, record, started, 200, result);
      }
    }

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || ["host", "content-length", "connection", "transfer-encoding", "keep-alive"].includes(k)) continue;
      headers[k] = Array.isArray(v) ? v.join(", ") : v;
    }
    if (raw.length > 0) headers["content-length"] = String(raw.length);
    // A fresh connection per request: no keep-alive race with the fake's idle timeout.
    const upstream = await new Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }>((resolve) => {
      const target = new URL(url, this.gh.url);
      const out = httpRequest({ hostname: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method, headers, agent: false }, (up) => {
        const parts: Buffer[] = [];
        up.on("data", (c: Buffer) => parts.push(c));
        up.on("end", () => resolve({ status: up.statusCode ?? 502, headers: up.headers, body: Buffer.concat(parts) }));
        up.on("error", (e) => resolve({ status: 502, headers: {}, body: Buffer.from(JSON.stringify({ message: `proxy: ${e.message}` })) }));
      });
      out.on("error", (e) => resolve({ status: 502, headers: {}, body: Buffer.from(JSON.stringify({ message: `proxy: ${e.message}` })) }));
      if (raw.length > 0) out.write(raw);
      out.end();
    });
    const outHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(upstream.headers)) {
      if (v === undefined || ["content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive"].includes(k)) continue;
      outHeaders[k] = (Array.isArray(v) ? v.join(", ") : v).split(this.gh.url).join(this.baseUrl);
    }
    record.status = upstream.status;
    record.ms = Date.now() - started;
    res.writeHead(upstream.status, outHeaders);
    res.end(upstream.body);
  }

  private reply(res: ServerResponse, record: ProxyRequest, started: number, status: number, body: unknown): void {
    record.status = status;
    record.ms = Date.now() - started;
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "x-ratelimit-remaining": "4999" });
    res.end(JSON.stringify(body));
  }

  /** The GraphQL roots for `object` queries: repository(owner, name) { name object(expression) }. */
  private roots(): { query: GqlObject; mutation: GqlObject } {
    const blobAt = (owner: string, repo: string, expression: string): GqlObject | null => {
      const i = expression.indexOf(":");
      if (i < 0) throw gqlFieldError(`Expression "${expression}" is not supported by the proxy (use <rev>:<path>)`, "INVALID_INPUT");
      const rev = expression.slice(0, i) === "HEAD" ? (this.opts.defaultBranch ?? "main") : expression.slice(0, i);
      const path = expression.slice(i + 1);
      const sha = this.gh.refSha(owner, repo, rev);
      if (!sha) return null;
      const files = this.gh.store.files(sha);
      const f = files.get(path);
      if (!f) {
        for (const p of files.keys()) if (p.startsWith(`${path}/`)) return { __typename: "Tree", oid: "tree" };
        return null;
      }
      const content = f.content;
      const isBinary = content.subarray(0, BINARY_SNIFF).includes(0);
      let text: string | null = isBinary ? null : content.toString("utf8");
      const cap = this.opts.truncateTextOver;
      if (text !== null && cap !== undefined && content.length > cap) text = content.subarray(0, cap).toString("utf8");
      return { __typename: "Blob", oid: f.sha, text, isBinary, byteSize: content.length };
    };
    return {
      query: {
        __typename: "Query",
        repository: (args: Record<string, GqlValue>) => {
          const owner = String(args.owner);
          const name = String(args.name);
          try {
            this.gh.refSha(owner, name, this.opts.defaultBranch ?? "main");
          } catch {
            throw gqlFieldError(`Could not resolve to a Repository with the name '${owner}/${name}'.`, "NOT_FOUND");
          }
          return {
            __typename: "Repository",
            name,
            nameWithOwner: `${owner}/${name}`,
            object: (a: Record<string, GqlValue>) => blobAt(owner, name, String(a.expression)),
          };
        },
      },
      mutation: { __typename: "Mutation" },
    };
  }
}
