import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DbConfig } from '../config/config.js';
import type { Logger } from '../shared/logger.js';
import type { Database } from './schema/index.js';
import { type Checkpointer, startCheckpointer } from './sqlite-checkpointer.js';

export type Dialect = 'sqlite' | 'postgres';

/** An open database: the query builder, which dialect it speaks, and how to close it. */
export interface DbHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  destroy(): Promise<void>;
}

const INT8_OID = 20;

/** Opens the database named by the configuration. The only place a dialect is chosen. */
export function createDb(config: DbConfig, log?: Logger): DbHandle {
  const kyselyLog = log ? queryLogger(log) : undefined;
  if (config.dialect === 'sqlite') {
    let checkpointer: Checkpointer | undefined;
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({
        database: async () => {
          const sqlite = openSqlite(config.path);
          if (config.path !== ':memory:') {
            checkpointer = startCheckpointer(config.path, {
              onError: (message) => log?.warn({ err: message }, 'sqlite checkpoint failed'),
            });
          }
          return withStatementCache(sqlite);
        },
      }),
      log: kyselyLog,
    });
    const destroy = async () => {
      await checkpointer?.stop();
      await db.destroy();
    };
    return { db, dialect: 'sqlite', destroy };
  }
  const pool = new pg.Pool({
    connectionString: withPassword(config.url, config.password),
    max: 10,
    // Our ids are bigint (GitHub repository ids); they fit in a JS number.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server (a PostgreSQL restart) must not crash the process;
  // the pool replaces it on the next query.
  pool.on('error', (error) => log?.warn({ err: error }, 'postgres idle connection lost'));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: kyselyLog });
  return { db, dialect: 'postgres', destroy: () => db.destroy() };
}

function openSqlite(path: string): SqliteDatabase.Database {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  // WAL lets readers (health checks, the dashboard) proceed while a worker writes;
  // the busy timeout turns brief write contention into a wait instead of SQLITE_BUSY.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  // Checkpoints (copying the WAL into the database file, with an fsync) run in a worker
  // thread (sqlite-checkpointer.ts); a commit only checkpoints itself if the WAL reaches
  // ~40 MB anyway. At SQLite's default (~4 MB) a third of a webhook's cost was checkpoints.
  sqlite.pragma('wal_autocheckpoint = 10000');
  return sqlite;
}

/**
 * Kysely prepares every statement anew; better-sqlite3 statements can be reused, and
 * preparing is a large share of a small query's cost (webhook ingest runs a few per
 * delivery). One connection runs one statement at a time, so sharing them is safe.
 */
function withStatementCache(sqlite: SqliteDatabase.Database) {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    prepare(sql: string): SqliteDatabase.Statement {
      let statement = statements.get(sql);
      if (!statement) {
        // Queries are built from a bounded set of shapes; the cap guards against surprises.
        if (statements.size >= 1000) statements.clear();
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    close: () => sqlite.close(),
  };
}

function queryLogger(log: Logger) {
  const dbLog = log.child({ component: 'db' });
  return (event: import('kysely').LogEvent) => {
    // SQL and duration only: parameters can hold tokens and payload data.
    if (event.level === 'error') {
      dbLog.debug(
        { sql: event.query.sql, ms: event.queryDurationMillis, err: event.error },
        'query failed',
      );
    } else if (dbLog.isLevelEnabled('trace')) {
      dbLog.trace({ sql: event.query.sql, ms: event.queryDurationMillis }, 'query');
    }
  };
}

/**
 * The connection URL with DATABASE_PASSWORD in it, encoded so that pg decodes it back to the
 * exact text: any character may appear in the password. The result stays in memory.
 */
export function withPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(password);
  return parsed.href;
}
