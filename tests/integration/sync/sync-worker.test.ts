import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../../src/db/database.js';
import type { MirrorRow } from '../../../src/db/schema/index.js';
import { reclaimExpiredLeases } from '../../../src/mirrors/mirror-lease.repo.js';
import { insertMirrorIfAbsent, requestSync } from '../../../src/mirrors/mirrors.repo.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { listRuns, startRun } from '../../../src/sync/runs.repo.js';
import {
  createSyncWorker,
  type SyncExecutor,
  type SyncWorker,
} from '../../../src/sync/sync.worker.js';
import type { SyncResult } from '../../../src/sync/sync-mirror.js';
import { eventually } from '../../support/eventually.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';

/** What a finished sync of `mirror` returns; the worker only stores it. */
function synced(mirror: MirrorRow): SyncResult {
  return {
    result: 'synced',
    refs: [],
    pushedRefs: { 'refs/heads/main': 'a'.repeat(40) },
    defaultBranch: 'main',
    onedev: { name: mirror.name, path: `github/${mirror.full_name}`, projectId: mirror.github_id },
  };
}

/** Resolves after `ms`, or rejects as soon as the sync is aborted. */
function work(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => {
    throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
  });
}

const until = eventually;

describe.each(DIALECTS)('sync worker leases on %s', (dialect) => {
  let handle: TestDb;
  let second: DbHandle | undefined;
  const workers: SyncWorker[] = [];
  const log = createLogger({ level: 'silent' });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop(500)));
    await second?.destroy();
    second = undefined;
    await handle?.destroy();
  });

  async function seed(n: number, due = true): Promise<number[]> {
    const now = new Date().toISOString();
    const ids: number[] = [];
    for (let i = 1; i <= n; i++) {
      await insertMirrorIfAbsent(
        handle.db,
        {
          githubId: i,
          owner: 'octocat',
          name: `repo-${i}`,
          source: 'manual',
          starred: false,
          private: false,
          defaultBranch: 'main',
        },
        due ? now : '9999-01-01T00:00:00.000Z',
      );
      ids.push(i);
    }
    return ids;
  }

  function worker(
    execute: SyncExecutor,
    options: { leaseMs?: number; concurrency?: number; on?: DbHandle } = {},
  ): SyncWorker {
    const created = createSyncWorker({
      handle: options.on ?? handle,
      execute,
      clock: systemClock,
      log,
      concurrency: options.concurrency ?? 1,
      maxAttempts: 3,
      leaseMs: options.leaseMs ?? 5_000,
      pollMs: 10,
      backoff: { baseMs: 10, capMs: 50 },
    });
    workers.push(created);
    return created;
  }

  const row = (githubId: number) =>
    handle.db
      .selectFrom('mirrors')
      .selectAll()
      .where('github_id', '=', githubId)
      .executeTakeFirstOrThrow();

  it('renews the lease of a sync that outlasts it, so nobody reclaims it', async () => {
    handle = await createTestDb(dialect);
    const [id = 0] = await seed(1);
    const expiries: string[] = [];
    const w = worker(
      async (mirror, signal) => {
        // Over two lease lengths: without renewal the reclaim timer takes the mirror away.
        for (let i = 0; i < 8; i++) {
          await work(300, signal);
          expiries.push((await row(id)).lease_expires_at ?? 'none');
        }
        return synced(mirror);
      },
      { leaseMs: 900 },
    );
    const finished = new Promise((resolve) => w.events.on('sync:finished', resolve));
    await w.start();
    expect(await finished).toMatchObject({ githubId: id, result: 'synced' });

    expect(new Set(expiries).size).toBeGreaterThan(3);
    expect([...expiries].sort()).toEqual(expiries);
    expect(await listRuns(handle.db, id)).toEqual([
      expect.objectContaining({ result: 'synced', attempt: 1 }),
    ]);
    expect(await row(id)).toMatchObject({ status: 'synced', lease_owner: null });
  });

  it("reclaims another worker's expired lease while running, not only at start", async () => {
    handle = await createTestDb(dialect);
    const [id = 0] = await seed(1, false);
    const ran: number[] = [];
    const w = worker(
      async (mirror) => {
        ran.push(mirror.github_id);
        return synced(mirror);
      },
      { leaseMs: 200 },
    );
    await w.start();
    await sleep(100);

    // A worker on another replica claimed the mirror and died after the start; its lease
    // runs out while this worker is already running.
    const past = new Date(Date.now() - 1_000).toISOString();
    await handle.db
      .updateTable('mirrors')
      .set({ status: 'syncing', lease_owner: 'dead-replica', lease_expires_at: past })
      .where('github_id', '=', id)
      .execute();
    await startRun(handle.db, {
      id: 'run-of-the-dead-replica',
      githubId: id,
      trigger: 'request',
      attempt: 1,
      worker: 'dead-replica',
      startedAt: past,
    });

    const done = await until('the mirror synced again', async () => {
      const current = await row(id);
      return current.status === 'synced' ? current : undefined;
    });
    expect(done.lease_owner).toBeNull();
    expect(ran).toEqual([id]);
    const runs = await listRuns(handle.db, id);
    expect(runs.map((r) => r.result).sort()).toEqual(['aborted', 'synced']);
    expect(runs.find((r) => r.id === 'run-of-the-dead-replica')?.error).toMatch(
      /worker stopped before finishing/,
    );
  });

  it('aborts a sync whose lease was lost and leaves the row to its new holder', async () => {
    handle = await createTestDb(dialect);
    const [id = 0] = await seed(1);
    const reasons: string[] = [];
    let calls = 0;
    const w = worker(
      async (mirror, signal) => {
        calls++;
        if (calls > 1) return synced(mirror);
        try {
          await work(10_000, signal);
        } catch (error) {
          reasons.push((error as Error).message);
          throw error;
        }
        return synced(mirror);
      },
      { leaseMs: 3_000 },
    );
    const events: Array<{ result: string; error?: string }> = [];
    w.events.on('sync:finished', (event) => events.push(event));
    await w.start();
    await until('the sync to run', async () => (calls === 1 ? true : undefined));

    // The worker stalled past its lease (a long GC pause, a suspended VM) and another
    // replica reclaimed the mirror before the next renewal.
    await handle.db
      .updateTable('mirrors')
      .set({ lease_expires_at: new Date(Date.now() - 1).toISOString() })
      .where('github_id', '=', id)
      .execute();
    expect(await reclaimExpiredLeases(handle.db, new Date().toISOString())).toEqual([id]);

    await until('the abort', async () => (reasons.length > 0 ? true : undefined));
    expect(reasons).toEqual(['lease lost']);
    await until('the follow-up sync', async () =>
      (await row(id)).status === 'synced' ? true : undefined,
    );
    expect(events[0]).toMatchObject({ result: 'aborted', error: 'lease lost' });
    const runs = await listRuns(handle.db, id);
    // The lost run stays as the reclaimer closed it; the failure did not use up an attempt.
    expect(runs.map((r) => r.result).sort()).toEqual(['aborted', 'synced']);
    expect(runs.find((r) => r.result === 'aborted')?.error).toMatch(/queued again/);
    expect(await row(id)).toMatchObject({ status: 'synced', attempts: 0, last_error: null });
  });

  it('two workers on one database never sync the same mirror at once (G13)', async () => {
    handle = await createTestDb(dialect);
    // A second connection (pool) where the database allows one; in-process PGlite has a
    // single connection, so both workers share it.
    second =
      dialect === 'sqlite' && handle.databaseUrl
        ? createDb({ dialect: 'sqlite', path: handle.databaseUrl.slice('sqlite:'.length) })
        : dialect === 'postgres' && handle.databaseUrl
          ? createDb({ dialect: 'postgres', url: handle.databaseUrl })
          : undefined;
    const ids = await seed(12);
    const inFlight = new Map<number, string>();
    const overlaps: string[] = [];
    const runsBy = { a: 0, b: 0 };
    let requests = 0;
    const executor =
      (name: 'a' | 'b'): SyncExecutor =>
      async (mirror, signal) => {
        const other = inFlight.get(mirror.github_id);
        if (other) overlaps.push(`${mirror.full_name}: ${other} and ${name}`);
        inFlight.set(mirror.github_id, name);
        runsBy[name]++;
        try {
          await work(15, signal);
          // Pushes keep arriving while the mirror syncs: each asks for a follow-up.
          if (requests < 40) {
            requests++;
            await requestSync(handle.db, mirror.github_id, new Date().toISOString());
          }
        } finally {
          inFlight.delete(mirror.github_id);
        }
        return synced(mirror);
      };
    const a = worker(executor('a'), { concurrency: 3 });
    const b = worker(executor('b'), { concurrency: 3, on: second ?? handle });
    await Promise.all([a.start(), b.start()]);

    await until(
      'every mirror synced with no follow-up left',
      async () => {
        const rows = await handle.db.selectFrom('mirrors').selectAll().execute();
        return requests >= 40 &&
          rows.every((r) => r.status === 'synced' && r.resync_requested === 0)
          ? true
          : undefined;
      },
      15_000,
    );
    expect(overlaps).toEqual([]);
    expect(runsBy.a).toBeGreaterThan(0);
    expect(runsBy.b).toBeGreaterThan(0);
    const runs = await handle.db.selectFrom('sync_runs').selectAll().execute();
    expect(runs).toHaveLength(runsBy.a + runsBy.b);
    expect(runs.every((r) => r.result === 'synced')).toBe(true);
    for (const id of ids) expect((await row(id)).lease_owner).toBeNull();
  });
});
