// ssh_keys: named Ed25519 deploy keys, the private key encrypted (AES-256-GCM under
// KEYS_SECRET); mirror_ssh_keys: which mirror fetches from GitHub over SSH with which key.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ssh_keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('private_key_encrypted', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('mirror_ssh_keys')
    .addColumn('github_id', 'bigint', (c) =>
      c.primaryKey().references('mirrors.github_id').onDelete('cascade'),
    )
    .addColumn('key_name', 'text', (c) => c.notNull().references('ssh_keys.name'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('mirror_ssh_keys_key_name')
    .on('mirror_ssh_keys')
    .column('key_name')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mirror_ssh_keys').execute();
  await db.schema.dropTable('ssh_keys').execute();
}
