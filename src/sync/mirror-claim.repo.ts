import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db/database.js';
import type { Database, MirrorRow } from '../db/schema/index.js';

/**
 * Claims one named mirror with the workers' lease columns, whatever its status (an
 * operator asked for this sync explicitly, so a failed or paused mirror is claimed too),
 * unless another worker holds it: `syncing` with a lease that has not expired. Same
 * portable single UPDATE as `claimDueMirror`; PostgreSQL adds FOR UPDATE SKIP LOCKED so a
 * row a worker is claiming right now counts as held. Undefined when it is held (or gone).
 */
export function claimMirror(
  db: Kysely<Database>,
  dialect: Dialect,
  githubId: number,
  worker: string,
  now: string,
  leaseUntil: string,
): Promise<MirrorRow | undefined> {
  const lock = dialect === 'postgres' ? sql` for update skip locked` : sql``;
  const candidate = sql<number>`(select github_id from mirrors where github_id = ${githubId} and (status <> 'syncing' or lease_expires_at is null or lease_expires_at < ${now})${lock})`;
  return db
    .updateTable('mirrors')
    .set({
      status: 'syncing',
      lease_owner: worker,
      lease_expires_at: leaseUntil,
      last_attempt_at: now,
      updated_at: now,
    })
    .where('github_id', '=', candidate)
    .where((eb) =>
      eb.or([
        eb('status', '<>', 'syncing'),
        eb('lease_expires_at', 'is', null),
        eb('lease_expires_at', '<', now),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
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
