import type { Executor } from '../db/executor.js';

/** What the mirrors table looks like at scrape time: a read model owned by the metrics feature. */
export async function readMirrorGauges(db: Executor): Promise<{
  byStatus: Record<string, number>;
  lastSuccess: Array<{ repository: string; lastSyncedAt: string | null; createdAt: string }>;
}> {
  const rows = await db
    .selectFrom('mirrors')
    .select(['full_name', 'status', 'last_synced_at', 'created_at'])
    .execute();
  const byStatus: Record<string, number> = {};
  for (const row of rows) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
  return {
    byStatus,
    lastSuccess: rows.map((r) => ({
      repository: r.full_name,
      lastSyncedAt: r.last_synced_at,
      createdAt: r.created_at,
    })),
  };
}
