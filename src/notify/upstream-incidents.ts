import type { EventEmitter } from 'node:events';
import type { CircuitEvents } from '../upstreams/upstream-circuits.js';
import { describeOpen } from '../upstreams/upstreams.health.js';
import type { Notifier } from './notifier.js';

/**
 * One message when an upstream's circuit opens and one when it closes: an outage of OneDev
 * or GitHub is one incident, never a message per mirror or per attempt (the faults cost the
 * mirrors nothing while it lasts, so they do not fail on their own).
 */
export function notifyUpstreamIncidents(
  events: EventEmitter<CircuitEvents>,
  notifier: Notifier,
): void {
  events.on('circuit:opened', (event) =>
    notifier.send({
      kind: 'upstream.unreachable',
      text: `🔌 Starbridge: ${describeOpen({ ...event, lastError: event.error })}; they sync as soon as it answers again.`,
      upstream: event.upstream,
      since: event.since,
      error: event.error,
    }),
  );
  events.on('circuit:closed', (event) =>
    notifier.send({
      kind: 'upstream.recovered',
      text: `✅ Starbridge: ${event.label} answers again (unreachable from ${event.since} to ${event.until}); the waiting mirrors sync now.`,
      upstream: event.upstream,
      since: event.since,
      until: event.until,
    }),
  );
}
