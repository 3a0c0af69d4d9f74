import { afterEach, describe, expect, it } from 'vitest';
import { generateLargeRepo, RepoBuilder } from '../../support/git-repos.js';
import { type Pipeline, startPipeline } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';

describe.each(DIALECTS)('bytes a sync moved, on %s', (dialect) => {
  let pipeline: Pipeline | undefined;
  afterEach(async () => {
    await pipeline?.close();
    pipeline = undefined;
  });

  async function runsOf(p: Pipeline, githubId: number) {
    return p.handle.db
      .selectFrom('sync_runs')
      .select(['result', 'bytes_fetched', 'bytes_pushed'])
      .where('github_id', '=', githubId)
      .orderBy('started_at', 'asc')
      .execute();
  }

  it('records the pack bytes fetched from GitHub (as GitHub served them) and pushed to OneDev', async () => {
    const p = await startPipeline({ dialect });
    pipeline = p;
    const record = p.github.addRepo({ owner: 'octocat', name: 'sized', defaultBranch: 'main' });
    const source = p.github.repoPath('octocat', 'sized');
    await generateLargeRepo(source, { commits: 60, branches: 2, tags: 2, bytesPerCommit: 6_000 });
    const repo = { id: record.id, owner: 'octocat', name: 'sized' };

    const first = p.nextSync(record.id);
    expect(
      (await p.deliver('watch', withRepository(webhookExample('watch', 'started'), repo))).status,
    ).toBe(202);
    expect((await first).result).toBe('synced');
    const served = p.github.gitBytesServed();
    const [clone] = await runsOf(p, record.id);
    const fetched = Number(clone?.bytes_fetched);
    const pushed = Number(clone?.bytes_pushed);
    // GitHub's answer is the pack plus the ref advertisement and the protocol's framing: the
    // pack is nearly all of it for a repository of this size.
    expect(fetched).toBeGreaterThan(served * 0.9);
    expect(fetched).toBeLessThanOrEqual(served);
    // The same objects went on to OneDev, packed again by the cache's git.
    expect(pushed).toBeGreaterThan(fetched * 0.8);
    expect(pushed).toBeLessThan(fetched * 1.2);

    // One small commit: only its objects travel, both ways.
    p.github.clearRequests();
    await new RepoBuilder(source).commit('main', { files: { 'NEWS.md': 'one more change\n' } });
    const second = p.nextSync(record.id);
    expect((await p.deliver('push', withRepository(webhookExample('push'), repo))).status).toBe(
      202,
    );
    expect((await second).result).toBe('synced');
    const update = (await runsOf(p, record.id))[1];
    const small = Number(update?.bytes_fetched);
    expect(small).toBeGreaterThan(0);
    expect(small).toBeLessThan(p.github.gitBytesServed());
    expect(small).toBeLessThan(fetched / 20);
    expect(Number(update?.bytes_pushed)).toBeGreaterThan(0);
    expect(Number(update?.bytes_pushed)).toBeLessThan(pushed / 20);
  }, 120_000);

  it('counts a pack too small for git to show its size', async () => {
    const p = await startPipeline({ dialect });
    pipeline = p;
    const record = p.github.addRepo({ owner: 'octocat', name: 'tiny', defaultBranch: 'main' });
    await new RepoBuilder(p.github.repoPath('octocat', 'tiny')).commit('main', {
      files: { 'README.md': '# tiny\n' },
    });
    const repo = { id: record.id, owner: 'octocat', name: 'tiny' };
    const first = p.nextSync(record.id);
    const watch = withRepository(webhookExample('watch', 'started'), repo);
    expect((await p.deliver('watch', watch)).status).toBe(202);
    expect((await first).result).toBe('synced');
    const [run] = await runsOf(p, record.id);
    expect(Number(run?.bytes_fetched)).toBeGreaterThan(100);
    expect(Number(run?.bytes_fetched)).toBeLessThan(p.github.gitBytesServed());
    expect(Number(run?.bytes_pushed)).toBeGreaterThan(100);
  }, 60_000);
});
