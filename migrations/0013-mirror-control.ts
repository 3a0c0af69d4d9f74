// The dashboard's control room: who paused a mirror and when, per-mirror options that
// override the global ones (a key per row, so more options need no new column), a log of
// what operators changed, and the indexes the sortable mirror list, the activity log and
// the charts read through (thousands of mirrors, a hundred thousand runs).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mirrors').addColumn('paused_by', 'text').execute();
  await db.schema.alterTable('mirrors').addColumn('paused_at', 'text').execute();

  await db.schema
    .createTable('mirror_options')
    .addColumn('github_id', 'bigint', (c) =>
      c.notNull().references('mirrors.github_id').onDelete('cascade'),
    )
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mirror_options_pk', ['github_id', 'key'])
    .execute();

  await db.schema
    .createTable('mirror_changes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('github_id', 'bigint', (c) =>
      c.notNull().references('mirrors.github_id').onDelete('cascade'),
    )
    .addColumn('change', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('mirror_changes_at')
    .on('mirror_changes')
    .columns(['at', 'id'])
    .execute();
  await db.schema
    .createIndex('mirror_changes_mirror')
    .on('mirror_changes')
    .columns(['github_id', 'at'])
    .execute();

  // The mirror list sorts by each of these, ties broken by the name key.
  for (const column of ['status', 'source', 'last_synced_at', 'next_attempt_at', 'onedev_path']) {
    await db.schema
      .createIndex(`mirrors_sort_${column}`)
      .on('mirrors')
      .columns([column, 'full_name_key', 'github_id'])
      .execute();
  }
  // The activity log and the charts: runs across all mirrors in time order, ties by id, with
  // the result in the index so the charts and the result filter never read the table.
  await db.schema
    .createIndex('sync_runs_started')
    .on('sync_runs')
    .columns(['started_at', 'id', 'result'])
    .execute();
  await db.schema
    .createIndex('container_actions_started')
    .on('container_actions')
    .columns(['started_at', 'id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_received_id')
    .on('webhook_deliveries')
    .columns(['received_at', 'id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_repo_received')
    .on('webhook_deliveries')
    .columns(['github_id', 'received_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of [
    'webhook_deliveries_repo_received',
    'webhook_deliveries_received_id',
    'container_actions_started',
    'sync_runs_started',
    ...['status', 'source', 'last_synced_at', 'next_attempt_at', 'onedev_path'].map(
      (c) => `mirrors_sort_${c}`,
    ),
  ]) {
    await db.schema.dropIndex(index).execute();
  }
  await db.schema.dropTable('mirror_changes').execute();
  await db.schema.dropTable('mirror_options').execute();
  await db.schema.alterTable('mirrors').dropColumn('paused_at').execute();
  await db.schema.alterTable('mirrors').dropColumn('paused_by').execute();
}
