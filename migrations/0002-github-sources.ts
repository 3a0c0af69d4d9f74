// GitHub sources: per-mirror flags the stars poller, the refresh scheduler, App
// installations and renames need, plus small state rows (poller ETag, schedule, pause)
// and the App installations seen. Portable types only (text, integer, bigint).
import type { Kysely } from 'kysely';

const MIRROR_COLUMNS: Array<[string, 'text' | 'integer' | 'bigint', boolean]> = [
  ['paused_reason', 'text', false],
  ['archived', 'integer', true],
  ['starred_at', 'text', false],
  ['next_refresh_at', 'text', false],
  ['installation_id', 'bigint', false],
  ['onedev_conflict', 'text', false],
  ['onedev_move_pending', 'integer', true],
];

export async function up(db: Kysely<any>): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  for (const [name, type, flag] of MIRROR_COLUMNS) {
    await db.schema
      .alterTable('mirrors')
      .addColumn(name, type, (c) => (flag ? c.notNull().defaultTo(0) : c))
      .execute();
  }
  await db.schema
    .createIndex('mirrors_next_refresh')
    .on('mirrors')
    .column('next_refresh_at')
    .execute();
  await db.schema
    .createIndex('mirrors_installation')
    .on('mirrors')
    .column('installation_id')
    .execute();

  await db.schema
    .createTable('source_state')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('github_installations')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('github_installations').execute();
  await db.schema.dropTable('source_state').execute();
  await db.schema.dropIndex('mirrors_installation').execute();
  await db.schema.dropIndex('mirrors_next_refresh').execute();
  for (const [name] of [...MIRROR_COLUMNS].reverse()) {
    await db.schema.alterTable('mirrors').dropColumn(name).execute();
  }
}
