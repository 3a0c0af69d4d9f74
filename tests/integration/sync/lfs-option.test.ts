import { afterEach, describe, expect, it } from 'vitest';
import { listRuns } from '../../../src/sync/runs.repo.js';
import { RepoBuilder } from '../../support/git-repos.js';
import { commitLfsFiles, lfsSkipReason } from '../../support/lfs.js';
import { type Pipeline, startPipeline } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';

const skip = lfsSkipReason();

/** A mirror's own `lfs` option over MIRROR_LFS: the one place its LFS setting lives. */
describe.skipIf(skip !== undefined).each(DIALECTS)("a mirror's LFS option on %s", (dialect) => {
  let pipeline: Pipeline | undefined;
  afterEach(async () => {
    await pipeline?.close();
    pipeline = undefined;
  });

  async function sync(p: Pipeline, id: number, name: string, event: 'watch' | 'push') {
    const finished = p.nextSync(id);
    const payload =
      event === 'watch'
        ? withRepository(webhookExample('watch', 'started'), {
            id,
            owner: 'octocat',
            name,
            defaultBranch: 'main',
          })
        : withRepository(webhookExample('push'), { id, owner: 'octocat', name });
    expect((await p.deliver(event, payload)).status).toBe(202);
    return (await finished).result;
  }

  it('on (MIRROR_LFS=false) through the options API mirrors LFS objects', async () => {
    const p = await startPipeline({ dialect, env: { MIRROR_LFS: 'false' } });
    pipeline = p;
    const record = p.github.addRepo({ owner: 'octocat', name: 'art' });
    const repo = new RepoBuilder(p.github.repoPath('octocat', 'art'));
    const store = p.github.lfs('octocat/art');
    await commitLfsFiles(repo, store, 'main', ['a.bin']);
    expect(await sync(p, record.id, 'art', 'watch')).toBe('synced');
    const path = 'github/octocat/art';
    expect(await p.onedev.lfs(path).oids()).toEqual([]);

    const set = await p.admin('POST', '/api/v1/mirrors/octocat/art/options', { lfs: true });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ lfs: { value: true, updatedBy: 'admin API' } });
    const mirror = await (await p.admin('GET', '/api/v1/mirrors/octocat/art')).json();
    expect(mirror).toMatchObject({ lfs: 'on' });

    await commitLfsFiles(repo, store, 'main', ['b.bin']);
    expect(await sync(p, record.id, 'art', 'push')).toBe('synced');
    expect(await p.onedev.lfs(path).oids()).toHaveLength(2);
    const [run] = await listRuns(p.handle.db, record.id);
    expect(run?.lfs).toMatchObject({ objects: 2, totalObjects: 2 });
  });

  it('the …/lfs route writes the same option, logged as a change', async () => {
    const p = await startPipeline({ dialect, env: { MIRROR_LFS: 'false' } });
    pipeline = p;
    const record = p.github.addRepo({ owner: 'octocat', name: 'route' });
    await new RepoBuilder(p.github.repoPath('octocat', 'route')).commit('main', {
      files: { 'a.txt': 'a\n' },
    });
    expect(await sync(p, record.id, 'route', 'watch')).toBe('synced');

    const off = await p.admin('POST', '/api/v1/mirrors/octocat/route/lfs', { lfs: 'off' });
    expect(((await off.json()) as { lfs: string }).lfs).toBe('off');
    const options = await (await p.admin('GET', '/api/v1/mirrors/octocat/route/options')).json();
    expect(options).toMatchObject({ lfs: { value: false, updatedBy: 'admin API' } });
    expect(await p.mirrors.changesOf(record.id)).toEqual([
      expect.objectContaining({ change: 'option', detail: 'lfs = false', actor: 'admin API' }),
    ]);

    const back = await p.admin('POST', '/api/v1/mirrors/octocat/route/lfs', { lfs: 'default' });
    expect(((await back.json()) as { lfs: string | null }).lfs).toBeNull();
    expect(await (await p.admin('GET', '/api/v1/mirrors/octocat/route/options')).json()).toEqual(
      {},
    );
  });
});
