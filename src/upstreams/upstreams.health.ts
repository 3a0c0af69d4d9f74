import type { ComponentHealth, HealthProbe } from '../health/health.service.js';
import type { CircuitView, UpstreamCircuits } from './upstream-circuits.js';

/**
 * `/health`'s `upstreams` component: each upstream's circuit (closed or open, since when,
 * the last error, the next probe). Degraded while one is open: no sync that needs it runs.
 */
export function upstreamsHealthProbe(circuits: Pick<UpstreamCircuits, 'views'>): HealthProbe {
  return {
    name: 'upstreams',
    async check(): Promise<ComponentHealth> {
      const views = circuits.views();
      const open = views.filter((view) => view.state === 'open');
      const circuitsShown = Object.fromEntries(views.map((view) => [view.upstream, shown(view)]));
      if (open.length === 0) return { status: 'ok', circuits: circuitsShown };
      return {
        status: 'degraded',
        message: open.map(describeOpen).join('; '),
        circuits: circuitsShown,
      };
    },
  };
}

/** "OneDev unreachable since …": the line /health, the dashboard and the notification share. */
export function describeOpen(view: Pick<CircuitView, 'label' | 'since' | 'lastError'>): string {
  return `${view.label} unreachable since ${view.since} (${view.lastError}); syncs wait without spending attempts`;
}

function shown(view: CircuitView) {
  return {
    state: view.state,
    since: view.since,
    lastError: view.lastError,
    nextProbeAt: view.nextProbeAt,
    consecutiveFaults: view.faults,
    opens: view.opens,
  };
}
