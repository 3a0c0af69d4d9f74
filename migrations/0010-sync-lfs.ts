// mirrors.lfs: a mirror's own LFS setting (NULL: MIRROR_LFS decides, 1: on, 0: off).
// sync_runs.lfs_*: what a run's LFS step did — objects and bytes uploaded to OneDev, and the
// objects and bytes the mirror's refs point at. NULL when the run had no LFS step (LFS mirroring
// off, or nothing changed).
import type { Kysely } from 'kysely';

const COLUMNS = [
  ['lfs_objects', 'integer'],
  ['lfs_bytes', 'bigint'],
  ['lfs_total_objects', 'integer'],
  ['lfs_total_bytes', 'bigint'],
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mirrors').addColumn('lfs', 'integer').execute();
  for (const [name, type] of COLUMNS) {
    await db.schema.alterTable('sync_runs').addColumn(name, type).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mirrors').dropColumn('lfs').execute();
  for (const [name] of COLUMNS) {
    await db.schema.alterTable('sync_runs').dropColumn(name).execute();
  }
}
