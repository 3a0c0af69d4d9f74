import type { EventEmitter } from 'node:events';
import type { Hono } from 'hono';
import type { ContainerEvents } from '../containers/containers.events.js';
import type { DbHandle } from '../db/database.js';
import type { SourcesStatus } from '../github/sources.types.js';
import type { ChangeDetectionReading } from '../metrics/change-metrics.js';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import { metricsRoutes } from '../metrics/metrics.routes.js';
import type { Clock } from '../shared/clock.js';
import type { SourcesEvents } from '../sources/sources.events.js';
import { syncSucceeded } from '../sync/sync.events.js';
import type { SyncWorker } from '../sync/sync.worker.js';
import type { UpstreamCircuits } from '../upstreams/upstream-circuits.js';

/** Connects the metrics to the features that move them, and serves `/metrics`. */
export function wireMetrics(deps: {
  handle: DbHandle;
  clock: Clock;
  worker: SyncWorker | undefined;
  containerEvents: EventEmitter<ContainerEvents>;
  sources: {
    status(): Promise<SourcesStatus>;
    events?: Pick<SourcesEvents, 'on'>;
    changes?: { stats(): ChangeDetectionReading } | undefined;
  };
  token?: string;
  circuits: Pick<UpstreamCircuits, 'views' | 'events'>;
}): { metrics: Metrics; routes: Hono } {
  const metrics = createMetrics({
    handle: deps.handle,
    clock: deps.clock,
    rateLimit: async () => (await deps.sources.status()).rateLimit,
    changeDetection: () => deps.sources.changes?.stats(),
    circuits: () =>
      deps.circuits
        .views()
        .map((view) => ({ upstream: view.upstream, open: view.state === 'open' })),
  });
  deps.circuits.events.on('circuit:opened', (event) => metrics.recordCircuitOpened(event.upstream));
  deps.worker?.events.on('sync:finished', (event) =>
    metrics.recordSync(event.result, event.durationMs),
  );
  deps.worker?.events.on('sync:finished', (event) => {
    if (syncSucceeded(event) && event.detail.drift)
      metrics.recordDrift(event.detail.drift.restored);
  });
  deps.worker?.events.on('sync:quick-retry', (event) =>
    metrics.recordQuickRetry(event.upstream, event.reason),
  );
  deps.sources.events?.on('refresh:finished', (tick) =>
    metrics.recordRefreshTick(tick.admitted ?? tick.checked, tick.deferred ?? 0),
  );
  deps.sources.events?.on('refresh:scheduled', (visit) =>
    metrics.recordRefreshInterval(visit.outcome, visit.everyMs),
  );
  deps.containerEvents.on('container:restarted', (event) =>
    metrics.recordRestart(event.result, event.health),
  );
  return { metrics, routes: metricsRoutes(metrics, deps.token) };
}
