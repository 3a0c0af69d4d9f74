import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { DbHandle } from '../db/database.js';
import type { MirrorRow } from '../db/schema/index.js';
import { runLeaseOwner } from '../jobs/instance-id.js';
import {
  claimDueMirror,
  preferenceAt,
  reclaimExpiredLeases,
  reclaimOwnLeases,
  renewLease,
} from '../mirrors/mirror-lease.repo.js';
import type { Clock } from '../shared/clock.js';
import { coerceError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { QuickRetryEvent } from '../shared/quick-retry.js';
import type { BackoffOptions } from './retry-policy.js';
import type { SyncPhase } from './run.js';
import { type HeldRun, recordFailure, recordShutdownAbort, recordSuccess } from './run-outcome.js';
import { setRunPhase, startRun } from './runs.repo.js';
import type { SyncFailedEvent, SyncFinishedEvent, SyncWorkerEvents } from './sync.events.js';
import type { SyncResult } from './sync-mirror.js';
import type { UpstreamGate } from './upstream-gate.js';
import { giveBackIfOpened, waitForUpstream } from './upstream-outcome.js';

/** Runs one sync of one claimed mirror. */
export type SyncExecutor = (
  mirror: MirrorRow,
  signal: AbortSignal,
  /** Told as each step of the sync starts. */
  onPhase?: (phase: SyncPhase) => void,
  /** Told of each quick retry of one of the sync's calls. */
  onQuickRetry?: (event: QuickRetryEvent) => void,
) => Promise<SyncResult>;

/** How a failed sync ended, as its `sync:finished` event tells it. */
type FailureOutcome = Pick<SyncFailedEvent, 'result' | 'errorCode'> | { result: 'aborted' };

export interface SyncWorkerOptions {
  handle: DbHandle;
  execute: SyncExecutor;
  clock: Clock;
  log: Logger;
  concurrency: number;
  maxAttempts: number;
  /** How long a claim lasts without renewal; a crashed worker's mirror is reclaimed after it. */
  leaseMs?: number;
  /** How often idle workers look for due mirrors (retries come due without a wake-up). */
  pollMs?: number;
  backoff?: BackoffOptions;
  /** The upstream circuits: nothing is claimed while one is open, and its faults cost no attempt. */
  gate?: UpstreamGate;
  /**
   * Replicas on PostgreSQL: claim this replica's preferred mirrors first (`ClaimPreference`;
   * the instance id given at start is the replica id), with its live window and grace.
   */
  preferOwn?: { liveMs: number; graceMs: number };
}

export interface SyncWorkerStart {
  /**
   * This instance's stable identity: it prefixes the lease owner, and the leases of the
   * instance's previous run are reclaimed at once before the loops begin.
   */
  instanceId?: string;
}

export interface SyncWorker {
  events: EventEmitter<SyncWorkerEvents>;
  start(options?: SyncWorkerStart): Promise<void>;
  /** Look for work now (a sync was requested in this process). */
  wake(): void;
  /** Stops claiming; waits up to `graceMs` for running syncs, then aborts them. */
  stop(graceMs: number): Promise<void>;
  /** Number of syncs running right now. */
  running(): number;
}

/** A pool of `concurrency` loops that claim due mirrors with a lease and sync them. */
export function createSyncWorker(options: SyncWorkerOptions): SyncWorker {
  const { handle, clock, concurrency } = options;
  const leaseMs = options.leaseMs ?? 60_000;
  const pollMs = options.pollMs ?? 1_000;
  const log = options.log.child({ component: 'sync-worker' });
  let workerId = runLeaseOwner(undefined);
  const events = new EventEmitter<SyncWorkerEvents>();
  const inFlight = new Map<number, AbortController>();
  const loops: Promise<void>[] = [];
  let stopping = false;
  const sleepers = new Set<() => void>();
  let reclaimTimer: NodeJS.Timeout | undefined;
  let replicaId: string | undefined;

  const iso = (offsetMs = 0) => new Date(clock.now().getTime() + offsetMs).toISOString();

  async function reclaim(): Promise<void> {
    try {
      const ids = await reclaimExpiredLeases(handle.db, iso());
      if (ids.length > 0) log.warn({ mirrors: ids }, 'reclaimed mirrors whose worker stopped');
    } catch (error) {
      log.warn({ err: error }, 'lease reclaim failed');
    }
  }

  /** The previous run of this instance is gone (one process per data directory). */
  async function reclaimOwn(instanceId: string): Promise<void> {
    try {
      const owner = { instanceId, currentOwner: workerId };
      const ids = await reclaimOwnLeases(handle.db, owner, iso());
      log.info({ count: ids.length, mirrors: ids }, 'reclaimed the previous run’s mirrors');
    } catch (error) {
      log.warn({ err: error }, 'reclaiming the previous run’s mirrors failed');
    }
  }

  /** Waits for the poll interval or a wake-up, whichever comes first. */
  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      if (options.gate?.blocked()) {
        // Mirrors stay due; the circuit closing wakes the loops.
        await sleep(pollMs);
        continue;
      }
      let mirror: MirrorRow | undefined;
      try {
        mirror = await claimDueMirror(
          handle.db,
          handle.dialect,
          { worker: workerId, now: iso(), until: iso(leaseMs) },
          preferenceAt(replicaId, options.preferOwn, clock.now()),
        );
      } catch (error) {
        log.warn({ err: error }, 'claiming a mirror failed');
      }
      if (!mirror) {
        if (inFlight.size === 0) events.emit('worker:idle');
        await sleep(pollMs);
        continue;
      }
      await runOne(mirror);
    }
  }

  async function runOne(mirror: MirrorRow): Promise<void> {
    const controller = new AbortController();
    inFlight.set(mirror.github_id, controller);
    const runId = randomUUID();
    const attempt = mirror.attempts + 1;
    const run: HeldRun = { mirror, worker: workerId, runId, attempt, quickRetries: 0 };
    const mirrorLog = log.child({ repo: mirror.full_name, run: runId });
    const startedAt = Date.now();
    let leaseLost = false;
    const renewal = setInterval(
      async () => {
        const held = await renewLease(handle.db, mirror.github_id, workerId, iso(leaseMs)).catch(
          () => true,
        );
        if (held) return;
        leaseLost = true;
        controller.abort(new Error('lease lost'));
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    try {
      await startRun(handle.db, {
        id: runId,
        githubId: mirror.github_id,
        trigger: attempt > 1 ? 'retry' : 'request',
        attempt,
        worker: workerId,
        startedAt: iso(),
      });
      mirrorLog.info({ attempt }, 'sync started');
      const phases = phaseRecorder(runId, mirrorLog);
      // Past the comparison a sync talks to OneDev; before it, to GitHub only.
      let reachedOneDev = false;
      const result = await options.execute(
        mirror,
        controller.signal,
        (phase) => {
          if (phase !== 'comparing') reachedOneDev = true;
          phases.record(phase);
        },
        quickRetryRecorder(run, mirrorLog),
      );
      options.gate?.answered(reachedOneDev ? ['github', 'onedev'] : ['github']);
      // The ledger keeps the last step reached; it must land before the outcome closes the run.
      await phases.written();
      await recordSuccess(handle.db, run, result, iso());
      mirrorLog.info({ result: result.result, refs: result.refs.length }, 'sync finished');
      announce(mirrorLog, {
        githubId: mirror.github_id,
        fullName: mirror.full_name,
        result: result.result,
        run: runId,
        durationMs: Date.now() - startedAt,
        detail: result,
      });
    } catch (thrown) {
      const error = coerceError(thrown);
      const outcome: FailureOutcome = leaseLost
        ? { result: 'aborted' }
        : await recordFailed(run, error, controller.signal.aborted);
      mirrorLog.warn({ err: error, outcome: outcome.result }, 'sync failed');
      announce(mirrorLog, {
        githubId: mirror.github_id,
        fullName: mirror.full_name,
        ...outcome,
        error: error.message,
        run: runId,
        durationMs: Date.now() - startedAt,
      });
    } finally {
      clearInterval(renewal);
      inFlight.delete(mirror.github_id);
    }
  }

  /**
   * Records each step of a run as it starts, one write after another so they land in
   * order. Only a running run takes them, so a write that arrives after the outcome is
   * dropped; a failed write costs the dashboard a step, never the sync.
   */
  function phaseRecorder(runId: string, mirrorLog: Logger) {
    let writes = Promise.resolve();
    return {
      record(phase: SyncPhase): void {
        writes = writes
          .then(() => setRunPhase(handle.db, runId, phase))
          .catch((error: unknown) =>
            mirrorLog.debug({ err: error, phase }, 'sync phase not recorded'),
          );
      },
      written: () => writes,
    };
  }

  /**
   * Counts the run's calls that needed a quick retry (at their first retry), logs each
   * retry at debug with its reason, and tells the `sync:quick-retry` listeners (metrics).
   * A listener that throws is logged and cannot stop the retry.
   */
  function quickRetryRecorder(run: HeldRun, mirrorLog: Logger) {
    return (event: QuickRetryEvent): void => {
      if (event.retry === 1) run.quickRetries = (run.quickRetries ?? 0) + 1;
      const { message, ...fields } = event;
      mirrorLog.debug({ ...fields, error: message }, 'quick retry');
      const told = { ...event, githubId: run.mirror.github_id, fullName: run.mirror.full_name };
      try {
        events.emit('sync:quick-retry', { ...told, run: run.runId });
      } catch (error) {
        mirrorLog.error({ err: coerceError(error) }, 'a sync:quick-retry listener failed');
      }
    };
  }

  /**
   * Tells each `sync:finished` listener in turn. The outcome is already recorded: a listener
   * that throws (or rejects) is logged, and can neither turn the sync into a failure, nor
   * keep the other listeners from hearing of it, nor stop this worker loop.
   */
  function announce(mirrorLog: Logger, event: SyncFinishedEvent): void {
    for (const listener of events.rawListeners('sync:finished')) {
      try {
        const returned: unknown = listener(event);
        if (returned instanceof Promise)
          returned.catch((error) => listenerFailed(mirrorLog, error));
      } catch (error) {
        listenerFailed(mirrorLog, error);
      }
    }
  }

  function listenerFailed(mirrorLog: Logger, error: unknown): void {
    mirrorLog.error({ err: coerceError(error) }, 'a sync:finished listener failed');
  }

  /**
   * A failed sync, or one cut short by shutdown (not the repository's fault). A sync
   * whose lease was lost writes nothing: whoever reclaimed the mirror closed its run and
   * owns the row now.
   */
  async function recordFailed(
    run: HeldRun,
    error: Error,
    aborted: boolean,
  ): Promise<FailureOutcome> {
    if (aborted && stopping) {
      await recordShutdownAbort(handle.db, run, iso());
      return { result: 'aborted' };
    }
    const { gate } = options;
    const waiting = gate && (await waitForUpstream(handle.db, gate, run, error, iso()));
    if (waiting) return waiting;
    const decision = await recordFailure(handle.db, run, error, {
      now: clock.now(),
      maxAttempts: options.maxAttempts,
      backoff: options.backoff,
    });
    const gaveBack = gate && (await giveBackIfOpened(handle.db, gate, run, error, iso()));
    return { result: gaveBack ? 'retrying' : decision.status, errorCode: decision.code };
  }

  return {
    events,
    async start(startOptions = {}) {
      const { instanceId } = startOptions;
      workerId = runLeaseOwner(instanceId);
      replicaId = instanceId;
      if (instanceId) await reclaimOwn(instanceId);
      await reclaim();
      reclaimTimer = setInterval(reclaim, Math.max(100, Math.floor(leaseMs / 2)));
      for (let i = 0; i < concurrency; i++) loops.push(loop());
    },
    wake() {
      for (const wakeOne of [...sleepers]) wakeOne();
    },
    async stop(graceMs) {
      stopping = true;
      clearInterval(reclaimTimer);
      for (const wakeOne of [...sleepers]) wakeOne();
      const finished = Promise.all(loops);
      const timer = setTimeout(() => {
        for (const controller of inFlight.values()) controller.abort(new Error('shutdown'));
      }, graceMs);
      await finished;
      clearTimeout(timer);
    },
    running: () => inFlight.size,
  };
}
