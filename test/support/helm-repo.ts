// A Helm chart repository on loopback: serves an index.yaml the test writes (and can replace),
// optionally behind Basic auth, and records every request.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface HelmRepoServer {
  url: string;
  host: string;
  /** Paths requested, in order. */
  requests: string[];
  setIndex(text: string): void;
  stop(): Promise<void>;
}

export interface HelmChartEntry {
  version: string;
  appVersion?: string;
  deprecated?: boolean;
  created?: string;
  home?: string;
  sources?: string[];
}

/** A real-shaped index.yaml (apiVersion v1, entries, urls, digests). */
export function helmIndex(entries: Record<string, HelmChartEntry[]>, generated = "2026-11-01T00:00:00Z"): string {
  const lines = ["apiVersion: v1", "entries:"];
  for (const [name, versions] of Object.entries(entries)) {
    lines.push(`  ${name}:`);
    for (const v of versions) {
      lines.push(`  - apiVersion: v2`, `    name: ${name}`, `    version: ${v.version}`);
      if (v.appVersion) lines.push(`    appVersion: "${v.appVersion}"`);
      if (v.deprecated) lines.push(`    deprecated: true`);
      lines.push(`    created: "${v.created ?? "2026-10-01T00:00:00Z"}"`);
      if (v.home) lines.push(`    home: ${v.home}`);
      if (v.sources) lines.push(`    sources:`, ...v.sources.map((s) => `    - ${s}`));
      lines.push(`    description: ${name} chart`, `    digest: ${"0".repeat(56)}${v.version.replace(/[^0-9]/g, "").padStart(8, "0").slice(0, 8)}`, `    urls:`, `    - charts/${name}-${v.version}.tgz`);
    }
  }
  lines.push(`generated: "${generated}"`, "");
  return lines.join("\n");
}

export async function startHelmRepo(index: string, auth?: { user: string; password: string }): Promise<HelmRepoServer> {
  let current = index;
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? "/");
    if (auth) {
      const expected = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString("base64")}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { "www-authenticate": 'Basic realm="charts"' }).end();
        return;
      }
    }
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/index.yaml" || path.endsWith("/index.yaml")) {
      res.writeHead(200, { "content-type": "application/x-yaml" }).end(current);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    setIndex: (text) => {
      current = text;
    },
    stop: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
