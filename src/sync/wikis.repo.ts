import type { Executor } from '../db/executor.js';
import type { MirrorWikiRow } from '../db/schema/index.js';
import type { WikiView } from '../mirrors/mirror.js';

/** The wiki state of one mirror, if a wiki step ever ran for it. */
export async function findWiki(db: Executor, githubId: number): Promise<MirrorWikiRow | undefined> {
  return db
    .selectFrom('mirror_wikis')
    .selectAll()
    .where('github_id', '=', githubId)
    .executeTakeFirst();
}

/** Writes the wiki state of one mirror (insert or replace). */
export async function saveWiki(db: Executor, row: MirrorWikiRow): Promise<void> {
  const { github_id, ...rest } = row;
  await db
    .insertInto('mirror_wikis')
    .values(row)
    .onConflict((oc) => oc.column('github_id').doUpdateSet(rest))
    .execute();
}

/** The wiki as the API and the dashboard show it; null before any sync looked. */
export async function wikiView(db: Executor, githubId: number): Promise<WikiView | null> {
  const row = await findWiki(db, githubId);
  if (!row) return null;
  return {
    status: row.status as WikiView['status'],
    onedevPath: row.onedev_path,
    lastSyncedAt: row.last_synced_at,
    lastError: row.last_error,
  };
}

/** A wiki page was saved on GitHub: the next sync looks for the wiki whatever it last found. */
export async function forgetAbsentWiki(db: Executor, githubId: number): Promise<void> {
  await db
    .deleteFrom('mirror_wikis')
    .where('github_id', '=', githubId)
    .where('status', '=', 'absent')
    .execute();
}
