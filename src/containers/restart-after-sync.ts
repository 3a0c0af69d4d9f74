import type { EventEmitter } from 'node:events';
import type { Executor } from '../db/executor.js';
import type { EngineAccess } from '../engine/engine-socket.js';
import type { Logger } from '../shared/logger.js';
import type { RefChange } from '../sync/run.js';
import { type SyncFinishedEvent, syncSucceeded } from '../sync/sync.events.js';
import { appendContainerEntries } from './container-runs.repo.js';
import type { ContainerEvents, LedgerEntry } from './containers.events.js';
import { type RepositoryRestartDeps, restartFollowers } from './repository-restart.js';

interface Batch {
  githubId: number;
  fullName: string;
  defaultBranch: string | null;
  refs: RefChange[];
  runs: string[];
  timer: NodeJS.Timeout;
}

export interface RestartAfterSyncDeps extends RepositoryRestartDeps {
  db: Executor;
  engine: EngineAccess;
  debounceMs: number;
  cacheDir: (githubId: number) => string;
  log: Logger;
  events: EventEmitter<ContainerEvents>;
}

/** Restarts the containers that follow a repository after syncs that moved its refs. */
export interface RestartAfterSync {
  /** The `sync:finished` listener: opens or joins the repository's debounce window. */
  onSyncFinished(event: SyncFinishedEvent): void;
  /** Runs every pending batch now and waits for all restarts in progress. */
  flush(): Promise<void>;
  /** Pending batches still run (their code is already mirrored); abort after the grace. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Restarts the followers of a repository after successful syncs that moved its refs.
 * The first such sync opens a debounce window; syncs of the same repository inside it
 * join the batch, so a burst gives one restart per container. The window is not
 * extended by later syncs, so a busy repository still restarts at least once per window.
 * Failed syncs, and syncs that moved nothing, restart nothing.
 */
export function createRestartAfterSync(deps: RestartAfterSyncDeps): RestartAfterSync {
  const log = deps.log.child({ component: 'container-restarter' });
  const pending = new Map<number, Batch>();
  const running = new Set<Promise<void>>();
  const stopping = new AbortController();
  let closing = false;

  function onSyncFinished(event: SyncFinishedEvent): void {
    if (!syncSucceeded(event) || event.detail.refs.length === 0) return;
    const detail = event.detail;
    if (!deps.engine.get()) {
      track(skipAll([event.run], event.fullName, deps.engine.missingReason));
      return;
    }
    const batch = pending.get(event.githubId);
    if (batch) {
      batch.refs.push(...detail.refs);
      batch.runs.push(event.run);
      batch.defaultBranch = detail.defaultBranch ?? batch.defaultBranch;
      return;
    }
    // While stopping, a sync that still finishes restarts at once (best effort).
    const timer = setTimeout(
      () => fire(event.githubId),
      stopping.signal.aborted || closing ? 0 : deps.debounceMs,
    );
    pending.set(event.githubId, {
      githubId: event.githubId,
      fullName: event.fullName,
      defaultBranch: detail.defaultBranch,
      refs: [...detail.refs],
      runs: [event.run],
      timer,
    });
  }

  function fire(githubId: number): void {
    const batch = pending.get(githubId);
    if (!batch) return;
    pending.delete(githubId);
    clearTimeout(batch.timer);
    track(runBatch(batch));
  }

  async function runBatch(batch: Batch): Promise<void> {
    const engine = deps.engine.get();
    if (!engine) return skipAll(batch.runs, batch.fullName, deps.engine.missingReason);
    const batchLog = log.child({ repo: batch.fullName, runs: batch.runs });
    let entries: LedgerEntry[];
    try {
      entries = await restartFollowers(
        engine,
        deps,
        {
          fullName: batch.fullName,
          cacheDir: deps.cacheDir(batch.githubId),
          defaultBranch: batch.defaultBranch,
          refs: batch.refs,
        },
        stopping.signal,
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      batchLog.warn({ err: error }, 'container restarts skipped');
      return skipAll(batch.runs, batch.fullName, reason);
    }
    logEntries(batchLog, entries);
    deps.events.emit('containers:batch', { repo: batch.fullName, runs: batch.runs, entries });
    await appendContainerEntries(deps.db, batch.runs, entries);
  }

  async function skipAll(runs: string[], repo: string, reason: string): Promise<void> {
    deps.events.emit('container:skipped', { repo, reason });
    await appendContainerEntries(deps.db, runs, [
      { kind: 'skipped', message: `restarts skipped: ${reason}` },
    ]);
  }

  /** Listener work never throws into the worker's emitter; it is logged instead. */
  function track(work: Promise<void>): void {
    const guarded = work
      .catch((error) => log.error({ err: error }, 'recording container restarts failed'))
      .finally(() => running.delete(guarded));
    running.add(guarded);
  }

  return {
    onSyncFinished,
    /** Runs every pending batch now and waits for all restarts in progress. */
    async flush(): Promise<void> {
      for (const githubId of [...pending.keys()]) fire(githubId);
      await Promise.all([...running]);
    },
    /** Pending batches still run (their code is already mirrored); abort after the grace. */
    async stop(graceMs: number): Promise<void> {
      closing = true;
      const timer = setTimeout(() => stopping.abort(new Error('shutdown')), graceMs);
      await this.flush();
      clearTimeout(timer);
    },
  };
}

function logEntries(log: Logger, entries: LedgerEntry[]): void {
  for (const entry of entries) {
    if (entry.kind === 'restart') {
      const warn = entry.result !== 'restarted';
      log[warn ? 'warn' : 'info'](
        entry,
        warn ? 'container restart did not succeed' : 'container restarted',
      );
    } else if (entry.kind === 'checkout') {
      log[entry.result === 'failed' ? 'warn' : 'info'](entry, 'working copy');
    }
  }
}
