import { afterEach, describe, expect, it } from 'vitest';
import { listRuns } from '../../../src/sync/runs.repo.js';
import { RepoBuilder, readRefs } from '../../support/git-repos.js';
import { headsAndTags, type Pipeline, startPipeline } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';

/** A mirror's own `wiki` option over MIRROR_WIKIS, set through the admin API. */
describe.each(DIALECTS)("a mirror's wiki option on %s", (dialect) => {
  let pipeline: Pipeline | undefined;
  afterEach(async () => {
    await pipeline?.close();
    pipeline = undefined;
  });

  async function mirrored(name: string, env: Record<string, string> = {}) {
    pipeline = await startPipeline({ dialect, env });
    const p = pipeline;
    const record = p.github.addRepo({ owner: 'octocat', name, wiki: true });
    const repo = new RepoBuilder(p.github.repoPath('octocat', name));
    await repo.commit('main', { files: { 'README.md': `# ${name}\n` } });
    const first = p.nextSync(record.id);
    const added = await p.admin('POST', '/api/v1/mirrors', { repo: `octocat/${name}` });
    expect(added.status).toBe(201);
    expect((await first).result).toBe('synced');
    const wikiPath = p.github.wikiPath('octocat', name) as string;
    return { p, record, wiki: new RepoBuilder(wikiPath), wikiPath };
  }

  async function setWiki(p: Pipeline, name: string, wiki: boolean | null) {
    const res = await p.admin('POST', `/api/v1/mirrors/octocat/${name}/options`, { wiki });
    expect(res.status).toBe(200);
    return (await res.json()) as { wiki?: { value: unknown; updatedBy: string } };
  }

  /** A page saved on GitHub, and the sync its `gollum` event starts. */
  async function editWiki(p: Pipeline, id: number, name: string, wiki: RepoBuilder, page: string) {
    await wiki.commit('master', { files: { [`${page}.md`]: `# ${page}\n` } });
    const synced = p.nextSync(id);
    const gollum = withRepository(webhookExample('push'), { id, owner: 'octocat', name });
    expect((await p.deliver('gollum', gollum)).status).toBe(202);
    await synced;
  }

  it('off on the mirror (MIRROR_WIKIS on) skips its wiki; back to default follows it again', async () => {
    const { p, record, wiki, wikiPath } = await mirrored('docs');
    const child = 'github/octocat/docs/wiki';
    const before = await p.onedev.refs(child);
    expect(before).toEqual(headsAndTags(await readRefs(wikiPath)));

    expect((await setWiki(p, 'docs', false)).wiki).toMatchObject({
      value: false,
      updatedBy: 'admin API',
    });
    await editWiki(p, record.id, 'docs', wiki, 'Skipped');
    expect(await p.onedev.refs(child)).toEqual(before);
    const [skipped] = await listRuns(p.handle.db, record.id);
    expect(skipped?.refs.some((r) => r.ref.startsWith('wiki:'))).toBe(false);

    expect((await setWiki(p, 'docs', null)).wiki).toBeUndefined();
    await editWiki(p, record.id, 'docs', wiki, 'Followed');
    expect(await p.onedev.refs(child)).toEqual(headsAndTags(await readRefs(wikiPath)));
    expect(await p.onedev.refs(child)).not.toEqual(before);
  });

  it('on on the mirror (MIRROR_WIKIS=false) follows its wiki', async () => {
    const { p, record, wiki, wikiPath } = await mirrored('chosen', { MIRROR_WIKIS: 'false' });
    const child = 'github/octocat/chosen/wiki';
    expect(p.onedev.projectByPath(child)).toBeUndefined();

    await setWiki(p, 'chosen', true);
    await editWiki(p, record.id, 'chosen', wiki, 'Setup');
    expect(p.onedev.projectByPath(child)).toBeDefined();
    expect(await p.onedev.refs(child)).toEqual(headsAndTags(await readRefs(wikiPath)));
  });
});
