import type { Executor } from '../db/executor.js';
import type { SyncRunRow } from '../db/schema/index.js';
import type { DriftEntry } from './drift.js';
import type { RefChange, RunBytes, RunLfs, RunResult, SyncPhase, SyncRun } from './run.js';

export async function startRun(
  db: Executor,
  run: {
    id: string;
    githubId: number;
    trigger: string;
    attempt: number;
    worker: string;
    startedAt: string;
  },
): Promise<void> {
  await db
    .insertInto('sync_runs')
    .values({
      id: run.id,
      github_id: run.githubId,
      trigger: run.trigger,
      attempt: run.attempt,
      worker: run.worker,
      started_at: run.startedAt,
      result: 'running',
    })
    .execute();
}

export async function finishRun(
  db: Executor,
  id: string,
  finish: {
    result: RunResult;
    finishedAt: string;
    error?: string | null;
    errorCode?: string | null;
    refs?: RefChange[];
    /** How many calls needed a quick retry. */
    quickRetries?: number;
    drift?: DriftEntry;
    lfs?: RunLfs;
    /** Pack bytes fetched from GitHub and pushed to OneDev; left null when unknown. */
    bytes?: RunBytes;
  },
): Promise<void> {
  await db
    .updateTable('sync_runs')
    .set({
      result: finish.result,
      finished_at: finish.finishedAt,
      error: finish.error ?? null,
      error_code: finish.errorCode ?? null,
      refs: finish.refs ? JSON.stringify(finish.refs) : null,
      quick_retries: finish.quickRetries ?? 0,
      drift: finish.drift ? JSON.stringify(finish.drift) : null,
      ...(finish.lfs
        ? {
            lfs_objects: finish.lfs.objects,
            lfs_bytes: finish.lfs.bytes,
            lfs_total_objects: finish.lfs.totalObjects,
            lfs_total_bytes: finish.lfs.totalBytes,
          }
        : {}),
      ...(finish.bytes
        ? { bytes_fetched: finish.bytes.fetched, bytes_pushed: finish.bytes.pushed }
        : {}),
    })
    .where('id', '=', id)
    // A run the lease reclaim already closed as aborted stays so: its worker lost the
    // mirror, and what it did afterwards is not what the mirror records.
    .where('result', '=', 'running')
    .execute();
}

export async function listRuns(db: Executor, githubId: number, limit = 50): Promise<SyncRun[]> {
  const rows = await db
    .selectFrom('sync_runs')
    .selectAll()
    .where('github_id', '=', githubId)
    .orderBy('started_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(runFromRow);
}

export function runFromRow(row: SyncRunRow): SyncRun {
  return {
    id: row.id,
    githubId: row.github_id,
    trigger: row.trigger,
    attempt: row.attempt,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.finished_at ? Date.parse(row.finished_at) - Date.parse(row.started_at) : null,
    result: row.result as RunResult,
    error: row.error,
    errorCode: row.error_code,
    refs: row.refs ? (JSON.parse(row.refs) as RefChange[]) : [],
    containers: row.containers ? (JSON.parse(row.containers) as unknown[]) : [],
    phase: row.phase as SyncPhase | null,
    quickRetries: Number(row.quick_retries),
    drift: row.drift ? (JSON.parse(row.drift) as DriftEntry) : null,
    lfs:
      row.lfs_total_objects === null || row.lfs_total_objects === undefined
        ? null
        : {
            objects: Number(row.lfs_objects ?? 0),
            bytes: Number(row.lfs_bytes ?? 0),
            totalObjects: Number(row.lfs_total_objects),
            totalBytes: Number(row.lfs_total_bytes ?? 0),
          },
    bytes:
      row.bytes_fetched === null || row.bytes_fetched === undefined
        ? null
        : { fetched: Number(row.bytes_fetched), pushed: Number(row.bytes_pushed ?? 0) },
  };
}

/** Records the step a running sync has reached (a finished run is left as it is). */
export async function setRunPhase(db: Executor, id: string, phase: SyncPhase): Promise<void> {
  await db
    .updateTable('sync_runs')
    .set({ phase })
    .where('id', '=', id)
    .where('result', '=', 'running')
    .execute();
}

/**
 * Closes runs of these mirrors still marked running. Called by a holder of their leases:
 * any run still open belongs to a worker whose lease expired (it crashed or was stopped).
 */
export async function abortStaleRuns(
  db: Executor,
  githubIds: number[],
  now: string,
  options: { requeued?: boolean } = {},
): Promise<void> {
  const stopped = 'the worker stopped before finishing (crash or restart)';
  await db
    .updateTable('sync_runs')
    .set({
      result: 'aborted',
      finished_at: now,
      error: options.requeued ? `${stopped}; the sync was queued again` : stopped,
    })
    .where('github_id', 'in', githubIds)
    .where('result', '=', 'running')
    .execute();
}
