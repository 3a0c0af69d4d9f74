import { afterEach, describe, expect, it } from 'vitest';
import type { AnswerShape } from '../../support/github-double/limits.js';
import { seedRepos } from '../../support/github-double/seed.js';
import { DIALECTS } from '../../support/test-db.js';
import { type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

const at = (i: number) => new Date(Date.parse('2024-01-01T00:00:00Z') + i * 60_000);
const LIST = '/users/stargazer/starred';
const page = (n: number) => (url: string) =>
  url.startsWith(LIST) && new URL(url, 'http://x').searchParams.get('page') === String(n);
const firstPage = (url: string) =>
  url.startsWith(LIST) && !new URL(url, 'http://x').searchParams.has('page');
const withoutRel = (rel: string) => (a: AnswerShape) => ({
  ...a,
  headers: {
    ...a.headers,
    link: String(a.headers?.link ?? '')
      .split(', ')
      .filter((part) => !part.endsWith(`rel="${rel}"`))
      .join(', '),
  },
});

describe.each(DIALECTS)('a failed, empty or partial star listing on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  it('never unstars anything; a complete listing then does', async () => {
    // Someone else's stars (GITHUB_STARS_USER is not the token's user): GET /users/{user}/starred,
    // public stars only, and no per-repository confirmation to hide a bad listing.
    p = await startSourcesPipeline({ dialect, env: { GITHUB_STARS_USER: 'stargazer' } });
    await p.worker.stop(1_000);
    const repos = await seedRepos(
      p.github,
      'wide',
      Array.from({ length: 250 }, (_, i) => `r${i}`),
    );
    for (const [i, r] of repos.entries()) p.github.star('stargazer', r.fullName, at(i));
    const [privateRepo] = await seedRepos(p.github, 'wide', ['secret'], { private: true });
    p.github.star('stargazer', privateRepo!.fullName, at(999));
    expect(await p.sources.poller.full()).toBe('250 added');
    expect(p.github.requests.filter((r) => r.path === LIST)).toHaveLength(3);
    expect(p.github.requests.some((r) => r.path === '/user/starred')).toBe(false);
    expect(await p.row(privateRepo!.id)).toBeUndefined();

    // The oldest star (last page) goes: only a complete listing may release it.
    const oldest = repos[0]!;
    p.github.unstar('stargazer', oldest.fullName);
    const released = async () =>
      (
        await p!.handle.db
          .selectFrom('mirrors')
          .select('github_id')
          .where('starred', '=', 0)
          .execute()
      ).length;

    // Page 2 fails.
    p.github.faults.serverError(1, { match: page(2) });
    expect(await p.sources.poller.full()).toMatch(/^failed: HTTP 502/);
    // Page 2 says nothing about a next page although page 1 promised three (rel="last").
    p.github.faults.alterAnswer(1, withoutRel('next'), { match: page(2) });
    expect(await p.sources.poller.full()).toMatch(/^no change/);
    // Page 2 comes back short (50 of 100) before the last page.
    p.github.faults.alterAnswer(1, (a) => ({ ...a, body: (a.body as unknown[]).slice(0, 50) }), {
      match: page(2),
    });
    expect(await p.sources.poller.full()).toMatch(/^no change/);
    // Page 1 is empty, with no Link at all.
    p.github.faults.alterAnswer(1, (a) => ({ ...a, body: [], headers: {} }), {
      match: firstPage,
    });
    expect(await p.sources.poller.full()).toMatch(/^no change/);
    const dry = await p.sources.reconcile({ dryRun: true });
    expect(dry.plan?.toUnstar).toEqual([{ githubId: oldest.id, fullName: oldest.fullName }]);
    expect(await released()).toBe(0);
    expect(await p.row(oldest.id)).toMatchObject({ starred: 1, unstarred_at: null });

    // The whole list, consistent: now the unstar is applied, and only it.
    expect(await p.sources.poller.full()).toBe('1 released');
    expect(await released()).toBe(1);
    expect(await p.row(oldest.id)).toMatchObject({ starred: 0, status: 'paused' });
  }, 180_000);
});
