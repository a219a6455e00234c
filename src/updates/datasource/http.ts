// HTTP at the edge of the updates module: `fetch` (injectable), plain HTTP only for loopback
// hosts and hosts the config lists as insecure, bounded back-off on 429/503 with Retry-After,
// manual redirects that never carry Authorization to another origin, and errors whose text
// cannot leak a credential.

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type DatasourceErrorCode = "auth" | "not-found" | "rate-limited" | "network" | "http" | "invalid-response" | "insecure";

/** Every failure of a lookup. Messages are redacted: no passwords, tokens or URL userinfo. */
export class DatasourceError extends Error {
  constructor(
    readonly code: DatasourceErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "DatasourceError";
  }
}

export interface HttpOptions {
  /** Defaults to the global fetch. */
  fetch?: FetchLike;
  /** Hosts (host or host:port) reached over plain HTTP although not on loopback. */
  insecureRegistries?: readonly string[];
  /** Retries after 429/502/503/504 (default 3). */
  maxRetries?: number;
  /** A Retry-After longer than this fails the request instead of waiting (default 60 s). */
  maxRetryDelayMs?: number;
  /** First back-off when the server sends no Retry-After (default 1 s, doubled per retry). */
  baseDelayMs?: number;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  userAgent?: string;
  /** Told about every response (status 0: no answer), e.g. for request and rate-limit metrics. */
  onResponse?: (response: RegistryResponse) => void;
}

/** One registry or chart-repository response, as `HttpOptions.onResponse` sees it. */
export interface RegistryResponse {
  /** host[:port] of the request. */
  host: string;
  method: string;
  /** HTTP status; 0 when the request got no answer (network error, timeout). */
  status: number;
  /** Requests left in the registry's window (Docker Hub's `ratelimit-remaining: 100;w=21600`), when it says. */
  rateLimitRemaining?: number;
}

/** `ratelimit-remaining` (Docker Hub: "76;w=21600") or `x-ratelimit-remaining`, as a number. */
export function rateLimitRemaining(headers: Headers): number | undefined {
  const v = headers.get("ratelimit-remaining") ?? headers.get("x-ratelimit-remaining");
  if (v === null) return undefined;
  const n = Number.parseInt(v.split(";")[0]!.trim(), 10);
  return Number.isFinite(n) ? n : undefined;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const RETRY_STATUS = new Set([429, 502, 503, 504]);
const MAX_REDIRECTS = 5;

/** 127.0.0.0/8, localhost and [::1] (with or without a port). */
export function isLoopbackHost(hostWithPort: string): boolean {
  const host = stripPort(hostWithPort.toLowerCase());
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host === "[::1]" || host === "::1") return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && m.slice(1).every((p) => Number(p) <= 255);
}

export function stripPort(host: string): string {
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const colon = host.lastIndexOf(":");
  return colon >= 0 && host.indexOf(":") === colon ? host.slice(0, colon) : host;
}

/** Plain HTTP is allowed for loopback and for hosts listed (with or without port) as insecure. */
export function plainHttpAllowed(host: string, insecure: readonly string[] = []): boolean {
  if (isLoopbackHost(host)) return true;
  const lower = host.toLowerCase();
  return insecure.some((e) => {
    const entry = e.trim().toLowerCase().replace(/^[a-z]+:\/\//, "").replace(/\/+$/, "");
    return entry === lower || (!entry.includes(":") && entry === stripPort(lower));
  });
}

/** Collects secrets so that no error message or log line can contain them. */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    if (secret && secret.length >= 3) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, "$1***@");
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join("***");
    return out;
  }
}

/** Retry-After in ms: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** `Link: <url>; rel="next"` → the URL, resolved against the request URL. */
export function nextLink(link: string | null, base: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (!m) continue;
    if (/\brel\s*=\s*"?(?:[^"]*\s)?next(?:\s[^"]*)?"?/i.test(m[2]!)) {
      try {
        return new URL(m[1]!, base).toString();
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export interface RequestOptions {
  method?: "GET" | "HEAD";
  headers?: Record<string, string>;
  /** What the request is about, for error messages ("ghcr.io/acme/web tags"). */
  what: string;
}

export class HttpClient {
  readonly redactor = new Redactor();
  private readonly fetchImpl: FetchLike;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(readonly options: HttpOptions = {}) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** The base URL of a host: http:// for loopback and insecure hosts, https:// otherwise. */
  baseUrl(host: string): string {
    return `${plainHttpAllowed(host, this.options.insecureRegistries) ? "http" : "https"}://${host}`;
  }

  /** Refuses plain HTTP to a host that is neither loopback nor listed as insecure. */
  checkUrl(url: string): void {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new DatasourceError("invalid-response", `invalid URL ${this.redactor.redact(url)}`);
    }
    if (u.protocol === "http:" && !plainHttpAllowed(u.host, this.options.insecureRegistries)) {
      throw new DatasourceError("insecure", `refusing plain HTTP to ${u.host}: use https, or list the host in updates.insecureRegistries`);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new DatasourceError("invalid-response", `unsupported URL scheme ${u.protocol}`);
  }

  /**
   * One request with redirects followed by hand (Authorization is dropped when the origin
   * changes) and bounded retries on 429/502/503/504. Never throws for other statuses.
   */
  async request(url: string, opts: RequestOptions): Promise<Response> {
    const max = this.options.maxRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const res = await this.followRedirects(url, opts);
      if (!RETRY_STATUS.has(res.status)) return res;
      const retryAfter = parseRetryAfter(res.headers.get("retry-after"));
      await res.body?.cancel().catch(() => undefined);
      const what = res.status === 429 ? "rate limited" : `HTTP ${res.status}`;
      if (attempt >= max) {
        throw new DatasourceError(res.status === 429 ? "rate-limited" : "http", `${opts.what}: ${what} by ${new URL(url).host} after ${attempt + 1} attempts`, res.status);
      }
      const delay = retryAfter ?? (this.options.baseDelayMs ?? 1000) * 2 ** attempt;
      const cap = this.options.maxRetryDelayMs ?? 60_000;
      if (delay > cap) {
        throw new DatasourceError(
          res.status === 429 ? "rate-limited" : "http",
          `${opts.what}: ${what} by ${new URL(url).host}; Retry-After ${Math.ceil(delay / 1000)} s is longer than the ${Math.ceil(cap / 1000)} s this run waits`,
          res.status,
        );
      }
      await this.sleep(delay);
    }
  }

  private async followRedirects(url: string, opts: RequestOptions): Promise<Response> {
    let current = url;
    let headers = { ...(opts.headers ?? {}) };
    if (this.options.userAgent) headers["user-agent"] = this.options.userAgent;
    for (let hop = 0; ; hop++) {
      this.checkUrl(current);
      let res: Response;
      try {
        res = await this.fetchImpl(current, {
          method: opts.method ?? "GET",
          headers,
          redirect: "manual",
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        });
      } catch (err) {
        this.observe(current, opts.method ?? "GET", 0);
        const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
        throw new DatasourceError("network", this.redactor.redact(`${opts.what}: cannot reach ${new URL(current).host} (${cause})`));
      }
      this.observe(current, opts.method ?? "GET", res.status, res.headers);
      const location = res.headers.get("location");
      if (!REDIRECTS.has(res.status) || !location) return res;
      await res.body?.cancel().catch(() => undefined);
      if (hop >= MAX_REDIRECTS) throw new DatasourceError("http", `${opts.what}: too many redirects`);
      const next = new URL(location, current);
      if (next.origin !== new URL(current).origin) {
        // Never forward credentials to another host (blob CDNs, open redirects).
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== "authorization"));
      }
      current = next.toString();
    }
  }

  private observe(url: string, method: string, status: number, headers?: Headers): void {
    const hook = this.options.onResponse;
    if (!hook) return;
    const remaining = headers ? rateLimitRemaining(headers) : undefined;
    try {
      hook({ host: new URL(url).host, method, status, ...(remaining !== undefined ? { rateLimitRemaining: remaining } : {}) });
    } catch {
      // An observer's failure is not the lookup's.
    }
  }

  /** Reads a body as text with a size cap (index.yaml files can be tens of MB). */
  async text(res: Response, what: string, maxBytes = 64 * 1024 * 1024): Promise<string> {
    const declared = Number(res.headers.get("content-length") ?? "0");
    if (declared > maxBytes) throw new DatasourceError("invalid-response", `${what}: response of ${declared} bytes is over the ${maxBytes} byte limit`);
    const buf = await res.arrayBuffer();
    if (buf.byteLength > maxBytes) throw new DatasourceError("invalid-response", `${what}: response of ${buf.byteLength} bytes is over the ${maxBytes} byte limit`);
    return new TextDecoder().decode(buf);
  }

  async json<T>(res: Response, what: string, maxBytes?: number): Promise<T> {
    const text = await this.text(res, what, maxBytes);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new DatasourceError("invalid-response", `${what}: response is not JSON`);
    }
  }

  error(code: DatasourceErrorCode, message: string, status?: number): DatasourceError {
    return new DatasourceError(code, this.redactor.redact(message), status);
  }
}
