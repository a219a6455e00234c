// The review job queue: webhook handlers enqueue, workers review. Two backends with one contract:
// InMemoryQueue (default, one process) and RedisQueue (REDIS_URL: BullMQ, several instances).
//
// Idempotency: a job is keyed by subject AND head SHA (`reviewJobId`), and every delivery id is
// remembered for the dedupe window, so a redelivered webhook, or the `pull_request.synchronize` +
// `check_suite.requested` pair GitHub sends for every push, reviews a head once. A forced re-run
// (`rerequested`) gets its own id from its delivery id.

export interface ReviewJobData {
  /** The queue key: `reviewJobId(subject, headSha)` or, for forced re-runs, `rerunJobId(...)`. */
  id: string;
  deliveryId: string;
  /** Webhook event name ("pull_request") and its payload, as verified by Probot. */
  name: string;
  payload: Record<string, unknown>;
  /** "owner/repo#number" or "owner/repo@merge-group". */
  subject: string;
  headSha: string;
  force: boolean;
  installationId?: number;
  /** Date.now() at enqueue. */
  enqueuedAt: number;
}

/** What a shared queue tells the runner about one run of a job. */
export interface JobControl {
  /**
   * Aborted when this instance no longer owns the job (its lock was lost, or the worker is being
   * closed without waiting): the runner must stop writing to GitHub, another instance carries on.
   */
  signal: AbortSignal;
  /** The job was interrupted before (its worker died or stalled): resume what it left, e.g. its check run. */
  takeover: boolean;
}

/** What a worker does with a job: `finished: false` means the review failed and should be retried. */
export type JobRunner = (job: ReviewJobData, attempt: number, control?: JobControl) => Promise<{ finished: boolean; detail?: string }>;

export type EnqueueResult = { queued: true } | { queued: false; reason: "duplicate-delivery" | "duplicate-job" };

export interface QueueStats {
  waiting: number;
  running: number;
  /** Highest number of jobs that ran at once in this instance. */
  maxRunning: number;
  completed: number;
  dead: number;
}

export interface DeadLetter {
  job: ReviewJobData;
  attempts: number;
  error: string;
  at: number;
}

export interface ReviewQueue {
  readonly kind: "memory" | "redis";
  /** Start working (once). */
  start(runner: JobRunner): Promise<void>;
  enqueue(job: ReviewJobData): Promise<EnqueueResult>;
  /** Ready to take and run work (Redis: a ping answered). */
  ready(): Promise<{ ok: boolean; detail: string }>;
  /** Resolves when nothing is waiting, running or scheduled for retry (this instance's view; Redis: the shared queue). */
  idle(timeoutMs?: number): Promise<void>;
  stats(): QueueStats;
  deadLetters(): Promise<DeadLetter[]>;
  /**
   * Run `task` every `everyMs` on one instance of all that share the queue (Redis: a repeatable
   * job). Absent for the in-process queue: one process runs its own timer.
   */
  repeat?(name: string, everyMs: number, task: () => Promise<unknown>): Promise<void>;
  close(): Promise<void>;
}

export interface QueueLog {
  info: (obj: object, msg: string) => void;
  warn: (obj: object, msg: string) => void;
  error: (obj: object, msg: string) => void;
}

export interface QueueOptions {
  /** Jobs run at once in this instance (default 4). */
  concurrency?: number;
  /** Attempts per job before it is dead-lettered (default 3). */
  attempts?: number;
  /** First retry delay; doubles each attempt (default 1000 ms). */
  backoffMs?: number;
  /** How long a reviewed head / seen delivery suppresses a duplicate (default 10 min). */
  dedupeWindowMs?: number;
  log?: QueueLog;
  /** Metrics sink (the app passes its BulwarkMetrics). */
  metrics?: QueueMetrics;
}

/** The subset of BulwarkMetrics the queues use. */
export interface QueueMetrics {
  jobs: { inc(labels: { state: string }): void };
  jobsRunning: { inc(): void; dec(): void };
  jobsWaiting: { set(n: number): void };
  queueWait: { observe(seconds: number): void };
}

/** BullMQ 6 refuses custom ids with one ':' (it reserves a:b:c for repeatable jobs), so the separator is '/'. */
export function reviewJobId(subject: string, headSha: string): string {
  return `review/${subject}@${headSha}`;
}

export function rerunJobId(subject: string, headSha: string, deliveryId: string): string {
  return `rerun/${deliveryId}/${subject}@${headSha}`;
}

export const silentQueueLog: QueueLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
