import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type Browser,
  browserSkipReason,
  launchBrowser,
  watchConsole,
} from '../../support/browser.js';
import { RepoBuilder } from '../../support/git-repos.js';
import { WEBHOOK_SECRET } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { sendWebhook, webhookExample, withRepository } from '../../support/webhooks.js';
import { type DashboardServer, PASSWORD, startDashboardServer } from './e2e-kit.js';

const skip = browserSkipReason();
const SHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

describe.skipIf(skip !== undefined).each(DIALECTS)(
  `dashboard in Chromium on %s${skip ? ` (skipped: ${skip})` : ''}`,
  (dialect) => {
    let server: DashboardServer;
    let browser: Browser;
    let page: Page;
    let problems: string[];

    beforeAll(async () => {
      [server, browser] = await Promise.all([startDashboardServer(dialect), launchBrowser()]);
      page = await browser.context.newPage();
      problems = watchConsole(page);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    beforeEach(() => {
      problems.length = 0;
    });
    /** The browser logs a page answered with an error status; those tests expect exactly that. */
    const unexpected = (status: number) =>
      problems.filter((p) => !p.includes(`status of ${status}`));

    const open = (path: string) => page.goto(`${server.url}${path}`);
    const watch = (id: number, name: string) =>
      withRepository(webhookExample('watch', 'started'), {
        id,
        owner: 'octocat',
        name,
        defaultBranch: 'main',
      });
    async function sourceRepo(id: number, name: string) {
      server.pipeline.github.addRepo({ id, owner: 'octocat', name, defaultBranch: 'main' });
      const repo = new RepoBuilder(server.pipeline.github.repoPath('octocat', name));
      await repo.commit('main', { files: { 'README.md': `# ${name}\n` } });
      await repo.tag('v1.0.0', 'main');
    }
    const deliver = (id: number, name: string) =>
      sendWebhook(`${server.url}/webhooks/github`, {
        event: 'watch',
        payload: watch(id, name),
        secret: WEBHOOK_SECRET,
      });
    const rowOf = (name: string) =>
      page.locator('tr', { has: page.getByRole('link', { name: `octocat/${name}`, exact: true }) });

    it('refuses a wrong password and lands on the overview with the right one', async () => {
      await open('/dashboard');
      await page.getByLabel('Dashboard password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toContain('That password is not right.');
      await page.getByLabel('Dashboard password').fill(PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${server.url}/dashboard`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
      expect(unexpected(401)).toEqual([]);
    });

    it('shows a mirror that a signed webhook created, without a reload', async () => {
      await sourceRepo(910_001, 'hello');
      await open('/dashboard/mirrors');
      await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
      expect((await deliver(910_001, 'hello')).status).toBe(202);
      await rowOf('hello').getByText('synced', { exact: true }).waitFor({ timeout: 30_000 });
      expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(
        true,
      );
    });

    it('turns a failed mirror synced with its retry button', async () => {
      await open('/dashboard/mirrors');
      // Not on GitHub yet: git finds no repository, a hard failure.
      expect((await deliver(910_002, 'flaky')).status).toBe(202);
      await rowOf('flaky').getByText('failed', { exact: true }).waitFor({ timeout: 30_000 });
      await sourceRepo(910_002, 'flaky');
      await rowOf('flaky')
        .getByRole('button', { name: 'Retry octocat/flaky', exact: true })
        .click();
      await rowOf('flaky').getByText('synced', { exact: true }).waitFor({ timeout: 30_000 });
      expect(await page.getByRole('status').first().textContent()).toContain('octocat/flaky');
      expect(problems).toEqual([]);
    });

    it('refuses a form posted without its CSRF token', async () => {
      await open('/dashboard/mirrors');
      const form = rowOf('hello').locator('form').first();
      await form.locator('input[name="_csrf"]').evaluate((input) => input.remove());
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        form.getByRole('button').click(),
      ]);
      expect(response.status()).toBe(403);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Form refused');
      expect(unexpected(403)).toEqual([]);
    });

    it('shows every page tidily at desktop and phone widths without console errors', async () => {
      const pages: Array<[string, string]> = [
        ['overview', '/dashboard'],
        ['mirrors', '/dashboard/mirrors'],
        ['mirror-detail', '/dashboard/mirrors/octocat/hello'],
        ['containers', '/dashboard/containers'],
        ['deliveries', '/dashboard/deliveries'],
        ['settings', '/dashboard/settings'],
      ];
      if (dialect === 'sqlite') mkdirSync(SHOTS, { recursive: true });
      for (const [name, path] of pages) {
        for (const [width, label] of [
          [1280, 'desktop'],
          [390, 'phone'],
        ] as const) {
          await page.setViewportSize({ width, height: label === 'phone' ? 844 : 900 });
          await open(path);
          if (name === 'mirror-detail')
            await page.getByText('Up to date').waitFor({ timeout: 15_000 });
          if (name === 'settings') {
            await page.getByRole('button', { name: 'Check the GitHub token' }).click();
            await page.getByText('GitHub accepts the token').waitFor();
          }
          if (dialect === 'sqlite')
            await page.screenshot({ path: `${SHOTS}${name}-${label}.png`, fullPage: true });
        }
      }
      expect(problems).toEqual([]);
    });

    it('ends the session on sign-out, so the old cookie no longer works', async () => {
      await page.setViewportSize({ width: 1280, height: 900 });
      await open('/dashboard');
      const [cookie] = await browser.context.cookies(server.url);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${server.url}/dashboard/login`);
      const reused = await fetch(`${server.url}/dashboard`, {
        headers: { cookie: `${cookie?.name}=${cookie?.value}` },
      });
      expect(reused.status).toBe(401);
      await open('/dashboard/mirrors');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
      expect(unexpected(401)).toEqual([]);
    });
  },
);
