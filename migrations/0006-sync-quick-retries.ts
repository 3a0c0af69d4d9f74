// sync_runs.quick_retries: how many calls of a run needed a quick retry before they
// succeeded (or gave up), so a flaky upstream shows in the ledger even when runs succeed.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('sync_runs')
    .addColumn('quick_retries', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_runs').dropColumn('quick_retries').execute();
}
