import { afterEach, describe, expect, it } from 'vitest';
import { seedRepos } from '../../support/github-double/seed.js';
import { DIALECTS } from '../../support/test-db.js';
import { type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

describe.each(DIALECTS)('stars poller in bulk on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  it('mirrors 250 stars over three pages; the next quick poll is a 304 that starts no work', async () => {
    p = await startSourcesPipeline({ dialect, env: { SYNC_CONCURRENCY: '4' } });
    const names = Array.from({ length: 250 }, (_, i) => `repo-${String(i).padStart(3, '0')}`);
    const repos = await seedRepos(p.github, 'starry', names);
    const base = Date.parse('2024-01-01T00:00:00Z');
    for (const [i, r] of repos.entries())
      p?.github.star('octocat', r.fullName, new Date(base + i * 60_000));

    const plan = await p.sources.reconcile({ dryRun: true });
    expect(plan.plan?.toAdd).toHaveLength(250);
    expect(await p.mirrors.summary(0)).toMatchObject({ counts: {} });

    p.github.clearRequests();
    expect(await p.sources.poller.full()).toBe('250 added');
    const starPages = p.github.requests.filter((r) => r.path === '/user/starred');
    expect(starPages).toHaveLength(3);
    expect(starPages.every((r) => r.accept?.includes('star+json'))).toBe(true);
    // 250 real syncs: minutes on two busy cores with PGlite, so the budget is generous.
    await p.waitSynced(250, 600_000);
    expect(p.onedev.projectByPath('github/starry/repo-249')).toBeDefined();

    p.github.clearRequests();
    p.onedev.resetRecords();
    expect(await p.sources.poller.quick()).toBe('not modified');
    expect(p.github.requests).toHaveLength(1);
    expect(p.github.requests[0]).toMatchObject({ status: 304 });
    await new Promise((r) => setTimeout(r, 300));
    expect(p.worker.running()).toBe(0);
    expect(p.onedev.requests).toHaveLength(0);
    expect((await p.mirrors.summary(0)).counts).toEqual({ synced: 250 });
  }, 720_000);
});
