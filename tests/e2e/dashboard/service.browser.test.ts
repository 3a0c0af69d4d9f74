import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Dialect } from '../../../src/db/database.js';
import {
  type Browser,
  browserSkipReason,
  launchBrowser,
  signInAfterAWrongPassword,
  watchConsole,
} from '../../support/browser.js';
import { RepoBuilder } from '../../support/git-repos.js';
import { type InProcessService, startInProcessService } from '../../support/service-in-process.js';
import { createTestDb, DIALECTS, postgresTarget, type TestDb } from '../../support/test-db.js';

const skip = browserSkipReason();
const PASSWORD = 'service dashboard password';

/**
 * The service opens its database by URL, as `starbridge serve` does; the in-process PGlite
 * has none. Under CI a missing TEST_DATABASE_URL throws instead (see postgresTarget).
 */
function databaseSkipReason(dialect: Dialect): string | undefined {
  if (dialect === 'postgres' && postgresTarget().kind === 'pglite')
    return 'the service needs a PostgreSQL server: set TEST_DATABASE_URL';
  return undefined;
}

/**
 * The dashboard exactly as `starbridge serve` mounts it (startService), not a test assembly:
 * its sign-in, its pages and the live mirrors table, fed by a real signed webhook and sync.
 */
describe.skipIf(skip !== undefined).each(DIALECTS)(
  `the service's dashboard in Chromium on %s${skip ? ` (skipped: ${skip})` : ''}`,
  (dialect) => {
    const dbSkip = databaseSkipReason(dialect);

    describe.skipIf(dbSkip !== undefined)(
      `as startService wires it${dbSkip ? ` (skipped: ${dbSkip})` : ''}`,
      () => {
        let database: TestDb;
        let running: InProcessService;
        let browser: Browser;
        let page: Page;
        let problems: string[];

        beforeAll(async () => {
          // Not migrated here: the service migrates its own database at start, as in production.
          database = await createTestDb(dialect, { migrate: false });
          [running, browser] = await Promise.all([
            startInProcessService({
              env: {
                DATABASE_URL: database.databaseUrl as string,
                DASHBOARD_PASSWORD: PASSWORD,
                // Restarts off: this machine's container engine is not part of the test.
                CONTAINER_SOCKET: '',
              },
            }),
            launchBrowser(),
          ]);
          page = await browser.context.newPage();
          problems = watchConsole(page);
        });
        afterAll(async () => {
          await browser?.close();
          await running?.close();
          await database?.destroy();
        });
        beforeEach(() => {
          problems.length = 0;
        });
        /** The browser logs a page answered with an error status; those tests expect exactly that. */
        const unexpected = (status: number) =>
          problems.filter((p) => !p.includes(`status of ${status}`));
        const open = (path: string) => page.goto(`${running.url}${path}`);

        it('refuses a wrong password and lands on the overview with the right one', async () => {
          // Not signed in: the dashboard answers with its sign-in page.
          expect((await open('/dashboard'))?.status()).toBe(401);
          expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
          await signInAfterAWrongPassword(page, PASSWORD, running.url);
          expect(unexpected(401)).toEqual([]);
        });

        it('shows a mirror that a signed webhook created, without a reload, until it is synced', async () => {
          const record = running.github.addRepo({ owner: 'octocat', name: 'served' });
          const repo = new RepoBuilder(running.github.repoPath('octocat', 'served'));
          await repo.commit('main', { files: { 'README.md': '# served\n' } });
          expect((await open('/dashboard/mirrors'))?.status()).toBe(200);
          expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Mirrors');
          await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));

          expect(
            (await running.star({ id: record.id, owner: 'octocat', name: 'served' })).status,
          ).toBe(202);
          const row = page.locator('tr', {
            has: page.getByRole('link', { name: 'octocat/served', exact: true }),
          });
          await row.getByText('synced', { exact: true }).waitFor({ timeout: 30_000 });
          expect(
            await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded),
          ).toBe(true);
          expect(running.onedev.projectByPath('github/octocat/served')).toBeDefined();
          expect(problems).toEqual([]);
        });
      },
    );
  },
);
