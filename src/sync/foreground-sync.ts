import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DbHandle } from '../db/database.js';
import type { MirrorRow } from '../db/schema/index.js';
import type { Clock } from '../shared/clock.js';
import { coerceError } from '../shared/errors.js';
import { abortStaleRuns, claimMirror } from './mirror-claim.repo.js';
import { findMirror, releaseMirror, renewLease } from './mirrors.repo.js';
import { decideFailure, type FailureDecision } from './retry-policy.js';
import { finishRun, listRuns, type SyncRun, startRun } from './runs.repo.js';
import type { SyncExecutor } from './sync.worker.js';
import type { SyncResult } from './sync-mirror.js';

export interface ForegroundSyncDeps {
  handle: DbHandle;
  execute: SyncExecutor;
  clock: Clock;
  leaseMs: number;
  maxAttempts: number;
  /** How often to look whether another worker released the mirror. */
  pollMs?: number;
  /** Called once when another worker holds the mirror and we start waiting. */
  onWaiting?: (holder: string) => void;
  /** Called once the mirror is claimed, before the sync starts. */
  onStart?: (mirror: MirrorRow) => void;
}

export type ForegroundOutcome =
  | { kind: 'synced'; result: SyncResult; durationMs: number }
  | { kind: 'failed'; decision: FailureDecision }
  /** Another worker synced it while we waited; its latest run. */
  | { kind: 'waited'; run: SyncRun | undefined }
  | { kind: 'gone' };

interface ClaimedRun {
  mirror: MirrorRow;
  worker: string;
  runId: string;
  attempt: number;
}

/**
 * One sync of one mirror in this process (the CLI), with the workers' lease so it never
 * runs alongside a service's worker. If a worker holds the mirror, this waits and then
 * answers that worker's run instead of syncing again; a holder whose lease expired has
 * died, so the mirror is claimed from it. Outcomes are recorded exactly as a worker does.
 */
export async function syncInForeground(
  githubId: number,
  deps: ForegroundSyncDeps,
): Promise<ForegroundOutcome> {
  const worker = `cli:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const iso = isoAt(deps.clock);
  let waited = false;
  for (;;) {
    const row = await findMirror(deps.handle.db, githubId);
    if (!row) return { kind: 'gone' };
    if (waited && row.status !== 'syncing') {
      const [run] = await listRuns(deps.handle.db, githubId, 1);
      return { kind: 'waited', run };
    }
    const now = iso();
    const held =
      row.status === 'syncing' && row.lease_expires_at !== null && row.lease_expires_at >= now;
    if (!held) {
      const { db, dialect } = deps.handle;
      const claimed = await claimMirror(db, dialect, githubId, worker, now, iso(deps.leaseMs));
      if (claimed) return runClaimed(claimed, worker, deps);
      // A worker claimed it in between: the next look shows it held.
    } else if (!waited) {
      deps.onWaiting?.(row.lease_owner ?? 'another worker');
      waited = true;
    }
    await sleep(deps.pollMs ?? 1_000);
  }
}

async function runClaimed(
  mirror: MirrorRow,
  worker: string,
  deps: ForegroundSyncDeps,
): Promise<ForegroundOutcome> {
  const { handle, clock } = deps;
  const iso = isoAt(clock);
  const run: ClaimedRun = { mirror, worker, runId: randomUUID(), attempt: mirror.attempts + 1 };
  const controller = new AbortController();
  const renewal = setInterval(
    async () => {
      const held = await renewLease(handle.db, mirror.github_id, worker, iso(deps.leaseMs)).catch(
        () => true,
      );
      if (!held) controller.abort(new Error('the lease on the mirror was lost'));
    },
    Math.max(50, Math.floor(deps.leaseMs / 3)),
  );
  const started = clock.now().getTime();
  try {
    await abortStaleRuns(handle.db, mirror.github_id, iso());
    await startRun(handle.db, {
      id: run.runId,
      githubId: mirror.github_id,
      trigger: 'cli',
      attempt: run.attempt,
      worker,
      startedAt: iso(),
    });
    deps.onStart?.(mirror);
    const result = await deps.execute(mirror, controller.signal);
    await recordSuccess(run, result, deps);
    return { kind: 'synced', result, durationMs: clock.now().getTime() - started };
  } catch (thrown) {
    return { kind: 'failed', decision: await recordFailure(run, coerceError(thrown), deps) };
  } finally {
    clearInterval(renewal);
  }
}

async function recordSuccess(
  run: ClaimedRun,
  result: SyncResult,
  deps: ForegroundSyncDeps,
): Promise<void> {
  const now = isoAt(deps.clock)();
  const db = deps.handle.db;
  await finishRun(db, run.runId, { result: result.result, finishedAt: now, refs: result.refs });
  await releaseMirror(
    db,
    run.mirror.github_id,
    run.worker,
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
    now,
  );
}

/** The workers' retry policy: soft failures retry with backoff, hard ones fail at once. */
async function recordFailure(
  run: ClaimedRun,
  error: Error,
  deps: ForegroundSyncDeps,
): Promise<FailureDecision> {
  const now = isoAt(deps.clock)();
  const db = deps.handle.db;
  const decision = decideFailure(error, run.attempt, deps.maxAttempts, deps.clock.now());
  await finishRun(db, run.runId, {
    result: decision.status,
    finishedAt: now,
    error: decision.message,
    errorCode: decision.code,
  });
  await releaseMirror(
    db,
    run.mirror.github_id,
    run.worker,
    {
      status: decision.status,
      attempts: run.attempt,
      nextAttemptAt: decision.nextAttemptAt,
      lastError: decision.message,
      lastErrorCode: decision.code,
    },
    now,
  );
  return decision;
}

function isoAt(clock: Clock): (offsetMs?: number) => string {
  return (offsetMs = 0) => new Date(clock.now().getTime() + offsetMs).toISOString();
}
