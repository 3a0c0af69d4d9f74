import type { RestartResult } from '../containers/containers.events.js';
import { describeDrift } from '../sync/drift.js';
import {
  type SyncFailedEvent,
  type SyncFinishedEvent,
  type SyncSucceededEvent,
  syncSucceeded,
} from '../sync/sync.events.js';
import type { Notifier } from './notifier.js';

/** Failure codes that mean a credential is wrong: one alert for all mirrors, not one each. */
const TOKEN_CODES: Record<string, string> = {
  onedev_auth: 'OneDev rejected ONEDEV_TOKEN',
  github_auth: 'GitHub rejected GITHUB_TOKEN',
  git_auth:
    'git was refused its credentials (GITHUB_TOKEN or a deploy key fetching, ONEDEV_TOKEN pushing)',
};

/** Restart results that are failures (`skipped` and `gone` are not): notified and alerted on. */
export const RESTART_FAILURES: ReadonlySet<RestartResult> = new Set<RestartResult>([
  'failed',
  'timeout',
  'unhealthy',
  'not_running',
  'crash_looping',
]);

export interface RestartOutcomeEvent {
  container: string;
  repo?: string;
  result: RestartResult;
  /** Part of a rollback, which sends the one message about it. */
  rollback?: 'pending' | 'after';
}

export interface RollbackEvent {
  repo: string;
  containers: string[];
  from: string;
  to: string;
  failure: RestartResult;
  result: RestartResult;
}

export interface IncidentDeps {
  /** How the mirror's last settled run before this one ended (the run ledger). */
  previousRun(
    githubId: number,
    run: string,
  ): Promise<{ result: string; errorCode: string | null } | undefined>;
  /** Failure codes of mirrors already failed at start: their token incidents are open. */
  openCodesAtStart?: string[];
}

const isTokenCode = (code: string | null | undefined): code is string =>
  code !== null && code !== undefined && TOKEN_CODES[code] !== undefined;

/**
 * Turns outcomes into incidents, each with one message when it opens and one when it closes —
 * never one per attempt:
 * - a mirror becoming `failed`, and syncing again. Whether it was failed is read from the run
 *   ledger, not remembered, so replicas share it and a restart changes nothing: the replica
 *   whose sync fails tells, and whichever replica syncs it again tells the recovery;
 * - a rejected token, for all the mirrors failing on it at once: they get no messages of
 *   their own, and the first sync that succeeds afterwards closes it (the token works again);
 * - a container whose restarts fail, and restarting fine again.
 * Token and container incidents live in this process: see "Several replicas" in
 * docs/operations.md.
 */
export function createIncidentTracker(notifier: Notifier, deps: IncidentDeps) {
  const tokens = new Set<string>((deps.openCodesAtStart ?? []).filter(isTokenCode));
  const containers = new Set<string>();

  async function onSyncFinished(event: SyncFinishedEvent): Promise<void> {
    if (event.result === 'retrying' || event.result === 'aborted') return;
    const before = await deps.previousRun(event.githubId, event.run);
    // A mirror failed on a token belongs to the token's incident, not to one of its own.
    const wasFailed = before?.result === 'failed' && !isTokenCode(before.errorCode);
    if (event.result === 'failed') {
      onFailed(event, wasFailed);
      return;
    }
    if (syncSucceeded(event)) onDrift(event);
    for (const code of tokens) {
      notifier.send({
        kind: 'token.recovered',
        text: `🔑 Starbridge: the token is accepted again (${TOKEN_CODES[code]} before); retry the mirrors that failed meanwhile.`,
        code,
      });
    }
    tokens.clear();
    if (!wasFailed) return;
    notifier.send({
      kind: 'mirror.recovered',
      text: `✅ Starbridge: ${event.fullName} is mirrored again.`,
      repository: event.fullName,
    });
  }

  /**
   * A change made in OneDev behind Starbridge's back: one message for the sync that found it
   * (and undid it); the next sync finds OneDev as pushed and says nothing.
   */
  function onDrift(event: SyncSucceededEvent): void {
    const drift = event.detail.drift;
    if (!drift) return;
    const done = drift.restored ? 'restored from GitHub' : 'not restored (GitHub is empty)';
    notifier.send({
      kind: 'mirror.drift',
      text: `🛡️ Starbridge: ${event.fullName} was changed in OneDev (${describeDrift(drift.refs)}); ${done}.`,
      repository: event.fullName,
      refs: drift.refs,
      restored: drift.restored,
    });
  }

  function onFailed(event: SyncFailedEvent, wasFailed: boolean): void {
    if (isTokenCode(event.errorCode)) {
      const code = event.errorCode;
      if (tokens.has(code)) return;
      tokens.add(code);
      notifier.send({
        kind: 'token.rejected',
        text: `🔑 Starbridge: ${TOKEN_CODES[code]}. Mirrors stop until it is fixed (first seen on ${event.fullName}: ${event.error}).`,
        code,
        repository: event.fullName,
      });
      return;
    }
    // A failed mirror retried by hand that fails again: still the same incident.
    if (wasFailed) return;
    notifier.send({
      kind: 'mirror.failed',
      text: `❌ Starbridge: mirroring ${event.fullName} failed: ${event.error}`,
      repository: event.fullName,
      error: event.error,
      code: event.errorCode,
    });
  }

  function onContainerRestarted(event: RestartOutcomeEvent): void {
    if (event.rollback) return;
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

  /** One message per rollback: what failed, where the working copy went, how it runs now. */
  function onRolledBack(event: RollbackEvent): void {
    const fine = event.result === 'restarted';
    for (const name of event.containers) {
      if (fine) containers.delete(name);
      else containers.add(name);
    }
    const now = fine ? 'it runs again' : `it still ended ${event.result}`;
    notifier.send({
      kind: 'container.rolled_back',
      text: `⏪ Starbridge: ${event.containers.join(', ')} ${event.failure.replace('_', '-')} after ${event.repo} moved to ${event.from.slice(0, 12)}; the working copy is back on ${event.to.slice(0, 12)} and ${now}. It stays there until a newer commit arrives or you retry (starbridge containers retry).`,
      repository: event.repo,
      containers: event.containers,
      from: event.from,
      to: event.to,
      result: event.result,
    });
  }

  return { onSyncFinished, onContainerRestarted, onRolledBack };
}
