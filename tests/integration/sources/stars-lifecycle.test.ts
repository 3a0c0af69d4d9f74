import { afterEach, describe, expect, it } from 'vitest';
import { seedRepos } from '../../support/github-double/seed.js';
import { DIALECTS } from '../../support/test-db.js';
import { manualClock, type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

const at = (i: number) => new Date(Date.parse('2024-01-01T00:00:00Z') + i * 60_000);

describe.each(DIALECTS)('stars poller lifecycle on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  it('finds a new star within one poll interval, and an old unstar only by the full listing', async () => {
    // The scheduler runs by the test's clock, so "one poll interval" is exact, not a race.
    const clock = manualClock();
    const interval = 60_000;
    p = await startSourcesPipeline({ dialect, clock, env: { STARS_POLL_INTERVAL: '1m' } });
    await p.worker.stop(1_000); // detection only: nothing needs to sync here
    const repos = await seedRepos(
      p.github,
      'many',
      Array.from({ length: 121 }, (_, i) => `r${i}`),
    );
    for (const [i, r] of repos.slice(0, 120).entries())
      p?.github.star('octocat', r.fullName, at(i));
    // The scheduler's first round: the full listing (which then holds its lease for an hour)
    // and a quick poll. Every later run within the hour is a quick poll.
    await p.sources.runDue();
    expect((await p.sources.poller.state()).lastFullAt).toBeDefined();
    expect(await p.mirrors.summary(0)).toMatchObject({ counts: { queued: 120 } });

    const etagBefore = (await p.sources.poller.state()).etag;
    const runs: string[] = [];
    p.sources.events.on('poll:finished', (e) => runs.push(`${e.kind}: ${e.result}`));
    p.github.clearRequests();
    p.sources.start(); // from here the scheduler's own loop runs the polls
    // The star lands just after a quick poll: the worst case, a whole interval to wait.
    const fresh = repos[120]!;
    p.github.star('octocat', fresh.fullName, at(500));
    clock.advance(interval - 1);
    await new Promise((r) => setTimeout(r, 500)); // several scheduler checks
    expect(await p.row(fresh.id)).toBeUndefined();
    expect(p.github.requests.filter((r) => r.path === '/user/starred')).toEqual([]);

    // One interval after the star, the scheduled quick poll finds it.
    clock.advance(1);
    const deadline = Date.now() + 30_000;
    while (!(await p.row(fresh.id))) {
      if (Date.now() > deadline) throw new Error('the scheduled quick poll did not run');
      await new Promise((r) => setTimeout(r, 50));
    }
    await p.sources.stop(30_000); // lets the running poll finish
    expect(await p.row(fresh.id)).toMatchObject({ source: 'star', starred: 1 });
    // Found by that one quick poll: page 1 sent with the ETag and answered 200 (a new ETag),
    // then only as far as the pages still hold unknown stars; no full listing ran.
    const firstPages = p.github.requests.filter(
      (r) => r.path === '/user/starred' && !/[?&]page=/.test(r.url),
    );
    expect(firstPages).toHaveLength(1);
    expect(firstPages[0]).toMatchObject({ status: 200 });
    expect(firstPages[0]?.ifNoneMatch).toBe(etagBefore);
    expect(runs).toEqual(['quick: 1 added']);
    expect((await p.sources.poller.state()).etag).not.toBe(etagBefore);

    // The oldest star sits on the last page: page 1 does not change, so the quick poll is a 304.
    const oldest = repos[0]!;
    p.github.unstar('octocat', oldest.fullName);
    expect(await p.sources.poller.quick()).toBe('not modified');
    expect(await p.row(oldest.id)).toMatchObject({ starred: 1, status: 'queued' });
    expect(await p.sources.poller.full()).toBe('1 released');
    const row = await p.row(oldest.id);
    expect(row).toMatchObject({ starred: 0, status: 'paused', delete_after: null });
    expect(String(row?.paused_reason)).toMatch(/unstarred on GitHub; kept in OneDev/);
  }, 120_000);

  it('never unstars from a failed or empty listing', async () => {
    p = await startSourcesPipeline({ dialect });
    await p.worker.stop(1_000);
    const repos = await seedRepos(p.github, 'few', ['a', 'b', 'c']);
    for (const [i, r] of repos.entries()) p?.github.star('octocat', r.fullName, at(i));
    await p.sources.poller.full();
    p.github.faults.serverError(1);
    expect(await p.sources.poller.full()).toMatch(/^failed/);
    for (const r of repos) p.github.unstar('octocat', r.fullName);
    expect(await p.sources.poller.full()).toMatch(/no change/);
    const plan = await p.sources.reconcile({ dryRun: true });
    expect(plan.plan).toMatchObject({ toUnstar: [], removalsConsidered: false });
    for (const r of repos) expect(await p.row(r.id)).toMatchObject({ starred: 1 });
  });

  it('waits out a 403 with retry-after; a 401 gives one alert and pauses the poller', async () => {
    p = await startSourcesPipeline({ dialect });
    await p.worker.stop(1_000);
    const [repo] = await seedRepos(p.github, 'solo', ['one']);
    p.github.star('octocat', repo!.fullName);
    p.github.faults.secondaryRateLimit(1, { retryAfter: 1 });
    const started = Date.now();
    expect(await p.sources.poller.full()).toBe('1 added');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(p.github.requests.some((r) => r.fault === 'secondary')).toBe(true);

    // The token is revoked: the poller stops, says so once, and stops calling GitHub.
    const revoked = await startSourcesPipeline({
      dialect,
      env: { GITHUB_TOKEN: 'ghp_revokedTokenNobodyKnows000000000000' },
    });
    try {
      await revoked.worker.stop(1_000);
      expect(await revoked.sources.poller.quick()).toBe('paused');
      revoked.github.clearRequests();
      expect(await revoked.sources.poller.quick()).toBe('paused');
      expect(await revoked.sources.poller.full()).toBe('paused');
      expect(revoked.github.requests).toHaveLength(0);
      expect(revoked.alerts).toHaveLength(1);
      expect(revoked.alerts[0]?.kind).toBe('github_token_rejected');
      const status = await revoked.sources.status();
      expect(status.starsPoll.pausedReason).toMatch(/rejected the token/);
      const health = await revoked.sources.healthProbe.check();
      expect(health.status).toBe('degraded');
    } finally {
      await revoked.close();
    }
  });
});
