import type { Executor } from '../db/executor.js';
import type { MirrorRow } from '../db/schema/index.js';

/** What change detection compares: the mirror's name, holders and last successful sync. */
export type WatchedMirror = Pick<
  MirrorRow,
  'github_id' | 'owner' | 'name' | 'starred' | 'installation_id' | 'last_synced_at'
>;

/**
 * Mirrors whose GitHub repository may be watched for pushes: synced, waiting or syncing
 * (a push during a sync asks for one more run), not archived, paused, gone or failing. A
 * mirror never synced is due anyway.
 */
export async function watchedMirrors(db: Executor): Promise<WatchedMirror[]> {
  return db
    .selectFrom('mirrors')
    .select(['github_id', 'owner', 'name', 'starred', 'installation_id', 'last_synced_at'])
    .where('status', 'in', ['synced', 'queued', 'syncing'])
    .where('archived', '=', 0)
    .where('source_gone_at', 'is', null)
    .where('last_synced_at', 'is not', null)
    .orderBy('github_id')
    .execute();
}
