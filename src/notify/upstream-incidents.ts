import type { EventEmitter } from 'node:events';
import type { Upstream } from '../shared/upstream-fault.js';
import type { CircuitEvents } from '../upstreams/upstream-circuits.js';
import { describeOpen } from '../upstreams/upstreams.health.js';
import type { Notifier } from './notifier.js';

/** An outage told to the receiver; `closed` while its recovery settles. */
interface Incident {
  label: string;
  since: string;
  closed?: { until: string; timer: NodeJS.Timeout };
}

/**
 * One message when an upstream's circuit opens and one when the outage is over: an outage
 * of OneDev or GitHub is one incident, never a message per mirror or per attempt (its
 * faults cost the mirrors nothing, so they do not fail on their own). The recovery is told
 * once the circuit has stayed closed for `settleMs`: a probe can find the upstream
 * answering while syncs still fail on it (its API up, its git service down), and a circuit
 * that opens again within that time continues the same incident, without a message.
 * `flush` tells the settling recoveries at once (at shutdown).
 */
export function notifyUpstreamIncidents(
  events: EventEmitter<CircuitEvents>,
  notifier: Notifier,
  settleMs: number,
): { flush(): void } {
  const incidents = new Map<Upstream, Incident>();

  function recovered(upstream: Upstream): void {
    const incident = incidents.get(upstream);
    if (!incident?.closed) return;
    clearTimeout(incident.closed.timer);
    incidents.delete(upstream);
    const { label, since } = incident;
    const { until } = incident.closed;
    notifier.send({
      kind: 'upstream.recovered',
      text: `✅ Starbridge: ${label} answers again (unreachable from ${since} to ${until}); the waiting mirrors sync now.`,
      upstream,
      since,
      until,
    });
  }

  events.on('circuit:opened', (event) => {
    const incident = incidents.get(event.upstream);
    if (incident) {
      // Closed a moment ago: the same outage goes on.
      if (incident.closed) clearTimeout(incident.closed.timer);
      incident.closed = undefined;
      return;
    }
    incidents.set(event.upstream, { label: event.label, since: event.since });
    notifier.send({
      kind: 'upstream.unreachable',
      text: `🔌 Starbridge: ${describeOpen({ ...event, lastError: event.error })}; they sync as soon as it answers again.`,
      upstream: event.upstream,
      since: event.since,
      error: event.error,
    });
  });
  events.on('circuit:closed', (event) => {
    const incident = incidents.get(event.upstream);
    if (!incident) return;
    const timer = setTimeout(() => recovered(event.upstream), settleMs);
    timer.unref();
    incident.closed = { until: event.until, timer };
  });

  return {
    flush() {
      for (const upstream of [...incidents.keys()]) recovered(upstream);
    },
  };
}
