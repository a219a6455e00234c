// One app instance in its own process, for the tests that SIGKILL a worker mid-job
// (test/prod/kill.test.ts): an async function in the test's own process cannot be killed, a
// process can. Environment: BULWARK_TEST_GITHUB (the fake's URL), REDIS_URL, BULWARK_QUEUE_PREFIX.
// Prints "ready <webhook url>" once it listens.
import { RedisQueue } from "../../src/app/queue/index.js";
import { startQueuedServer } from "./support.js";

const { BULWARK_TEST_GITHUB: github, REDIS_URL: url, BULWARK_QUEUE_PREFIX: prefix } = process.env;
if (!github || !url || !prefix) throw new Error("BULWARK_TEST_GITHUB, REDIS_URL and BULWARK_QUEUE_PREFIX are required");
const app = await startQueuedServer(github, (metrics) => new RedisQueue({ url, prefix, concurrency: 1, attempts: 3, backoffMs: 50, lockMs: 2000, lockRetryMs: 30, metrics }));
process.stdout.write(`ready ${app.hook}\n`);
