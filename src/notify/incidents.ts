import type { RestartResult } from '../containers/containers.events.js';
import type { Notifier } from './notifier.js';

/** Failure codes that mean a credential is wrong: one alert for all mirrors, not one each. */
const TOKEN_CODES: Record<string, string> = {
  onedev_auth: 'OneDev rejected ONEDEV_TOKEN',
  github_auth: 'GitHub rejected GITHUB_TOKEN',
  git_auth: 'git was refused its credentials (GITHUB_TOKEN fetching or ONEDEV_TOKEN pushing)',
};

/** Restart results that are failures (`skipped` and `gone` are not): notified and alerted on. */
export const RESTART_FAILURES: ReadonlySet<RestartResult> = new Set<RestartResult>([
  'failed',
  'timeout',
  'unhealthy',
  'not_running',
]);

export interface SyncOutcomeEvent {
  githubId: number;
  fullName: string;
  result: string;
  error?: string;
  errorCode?: string | null;
}

export interface RestartOutcomeEvent {
  container: string;
  repo?: string;
  result: RestartResult;
}

/** A mirror whose incident is already open when the service starts (it is `failed`). */
export interface OpenMirrorIncident {
  githubId: number;
  fullName: string;
  errorCode?: string | null;
}

/**
 * Turns outcomes into incidents, each with one message when it opens and one when it closes —
 * never one per attempt:
 * - a mirror becoming `failed`, and syncing again;
 * - a rejected token, for all the mirrors failing on it at once: they get no messages of
 *   their own, and the first sync that succeeds afterwards closes it (the token works again);
 * - a container whose restarts fail, and restarting fine again.
 * Open mirror incidents are seeded from the database at start so a restart does not repeat
 * them. The state lives in this process: see "Several replicas" in docs/operations.md.
 */
export function createIncidentTracker(notifier: Notifier, openAtStart: OpenMirrorIncident[] = []) {
  const failed = new Map<number, string>();
  const tokens = new Set<string>();
  const containers = new Set<string>();
  for (const mirror of openAtStart) {
    if (mirror.errorCode && TOKEN_CODES[mirror.errorCode]) tokens.add(mirror.errorCode);
    else failed.set(mirror.githubId, mirror.fullName);
  }

  function onSyncFinished(event: SyncOutcomeEvent): void {
    if (event.result === 'failed') {
      onFailed(event);
      return;
    }
    if (event.result === 'retrying' || event.result === 'aborted') return;
    for (const code of tokens) {
      notifier.send({
        kind: 'token.recovered',
        text: `🔑 Starbridge: the token is accepted again (${TOKEN_CODES[code]} before); retry the mirrors that failed meanwhile.`,
        code,
      });
    }
    tokens.clear();
    if (!failed.delete(event.githubId)) return;
    notifier.send({
      kind: 'mirror.recovered',
      text: `✅ Starbridge: ${event.fullName} is mirrored again.`,
      repository: event.fullName,
    });
  }

  function onFailed(event: SyncOutcomeEvent): void {
    const token = event.errorCode ? TOKEN_CODES[event.errorCode] : undefined;
    if (token) {
      // Part of the token's incident, not one of the mirror's own: no recovery of its own.
      const code = event.errorCode as string;
      if (tokens.has(code)) return;
      tokens.add(code);
      notifier.send({
        kind: 'token.rejected',
        text: `🔑 Starbridge: ${token}. Mirrors stop until it is fixed (first seen on ${event.fullName}: ${event.error ?? 'rejected'}).`,
        code,
        repository: event.fullName,
      });
      return;
    }
    if (failed.has(event.githubId)) return;
    failed.set(event.githubId, event.fullName);
    notifier.send({
      kind: 'mirror.failed',
      text: `❌ Starbridge: mirroring ${event.fullName} failed: ${event.error ?? 'unknown error'}`,
      repository: event.fullName,
      error: event.error,
      code: event.errorCode,
    });
  }

  function onContainerRestarted(event: RestartOutcomeEvent): void {
    const after = event.repo ? ` after ${event.repo} changed` : '';
    if (RESTART_FAILURES.has(event.result)) {
      if (containers.has(event.container)) return;
      containers.add(event.container);
      notifier.send({
        kind: 'container.restart_failed',
        text: `🔁 Starbridge: restarting container ${event.container}${after} ended ${event.result}.`,
        container: event.container,
        repository: event.repo,
        result: event.result,
      });
      return;
    }
    if (event.result !== 'restarted' || !containers.delete(event.container)) return;
    notifier.send({
      kind: 'container.recovered',
      text: `✅ Starbridge: container ${event.container} restarted fine again${after}.`,
      container: event.container,
      repository: event.repo,
    });
  }

  return { onSyncFinished, onContainerRestarted };
}
