import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DbHandle } from '../db/database.js';
import { type BuildInfo, readBuildInfo } from '../shared/build-info.js';
import type { Clock } from '../shared/clock.js';
import { type ChangeDetectionReading, changeDetectionMetrics } from './change-metrics.js';
import { readMirrorGauges } from './metrics.repo.js';
import { type RefreshMetrics, refreshMetrics } from './refresh-metrics.js';

const STATUSES = ['queued', 'syncing', 'synced', 'retrying', 'failed', 'paused'] as const;
const EVENTS = new Set([
  'ping',
  'push',
  'watch',
  'star',
  'repository',
  'installation',
  'installation_repositories',
]);
const SYNC_RESULTS = new Set(['synced', 'unchanged', 'empty', 'retrying', 'failed', 'aborted']);

/** Label values come from outside (event names): anything unknown becomes `other`, so series stay bounded. */
function bounded(value: string, known: Set<string>): string {
  return known.has(value) ? value : 'other';
}

export interface MetricsDeps {
  handle: DbHandle;
  clock: Clock;
  /** GitHub's remaining REST quota, when a GitHub source knows it. */
  rateLimit?: () => Promise<{ remaining: number; limit: number } | null>;
  /** What `starbridge_build_info` reports; read from the package and git when unset. */
  build?: BuildInfo;
  /** Each upstream's circuit, read at scrape time. */
  circuits?: () => Array<{ upstream: string; open: boolean }>;
  /** Change detection's spending and hints, read at scrape time; undefined when it is off. */
  changeDetection?: () => ChangeDetectionReading | undefined;
}

/** Starbridge's Prometheus metrics: counters moved by events, gauges read at scrape time. */
export interface Metrics extends RefreshMetrics {
  /** The registry every Starbridge metric is on (never the global one). */
  registry: Registry;
  /** Counts a webhook delivery by event (bounded to known events) and what became of it. */
  recordDelivery(event: string, outcome: string): void;
  /** Counts a finished sync by result and observes its duration. */
  recordSync(result: string, durationMs: number): void;
  /** Counts a container restart by result (and what its health wait saw, if it waited). */
  recordRestart(result: string, health?: string): void;
  /** Counts one quick retry of a sync's call, by upstream and reason. */
  recordQuickRetry(upstream: string, reason: string): void;
  /** Counts an upstream's circuit opening. */
  recordCircuitOpened(upstream: string): void;
  /** Counts a sync that found OneDev's refs changed behind Starbridge (drift), by whether it restored them. */
  recordDrift(restored: boolean): void;
  /** Counts a git cache removed after CACHE_EXPIRE_AFTER untouched. */
  recordCacheExpired(): void;
  /** The scrape answer in Prometheus' text format. */
  render(): Promise<string>;
  /** The scrape answer's content type. */
  contentType: string;
}

/**
 * Starbridge's Prometheus metrics, on a registry of its own (never the global one, so two
 * instances in one process — tests — do not collide). Counters are moved by the features'
 * events; gauges about mirrors are read from the database at scrape time.
 */
export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  // Unprefixed, as every Node.js dashboard and alert expects (process_*, nodejs_*).
  collectDefaultMetrics({ register: registry });
  const build = deps.build ?? readBuildInfo();
  new Gauge({
    name: 'starbridge_build_info',
    help: 'Always 1; the labels say which version runs, on which Node.js, from which commit.',
    labelNames: ['version', 'node', 'git'] as const,
    registers: [registry],
  }).set({ version: build.version, node: build.node, git: build.git }, 1);
  const deliveries = new Counter({
    name: 'starbridge_webhook_deliveries_total',
    help: 'Webhook deliveries received, by GitHub event and what became of them.',
    labelNames: ['event', 'outcome'] as const,
    registers: [registry],
  });
  const syncs = new Counter({
    name: 'starbridge_syncs_total',
    help: 'Finished syncs by result.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const syncDuration = new Histogram({
    name: 'starbridge_sync_duration_seconds',
    help: 'How long syncs took, by result.',
    labelNames: ['result'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
    registers: [registry],
  });
  const quickRetries = new Counter({
    name: 'starbridge_quick_retries_total',
    help: 'Calls of a sync retried within seconds after a failure that passes, by upstream and reason.',
    labelNames: ['upstream', 'reason'] as const,
    registers: [registry],
  });
  const drift = new Counter({
    name: 'starbridge_drift_total',
    help: "Syncs that found a mirror's refs changed in OneDev by someone else, by whether they restored them.",
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const cachesExpired = new Counter({
    name: 'starbridge_cache_expired_total',
    help: 'Git caches this replica removed after CACHE_EXPIRE_AFTER untouched (the next sync seeds them again from OneDev).',
    registers: [registry],
  });
  const restarts = new Counter({
    name: 'starbridge_container_restarts_total',
    help: 'Container restarts (after syncs and from the API, CLI or dashboard), by result.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const healthWaits = new Counter({
    name: 'starbridge_container_health_waits_total',
    help: 'Health waits after container restarts, by what they saw: healthy, running, crash-looping, unhealthy, timeout.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'starbridge_mirrors',
    help: 'Mirrors by status.',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const { byStatus } = await readMirrorGauges(deps.handle.db);
      for (const status of STATUSES) this.set({ status }, byStatus[status] ?? 0);
    },
  });
  new Gauge({
    name: 'starbridge_mirror_last_success_timestamp_seconds',
    help: 'When each mirror last synced successfully, in Unix seconds (when it was added, if never); paused mirrors are left out. Alert on time() minus this.',
    labelNames: ['repository'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const mirror of (await readMirrorGauges(deps.handle.db)).lastSuccess) {
        const at = Date.parse(mirror.lastSyncedAt ?? mirror.createdAt);
        this.set({ repository: mirror.repository }, Math.floor(at / 1000));
      }
    },
  });
  new Gauge({
    name: 'starbridge_github_rate_limit_remaining',
    help: 'GitHub REST requests left in the current rate-limit window (absent until GitHub was called).',
    registers: [registry],
    async collect() {
      const limit = await deps.rateLimit?.().catch(() => null);
      this.reset();
      if (limit) this.set(limit.remaining);
    },
  });
  const circuitOpens = upstreamCircuitMetrics(registry, deps.circuits);
  changeDetectionMetrics(registry, deps.changeDetection);

  return {
    registry,
    ...refreshMetrics(registry),
    recordDelivery(event: string, outcome: string): void {
      deliveries.inc({ event: bounded(event, EVENTS), outcome });
    },
    recordSync(result: string, durationMs: number): void {
      const label = bounded(result, SYNC_RESULTS);
      syncs.inc({ result: label });
      syncDuration.observe({ result: label }, durationMs / 1000);
    },
    recordQuickRetry(upstream: string, reason: string): void {
      // Reasons are Starbridge's own codes; anything else is folded so series stay bounded.
      quickRetries.inc({ upstream, reason: /^[a-z][a-z_]{0,39}$/.test(reason) ? reason : 'other' });
    },
    recordCircuitOpened(upstream: string): void {
      circuitOpens.inc({ upstream });
    },
    recordDrift(restored: boolean): void {
      drift.inc({ result: restored ? 'restored' : 'found' });
    },
    recordCacheExpired(): void {
      cachesExpired.inc();
    },
    recordRestart(result: string, health?: string): void {
      restarts.inc({ result });
      if (health) healthWaits.inc({ result: health });
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/**
 * `starbridge_upstream_circuit_open` (1 while an upstream fails for every mirror and syncs
 * wait) and the counter of openings; both labelled `upstream="onedev|github"`.
 */
function upstreamCircuitMetrics(
  registry: Registry,
  circuits: MetricsDeps['circuits'],
): Counter<'upstream'> {
  new Gauge({
    name: 'starbridge_upstream_circuit_open',
    help: "Whether the upstream's circuit is open (1): it fails for every mirror, and syncs wait for it without spending attempts.",
    labelNames: ['upstream'] as const,
    registers: [registry],
    collect() {
      for (const circuit of circuits?.() ?? []) {
        this.set({ upstream: circuit.upstream }, circuit.open ? 1 : 0);
      }
    },
  });
  const opens = new Counter({
    name: 'starbridge_upstream_circuit_opens_total',
    help: "Times an upstream's circuit opened (an outage of OneDev or GitHub began).",
    labelNames: ['upstream'] as const,
    registers: [registry],
  });
  for (const upstream of ['onedev', 'github']) opens.inc({ upstream }, 0);
  return opens;
}
