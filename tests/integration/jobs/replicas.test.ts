import { afterEach, describe, expect, it } from 'vitest';
import { assignPreferredReplicas, preferredReplica } from '../../../src/jobs/rendezvous.js';
import {
  heartbeatReplica,
  liveReplicas,
  registerReplica,
  removeReplica,
} from '../../../src/jobs/replicas.repo.js';
import { claimDueMirror, releaseMirror } from '../../../src/mirrors/mirror-lease.repo.js';
import { claimRefreshSlots, dueForRefresh } from '../../../src/mirrors/mirror-refresh.repo.js';
import { insertMirrorIfAbsent } from '../../../src/mirrors/mirrors.repo.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const IDS = ['replica-a', 'replica-b', 'replica-c'];

describe.each(DIALECTS)('replicas and preferred claims on %s', (dialect) => {
  let handle: TestDb | undefined;
  afterEach(async () => {
    await handle?.destroy();
    handle = undefined;
  });

  async function seed(db: TestDb, count: number, dueAt: string): Promise<void> {
    for (let id = 1; id <= count; id++) {
      const mirror = { githubId: id, owner: 'o', name: `r${id}`, source: 'manual' };
      await insertMirrorIfAbsent(
        db.db,
        { ...mirror, starred: true, private: false, defaultBranch: 'main' },
        dueAt,
      );
    }
  }

  const preferred = async (db: TestDb) =>
    new Map(
      (await db.db.selectFrom('mirrors').select(['github_id', 'preferred_replica']).execute()).map(
        (r) => [Number(r.github_id), r.preferred_replica],
      ),
    );

  it('registers, heartbeats and leaves; only recent heartbeats are live', async () => {
    handle = await createTestDb(dialect);
    const db = handle.db;
    await registerReplica(db, { id: 'a', host: 'h1', now: t(0) });
    await registerReplica(db, { id: 'b', host: 'h2', now: t(0) });
    await heartbeatReplica(db, { id: 'a', host: 'h1', now: t(30) });
    expect((await liveReplicas(db, t(10))).map((r) => r.id)).toEqual(['a']);
    await removeReplica(db, 'a');
    // A heartbeat after being pruned registers again.
    await heartbeatReplica(db, { id: 'a', host: 'h1', now: t(40) });
    expect((await liveReplicas(db, t(0))).map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('rendezvous spreads mirrors and moves only the leaving replica’s mirrors', async () => {
    handle = await createTestDb(dialect);
    await seed(handle, 300, t(0));
    expect(await assignPreferredReplicas(handle.db, IDS)).toBe(300);
    const before = await preferred(handle);
    for (const id of IDS) {
      const n = [...before.values()].filter((r) => r === id).length;
      expect(n).toBeGreaterThan(50);
    }
    // Nothing changed: nothing is written.
    expect(await assignPreferredReplicas(handle.db, IDS)).toBe(0);
    const moved = await assignPreferredReplicas(handle.db, ['replica-a', 'replica-c']);
    const after = await preferred(handle);
    expect(moved).toBe([...before.values()].filter((r) => r === 'replica-b').length);
    for (const [id, replica] of before) {
      if (replica !== 'replica-b') expect(after.get(id)).toBe(replica);
      else expect(after.get(id)).toBe(preferredReplica(id, ['replica-a', 'replica-c']));
    }
  });

  it('a replica claims its own due mirrors first, then those of dead or late replicas', async () => {
    handle = await createTestDb(dialect);
    const db = handle.db;
    await seed(handle, 40, t(0));
    await assignPreferredReplicas(db, ['replica-a', 'replica-b']);
    await registerReplica(db, { id: 'replica-a', host: 'h', now: t(100) });
    await registerReplica(db, { id: 'replica-b', host: 'h', now: t(100) });
    const own = [...(await preferred(handle))].filter(([, r]) => r === 'replica-a');
    const claimAsA = (now: number, graceBefore: number) =>
      claimDueMirror(
        db,
        dialect,
        { worker: 'a/run', now: t(now), until: t(now + 600) },
        { replica: 'replica-a', liveSince: t(90), graceBefore: t(graceBefore) },
      );
    // Within the grace: only A's own mirrors, in queue order.
    const claimed: number[] = [];
    for (;;) {
      const row = await claimAsA(101, 0);
      if (!row) break;
      claimed.push(Number(row.github_id));
    }
    expect(claimed.sort((x, y) => x - y)).toEqual(own.map(([id]) => id).sort((x, y) => x - y));
    // B's mirrors have waited past the grace (B is busy): A takes one.
    const late = await claimAsA(101, 50);
    expect(late?.preferred_replica).toBe('replica-b');
    // B went silent: A takes B's mirrors even within the grace.
    const dead = await claimDueMirror(
      db,
      dialect,
      { worker: 'a/run', now: t(200), until: t(800) },
      { replica: 'replica-a', liveSince: t(190), graceBefore: t(0) },
    );
    expect(dead?.preferred_replica).toBe('replica-b');
    // A mirror with no preferred replica yet (just added) is anybody's.
    await seed(handle, 41, t(0));
    await db
      .updateTable('mirrors')
      .set({ preferred_replica: null })
      .where('github_id', '=', 41)
      .execute();
    const fresh = await claimDueMirror(
      db,
      dialect,
      { worker: 'b/run', now: t(101), until: t(700) },
      { replica: 'replica-b', liveSince: t(90), graceBefore: t(0) },
    );
    expect(fresh).toBeDefined();
  });

  it('three concurrent claim loops never hold one mirror at once and drain the queue', async () => {
    handle = await createTestDb(dialect);
    const db = handle.db;
    await seed(handle, 60, t(0));
    for (const id of IDS) await registerReplica(db, { id, host: 'h', now: t(100) });
    await assignPreferredReplicas(db, IDS);
    const holding = new Set<number>();
    const syncs: Array<[string, number]> = [];
    let overlaps = 0;
    const loop = async (replica: string) => {
      for (;;) {
        const row = await claimDueMirror(
          db,
          dialect,
          { worker: replica, now: t(101), until: t(700) },
          { replica, liveSince: t(90), graceBefore: t(0) },
        );
        if (!row) return;
        const id = Number(row.github_id);
        if (holding.has(id)) overlaps++;
        holding.add(id);
        syncs.push([replica, id]);
        await new Promise((resolve) => setImmediate(resolve));
        holding.delete(id);
        const outcome = {
          status: 'synced' as const,
          attempts: 0,
          nextAttemptAt: null,
          lastError: null,
          lastErrorCode: null,
          lastSyncedAt: t(102),
        };
        expect(await releaseMirror(db, id, replica, outcome, t(102))).toBe(true);
      }
    };
    await Promise.all(IDS.map(loop));
    expect(overlaps).toBe(0);
    expect(syncs).toHaveLength(60);
    expect(new Set(syncs.map(([, id]) => id)).size).toBe(60);
    // Each replica synced exactly the mirrors it is preferred for.
    const prefs = await preferred(handle);
    for (const [replica, id] of syncs) expect(prefs.get(id)).toBe(replica);
    const left = await db
      .selectFrom('mirrors')
      .select('status')
      .where('status', '=', 'syncing')
      .execute();
    expect(left).toHaveLength(0);
  });

  it('refresh slots of a batch are taken once: a second replica with the same read gets none', async () => {
    handle = await createTestDb(dialect);
    const db = handle.db;
    await seed(handle, 4, t(0));
    await db
      .updateTable('mirrors')
      .set({ status: 'synced', next_attempt_at: null, pushed_refs: '{}' })
      .execute();
    await db
      .updateTable('mirrors')
      .set({ next_refresh_at: t(5) })
      .where('github_id', '<=', 2)
      .execute();
    const read = await dueForRefresh(db, t(10), 10);
    expect(read).toHaveLength(4);
    const claims = read.map((m) => ({
      githubId: m.github_id,
      from: m.next_refresh_at,
      at: t(100 + Number(m.github_id)),
    }));
    expect([...(await claimRefreshSlots(db, claims))].sort()).toEqual([1, 2, 3, 4]);
    // The same read again (another replica's): every slot has moved, none is taken twice.
    expect((await claimRefreshSlots(db, claims)).size).toBe(0);
    const slots = await db
      .selectFrom('mirrors')
      .select(['github_id', 'next_refresh_at'])
      .orderBy('github_id')
      .execute();
    expect(slots.map((r) => r.next_refresh_at)).toEqual([t(101), t(102), t(103), t(104)]);
  });
});
