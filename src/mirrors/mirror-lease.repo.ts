import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Dialect } from '../db/database.js';
import type { Executor } from '../db/executor.js';
import type { Database, MirrorRow } from '../db/schema/index.js';
import { abortStaleRuns } from '../sync/runs.repo.js';

/** Statuses a worker may claim when due. */
const CLAIMABLE = ['queued', 'retrying'] as const;

export interface Lease {
  worker: string;
  now: string;
  until: string;
}

/**
 * Claims the mirror that has been due longest, with a lease. SQLite has one writer at a
 * time, so the status re-check in the WHERE is enough there.
 */
export function claimDueMirror(
  db: Kysely<Database>,
  dialect: Dialect,
  lease: Lease,
): Promise<MirrorRow | undefined> {
  const candidate = sql<number>`(select github_id from mirrors where status in (${sql.join(
    CLAIMABLE.map((s) => sql.lit(s)),
  )}) and next_attempt_at <= ${lease.now} order by next_attempt_at, github_id limit 1${lockFor(dialect)})`;
  const stillClaimable = sql<boolean>`status in (${sql.join(CLAIMABLE.map((s) => sql.lit(s)))})`;
  return claim(db, candidate, stillClaimable, lease);
}

/**
 * Claims one named mirror whatever its status (an operator asked for this sync
 * explicitly, so a failed or paused mirror is claimed too), unless another worker holds
 * it: `syncing` with a lease that has not expired. Undefined when it is held (or gone).
 */
export function claimMirror(
  db: Kysely<Database>,
  dialect: Dialect,
  githubId: number,
  lease: Lease,
): Promise<MirrorRow | undefined> {
  const notHeld = sql<boolean>`(status <> 'syncing' or lease_expires_at is null or lease_expires_at < ${lease.now})`;
  const candidate = sql<number>`(select github_id from mirrors where github_id = ${githubId} and ${notHeld}${lockFor(dialect)})`;
  return claim(db, candidate, notHeld, lease);
}

/**
 * The one claim statement: a single UPDATE with a sub-select is portable. The condition
 * is checked again on the row being updated, so two claimers never both win it.
 */
function claim(
  db: Kysely<Database>,
  candidate: RawBuilder<number>,
  stillClaimable: RawBuilder<boolean>,
  lease: Lease,
): Promise<MirrorRow | undefined> {
  return db
    .updateTable('mirrors')
    .set({
      status: 'syncing',
      lease_owner: lease.worker,
      lease_expires_at: lease.until,
      last_attempt_at: lease.now,
      updated_at: lease.now,
    })
    .where('github_id', '=', candidate)
    .where(stillClaimable)
    .returningAll()
    .executeTakeFirst();
}

/**
 * PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent workers (on several replicas) skip a
 * row another one is claiming instead of queueing behind it.
 */
function lockFor(dialect: Dialect) {
  return dialect === 'postgres' ? sql` for update skip locked` : sql``;
}

/** Extends a held lease; false when the lease was lost (reclaimed after expiring). */
export async function renewLease(
  db: Executor,
  githubId: number,
  worker: string,
  leaseUntil: string,
): Promise<boolean> {
  const result = await db
    .updateTable('mirrors')
    .set({ lease_expires_at: leaseUntil })
    .where('github_id', '=', githubId)
    .where('lease_owner', '=', worker)
    .where('status', '=', 'syncing')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Returns mirrors whose worker died (lease expired) to the queue, due now, so a crash
 * never leaves a row `syncing`. Their unfinished runs are closed as aborted.
 */
export async function reclaimExpiredLeases(db: Kysely<Database>, now: string): Promise<number[]> {
  return db.transaction().execute(async (trx) => {
    const expired = await trx
      .selectFrom('mirrors')
      .select('github_id')
      .where('status', '=', 'syncing')
      .where('lease_expires_at', '<', now)
      .execute();
    const ids = expired.map((r) => r.github_id);
    if (ids.length === 0) return [];
    await trx
      .updateTable('mirrors')
      .set({
        status: 'queued',
        lease_owner: null,
        lease_expires_at: null,
        next_attempt_at: now,
        updated_at: now,
      })
      .where('github_id', 'in', ids)
      .where('status', '=', 'syncing')
      .execute();
    await abortStaleRuns(trx, ids, now, { requeued: true });
    return ids;
  });
}

/** What a finished sync writes to its mirror. */
export interface SyncOutcome {
  status: 'synced' | 'retrying' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastErrorCode: string | null;
  lastSyncedAt?: string;
  pushedRefs?: Record<string, string>;
  defaultBranch?: string | null;
  onedev?: { name: string; path: string; projectId: number };
}

/**
 * Releases the lease with the sync's outcome, in one statement: if a sync was requested
 * while this one ran, the mirror goes back to the queue (due now) instead — deciding that
 * in SQL means a request arriving at the same moment cannot be lost. A hard failure stays
 * failed. Returns false when the lease had already been lost.
 */
export async function releaseMirror(
  db: Executor,
  githubId: number,
  worker: string,
  outcome: SyncOutcome,
  now: string,
): Promise<boolean> {
  const followUp = outcome.status !== 'failed';
  const result = await db
    .updateTable('mirrors')
    .set({
      status: followUp
        ? sql`case when resync_requested = 1 then 'queued' else ${outcome.status} end`
        : 'failed',
      next_attempt_at: followUp
        ? sql`case when resync_requested = 1 then ${now} else ${outcome.nextAttemptAt} end`
        : outcome.nextAttemptAt,
      resync_requested: 0,
      lease_owner: null,
      lease_expires_at: null,
      attempts: outcome.attempts,
      last_error: outcome.lastError,
      last_error_code: outcome.lastErrorCode,
      updated_at: now,
      ...(outcome.lastSyncedAt ? { last_synced_at: outcome.lastSyncedAt } : {}),
      ...(outcome.pushedRefs ? { pushed_refs: JSON.stringify(outcome.pushedRefs) } : {}),
      ...(outcome.defaultBranch !== undefined ? { default_branch: outcome.defaultBranch } : {}),
      ...(outcome.onedev
        ? {
            onedev_name: outcome.onedev.name,
            onedev_path: outcome.onedev.path,
            onedev_project_id: outcome.onedev.projectId,
          }
        : {}),
    })
    .where('github_id', '=', githubId)
    .where('lease_owner', '=', worker)
    .where('status', '=', 'syncing')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
