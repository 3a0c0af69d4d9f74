import { sql } from 'kysely';
import type { Executor } from '../db/executor.js';

/** Synced and failed runs in one hour or one day of the ledger. */
export interface RunBucket {
  /** `YYYY-MM-DDTHH` for hours, `YYYY-MM-DD` for days (UTC), as the ledger's timestamps start. */
  bucket: string;
  synced: number;
  failed: number;
}

/** Runs that moved the mirror forward or confirmed it: counted as synced in the charts. */
export const SYNCED_RESULTS = ['synced', 'unchanged', 'empty'] as const;
/** Runs that ended in an error, final or to be retried. */
export const FAILED_RESULTS = ['failed', 'retrying'] as const;

/**
 * Runs since `from` per hour or day, split synced/failed: one range scan of the
 * `(started_at, result)` index, grouped on the timestamp's prefix. Buckets without runs are
 * absent; the caller lays out the axis.
 */
export async function runsPerBucket(
  db: Executor,
  from: string,
  unit: 'hour' | 'day',
): Promise<RunBucket[]> {
  const length = unit === 'hour' ? 13 : 10;
  const bucket = sql<string>`substr(started_at, 1, ${sql.lit(length)})`;
  const rows = await db
    .selectFrom('sync_runs')
    .select([bucket.as('bucket'), 'result', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('started_at', '>=', from)
    .where('result', 'in', [...SYNCED_RESULTS, ...FAILED_RESULTS])
    .groupBy([bucket, 'result'])
    .execute();
  const byBucket = new Map<string, RunBucket>();
  for (const row of rows) {
    const entry = byBucket.get(row.bucket) ?? { bucket: row.bucket, synced: 0, failed: 0 };
    const failed = (FAILED_RESULTS as readonly string[]).includes(row.result);
    entry[failed ? 'failed' : 'synced'] += Number(row.n);
    byBucket.set(row.bucket, entry);
  }
  return [...byBucket.values()].sort((a, b) => (a.bucket < b.bucket ? -1 : 1));
}
