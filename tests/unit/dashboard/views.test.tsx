/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { describe, expect, it } from 'vitest';
import { MirrorDetailPage } from '../../../src/dashboard/pages/mirror-detail.js';
import { FreshnessView } from '../../../src/dashboard/pages/mirror-parts.js';
import { MirrorsPage } from '../../../src/dashboard/pages/mirrors.js';
import { OverviewPage } from '../../../src/dashboard/pages/overview.js';
import { LoginPage } from '../../../src/dashboard/pages/simple.js';
import { renderDocument } from '../../../src/dashboard/render.js';
import {
  CSRF,
  EVIL,
  expectSafe,
  failedMirror,
  mirror,
  mixedContainersRun,
  NOW,
  run,
  runningRun,
} from './fixtures.js';

const common = { now: NOW, csrf: CSRF, flash: null };

const health = {
  status: 'degraded' as const,
  components: {
    database: { status: 'ok' as const },
    github: { status: 'down' as const, message: EVIL },
    onedev: { status: 'ok' as const },
  },
};

describe('dashboard views', () => {
  it('overview: counts, schedule, health and failures', async () => {
    const sources = {
      starsPoll: {
        enabled: true,
        lastAt: '2024-05-01T11:55:00.000Z',
        lastResult: 'ok',
        nextAt: '2024-05-01T12:05:00.000Z',
      },
      refresh: { lastAt: null, nextAt: '2024-05-01T13:00:00.000Z' },
      rateLimit: { limit: 5000, remaining: 4990, resetAt: '2024-05-01T12:30:00.000Z' },
      app: { enabled: false, installations: 0 },
    };
    const html = await renderDocument(
      <OverviewPage
        {...common}
        counts={{ synced: 4, failed: 1 }}
        failures={[failedMirror]}
        health={health}
        sources={sources}
        budget={{
          budgetPerHour: 200,
          spentLastHour: 17,
          restRemaining: 4990,
          graphqlRemaining: 4871,
        }}
      />,
    );
    expectSafe(html);
    expect(html).toContain(
      '17 of 200 spent in the last hour; GitHub REST 4990 left, GraphQL 4871 left',
    );
    const off = await renderDocument(
      <OverviewPage {...common} counts={{}} failures={[]} health={health} sources={sources} />,
    );
    expect(off).toContain('change detection off');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<strong>4</strong><span>synced</span>');
    expect(html).toContain('in 5 min');
    expect(html).toContain('4990 of 5000 left');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('hx-trigger="every 3s"');
    const bare = await renderDocument(
      <OverviewPage {...common} counts={{}} failures={[]} health={health} />,
    );
    expect(bare).toContain('GitHub sources are not configured');
    expect(bare).toContain('No failures.');
  });

  it('overview: the Star Lists followed, with their parents, counts and a missing one', async () => {
    const sources = {
      starsPoll: {
        enabled: true,
        lastAt: null,
        lastResult: null,
        nextAt: null,
        lists: [
          { list: 'tools', slug: 'tools', stars: 3 },
          { list: 'Work', slug: 'work', parent: 'work-mirrors', stars: 1 },
          { list: 'typo', stars: 0, missing: true },
        ],
      },
      refresh: { lastAt: null, nextAt: null },
      rateLimit: null,
      app: { enabled: false, installations: 0 },
    };
    const html = await renderDocument(
      <OverviewPage {...common} counts={{}} failures={[]} health={health} sources={sources} />,
    );
    expect(html).toContain('Star Lists followed');
    expect(html).toContain('tools: 3 stars');
    expect(html).toContain('Work → work-mirrors: 1 star');
    expect(html).toContain('typo (not found on GitHub)');
  });

  it('overview and mirror detail: the guard that OneDev refused, and a run that found drift', async () => {
    const guardMessage = 'github/octocat/hello is not guarded: grant the Owner (manage) role';
    const refused = {
      ...health,
      components: {
        ...health.components,
        onedev_guard: { status: 'degraded' as const, message: guardMessage },
      },
    };
    const overview = await renderDocument(
      <OverviewPage {...common} counts={{}} failures={[]} health={refused} />,
    );
    expectSafe(overview);
    expect(overview).toContain('<span class="name">onedev_guard</span>');
    expect(overview).toContain(guardMessage);

    const drifted = {
      ...run,
      drift: {
        restored: true,
        refs: [
          {
            ref: `refs/heads/${EVIL}`,
            kind: 'added' as const,
            expected: null,
            found: 'c'.repeat(40),
          },
          {
            ref: 'refs/tags/v1',
            kind: 'moved' as const,
            expected: 'a'.repeat(40),
            found: 'd'.repeat(40),
          },
        ],
      },
    };
    const detail = await renderDocument(
      <MirrorDetailPage
        {...common}
        mirror={mirror()}
        runs={[drifted, run]}
        githubUrl="https://github.com"
        canCheckFreshness={false}
      />,
    );
    expectSafe(detail);
    expect(detail.match(/Changed in OneDev:/g)).toHaveLength(1);
    expect(detail).toContain('refs/tags/v1 moved; restored');
    expect(detail).toContain(`refs/tags/v1 moved: ${'a'.repeat(12)} → ${'d'.repeat(12)}`);
  });

  it('mirrors: table, filter, pagination and actions', async () => {
    const html = await renderDocument(
      <MirrorsPage
        {...common}
        mirrors={[mirror(), failedMirror]}
        total={60}
        filter={{ status: 'failed', q: EVIL, sort: 'name', direction: 'asc', page: 2, pages: 3 }}
        githubUrl="https://github.com"
        onedevUrl="https://onedev.example"
        failedCount={1}
      />,
    );
    expectSafe(html);
    expect(html).toContain('href="https://github.com/octocat/hello"');
    expect(html).toContain('href="https://onedev.example/github/octocat/hello"');
    expect(html).toContain('<option value="failed" selected="">failed</option>');
    expect(html).toContain('action="/dashboard/mirrors/octocat/broken/retry"');
    expect(html).not.toContain('action="/dashboard/mirrors/octocat/hello/retry"');
    expect(html).toContain('Page 2 of 3');
    expect(html).toContain('Retry all failed (1)');
    expect(html).toMatch(/<label for="q">/);
    // Repeated buttons say which repository they act on.
    expect(html).toContain('Sync now<span class="sr-only"> octocat/hello</span>');
    expect(html).toContain('Retry<span class="sr-only"> octocat/broken</span>');
    expect(html).toContain('Stop…<span class="sr-only"> mirroring octocat/broken</span>');
  });

  it('mirror detail: ledger, progress and freshness', async () => {
    const syncing = mirror({ status: 'syncing', lastAttemptAt: '2024-05-01T11:59:00.000Z' });
    const html = await renderDocument(
      <MirrorDetailPage
        {...common}
        mirror={syncing}
        runs={[runningRun, run]}
        githubUrl="https://github.com"
        canCheckFreshness={true}
      />,
    );
    expectSafe(html);
    // The step the running sync is in, beside "running since" and in its ledger row.
    expect(html.match(/pushing to OneDev/g)).toHaveLength(2);
    expect(html).toContain('1 created, 1 updated, 0 forced, 0 deleted');
    expect(html).toContain('2.0 s');
    expect(html).toContain('(2 calls retried)');
    expect(html).toContain('1 restarted');
    expect(html).toContain('<progress aria-label="Sync in progress">');
    expect(html).toContain('hx-get="/dashboard/mirrors/octocat/hello/freshness"');
    const fresh = await (
      <FreshnessView
        freshness={{
          state: 'update_available',
          branch: 'main',
          githubSha: 'b'.repeat(40),
          onedevSha: 'a'.repeat(40),
          differingRefs: 2,
        }}
      />
    ).toString();
    expect(fresh).toContain('Update available');
    expect(fresh).toContain('(2 refs differ)');
    expect(fresh).toContain('bbbbbbbbbb');
    const one = await (
      <FreshnessView
        freshness={{
          state: 'update_available',
          branch: 'main',
          githubSha: 'b'.repeat(40),
          onedevSha: 'a'.repeat(40),
          differingRefs: 1,
        }}
      />
    ).toString();
    expect(one).toContain('(1 ref differs)');
  });

  it('mirror detail: counts containers by outcome, not every entry as a restart', async () => {
    const html = await renderDocument(
      <MirrorDetailPage
        {...common}
        mirror={mirror({})}
        runs={[mixedContainersRun]}
        githubUrl="https://github.com"
        canCheckFreshness={false}
      />,
    );
    expectSafe(html);
    expect(html).toContain('2 restarted, 1 restart failed, 1 checkout updated, 1 skipped');
    expect(html).not.toContain('5 restarted');
    expect(html).toContain('worker restart failed: engine said');
  });

  it('login: labelled password field and the generic error', async () => {
    const html = await renderDocument(
      <LoginPage csrf={CSRF} next="/dashboard" error="That password is not right." />,
    );
    expectSafe(html);
    expect(html).toContain('<label for="password">');
    expect(html).toContain('autocomplete="current-password"');
    expect(html).toContain('role="alert"');
  });
});
