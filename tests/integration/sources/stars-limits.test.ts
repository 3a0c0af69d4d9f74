import { afterEach, describe, expect, it } from 'vitest';
import { seedRepos } from '../../support/github-double/seed.js';
import { DIALECTS } from '../../support/test-db.js';
import { type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

const at = (i: number) => new Date(Date.parse('2024-01-01T00:00:00Z') + i * 60_000);

describe.each(DIALECTS)('stars poller limits on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  it('waits out a primary limit (x-ratelimit-remaining: 0) until its reset; a far reset fails the run', async () => {
    p = await startSourcesPipeline({ dialect });
    await p.worker.stop(1_000);
    const [a, b] = await seedRepos(p.github, 'quota', ['a', 'b']);
    p.github.star('octocat', a!.fullName, at(0));
    // The window resets in 2 s; the next answer is a primary limit.
    p.github.setRateLimit('octocat', { reset: Math.floor(Date.now() / 1000) + 2 });
    p.github.faults.primaryRateLimit(1);
    const started = Date.now();
    expect(await p.sources.poller.full()).toBe('1 added');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const limited = p.github.requests.find((r) => r.fault === 'primary');
    expect(limited).toMatchObject({ status: 403 });
    expect(p.github.requests.indexOf(limited!)).toBeLessThan(p.github.requests.length - 1);

    // A reset an hour away is not sat out: the run fails, nothing is unstarred.
    p.github.unstar('octocat', a!.fullName);
    p.github.star('octocat', b!.fullName, at(1));
    p.github.setRateLimit('octocat', { reset: Math.floor(Date.now() / 1000) + 3_600 });
    p.github.faults.primaryRateLimit(1);
    expect(await p.sources.poller.full()).toMatch(/^failed: HTTP 403/);
    expect(await p.row(a!.id)).toMatchObject({ starred: 1 });
    expect(await p.row(b!.id)).toBeUndefined();
    expect((await p.sources.status()).rateLimit).toMatchObject({ remaining: 0 });
  });

  it('STARS_MAX_NEW_PER_RUN: the rest waits, and the ETag is held back until every new star is in', async () => {
    p = await startSourcesPipeline({ dialect, env: { STARS_MAX_NEW_PER_RUN: '2' } });
    await p.worker.stop(1_000);
    const repos = await seedRepos(p.github, 'capped', ['a', 'b', 'c', 'd', 'e']);
    p.github.star('octocat', repos[0]!.fullName, at(0));
    expect(await p.sources.poller.full()).toBe('1 added');
    const etag = (await p.sources.poller.state()).etag;
    for (const [i, r] of repos.slice(1).entries()) p.github.star('octocat', r.fullName, at(i + 1));

    p.github.clearRequests();
    expect(await p.sources.poller.quick()).toBe('2 added, 2 deferred');
    expect((await p.sources.poller.state()).etag).toBe(etag);
    // Held back: the next poll sends the old ETag, gets a 200 and takes the rest.
    expect(await p.sources.poller.quick()).toBe('2 added');
    expect(p.github.requests.map((r) => r.status)).toEqual([200, 200]);
    expect((await p.sources.poller.state()).etag).not.toBe(etag);
    expect(await p.sources.poller.quick()).toBe('not modified');
    expect((await p.mirrors.summary(0)).counts).toEqual({ queued: 5 });
  });
});
