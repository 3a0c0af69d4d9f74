import { sql } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { ReplicaRow } from '../db/schema/index.js';

/** Records this replica as running (again, after a restart: same id, new start). */
export async function registerReplica(
  db: Executor,
  replica: { id: string; host: string; now: string },
): Promise<void> {
  const { id, host, now } = replica;
  await db
    .insertInto('replicas')
    .values({ id, host, started_at: now, heartbeat_at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet({ host, started_at: now, heartbeat_at: now }))
    .execute();
}

/** Moves this replica's heartbeat; registers it again if another replica pruned it meanwhile. */
export async function heartbeatReplica(
  db: Executor,
  replica: { id: string; host: string; now: string },
): Promise<void> {
  const updated = await db
    .updateTable('replicas')
    .set({ heartbeat_at: replica.now })
    .where('id', '=', replica.id)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) await registerReplica(db, replica);
}

/** A clean shutdown: the others stop counting on this replica at once. */
export async function removeReplica(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('replicas').where('id', '=', id).execute();
}

/** The replicas whose heartbeat is at or after `liveSince`, by id. */
export function liveReplicas(db: Executor, liveSince: string): Promise<ReplicaRow[]> {
  return db
    .selectFrom('replicas')
    .selectAll()
    .where('heartbeat_at', '>=', liveSince)
    .orderBy('id')
    .execute();
}

/** Forgets replicas silent since before `before` (they died; a restart registers again). */
export async function pruneReplicas(db: Executor, before: string): Promise<number> {
  const result = await db
    .deleteFrom('replicas')
    .where('heartbeat_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** How many mirrors each replica is preferred for (status pages, tests). */
export async function preferredCounts(db: Executor): Promise<Map<string | null, number>> {
  const rows = await db
    .selectFrom('mirrors')
    .select(['preferred_replica', sql<number>`count(*)`.as('n')])
    .groupBy('preferred_replica')
    .execute();
  return new Map(rows.map((r) => [r.preferred_replica, Number(r.n)]));
}
