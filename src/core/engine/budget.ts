// The per-file time budget of a scan (`limits.maxScanMs`). The engine is synchronous and runs
// rule by rule over all files, so a file cannot be interrupted mid-check; instead every parse and
// every check is charged to its file, and once a file is over budget its remaining checks are
// skipped and the scan reports it (BULWARK-LIMIT) instead of stalling a review on one
// pathological file. The clock is injected: tests drive it, no test measures real time.

export interface OverBudget {
  path: string;
  spentMs: number;
  /** Rule checks not run on the file once it was over budget. */
  skippedChecks: number;
}

export class ScanBudget {
  private readonly spent = new Map<string, number>();
  private readonly skipped = new Map<string, number>();

  constructor(
    private readonly limitMs: number,
    private readonly clock: () => number,
  ) {}

  /** Run `fn` and charge its time to `path` (work that must happen, such as parsing). */
  charge<T>(path: string, fn: () => T): T {
    const started = this.clock();
    try {
      return fn();
    } finally {
      this.spent.set(path, (this.spent.get(path) ?? 0) + Math.max(0, this.clock() - started));
    }
  }

  /** Run `fn` on `path`'s account unless the file is already over budget; false when skipped. */
  run(path: string, fn: () => void): boolean {
    if (this.isOver(path)) {
      this.skipped.set(path, (this.skipped.get(path) ?? 0) + 1);
      return false;
    }
    this.charge(path, fn);
    return true;
  }

  isOver(path: string): boolean {
    return (this.spent.get(path) ?? 0) > this.limitMs;
  }

  /** Files that went over budget, in the order they were first charged. */
  overBudget(): OverBudget[] {
    return [...this.spent].filter(([path]) => this.isOver(path)).map(([path, spentMs]) => ({ path, spentMs, skippedChecks: this.skipped.get(path) ?? 0 }));
  }
}
