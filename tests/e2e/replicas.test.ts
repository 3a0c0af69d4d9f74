import { mkdtempSync, rmSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { exists, mirrorCacheDir } from '../../src/git/git-cache.js';
import { preferredReplica } from '../../src/jobs/rendezvous.js';
import { insertMirrorIfAbsent } from '../../src/mirrors/mirrors.repo.js';
import { buildServices, type Services } from '../../src/services.js';
import { createLogger } from '../../src/shared/logger.js';
import type { ReplicaSettings } from '../../src/wiring/replicas.js';
import { eventually } from '../support/eventually.js';
import { RepoBuilder, readRefs } from '../support/git-repos.js';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import { type OneDevDouble, startOneDevDouble } from '../support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../support/onedev-double/test-kit.js';
import { headsAndTags } from '../support/pipeline.js';
import { createTestDb, type TestDb } from '../support/test-db.js';

const GITHUB_TOKEN = 'ghp_replicaTestTokenThatMustNeverLeak0001';
const FAR = '2999-01-01T00:00:00.000Z';

interface Replica {
  id: string;
  services: Services;
  dataDir: string;
  stopped: boolean;
}

/** The push of one repository: its receive-pack ref advertisement at OneDev. */
const pushOf = (name: string) => (r: { method: string; path: string; query: string }) =>
  r.method === 'GET' &&
  r.path.includes(`/${name}`) &&
  r.path.endsWith('/info/refs') &&
  r.query === '?service=git-receive-pack';

describe('replicas sharing PostgreSQL', () => {
  let github: GitHubDouble;
  let onedev: OneDevDouble;
  let handle: TestDb;
  let replicas: Replica[] = [];

  beforeEach(async () => {
    github = await startGitHubDouble({ tokens: { [GITHUB_TOKEN]: 'octocat' } });
    onedev = await startOneDevDouble(STANDARD_CAST);
    handle = await createTestDb('postgres');
  });
  afterEach(async () => {
    for (const replica of replicas) {
      if (!replica.stopped) await replica.services.stop(500);
      rmSync(replica.dataDir, { recursive: true, force: true });
    }
    replicas = [];
    await handle.destroy();
    await Promise.all([github.close(), onedev.close()]);
  });

  /** A service as `starbridge serve` builds it, with its own DATA_DIR, on the shared database. */
  async function startReplica(settings: Partial<ReplicaSettings> = {}): Promise<Replica> {
    const dataDir = mkdtempSync(join(tmpdir(), 'starbridge-replica-'));
    const config = loadConfig({
      GITHUB_API_URL: github.url,
      GITHUB_GIT_URL: github.url,
      GITHUB_TOKEN,
      ONEDEV_URL: onedev.url,
      ONEDEV_TOKEN: TOKENS.admin,
      CONTAINER_SOCKET: '',
      DATA_DIR: dataDir,
      SYNC_CONCURRENCY: '1',
      CACHE_EXPIRE_AFTER: '1h',
    });
    const services = buildServices(config, createLogger({ level: 'silent' }), handle, {
      worker: { leaseMs: 5_000, pollMs: 50 },
      replicas: { heartbeatMs: 200, claimGraceMs: 60_000, ...settings },
    });
    await services.start();
    const id = services.replicas.registry()?.id ?? '';
    const replica = { id, services, dataDir, stopped: false };
    replicas.push(replica);
    return replica;
  }

  async function addRepo(name: string): Promise<number> {
    const record = github.addRepo({ owner: 'octocat', name, defaultBranch: 'main' });
    await new RepoBuilder(github.repoPath('octocat', name)).commit('main', {
      files: { 'README.md': `${name}\n` },
    });
    const mirror = { githubId: record.id, owner: 'octocat', name, source: 'manual' };
    // Not due yet: the test makes it due once every replica is live.
    await insertMirrorIfAbsent(
      handle.db,
      { ...mirror, starred: false, private: false, defaultBranch: 'main' },
      FAR,
    );
    return record.id;
  }

  const nameOf = async (id: number) =>
    (
      await handle.db
        .selectFrom('mirrors')
        .select('name')
        .where('github_id', '=', id)
        .executeTakeFirstOrThrow()
    ).name;

  const live = (of: Replica[]) => of.filter((r) => !r.stopped).map((r) => r.id);

  /** Until every mirror's preferred replica is the rendezvous winner among `of`. */
  async function assigned(ids: number[], of: Replica[]): Promise<void> {
    await eventually('the mirrors assigned to the live replicas', async () => {
      const rows = await handle.db
        .selectFrom('mirrors')
        .select(['github_id', 'preferred_replica'])
        .where('github_id', 'in', ids)
        .execute();
      return rows.every(
        (row) => row.preferred_replica === preferredReplica(Number(row.github_id), live(of)),
      );
    });
  }

  async function makeDue(ids: number[]): Promise<void> {
    await handle.db
      .updateTable('mirrors')
      .set({ status: 'queued', next_attempt_at: new Date().toISOString() })
      .where('github_id', 'in', ids)
      .execute();
    for (const replica of replicas) replica.services.worker?.wake();
  }

  /** Until each mirror has `count` finished runs; the replica id of each run, per mirror. */
  async function runsBy(ids: number[], count: number): Promise<Map<number, string[]>> {
    return eventually(
      `${count} runs of each mirror`,
      async () => {
        const runs = await handle.db
          .selectFrom('sync_runs')
          .select(['github_id', 'worker', 'result'])
          .where('github_id', 'in', ids)
          .where('finished_at', 'is not', null)
          .orderBy('started_at')
          .execute();
        const by = new Map<number, string[]>();
        for (const run of runs) {
          if (run.result !== 'synced' && run.result !== 'unchanged')
            throw new Error(`a run ended ${run.result}`);
          const list = by.get(Number(run.github_id)) ?? [];
          list.push((run.worker ?? '').split('/')[0] ?? '');
          by.set(Number(run.github_id), list);
        }
        return ids.every((id) => by.get(id)?.length === count) ? by : undefined;
      },
      60_000,
    );
  }

  it('each mirror is synced by its preferred replica, again by it, and by another once it stops (seeded from OneDev)', async () => {
    const all = [await startReplica(), await startReplica(), await startReplica()];
    const ids: number[] = [];
    for (let i = 0; i < 9; i++) ids.push(await addRepo(`repo-${i}`));
    await assigned(ids, all);

    await makeDue(ids);
    const first = await runsBy(ids, 1);
    const owner = new Map(ids.map((id) => [id, preferredReplica(id, live(all)) ?? '']));
    for (const id of ids) expect(first.get(id)).toEqual([owner.get(id)]);
    // The mirrors are spread: more than one replica synced some.
    expect(new Set(owner.values()).size).toBeGreaterThan(1);

    // A new commit everywhere: each mirror goes back to the replica that holds its cache.
    for (let i = 0; i < 9; i++) {
      await new RepoBuilder(github.repoPath('octocat', `repo-${i}`)).commit('main', {
        files: { 'NEWS.md': 'again\n' },
      });
    }
    await makeDue(ids);
    const second = await runsBy(ids, 2);
    for (const id of ids) expect(second.get(id)).toEqual([owner.get(id), owner.get(id)]);

    // The replica holding the most mirrors stops cleanly: another takes them, its cache
    // filled from the OneDev project first.
    const counts = all.map((r) => [...owner.values()].filter((o) => o === r.id).length);
    const gone = all[counts.indexOf(Math.max(...counts))] as Replica;
    await gone.services.stop(1_000);
    gone.stopped = true;
    await assigned(ids, all);
    const moved = ids.filter((id) => owner.get(id) === gone.id);
    for (const id of moved) {
      const name = await nameOf(id);
      await new RepoBuilder(github.repoPath('octocat', name)).commit('main', {
        files: { 'NEWS.md': 'moved\n' },
      });
    }
    const onedevBefore = onedev.requests.length;
    await makeDue(moved);
    const third = await runsBy(moved, 3);
    for (const id of moved) {
      const by = third.get(id)?.[2];
      expect(by).not.toBe(gone.id);
      expect(by).toBe(preferredReplica(id, live(all)));
      const taker = all.find((r) => r.id === by) as Replica;
      expect(await exists(mirrorCacheDir(taker.dataDir, id))).toBe(true);
    }
    const seeds = onedev.requests
      .slice(onedevBefore)
      .filter((r) => r.method === 'POST' && r.path.endsWith('/git-upload-pack'));
    expect(seeds.length).toBeGreaterThanOrEqual(moved.length);
    for (const id of moved) {
      const name = await nameOf(id);
      expect(await onedev.refs(`github/octocat/${name}`)).toEqual(
        headsAndTags(await readRefs(github.repoPath('octocat', name))),
      );
    }
    // No mirror was ever synced twice at once: each run began after the one before ended.
    const runs = await handle.db
      .selectFrom('sync_runs')
      .select(['github_id', 'started_at', 'finished_at'])
      .orderBy('github_id')
      .orderBy('started_at')
      .execute();
    for (let i = 1; i < runs.length; i++) {
      const before = runs[i - 1] as (typeof runs)[number];
      const run = runs[i] as (typeof runs)[number];
      if (before.github_id === run.github_id)
        expect(run.started_at >= (before.finished_at ?? '')).toBe(true);
    }
  }, 120_000);

  it('a mirror due past the grace while its replica is busy is taken by another', async () => {
    // X has one sync slot; the others take a mirror X has left waiting past 300 ms.
    const x = await startReplica();
    const others = [
      await startReplica({ claimGraceMs: 300 }),
      await startReplica({ claimGraceMs: 300 }),
    ];
    const all = [x, ...others];
    const mine: Array<{ id: number; name: string }> = [];
    for (let i = 0; mine.length < 2; i++) {
      const name = `busy-${i}`;
      const id = await addRepo(name);
      if (preferredReplica(id, live(all)) === x.id) mine.push({ id, name });
      else await handle.db.deleteFrom('mirrors').where('github_id', '=', id).execute();
    }
    const [slow, waiting] = mine as [{ id: number; name: string }, { id: number; name: string }];
    await assigned([slow.id, waiting.id], all);
    // X's first sync hangs at its push for a while: X is busy.
    onedev.faults.latency(6_000, { scope: 'git', times: 1, match: pushOf(slow.name) });
    await makeDue([slow.id]);
    await eventually('X to be syncing the slow mirror', async () => {
      const row = await handle.db
        .selectFrom('mirrors')
        .select(['status', 'lease_owner'])
        .where('github_id', '=', slow.id)
        .executeTakeFirstOrThrow();
      return row.status === 'syncing' && row.lease_owner?.startsWith(`${x.id}/`);
    });
    await makeDue([waiting.id]);
    const runs = await runsBy([waiting.id], 1);
    const by = runs.get(waiting.id)?.[0];
    expect(others.map((r) => r.id)).toContain(by);
    // It was taken while X was still busy with the slow one.
    const slowRow = await handle.db
      .selectFrom('mirrors')
      .select('status')
      .where('github_id', '=', slow.id)
      .executeTakeFirstOrThrow();
    expect(slowRow.status).toBe('syncing');
    await runsBy([slow.id], 1);
  }, 120_000);

  it('an untouched cache expires (never while its mirror syncs) and the next sync seeds it again', async () => {
    const x = await startReplica();
    const id = await addRepo('old');
    await assigned([id], [x]);
    await makeDue([id]);
    await runsBy([id], 1);
    const cacheDir = mirrorCacheDir(x.dataDir, id);
    expect(await exists(cacheDir)).toBe(true);

    // Fresh: kept.
    expect(await x.services.replicas.expireNow()).toEqual([]);
    const old = new Date(Date.now() - 2 * 3_600_000);
    const age = async () => {
      const { readdir } = await import('node:fs/promises');
      for (const name of await readdir(cacheDir)) await utimes(join(cacheDir, name), old, old);
      await utimes(cacheDir, old, old);
    };
    await age();
    // Old, but its mirror is syncing (held by a worker): kept.
    await handle.db
      .updateTable('mirrors')
      .set({ status: 'syncing', lease_owner: 'someone/else', lease_expires_at: FAR })
      .where('github_id', '=', id)
      .execute();
    expect(await x.services.replicas.expireNow()).toEqual([]);
    expect(await exists(cacheDir)).toBe(true);
    await handle.db
      .updateTable('mirrors')
      .set({ status: 'synced', lease_owner: null, lease_expires_at: null, next_attempt_at: null })
      .where('github_id', '=', id)
      .execute();

    expect(await x.services.replicas.expireNow()).toEqual([id]);
    expect(await exists(cacheDir)).toBe(false);
    expect(await x.services.metrics.render()).toContain('starbridge_cache_expired_total 1');
    const row = await handle.db
      .selectFrom('mirrors')
      .select(['status', 'lease_owner'])
      .where('github_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'synced', lease_owner: null });

    // A new commit, so the next sync fetches (an unchanged repository needs no cache).
    await new RepoBuilder(github.repoPath('octocat', 'old')).commit('main', {
      files: { 'NEWS.md': 'later\n' },
    });
    const onedevBefore = onedev.requests.length;
    await makeDue([id]);
    await runsBy([id], 2);
    expect(await exists(cacheDir)).toBe(true);
    const seeded = onedev.requests
      .slice(onedevBefore)
      .some((r) => r.method === 'POST' && r.path.endsWith('/git-upload-pack'));
    expect(seeded).toBe(true);
  }, 120_000);
});
