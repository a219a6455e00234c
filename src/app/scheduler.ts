// One review at a time per pull request, and no second review of the same head commit when two
// events ask for it (`pull_request.synchronize` and `check_suite.requested` arrive together for
// every push) or when GitHub redelivers an event. A re-run requested by a user (`rerequested`)
// always runs, after any review of the same pull request in flight. In-process only: with several
// app replicas, the fingerprint markers and the head check still prevent duplicate comments.

export interface ReviewKey {
  /** "owner/repo#number" or "owner/repo@merge-group". */
  subject: string;
  headSha: string;
}

export interface ScheduleOptions {
  /** Run even if this head was reviewed recently (re-run requests). */
  force: boolean;
  /** Delivery id (`x-github-delivery`): a redelivered event is not processed twice. */
  deliveryId?: string;
}

export type ScheduleResult<T> = { ran: true; value: T } | { ran: false; reason: "duplicate-delivery" | "already-reviewed" | "in-progress" };

interface Entry {
  at: number;
}

export class ReviewScheduler {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly done = new Map<string, Entry>();
  private readonly inFlight = new Map<string, number>();
  private readonly deliveries = new Map<string, Entry>();

  constructor(
    /** How long a finished review suppresses another one of the same head (ms). */
    private readonly windowMs = 10 * 60 * 1000,
    private readonly now: () => number = Date.now,
  ) {}

  private sweep(): void {
    const limit = this.now() - this.windowMs;
    for (const m of [this.done, this.deliveries]) for (const [k, e] of m) if (e.at < limit) m.delete(k);
  }

  /**
   * Run `job` unless it duplicates a review in flight or done within the window. `job` returns
   * true when it finished (so that a failed review can be redelivered and retried).
   */
  async schedule<T>(key: ReviewKey, opts: ScheduleOptions, job: () => Promise<{ value: T; finished: boolean }>): Promise<ScheduleResult<T>> {
    this.sweep();
    const headKey = `${key.subject}@${key.headSha}`;
    if (opts.deliveryId && this.deliveries.has(opts.deliveryId)) return { ran: false, reason: "duplicate-delivery" };
    if (!opts.force) {
      if (this.inFlight.has(headKey)) return { ran: false, reason: "in-progress" };
      if (this.done.has(headKey)) return { ran: false, reason: "already-reviewed" };
    }
    this.inFlight.set(headKey, (this.inFlight.get(headKey) ?? 0) + 1);
    const previous = this.tails.get(key.subject) ?? Promise.resolve();
    const run = previous.then(
      () => job(),
      () => job(),
    );
    const tail = run.catch(() => undefined);
    this.tails.set(key.subject, tail);
    try {
      const { value, finished } = await run;
      if (finished) {
        this.done.set(headKey, { at: this.now() });
        if (opts.deliveryId) this.deliveries.set(opts.deliveryId, { at: this.now() });
      }
      return { ran: true, value };
    } finally {
      const n = (this.inFlight.get(headKey) ?? 1) - 1;
      if (n > 0) this.inFlight.set(headKey, n);
      else this.inFlight.delete(headKey);
      if (this.tails.get(key.subject) === tail) this.tails.delete(key.subject);
    }
  }
}
