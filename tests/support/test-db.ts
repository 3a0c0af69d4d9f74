import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { createDb, type DbHandle, type Dialect } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { Database } from '../../src/db/schema/index.js';

/** Every dialect a database test runs on. */
export const DIALECTS: Dialect[] = ['sqlite', 'postgres'];

/**
 * Which PostgreSQL the matrix uses: the real server named by TEST_DATABASE_URL, or PGlite
 * (PostgreSQL compiled to WebAssembly, in process) where no server is available. CI must
 * run against the real server, so there a missing TEST_DATABASE_URL is an error.
 */
export function postgresTarget(): { kind: 'server'; url: string } | { kind: 'pglite' } {
  const url = process.env.TEST_DATABASE_URL;
  if (url) return { kind: 'server', url };
  if (process.env.CI === 'true') {
    throw new Error(
      'CI=true but TEST_DATABASE_URL is not set: CI must test against a real PostgreSQL server',
    );
  }
  return { kind: 'pglite' };
}

export interface TestDb extends DbHandle {
  /** For tests that need a second process or connection on the same database. */
  databaseUrl: string | undefined;
}

/** A fresh, migrated, isolated database of the given dialect. Call destroy() after. */
export async function createTestDb(
  dialect: Dialect,
  options: { migrate?: boolean } = {},
): Promise<TestDb> {
  const handle = dialect === 'sqlite' ? await createSqlite() : await createPostgres();
  if (options.migrate !== false) await migrateToLatest(handle);
  return handle;
}

async function createSqlite(): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), 'starbridge-db-'));
  const path = join(dir, 'test.db');
  const handle = createDb({ dialect: 'sqlite', path });
  return {
    ...handle,
    databaseUrl: `sqlite:${path}`,
    destroy: async () => {
      await handle.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createPostgres(): Promise<TestDb> {
  const target = postgresTarget();
  if (target.kind === 'pglite') return createPglite();
  // One database per test handle keeps parallel test files apart on one server (separate
  // schemas are not enough: Kysely's migrator looks for its tables in every schema).
  const name = `starbridge_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(target.url, `create database ${name}`);
  const url = withDatabase(target.url, name);
  const handle = createDb({ dialect: 'postgres', url });
  return {
    ...handle,
    databaseUrl: url,
    destroy: async () => {
      await handle.destroy();
      await adminQuery(target.url, `drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * PGlite takes seconds to boot, so one instance per test process is reused: a handle
 * resets the schema when destroyed. A second handle while one is open gets its own instance.
 */
let sharedPglite: { pglite: PGlite; inUse: boolean } | undefined;

async function createPglite(): Promise<TestDb> {
  const reuse = sharedPglite && !sharedPglite.inUse ? sharedPglite : undefined;
  const slot = reuse ?? {
    pglite: new PGlite({ parsers: { 20: (value: string) => Number(value) } }),
    inUse: false,
  };
  if (!sharedPglite) sharedPglite = slot;
  slot.inUse = true;
  const db = new Kysely<Database>({ dialect: new PGliteDialect(keepOpen(slot.pglite)) });
  return {
    db,
    dialect: 'postgres',
    databaseUrl: undefined,
    destroy: async () => {
      await db.destroy();
      if (slot !== sharedPglite) {
        await slot.pglite.close().catch(() => {});
        return;
      }
      await slot.pglite.exec('drop schema public cascade; create schema public;');
      slot.inUse = false;
    },
  };
}

/** The dialect closes its PGlite on destroy; the shared instance must outlive each handle. */
function keepOpen(pglite: PGlite): PGlite {
  return new Proxy(pglite, {
    get(target, property) {
      if (property === 'close') return async () => {};
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
