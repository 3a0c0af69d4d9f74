import { afterEach, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../../src/db/database.js';
import { setArchived } from '../../../src/mirrors/source-mirrors.repo.js';
import { buildServices } from '../../../src/services.js';
import { createLogger } from '../../../src/shared/logger.js';
import { pushCommit, seedRepos } from '../../support/github-double/seed.js';
import { DIALECTS } from '../../support/test-db.js';
import { manualClock, type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

describe.each(DIALECTS)('periodic tasks on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  let second: DbHandle | undefined;
  afterEach(async () => {
    await second?.destroy();
    second = undefined;
    await p?.close();
    p = undefined;
  });

  it('two replicas on one database poll once per interval, not twice', async () => {
    const clock = manualClock(Date.parse('2024-06-01T00:00:00Z'));
    p = await startSourcesPipeline({ dialect, clock, env: { STARS_POLL_INTERVAL: '1m' } });
    await p.worker.stop(1_000);
    const [repo] = await seedRepos(p.github, 'dup', ['x']);
    p.github.star('octocat', repo!.fullName);
    // A real second connection pool when a PostgreSQL server is there; PGlite and SQLite share the handle.
    second =
      p.handle.databaseUrl && dialect === 'postgres'
        ? createDb({ dialect: 'postgres', url: p.handle.databaseUrl })
        : undefined;
    const handle = second ?? p.handle;
    const log = createLogger({ level: 'silent' });
    const replicaB = buildServices(p.config, log, handle, {
      clock,
      scheduler: { owner: 'replica-b' },
    }).sources;
    p.github.clearRequests();
    for (let step = 0; step < 12; step++) {
      await Promise.all([p.sources.runDue(), replicaB.runDue()]);
      clock.advance(15_000);
    }
    const polls = p.github.requests.filter((r) => r.path === '/user/starred');
    // 3 minutes: one full listing at start, quick polls at 0, 1, 2 minutes.
    expect(polls).toHaveLength(4);
    expect(polls.filter((r) => r.status === 304)).toHaveLength(3);
  });

  it('refreshes with git ls-remote, spread over the interval; only changed mirrors sync', async () => {
    const clock = manualClock();
    p = await startSourcesPipeline({ dialect, clock, env: { REFRESH_INTERVAL: '1m' } });
    const repos = await seedRepos(p.github, 'fresh', ['a', 'b', 'c', 'd', 'e']);
    for (const r of repos) p.github.star('octocat', r.fullName);
    await p.sources.poller.full();
    await p.waitSynced(5);
    const refresh = p.sources.refresh!;
    expect(await refresh.tick()).toEqual({ checked: 0, changed: 0 });
    const slots = await p.handle.db.selectFrom('mirrors').select('next_refresh_at').execute();
    expect(new Set(slots.map((s) => s.next_refresh_at)).size).toBe(5);

    await setArchived(p.handle.db, repos[4]!.id, true, clock.now().toISOString());
    await pushCommit(repos[0]!);
    await pushCommit(repos[4]!);
    clock.advance(61_000);
    p.github.clearRequests();
    p.onedev.resetRecords();
    const synced = p.nextSync(repos[0]!.id);
    expect(await refresh.tick()).toEqual({ checked: 4, changed: 1 });
    expect((await synced).result).toBe('synced');
    // ls-remote is one upload-pack POST (protocol v2 ls-refs); a fetch needs more.
    const posts = (name: string) =>
      p?.github.requests.filter(
        (r) => r.method === 'POST' && r.path === `/fresh/${name}.git/git-upload-pack`,
      ).length;
    expect([posts('b'), posts('c'), posts('d'), posts('e')]).toEqual([1, 1, 1, 0]);
    expect(posts('a')).toBeGreaterThan(2);
    const pushes = p.onedev.requests.filter((r) => r.path.endsWith('/git-receive-pack'));
    expect(new Set(pushes.map((r) => r.path))).toEqual(
      new Set(['/github/fresh/a.git/git-receive-pack']),
    );
    expect(p.github.requests.filter((r) => r.kind === 'rest')).toEqual([]);
  });
});
