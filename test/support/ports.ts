// A free loopback port, for servers that must be told their port: Probot's Server treats port 0
// as "use 3000", redis-server and docker-registry take it on their command line or in a config.
// (bench/app-instance.mjs keeps its own copy: it runs the compiled lib/ in plain Node, without a
// TypeScript loader.)
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
