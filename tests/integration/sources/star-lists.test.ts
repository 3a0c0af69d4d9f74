import { afterEach, describe, expect, it } from 'vitest';
import { seedRepos } from '../../support/github-double/seed.js';
import { listRefs } from '../../support/onedev-double/repo.js';
import { headsAndTags } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';
import { manualClock, type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

// GITHUB_STAR_LISTS end to end: the GitHub double's Star Lists (GraphQL), the stars poller,
// real git into the OneDev double, each list under its own parent.

const USER = 'octocat';

describe.each(DIALECTS)('Star Lists choose what is mirrored, and where, on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  async function start(lists: string, env: Record<string, string> = {}) {
    p = await startSourcesPipeline({
      dialect,
      clock: manualClock(),
      env: { GITHUB_STAR_LISTS: lists, ...env },
    });
    return p;
  }

  it('mirrors the stars of a chosen list under its parent, not a star in another list or in none', async () => {
    const pipe = await start('tools,Work Stuff=work-mirrors');
    const [hammer, deploy, other, plain] = await seedRepos(pipe.github, 'octo', [
      'hammer',
      'deploy',
      'other',
      'plain',
    ]);
    for (const name of ['Tools', 'Work Stuff', 'Elsewhere']) pipe.github.addList(USER, name);
    pipe.github.addToList(USER, 'tools', hammer!.fullName);
    pipe.github.addToList(USER, 'work-stuff', deploy!.fullName);
    pipe.github.addToList(USER, 'elsewhere', other!.fullName);
    pipe.github.star(USER, plain!.fullName);

    expect(await pipe.sources.poller.full()).toBe('2 added');
    await pipe.waitSynced(2);
    expect(await listRefs(pipe.onedev.repoPath('github/octo/hammer'))).toEqual(
      headsAndTags(await listRefs(hammer!.path)),
    );
    expect(pipe.onedev.projectByPath('github/work-mirrors/octo/deploy')).toBeDefined();
    expect(await pipe.row(other!.id)).toBeUndefined();
    expect(await pipe.row(plain!.id)).toBeUndefined();
    expect(await pipe.row(deploy!.id)).toMatchObject({
      star_list: 'work-stuff',
      onedev_parent: 'work-mirrors',
    });
    const status = await pipe.sources.status();
    expect(status.starsPoll.lists).toEqual([
      { list: 'tools', slug: 'tools', stars: 1 },
      { list: 'Work Stuff', slug: 'work-stuff', parent: 'work-mirrors', stars: 1 },
    ]);

    // A quick poll costs one look (one point) while nothing was added; an addition is walked.
    pipe.github.clearRequests();
    const points = pipe.github.graphqlRateLimit(USER).used;
    expect(await pipe.sources.poller.quick()).toBe('not modified');
    const api = pipe.github.requests.filter((r) => r.kind === 'rest' || r.kind === 'graphql');
    expect(api.map((r) => `${r.kind} ${r.path}`)).toEqual(['graphql /graphql']);
    expect(pipe.github.graphqlRateLimit(USER).used - points).toBe(1);
    const [added] = await seedRepos(pipe.github, 'octo', ['added']);
    pipe.github.addToList(USER, 'tools', added!.fullName);
    expect(await pipe.sources.poller.quick()).toBe('1 added');
    await pipe.waitSynced(3);
    expect(pipe.onedev.projectByPath('github/octo/added')).toBeDefined();
  });

  it('moves the OneDev project between parents when a repository moves between lists; the first list wins', async () => {
    const pipe = await start('tools,work=work-mirrors');
    const [repo] = await seedRepos(pipe.github, 'octo', ['mover']);
    pipe.github.addList(USER, 'tools');
    pipe.github.addList(USER, 'work');
    pipe.github.addToList(USER, 'work', repo!.fullName);
    await pipe.sources.poller.full();
    await pipe.waitSynced(1);
    const project = pipe.onedev.projectByPath('github/work-mirrors/octo/mover');
    expect(project).toBeDefined();

    // In both lists: `tools` comes first in GITHUB_STAR_LISTS, so it wins.
    pipe.github.addToList(USER, 'tools', repo!.fullName);
    const dry = await pipe.sources.reconcile({ dryRun: true });
    expect(dry.plan?.regrouped).toEqual([
      { githubId: repo!.id, fullName: 'octo/mover', list: 'tools', parent: null },
    ]);
    expect(await pipe.sources.poller.quick()).toBe('1 regrouped');
    expect(await pipe.sources.renames.processPending()).toBe(1);
    const moved = pipe.onedev.projectByPath('github/octo/mover');
    expect(moved?.id).toBe(project!.id);
    expect(pipe.onedev.projectByPath('github/work-mirrors/octo/mover')).toBeUndefined();
    expect(await pipe.row(repo!.id)).toMatchObject({
      star_list: 'tools',
      onedev_parent: null,
      onedev_path: 'github/octo/mover',
      onedev_move_pending: 0,
    });

    // Out of `tools` (a removal moves no stamp: the full reconcile sees it), back under `work`.
    pipe.github.removeFromList(USER, 'tools', repo!.fullName);
    expect(await pipe.sources.poller.quick()).toBe('not modified');
    expect(await pipe.sources.poller.full()).toBe('1 regrouped');
    await pipe.sources.renames.processPending();
    expect(pipe.onedev.projectByPath('github/work-mirrors/octo/mover')?.id).toBe(project!.id);
  });

  it('removal from every chosen list follows the unstar policy, as an unstar does', async () => {
    const pipe = await start('tools', { UNSTAR_POLICY: 'delete', UNSTAR_GRACE: '10s' });
    const [gone, stays] = await seedRepos(pipe.github, 'octo', ['gone', 'stays']);
    pipe.github.addList(USER, 'tools');
    pipe.github.addToList(USER, 'tools', gone!.fullName);
    pipe.github.addToList(USER, 'tools', stays!.fullName);
    await pipe.sources.poller.full();
    await pipe.waitSynced(2);

    // Still starred, but in no chosen list any more.
    pipe.github.removeFromList(USER, 'tools', gone!.fullName);
    expect(await pipe.sources.poller.full()).toBe('1 released');
    const row = await pipe.row(gone!.id);
    expect(row).toMatchObject({ status: 'paused', starred: 0 });
    expect(row?.delete_after).not.toBeNull();
    expect(await pipe.row(stays!.id)).toMatchObject({ starred: 1, unstarred_at: null });

    // Back in the list within the grace period: held again, the deletion cancelled.
    pipe.github.addToList(USER, 'tools', gone!.fullName);
    expect(await pipe.sources.poller.quick()).toBe('1 resumed');
    expect(await pipe.row(gone!.id)).toMatchObject({ unstarred_at: null, delete_after: null });
  });

  it('a list GitHub does not have is named in an alert and on /health, and releases nothing', async () => {
    const pipe = await start('tools,no-such-list');
    const [repo] = await seedRepos(pipe.github, 'octo', ['kept']);
    pipe.github.addList(USER, 'tools');
    pipe.github.addToList(USER, 'tools', repo!.fullName);
    expect(await pipe.sources.poller.full()).toBe('1 added');
    expect(pipe.alerts.map((a) => a.kind)).toEqual(['star_lists_missing']);
    expect(pipe.alerts[0]?.message).toMatch(/"no-such-list"/);
    const health = await pipe.sources.healthProbe.check();
    expect(health).toMatchObject({ status: 'degraded' });
    expect(health.message).toMatch(/GITHUB_STAR_LISTS: GitHub shows no list "no-such-list"/);
    expect((await pipe.sources.status()).starsPoll.lists?.[1]).toEqual({
      list: 'no-such-list',
      stars: 0,
      missing: true,
    });

    // With a named list missing, leaving the other list releases nothing.
    pipe.github.removeFromList(USER, 'tools', repo!.fullName);
    expect(await pipe.sources.poller.full()).toMatch(/^no change/);
    expect(await pipe.row(repo!.id)).toMatchObject({ starred: 1, unstarred_at: null });
    // The alert is said once, not on every poll.
    expect(pipe.alerts).toHaveLength(1);
  });

  it('another user’s lists: the public ones are followed, a private one is missing', async () => {
    const pipe = await start('open,secret', { GITHUB_STARS_USER: 'alice' });
    const [shown, hidden] = await seedRepos(pipe.github, 'octo', ['shown', 'hidden']);
    pipe.github.addList('alice', 'open');
    pipe.github.addList('alice', 'secret', { private: true });
    pipe.github.addToList('alice', 'open', shown!.fullName);
    pipe.github.addToList('alice', 'secret', hidden!.fullName);
    expect(await pipe.sources.poller.full()).toBe('1 added');
    expect(await pipe.row(hidden!.id)).toBeUndefined();
    expect(pipe.alerts[0]?.message).toMatch(/"secret"/);
  });

  it('a star webhook alone mirrors nothing while lists choose', async () => {
    const pipe = await start('tools');
    pipe.github.addList(USER, 'tools');
    await pipe.sources.poller.full(); // the poll learns whose stars these are
    const [repo] = await seedRepos(pipe.github, 'octo', ['starred']);
    pipe.github.star(USER, repo!.fullName);
    const star = withRepository(webhookExample('star', 'created'), {
      id: repo!.id,
      owner: 'octo',
      name: 'starred',
    });
    star.sender.login = USER;
    const answer = (await (await pipe.send('star', star)).json()) as { detail?: string };
    expect(answer).toMatchObject({ outcome: 'ignored' });
    expect(answer.detail).toMatch(/GITHUB_STAR_LISTS/);
    expect(await pipe.row(repo!.id)).toBeUndefined();
  });
});
