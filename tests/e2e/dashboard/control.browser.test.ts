import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/db/database.js';
import { insertSnapshots } from '../../../src/history/history.repo.js';
import { findMirror } from '../../../src/mirrors/mirrors.repo.js';
import { recordNotification } from '../../../src/notify/notifications.repo.js';
import { seedMirror } from '../../integration/admin/admin-kit.js';
import {
  type Browser,
  browserSkipReason,
  launchBrowser,
  watchConsole,
} from '../../support/browser.js';
import { RepoBuilder } from '../../support/git-repos.js';
import { DIALECTS } from '../../support/test-db.js';
import { type DashboardServer, signInPage, startDashboardServer } from './e2e-kit.js';

const skip = browserSkipReason();
const SHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
const BULK = 2_000;
const HOUR = 3_600_000;

/** 2,000 mirrors under `bulk/`, with statuses and last syncs spread out, in a few inserts. */
async function seedBulk(handle: DbHandle): Promise<void> {
  const statuses = ['synced', 'failed', 'queued', 'retrying'];
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  for (let start = 0; start < BULK; start += 250) {
    const rows = Array.from({ length: 250 }, (_, k) => {
      const i = start + k;
      const name = `repo-${String(i).padStart(4, '0')}`;
      return {
        github_id: 5_000_000 + i,
        owner: 'bulk',
        name,
        full_name: `bulk/${name}`,
        full_name_key: `bulk/${name}`,
        status: statuses[i % 4] as string,
        source: i % 3 === 0 ? 'manual' : 'star',
        starred: 1,
        private: 0,
        attempts: 0,
        resync_requested: 0,
        // A permutation, so every last sync differs and the order is known.
        last_synced_at: new Date(base + ((i * 7919) % BULK) * 60_000).toISOString(),
        next_attempt_at: null,
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-01T00:00:00.000Z',
      };
    });
    await handle.db.insertInto('mirrors').values(rows).execute();
  }
}

/** What the ledger holds, counted here independently of the page's SQL. */
async function ledgerCounts(handle: DbHandle, from: string, keyLength: number) {
  const runs = await handle.db
    .selectFrom('sync_runs')
    .select(['started_at', 'result'])
    .where('started_at', '>=', from)
    .execute();
  const counts = new Map<string, { synced: number; failed: number }>();
  for (const run of runs) {
    const key = run.started_at.slice(0, keyLength);
    const entry = counts.get(key) ?? { synced: 0, failed: 0 };
    if (['synced', 'unchanged', 'empty'].includes(run.result)) entry.synced++;
    if (['failed', 'retrying'].includes(run.result)) entry.failed++;
    counts.set(key, entry);
  }
  return counts;
}

describe.skipIf(skip !== undefined).each(DIALECTS)(
  `dashboard control room in Chromium on %s${skip ? ` (skipped: ${skip})` : ''}`,
  (dialect) => {
    let server: DashboardServer;
    let browser: Browser;
    let page: Page;
    let problems: string[];

    beforeAll(async () => {
      [server, browser] = await Promise.all([startDashboardServer(dialect), launchBrowser()]);
      page = await browser.context.newPage();
      problems = watchConsole(page);
      if (dialect === 'sqlite') mkdirSync(SHOTS, { recursive: true });
      await signInPage(page, server.url);
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });
    beforeEach(async () => {
      problems.length = 0;
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    const open = (path: string) => page.goto(`${server.url}${path}`);
    const notice = () => page.getByRole('status').first().textContent();
    const handle = () => server.pipeline.handle;
    const rowOf = (fullName: string) =>
      page.locator('tr', { has: page.getByRole('link', { name: fullName, exact: true }) });
    const shoot = async (name: string, width: 'desktop' | 'phone') => {
      if (dialect === 'sqlite') {
        await page.screenshot({ path: `${SHOTS}${name}-${width}.png`, fullPage: true });
      }
    };

    /** One entry of each kind the ledgers add beside sync runs: drift, history, notification. */
    async function seedNewKinds(at: string) {
      const drift = {
        refs: [
          {
            ref: 'refs/heads/main',
            kind: 'moved',
            expected: 'a'.repeat(40),
            found: 'b'.repeat(40),
          },
        ],
        restored: true,
      };
      await handle()
        .db.insertInto('sync_runs')
        .values({
          id: 'run-drift',
          github_id: 930_001,
          trigger: 'refresh',
          attempt: 1,
          worker: 'w',
          started_at: at,
          finished_at: at,
          result: 'synced',
          error: null,
          error_code: null,
          refs: '[]',
          containers: null,
          phase: 'verifying',
          drift: JSON.stringify(drift),
        })
        .execute();
      await insertSnapshots(handle().db, [
        {
          id: 'kept-1',
          github_id: 930_001,
          project_path: 'github/octocat/added',
          ref: 'refs/heads/main',
          old_sha: 'c'.repeat(40),
          new_sha: 'd'.repeat(40),
          reason: 'force-push',
          taken_at: at,
          location: 'ref',
          kept_ref: 'refs/starbridge/history/heads/main/20260101T000000Z',
          bundle_path: null,
        },
      ]);
      await recordNotification(handle().db, {
        at,
        kind: 'mirror.failed',
        repository: 'octocat/added',
        channel: 'webhook',
        result: 'failed',
        error: 'HTTP 500',
      });
    }

    async function onGitHub(id: number, name: string) {
      server.pipeline.github.addRepo({ id, owner: 'octocat', name, defaultBranch: 'main' });
      const repo = new RepoBuilder(server.pipeline.github.repoPath('octocat', name));
      await repo.commit('main', { files: { 'README.md': `# ${name}\n` } });
    }

    it('adds a repository by owner/name and by its GitHub page; each appears and syncs without a reload', async () => {
      await onGitHub(930_001, 'added');
      await onGitHub(930_002, 'by-url');
      await open('/dashboard/mirrors');
      await page.getByLabel('Add a repository').fill('octocat/added');
      await page.getByRole('button', { name: 'Add mirror' }).click();
      expect(await notice()).toBe('Added octocat/added; it is queued to sync.');
      await expect
        .poll(() => rowOf('octocat/added').locator('.badge').textContent(), { timeout: 30_000 })
        .toBe('synced');

      await page
        .getByLabel('Add a repository')
        .fill(`${server.pipeline.github.url}/octocat/by-url`);
      await page.getByRole('button', { name: 'Add mirror' }).click();
      expect(await notice()).toBe('Added octocat/by-url; it is queued to sync.');
      // No reload from here: the live region shows the sync finishing.
      await expect
        .poll(() => rowOf('octocat/by-url').locator('.badge').textContent(), { timeout: 30_000 })
        .toBe('synced');
      expect((await findMirror(handle().db, 930_002))?.source).toBe('manual');

      // The admin API's own refusals, word for word.
      await page.getByLabel('Add a repository').fill('https://evil.example/octocat/added');
      await page.getByRole('button', { name: 'Add mirror' }).click();
      expect(await notice()).toMatch(/owner\/name .*not a URL/);
      await page.getByLabel('Add a repository').fill('octocat/not-on-github');
      await page.getByRole('button', { name: 'Add mirror' }).click();
      expect(await notice()).toMatch(/not-on-github/);
      expect(await server.pipeline.mirrors.findByName('octocat/not-on-github')).toBeUndefined();
      expect(problems).toEqual([]);
    }, 90_000);

    it('pauses one mirror (who and when shown, no sync even when asked) and resumes it', async () => {
      await open('/dashboard/mirrors/octocat/added');
      const runsBefore = (await server.pipeline.mirrors.runsOf(930_001)).length;
      await page.getByRole('button', { name: /^Pause\b/ }).click();
      expect(await notice()).toBe('Paused octocat/added: no syncs until it is resumed.');
      expect(await page.locator('#live-mirror .badge').first().textContent()).toBe('paused');
      expect(await page.locator('#live-mirror .paused-by').textContent()).toMatch(
        /by dashboard \(127\.0\.0\.1\), (just now|\d+ s ago)/,
      );
      const row = await findMirror(handle().db, 930_001);
      expect(row).toMatchObject({ status: 'paused', paused_by: 'dashboard (127.0.0.1)' });

      await page.getByRole('button', { name: 'Sync now' }).click();
      expect(await notice()).toBe('octocat/added is paused.');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect((await server.pipeline.mirrors.runsOf(930_001)).length).toBe(runsBefore);

      await open('/dashboard/mirrors?status=paused');
      expect(await rowOf('octocat/added').locator('.paused-by').textContent()).toMatch(
        /by dashboard/,
      );
      await rowOf('octocat/added').getByRole('button', { name: 'Resume' }).click();
      expect(await notice()).toBe('Resumed octocat/added; it is queued to sync.');
      await expect
        .poll(async () => (await server.pipeline.mirrors.runsOf(930_001)).length, {
          timeout: 30_000,
        })
        .toBeGreaterThan(runsBefore);
      expect(problems).toEqual([]);
    }, 90_000);

    it('pauses and resumes several at once; ticks survive the live reloads', async () => {
      for (const name of ['bulk-a', 'bulk-b', 'bulk-c']) {
        await seedMirror(handle(), `tick/${name}`, { status: 'failed', next_attempt_at: null });
      }
      await open('/dashboard/mirrors?q=tick%2F');
      await rowOf('tick/bulk-a').getByRole('checkbox').check();
      await rowOf('tick/bulk-c').getByRole('checkbox').check();
      // Two polls of the live region later, the ticks are still there.
      await page.waitForTimeout(7_000);
      expect(await rowOf('tick/bulk-a').getByRole('checkbox').isChecked()).toBe(true);
      expect(await rowOf('tick/bulk-c').getByRole('checkbox').isChecked()).toBe(true);
      await shoot('mirrors-bulk', 'desktop');
      await page.getByLabel('With the ticked mirrors').selectOption('pause');
      await page.getByRole('button', { name: 'Apply' }).click();
      expect(await notice()).toBe('Paused 2 mirror(s).');
      const statuses = async () =>
        Object.fromEntries(
          (
            await handle()
              .db.selectFrom('mirrors')
              .select(['full_name', 'status', 'paused_by'])
              .where('owner', '=', 'tick')
              .execute()
          ).map((r) => [r.full_name, `${r.status}${r.paused_by ? ' by operator' : ''}`]),
        );
      // The untouched mirror is not paused by the operator. Its repository exists nowhere on
      // the GitHub double, so a background check may find it gone and pause it for that.
      const paused = await statuses();
      expect(paused['tick/bulk-a']).toBe('paused by operator');
      expect(paused['tick/bulk-c']).toBe('paused by operator');
      expect(paused['tick/bulk-b']).not.toMatch(/by operator/);
      for (const name of ['tick/bulk-a', 'tick/bulk-b', 'tick/bulk-c']) {
        await rowOf(name).getByRole('checkbox').check();
      }
      await page.getByLabel('With the ticked mirrors').selectOption('resume');
      await page.getByRole('button', { name: 'Apply' }).click();
      expect(await notice()).toBe(
        'Resumed 2 mirror(s); 1 left as they were (not paused by an operator or gone).',
      );
      const after = await statuses();
      expect(after['tick/bulk-b']).toBe(paused['tick/bulk-b']);
      expect(after['tick/bulk-a']).not.toMatch(/paused/);
      expect(problems).toEqual([]);
    }, 60_000);

    it("sets a mirror's refresh interval, LFS and wiki on its page, with who and when, and refuses a bad one", async () => {
      await open('/dashboard/mirrors/octocat/by-url');
      await page.getByLabel('Refresh interval (minutes)').fill('15');
      await page.getByRole('button', { name: 'Save options' }).click();
      expect(await notice()).toBe('Options saved.');
      expect(await page.getByLabel('Refresh interval (minutes)').inputValue()).toBe('15');
      expect(await page.locator('#refresh-interval-help').textContent()).toMatch(
        /Set to 15 min 0 s by dashboard \(127\.0\.0\.1\)/,
      );
      expect(await page.locator('#options .changes').textContent()).toMatch(
        /option refreshIntervalMs = 900000 by dashboard/,
      );
      const [candidate] = (
        await server.pipeline.mirrors.refreshCandidates(
          new Date(Date.now() + 400 * 24 * HOUR).toISOString(),
          5_000,
        )
      ).filter((c) => c.github_id === 930_002);
      expect(candidate?.refreshIntervalMs).toBe(15 * 60_000);

      // LFS and wiki: selects over MIRROR_LFS and MIRROR_WIKIS, with who and when.
      expect(await page.locator('#lfs-option').inputValue()).toBe('');
      await page.getByLabel('LFS objects').selectOption('on');
      await page.locator('#wiki-option').selectOption('off');
      await page.getByRole('button', { name: 'Save options' }).click();
      expect(await notice()).toBe('Options saved.');
      expect(await page.locator('#lfs-option').inputValue()).toBe('on');
      expect(await page.locator('#wiki-option').inputValue()).toBe('off');
      expect(await page.locator('#lfs-option-help').textContent()).toMatch(
        /Set on by dashboard \(127\.0\.0\.1\)/,
      );
      expect(await page.locator('#wiki-option-help').textContent()).toMatch(
        /Set off by dashboard \(127\.0\.0\.1\)/,
      );
      const changes = await page.locator('#options .changes').textContent();
      expect(changes).toMatch(/option lfs = true by dashboard/);
      expect(changes).toMatch(/option wiki = false by dashboard/);
      const options = await server.pipeline.mirrors.optionsOf(930_002);
      expect([options.lfs?.value, options.wiki?.value]).toEqual([true, false]);

      await page.getByLabel('Refresh interval (minutes)').fill('0');
      // The browser's own min check would stop the form; the server's check is what counts.
      await page.locator('#refresh-interval').evaluate((el) => el.removeAttribute('min'));
      await page.getByRole('button', { name: 'Save options' }).click();
      expect(await notice()).toMatch(/whole number of minutes from 1 to 10080/);
      expect(await page.getByLabel('Refresh interval (minutes)').inputValue()).toBe('15');
      expect(await page.locator('#lfs-option').inputValue()).toBe('on');
      await page.setViewportSize({ width: 390, height: 844 });
      await open('/dashboard/mirrors/octocat/by-url#options');
      await shoot('mirror-options', 'phone');
      await page.setViewportSize({ width: 1280, height: 900 });
      await open('/dashboard/mirrors/octocat/by-url#options');
      await shoot('mirror-options', 'desktop');
      expect(problems).toEqual([]);
    }, 60_000);

    it('sorts by any column and pages through 2,000 mirrors, at desktop and phone widths', async () => {
      await seedBulk(handle());
      const expected = (
        await handle()
          .db.selectFrom('mirrors')
          .select(['full_name', 'last_synced_at'])
          .where('owner', '=', 'bulk')
          .orderBy('last_synced_at', 'desc')
          .execute()
      ).map((r) => r.full_name);
      const names = () =>
        page.locator('td[data-label="Repository"] > a:first-child').allTextContents();
      for (const [width, height, label] of [
        [1280, 900, 'desktop'],
        [390, 844, 'phone'],
      ] as const) {
        await page.setViewportSize({ width, height });
        await open('/dashboard/mirrors?q=bulk%2F');
        expect(await page.locator('#live-mirrors > p.muted').textContent()).toBe(
          `${BULK} mirrors match`,
        );
        if (label === 'desktop') {
          // The column header sorts, and a second click reverses.
          await page.getByRole('link', { name: /^Last sync/ }).click();
          expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('ascending');
          await page.getByRole('link', { name: /^Last sync/ }).click();
        } else {
          // A phone hides the headers: the same choice in the filter form.
          await page.getByLabel('Sort by').selectOption('last_sync');
          await page.getByLabel('Order').selectOption('desc');
          await page.getByRole('button', { name: 'Filter' }).click();
        }
        expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('descending');
        expect(await names()).toEqual(expected.slice(0, 25));
        await page.getByRole('link', { name: 'Next →' }).click();
        expect(page.url()).toMatch(/q=bulk%2F&sort=last_sync&dir=desc&page=2/);
        expect(await names()).toEqual(expected.slice(25, 50));
        expect(await page.locator('.pager span').first().textContent()).toBe('Page 2 of 80');
        await shoot('mirrors-sorted', label);
      }
      // Status sorts ties by name: failed ones first, alphabetically.
      await open('/dashboard/mirrors?q=bulk%2F&sort=status&page=3');
      expect((await names())[0]).toBe('bulk/repo-0201');
      expect(problems).toEqual([]);
    }, 120_000);

    it('the activity log: every kind, newest first, filters, pages, links, and new entries without a reload', async () => {
      const now = Date.now();
      const failedAt = new Date(now - 2 * HOUR).toISOString();
      const oldAt = new Date(now - 40 * 24 * HOUR).toISOString();
      const runs = [
        ['run-failed', failedAt, 'failed', 'GitHub answered 502'],
        ['run-old', oldAt, 'synced', null],
      ] as const;
      for (const [id, at, result, error] of runs) {
        await handle()
          .db.insertInto('sync_runs')
          .values({
            id,
            github_id: 930_002,
            trigger: 'refresh',
            attempt: 1,
            worker: 'w',
            started_at: at,
            finished_at: new Date(Date.parse(at) + 4_200).toISOString(),
            result,
            error,
            error_code: error ? 'github_unavailable' : null,
            refs: '[]',
            containers: null,
            phase: 'verifying',
          })
          .execute();
      }
      await open('/dashboard/activity');
      const kinds = () =>
        page
          .locator('#live-activity tbody tr')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')));
      const times = await page
        .locator('#live-activity tbody tr time')
        .evaluateAll((els) => els.map((e) => e.getAttribute('datetime') ?? ''));
      expect(times.length).toBeGreaterThan(5);
      expect([...times].sort().reverse()).toEqual(times);
      expect(new Set(await kinds())).toEqual(new Set(['sync', 'change']));

      await page.getByLabel('Kind').selectOption('change');
      await page.getByRole('button', { name: 'Filter' }).click();
      expect(new Set(await kinds())).toEqual(new Set(['change']));
      expect(await page.locator('#live-activity tbody').textContent()).toMatch(
        /pause by dashboard \(127\.0\.0\.1\)/,
      );

      // A run that found OneDev changed, a kept tip and a notification that was not delivered:
      // each kind has its filter option, its label and a link to its detail.
      await seedNewKinds(new Date(now - HOUR).toISOString());
      for (const [kind, label, text, href] of [
        [
          'drift',
          'changed in OneDev',
          /refs\/heads\/main moved/,
          /\/octocat\/added#run-run-drift$/,
        ],
        [
          'history',
          'kept history',
          /kept refs\/heads\/main at cccccccccccc/,
          /\/octocat\/added#history$/,
        ],
        [
          'notification',
          'notification',
          /mirror\.failed to webhook: HTTP 500/,
          /\/octocat\/added$/,
        ],
      ] as const) {
        await open('/dashboard/activity');
        await page.getByLabel('Kind').selectOption({ label });
        await page.getByRole('button', { name: 'Filter' }).click();
        expect(await kinds()).toEqual([kind]);
        const row = page.locator('#live-activity tbody tr').first();
        expect(await row.textContent()).toMatch(text);
        await row.getByRole('link').first().click();
        expect(page.url()).toMatch(href);
      }
      await open('/dashboard/activity?kind=notification&result=failed');
      expect(await kinds()).toEqual(['notification']);
      await open('/dashboard/activity?kind=history&result=failed');
      expect(await kinds()).toEqual([]);

      // Only this repository: the resumed tick/ mirrors fail too (they are not on GitHub).
      await open('/dashboard/activity?result=failed&repo=octocat%2Fby-url');
      const failedRows = page.locator('#live-activity tbody tr');
      expect(await failedRows.count()).toBe(1);
      expect(await failedRows.first().textContent()).toMatch(/GitHub answered 502/);
      await failedRows.first().getByRole('link').click();
      expect(page.url()).toMatch(/\/dashboard\/mirrors\/octocat\/by-url#run-run-failed$/);
      expect(await page.locator('#run-run-failed').isVisible()).toBe(true);

      await open('/dashboard/activity');
      await page.getByLabel('Repository').fill('octocat/by-url');
      const day = oldAt.slice(0, 10);
      await page.getByLabel('From', { exact: true }).fill(day);
      await page.getByLabel('To', { exact: true }).fill(day);
      await page.getByRole('button', { name: 'Filter' }).click();
      const ids = () =>
        page
          .locator('#live-activity tbody tr')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
      expect(await ids()).toEqual(['run-old']);
      await page.getByLabel('Repository').fill('nobody/here');
      await page.getByRole('button', { name: 'Filter' }).click();
      expect(await page.getByRole('alert').textContent()).toMatch(/No mirror of nobody\/here/);

      // Keyset pages: 50 a page, none repeated, none skipped, down to the oldest.
      await handle()
        .db.insertInto('sync_runs')
        .values(
          Array.from({ length: 60 }, (_, i) => ({
            id: `page-${String(i).padStart(2, '0')}`,
            github_id: 930_001,
            trigger: 'webhook',
            attempt: 1,
            worker: 'w',
            // Ten share one instant: the cursor's tie-break must hold.
            started_at: new Date(now - 3 * HOUR - Math.floor(i / 10) * 1000).toISOString(),
            finished_at: null,
            result: 'aborted',
            error: null,
            error_code: null,
            refs: null,
            containers: null,
            phase: null,
          })),
        )
        .execute();
      await open('/dashboard/activity?repo=octocat%2Fadded&kind=sync');
      const seen: string[] = [];
      for (;;) {
        seen.push(...((await ids()) as string[]));
        const older = page.getByRole('link', { name: 'Older →' });
        if ((await older.count()) === 0) break;
        await older.click();
      }
      const all = await handle()
        .db.selectFrom('sync_runs')
        .select('id')
        .where('github_id', '=', 930_001)
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      expect(seen).toEqual(all.map((r) => r.id));

      // Live: a sync requested now shows up at the top without a reload.
      await open('/dashboard/activity?kind=sync');
      const top = await page.locator('#live-activity tbody tr').first().getAttribute('data-id');
      await server.pipeline.mirrors.syncById(930_002, { force: true });
      await expect
        .poll(() => page.locator('#live-activity tbody tr').first().getAttribute('data-id'), {
          timeout: 30_000,
        })
        .not.toBe(top);
      for (const [width, height, label] of [
        [1280, 900, 'desktop'],
        [390, 844, 'phone'],
      ] as const) {
        await page.setViewportSize({ width, height });
        await open('/dashboard/activity');
        await shoot('activity', label);
      }
      expect(problems).toEqual([]);
    }, 120_000);

    it('draws the ledger: syncs per hour and per day match it, the oldest success is named, a mirror’s runs are charted', async () => {
      // Runs at known hours today and on earlier days, synced and failed.
      const now = Date.now();
      const rows = [
        [1, 'synced'],
        [1, 'synced'],
        [1, 'failed'],
        [5, 'retrying'],
        [30, 'unchanged'],
        [24 * 3, 'synced'],
        [24 * 3, 'failed'],
      ] as const;
      await handle()
        .db.insertInto('sync_runs')
        .values(
          rows.map(([hoursAgo, result], i) => ({
            id: `chart-${i}`,
            github_id: 930_001,
            trigger: 'refresh',
            attempt: 1,
            worker: 'w',
            started_at: new Date(now - hoursAgo * HOUR).toISOString(),
            finished_at: new Date(now - hoursAgo * HOUR + 1000 * (i + 1)).toISOString(),
            result,
            error: null,
            error_code: null,
            refs: '[]',
            containers: null,
            phase: 'verifying',
          })),
        )
        .execute();
      for (const [width, height, label] of [
        [1280, 900, 'desktop'],
        [390, 844, 'phone'],
      ] as const) {
        await page.setViewportSize({ width, height });
        await open('/dashboard');
        const svg = page.locator('#chart-hourly svg');
        expect(await svg.getAttribute('role')).toBe('img');
        expect(await page.locator('#chart-hourly-title').textContent()).toBe(
          'Syncs per hour, last 24 hours',
        );
        const box = await svg.boundingBox();
        expect(box && box.width <= width).toBe(true);
        const overflow = await page.evaluate(() => {
          type Doc = { documentElement: { scrollWidth: number; clientWidth: number } };
          const root = (globalThis as unknown as { document: Doc }).document.documentElement;
          return root.scrollWidth - root.clientWidth;
        });
        expect(overflow).toBeLessThanOrEqual(0);
        await shoot('overview-charts', label);
      }
      const read = (chart: string) =>
        page.locator(`#${chart} g.bar`).evaluateAll((bars) =>
          bars.map((bar) => ({
            label: bar.getAttribute('data-label') ?? '',
            synced: Number(bar.querySelector('[data-series="synced"]')?.getAttribute('data-value')),
            failed: Number(bar.querySelector('[data-series="failed"]')?.getAttribute('data-value')),
          })),
        );
      const hourFrom = new Date(Math.floor(now / HOUR) * HOUR - 23 * HOUR).toISOString();
      const hourly = await ledgerCounts(handle(), hourFrom, 13);
      const hourBars = await read('chart-hourly');
      expect(hourBars).toHaveLength(24);
      for (const bar of hourBars) {
        const key = `${bar.label.slice(0, 10)}T${bar.label.slice(11, 13)}`;
        expect({ ...bar, label: key }).toEqual({
          label: key,
          ...(hourly.get(key) ?? { synced: 0, failed: 0 }),
        });
      }
      expect(hourBars.reduce((n, b) => n + b.synced + b.failed, 0)).toBeGreaterThanOrEqual(4);
      const dayFrom = new Date(
        Math.floor(now / (24 * HOUR)) * 24 * HOUR - 29 * 24 * HOUR,
      ).toISOString();
      const daily = await ledgerCounts(handle(), dayFrom, 10);
      const dayBars = await read('chart-daily');
      expect(dayBars).toHaveLength(30);
      for (const bar of dayBars) {
        expect(bar).toEqual({
          label: bar.label,
          ...(daily.get(bar.label) ?? { synced: 0, failed: 0 }),
        });
      }
      // The table equivalent carries the same numbers.
      const lastRow = page.locator('#chart-daily table tbody tr').last();
      const lastBar = dayBars[dayBars.length - 1];
      expect(await lastRow.locator('td').allTextContents()).toEqual([
        String(lastBar?.synced),
        String(lastBar?.failed),
      ]);
      const oldest = await handle()
        .db.selectFrom('mirrors')
        .select('full_name')
        .where('last_synced_at', 'is not', null)
        .orderBy('last_synced_at')
        .orderBy('full_name_key')
        .limit(1)
        .executeTakeFirstOrThrow();
      expect(await page.locator('#oldest-success a').textContent()).toBe(oldest.full_name);

      await open('/dashboard/mirrors/octocat/added');
      const runs = (await server.pipeline.mirrors.runsOf(930_001, 30))
        .filter((r) => r.durationMs !== null)
        .reverse();
      const durations = await page
        .locator('#chart-durations rect[data-series="duration"]')
        .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))));
      expect(durations).toEqual(runs.map((r) => r.durationMs));
      const refs = await page
        .locator('#chart-refs rect')
        .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))));
      expect(refs).toEqual(runs.map((r) => r.refs.length));
      // Bytes: fetched below pushed, each bar the ledger's numbers (a run without any reads 0).
      const bytes = (series: string) =>
        page
          .locator(`#chart-bytes rect[data-series="${series}"]`)
          .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))));
      expect(await bytes('fetched')).toEqual(runs.map((r) => r.bytes?.fetched ?? 0));
      expect(await bytes('pushed')).toEqual(runs.map((r) => r.bytes?.pushed ?? 0));
      expect(runs.some((r) => (r.bytes?.fetched ?? 0) > 0 && (r.bytes?.pushed ?? 0) > 0)).toBe(
        true,
      );
      const first = runs.findLast((r) => r.bytes !== null);
      expect(await page.locator(`#run-${first?.id} td[data-label="Bytes"]`).textContent()).toMatch(
        / in \/ .* out$/,
      );
      await shoot('mirror-charts', 'desktop');
      expect(problems).toEqual([]);
    }, 90_000);
  },
);
