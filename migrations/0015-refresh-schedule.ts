// The adaptive refresh: each mirror's own interval between two `git ls-remote` checks (it
// shortens after a change, grows after quiet or failed checks) and what the last check found.
// Null on existing rows: the first check starts from REFRESH_INTERVAL. The new index serves the
// refresh's candidate queries (synced, not archived, slot passed, most overdue first) and
// replaces the one on the slot alone, which read every paused and queued row too.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mirrors').addColumn('refresh_every_ms', 'bigint').execute();
  await db.schema.alterTable('mirrors').addColumn('refresh_outcome', 'text').execute();
  await db.schema
    .createIndex('mirrors_refresh_due')
    .on('mirrors')
    .columns(['status', 'archived', 'next_refresh_at', 'github_id'])
    .execute();
  await db.schema.dropIndex('mirrors_next_refresh').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('mirrors_next_refresh')
    .on('mirrors')
    .column('next_refresh_at')
    .execute();
  await db.schema.dropIndex('mirrors_refresh_due').execute();
  await db.schema.alterTable('mirrors').dropColumn('refresh_outcome').execute();
  await db.schema.alterTable('mirrors').dropColumn('refresh_every_ms').execute();
}
