import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../../migrations/index.js';
import { migrateToLatest, readSchemaStatus } from '../../../src/db/migrate.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  let handle: TestDb | undefined;
  afterEach(async () => {
    await handle?.destroy();
    handle = undefined;
  });

  it('applies every migration once and reports the schema current', async () => {
    handle = await createTestDb(dialect, { migrate: false });
    expect((await readSchemaStatus(handle)).pending).toEqual(Object.keys(migrations));
    expect(await migrateToLatest(handle)).toEqual(Object.keys(migrations));
    expect(await migrateToLatest(handle)).toEqual([]);
    const status = await readSchemaStatus(handle);
    expect(status.current).toBe(true);
    expect(status.unknown).toEqual([]);
  });

  it('refuses a schema that a newer version migrated', async () => {
    handle = await createTestDb(dialect);
    await sql`insert into kysely_migration (name, timestamp) values ('9999-from-the-future', '2030-01-01T00:00:00.000Z')`.execute(
      handle.db,
    );
    expect((await readSchemaStatus(handle)).unknown).toEqual(['9999-from-the-future']);
    await expect(migrateToLatest(handle)).rejects.toThrow(
      /schema is newer than this Starbridge.*9999-from-the-future/,
    );
  });

  it('stores one delivery per (hook id, delivery id) under concurrent inserts', async () => {
    handle = await createTestDb(dialect);
    const db = handle.db;
    const row = (id: string, hookId: string) => ({
      id,
      hook_id: hookId,
      delivery_id: 'd-1',
      event: 'push',
      action: null,
      github_id: 1,
      repository: 'a/b',
      outcome: 'queued',
      detail: null,
      received_at: new Date().toISOString(),
    });
    const attempts = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        db
          .insertInto('webhook_deliveries')
          .values(row(`id-${i}`, 'h1'))
          .execute(),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    // Another hook receiving the same event is a different delivery.
    await db.insertInto('webhook_deliveries').values(row('other', 'h2')).execute();
    const count = await db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
  });

  it('round-trips mirror rows with 64-bit GitHub ids as numbers and cascades runs', async () => {
    handle = await createTestDb(dialect);
    const db = handle.db;
    const now = new Date().toISOString();
    await db
      .insertInto('mirrors')
      .values({
        github_id: 9_007_199_254_740,
        owner: 'Octo',
        name: 'Hello',
        full_name: 'Octo/Hello',
        full_name_key: 'octo/hello',
        status: 'queued',
        source: 'manual',
        starred: 1,
        private: 0,
        attempts: 0,
        resync_requested: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db
      .insertInto('sync_runs')
      .values({
        id: 'r1',
        github_id: 9_007_199_254_740,
        trigger: 'manual',
        attempt: 1,
        started_at: now,
        result: 'running',
      })
      .execute();
    const mirror = await db.selectFrom('mirrors').selectAll().executeTakeFirstOrThrow();
    expect(mirror.github_id).toBe(9_007_199_254_740);
    expect(typeof mirror.github_id).toBe('number');
    await db.deleteFrom('mirrors').execute();
    expect(await db.selectFrom('sync_runs').selectAll().execute()).toEqual([]);
  });
});
