// The first schema: mirrors (also the sync queue), the run ledger, webhook deliveries and
// leases for periodic tasks. Portable SQL only: text timestamps (ISO-8601 UTC), integer
// booleans, JSON in text, so one migration serves SQLite and PostgreSQL.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mirrors')
    .addColumn('github_id', 'bigint', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('full_name', 'text', (c) => c.notNull())
    .addColumn('full_name_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('starred', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('private', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('default_branch', 'text')
    .addColumn('onedev_name', 'text')
    .addColumn('onedev_path', 'text')
    .addColumn('onedev_project_id', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('last_error_code', 'text')
    .addColumn('last_synced_at', 'text')
    .addColumn('last_attempt_at', 'text')
    .addColumn('next_attempt_at', 'text')
    .addColumn('resync_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('pushed_refs', 'text')
    .addColumn('unstarred_at', 'text')
    .addColumn('delete_after', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('mirrors_full_name_key')
    .on('mirrors')
    .column('full_name_key')
    .execute();
  await db.schema
    .createIndex('mirrors_due')
    .on('mirrors')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema.createIndex('mirrors_lease').on('mirrors').column('lease_expires_at').execute();

  await db.schema
    .createTable('sync_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('github_id', 'bigint', (c) =>
      c.notNull().references('mirrors.github_id').onDelete('cascade'),
    )
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('worker', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('error_code', 'text')
    .addColumn('refs', 'text')
    .addColumn('containers', 'text')
    .execute();
  await db.schema
    .createIndex('sync_runs_mirror')
    .on('sync_runs')
    .columns(['github_id', 'started_at'])
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('hook_id', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('action', 'text')
    .addColumn('github_id', 'bigint')
    .addColumn('repository', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('webhook_deliveries_hook_delivery', ['hook_id', 'delivery_id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_received')
    .on('webhook_deliveries')
    .column('received_at')
    .execute();

  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('acquired_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['leases', 'webhook_deliveries', 'sync_runs', 'mirrors']) {
    await db.schema.dropTable(table).execute();
  }
}
