import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/shared/logger.js';
import { createRefresh } from '../../../src/sources/refresh.js';
import { seedRepos } from '../../support/github-double/seed.js';
import { DIALECTS } from '../../support/test-db.js';
import { manualClock, type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

const HOUR = 3_600_000;

describe.each(DIALECTS)('refresh backpressure on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  it('checks no more mirrors than the sync queue has room for; the rest come first next tick', async () => {
    const clock = manualClock(Date.parse('2026-12-01T00:00:00Z'));
    p = await startSourcesPipeline({ dialect, clock, env: { REFRESH_INTERVAL: '1h' } });
    const pipeline = p;
    const names = ['a', 'b', 'c', 'd', 'e'];
    const repos = await seedRepos(pipeline.github, 'room', names);
    for (const r of repos) pipeline.github.star('octocat', r.fullName);
    await pipeline.sources.poller.full();
    await pipeline.waitSynced(names.length);
    // The sync queue takes two mirrors (due and not yet claimed, or syncing) at a time.
    const refresh = createRefresh({
      handle: pipeline.handle,
      clock,
      log: createLogger({ level: 'silent' }),
      events: pipeline.sources.events,
      git: pipeline.services.adapters.git,
      mirrors: pipeline.mirrors,
      githubGitUrl: pipeline.github.url,
      authorizationFor: pipeline.credentials.authorizationFor,
      policy: { baseMs: HOUR, minMs: 15 * 60_000, maxMs: 24 * HOUR },
      concurrency: 2,
      room: async () => 2 - (await pipeline.mirrors.syncBacklog()),
      random: () => 0.5,
    });
    await refresh.tick(); // first slots, spread over the hour
    const slots = await pipeline.handle.db
      .selectFrom('mirrors')
      .select(['name', 'next_refresh_at'])
      .where('name', '!=', 'e')
      .orderBy('next_refresh_at')
      .execute();
    const mostOverdueFirst = slots.map((s) => s.name);
    clock.advance(2 * HOUR); // every slot has passed
    pipeline.github.clearRequests();
    const checked = new Set<string>();
    const newlyChecked = () => {
      const now = names.filter((n) =>
        pipeline.github.requests.some(
          (r) => r.method === 'POST' && r.path === `/room/${n}.git/git-upload-pack`,
        ),
      );
      const fresh = now.filter((n) => !checked.has(n));
      for (const n of fresh) checked.add(n);
      return fresh;
    };
    const ticks: Array<{ admitted?: number; deferred?: number }> = [];
    pipeline.sources.events.on('refresh:finished', (t) => ticks.push(t));

    // The worker is stopped and one mirror waits for a sync: room for one check.
    await pipeline.worker.stop(5_000);
    await pipeline.mirrors.syncById(repos[4]!.id);
    expect(await pipeline.mirrors.syncBacklog()).toBe(1);
    expect(await refresh.tick()).toEqual({ checked: 1, changed: 0 });
    expect(newlyChecked()).toEqual(mostOverdueFirst.slice(0, 1));
    expect(await refresh.tick()).toEqual({ checked: 1, changed: 0 });
    expect(newlyChecked()).toEqual(mostOverdueFirst.slice(1, 2));
    expect(ticks).toEqual([
      expect.objectContaining({ admitted: 1, deferred: 3 }),
      expect.objectContaining({ admitted: 1, deferred: 2 }),
    ]);

    // The queue empties (an operator pauses the waiting mirror): room for two, and the two
    // still overdue are checked together.
    await pipeline.mirrors.pauseByOperator([repos[4]!.id], 'admin API');
    expect(await pipeline.mirrors.syncBacklog()).toBe(0);
    expect(await refresh.tick()).toEqual({ checked: 2, changed: 0 });
    expect(newlyChecked().sort()).toEqual(mostOverdueFirst.slice(2).sort());
    expect(await refresh.tick()).toEqual({ checked: 0, changed: 0 });
    const metrics = await pipeline.metrics.render();
    expect(metrics).toMatch(/starbridge_refresh_deferred_total 5\b/);
    expect(metrics).toMatch(/starbridge_refresh_admitted_total 4\b/);
  }, 120_000);
});
