// history_snapshots: tips a sync overwrote or deleted in OneDev, kept under
// refs/starbridge/history/ (or in a bundle), until HISTORY_KEEP expires them.
// mirrors.source_gone_at / source_gone_reason: GitHub no longer has (or shows) the repository.
// mirror_wikis: the GitHub wiki of a mirrored repository and its OneDev child project.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('history_snapshots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('github_id', 'integer', (c) => c.notNull())
    .addColumn('project_path', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('old_sha', 'text', (c) => c.notNull())
    .addColumn('new_sha', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('taken_at', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('kept_ref', 'text', (c) => c.notNull())
    .addColumn('bundle_path', 'text')
    .execute();
  await db.schema
    .createIndex('history_snapshots_mirror_taken')
    .on('history_snapshots')
    .columns(['github_id', 'taken_at'])
    .execute();
  await db.schema
    .createIndex('history_snapshots_taken')
    .on('history_snapshots')
    .column('taken_at')
    .execute();
  await db.schema.alterTable('mirrors').addColumn('source_gone_at', 'text').execute();
  await db.schema.alterTable('mirrors').addColumn('source_gone_reason', 'text').execute();
  await db.schema
    .createTable('mirror_wikis')
    .addColumn('github_id', 'integer', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('onedev_path', 'text')
    .addColumn('onedev_project_id', 'integer')
    .addColumn('pushed_refs', 'text')
    .addColumn('last_synced_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mirror_wikis').execute();
  await db.schema.alterTable('mirrors').dropColumn('source_gone_reason').execute();
  await db.schema.alterTable('mirrors').dropColumn('source_gone_at').execute();
  await db.schema.dropTable('history_snapshots').execute();
}
