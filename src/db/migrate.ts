import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { migrations as knownMigrations } from '../../migrations/index.js';
import { AppError } from '../shared/errors.js';
import type { DbHandle } from './database.js';
import type { Database } from './schema/index.js';

export class MigrationError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('MigrationError', message, 500, { cause });
  }
}

export interface SchemaStatus {
  applied: string[];
  pending: string[];
  /** Applied migrations this version does not know: the schema is newer than the code. */
  unknown: string[];
  current: boolean;
}

const MIGRATION_TABLE = 'kysely_migration';

function provider(migrations: Record<string, Migration>): MigrationProvider {
  return { getMigrations: async () => migrations };
}

/** Reads which migrations the database has, compared with the ones this code knows. */
export async function readSchemaStatus(
  handle: DbHandle,
  migrations: Record<string, Migration> = knownMigrations,
): Promise<SchemaStatus> {
  const applied = await appliedMigrations(handle.db);
  const known = Object.keys(migrations).sort();
  const pending = known.filter((name) => !applied.includes(name));
  const unknown = applied.filter((name) => !known.includes(name));
  return { applied, pending, unknown, current: pending.length === 0 && unknown.length === 0 };
}

/**
 * Brings the schema up to date. Refuses a schema that a newer Starbridge migrated: running
 * old code on it could corrupt data the old code does not understand.
 */
export async function migrateToLatest(
  handle: DbHandle,
  migrations: Record<string, Migration> = knownMigrations,
): Promise<string[]> {
  const before = await readSchemaStatus(handle, migrations);
  if (before.unknown.length > 0) throw newerSchemaError(before.unknown);
  const migrator = new Migrator({ db: handle.db, provider: provider(migrations) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const name = failed?.migrationName ?? 'unknown';
    throw new MigrationError(
      `migration ${name} failed: ${(error as Error)?.message ?? error}`,
      error,
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

function newerSchemaError(unknown: string[]): MigrationError {
  return new MigrationError(
    `the database schema is newer than this Starbridge: it has migration(s) ${unknown.join(', ')} ` +
      'that this version does not know. Run the newer Starbridge that migrated it, or restore a backup.',
  );
}

async function appliedMigrations(db: Kysely<Database>): Promise<string[]> {
  try {
    const rows = await sql<{
      name: string;
    }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(db);
    return rows.rows.map((r) => r.name).sort();
  } catch (error) {
    if (isMissingTable(error)) return [];
    throw error;
  }
}

function isMissingTable(error: unknown): boolean {
  const message = String((error as Error)?.message ?? error);
  return /no such table|does not exist/i.test(message);
}
