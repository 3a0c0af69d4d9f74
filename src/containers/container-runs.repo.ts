import type { Executor } from '../db/executor.js';
import type { LedgerEntry } from './containers.events.js';

/**
 * Appends restart outcomes to sync runs' `containers` column (a JSON array). Several runs
 * share one debounced restart, so each of them records it. Read-modify-write: only the
 * restarter of this process writes the column of a run this process synced.
 */
export async function appendContainerEntries(
  db: Executor,
  runIds: readonly string[],
  entries: readonly LedgerEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  for (const id of runIds) {
    const row = await db
      .selectFrom('sync_runs')
      .select('containers')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) continue;
    const existing = row.containers ? (JSON.parse(row.containers) as LedgerEntry[]) : [];
    await db
      .updateTable('sync_runs')
      .set({ containers: JSON.stringify([...existing, ...entries]) })
      .where('id', '=', id)
      .execute();
  }
}
