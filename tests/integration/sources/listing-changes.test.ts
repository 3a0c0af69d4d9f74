import { afterEach, describe, expect, it } from 'vitest';
import { pushCommit, seedRepos } from '../../support/github-double/seed.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';
import { manualClock, type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

describe.each(DIALECTS)('what a listing or an API check says about a mirror on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  async function mirrored(pipeline: SourcesPipeline, owner: string, names: string[]) {
    const repos = await seedRepos(pipeline.github, owner, names);
    for (const r of repos) pipeline.github.star('octocat', r.fullName);
    await pipeline.sources.poller.full();
    await pipeline.waitSynced(repos.length);
    return repos;
  }

  it('archived (in a listing or by webhook): shown, and no longer refreshed on a schedule', async () => {
    const clock = manualClock();
    p = await startSourcesPipeline({ dialect, clock, env: { REFRESH_INTERVAL: '1m' } });
    const [listed, hooked, active] = await mirrored(p, 'arch', ['listed', 'hooked', 'active']);
    await p.sources.refresh!.tick(); // slots
    clock.advance(120_000);
    expect((await p.sources.refresh!.tick()).checked).toBe(3);

    p.github.updateRepo(listed!.fullName, { archived: true });
    expect(await p.sources.poller.full()).toMatch(/^no change/);
    // The examples package has no repository.archived: the edited example with that action.
    const hook = {
      ...withRepository(webhookExample('repository', 'edited'), {
        id: hooked!.id,
        owner: 'arch',
        name: 'hooked',
      }),
      action: 'archived',
    };
    expect(await (await p.send('repository', hook)).json()).toMatchObject({ outcome: 'archived' });
    expect(await p.row(listed!.id)).toMatchObject({ archived: 1, status: 'synced' });
    expect(await p.row(hooked!.id)).toMatchObject({ archived: 1 });
    expect((await p.mirrors.findById(listed!.id))?.archived).toBe(true);

    for (const r of [listed, hooked, active]) await pushCommit(r!);
    p.github.clearRequests();
    clock.advance(120_000);
    expect(await p.sources.refresh!.tick()).toEqual({ checked: 1, changed: 1 });
    const lsRemotes = p.github.requests.filter((r) => r.path.endsWith('/info/refs'));
    expect(new Set(lsRemotes.map((r) => r.path))).toEqual(new Set(['/arch/active.git/info/refs']));
  });

  it('a changed full_name in a listing renames the mirror and moves the project; no duplicate', async () => {
    p = await startSourcesPipeline({ dialect });
    const [repo] = await mirrored(p, 'lst', ['before']);
    const project = p.onedev.projectByPath('github/lst/before');
    p.github.rename('lst/before', 'after');
    expect(await p.sources.poller.full()).toBe('1 renamed');
    expect(await p.row(repo!.id)).toMatchObject({ full_name: 'lst/after', onedev_move_pending: 1 });
    expect(await p.sources.renames.processPending()).toBe(1);
    expect(p.onedev.projectByPath('github/lst/after')?.id).toBe(project?.id);
    expect(p.onedev.projectByPath('github/lst/before')).toBeUndefined();

    await pushCommit(repo!);
    p.onedev.resetRecords();
    const synced = p.nextSync(repo!.id);
    await p.mirrors.syncById(repo!.id);
    expect((await synced).result).toBe('synced');
    expect(p.onedev.createdNames).toEqual([]);
  });

  it('a 451 from the API pauses the mirror with the legal reason and keeps the project', async () => {
    p = await startSourcesPipeline({ dialect });
    const [repo] = await mirrored(p, 'legal', ['blocked']);
    p.github.faults.alterAnswer(
      1,
      () => ({
        status: 451,
        body: { message: 'Repository access blocked', block: { reason: 'dmca' } },
      }),
      { match: (url) => url === '/repos/legal/blocked' },
    );
    expect(await p.sources.checkRepository(repo!.id)).toBe('gone');
    const row = await p.row(repo!.id);
    expect(row).toMatchObject({ status: 'paused' });
    expect(String(row?.paused_reason)).toMatch(/HTTP 451: unavailable for legal reasons/);
    expect(p.onedev.projectByPath('github/legal/blocked')).toBeDefined();
    expect((await p.mirrors.findById(repo!.id))?.pausedReason).toMatch(/451/);
  });

  it('a re-star found by a poll (no webhook) cancels a pending deletion', async () => {
    p = await startSourcesPipeline({
      dialect,
      env: { UNSTAR_POLICY: 'delete', UNSTAR_GRACE: '1s' },
    });
    const [again, stay] = await mirrored(p, 'restar', ['again', 'stay']);
    p.github.unstar('octocat', again!.fullName);
    expect(await p.sources.poller.full()).toBe('1 released');
    expect((await p.row(again!.id))?.delete_after).not.toBeNull();

    p.github.star('octocat', again!.fullName);
    expect(await p.sources.poller.quick()).toBe('1 resumed');
    expect(await p.row(again!.id)).toMatchObject({
      starred: 1,
      delete_after: null,
      unstarred_at: null,
      paused_reason: null,
    });
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await p.sources.policy.expireDeletions()).toBe(0);
    expect(p.onedev.projectByPath('github/restar/again')).toBeDefined();
    expect(await p.row(stay!.id)).toMatchObject({ starred: 1 });
  });
});
