import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../../src/db/database.js';

describe('SQLite checkpoints beside the service', () => {
  let dir: string;
  let handle: DbHandle | undefined;
  afterEach(async () => {
    await handle?.destroy();
    handle = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies committed writes into the database file without a commit doing it, and stops on close', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-checkpoint-'));
    const path = join(dir, 'sb.db');
    handle = createDb({ dialect: 'sqlite', path });
    await sql`create table notes (id integer primary key, body text not null)`.execute(handle.db);
    const body = 'x'.repeat(4000);
    // ~500 pages: far below the point where a commit would checkpoint by itself.
    for (let i = 0; i < 500; i++) {
      await sql`insert into notes (body) values (${body})`.execute(handle.db);
    }
    let size = statSync(path).size;
    for (let i = 0; i < 50 && size < 1_000_000; i++) {
      await sleep(100);
      size = statSync(path).size;
    }
    expect(size).toBeGreaterThan(1_000_000);

    await handle.destroy();
    handle = undefined;
    // The last connection closed cleanly: SQLite folded the WAL in and removed it.
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('keeps the process alive until the database is closed, even when nothing else does', () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-checkpoint-'));
    const script = fileURLToPath(new URL('./fixtures/open-and-close-sqlite.ts', import.meta.url));
    const output = execFileSync(process.execPath, ['--import', 'tsx', script, join(dir, 'sb.db')], {
      encoding: 'utf8',
    });
    expect(output).toContain('closed');
  });
});
