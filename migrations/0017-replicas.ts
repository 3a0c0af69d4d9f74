// Replicas sharing one database: a registry of the running ones (each heartbeats), and on each
// mirror the live replica whose git cache it prefers (rendezvous hashing over the live set), so
// a mirror is synced where its cache already is.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('replicas')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('heartbeat_at', 'text', (c) => c.notNull())
    .addColumn('host', 'text')
    .execute();
  await db.schema.alterTable('mirrors').addColumn('preferred_replica', 'text').execute();
  // Partial indexes over the claimable rows only (the statuses a worker may claim), in queue
  // order: a replica's own due mirrors, then every due mirror (the fallback and SQLite).
  await sql`create index mirrors_claim_preferred on mirrors (preferred_replica, next_attempt_at, github_id) where status in ('queued', 'retrying')`.execute(
    db,
  );
  await sql`create index mirrors_claim_due on mirrors (next_attempt_at, github_id) where status in ('queued', 'retrying')`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('mirrors_claim_due').execute();
  await db.schema.dropIndex('mirrors_claim_preferred').execute();
  await db.schema.alterTable('mirrors').dropColumn('preferred_replica').execute();
  await db.schema.dropTable('replicas').execute();
}
