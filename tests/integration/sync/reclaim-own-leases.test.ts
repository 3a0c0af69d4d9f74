import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { MirrorRow } from '../../../src/db/schema/index.js';
import { claimMirror } from '../../../src/mirrors/mirror-lease.repo.js';
import { insertMirrorIfAbsent } from '../../../src/mirrors/mirrors.repo.js';
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

const INSTANCE_A = randomUUID();
const INSTANCE_B = randomUUID();
/** Far longer than the test: a lease reclaimed in it was not waited out. */
const LONG_LEASE_MS = 10 * 60_000;

function synced(mirror: MirrorRow): SyncResult {
  return {
    result: 'synced',
    refs: [],
    pushedRefs: { 'refs/heads/main': 'a'.repeat(40) },
    defaultBranch: 'main',
    onedev: { name: mirror.name, path: `github/${mirror.full_name}`, projectId: mirror.github_id },
  };
}

describe.each(DIALECTS)('an instance starting on %s next to a live replica', (dialect) => {
  let handle: TestDb;
  const workers: SyncWorker[] = [];
  const log = createLogger({ level: 'silent' });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop(200)));
    await handle?.destroy();
  });

  function worker(execute: SyncExecutor): SyncWorker {
    const created = createSyncWorker({
      handle,
      execute,
      clock: systemClock,
      log,
      concurrency: 1,
      maxAttempts: 3,
      leaseMs: LONG_LEASE_MS,
      pollMs: 10,
    });
    workers.push(created);
    return created;
  }

  async function seed(githubId: number, dueAt: string): Promise<void> {
    await insertMirrorIfAbsent(
      handle.db,
      {
        githubId,
        owner: 'octocat',
        name: `repo-${githubId}`,
        source: 'manual',
        starred: false,
        private: false,
        defaultBranch: 'main',
      },
      dueAt,
    );
  }

  const row = (githubId: number) =>
    handle.db
      .selectFrom('mirrors')
      .selectAll()
      .where('github_id', '=', githubId)
      .executeTakeFirstOrThrow();

  it("reclaims its previous run's live lease at once and leaves the replica's alone", async () => {
    handle = await createTestDb(dialect);
    const now = new Date().toISOString();
    // Mirror 1: instance B (a live replica) is syncing it, with an unexpired lease.
    await seed(1, now);
    const replica = worker((_mirror, signal) => sleep(LONG_LEASE_MS, undefined, { signal }).then());
    await replica.start({ instanceId: INSTANCE_B });
    await eventually(
      'the replica syncing mirror 1',
      async () => (await row(1)).status === 'syncing',
    );
    const replicaOwner = (await row(1)).lease_owner;
    expect(replicaOwner?.startsWith(`${INSTANCE_B}/`)).toBe(true);

    // Mirror 2: instance A's previous run was killed mid-sync; its lease has minutes left.
    await seed(2, '9999-01-01T00:00:00.000Z');
    const previousRun = `${INSTANCE_A}/host:1:killed`;
    const until = new Date(Date.now() + LONG_LEASE_MS).toISOString();
    expect(await claimMirror(handle.db, 2, { worker: previousRun, now, until })).toBeDefined();
    const interrupted = randomUUID();
    await startRun(handle.db, {
      id: interrupted,
      githubId: 2,
      trigger: 'request',
      attempt: 1,
      worker: previousRun,
      startedAt: now,
    });

    const seen: number[] = [];
    const restarted = worker(async (mirror) => {
      seen.push(mirror.github_id);
      return synced(mirror);
    });
    await restarted.start({ instanceId: INSTANCE_A });

    await eventually(
      'mirror 2 synced after the restart',
      async () => (await row(2)).status === 'synced',
      10_000,
    );
    expect(seen).toEqual([2]);
    const runs = await listRuns(handle.db, 2);
    expect(runs.find((r) => r.id === interrupted)?.result).toBe('aborted');
    expect(runs.filter((r) => r.result === 'synced')).toHaveLength(1);
    // The replica's mirror is still its own: nothing took it early.
    const held = await row(1);
    expect(held.status).toBe('syncing');
    expect(held.lease_owner).toBe(replicaOwner);
    expect((await listRuns(handle.db, 1)).map((r) => r.result)).toEqual(['running']);
  });
});
