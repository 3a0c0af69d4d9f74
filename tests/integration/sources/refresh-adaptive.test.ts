import { afterEach, describe, expect, it } from 'vitest';
import type { RepoRecord } from '../../support/github-double/index.js';
import { pushCommit, seedRepos } from '../../support/github-double/seed.js';
import { DIALECTS } from '../../support/test-db.js';
import { manualClock, type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.parse('2026-12-01T00:00:00Z');

describe.each(DIALECTS)('the adaptive refresh on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  /** REFRESH_INTERVAL 1 h; the bounds are the defaults (15 minutes, 24 hours); no jitter. */
  async function start(names: string[]) {
    const clock = manualClock(START);
    const pipeline = await startSourcesPipeline({
      dialect,
      clock,
      env: { REFRESH_INTERVAL: '1h' },
    });
    p = pipeline;
    const repos = await seedRepos(pipeline.github, 'adapt', names);
    for (const r of repos) pipeline.github.star('octocat', r.fullName);
    await pipeline.sources.poller.full();
    await pipeline.waitSynced(names.length);
    const refresh = pipeline.sources.refresh!;
    await refresh.tick(); // each mirror's first slot, spread over the first hour
    pipeline.github.clearRequests(); // the first syncs' requests are not checks
    const checks = (name: string) =>
      pipeline.github.requests.filter(
        (r) => r.method === 'POST' && r.path === `/adapt/${name}.git/git-upload-pack`,
      ).length;
    return { p: pipeline, clock, repos, refresh, checks };
  }

  /** Waits until the sync a tick asked for has finished and timed the next check. */
  async function settled(pipeline: SourcesPipeline, repo: RepoRecord) {
    await pipeline.waitSynced(1);
    const deadline = Date.now() + 30_000;
    while ((await pipeline.row(repo.id))?.refresh_outcome !== 'synced') {
      if (Date.now() > deadline) throw new Error('the sync did not reschedule the refresh');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it("spreads a quiet mirror's checks out to the daily sweep over simulated days", async () => {
    const { p, clock, refresh, repos, checks } = await start(['quiet']);
    const at: number[] = [];
    for (let step = 0; step < 5 * 24 * 4; step++) {
      clock.advance(15 * MINUTE);
      const before = checks('quiet');
      await refresh.tick();
      if (checks('quiet') > before) at.push(clock.now().getTime());
    }
    const gaps = at.slice(1).map((t, i) => (t - at[i]!) / HOUR);
    // Doubling from REFRESH_INTERVAL, then held at REFRESH_MAX_INTERVAL: still checked daily.
    expect(gaps).toEqual([2, 4, 8, 16, 24, 24, 24]);
    expect(await p.row(repos[0]!.id)).toMatchObject({ refresh_outcome: 'quiet' });
    expect(Number((await p.row(repos[0]!.id))?.refresh_every_ms)).toBe(24 * HOUR);
    const view = await (await p.admin('GET', '/api/v1/mirrors/adapt/quiet')).json();
    expect(view).toMatchObject({ refreshEveryMs: 24 * HOUR, refreshOutcome: 'quiet' });
    expect(await p.metrics.render()).toMatch(
      /starbridge_refresh_interval_seconds_bucket\{le="86400",outcome="quiet"\} 8\b/,
    );
  }, 120_000);

  it('checks a mirror that keeps changing sooner than a quiet one, and syncs each change', async () => {
    const { p, clock, refresh, repos, checks } = await start(['busy', 'calm']);
    const [busy, calm] = repos as [RepoRecord, RepoRecord];
    let pushed = '';
    for (let step = 0; step < 24 * 4; step++) {
      // A push every two hours for the first day.
      if (step % 8 === 0) pushed = await pushCommit(busy);
      clock.advance(15 * MINUTE);
      const { changed } = await refresh.tick();
      if (changed > 0) await settled(p, busy);
    }
    expect(checks('busy')).toBeGreaterThan(2 * checks('calm'));
    const every = async (r: RepoRecord) => Number((await p.row(r.id))?.refresh_every_ms);
    expect(await every(busy)).toBeLessThanOrEqual(HOUR);
    expect(await every(calm)).toBeGreaterThanOrEqual(8 * HOUR);
    // Detected by the refresh alone (no webhook): the last push reached OneDev.
    clock.advance(24 * HOUR);
    if ((await refresh.tick()).changed > 0) await settled(p, busy);
    const refs = JSON.parse(String((await p.row(busy.id))?.pushed_refs));
    expect(refs['refs/heads/main']).toBe(pushed);
  }, 180_000);

  it('cools a failing mirror down: four times longer after each failed check', async () => {
    const { p, clock, refresh, repos } = await start(['flaky']);
    // A check is one ref advertisement asked for (answered or failed); no sync runs here.
    const checks = (name: string) =>
      p.github.requests.filter((r) => r.path === `/adapt/${name}.git/info/refs`).length;
    const flaky = repos[0]!;
    clock.advance(HOUR); // its first slot has come
    // GitHub's git answers 503 for this repository, twice.
    p.github.faults.serverError(2, {
      status: 503,
      scope: 'git',
      match: (url) => url.includes('/adapt/flaky.git'),
    });
    await refresh.tick();
    expect(checks('flaky')).toBe(1);
    expect(await p.row(flaky.id)).toMatchObject({ refresh_outcome: 'failed' });
    expect(Number((await p.row(flaky.id))?.refresh_every_ms)).toBe(4 * HOUR);
    clock.advance(4 * HOUR - MINUTE);
    await refresh.tick();
    expect(checks('flaky')).toBe(1); // not before its cooldown is over
    clock.advance(MINUTE);
    await refresh.tick();
    expect(checks('flaky')).toBe(2);
    expect(Number((await p.row(flaky.id))?.refresh_every_ms)).toBe(16 * HOUR);
    // Healthy again: the next check is quiet and the interval goes on growing, to the sweep.
    clock.advance(16 * HOUR);
    await refresh.tick();
    expect(checks('flaky')).toBe(3);
    expect(await p.row(flaky.id)).toMatchObject({ refresh_outcome: 'quiet' });
    expect(Number((await p.row(flaky.id))?.refresh_every_ms)).toBe(24 * HOUR);
  }, 120_000);

  it('after any sync (here one asked for directly, as a change hint does) the next check comes sooner', async () => {
    const { p, clock, refresh, repos } = await start(['hooked']);
    const hooked = repos[0]!;
    clock.advance(HOUR);
    await refresh.tick(); // quiet: the next check in 2 hours
    expect(Number((await p.row(hooked.id))?.refresh_every_ms)).toBe(2 * HOUR);
    clock.advance(10 * MINUTE);
    const synced = p.nextSync(hooked.id);
    await pushCommit(hooked);
    await p.mirrors.syncById(hooked.id);
    expect((await synced).result).toBe('synced');
    await settled(p, hooked);
    const row = await p.row(hooked.id);
    expect(Number(row?.refresh_every_ms)).toBe(HOUR);
    expect(row?.next_refresh_at).toBe(new Date(clock.now().getTime() + HOUR).toISOString());
  }, 120_000);
});
