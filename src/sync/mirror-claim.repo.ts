import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Dialect } from '../db/database.js';
import type { Database, MirrorRow } from '../db/schema/index.js';

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

/**
 * Closes runs of a mirror still marked running. Called by a holder of the mirror's lease:
 * any run still open belongs to a worker whose lease expired (it crashed or was stopped).
 */
export async function abortStaleRuns(
  db: Kysely<Database>,
  githubId: number,
  now: string,
): Promise<void> {
  await db
    .updateTable('sync_runs')
    .set({
      result: 'aborted',
      finished_at: now,
      error: 'the worker stopped before finishing (crash or restart)',
    })
    .where('github_id', '=', githubId)
    .where('result', '=', 'running')
    .execute();
}
