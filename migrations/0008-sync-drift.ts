// sync_runs.drift: what a run found changed in OneDev behind Starbridge's back (refs that
// differed from the last push, and whether the run restored them), as JSON; null for none.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_runs').addColumn('drift', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_runs').dropColumn('drift').execute();
}
