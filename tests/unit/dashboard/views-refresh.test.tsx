/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { describe, expect, it } from 'vitest';
import { intervalText } from '../../../src/dashboard/pages/format.js';
import { MirrorDetailPage } from '../../../src/dashboard/pages/mirror-detail.js';
import { renderDocument } from '../../../src/dashboard/render.js';
import { CSRF, expectSafe, mirror, NOW, run } from './fixtures.js';

const common = { now: NOW, csrf: CSRF, flash: null };
const page = { runs: [run], githubUrl: 'https://github.com', canCheckFreshness: false };
const inTwoHours = new Date(NOW.getTime() + 2 * 3_600_000).toISOString();

describe("dashboard views: a mirror's refresh schedule", () => {
  it('shows the next check and the adaptive interval with what the last check found', async () => {
    const quiet = mirror({
      nextRefreshAt: inTwoHours,
      refreshEveryMs: 8 * 3_600_000,
      refreshOutcome: 'quiet',
    });
    const html = await renderDocument(<MirrorDetailPage {...common} {...page} mirror={quiet} />);
    expectSafe(html);
    expect(html).toContain('<dt>Next check</dt>');
    expect(html).toContain('in 2 h');
    expect(html).toContain('every 8 h (sooner after changes, later when quiet; last found: quiet)');
  });

  it("shows an operator's interval as set on the mirror, not the adaptive one", async () => {
    const pinned = mirror({ nextRefreshAt: inTwoHours, refreshEveryMs: 8 * 3_600_000 });
    const control = {
      options: {
        refreshIntervalMs: { value: 900_000, updatedBy: 'admin API', updatedAt: NOW.toISOString() },
      },
      globalRefreshMs: 3_600_000,
      globalLfs: false,
      globalWikis: false,
      changes: [],
    };
    const html = await renderDocument(
      <MirrorDetailPage {...common} {...page} mirror={pinned} control={control} />,
    );
    expect(html).toContain('every 15 min (set on this mirror)');
    expect(html).not.toContain('every 8 h');
  });

  it('says when a mirror has no check scheduled yet', async () => {
    const html = await renderDocument(
      <MirrorDetailPage {...common} {...page} mirror={mirror({ nextRefreshAt: null })} />,
    );
    expect(html).toContain('not scheduled yet');
  });

  it('writes intervals in minutes, hours and days', () => {
    expect(intervalText(15 * 60_000)).toBe('15 min');
    expect(intervalText(90 * 60_000)).toBe('1 h 30 min');
    expect(intervalText(24 * 3_600_000)).toBe('1 d');
    expect(intervalText(36 * 3_600_000)).toBe('1 d 12 h');
  });
});
