import { sql } from 'kysely';
import { countRows } from '../db/count-rows.js';
import type { Executor } from '../db/executor.js';
import type { MirrorRow } from '../db/schema/index.js';

/** The columns the mirror list sorts by; each has an index ending in the name key. */
export const MIRROR_SORTS = {
  name: 'full_name_key',
  onedev: 'onedev_path',
  status: 'status',
  source: 'source',
  last_sync: 'last_synced_at',
  next_attempt: 'next_attempt_at',
} as const;

export type MirrorSort = keyof typeof MIRROR_SORTS;

/** Listing filter; `q` matches anywhere in `owner/name`, case-insensitively. */
export interface MirrorFilter {
  status?: string;
  q?: string;
  /** By name when absent; ties are broken by name, then id. */
  sort?: MirrorSort;
  direction?: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** One page of mirrors, in the asked order (by name by default), and how many match in all. */
export async function listMirrors(
  db: Executor,
  filter: MirrorFilter,
): Promise<{ rows: MirrorRow[]; total: number }> {
  let query = db.selectFrom('mirrors');
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.q) {
    // full_name_key is lower-cased, so LIKE is case-insensitive on both dialects. '!' escapes
    // the wildcards a user may type (`my_repo` means an underscore, not any character).
    const pattern = `%${filter.q.toLowerCase().replace(/[!%_]/g, '!$&')}%`;
    query = query.where(sql<boolean>`full_name_key like ${pattern} escape '!'`);
  }
  const column = MIRROR_SORTS[filter.sort ?? 'name'];
  const direction = filter.direction ?? 'asc';
  // Every tie-breaker goes the same way as the column, so one index serves the whole order.
  // NULLs (never synced) sort first ascending on SQLite and last on PostgreSQL: each
  // dialect's natural order keeps its index usable.
  let ordered = query.selectAll().orderBy(column, direction);
  if (column !== 'full_name_key') ordered = ordered.orderBy('full_name_key', direction);
  const rows = await ordered
    .orderBy('github_id', direction)
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return { rows, total: await countRows(query) };
}

/** How many mirrors are in each status. */
export async function countMirrorsByStatus(db: Executor): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('mirrors')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Mirrors whose last sync failed (for good, or retrying), most recent attempt first. */
export function listRecentFailures(db: Executor, limit: number): Promise<MirrorRow[]> {
  return (
    db
      .selectFrom('mirrors')
      .selectAll()
      .where('status', 'in', ['failed', 'retrying'])
      // Coalesced so NULLs sort alike on both dialects (PostgreSQL puts them first when descending).
      .orderBy(sql`coalesce(last_attempt_at, updated_at)`, 'desc')
      .orderBy('github_id')
      .limit(limit)
      .execute()
  );
}

export async function listFailedMirrorIds(db: Executor): Promise<number[]> {
  const rows = await db
    .selectFrom('mirrors')
    .select('github_id')
    .where('status', '=', 'failed')
    .orderBy('github_id')
    .execute();
  return rows.map((r) => r.github_id);
}

/** Deletes a mirror row (its run ledger goes with it, by foreign key). False if it was gone. */
export async function deleteMirror(db: Executor, githubId: number): Promise<boolean> {
  const result = await db
    .deleteFrom('mirrors')
    .where('github_id', '=', githubId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * The mirror whose last success is oldest (the one most out of date), through the
 * `last_synced_at` index, and how many have never succeeded.
 */
export async function oldestLastSuccess(
  db: Executor,
): Promise<{ oldest: MirrorRow | undefined; neverSynced: number }> {
  const oldest = await db
    .selectFrom('mirrors')
    .selectAll()
    .where('last_synced_at', 'is not', null)
    .orderBy('last_synced_at')
    .orderBy('full_name_key')
    .orderBy('github_id')
    .limit(1)
    .executeTakeFirst();
  const never = await countRows(db.selectFrom('mirrors').where('last_synced_at', 'is', null));
  return { oldest, neverSynced: never };
}
