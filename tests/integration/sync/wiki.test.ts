import { afterEach, describe, expect, it } from 'vitest';
import { listRuns } from '../../../src/sync/runs.repo.js';
import { RepoBuilder, readRefs } from '../../support/git-repos.js';
import { headsAndTags, type Pipeline, startPipeline } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';
import { cookieHeader, PASSWORD, signIn } from '../dashboard/dashboard-kit.js';

describe.each(DIALECTS)('GitHub wikis on %s', (dialect) => {
  let pipeline: Pipeline | undefined;
  afterEach(async () => {
    await pipeline?.close();
    pipeline = undefined;
  });

  async function mirrored(name: string, options: { wiki: boolean; env?: Record<string, string> }) {
    pipeline = await startPipeline({
      dialect,
      env: { DASHBOARD_PASSWORD: PASSWORD, ...options.env },
    });
    const p = pipeline;
    const record = p.github.addRepo({ owner: 'octocat', name, wiki: options.wiki });
    const repo = new RepoBuilder(p.github.repoPath('octocat', name));
    await repo.commit('main', { files: { 'README.md': `# ${name}\n` } });
    const first = p.nextSync(record.id);
    expect((await p.admin('POST', '/api/v1/mirrors', { repo: `octocat/${name}` })).status).toBe(
      201,
    );
    expect(await first).toEqual({ result: 'synced', error: undefined });
    return { p, record, repo };
  }

  const wikiRow = (p: Pipeline, githubId: number) =>
    p.handle.db
      .selectFrom('mirror_wikis')
      .selectAll()
      .where('github_id', '=', githubId)
      .executeTakeFirst();

  it('mirrors a wiki into the child project <project>/wiki with equal refs, and follows an edit', async () => {
    const { p, record } = await mirrored('docs', { wiki: true });
    const wikiPath = p.github.wikiPath('octocat', 'docs') as string;
    const child = 'github/octocat/docs/wiki';
    expect(p.onedev.projectByPath(child)).toBeDefined();
    expect(await p.onedev.refs(child)).toEqual(headsAndTags(await readRefs(wikiPath)));
    expect(await p.onedev.defaultBranch(child)).toBe('master');
    const row = await wikiRow(p, record.id);
    expect(row).toMatchObject({ status: 'synced', onedev_path: child, last_error: null });
    expect(row?.last_synced_at).not.toBeNull();

    // An edit on GitHub (the `gollum` event) is followed.
    const wiki = new RepoBuilder(wikiPath);
    await wiki.commit('master', { files: { 'Setup.md': '# Setup\n' } });
    const edited = p.nextSync(record.id);
    const gollum = withRepository(webhookExample('push'), {
      id: record.id,
      owner: 'octocat',
      name: 'docs',
    });
    expect((await p.deliver('gollum', gollum)).status).toBe(202);
    expect((await edited).result).toBe('unchanged');
    expect(await p.onedev.refs(child)).toEqual(headsAndTags(await readRefs(wikiPath)));
    const [run] = await listRuns(p.handle.db, record.id);
    expect(run?.refs).toEqual([
      expect.objectContaining({ ref: 'wiki:refs/heads/master', kind: 'updated' }),
    ]);

    // The API shows it, with its own freshness.
    const mirror = (await (await p.admin('GET', '/api/v1/mirrors/octocat/docs')).json()) as {
      wiki: {
        status: string;
        onedevPath: string;
        lastSyncedAt: string | null;
        lastError: string | null;
      };
    };
    expect(mirror.wiki).toMatchObject({ status: 'synced', onedevPath: child, lastError: null });
    expect(mirror.wiki.lastSyncedAt).toBe((await wikiRow(p, record.id))?.last_synced_at);
    const { cookies } = await signIn(p.app);
    const page = await p.app.request('http://localhost/dashboard/mirrors/octocat/docs', {
      headers: { cookie: cookieHeader(cookies) },
    });
    expect(await page.text()).toContain(child);
  });

  it('a repository without a wiki git repository: no error, no project', async () => {
    const { p, record } = await mirrored('plain', { wiki: false });
    expect(p.onedev.projectByPath('github/octocat/plain')).toBeDefined();
    expect(p.onedev.projectByPath('github/octocat/plain/wiki')).toBeUndefined();
    expect(await wikiRow(p, record.id)).toMatchObject({
      status: 'absent',
      last_error: null,
      onedev_path: null,
    });
    const mirror = await (await p.admin('GET', '/api/v1/mirrors/octocat/plain')).json();
    expect(mirror).toMatchObject({ status: 'synced', lastError: null, wiki: { status: 'absent' } });
  });

  it('an absent wiki is looked for again after a wiki webhook, not on every sync', async () => {
    const { p, record, repo } = await mirrored('later', { wiki: false });
    expect(await wikiRow(p, record.id)).toMatchObject({ status: 'absent' });
    p.github.addWiki('octocat/later');

    // A push: the wiki was absent less than a day ago, so GitHub is not asked again.
    await repo.commit('main', { files: { 'b.txt': 'b\n' } });
    p.github.clearRequests();
    const pushed = p.nextSync(record.id);
    await p.mirrors.syncById(record.id);
    expect((await pushed).result).toBe('synced');
    expect(p.github.requests.some((r) => r.url.includes('.wiki.git'))).toBe(false);
    expect(p.onedev.projectByPath('github/octocat/later/wiki')).toBeUndefined();

    // GitHub's `gollum` event (a page was saved) makes the next sync look.
    const edited = p.nextSync(record.id);
    const gollum = withRepository(webhookExample('push'), {
      id: record.id,
      owner: 'octocat',
      name: 'later',
    });
    expect((await p.deliver('gollum', gollum)).status).toBe(202);
    await edited;
    const child = 'github/octocat/later/wiki';
    const wikiPath = p.github.wikiPath('octocat', 'later') as string;
    expect(await p.onedev.refs(child)).toEqual(headsAndTags(await readRefs(wikiPath)));
    expect(await wikiRow(p, record.id)).toMatchObject({ status: 'synced', onedev_path: child });
  });

  it('MIRROR_WIKIS=false leaves wikis alone', async () => {
    const { p, record } = await mirrored('quiet', { wiki: true, env: { MIRROR_WIKIS: 'false' } });
    expect(p.onedev.projectByPath('github/octocat/quiet/wiki')).toBeUndefined();
    expect(await wikiRow(p, record.id)).toBeUndefined();
  });
});
