// sync_runs.bytes_fetched / bytes_pushed: the pack bytes a run's git moved — fetched from GitHub
// (the packs added to the cache) and pushed to OneDev (git's progress). NULL for failed runs
// and runs from before this migration.
// sync_runs_drift: the activity log's drift source reads only the runs that found OneDev changed,
// newest first; a partial index keeps that read off the hundred thousand other runs.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_runs').addColumn('bytes_fetched', 'bigint').execute();
  await db.schema.alterTable('sync_runs').addColumn('bytes_pushed', 'bigint').execute();
  await db.schema
    .createIndex('sync_runs_drift')
    .on('sync_runs')
    .columns(['started_at', 'id'])
    .where(sql.ref('drift'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sync_runs_drift').execute();
  await db.schema.alterTable('sync_runs').dropColumn('bytes_fetched').execute();
  await db.schema.alterTable('sync_runs').dropColumn('bytes_pushed').execute();
}
