import type { QuickRetryEvent } from '../shared/quick-retry.js';
import type { SyncResult } from './sync-mirror.js';

/** What every finished sync says: which mirror, which run, how long it took. */
interface SyncFinishedCommon {
  githubId: number;
  /** `owner/name` on GitHub. */
  fullName: string;
  /** The run that ended, in the run ledger. */
  run: string;
  /** Wall time of the sync, for metrics. */
  durationMs: number;
}

/** A sync that left the OneDev mirror equal to GitHub. */
export interface SyncSucceededEvent extends SyncFinishedCommon {
  result: SyncResult['result'];
  /** What the sync did: the refs it moved, the default branch, the OneDev project. */
  detail: SyncResult;
}

/** A sync that failed: `retrying` comes due again later, `failed` waits for an operator. */
export interface SyncFailedEvent extends SyncFinishedCommon {
  result: 'retrying' | 'failed';
  /** What went wrong, redacted. */
  error: string;
  /** Machine-readable failure reason (e.g. `onedev_auth`), for alerts. */
  errorCode: string;
}

/** A sync cut short by shutdown or a lost lease: not the repository's fault. */
export interface SyncAbortedEvent extends SyncFinishedCommon {
  result: 'aborted';
  /** Why it stopped. */
  error: string;
}

/** The `sync:finished` event, one case per way a sync can end (discriminated by `result`). */
export type SyncFinishedEvent = SyncSucceededEvent | SyncFailedEvent | SyncAbortedEvent;

/** The sync worker's events. */
export interface SyncWorkerEvents {
  'sync:finished': [SyncFinishedEvent];
  /** A call of a running sync failed in a way that passes and is retried within seconds. */
  'sync:quick-retry': [QuickRetryEvent & { githubId: number; fullName: string; run: string }];
  'worker:idle': [];
}

const SUCCEEDED: ReadonlySet<string> = new Set<SyncResult['result']>([
  'synced',
  'unchanged',
  'empty',
]);

/** Whether a finished sync left the mirror up to date (and so carries its `detail`). */
export function syncSucceeded(event: SyncFinishedEvent): event is SyncSucceededEvent {
  return SUCCEEDED.has(event.result);
}
