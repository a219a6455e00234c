// /healthz, /readyz and /metrics on Probot 14's Server, registered through the app function's
// `addHandler` (ApplicationFunctionOptions). A handler answers and returns true for its paths, and
// returns false for everything else so that Probot's own handlers (webhooks, 404) run.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BulwarkMetrics } from "./metrics.js";

export interface HealthOptions {
  metrics: BulwarkMetrics;
  /** Ready to take work: the queue backend answers (Redis ping with REDIS_URL; always for the in-process queue). */
  ready: () => Promise<{ ok: boolean; detail: string }>;
}

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

function send(res: ServerResponse, status: number, type: string, body: string): true {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
  return true;
}

export function healthHandler(opts: HealthOptions): HttpHandler {
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") return send(res, 200, "application/json", JSON.stringify({ status: "ok", uptimeSeconds: Math.round(process.uptime()) }));
    if (path === "/readyz") {
      let r: { ok: boolean; detail: string };
      try {
        r = await opts.ready();
      } catch (err) {
        r = { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
      return send(res, r.ok ? 200 : 503, "application/json", JSON.stringify({ status: r.ok ? "ready" : "not-ready", queue: r.detail }));
    }
    if (path === "/metrics") return send(res, 200, opts.metrics.contentType, await opts.metrics.text());
    return false;
  };
}
