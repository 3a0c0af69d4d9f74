import { sql } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { MirrorRow } from '../db/schema/index.js';

/**
 * Holds a mirror with the workers' own lease columns while its OneDev project is moved,
 * so no sync runs against the old path meanwhile (it would re-create the project there:
 * a duplicate). Only a mirror that is not syncing can be held. Returns the row as it was.
 */
export async function holdMirror(
  db: Executor,
  githubId: number,
  holder: string,
  until: string,
): Promise<MirrorRow | undefined> {
  const row = await db
    .selectFrom('mirrors')
    .selectAll()
    .where('github_id', '=', githubId)
    .executeTakeFirst();
  if (!row || row.status === 'syncing') return undefined;
  const held = await db
    .updateTable('mirrors')
    .set({ status: 'syncing', lease_owner: holder, lease_expires_at: until })
    .where('github_id', '=', githubId)
    .where('status', '=', row.status)
    .where('updated_at', '=', row.updated_at)
    .executeTakeFirst();
  return Number(held.numUpdatedRows) > 0 ? row : undefined;
}

/**
 * Gives the mirror back in the status it had; a sync requested meanwhile (it set
 * `resync_requested`) makes it due now instead, as a worker's release does.
 */
export async function unholdMirror(
  db: Executor,
  held: MirrorRow,
  holder: string,
  now: string,
): Promise<void> {
  await db
    .updateTable('mirrors')
    .set({
      status: sql`case when resync_requested = 1 then 'queued' else ${held.status} end`,
      next_attempt_at: sql`case when resync_requested = 1 then ${now} else ${held.next_attempt_at} end`,
      resync_requested: 0,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: now,
    })
    .where('github_id', '=', held.github_id)
    .where('lease_owner', '=', holder)
    .execute();
}
