// The in-process queue (the default without REDIS_URL): bounded concurrency, one job at a time per
// subject (two pushes to one pull request never race; the later one waits), retries with
// exponential back-off, dead letters kept in memory and counted. Jobs are lost if the process dies:
// GitHub does not redeliver, so run with REDIS_URL where that matters.
import type { DeadLetter, EnqueueResult, JobRunner, QueueOptions, QueueStats, ReviewJobData, ReviewQueue } from "./types.js";
import { silentQueueLog } from "./types.js";

interface Pending {
  job: ReviewJobData;
  attempt: number;
}

export class InMemoryQueue implements ReviewQueue {
  readonly kind = "memory" as const;
  private runner?: JobRunner;
  private readonly pending: Pending[] = [];
  private readonly runningSubjects = new Set<string>();
  private readonly active = new Set<string>(); // job ids waiting, running or scheduled for retry
  private readonly done = new Map<string, number>(); // job id → finished at
  private readonly deliveries = new Map<string, number>();
  private readonly dead: DeadLetter[] = [];
  private running = 0;
  private retrying = 0;
  private maxRunning = 0;
  private completed = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly concurrency: number;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly windowMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly opts: QueueOptions = {}) {
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.attempts = Math.max(1, opts.attempts ?? 3);
    this.backoffMs = opts.backoffMs ?? 1000;
    this.windowMs = opts.dedupeWindowMs ?? 10 * 60 * 1000;
  }

  async start(runner: JobRunner): Promise<void> {
    this.runner = runner;
    this.pump();
  }

  private sweep(now: number): void {
    for (const m of [this.done, this.deliveries]) for (const [k, at] of m) if (at < now - this.windowMs) m.delete(k);
  }

  async enqueue(job: ReviewJobData): Promise<EnqueueResult> {
    const now = Date.now();
    this.sweep(now);
    const log = this.opts.log ?? silentQueueLog;
    if (this.deliveries.has(job.deliveryId)) {
      this.opts.metrics?.jobs.inc({ state: "duplicate" });
      log.info({ jobId: job.id, deliveryId: job.deliveryId }, "duplicate delivery, not queued");
      return { queued: false, reason: "duplicate-delivery" };
    }
    this.deliveries.set(job.deliveryId, now);
    if (this.active.has(job.id) || this.done.has(job.id)) {
      this.opts.metrics?.jobs.inc({ state: "duplicate" });
      log.info({ jobId: job.id, deliveryId: job.deliveryId }, "head already queued or reviewed, not queued");
      return { queued: false, reason: "duplicate-job" };
    }
    this.active.add(job.id);
    this.pending.push({ job, attempt: 1 });
    this.opts.metrics?.jobs.inc({ state: "queued" });
    this.opts.metrics?.jobsWaiting.set(this.pending.length);
    this.pump();
    return { queued: true };
  }

  private pump(): void {
    if (!this.runner || this.closed) return;
    while (this.running < this.concurrency) {
      const i = this.pending.findIndex((p) => !this.runningSubjects.has(p.job.subject));
      if (i < 0) break;
      const [p] = this.pending.splice(i, 1);
      void this.runOne(p);
    }
    this.opts.metrics?.jobsWaiting.set(this.pending.length);
    this.checkIdle();
  }

  private async runOne(p: Pending): Promise<void> {
    const runner = this.runner!;
    const log = this.opts.log ?? silentQueueLog;
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.runningSubjects.add(p.job.subject);
    this.opts.metrics?.jobs.inc({ state: "started" });
    this.opts.metrics?.jobsRunning.inc();
    if (p.attempt === 1) this.opts.metrics?.queueWait.observe((Date.now() - p.job.enqueuedAt) / 1000);
    let error: string | undefined;
    try {
      const r = await runner(p.job, p.attempt);
      if (!r.finished) error = r.detail ?? "review did not finish";
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    } finally {
      this.running--;
      this.runningSubjects.delete(p.job.subject);
      this.opts.metrics?.jobsRunning.dec();
    }
    // Every failed attempt counts as "failed" (as RedisQueue counts it), then as "retried" or "dead".
    if (error !== undefined) this.opts.metrics?.jobs.inc({ state: "failed" });
    if (error === undefined) {
      this.completed++;
      this.active.delete(p.job.id);
      this.done.set(p.job.id, Date.now());
      this.opts.metrics?.jobs.inc({ state: "completed" });
    } else if (p.attempt < this.attempts && !this.closed) {
      const delay = this.backoffMs * 2 ** (p.attempt - 1);
      this.opts.metrics?.jobs.inc({ state: "retried" });
      log.warn({ jobId: p.job.id, deliveryId: p.job.deliveryId, attempt: p.attempt, retryInMs: delay, error }, "review job failed, retrying");
      this.retrying++;
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.retrying--;
        this.pending.push({ job: p.job, attempt: p.attempt + 1 });
        this.pump();
      }, delay);
      this.timers.add(t);
    } else {
      this.active.delete(p.job.id);
      // A redelivery of a dead job's delivery may try again.
      this.deliveries.delete(p.job.deliveryId);
      this.dead.push({ job: p.job, attempts: p.attempt, error, at: Date.now() });
      if (this.dead.length > 1000) this.dead.shift();
      this.opts.metrics?.jobs.inc({ state: "dead" });
      log.error({ jobId: p.job.id, deliveryId: p.job.deliveryId, attempts: p.attempt, error }, "review job dead-lettered");
    }
    this.pump();
  }

  private checkIdle(): void {
    if (this.pending.length === 0 && this.running === 0 && this.retrying === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  async ready(): Promise<{ ok: boolean; detail: string }> {
    return { ok: !this.closed && this.runner !== undefined, detail: this.closed ? "closed" : this.runner ? "in-process" : "not started" };
  }

  idle(timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`queue not idle after ${timeoutMs} ms`)), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
      this.checkIdle();
    });
  }

  stats(): QueueStats {
    return { waiting: this.pending.length, running: this.running, maxRunning: this.maxRunning, completed: this.completed, dead: this.dead.length };
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return [...this.dead];
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
