import { afterEach, describe, expect, it } from 'vitest';
import { seedRepos } from '../../support/github-double/seed.js';
import { DIALECTS } from '../../support/test-db.js';
import { cookieHeader, PASSWORD, signIn } from '../dashboard/dashboard-kit.js';
import { manualClock, type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

describe.each(DIALECTS)('a source that vanishes, on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  it('a repository deleted on GitHub (it leaves the stars too) is kept as source gone, even with UNSTAR_POLICY=delete', async () => {
    const clock = manualClock();
    p = await startSourcesPipeline({
      dialect,
      clock,
      env: {
        UNSTAR_POLICY: 'delete',
        UNSTAR_GRACE: '10s',
        GITHUB_STARS_USER: 'octocat',
        DASHBOARD_PASSWORD: PASSWORD,
      },
    });
    const [vanished, unstarred, stay] = await seedRepos(p.github, 'src', [
      'vanished',
      'unstarred',
      'stay',
    ]);
    for (const r of [vanished, unstarred, stay]) p.github.star('octocat', r!.fullName);
    await p.sources.poller.full();
    await p.waitSynced(3);

    // GitHub deletes one (it leaves the stars list with it); the user unstars another.
    p.github.deleteRepo(vanished!.fullName);
    p.github.unstar('octocat', unstarred!.fullName);
    expect(await p.sources.poller.full()).toBe('1 released');

    const gone = await p.row(vanished!.id);
    expect(gone).toMatchObject({ status: 'paused', unstarred_at: null, delete_after: null });
    expect(gone?.source_gone_at).toBe(clock.now().toISOString());
    expect(String(gone?.source_gone_reason)).toMatch(/src\/vanished is gone from GitHub/);
    expect((await p.row(unstarred!.id))?.delete_after).not.toBeNull();

    // It is not synced any more, and the grace period deletes only the unstarred one.
    expect(await p.mirrors.syncById(vanished!.id)).toBe('ignored_paused');
    clock.advance(11_000);
    expect(await p.sources.policy.expireDeletions()).toBe(1);
    expect(p.onedev.projectByPath('github/src/vanished')).toBeDefined();
    expect(p.onedev.projectByPath('github/src/unstarred')).toBeUndefined();
    expect(await p.row(vanished!.id)).toBeDefined();

    // The API and the dashboard say so.
    const answer = await p.admin('GET', '/api/v1/mirrors/src/vanished');
    expect(await answer.json()).toMatchObject({
      status: 'paused',
      sourceGone: { at: gone?.source_gone_at, reason: gone?.source_gone_reason },
    });
    const { cookies } = await signIn(p.app);
    const page = await p.app.request('http://localhost/dashboard/mirrors?status=paused', {
      headers: { cookie: cookieHeader(cookies) },
    });
    const html = await page.text();
    expect(html).toContain('src/vanished');
    expect(html).toContain('source gone');
  });

  it('a repository that turned private out of the token’s sight (404) after an unstar is not deleted at the end of the grace', async () => {
    const clock = manualClock();
    p = await startSourcesPipeline({
      dialect,
      clock,
      env: { UNSTAR_POLICY: 'delete', UNSTAR_GRACE: '10s', GITHUB_STARS_USER: 'octocat' },
    });
    const [hidden, stay] = await seedRepos(p.github, 'priv', ['hidden', 'stay']);
    for (const r of [hidden, stay]) p.github.star('octocat', r!.fullName);
    await p.sources.poller.full();
    await p.waitSynced(2);
    p.github.unstar('octocat', hidden!.fullName);
    expect(await p.sources.poller.full()).toBe('1 released');

    // Now GitHub answers 404 for it: the deletion is cancelled and the mirror kept.
    p.github.faults.alterAnswer(10, () => ({ status: 404, body: { message: 'Not Found' } }), {
      match: (url) => url === '/repos/priv/hidden',
    });
    clock.advance(11_000);
    expect(await p.sources.policy.expireDeletions()).toBe(0);
    expect(p.onedev.projectByPath('github/priv/hidden')).toBeDefined();
    const row = await p.row(hidden!.id);
    expect(row).toMatchObject({ status: 'paused', delete_after: null });
    expect(row?.source_gone_at).not.toBeNull();
    expect(await p.sources.policy.expireDeletions()).toBe(0);
  });
});
