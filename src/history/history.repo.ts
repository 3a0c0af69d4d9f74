import type { Executor } from '../db/executor.js';
import type { HistorySnapshotRow, NewHistorySnapshotRow } from '../db/schema/index.js';

/** Records kept tips (one row each). */
export async function insertSnapshots(db: Executor, rows: NewHistorySnapshotRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('history_snapshots').values(rows).execute();
}

/** A mirror's kept tips, newest first. */
export async function listSnapshots(
  db: Executor,
  githubId: number,
  limit = 200,
): Promise<HistorySnapshotRow[]> {
  return db
    .selectFrom('history_snapshots')
    .selectAll()
    .where('github_id', '=', githubId)
    .orderBy('taken_at', 'desc')
    .orderBy('ref')
    .limit(limit)
    .execute();
}

/** Kept tips taken before `before`, oldest first. */
export async function expiredSnapshots(
  db: Executor,
  before: string,
  limit = 500,
): Promise<HistorySnapshotRow[]> {
  return db
    .selectFrom('history_snapshots')
    .selectAll()
    .where('taken_at', '<', before)
    .orderBy('taken_at')
    .limit(limit)
    .execute();
}

export async function deleteSnapshots(db: Executor, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('history_snapshots').where('id', 'in', ids).execute();
}
