import type { Notifier } from './notifier.js';

/** Failure codes that mean a credential is wrong: one alert for all mirrors, not one each. */
const TOKEN_CODES: Record<string, string> = {
  onedev_auth: 'OneDev rejected ONEDEV_TOKEN',
  github_auth: 'GitHub rejected GITHUB_TOKEN',
};

export interface SyncOutcomeEvent {
  githubId: number;
  fullName: string;
  result: string;
  error?: string;
  errorCode?: string | null;
}

/**
 * Turns sync outcomes into incidents: one message when a mirror becomes `failed`, one when
 * it recovers — never one per attempt — and one per rejected token across all mirrors.
 * Open incidents are seeded from the database at start so a restart does not repeat them.
 */
export function createIncidentTracker(
  notifier: Notifier,
  openAtStart: Array<{ githubId: number; fullName: string }> = [],
) {
  const failed = new Map<number, string>(openAtStart.map((m) => [m.githubId, m.fullName]));
  const tokens = new Set<string>();

  function onSyncFinished(event: SyncOutcomeEvent): void {
    if (event.result === 'failed') {
      onFailed(event);
      return;
    }
    if (event.result === 'retrying' || event.result === 'aborted') return;
    tokens.clear();
    if (!failed.delete(event.githubId)) return;
    notifier.send({
      kind: 'mirror.recovered',
      text: `✅ Starbridge: ${event.fullName} is mirrored again.`,
      repository: event.fullName,
    });
  }

  function onFailed(event: SyncOutcomeEvent): void {
    if (failed.has(event.githubId)) return;
    failed.set(event.githubId, event.fullName);
    const token = event.errorCode ? TOKEN_CODES[event.errorCode] : undefined;
    if (token) {
      if (tokens.has(event.errorCode as string)) return;
      tokens.add(event.errorCode as string);
      notifier.send({
        kind: 'token.rejected',
        text: `🔑 Starbridge: ${token}. Mirrors stop until it is fixed.`,
        code: event.errorCode,
      });
      return;
    }
    notifier.send({
      kind: 'mirror.failed',
      text: `❌ Starbridge: mirroring ${event.fullName} failed: ${event.error ?? 'unknown error'}`,
      repository: event.fullName,
      error: event.error,
      code: event.errorCode,
    });
  }

  return { onSyncFinished };
}
