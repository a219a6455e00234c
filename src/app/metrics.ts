// Prometheus metrics of one app instance (prom-client, its own Registry: two instances in one
// process — tests, the benchmark — do not collide). Served as text at /metrics (src/app/health.ts).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ReviewOutcome } from "../github/review.js";
import type { RegistryResponse } from "../updates/datasource/http.js";

export interface MetricsOptions {
  /** Also export Node process metrics (CPU, RSS, event-loop lag, GC); default false. */
  processMetrics?: boolean;
  /** Constant labels on every series (e.g. `{ instance: "a" }`). */
  labels?: Record<string, string>;
}

export class BulwarkMetrics {
  readonly registry = new Registry();
  /** Verified deliveries that reached a Bulwark handler, by event ("pull_request.opened"). */
  readonly webhooks: Counter<"event">;
  /** Job transitions: queued, duplicate (not queued again), started, completed, retried, failed (one attempt), dead (all attempts failed). */
  readonly jobs: Counter<"state">;
  readonly jobsRunning: Gauge;
  readonly jobsWaiting: Gauge;
  /** Wall time of one review, by outcome status. */
  readonly reviewDuration: Histogram<"status">;
  /** Time from enqueue to the start of the job. */
  readonly queueWait: Histogram;
  /** Requests of the review clients to GitHub, by method and status (0: no answer). */
  readonly githubRequests: Counter<"method" | "status">;
  /** The last `x-ratelimit-remaining` seen, by installation. */
  readonly rateLimitRemaining: Gauge<"installation">;
  /** Findings of finished reviews, by kind (introduced, pre-existing, suppressed). */
  readonly findings: Counter<"kind">;
  /** Active findings of finished reviews by severity and kind (introduced, pre-existing). */
  readonly findingsBySeverity: Counter<"severity" | "kind">;
  /** Requests to container registries and chart repositories (update runs), by host and status (0: no answer). */
  readonly registryRequests: Counter<"registry" | "status">;
  /** The last rate-limit remaining a registry announced (Docker Hub's `ratelimit-remaining`), by host. */
  readonly registryRateLimitRemaining: Gauge<"registry">;

  constructor(opts: MetricsOptions = {}) {
    const registers = [this.registry];
    if (opts.labels) this.registry.setDefaultLabels(opts.labels);
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry });
    this.webhooks = new Counter({ name: "bulwark_webhooks_received_total", help: "Webhook deliveries handled, by event", labelNames: ["event"], registers });
    this.jobs = new Counter({ name: "bulwark_jobs_total", help: "Review jobs by transition (queued, duplicate, started, completed, retried, failed, dead)", labelNames: ["state"], registers });
    this.jobsRunning = new Gauge({ name: "bulwark_jobs_running", help: "Review jobs running in this instance", registers });
    this.jobsWaiting = new Gauge({ name: "bulwark_jobs_waiting", help: "Review jobs waiting (in-process queue: this instance; Redis: sampled from the shared queue)", registers });
    this.reviewDuration = new Histogram({
      name: "bulwark_review_duration_seconds",
      help: "Wall time of one review",
      labelNames: ["status"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.queueWait = new Histogram({ name: "bulwark_queue_wait_seconds", help: "Time from enqueue to job start", buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120], registers });
    this.githubRequests = new Counter({ name: "bulwark_github_requests_total", help: "GitHub API requests of the review clients", labelNames: ["method", "status"], registers });
    this.rateLimitRemaining = new Gauge({ name: "bulwark_github_rate_limit_remaining", help: "Last x-ratelimit-remaining seen", labelNames: ["installation"], registers });
    this.findings = new Counter({ name: "bulwark_findings_total", help: "Findings of finished reviews", labelNames: ["kind"], registers });
    this.findingsBySeverity = new Counter({ name: "bulwark_findings_by_severity_total", help: "Active findings of finished reviews by severity", labelNames: ["severity", "kind"], registers });
    this.registryRequests = new Counter({ name: "bulwark_registry_requests_total", help: "Registry and chart-repository requests of update runs", labelNames: ["registry", "status"], registers });
    this.registryRateLimitRemaining = new Gauge({ name: "bulwark_registry_rate_limit_remaining", help: "Last rate-limit remaining a registry announced", labelNames: ["registry"], registers });
  }

  /** Observe one GitHub response (or failure without one: status 0). */
  observeGitHub(method: string, status: number, headers: Record<string, string | number | undefined> | undefined, installation: string): void {
    this.githubRequests.inc({ method: method.toUpperCase(), status: String(status) });
    const remaining = headers?.["x-ratelimit-remaining"];
    if (remaining !== undefined && remaining !== "") {
      const n = Number(remaining);
      if (Number.isFinite(n)) this.rateLimitRemaining.set({ installation }, n);
    }
  }

  /** Observe one finished review: duration and findings. */
  observeReview(outcome: ReviewOutcome, seconds: number): void {
    this.reviewDuration.observe({ status: outcome.status }, seconds);
    const f = outcome.findings;
    this.findings.inc({ kind: "introduced" }, f.introduced);
    this.findings.inc({ kind: "pre-existing" }, f.preExisting);
    this.findings.inc({ kind: "suppressed" }, f.suppressed);
    for (const [kind, counts] of [["introduced", f.bySeverity?.introduced], ["pre-existing", f.bySeverity?.preExisting]] as const) {
      for (const [severity, n] of Object.entries(counts ?? {})) if (n) this.findingsBySeverity.inc({ severity, kind }, n);
    }
  }

  /** Observe one registry response (update runs). */
  observeRegistry(r: RegistryResponse): void {
    this.registryRequests.inc({ registry: r.host, status: String(r.status) });
    if (r.rateLimitRemaining !== undefined) this.registryRateLimitRemaining.set({ registry: r.host }, r.rateLimitRemaining);
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
