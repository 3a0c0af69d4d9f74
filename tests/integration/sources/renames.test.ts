import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { pushCommit, seedRepos } from '../../support/github-double/seed.js';
import { listRefs } from '../../support/onedev-double/repo.js';
import { headsAndTags } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';
import { type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

const until = <T>(probe: () => T | Promise<T>, timeoutMs = 10_000) =>
  eventually('the rename, transfer or deletion to show', probe, timeoutMs);

describe.each(DIALECTS)('renames, transfers and deletions on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  async function mirrored(owner: string, names: string[]) {
    const pipeline = p as SourcesPipeline;
    const repos = await seedRepos(pipeline.github, owner, names);
    for (const r of repos) pipeline.github.star('octocat', r.fullName);
    await pipeline.sources.poller.full();
    await pipeline.waitSynced(repos.length);
    return repos;
  }

  it('a renamed webhook renames the mirror and moves the OneDev project; no duplicate appears', async () => {
    p = await startSourcesPipeline({ dialect });
    const [repo] = await mirrored('old', ['proj']);
    const before = p.onedev.projectByPath('github/old/proj');
    p.github.rename('old/proj', 'renamed');
    const hook = withRepository(webhookExample('repository', 'renamed'), {
      id: repo!.id,
      owner: 'old',
      name: 'renamed',
    });
    expect(await (await p.send('repository', hook)).json()).toMatchObject({ outcome: 'renamed' });
    const moved = await until(() => p?.onedev.projectByPath('github/old/renamed'));
    expect(moved.id).toBe(before?.id);
    expect(p.onedev.projectByPath('github/old/proj')).toBeUndefined();
    // OneDev shows the move before Starbridge has read OneDev's answer and recorded it.
    await until(async () => ((await p?.row(repo!.id))?.onedev_move_pending === 0 ? true : null));
    expect(await p.row(repo!.id)).toMatchObject({
      full_name: 'old/renamed',
      onedev_path: 'github/old/renamed',
      onedev_move_pending: 0,
    });

    await pushCommit(repo!);
    p.onedev.resetRecords();
    const synced = p.nextSync(repo!.id);
    await p.mirrors.syncById(repo!.id);
    expect((await synced).result).toBe('synced');
    expect(p.onedev.createdNames).toEqual([]);
    expect(p.onedev.projectByPath('github/old/proj')).toBeUndefined();
  });

  it('a star for a repository renamed earlier (no repository webhook) moves the OneDev project too', async () => {
    p = await startSourcesPipeline({ dialect });
    const [repo] = await mirrored('alice', ['old']);
    const before = p.onedev.projectByPath('github/alice/old');
    const row = await p.row(repo!.id);
    const upstream = p.github.rename('alice/old', 'new');
    const star = withRepository(webhookExample('watch', 'started'), {
      id: repo!.id,
      owner: 'alice',
      name: 'new',
    });
    const answer = await (await p.send('watch', star)).json();
    expect(answer).toMatchObject({ outcome: expect.stringMatching(/^(queued|coalesced)$/) });
    const renamed = await p.row(repo!.id);
    expect(renamed).toMatchObject({ full_name: 'alice/new' });
    expect(renamed?.updated_at).not.toBe(row?.updated_at);
    // The maintenance round moves what a running sync kept from being moved at once.
    const moved = await until(async () => {
      await p?.sources.renames.processPending();
      const r = await p?.row(repo!.id);
      return r?.onedev_path === 'github/alice/new' && r.onedev_move_pending === 0 ? r : undefined;
    });
    expect(moved).toMatchObject({ full_name: 'alice/new', onedev_conflict: null });
    expect(p.onedev.projectByPath('github/alice/new')?.id).toBe(before?.id);
    expect(p.onedev.projectByPath('github/alice/old')).toBeUndefined();
    await p.waitSynced(1);
    expect(await p.onedev.refs('github/alice/new')).toEqual(
      headsAndTags(await listRefs(upstream.path)),
    );
    expect(p.onedev.projectByPath('github/alice/old')).toBeUndefined();
  });

  it('a 301 from the API (transfer) renames the mirror and moves the project under the new owner', async () => {
    p = await startSourcesPipeline({ dialect });
    const [repo] = await mirrored('alice', ['tool']);
    const before = p.onedev.projectByPath('github/alice/tool');
    p.github.rename('alice/tool', 'neworg/tool');
    expect(await p.sources.checkRepository(repo!.id)).toBe('renamed');
    expect(p.github.requests.some((r) => r.path === '/repos/alice/tool' && r.status === 301)).toBe(
      true,
    );
    expect(await p.row(repo!.id)).toMatchObject({
      owner: 'neworg',
      full_name: 'neworg/tool',
      onedev_path: 'github/neworg/tool',
      onedev_move_pending: 0,
    });
    expect(p.onedev.projectByPath('github/neworg/tool')?.id).toBe(before?.id);
    expect(p.onedev.projectByPath('github/alice/tool')).toBeUndefined();
    expect(p.onedev.projectByPath('github/neworg')?.codeManagement).toBe(false);

    await pushCommit(repo!);
    p.onedev.resetRecords();
    const synced = p.nextSync(repo!.id);
    await p.mirrors.syncById(repo!.id);
    expect((await synced).result).toBe('synced');
    expect(p.onedev.createdNames).toEqual([]);
    expect(p.onedev.projectByPath('github/alice/tool')).toBeUndefined();
    expect(
      p.github.requests.some((r) => r.kind === 'git' && r.path.startsWith('/neworg/tool')),
    ).toBe(true);
  });

  it('a sync that fails for good asks the API, and its 301 renames the mirror on its own', async () => {
    p = await startSourcesPipeline({ dialect });
    const [repo] = await mirrored('auto', ['lib']);
    const before = p.onedev.projectByPath('github/auto/lib');
    p.github.rename('auto/lib', 'library');
    // Git fails on every attempt (MAX_ATTEMPTS=4), each of whose ls-remote tries six times
    // (quick retries): the sync ends `failed`.
    p.github.faults.serverError(24, { scope: 'git' });
    p.github.clearRequests();
    let failed = p.nextSync(repo!.id);
    await p.mirrors.syncById(repo!.id, { force: true });
    while ((await failed).result !== 'failed') failed = p.nextSync(repo!.id);
    const row = await until(async () => {
      const r = await p?.row(repo!.id);
      return r?.full_name === 'auto/library' && r.onedev_move_pending === 0 ? r : undefined;
    });
    expect(row).toMatchObject({ onedev_path: 'github/auto/library' });
    expect(p.github.requests.some((r) => r.path === '/repos/auto/lib' && r.status === 301)).toBe(
      true,
    );
    expect(p.onedev.projectByPath('github/auto/library')?.id).toBe(before?.id);

    p.onedev.resetRecords();
    const synced = p.nextSync(repo!.id);
    await p.mirrors.syncById(repo!.id, { force: true, resetAttempts: true });
    expect((await synced).result).toMatch(/^(synced|unchanged)$/);
    expect(p.onedev.createdNames).toEqual([]);
    expect(p.onedev.projectByPath('github/auto/lib')).toBeUndefined();
  });

  it('keeps the old path and shows the conflict when the new path is taken', async () => {
    p = await startSourcesPipeline({ dialect });
    const [repo] = await mirrored('own', ['first']);
    await p.onedev.addProject('github/own/taken');
    p.github.rename('own/first', 'taken');
    const hook = withRepository(webhookExample('repository', 'renamed'), {
      id: repo!.id,
      owner: 'own',
      name: 'taken',
    });
    await p.send('repository', hook);
    const row = await until(async () => {
      const r = await p?.row(repo!.id);
      return r?.onedev_conflict ? r : undefined;
    });
    expect(row).toMatchObject({ full_name: 'own/taken', onedev_path: 'github/own/first' });
    expect(String(row.onedev_conflict)).toMatch(/github\/own\/taken is taken/);
    expect(p.onedev.projectByPath('github/own/first')).toBeDefined();
  });

  it('deleted upstream (webhook or 404): paused with the reason, project kept', async () => {
    p = await startSourcesPipeline({ dialect });
    const [one, two] = await mirrored('del', ['one', 'two']);
    // The examples package has no repository.deleted: synthesize it from a neighbour.
    const hook = {
      ...withRepository(webhookExample('repository', 'renamed'), {
        id: one!.id,
        owner: 'del',
        name: 'one',
      }),
      action: 'deleted',
      changes: undefined,
    };
    expect(await (await p.send('repository', hook)).json()).toMatchObject({ outcome: 'paused' });
    expect(await p.row(one!.id)).toMatchObject({ status: 'paused' });
    p.github.deleteRepo('del/two');
    expect(await p.sources.checkRepository(two!.id)).toBe('gone');
    expect(String((await p.row(two!.id))?.paused_reason)).toMatch(/gone from GitHub/);
    expect(p.onedev.projectByPath('github/del/one')).toBeDefined();
    expect(p.onedev.projectByPath('github/del/two')).toBeDefined();
  });
});
