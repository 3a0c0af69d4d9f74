import { CompiledQuery, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dialect } from '../../../src/db/database.js';
import { refreshDueQueries } from '../../../src/mirrors/mirror-refresh.repo.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';

const NOW = '2026-12-01T12:00:00.000Z';

describe.each(DIALECTS)("the refresh's candidate queries on %s", (dialect: Dialect) => {
  let handle: TestDb;
  beforeEach(async () => {
    handle = await createTestDb(dialect);
    // 5,000 mirrors, as many synced as not, a tenth never placed, the rest spread over three
    // days: enough that reading the whole table, or another index, would be a real choice.
    const rows = Array.from({ length: 5_000 }, (_, i) => {
      const id = i + 1;
      const hour = String(id % 24).padStart(2, '0');
      return {
        github_id: id,
        owner: 'o',
        name: `r${id}`,
        full_name: `o/r${id}`,
        full_name_key: `o/r${id}`,
        status: id % 2 === 0 ? 'queued' : 'synced',
        source: 'star',
        starred: 1,
        private: 0,
        attempts: 0,
        resync_requested: 0,
        pushed_refs: '{}',
        next_refresh_at: id % 10 === 1 ? null : `2026-12-0${1 + (id % 3)}T${hour}:00:00.000Z`,
        created_at: NOW,
        updated_at: NOW,
      };
    });
    for (let i = 0; i < rows.length; i += 500) {
      await handle.db
        .insertInto('mirrors')
        .values(rows.slice(i, i + 500))
        .execute();
    }
    if (dialect === 'postgres') await sql`analyze mirrors`.execute(handle.db);
  });
  afterEach(async () => handle.destroy());

  /** The plan's text: SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN. */
  async function plan(query: { compile(): CompiledQuery }): Promise<string> {
    const compiled = query.compile();
    const prefix = dialect === 'sqlite' ? 'explain query plan ' : 'explain ';
    const rows = await handle.db.executeQuery(
      CompiledQuery.raw(prefix + compiled.sql, [...compiled.parameters]),
    );
    return rows.rows.map((r) => Object.values(r as object).join(' ')).join('\n');
  }

  it('walk the mirrors_refresh_due index, never the whole table', async () => {
    const queries = refreshDueQueries(handle.db, NOW);
    for (const query of [queries.fresh(500), queries.overdue(500)]) {
      const text = await plan(query);
      expect(text).toContain('mirrors_refresh_due');
      expect(text).not.toMatch(/SCAN mirrors\b(?! USING)|Seq Scan on mirrors/);
    }
    // Most overdue first: on SQLite the index gives the order (no sort step). PostgreSQL's
    // planner picks by cost: on a few due rows it sorts what the index found.
    if (dialect === 'sqlite') {
      expect(await plan(queries.overdue(500))).not.toMatch(/TEMP B-TREE/);
    }
  });

  it('return never-placed mirrors, then the due ones most overdue first', async () => {
    const queries = refreshDueQueries(handle.db, NOW);
    const fresh = await queries.fresh(500).execute();
    expect(fresh.every((r) => r.next_refresh_at === null)).toBe(true);
    const overdue = await queries.overdue(500).execute();
    const slots = overdue.map((r) => r.next_refresh_at as string);
    expect(slots.length).toBeGreaterThan(0);
    expect(slots.every((s) => s <= NOW)).toBe(true);
    expect([...slots].sort()).toEqual(slots);
  });
});
