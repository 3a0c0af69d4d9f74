// notifications: every notification Starbridge attempted — when, the event kind, the repository
// it concerns (if one), the channel's name (never its URL or secret), whether it was delivered
// and the last error. The activity log reads it newest first (notifications_at); the retention
// prune, if one is added, deletes by time through the same index.
// history_snapshots_taken_id: the activity log pages kept tips by (time, id); the older index on
// the time alone leaves ties to a sort.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('repository', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('notifications_at')
    .on('notifications')
    .columns(['at', 'id'])
    .execute();
  await db.schema
    .createIndex('history_snapshots_taken_id')
    .on('history_snapshots')
    .columns(['taken_at', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('history_snapshots_taken_id').execute();
  await db.schema.dropTable('notifications').execute();
}
