/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { describe, expect, it } from 'vitest';
import type { ActivityEntry } from '../../../src/activity/activity.js';
import { ActivityPage } from '../../../src/dashboard/pages/activity.js';
import { BarChart, niceMax } from '../../../src/dashboard/pages/charts.js';
import { MirrorDetailPage } from '../../../src/dashboard/pages/mirror-detail.js';
import { MirrorsPage } from '../../../src/dashboard/pages/mirrors.js';
import { OverviewPage } from '../../../src/dashboard/pages/overview.js';
import { renderDocument } from '../../../src/dashboard/render.js';
import { CSRF, EVIL, expectSafe, mirror, NOW, run } from './fixtures.js';

const common = { now: NOW, csrf: CSRF, flash: null };
const paused = mirror({
  status: 'paused',
  pausedBy: `dashboard (${EVIL})`,
  pausedAt: '2024-05-01T11:58:00.000Z',
});

describe('dashboard views: the control room', () => {
  it('mirrors: add form, sortable headers, ticks for the bulk form, who paused and when', async () => {
    const html = await renderDocument(
      <MirrorsPage
        {...common}
        mirrors={[paused, mirror({ githubId: 2, fullName: 'octocat/other' })]}
        total={2}
        filter={{ sort: 'last_sync', direction: 'desc', page: 1, pages: 1 }}
        githubUrl="https://github.com"
        failedCount={0}
      />,
    );
    expectSafe(html);
    expect(html).toContain('action="/dashboard/mirrors/add"');
    expect(html).toContain('<th scope="col" aria-sort="descending">');
    expect(html).toContain('href="/dashboard/mirrors?sort=last_sync"');
    expect(html).toMatch(/<input type="checkbox" name="ids" value="\d+" form="bulk"/);
    expect(html).toContain('id="bulk"');
    expect(html).toContain('by dashboard (&lt;script&gt;');
    expect(html).toContain('>Resume<span class="sr-only">');
    expect(html).toContain('>Pause<span class="sr-only"> octocat/other');
  });

  it('mirror: options with who set them, changes, and run charts', async () => {
    const html = await renderDocument(
      <MirrorDetailPage
        {...common}
        mirror={paused}
        runs={[run]}
        githubUrl="https://github.com"
        canCheckFreshness={false}
        control={{
          options: {
            refreshIntervalMs: { value: 900_000, updatedBy: EVIL, updatedAt: NOW.toISOString() },
            lfs: { value: true, updatedBy: EVIL, updatedAt: NOW.toISOString() },
          },
          globalRefreshMs: 3_600_000,
          globalLfs: false,
          globalWikis: true,
          changes: [{ change: 'option', detail: EVIL, actor: EVIL, at: NOW.toISOString() }],
        }}
      />,
    );
    expectSafe(html);
    expect(html).toContain('name="refresh_interval_minutes"');
    expect(html).toContain('value="15"');
    // LFS set on the mirror (global off); the wiki follows MIRROR_WIKIS (on).
    expect(html).toMatch(/<select id="lfs-option" name="lfs"[^>]*>.*<option value="on" selected/);
    expect(html).toContain('Default (off, MIRROR_LFS)');
    expect(html).toContain('Set on by &lt;script&gt;');
    expect(html).toMatch(/<select id="wiki-option" name="wiki"[^>]*><option value="" selected/);
    expect(html).toContain('MIRROR_WIKIS applies (on).');
    expect(html).toContain('id="chart-durations"');
    expect(html).toContain('id="resume"');
  });

  it('activity: rows link to their details; the next page carries a cursor', async () => {
    const entries: ActivityEntry[] = Array.from({ length: 2 }, (_, i) => ({
      kind: 'sync',
      id: `r${i}`,
      at: NOW.toISOString(),
      result: 'failed',
      repository: EVIL,
      summary: EVIL,
      durationMs: 1200,
      href: '/dashboard/mirrors/octocat/hello#run-r1',
    }));
    const html = await renderDocument(
      <ActivityPage {...common} query={{ kind: 'sync', repo: EVIL }} entries={entries} more />,
    );
    expectSafe(html);
    expect(html).toContain('href="/dashboard/mirrors/octocat/hello#run-r1"');
    expect(html).toMatch(
      /href="\/dashboard\/activity\?kind=sync&amp;repo=[^"]+&amp;before=[\w-]+"/,
    );
  });

  it('charts: an accessible SVG with the same numbers as a table', async () => {
    const html = await (
      <BarChart
        spec={{
          id: 'c',
          title: `Runs ${EVIL}`,
          description: 'three bars',
          series: ['synced', 'failed'],
          labelHeading: 'Hour',
          bars: [
            { label: 'a', tick: 'a', values: [3, 1] },
            { label: 'b', tick: '', values: [0, 0] },
          ],
        }}
      />
    ).toString();
    expectSafe(html);
    expect(html).toContain('role="img" aria-labelledby="c-title c-desc"');
    expect(html).toContain('<desc id="c-desc">three bars</desc>');
    expect(html).toContain('data-series="failed" data-value="1"');
    expect(html).toMatch(/<th scope="row">a<\/th><td>3<\/td><td>1<\/td>/);
    expect([niceMax(0), niceMax(3), niceMax(7), niceMax(120)]).toEqual([1, 5, 10, 200]);
  });

  it('overview: charts and the oldest success, left out of live-region polls', async () => {
    const html = await renderDocument(
      <OverviewPage
        {...common}
        counts={{ synced: 1 }}
        failures={[]}
        health={{ status: 'ok', components: {} } as never}
        charts={{
          hourly: [{ bucket: '2024-05-01T11', synced: 2, failed: 1 }],
          daily: [],
          oldest: { oldest: mirror({ lastSyncedAt: '2024-04-01T00:00:00.000Z' }), neverSynced: 2 },
        }}
      />,
    );
    expectSafe(html);
    expect(html).toContain('id="chart-hourly"');
    expect(html).toContain('data-label="2024-05-01 11:00 UTC"');
    expect(html).toMatch(/id="oldest-success"[\s\S]*2 never synced/);
  });
});
