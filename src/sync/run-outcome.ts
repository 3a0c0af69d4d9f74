import type { Executor } from '../db/executor.js';
import type { MirrorRow } from '../db/schema/index.js';
import { releaseMirror, type SyncOutcome } from '../mirrors/mirror-lease.repo.js';
import {
  type BackoffOptions,
  DEFAULT_BACKOFF,
  decideFailure,
  type FailureDecision,
} from './retry-policy.js';
import { finishRun } from './runs.repo.js';
import type { SyncResult } from './sync-mirror.js';

/** A run in progress on a mirror this worker holds the lease of. */
export interface HeldRun {
  mirror: MirrorRow;
  worker: string;
  runId: string;
  attempt: number;
  /** Calls of this run that needed a quick retry so far; written with the outcome. */
  quickRetries?: number;
}

/**
 * The one place a finished sync is written down, used by the service's workers and the
 * CLI alike so both leave the ledger and the mirror in the same state.
 */
export async function recordSuccess(
  db: Executor,
  run: HeldRun,
  result: SyncResult,
  now: string,
): Promise<void> {
  await closeRun(
    db,
    run,
    now,
    {
      result: result.result,
      refs: result.refs,
      drift: result.drift,
      ...(result.lfs ? { lfs: result.lfs } : {}),
      ...(result.bytes ? { bytes: result.bytes } : {}),
    },
    {
      status: 'synced',
      attempts: 0,
      nextAttemptAt: null,
      lastError: null,
      lastErrorCode: null,
      lastSyncedAt: now,
      pushedRefs: result.pushedRefs,
      defaultBranch: result.defaultBranch,
      onedev: result.onedev,
    },
  );
}

/** The retry policy: soft failures retry with backoff, hard ones fail at once. */
export async function recordFailure(
  db: Executor,
  run: HeldRun,
  error: Error,
  policy: { now: Date; maxAttempts: number; backoff?: BackoffOptions },
): Promise<FailureDecision> {
  const now = policy.now.toISOString();
  const decision = decideFailure(
    error,
    run.attempt,
    policy.maxAttempts,
    policy.now,
    policy.backoff ?? DEFAULT_BACKOFF,
  );
  await closeRun(
    db,
    run,
    now,
    { result: decision.status, error: decision.message, errorCode: decision.code },
    {
      status: decision.status,
      attempts: run.attempt,
      nextAttemptAt: decision.nextAttemptAt,
      lastError: decision.message,
      lastErrorCode: decision.code,
    },
  );
  return decision;
}

/**
 * A sync that failed because its upstream is out for every mirror (the circuit is open): it
 * spends no attempt and stays due, claimed again once the circuit closes.
 */
export async function recordUpstreamWait(
  db: Executor,
  run: HeldRun,
  wait: { attempts: number; message: string; code: string },
  now: string,
): Promise<void> {
  await closeRun(
    db,
    run,
    now,
    { result: 'retrying', error: wait.message, errorCode: wait.code },
    {
      status: 'retrying',
      attempts: wait.attempts,
      nextAttemptAt: now,
      lastError: wait.message,
      lastErrorCode: wait.code,
    },
  );
}

/**
 * A sync stopped by shutdown is not the repository's fault: queue it again without using
 * up an attempt.
 */
export async function recordShutdownAbort(db: Executor, run: HeldRun, now: string): Promise<void> {
  await closeRun(
    db,
    run,
    now,
    { result: 'aborted', error: 'stopped by shutdown; queued again' },
    {
      status: 'retrying',
      attempts: run.mirror.attempts,
      nextAttemptAt: now,
      lastError: run.mirror.last_error,
      lastErrorCode: run.mirror.last_error_code,
    },
  );
}

/** The run's ledger entry, then the mirror's lease released with its new state. */
async function closeRun(
  db: Executor,
  run: HeldRun,
  now: string,
  ledger: Omit<Parameters<typeof finishRun>[2], 'finishedAt'>,
  outcome: SyncOutcome,
): Promise<void> {
  await finishRun(db, run.runId, {
    ...ledger,
    finishedAt: now,
    quickRetries: run.quickRetries ?? 0,
  });
  await releaseMirror(db, run.mirror.github_id, run.worker, outcome, now);
}
