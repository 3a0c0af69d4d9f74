import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { mirrorCacheDir } from '../../../src/git/git-cache.js';
import { generateLargeRepo, RepoBuilder, readRefs } from '../../support/git-repos.js';
import { headsAndTags, type Pipeline, startPipeline } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';

describe.each(DIALECTS)('a mirror whose cache is gone, on %s', (dialect) => {
  let pipeline: Pipeline | undefined;
  afterEach(async () => {
    await pipeline?.close();
    pipeline = undefined;
  });

  it('fills the cache from its OneDev project, then fetches only the new commit from GitHub', async () => {
    const p = await startPipeline({ dialect });
    pipeline = p;
    const record = p.github.addRepo({ owner: 'octocat', name: 'heavy', defaultBranch: 'main' });
    const source = p.github.repoPath('octocat', 'heavy');
    await generateLargeRepo(source, { commits: 400, branches: 3, tags: 5, bytesPerCommit: 8_000 });
    const watch = withRepository(webhookExample('watch', 'started'), {
      id: record.id,
      owner: 'octocat',
      name: 'heavy',
    });

    const first = p.nextSync(record.id);
    expect((await p.deliver('watch', watch)).status).toBe(202);
    expect((await first).result).toBe('synced');
    const fullClone = p.github.gitBytesServed();

    // A new replica, or a lost DATA_DIR: the cache is not there any more.
    rmSync(mirrorCacheDir(p.dataDir, record.id), { recursive: true, force: true });
    await new RepoBuilder(source).commit('main', { files: { 'NEWS.md': 'one more change\n' } });
    p.github.clearRequests();
    const onedevBefore = p.onedev.requests.length;

    const second = p.nextSync(record.id);
    const push = withRepository(webhookExample('push'), {
      id: record.id,
      owner: 'octocat',
      name: 'heavy',
    });
    expect((await p.deliver('push', push)).status).toBe(202);
    expect((await second).result).toBe('synced');

    // The cache came from OneDev (an upload-pack there), and GitHub sent a small part of a
    // full clone: the new commit and the ref advertisement.
    const fromOneDev = p.onedev.requests
      .slice(onedevBefore)
      .filter((r) => r.path.endsWith('/git-upload-pack'));
    expect(fromOneDev.length).toBeGreaterThan(0);
    const fromGitHub = p.github.gitBytesServed();
    expect(fromGitHub).toBeLessThan(fullClone * 0.05);
    expect(await p.onedev.refs('github/octocat/heavy')).toEqual(
      headsAndTags(await readRefs(source)),
    );
  }, 120_000);

  it('falls back to GitHub when the OneDev project cannot be read', async () => {
    const p = await startPipeline({ dialect });
    pipeline = p;
    const record = p.github.addRepo({ owner: 'octocat', name: 'lost', defaultBranch: 'main' });
    const source = p.github.repoPath('octocat', 'lost');
    await new RepoBuilder(source).commit('main', { files: { 'README.md': '# lost\n' } });
    const watch = withRepository(webhookExample('watch', 'started'), {
      id: record.id,
      owner: 'octocat',
      name: 'lost',
    });
    const first = p.nextSync(record.id);
    expect((await p.deliver('watch', watch)).status).toBe(202);
    expect((await first).result).toBe('synced');

    rmSync(mirrorCacheDir(p.dataDir, record.id), { recursive: true, force: true });
    await new RepoBuilder(source).commit('main', { files: { 'NEWS.md': 'more\n' } });
    // The first git request of the sync to OneDev is the seed's: it fails, and the sync must
    // fill the cache from GitHub instead (later OneDev requests — push, verify — succeed).
    const before = p.onedev.requests.length;
    p.onedev.faults.serverError({
      scope: 'git',
      times: 1,
      match: (r) => r.query === '?service=git-upload-pack',
    });
    const second = p.nextSync(record.id);
    const push = withRepository(webhookExample('push'), {
      id: record.id,
      owner: 'octocat',
      name: 'lost',
    });
    expect((await p.deliver('push', push)).status).toBe(202);
    expect((await second).result).toBe('synced');
    const failedSeed = p.onedev.requests.slice(before).find((r) => r.status === 500);
    expect(failedSeed?.query).toBe('?service=git-upload-pack');
    expect(await p.onedev.refs('github/octocat/lost')).toEqual(
      headsAndTags(await readRefs(source)),
    );
  }, 60_000);
});
