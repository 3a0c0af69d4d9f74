import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DbHandle } from '../db/database.js';
import type { MirrorRow } from '../db/schema/index.js';
import { claimMirror, renewLease } from '../mirrors/mirror-lease.repo.js';
import { findMirror } from '../mirrors/mirrors.repo.js';
import type { Clock } from '../shared/clock.js';
import { coerceError } from '../shared/errors.js';
import type { FailureDecision } from './retry-policy.js';
import type { SyncRun } from './run.js';
import { type HeldRun, recordFailure, recordSuccess } from './run-outcome.js';
import { abortStaleRuns, listRuns, startRun } from './runs.repo.js';
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
      const claimed = await claimMirror(deps.handle.db, githubId, {
        worker,
        now,
        until: iso(deps.leaseMs),
      });
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
  const run: HeldRun = {
    mirror,
    worker,
    runId: randomUUID(),
    attempt: mirror.attempts + 1,
    quickRetries: 0,
  };
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
    await abortStaleRuns(handle.db, [mirror.github_id], iso());
    await startRun(handle.db, {
      id: run.runId,
      githubId: mirror.github_id,
      trigger: 'cli',
      attempt: run.attempt,
      worker,
      startedAt: iso(),
    });
    deps.onStart?.(mirror);
    const result = await deps.execute(mirror, controller.signal, undefined, (event) => {
      if (event.retry === 1) run.quickRetries = (run.quickRetries ?? 0) + 1;
    });
    await recordSuccess(handle.db, run, result, iso());
    return { kind: 'synced', result, durationMs: clock.now().getTime() - started };
  } catch (thrown) {
    const decision = await recordFailure(handle.db, run, coerceError(thrown), {
      now: clock.now(),
      maxAttempts: deps.maxAttempts,
    });
    return { kind: 'failed', decision };
  } finally {
    clearInterval(renewal);
  }
}

function isoAt(clock: Clock): (offsetMs?: number) => string {
  return (offsetMs = 0) => new Date(clock.now().getTime() + offsetMs).toISOString();
}
