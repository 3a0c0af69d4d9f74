// container_actions.health: what the health wait after a restart saw (healthy, running,
// crash-looping, unhealthy, timeout); from_commit/to_commit: a rollback's two commits.
// working_copy_holds: a working copy put back after its followers failed on a commit, kept
// there until a newer commit arrives or an operator retries; it outlives the process.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('container_actions').addColumn('health', 'text').execute();
  await db.schema.alterTable('container_actions').addColumn('from_commit', 'text').execute();
  await db.schema.alterTable('container_actions').addColumn('to_commit', 'text').execute();
  await db.schema
    .createTable('working_copy_holds')
    .addColumn('repository', 'text', (c) => c.primaryKey())
    .addColumn('bad_commit', 'text', (c) => c.notNull())
    .addColumn('good_commit', 'text', (c) => c.notNull())
    .addColumn('container', 'text', (c) => c.notNull())
    .addColumn('held_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('working_copy_holds').execute();
  await db.schema.alterTable('container_actions').dropColumn('to_commit').execute();
  await db.schema.alterTable('container_actions').dropColumn('from_commit').execute();
  await db.schema.alterTable('container_actions').dropColumn('health').execute();
}
