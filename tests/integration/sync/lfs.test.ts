import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listRuns } from '../../../src/sync/runs.repo.js';
import { git, RepoBuilder } from '../../support/git-repos.js';
import { commitLfsFiles, lfsSkipReason } from '../../support/lfs.js';
import { TOKENS } from '../../support/onedev-double/test-kit.js';
import { headsAndTags, type Pipeline, startPipeline } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';

const skip = lfsSkipReason();

describe.skipIf(skip !== undefined).each(DIALECTS)('LFS mirroring on %s', (dialect) => {
  let pipeline: Pipeline | undefined;
  const temps: string[] = [];
  afterEach(async () => {
    await pipeline?.close();
    pipeline = undefined;
    for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string> = {}): Promise<Pipeline> {
    pipeline = await startPipeline({ dialect, env });
    return pipeline;
  }

  function source(p: Pipeline, name: string) {
    const record = p.github.addRepo({ owner: 'octocat', name });
    const repo = new RepoBuilder(p.github.repoPath('octocat', name));
    return { record, repo, store: p.github.lfs(`octocat/${name}`) };
  }

  async function sync(p: Pipeline, record: { id: number }, name: string, event = 'watch') {
    const finished = p.nextSync(record.id);
    const payload =
      event === 'watch'
        ? withRepository(webhookExample('watch', 'started'), {
            id: record.id,
            owner: 'octocat',
            name,
            defaultBranch: 'main',
          })
        : withRepository(webhookExample('push'), { id: record.id, owner: 'octocat', name });
    expect((await p.deliver(event, payload)).status).toBe(202);
    return finished;
  }

  async function lastRun(p: Pipeline, githubId: number) {
    const [run] = await listRuns(p.handle.db, githubId);
    return run;
  }

  const names = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => `${prefix}/${i}.bin`);

  it('mirrors every LFS object of two branches and the tags, then moves only new ones', async () => {
    const p = await start();
    const { record, repo, store } = source(p, 'assets');
    // 20 objects: on main, on a tag only, on a second branch only, and on a tag of a deleted branch.
    const first = await commitLfsFiles(repo, store, 'main', names('base', 8));
    await repo.tag('v1.0.0', 'main', { annotated: true });
    const more = await commitLfsFiles(repo, store, 'main', names('more', 4));
    await repo.branch('feature', first.sha);
    const feature = await commitLfsFiles(repo, store, 'feature', names('feature', 6));
    const gone = await commitLfsFiles(repo, store, 'scratch', names('archive', 2));
    await repo.tag('archived', 'scratch');
    await repo.deleteBranch('scratch');
    const all = [...first.objects, ...more.objects, ...feature.objects, ...gone.objects];
    expect(new Set(all.map((o) => o.oid)).size).toBe(20);

    expect(await sync(p, record, 'assets')).toEqual({ result: 'synced', error: undefined });
    const path = 'github/octocat/assets';
    expect(await p.onedev.lfs(path).oids()).toEqual(all.map((o) => o.oid).sort());
    expect(await p.onedev.refs(path)).toEqual(headsAndTags(await repo.refs()));
    const bytes = all.reduce((sum, o) => sum + o.size, 0);
    expect((await lastRun(p, record.id))?.lfs).toEqual({
      objects: 20,
      bytes,
      totalObjects: 20,
      totalBytes: bytes,
    });
    // The objects went up before the refs: every upload precedes the first receive-pack.
    const order = p.onedev.requests.map((r) => `${r.method} ${r.path}`);
    const firstPack = order.findIndex((r) => r.endsWith('/git-receive-pack'));
    const lastUpload = order.findLastIndex((r) => r.startsWith('PUT ') && r.includes('/lfs/'));
    expect(lastUpload).toBeGreaterThan(-1);
    expect(lastUpload).toBeLessThan(firstPack);

    // A user's clone from OneDev gets every object, intact.
    await expectCloneHasAll(p, path, all.length);

    // Two new LFS files: exactly two objects move.
    p.onedev.resetRecords();
    const added = await commitLfsFiles(repo, store, 'main', ['new/a.bin', 'new/b.bin']);
    expect((await sync(p, record, 'assets', 'push')).result).toBe('synced');
    expect(p.onedev.lfsUploads.sort()).toEqual(added.objects.map((o) => o.oid).sort());
    expect((await lastRun(p, record.id))?.lfs).toMatchObject({ objects: 2, totalObjects: 22 });
    expect(await p.onedev.lfs(path).oids()).toHaveLength(22);

    // A commit without LFS changes moves no LFS object either way.
    p.onedev.resetRecords();
    p.github.clearRequests();
    await repo.commit('main', { files: { 'README.md': 'plain\n' } });
    expect((await sync(p, record, 'assets', 'push')).result).toBe('synced');
    expect(p.onedev.lfsUploads).toEqual([]);
    expect(p.github.requests.filter((r) => r.kind === 'lfs')).toEqual([]);
    expect((await lastRun(p, record.id))?.lfs).toMatchObject({ objects: 0, totalObjects: 22 });
  });

  it('fails naming the object when GitHub lacks one, and pushes no ref ahead of it', async () => {
    const p = await start();
    const { record, repo, store } = source(p, 'broken');
    const ok = await commitLfsFiles(repo, store, 'main', ['ok.bin']);
    expect((await sync(p, record, 'broken')).result).toBe('synced');
    const before = await p.onedev.refs('github/octocat/broken');

    const bad = await commitLfsFiles(repo, store, 'main', ['lost/model.bin']);
    const lost = bad.objects[0]?.oid ?? '';
    await store.remove(lost);
    const outcome = await sync(p, record, 'broken', 'push');
    expect(outcome.result).toBe('failed');
    expect(outcome.error).toContain(lost);
    expect(outcome.error).toContain('lost/model.bin');
    expect(outcome.error).toContain('GitHub does not have 1 LFS object');
    const row = await p.mirrors.findById(record.id);
    expect(row?.lastErrorCode).toBe('lfs_missing');
    // OneDev still has the refs from before: the commit that needs the missing object never arrived.
    expect(await p.onedev.refs('github/octocat/broken')).toEqual(before);
    expect(await p.onedev.lfs('github/octocat/broken').oids()).toEqual([ok.objects[0]?.oid]);
  });

  it('fails a mirror over LFS_MAX_BYTES with the size, before downloading anything', async () => {
    const p = await start({ LFS_MAX_BYTES: '16K' });
    const { record, repo, store } = source(p, 'huge');
    await commitLfsFiles(repo, store, 'main', names('blob', 3), () => 8192);
    const outcome = await sync(p, record, 'huge');
    expect(outcome.result).toBe('failed');
    expect(outcome.error).toContain('total 24.0 KiB (24576 bytes in 3 objects)');
    expect(outcome.error).toContain('LFS_MAX_BYTES (16.0 KiB)');
    expect((await p.mirrors.findById(record.id))?.lastErrorCode).toBe('lfs_too_large');
    expect(p.github.requests.filter((r) => r.kind === 'lfs')).toEqual([]);
  });

  it("fails with OneDev's refusal when an object is over OneDev's maximum LFS file size", async () => {
    const p = await start();
    p.onedev.setLfsMaxBytes(4096);
    const { record, repo, store } = source(p, 'wide');
    const made = await commitLfsFiles(repo, store, 'main', ['wide.bin'], () => 5000);
    const outcome = await sync(p, record, 'wide');
    expect(outcome.result).toBe('failed');
    expect(outcome.error).toContain(made.objects[0]?.oid);
    expect(outcome.error).toContain('Exceeded max acceptable LFS file size 4096');
    expect((await p.mirrors.findById(record.id))?.lastErrorCode).toBe('lfs_refused');
  });

  it('mirrors refs only when MIRROR_LFS=false', async () => {
    const p = await start({ MIRROR_LFS: 'false' });
    const { record, repo, store } = source(p, 'off');
    await commitLfsFiles(repo, store, 'main', ['a.bin']);
    expect((await sync(p, record, 'off')).result).toBe('synced');
    expect(await p.onedev.lfs('github/octocat/off').oids()).toEqual([]);
    expect((await lastRun(p, record.id))?.lfs).toBeNull();
    expect(p.onedev.requests.filter((r) => r.kind === 'lfs')).toEqual([]);
  });

  it("follows a mirror's own setting over MIRROR_LFS, set through the admin API", async () => {
    const p = await start({ MIRROR_LFS: 'false' });
    const { record, repo, store } = source(p, 'chosen');
    const made = await commitLfsFiles(repo, store, 'main', ['a.bin']);
    expect((await sync(p, record, 'chosen')).result).toBe('synced');
    const path = 'github/octocat/chosen';
    expect(await p.onedev.lfs(path).oids()).toEqual([]);

    const on = await p.admin('POST', '/api/v1/mirrors/octocat/chosen/lfs', { lfs: 'on' });
    expect(on.status).toBe(200);
    expect(((await on.json()) as { lfs: string }).lfs).toBe('on');
    await commitLfsFiles(repo, store, 'main', ['b.bin']);
    expect((await sync(p, record, 'chosen', 'push')).result).toBe('synced');
    expect(await p.onedev.lfs(path).oids()).toHaveLength(2);
    expect(await p.onedev.lfs(path).oids()).toContain(made.objects[0]?.oid);

    const off = await p.admin('POST', '/api/v1/mirrors/octocat/chosen/lfs', { lfs: 'off' });
    expect(((await off.json()) as { lfs: string }).lfs).toBe('off');
    await commitLfsFiles(repo, store, 'main', ['c.bin']);
    expect((await sync(p, record, 'chosen', 'push')).result).toBe('synced');
    expect(await p.onedev.lfs(path).oids()).toHaveLength(2);
    expect((await lastRun(p, record.id))?.lfs).toBeNull();

    const bad = await p.admin('POST', '/api/v1/mirrors/octocat/chosen/lfs', { lfs: 'maybe' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('must be on, off or default');
  });

  /** `git lfs fetch --all` and `git lfs fsck` in a fresh clone from OneDev, as a user would. */
  async function expectCloneHasAll(p: Pipeline, path: string, count: number): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'starbridge-lfs-clone-'));
    temps.push(dir);
    const env = {
      GIT_LFS_SKIP_SMUDGE: '1',
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Bearer ${TOKENS.admin}`,
    };
    await git(['clone', '--quiet', `${p.onedev.url}/${path}.git`, dir], { env });
    await git(['lfs', 'install', '--local'], { cwd: dir, env });
    await git(['lfs', 'fetch', '--all', 'origin'], { cwd: dir, env });
    const listed = JSON.parse(
      await git(['lfs', 'ls-files', '--all', '--json'], { cwd: dir, env }),
    ) as { files: Array<{ oid: string; downloaded: boolean }> };
    const oids = new Set(listed.files.map((f) => f.oid));
    expect(oids.size).toBe(count);
    expect(listed.files.every((f) => f.downloaded)).toBe(true);
    for (const ref of ['refs/remotes/origin/main', 'refs/remotes/origin/feature', 'archived']) {
      await git(['lfs', 'fsck', '--objects', ref], { cwd: dir, env });
    }
  }
});
