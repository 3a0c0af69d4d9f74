import type { EventEmitter } from 'node:events';
import type { Config } from '../config/config.js';
import type { ContainerEvents } from '../containers/containers.events.js';
import type { DbHandle } from '../db/database.js';
import { createIncidentTracker } from '../notify/incidents.js';
import { recordNotification } from '../notify/notifications.repo.js';
import { createNotifier } from '../notify/notifier.js';
import { previousSettledRun, readFailedErrorCodes } from '../notify/notify.repo.js';
import { notifyUpstreamIncidents } from '../notify/upstream-incidents.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { SourcesEvents } from '../sources/sources.events.js';
import type { SyncWorker } from '../sync/sync.worker.js';
import type { CircuitEvents } from '../upstreams/upstream-circuits.js';

/**
 * Sends NOTIFY_URL a message for each incident: mirrors failing and recovering, rejected
 * tokens and other source alerts, unstar deletions, failed container restarts, outages of
 * OneDev or GitHub (an upstream's circuit opening and closing).
 * Returns how to let pending messages go out at shutdown; nothing when NOTIFY_URL is unset.
 */
export async function startNotifications(
  settings: Config['notify'],
  deps: {
    handle: DbHandle;
    clock: Clock;
    log: Logger;
    worker: SyncWorker | undefined;
    containerEvents: EventEmitter<ContainerEvents>;
    sourcesEvents: SourcesEvents;
    /** The upstream circuits' openings and closings: one incident per outage. */
    circuitEvents?: EventEmitter<CircuitEvents>;
    /** How long a closed circuit stays closed before its recovery is told; 30 s unless given. */
    circuitSettleMs?: number;
  },
): Promise<((graceMs: number) => Promise<void>) | undefined> {
  if (!settings.url) return undefined;
  const notifier = createNotifier({
    url: settings.url,
    secret: settings.secret,
    format: settings.format,
    clock: deps.clock,
    log: deps.log,
    channel: settings.format === 'ntfy' ? 'ntfy' : 'webhook',
    record: (attempt) => recordNotification(deps.handle.db, attempt),
  });
  const tracker = createIncidentTracker(notifier, {
    previousRun: (githubId, run) => previousSettledRun(deps.handle.db, githubId, run),
    openCodesAtStart: await readFailedErrorCodes(deps.handle.db),
  });
  deps.worker?.events.on('sync:finished', (event) =>
    tracker
      .onSyncFinished(event)
      .catch((error: unknown) =>
        deps.log.warn({ err: error, repo: event.fullName }, 'could not tell a sync incident'),
      ),
  );
  deps.sourcesEvents.on('alert', (alert) =>
    notifier.send({ kind: `alert.${alert.kind}`, text: `⚠️ Starbridge: ${alert.message}` }),
  );
  deps.sourcesEvents.on('notice', (notice) =>
    notifier.send({
      kind: `notice.${notice.kind}`,
      text: `ℹ️ Starbridge: ${notice.message}`,
      repository: notice.fullName,
    }),
  );
  deps.containerEvents.on('container:restarted', tracker.onContainerRestarted);
  deps.containerEvents.on('container:rolled-back', tracker.onRolledBack);
  const outages =
    deps.circuitEvents &&
    notifyUpstreamIncidents(deps.circuitEvents, notifier, deps.circuitSettleMs ?? 30_000);
  return async (graceMs) => {
    outages?.flush();
    await Promise.race([
      notifier.drain(),
      new Promise((resolve) => setTimeout(resolve, Math.min(graceMs, 5_000))),
    ]);
  };
}
