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
    // Paused mirrors (unstarred and kept, archived, disabled on GitHub) stop syncing on
    // purpose: their age would grow forever and fire every staleness alert, so they are left
    // out here and counted under starbridge_mirrors{status="paused"} instead.
    lastSuccess: rows
      .filter((r) => r.status !== 'paused')
      .map((r) => ({
        repository: r.full_name,
        lastSyncedAt: r.last_synced_at,
        createdAt: r.created_at,
      })),
  };
}
