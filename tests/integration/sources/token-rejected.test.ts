import { afterEach, describe, expect, it } from 'vitest';
import { TOKEN_RECHECK_MS } from '../../../src/github/token-guard.js';
import { seedRepos } from '../../support/github-double/seed.js';
import { GITHUB_TOKEN } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { manualClock, type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

describe.each(DIALECTS)('a rejected GitHub token on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  it('gives one alert; poller, refresh, repository checks and syncs stop sending it until a re-check succeeds', async () => {
    const clock = manualClock();
    p = await startSourcesPipeline({
      dialect,
      clock,
      env: { REFRESH_INTERVAL: '1m', REFRESH_MAX_INTERVAL: '1m' },
    });
    const repos = await seedRepos(p.github, 'tok', ['a', 'b', 'c']);
    for (const r of repos) p.github.star('octocat', r.fullName);
    expect(await p.sources.poller.full()).toBe('3 added');
    await p.waitSynced(3);
    await p.sources.refresh!.tick(); // gives each mirror its slot
    clock.advance(120_000); // every slot is due

    p.github.revokeToken(GITHUB_TOKEN);
    expect(await p.sources.poller.quick()).toBe('paused');
    expect(p.alerts.map((a) => a.kind)).toEqual(['github_token_rejected']);

    p.github.clearRequests();
    // Refresh: the slots pass without an ls-remote.
    expect(await p.sources.refresh!.tick()).toEqual({ checked: 0, changed: 0 });
    // A repository check (what a failed sync asks for) is not sent.
    expect(await p.sources.checkRepository(repos[0]!.id)).toBe('skipped');
    // A sync that needs the token waits for the next re-check instead of sending it.
    const sync = p.nextSync(repos[1]!.id);
    await p.mirrors.syncById(repos[1]!.id, { force: true });
    expect((await sync).result).toBe('retrying');
    expect(String((await p.row(repos[1]!.id))?.last_error)).toMatch(/rejected GITHUB_TOKEN/);
    // The poller within the re-check interval.
    clock.advance(TOKEN_RECHECK_MS - 60_000);
    expect(await p.sources.poller.quick()).toBe('paused');
    expect(await p.sources.poller.full()).toBe('paused');
    expect(p.github.requests).toEqual([]);
    expect(p.alerts).toHaveLength(1);
    expect((await p.sources.healthProbe.check()).status).toBe('degraded');

    // Past the interval the token is tried once more (GET /user): still rejected.
    clock.advance(60_000);
    expect(await p.sources.poller.quick()).toBe('paused');
    expect(p.github.requests.map((r) => `${r.path} ${r.status}`)).toEqual(['/user 401']);
    expect(p.alerts).toHaveLength(1);

    // The operator renews it on GitHub: the next re-check lifts the pause everywhere.
    p.github.addToken(GITHUB_TOKEN, 'octocat');
    p.github.clearRequests();
    clock.advance(TOKEN_RECHECK_MS);
    expect(await p.sources.poller.quick()).not.toBe('paused');
    expect(p.github.requests[0]).toMatchObject({ path: '/user', status: 200 });
    expect((await p.sources.status()).starsPoll.pausedReason).toBeUndefined();
    expect(await p.sources.checkRepository(repos[0]!.id)).toBe('unchanged');
    const again = p.nextSync(repos[1]!.id);
    await p.mirrors.syncById(repos[1]!.id, { force: true, resetAttempts: true });
    expect((await again).result).toMatch(/^(synced|unchanged)$/);
    // The worker runs on the test clock, so the retry it had waiting may have been claimed
    // before the forced request, which then asks for one more sync: let it finish.
    await p.waitSynced(3);
    // A finished sync also moves the mirror's next check, timed from the sync on the test
    // clock; that write follows the row's release, so let it land before the clock moves.
    const kit = p;
    const slots = async () =>
      JSON.stringify(
        await Promise.all(repos.map(async (r) => (await kit.row(r.id))?.next_refresh_at)),
      );
    for (let last = ''; ; ) {
      const now = await slots();
      if (now === last) break;
      last = now;
      await new Promise((r) => setTimeout(r, 300));
    }
    clock.advance(120_000);
    expect((await p.sources.refresh!.tick()).checked).toBe(3);
  });

  it("a 401 answered to a repository check pauses the poller with one alert, like the poller's own", async () => {
    p = await startSourcesPipeline({ dialect });
    const [repo] = await seedRepos(p.github, 'chk', ['one']);
    p.github.star('octocat', repo!.fullName);
    expect(await p.sources.poller.full()).toBe('1 added');
    await p.waitSynced(1);

    p.github.revokeToken(GITHUB_TOKEN);
    p.github.clearRequests();
    expect(await p.sources.checkRepository(repo!.id)).toBe('skipped');
    expect(await p.sources.checkRepository(repo!.id)).toBe('skipped');
    expect(p.github.requests.map((r) => `${r.path} ${r.status}`)).toEqual(['/repos/chk/one 401']);
    expect(p.alerts.map((a) => a.kind)).toEqual(['github_token_rejected']);
    expect((await p.sources.status()).starsPoll.pausedReason).toMatch(/rejected the token/);
    expect(await p.sources.poller.quick()).toBe('paused');
    expect(p.github.requests).toHaveLength(1);
    expect(p.alerts).toHaveLength(1);
  });

  it('refresh refused by git asks GET /user once; a rejected token stops the tick and raises the one alert', async () => {
    const clock = manualClock();
    p = await startSourcesPipeline({
      dialect,
      clock,
      env: { REFRESH_INTERVAL: '1m', REFRESH_MAX_INTERVAL: '1m' },
    });
    const repos = await seedRepos(p.github, 'ref', ['a', 'b', 'c', 'd']);
    for (const r of repos) p.github.star('octocat', r.fullName);
    expect(await p.sources.poller.full()).toBe('4 added');
    await p.waitSynced(4);
    await p.sources.refresh!.tick();
    clock.advance(120_000);

    p.github.revokeToken(GITHUB_TOKEN);
    p.github.clearRequests();
    expect(await p.sources.refresh!.tick()).toMatchObject({ changed: 0 });
    const lsRemotes = p.github.requests.filter((r) => r.path.endsWith('/info/refs'));
    expect(lsRemotes.length).toBeGreaterThan(0);
    // SYNC_CONCURRENCY=2 lanes: at most the two already under way when git said no.
    expect(lsRemotes.length).toBeLessThanOrEqual(2);
    expect(lsRemotes.every((r) => r.status === 401)).toBe(true);
    expect(p.github.requests.filter((r) => r.path === '/user').map((r) => r.status)).toEqual([401]);
    expect(p.alerts.map((a) => a.kind)).toEqual(['github_token_rejected']);

    p.github.clearRequests();
    clock.advance(120_000);
    expect((await p.sources.refresh!.tick()).checked).toBe(0);
    expect(p.github.requests).toEqual([]);
  });
});
