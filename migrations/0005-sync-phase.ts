// sync_runs.phase: what a running sync is doing now (comparing, fetching, pushing,
// verifying), so the dashboard of any replica can show a long sync's progress.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_runs').addColumn('phase', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_runs').dropColumn('phase').execute();
}
