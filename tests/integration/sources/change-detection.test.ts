import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { buildServices } from '../../../src/services.js';
import { createLogger } from '../../../src/shared/logger.js';
import { pushCommit, seedRepos } from '../../support/github-double/seed.js';
import { headsAndTags } from '../../support/pipeline.js';
import { createTestDb, DIALECTS } from '../../support/test-db.js';
import { manualClock, type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

// Change detection against the GitHub double with real git: a push is found by the star
// walk (REST, mostly 304s) or a GraphQL batch (other mirrors), and the mirror syncs.

/** GitHub's `pushed_at` has second resolution: a push must land in a later second. */
const nextSecond = () => new Promise((r) => setTimeout(r, 1_100));

describe.each(DIALECTS)('change detection on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  const detector = () => p!.sources.changes!;
  const graphqlRequests = () => p!.github.requests.filter((r) => r.kind === 'graphql');

  async function addManual(fullName: string) {
    const response = await p!.admin('POST', '/api/v1/mirrors', { repo: fullName });
    expect(response.status).toBe(201);
  }

  it('finds a push to a starred repository with one listing page and syncs it', async () => {
    p = await startSourcesPipeline({ dialect });
    const repos = await seedRepos(p.github, 'stars', ['one', 'two', 'three']);
    for (const r of repos) p.github.star('octocat', r.fullName);
    await p.sources.poller.full();
    await p.waitSynced(3);
    expect(await detector().tick()).toMatch(/stars: 3 walked, 0 changed/);
    p.github.clearRequests();
    expect(await detector().tick()).toMatch(/stars: not modified/);

    await nextSecond();
    const moved = repos[1]!;
    const sha = await pushCommit(moved);
    const synced = p.nextSync(moved.id);
    expect(await detector().tick()).toMatch(/stars: \d walked, 1 changed/);
    expect((await synced).result).toBe('synced');
    expect((await p.onedev.refs('github/stars/two'))['refs/heads/main']).toBe(sha);
    expect(await detector().tick()).toMatch(/stars: not modified/);

    const walked = p.github.requests.filter((r) => r.kind === 'rest' && r.path === '/user/starred');
    // Three conditional page-1 requests: two 304s, one page that had the push.
    expect(walked.map((r) => r.status)).toEqual([304, 200, 304]);
    expect(walked.every((r) => r.url.includes('sort=updated'))).toBe(true);
    expect(graphqlRequests()).toHaveLength(0);
    // Only the pushed mirror was asked to sync: the others' refs were never compared again.
    const gitReads = p.github.requests.filter(
      (r) => r.kind === 'git' && r.url.includes('upload-pack'),
    );
    expect(gitReads.every((r) => r.path.startsWith('/stars/two.git'))).toBe(true);
  }, 90_000);

  it('finds a push to a mirror that is not a star with a GraphQL batch', async () => {
    p = await startSourcesPipeline({ dialect });
    const [manual, quiet] = await seedRepos(p.github, 'by-hand', ['tool', 'quiet']);
    await addManual(manual!.fullName);
    await addManual(quiet!.fullName);
    await p.waitSynced(2);
    // The first round asks by name and learns the node ids; nothing moved.
    expect(await detector().tick()).toBe('graphql: 1 queries, 0 changed');
    await nextSecond();
    const sha = await pushCommit(manual!);
    const synced = p.nextSync(manual!.id);
    p.github.clearRequests();
    expect(await detector().tick()).toBe('graphql: 1 queries, 1 changed');
    expect((await synced).result).toBe('synced');
    expect((await p.onedev.refs('github/by-hand/tool'))['refs/heads/main']).toBe(sha);
    const [query] = graphqlRequests();
    expect(query?.cost).toBe(1);
    expect(p.github.requests.filter((r) => r.kind === 'rest')).toHaveLength(0);
    expect(detector().stats().hints.graphql).toBe(1);
    const scrape = await p.metrics.render();
    expect(scrape).toContain('starbridge_github_budget_spent_total{kind="graphql"} 2');
    expect(scrape).toContain('starbridge_change_hints_total{source="graphql"} 1');
    expect(scrape).toContain('starbridge_github_budget_remaining 198');
    expect(scrape).toMatch(/starbridge_github_graphql_remaining 4998/);
  }, 90_000);

  it('goes on with the rest of a batch when one repository is gone, and checks that one', async () => {
    const clock = manualClock();
    p = await startSourcesPipeline({ dialect, clock });
    const [gone, kept] = await seedRepos(p.github, 'mixed', ['gone', 'kept']);
    await addManual(gone!.fullName);
    await addManual(kept!.fullName);
    await p.waitSynced(2);
    await detector().tick();
    await p.waitSynced(2);
    p.github.deleteRepo(gone!.fullName);
    await nextSecond();
    const sha = await pushCommit(kept!);
    const synced = p.nextSync(kept!.id);
    expect(await detector().tick()).toBe('graphql: 1 queries, 1 changed');
    expect((await synced).result).toBe('synced');
    expect(headsAndTags(await p.onedev.refs('github/mixed/kept'))['refs/heads/main']).toBe(sha);
    // The missing one went to the REST check behind git's "not found": marked gone.
    await expect.poll(async () => (await p!.row(gone!.id))?.source_gone_at).not.toBeNull();
  }, 90_000);

  it('stops spending when the hour’s budget is used and resumes as it refills', async () => {
    const clock = manualClock();
    p = await startSourcesPipeline({ dialect, clock, env: { GITHUB_BUDGET_PER_HOUR: '2' } });
    const [a] = await seedRepos(p.github, 'budget', ['a']);
    await addManual(a!.fullName);
    await p.waitSynced(1);
    // A round may ask a sync (the clock began before the seed); a syncing mirror is not asked about.
    for (let round = 0; round < 2; round++) {
      expect(await detector().tick()).toMatch(/graphql: 1 queries/);
      await p.waitSynced(1);
    }
    expect(graphqlRequests()).toHaveLength(2);
    expect(await detector().tick()).toBe('graphql: 0 queries, 0 changed');
    expect(graphqlRequests()).toHaveLength(2);
    expect(detector().stats()).toMatchObject({ budgetPerHour: 2, spentLastHour: 2 });
    clock.advance(60 * 60_000);
    expect(await detector().tick()).toMatch(/graphql: 1 queries/);
    expect(graphqlRequests()).toHaveLength(3);
    expect(detector().stats().spentTotal).toEqual({ rest: 0, graphql: 3 });
  }, 90_000);

  it('waits for GitHub’s reset after a RATE_LIMIT answer', async () => {
    const clock = manualClock();
    p = await startSourcesPipeline({ dialect, clock });
    const [a] = await seedRepos(p.github, 'limited', ['a']);
    await addManual(a!.fullName);
    await p.waitSynced(1);
    p.github.setGraphqlRateLimit('octocat', { remaining: 0 });
    expect(await detector().tick()).toMatch(/rate limited/);
    expect(await detector().tick()).toMatch(/waiting for GitHub’s reset/);
    expect(graphqlRequests()).toHaveLength(1);
    p.github.setGraphqlRateLimit('octocat', { remaining: 5_000 });
    clock.advance(61 * 60_000);
    expect(await detector().tick()).toMatch(/graphql: 1 queries/);
    expect(graphqlRequests()).toHaveLength(2);
  }, 90_000);
});

describe('change detection without a token', () => {
  it('is off, and so is it with a budget of 0: the refresh alone finds changes', async () => {
    const handle = await createTestDb('sqlite');
    const quiet = createLogger({ level: 'silent' });
    try {
      const anonymous = buildServices(loadConfig({ GITHUB_STARS_USER: 'octocat' }), quiet, handle);
      expect(anonymous.sources.changes).toBeUndefined();
      expect(anonymous.sources.refresh).toBeDefined();
      const zero = loadConfig({ GITHUB_TOKEN: 'ghp_x', GITHUB_BUDGET_PER_HOUR: '0' });
      expect(buildServices(zero, quiet, handle).sources.changes).toBeUndefined();
      const on = loadConfig({ GITHUB_TOKEN: 'ghp_x' });
      expect(buildServices(on, quiet, handle).sources.changes?.stats().budgetPerHour).toBe(200);
    } finally {
      await handle.destroy();
    }
  });
});
