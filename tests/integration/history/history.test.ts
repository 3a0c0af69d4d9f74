import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/shared/clock.js';
import { git, makeTempDir, RepoBuilder, removeTempDir } from '../../support/git-repos.js';
import { headsAndTags, type Pipeline, startPipeline } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { cookieHeader, PASSWORD, signIn } from '../dashboard/dashboard-kit.js';

const PATH = 'github/octocat/kept';
const HISTORY = 'refs/starbridge/history/';

/** A clock tests move by hand: retention is days, not seconds. */
function manualClock(start = Date.now()): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => new Date(now), advance: (ms) => (now += ms) };
}

describe.each(DIALECTS)('history protection on %s', (dialect) => {
  let pipeline: Pipeline | undefined;
  afterEach(async () => {
    await pipeline?.close();
    pipeline = undefined;
  });

  async function mirrored(clock: Clock, env: Record<string, string> = {}) {
    pipeline = await startPipeline({
      dialect,
      clock,
      env: { HISTORY_KEEP: '30d', DASHBOARD_PASSWORD: PASSWORD, ...env },
    });
    const p = pipeline;
    const record = p.github.addRepo({ owner: 'octocat', name: 'kept', defaultBranch: 'main' });
    const repo = new RepoBuilder(p.github.repoPath('octocat', 'kept'));
    await repo.commit('main', { files: { 'README.md': '# kept\n' } });
    await repo.commit('main', { files: { 'a.txt': 'a\n' } });
    await repo.branch('feature', 'main');
    await repo.commit('feature', { files: { 'f.txt': 'f\n' } });
    await repo.tag('v1', 'main');
    const first = p.nextSync(record.id);
    expect((await p.admin('POST', '/api/v1/mirrors', { repo: 'octocat/kept' })).status).toBe(201);
    expect(await first).toEqual({ result: 'synced', error: undefined });
    return { p, record, repo };
  }

  async function sync(p: Pipeline, githubId: number): Promise<void> {
    const done = p.nextSync(githubId);
    await p.mirrors.syncById(githubId);
    expect(await done).toEqual({ result: 'synced', error: undefined });
  }

  /** Fetches a ref from OneDev into a fresh repository, as a user would; returns its object id. */
  async function fetchBack(p: Pipeline, ref: string): Promise<string> {
    const dir = await makeTempDir('history-fetch-');
    try {
      await git(['init', '--bare', '--quiet', dir]);
      const url = `${p.onedev.url}/${PATH}.git`;
      const auth = `Authorization: Basic ${Buffer.from(`any:${p.config.onedev?.token}`).toString('base64')}`;
      await git(['-c', `http.extraHeader=${auth}`, 'fetch', '--quiet', url, ref], { cwd: dir });
      return (await git(['rev-parse', 'FETCH_HEAD'], { cwd: dir })).trim();
    } finally {
      await removeTempDir(dir);
    }
  }

  it('keeps force-pushed, deleted and moved tips under the history namespace, lists them, and expires them', async () => {
    const clock = manualClock();
    const { p, record, repo } = await mirrored(clock);
    const oldMain = await repo.resolve('refs/heads/main');
    const oldFeature = await repo.resolve('refs/heads/feature');
    const oldTag = await repo.resolve('refs/tags/v1');
    const notices: Array<{ kind: string; message: string }> = [];
    p.services.sources.events.on('notice', (notice) => notices.push(notice));

    const forced = await repo.forcePush('main');
    expect(forced.old).toBe(oldMain);
    await repo.deleteBranch('feature');
    await repo.deleteTag('v1');
    await repo.tag('v1', 'main');
    await sync(p, record.id);

    // One notification, for the default branch only (the deleted branch and moved tag are listed).
    expect(notices.filter((n) => n.kind === 'history:force-push')).toHaveLength(1);
    expect(notices[0]?.message).toContain('octocat/kept: main was force-pushed');

    // OneDev follows exactly: heads and tags equal GitHub's.
    const onedevRefs = await p.onedev.refs(PATH);
    expect(headsAndTags(onedevRefs)).toEqual(headsAndTags(await repo.refs()));
    // And each overwritten tip is kept, and fetchable from OneDev.
    const kept = Object.entries(onedevRefs).filter(([ref]) => ref.startsWith(HISTORY));
    expect(kept.map(([ref, sha]) => [ref.replace(/\/\d{8}T\d{6}Z$/, ''), sha]).sort()).toEqual([
      [`${HISTORY}heads/feature`, oldFeature],
      [`${HISTORY}heads/main`, oldMain],
      [`${HISTORY}tags/v1`, oldTag],
    ]);

    const answer = await p.admin('GET', '/api/v1/mirrors/octocat/kept/history');
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as {
      keep: string;
      history: Array<{
        ref: string;
        oldSha: string;
        newSha: string | null;
        reason: string;
        keptRef: string;
        fetchCommand: string;
        location: string;
      }>;
    };
    expect(body.keep).toBe('30d');
    const byRef = Object.fromEntries(body.history.map((h) => [h.ref, h]));
    expect(byRef['refs/heads/main']).toMatchObject({
      reason: 'force-push',
      oldSha: oldMain,
      newSha: forced.new,
      location: 'ref',
    });
    expect(byRef['refs/heads/feature']).toMatchObject({
      reason: 'deleted',
      oldSha: oldFeature,
      newSha: null,
    });
    expect(byRef['refs/tags/v1']).toMatchObject({ reason: 'tag-moved', oldSha: oldTag });
    for (const entry of body.history) {
      expect(entry.fetchCommand).toBe(`git fetch ${p.onedev.url}/${PATH}.git ${entry.keptRef}`);
      expect(entry.fetchCommand).not.toContain(p.config.onedev?.token);
      expect(await fetchBack(p, entry.keptRef)).toBe(entry.oldSha);
    }

    // The mirror's page lists them with the command too.
    const { cookies } = await signIn(p.app);
    const page = await p.app.request('http://localhost/dashboard/mirrors/octocat/kept', {
      headers: { cookie: cookieHeader(cookies) },
    });
    const html = await page.text();
    expect(html).toContain('Kept history');
    for (const entry of body.history) expect(html).toContain(entry.fetchCommand);
    expect(html).toContain('force-pushed');

    // Verification compares heads and tags only: a further sync is unchanged, not a mismatch.
    await repo.commit('main', { files: { 'b.txt': 'b\n' } });
    await sync(p, record.id);
    expect(headsAndTags(await p.onedev.refs(PATH))).toEqual(headsAndTags(await repo.refs()));

    // Retention: nothing before HISTORY_KEEP; everything after it, in OneDev and in the table.
    expect(await p.services.history.service.expire()).toBe(0);
    clock.advance(31 * 86_400_000);
    expect(await p.services.history.service.expire()).toBe(3);
    const after = await p.onedev.refs(PATH);
    expect(Object.keys(after).filter((ref) => ref.startsWith(HISTORY))).toEqual([]);
    expect(headsAndTags(after)).toEqual(headsAndTags(await repo.refs()));
    const listed = await (await p.admin('GET', '/api/v1/mirrors/octocat/kept/history')).json();
    expect(listed).toMatchObject({ history: [] });
  });

  it('a fast-forward keeps nothing', async () => {
    const { p, record, repo } = await mirrored(manualClock());
    await repo.commit('main', { files: { 'c.txt': 'c\n' } });
    await repo.commit('feature', { files: { 'g.txt': 'g\n' } });
    await sync(p, record.id);
    const refs = Object.keys(await p.onedev.refs(PATH));
    expect(refs.filter((ref) => ref.startsWith(HISTORY))).toEqual([]);
  });

  it('falls back to a bundle in DATA_DIR when OneDev refuses the history namespace', async () => {
    const clock = manualClock();
    const { p, record, repo } = await mirrored(clock);
    const oldMain = await repo.resolve('refs/heads/main');
    p.onedev.refuseRefsUnder('refs/starbridge/');
    await repo.forcePush('main');
    await sync(p, record.id);

    const onedevRefs = await p.onedev.refs(PATH);
    expect(onedevRefs).toEqual(headsAndTags(await repo.refs()));
    const body = (await (await p.admin('GET', '/api/v1/mirrors/octocat/kept/history')).json()) as {
      history: Array<{
        ref: string;
        location: string;
        bundlePath: string;
        keptRef: string;
        fetchCommand: string;
      }>;
    };
    expect(body.history).toHaveLength(1);
    const [entry] = body.history;
    expect(entry).toMatchObject({ ref: 'refs/heads/main', location: 'bundle' });
    expect(entry?.bundlePath.startsWith(p.dataDir)).toBe(true);
    expect(entry?.fetchCommand).toBe(`git fetch ${entry?.bundlePath} ${entry?.keptRef}`);
    const listed = await git(['bundle', 'list-heads', entry!.bundlePath]);
    expect(listed).toContain(oldMain);

    clock.advance(31 * 86_400_000);
    expect(await p.services.history.service.expire()).toBe(1);
    expect(existsSync(entry!.bundlePath)).toBe(false);
  });
});
