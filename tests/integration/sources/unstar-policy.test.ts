import { afterEach, describe, expect, it } from 'vitest';
import { seedRepos } from '../../support/github-double/seed.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';
import { manualClock, type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

describe.each(DIALECTS)('unstar policy on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  it('keep: the mirror stops updating and the OneDev project stays', async () => {
    p = await startSourcesPipeline({ dialect });
    // A listing that comes back empty never unstars: keep one star that stays.
    const [a, stay] = await seedRepos(p.github, 'kept', ['a', 'stay']);
    p.github.star('octocat', a!.fullName);
    p.github.star('octocat', stay!.fullName);
    await p.sources.poller.full();
    await p.waitSynced(2);
    p.github.unstar('octocat', a!.fullName);
    expect(await p.sources.poller.full()).toBe('1 released');
    expect(await p.row(a!.id)).toMatchObject({ status: 'paused', starred: 0 });
    expect(p.onedev.projectByPath('github/kept/a')).toBeDefined();
    expect(await p.mirrors.syncById(a!.id)).toBe('ignored_paused');
    expect(await p.sources.policy.expireDeletions()).toBe(0);
    expect(p.onedev.projectByPath('github/kept/a')).toBeDefined();
  });

  it('delete: the scheduled maintenance deletes the project after the grace period; a re-star inside it cancels', async () => {
    // The scheduler runs by the test's clock: UNSTAR_GRACE=10s gives a maintenance run every 1s.
    const clock = manualClock();
    p = await startSourcesPipeline({
      dialect,
      clock,
      env: { UNSTAR_POLICY: 'delete', UNSTAR_GRACE: '10s', GITHUB_STARS_USER: 'octocat' },
    });
    const notices: string[] = [];
    p.sources.events.on('notice', (n) => notices.push(n.kind));
    const [a, b, stay] = await seedRepos(p.github, 'gone', ['a', 'b', 'stay']);
    for (const r of [a, b, stay]) p.github.star('octocat', r!.fullName);
    await p.sources.runDue(); // the first round: full listing, quick poll, refresh, maintenance
    await p.waitSynced(3);

    p.github.unstar('octocat', a!.fullName);
    p.github.unstar('octocat', b!.fullName);
    expect(await p.sources.poller.full()).toBe('2 released');
    expect((await p.row(b!.id))?.delete_after).toBe(
      new Date(clock.now().getTime() + 10_000).toISOString(),
    );

    // a is starred again within the grace period (the webhook path); b is not.
    p.github.star('octocat', a!.fullName);
    const star = withRepository(webhookExample('star', 'created'), {
      id: a!.id,
      owner: 'gone',
      name: 'a',
    });
    star.sender.login = 'octocat';
    expect((await p.send('star', star)).status).toBe(202);
    expect(await p.row(a!.id)).toMatchObject({ delete_after: null, unstarred_at: null });

    // Maintenance runs inside the grace period and deletes nothing.
    clock.advance(9_000);
    await p.sources.runDue();
    expect(p.onedev.projectByPath('github/gone/b')).toBeDefined();
    expect(await p.row(b!.id)).toMatchObject({ status: 'paused', starred: 0 });

    // The grace period is over: the next scheduled run deletes b and leaves a.
    clock.advance(1_000);
    await p.sources.runDue();
    expect(p.onedev.projectByPath('github/gone/b')).toBeUndefined();
    expect(await p.row(b!.id)).toBeUndefined();
    expect(p.onedev.projectByPath('github/gone/a')).toBeDefined();
    expect(await p.row(a!.id)).toMatchObject({ starred: 1, delete_after: null });
    expect(notices).toEqual(['mirror:released', 'mirror:released', 'mirror:deleted']);
  });

  it('the star/deleted webhook starts the same path at once', async () => {
    p = await startSourcesPipeline({ dialect, env: { GITHUB_STARS_USER: 'octocat' } });
    await p.worker.stop(1_000);
    const [a] = await seedRepos(p.github, 'hooked', ['a']);
    p.github.star('octocat', a!.fullName);
    await p.sources.poller.full();
    const unstar = withRepository(webhookExample('star', 'deleted'), {
      id: a!.id,
      owner: 'hooked',
      name: 'a',
    });
    unstar.sender.login = 'octocat';
    const answer = await p.send('star', unstar);
    expect(await answer.json()).toMatchObject({ outcome: 'released' });
    expect(await p.row(a!.id)).toMatchObject({ status: 'paused', starred: 0 });
  });
});
