import { mkdirSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type Browser,
  browserSkipReason,
  launchBrowser,
  signInAfterAWrongPassword,
  watchConsole,
} from '../../support/browser.js';
import { RepoBuilder } from '../../support/git-repos.js';
import { WEBHOOK_SECRET } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { sendWebhook, webhookExample, withRepository } from '../../support/webhooks.js';
import { type DashboardServer, PASSWORD, startDashboardServer } from './e2e-kit.js';

const skip = browserSkipReason();
const SHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
const WIDTHS = [
  [1280, 900, 'desktop'],
  [390, 844, 'phone'],
] as const;

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
      if (dialect === 'sqlite') mkdirSync(SHOTS, { recursive: true });
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

    /**
     * Opens `path` at desktop and phone widths and, once `ready` resolves, writes a full-page
     * screenshot of each to docs/screenshots (from the SQLite run only: one set is enough).
     */
    async function screenshotAtBothWidths(name: string, path: string, ready?: () => Promise<void>) {
      for (const [width, height, label] of WIDTHS) {
        await page.setViewportSize({ width, height });
        await open(path);
        await ready?.();
        if (dialect === 'sqlite')
          await page.screenshot({ path: `${SHOTS}${name}-${label}.png`, fullPage: true });
      }
      await page.setViewportSize({ width: 1280, height: 900 });
    }

    it('shows the sign-in page tidily at desktop and phone widths without console errors', async () => {
      await screenshotAtBothWidths('login', '/dashboard/login', async () => {
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
        await page.getByLabel('Dashboard password').waitFor();
      });
      expect(problems).toEqual([]);
    });

    it('refuses a wrong password and lands on the overview with the right one', async () => {
      await open('/dashboard');
      await signInAfterAWrongPassword(page, PASSWORD, server.url);
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
      // Known to GitHub's API but its git repository is missing: git finds no repository, a
      // hard failure, and the API check that follows finds nothing moved or gone.
      await sourceRepo(910_002, 'flaky');
      const path = server.pipeline.github.repoPath('octocat', 'flaky');
      renameSync(path, `${path}.away`);
      expect((await deliver(910_002, 'flaky')).status).toBe(202);
      await rowOf('flaky').getByText('failed', { exact: true }).waitFor({ timeout: 30_000 });
      renameSync(`${path}.away`, path);
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
      await screenshotAtBothWidths('overview', '/dashboard');
      await screenshotAtBothWidths('mirrors', '/dashboard/mirrors');
      await screenshotAtBothWidths('containers', '/dashboard/containers');
      await screenshotAtBothWidths('deliveries', '/dashboard/deliveries');
      await screenshotAtBothWidths('settings', '/dashboard/settings', async () => {
        await page.getByRole('button', { name: 'Check the GitHub token' }).click();
        await page.getByText('GitHub accepts the token').waitFor();
      });
      expect(problems).toEqual([]);
    });

    it("shows a pushed repository's sync step by step on its page, without a reload", async () => {
      // A new commit to mirror, and a OneDev that takes its time to accept the push.
      const repo = new RepoBuilder(server.pipeline.github.repoPath('octocat', 'hello'));
      await repo.commit('main', { files: { 'CHANGES.md': '# 1.1.0\n' } });
      server.pipeline.onedev.faults.latency(12_000, {
        times: 1,
        scope: 'git',
        match: (request) => request.method === 'POST' && request.path.endsWith('/git-receive-pack'),
      });
      const path = '/dashboard/mirrors/octocat/hello';
      await open(path);
      const state = page.getByRole('region', { name: 'Mirror state' });
      await state.getByText('synced', { exact: true }).waitFor();
      await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
      const push = withRepository(webhookExample('push'), {
        id: 910_001,
        owner: 'octocat',
        name: 'hello',
        defaultBranch: 'main',
      });
      const sent = await sendWebhook(`${server.url}/webhooks/github`, {
        event: 'push',
        payload: push,
        secret: WEBHOOK_SECRET,
      });
      expect(sent.status).toBe(202);
      await state.getByText('pushing to OneDev').waitFor({ timeout: 15_000 });
      expect(await state.textContent()).toContain('running since');
      expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(
        true,
      );

      await screenshotAtBothWidths('mirror-detail', path, async () => {
        await state.getByText('pushing to OneDev').waitFor();
        await page.getByText('Update available').waitFor({ timeout: 15_000 });
      });
      await state.getByText('synced', { exact: true }).waitFor({ timeout: 30_000 });
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
