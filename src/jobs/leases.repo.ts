import { sql } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { LeaseRow } from '../db/schema/index.js';

export interface LeaseRequest {
  name: string;
  owner: string;
  now: string;
  /** When the lease ends if not renewed or released. */
  until: string;
  /**
   * Whether the current owner may take it again before it expires. Off for leases that
   * gate "once per interval" (the expiry is the next run time); on for leadership.
   */
  renew?: boolean;
}

/**
 * Takes a named lease when nobody holds it, or its holder's lease expired (or, with
 * `renew`, we hold it already). One portable statement — INSERT … ON CONFLICT DO UPDATE
 * … WHERE, on SQLite and PostgreSQL alike — so two replicas racing for it cannot both
 * win: the row lock (PostgreSQL) or the single writer (SQLite) serialises them, and the
 * loser's conditional update touches no row. True when this owner holds it now.
 */
export async function tryAcquireLease(db: Executor, request: LeaseRequest): Promise<boolean> {
  const { name, owner, now, until } = request;
  const row = await db
    .insertInto('leases')
    .values({ name, owner, acquired_at: now, expires_at: until })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ owner, acquired_at: now, expires_at: until })
        .where((eb) =>
          request.renew
            ? eb.or([eb('leases.expires_at', '<=', now), eb('leases.owner', '=', owner)])
            : eb('leases.expires_at', '<=', now),
        ),
    )
    .returning(['owner', 'acquired_at'])
    .executeTakeFirst();
  return row?.owner === owner && row.acquired_at === now;
}

/** Moves a held lease's expiry; false when another owner has it now. */
export async function extendLease(
  db: Executor,
  name: string,
  owner: string,
  until: string,
): Promise<boolean> {
  const result = await db
    .updateTable('leases')
    .set({ expires_at: until })
    .where('name', '=', name)
    .where('owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Gives a lease up early (shutdown), so another replica need not wait for the expiry. */
export async function releaseLease(db: Executor, name: string, owner: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
}

export function findLease(db: Executor, name: string): Promise<LeaseRow | undefined> {
  return db.selectFrom('leases').selectAll().where('name', '=', name).executeTakeFirst();
}

/** Every lease whose name starts with `prefix` (for status pages). */
export function listLeases(db: Executor, prefix: string): Promise<LeaseRow[]> {
  return db
    .selectFrom('leases')
    .selectAll()
    .where(sql<boolean>`substr(name, 1, ${prefix.length}) = ${prefix}`)
    .execute();
}
