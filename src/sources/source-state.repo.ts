import type { Executor } from '../db/executor.js';

/**
 * Small JSON state rows shared by every replica (the poller's ETag, its pause, when it
 * last ran), so status pages and a replica taking over see the same thing.
 */
export async function readState<T>(db: Executor, name: string): Promise<T | undefined> {
  const row = await db
    .selectFrom('source_state')
    .select('data')
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? (JSON.parse(row.data) as T) : undefined;
}

export async function writeState(
  db: Executor,
  name: string,
  data: unknown,
  now: string,
): Promise<void> {
  const json = JSON.stringify(data);
  await db
    .insertInto('source_state')
    .values({ name, data: json, updated_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ data: json, updated_at: now }))
    .execute();
}

/** Read-modify-write of one state row (single writer per row: the lease holder). */
export async function patchState<T extends object>(
  db: Executor,
  name: string,
  patch: Partial<T>,
  now: string,
): Promise<T> {
  const next = { ...((await readState<T>(db, name)) ?? {}), ...patch } as T;
  await writeState(db, name, next, now);
  return next;
}

export async function upsertInstallation(
  db: Executor,
  installation: { id: number; account: string },
  now: string,
): Promise<void> {
  await db
    .insertInto('github_installations')
    .values({ id: installation.id, account: installation.account, updated_at: now })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({ account: installation.account, updated_at: now }),
    )
    .execute();
}

export async function deleteInstallation(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('github_installations').where('id', '=', id).execute();
}

export async function listInstallationIds(db: Executor): Promise<number[]> {
  const rows = await db.selectFrom('github_installations').select('id').orderBy('id').execute();
  return rows.map((r) => r.id);
}
