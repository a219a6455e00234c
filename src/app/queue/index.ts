// Which queue: REDIS_URL → RedisQueue (BullMQ, shared by every instance), else InMemoryQueue.
import { InMemoryQueue } from "./memory.js";
import { RedisQueue } from "./redis.js";
import type { QueueOptions, ReviewQueue } from "./types.js";

export { InMemoryQueue } from "./memory.js";
export { RedisQueue } from "./redis.js";
export type { RedisQueueOptions } from "./redis.js";
export * from "./types.js";

function intEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === "") return undefined;
  const n = Number.parseInt(v, 10);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

/** The queue the environment asks for: REDIS_URL, BULWARK_CONCURRENCY, BULWARK_JOB_ATTEMPTS, BULWARK_QUEUE_PREFIX. */
export function queueFromEnv(env: NodeJS.ProcessEnv = process.env, base: QueueOptions = {}): ReviewQueue {
  const concurrency = intEnv(env, "BULWARK_CONCURRENCY");
  const attempts = intEnv(env, "BULWARK_JOB_ATTEMPTS");
  const opts: QueueOptions = { ...base, ...(concurrency ? { concurrency } : {}), ...(attempts ? { attempts } : {}) };
  if (env.REDIS_URL) return new RedisQueue({ ...opts, url: env.REDIS_URL, ...(env.BULWARK_QUEUE_PREFIX ? { prefix: env.BULWARK_QUEUE_PREFIX } : {}) });
  return new InMemoryQueue(opts);
}
