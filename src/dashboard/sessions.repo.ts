import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../db/executor.js';

/**
 * One dashboard login. `id` is the SHA-256 (hex) of the cookie value, never the value itself.
 * The table type lives here, beside its only queries, and is added to the shared schema
 * with `withTables` so the dashboard needs no change to other features' types.
 */
export interface DashboardSessionsTable {
  id: string;
  csrf_token: string;
  /** A one-shot message shown on the next page (the outcome of a form post). */
  flash: string | null;
  created_at: string;
  expires_at: string;
}

export type DashboardSessionRow = Selectable<DashboardSessionsTable>;

function sessions(db: Executor) {
  return db.withTables<{ dashboard_sessions: DashboardSessionsTable }>();
}

export async function insertSession(
  db: Executor,
  row: Insertable<DashboardSessionsTable>,
): Promise<void> {
  await sessions(db).insertInto('dashboard_sessions').values(row).execute();
}

export function findSession(db: Executor, id: string): Promise<DashboardSessionRow | undefined> {
  return sessions(db)
    .selectFrom('dashboard_sessions')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function deleteSession(db: Executor, id: string): Promise<void> {
  await sessions(db).deleteFrom('dashboard_sessions').where('id', '=', id).execute();
}

/** Expiry is checked on read; this only keeps the table small. */
export async function deleteExpiredSessions(db: Executor, now: string): Promise<void> {
  await sessions(db).deleteFrom('dashboard_sessions').where('expires_at', '<=', now).execute();
}

export async function setFlash(db: Executor, id: string, flash: string | null): Promise<void> {
  await sessions(db)
    .updateTable('dashboard_sessions')
    .set({ flash })
    .where('id', '=', id)
    .execute();
}
