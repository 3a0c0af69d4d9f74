// Change detection: what GitHub last said about each mirror's repository (its GraphQL node
// id and `pushed_at`), so a star walk or a GraphQL batch syncs only the mirrors that moved.
// A table of its own, not columns on `mirrors`: the mirrors module owns that table.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('change_hints')
    .addColumn('github_id', 'bigint', (c) =>
      c.primaryKey().references('mirrors.github_id').onDelete('cascade'),
    )
    .addColumn('node_id', 'text')
    .addColumn('pushed_at', 'text')
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('change_hints').execute();
}
