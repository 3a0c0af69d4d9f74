// container_actions: restarts, starts, stops and rebuilds (with output), so they outlive the process.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('container_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('container', 'text')
    .addColumn('container_id', 'text')
    .addColumn('repository', 'text')
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('output', 'text')
    .addColumn('exit_code', 'integer')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('container_actions_container_finished')
    .on('container_actions')
    .columns(['container', 'finished_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('container_actions').execute();
}
