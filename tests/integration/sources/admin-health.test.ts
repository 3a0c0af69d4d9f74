import { afterEach, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../../src/admin/admin.routes.js';
import { createGitHubClient } from '../../../src/github/github.client.js';
import { createHealthService } from '../../../src/health/health.service.js';
import { createApp } from '../../../src/http/app.js';
import { createLogger } from '../../../src/shared/logger.js';
import { seedRepos } from '../../support/github-double/seed.js';
import { GITHUB_TOKEN } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

const ADMIN = 'admin-token-for-sources';

describe.each(DIALECTS)('admin API and /health for the GitHub sources on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  function app(pipeline: SourcesPipeline) {
    const admin = adminRoutes({
      token: ADMIN,
      handle: pipeline.handle,
      mirrors: pipeline.mirrors,
      github: createGitHubClient({ apiUrl: pipeline.github.url }),
      sources: pipeline.sources,
    });
    const health = createHealthService({
      db: pipeline.handle,
      dataDir: pipeline.dataDir,
      probes: [pipeline.sources.healthProbe],
    });
    return createApp({ log: createLogger({ level: 'silent' }), health, routes: [admin] });
  }
  const auth = { authorization: `Bearer ${ADMIN}` };

  it('POST /api/v1/reconcile?dryRun=true shows the plan and changes nothing; then it runs', async () => {
    p = await startSourcesPipeline({ dialect });
    await p.worker.stop(1_000);
    const [a, b] = await seedRepos(p.github, 'plan', ['a', 'b']);
    p.github.star('octocat', a!.fullName);
    p.github.star('octocat', b!.fullName);
    await p.sources.poller.full();
    const [c] = await seedRepos(p.github, 'plan', ['c']);
    p.github.star('octocat', c!.fullName);
    p.github.unstar('octocat', a!.fullName);
    const hono = app(p);

    const dry = await hono.request('/api/v1/reconcile?dryRun=true', {
      method: 'POST',
      headers: auth,
    });
    expect(dry.status).toBe(200);
    expect(await dry.json()).toMatchObject({
      dryRun: true,
      plan: {
        toAdd: [{ fullName: 'plan/c' }],
        toUnstar: [{ fullName: 'plan/a' }],
        unchanged: 1,
        removalsConsidered: true,
      },
    });
    expect(await p.row(c!.id)).toBeUndefined();

    const run = await hono.request('/api/v1/reconcile', { method: 'POST', headers: auth });
    expect(run.status).toBe(202);
    expect(await run.json()).toMatchObject({ dryRun: false, result: '1 added, 1 released' });
    const mirror = await hono.request('/api/v1/mirrors/plan/a', { headers: auth });
    expect(await mirror.json()).toMatchObject({
      source: 'star',
      starred: false,
      status: 'paused',
      pausedReason: expect.stringMatching(/unstarred/),
      archived: false,
    });
    const sources = await hono.request('/api/v1/sources', { headers: auth });
    expect(await sources.json()).toMatchObject({
      starsPoll: { enabled: true, user: 'octocat', lastResult: '1 added, 1 released' },
      app: { enabled: false, installations: 0 },
    });
  });

  it('/health reports the GitHub rate limit and warns ahead of the token expiry', async () => {
    p = await startSourcesPipeline({ dialect });
    await p.worker.stop(1_000);
    p.github.setTokenExpiration(GITHUB_TOKEN, new Date(Date.now() + 2 * 86_400_000));
    await p.sources.poller.quick();
    const health = (await (await app(p).request('/health')).json()) as {
      components: Record<string, unknown>;
    };
    expect(health.components.github).toMatchObject({
      status: 'degraded',
      rateLimit: { limit: 5000, remaining: expect.any(Number) },
      tokenExpiresAt: expect.any(String),
    });
    expect(p.alerts.map((a) => a.kind)).toEqual(['github_token_expiring']);
  });
});
