import { afterEach, describe, expect, it } from 'vitest';
import { seedRepos } from '../../support/github-double/seed.js';
import { DIALECTS } from '../../support/test-db.js';
import { manualClock, type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

describe.each(DIALECTS)("a mirror's own refresh interval on %s", (dialect) => {
  let p: SourcesPipeline | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  it('is checked at its own interval while the others keep REFRESH_INTERVAL', async () => {
    const clock = manualClock();
    p = await startSourcesPipeline({ dialect, clock, env: { REFRESH_INTERVAL: '1h' } });
    const [often, rarely] = await seedRepos(p.github, 'every', ['often', 'rarely']);
    for (const r of [often, rarely]) p.github.star('octocat', r!.fullName);
    await p.sources.poller.full();
    await p.waitSynced(2);
    await p.mirrors.setOptions(often!.id, { refreshIntervalMs: 120_000 }, 'admin API');
    const refresh = p.sources.refresh!;
    await refresh.tick(); // gives each its first slot
    // Both slots come within the first hour's phase; jump past them so each has one.
    clock.advance(3_600_000);
    await refresh.tick();
    p.github.clearRequests();
    // Twenty minutes, a tick a minute: the two-minute mirror is checked ten times, the other
    // at most once (if its hourly slot falls in these twenty minutes).
    for (let minute = 0; minute < 20; minute++) {
      clock.advance(60_000);
      await refresh.tick();
    }
    const checks = (name: string) =>
      p?.github.requests.filter(
        (r) => r.method === 'POST' && r.path === `/every/${name}.git/git-upload-pack`,
      ).length;
    expect(checks('often')).toBe(10);
    expect(checks('rarely')).toBeLessThanOrEqual(1);
  }, 60_000);
});
