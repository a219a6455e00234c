// The shared queue (REDIS_URL): BullMQ on Redis; every app instance enqueues and works.
//
//  - Idempotency across instances: the delivery id and then the job id `reviewJobId(subject, headSha)`
//    are claimed with SET NX PX (dedupe window) before the job is added under that BullMQ jobId.
//  - Per-PR serialisation: BullMQ OSS has no groups (a Pro feature), so a job takes a per-subject
//    lock (SET NX PX, renewed while it runs, released by compare-and-delete); when another instance
//    holds it, the job goes back to the delayed set (DelayedError: not an attempt) and tries again.
//  - Retries: `attempts` with exponential back-off; a job that failed them all is dead-lettered:
//    logged, counted, recorded in the list `<prefix>:dead` (newest first, 1,000 kept), and its
//    delivery forgotten so a manual redelivery can try again.
//  - A worker that dies mid-job: BullMQ's stalled-job check (lockDuration) hands the job to another
//    instance; the per-PR lock expires after `lockMs` without renewal. The new run is told it is a
//    takeover (it resumes the dead run's check run) and a run that finds its lock gone is aborted
//    (its writes refused), so a partitioned or paused instance cannot post a second review.
//  - Redis down: commands wait for the reconnection (maxRetriesPerRequest: null); /readyz says 503.
//    Run Redis with persistence (AOF) or jobs waiting in it are lost when it restarts.
import { randomUUID } from "node:crypto";
import { DelayedError, Queue, Worker } from "bullmq";
import type { Job } from "bullmq";
import { Redis } from "ioredis";
import type { DeadLetter, EnqueueResult, JobRunner, QueueOptions, QueueStats, ReviewJobData, ReviewQueue } from "./types.js";
import { silentQueueLog } from "./types.js";

export interface RedisQueueOptions extends QueueOptions {
  url: string;
  /** Key prefix (default "bulwark"); tests use one per run. */
  prefix?: string;
  /** BullMQ queue name (default "reviews"). */
  name?: string;
  /** Job lock of BullMQ and the per-PR lock, ms (default 30 s); a dead worker's job moves on after it. */
  lockMs?: number;
  /** Retry delay when another instance holds the pull request's lock (default 250 ms, jittered). */
  lockRetryMs?: number;
}

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

export class RedisQueue implements ReviewQueue {
  readonly kind = "redis" as const;
  private readonly queue: Queue<ReviewJobData>;
  private worker?: Worker<ReviewJobData>;
  /** Repeatable tasks (scheduled update runs): their own queue, so a long task never holds up a review. */
  private scheduled?: { queue: Queue; worker: Worker };
  private readonly tasks = new Map<string, () => Promise<unknown>>();
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly name: string;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly windowMs: number;
  private readonly lockMs: number;
  private readonly lockRetryMs: number;
  /** One per running job: aborted when the job is no longer this instance's (lost lock, forced close). */
  private readonly controllers = new Set<AbortController>();
  private running = 0;
  private maxRunning = 0;
  private completed = 0;
  private dead = 0;

  constructor(private readonly opts: RedisQueueOptions) {
    this.prefix = opts.prefix ?? "bulwark";
    this.name = opts.name ?? "reviews";
    this.attempts = Math.max(1, opts.attempts ?? 3);
    this.backoffMs = opts.backoffMs ?? 1000;
    this.windowMs = opts.dedupeWindowMs ?? 10 * 60 * 1000;
    this.lockMs = opts.lockMs ?? 30_000;
    this.lockRetryMs = opts.lockRetryMs ?? 250;
    this.redis = this.connection();
    this.queue = new Queue<ReviewJobData>(this.name, { connection: this.connection(), prefix: this.prefix });
    this.queue.on("error", (err) => this.log.warn({ err: err.message }, "queue connection error"));
  }

  private get log() {
    return this.opts.log ?? silentQueueLog;
  }

  private connection(): Redis {
    const r = new Redis(this.opts.url, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(50 * n, 1000), lazyConnect: false });
    r.on("error", () => undefined); // reported through ready() and the BullMQ error events
    return r;
  }

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  async start(runner: JobRunner): Promise<void> {
    if (this.worker) return;
    this.worker = new Worker<ReviewJobData>(this.name, (job, token) => this.process(runner, job, token), {
      connection: this.connection(),
      prefix: this.prefix,
      concurrency: Math.max(1, this.opts.concurrency ?? 4),
      lockDuration: this.lockMs,
      stalledInterval: Math.max(500, Math.floor(this.lockMs / 2)),
      maxStalledCount: 2,
    });
    this.worker.on("error", (err) => this.log.warn({ err: err.message }, "worker connection error"));
    this.worker.on("failed", (job, err) => {
      if (!job) return;
      if (err instanceof DelayedError || err.name === "DelayedError") return;
      this.opts.metrics?.jobs.inc({ state: "failed" });
      if (job.attemptsMade >= this.attempts) void this.deadLetter(job, err.message);
      else {
        this.opts.metrics?.jobs.inc({ state: "retried" });
        this.log.warn({ jobId: job.id, deliveryId: job.data.deliveryId, attempt: job.attemptsMade, error: err.message }, "review job failed, retrying");
      }
    });
    this.worker.on("completed", () => {
      this.completed++;
      this.opts.metrics?.jobs.inc({ state: "completed" });
    });
    await this.worker.waitUntilReady();
  }

  private async deadLetter(job: Job<ReviewJobData>, error: string): Promise<void> {
    this.dead++;
    this.opts.metrics?.jobs.inc({ state: "dead" });
    this.log.error({ jobId: job.id, deliveryId: job.data.deliveryId, attempts: job.attemptsMade, error }, "review job dead-lettered");
    const record: DeadLetter = { job: job.data, attempts: job.attemptsMade, error, at: Date.now() };
    await this.redis.multi().lpush(this.key("dead"), JSON.stringify(record)).ltrim(this.key("dead"), 0, 999).del(this.key("delivery", job.data.deliveryId)).del(this.key("job", job.data.id)).exec();
  }

  private async process(runner: JobRunner, job: Job<ReviewJobData>, token: string | undefined): Promise<string> {
    const lockKey = this.key("pr-lock", job.data.subject);
    const owner = `${job.id}/${randomUUID()}`;
    const got = await this.redis.set(lockKey, owner, "PX", this.lockMs, "NX");
    if (got !== "OK") {
      // Another instance reviews this pull request: come back shortly (not an attempt).
      await job.moveToDelayed(Date.now() + this.lockRetryMs + Math.floor(Math.random() * this.lockRetryMs), token);
      throw new DelayedError();
    }
    const control = new AbortController();
    this.controllers.add(control);
    // A renewal that finds the lock gone (expired while Redis was unreachable or this process was
    // paused) means another instance may own the pull request now: stop writing.
    const renew = setInterval(() => {
      this.redis
        .eval(EXTEND, 1, lockKey, owner, String(this.lockMs))
        .then((kept) => {
          if (kept === 0 && !control.signal.aborted) {
            this.log.warn({ jobId: job.id, deliveryId: job.data.deliveryId }, "lost the pull request's lock; stopping this run's writes");
            control.abort(new Error("this instance lost the pull request's lock"));
          }
        })
        .catch(() => undefined);
    }, Math.max(200, Math.floor(this.lockMs / 3)));
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.opts.metrics?.jobs.inc({ state: "started" });
    this.opts.metrics?.jobsRunning.inc();
    if (job.attemptsMade === 0) this.opts.metrics?.queueWait.observe((Date.now() - job.data.enqueuedAt) / 1000);
    try {
      const r = await runner(job.data, job.attemptsMade + 1, { signal: control.signal, takeover: job.attemptsMade > 0 || job.stalledCounter > 0 });
      if (!r.finished) throw new Error(r.detail ?? "review did not finish");
      return "done";
    } finally {
      clearInterval(renew);
      this.controllers.delete(control);
      this.running--;
      this.opts.metrics?.jobsRunning.dec();
      await this.redis.eval(RELEASE, 1, lockKey, owner).catch(() => undefined);
    }
  }

  /**
   * Run `task` every `everyMs` on exactly one of the instances sharing this Redis: a BullMQ job
   * scheduler (upserted by every instance with the same id, so there is one schedule, not one per
   * instance); each occurrence is a job that one worker takes. The first run comes when the
   * schedule is first created (or its interval changed); restarting an instance adds no run.
   */
  async repeat(name: string, everyMs: number, task: () => Promise<unknown>): Promise<void> {
    this.tasks.set(name, task);
    if (!this.scheduled) {
      const queueName = `${this.name}-scheduled`;
      const queue = new Queue(queueName, { connection: this.connection(), prefix: this.prefix });
      queue.on("error", (err) => this.log.warn({ err: err.message }, "scheduled-task queue connection error"));
      const worker = new Worker(
        queueName,
        async (job) => {
          const run = this.tasks.get(job.name);
          if (!run) return `no task "${job.name}" in this instance`;
          this.log.info({ task: job.name, jobId: job.id }, "scheduled task started");
          await run();
          return "done";
        },
        { connection: this.connection(), prefix: this.prefix, concurrency: 1, lockDuration: Math.max(this.lockMs, 30_000) },
      );
      worker.on("error", (err) => this.log.warn({ err: err.message }, "scheduled-task worker connection error"));
      worker.on("failed", (job, err) => this.log.error({ task: job?.name, jobId: job?.id, error: err.message }, "scheduled task failed"));
      this.scheduled = { queue, worker };
      await worker.waitUntilReady();
    }
    await this.scheduled.queue.upsertJobScheduler(name, { every: everyMs }, { name, opts: { attempts: 1, removeOnComplete: 50, removeOnFail: 50 } });
  }

  async enqueue(job: ReviewJobData): Promise<EnqueueResult> {
    const claimed = await this.redis.set(this.key("delivery", job.deliveryId), job.id, "PX", this.windowMs, "NX");
    if (claimed !== "OK") {
      this.opts.metrics?.jobs.inc({ state: "duplicate" });
      this.log.info({ jobId: job.id, deliveryId: job.deliveryId }, "duplicate delivery, not queued");
      return { queued: false, reason: "duplicate-delivery" };
    }
    // The head: claimed once per window across instances (BullMQ's add with an existing jobId is a
    // silent no-op that does not say so, hence the explicit claim).
    const jobClaimed = await this.redis.set(this.key("job", job.id), job.deliveryId, "PX", this.windowMs, "NX");
    if (jobClaimed !== "OK") {
      this.opts.metrics?.jobs.inc({ state: "duplicate" });
      this.log.info({ jobId: job.id, deliveryId: job.deliveryId }, "head already queued or reviewed, not queued");
      return { queued: false, reason: "duplicate-job" };
    }
    const existing = await this.queue.getJob(job.id);
    if (existing && (await existing.getState()) === "failed") await existing.retry("failed");
    else
      await this.queue.add("review", job, {
        jobId: job.id,
        attempts: this.attempts,
        backoff: { type: "exponential", delay: this.backoffMs },
        removeOnComplete: { age: Math.ceil(this.windowMs / 1000) },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
    this.opts.metrics?.jobs.inc({ state: "queued" });
    return { queued: true };
  }

  async ready(): Promise<{ ok: boolean; detail: string }> {
    if (this.redis.status !== "ready") return { ok: false, detail: `redis ${this.redis.status}` };
    const pong = await Promise.race([this.redis.ping(), new Promise<string>((r) => setTimeout(() => r("timeout"), 1000))]);
    return pong === "PONG" ? { ok: true, detail: "redis" } : { ok: false, detail: `redis ping ${pong}` };
  }

  /** Counts of the shared queue. */
  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts("waiting", "active", "delayed", "completed", "failed", "prioritized", "waiting-children");
  }

  async idle(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const c = await this.counts();
      const open = (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
      this.opts.metrics?.jobsWaiting.set((c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0));
      if (open === 0) return;
      if (Date.now() > until) throw new Error(`queue not idle after ${timeoutMs} ms: ${JSON.stringify(c)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  stats(): QueueStats {
    return { waiting: 0, running: this.running, maxRunning: this.maxRunning, completed: this.completed, dead: this.dead };
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return (await this.redis.lrange(this.key("dead"), 0, -1)).map((s) => JSON.parse(s) as DeadLetter);
  }

  /** Stop working; with `force`, without waiting for running jobs (they become stalled and move on). */
  async close(force = false): Promise<void> {
    // Bounded: with Redis unreachable, BullMQ's close would wait for the reconnection.
    const bounded = (p: Promise<unknown> | undefined) => Promise.race([p?.catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
    // Jobs left running become stalled and move to another instance: this one must not write any more.
    if (force) for (const c of this.controllers) c.abort(new Error("the worker was closed; the job moves to another instance"));
    await bounded(this.worker?.close(force));
    await bounded(this.scheduled?.worker.close(force));
    await bounded(this.scheduled?.queue.close());
    await bounded(this.queue.close());
    this.redis.disconnect();
  }
}
