import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/dashboard/password.js';
import { seedMirror } from '../../integration/admin/admin-kit.js';
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
import {
  type DashboardServer,
  HOSTILE,
  HOSTILE_CONTAINER,
  PASSWORD,
  signInPage,
  startDashboardServer,
} from './e2e-kit.js';

const skip = browserSkipReason();

describe.skipIf(skip !== undefined).each(DIALECTS)(
  `dashboard actions and outside text in Chromium on %s${skip ? ` (skipped: ${skip})` : ''}`,
  (dialect) => {
    let server: DashboardServer;
    let browser: Browser;
    let page: Page;
    let problems: string[];
    let passwordHash: string;
    /** Every HTML body the browser received: pages, live-region polls, error pages. */
    const bodies: string[] = [];

    beforeAll(async () => {
      passwordHash = await hashPassword(PASSWORD);
      [server, browser] = await Promise.all([
        startDashboardServer(dialect, {
          signIn: { passwordHash },
          extraContainers: [HOSTILE_CONTAINER],
        }),
        launchBrowser(),
      ]);
      page = await browser.context.newPage();
      problems = watchConsole(page);
      page.on('response', async (response) => {
        if (!(response.headers()['content-type'] ?? '').includes('text/html')) return;
        bodies.push(await response.text().catch(() => ''));
      });
      await signInPage(page, server.url);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });
    beforeEach(() => {
      problems.length = 0;
    });

    const open = (path: string) => page.goto(`${server.url}${path}`);
    const notice = () => page.getByRole('status').first().textContent();
    const ran = () => page.evaluate(() => (globalThis as { xss?: number }).xss);

    /** A repository on the GitHub double, mirrored through a signed webhook and synced. */
    async function mirrored(id: number, name: string, branches: string[] = []) {
      server.pipeline.github.addRepo({ id, owner: 'octocat', name, defaultBranch: 'main' });
      const repo = new RepoBuilder(server.pipeline.github.repoPath('octocat', name));
      await repo.commit('main', { files: { 'README.md': `# ${name}\n` } });
      for (const branch of branches) await repo.commit(branch, { files: { 'b.txt': branch } });
      const payload = withRepository(webhookExample('watch', 'started'), {
        id,
        owner: 'octocat',
        name,
        defaultBranch: 'main',
      });
      const sent = await sendWebhook(`${server.url}/webhooks/github`, {
        event: 'watch',
        payload,
        secret: WEBHOOK_SECRET,
      });
      expect(sent.status).toBe(202);
      await expect
        .poll(async () => (await server.pipeline.mirrors.runsOf(id, 5))[0]?.result, {
          timeout: 30_000,
        })
        .toBe('synced');
    }

    it('shows outside text literally on every page that shows it, and runs none of it', async () => {
      await mirrored(920_001, 'hostile', [HOSTILE.script]);
      await seedMirror(server.pipeline.handle, 'evil/broken', {
        status: 'failed',
        last_error: `push rejected: ${HOSTILE.script} ${HOSTILE.img}`,
        last_attempt_at: new Date().toISOString(),
        next_attempt_at: null,
      });
      const ping = await sendWebhook(`${server.url}/webhooks/github`, {
        event: HOSTILE.script,
        payload: webhookExample('ping'),
        secret: WEBHOOK_SECRET,
        deliveryId: HOSTILE.img,
      });
      expect(ping.status).toBe(202);

      const text = async () => (await page.locator('main').textContent()) ?? '';
      await open('/dashboard/mirrors?status=failed');
      expect(await text()).toContain(`push rejected: ${HOSTILE.script} ${HOSTILE.img}`);

      await page.getByRole('link', { name: 'evil/broken', exact: true }).click();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('evil/broken');
      expect(await text()).toContain(`push rejected: ${HOSTILE.script} ${HOSTILE.img}`);

      await open('/dashboard/mirrors/octocat/hostile');
      const refs = await page.locator('td[data-label="Refs"]').first().getAttribute('title');
      expect(refs).toContain(`created refs/heads/${HOSTILE.script}`);

      await open('/dashboard/deliveries');
      expect(await text()).toContain(HOSTILE.script);
      expect(await text()).toContain(HOSTILE.img);
      expect(await text()).toContain(`event ${HOSTILE.script} is not used by Starbridge`);

      await open('/dashboard/containers');
      expect(await text()).toContain(HOSTILE.img);
      expect(await text()).toContain(`octocat/hello@${HOSTILE.script}`);
      expect(await text()).toContain(`engine said ${HOSTILE.script}`);

      expect(await ran()).toBeUndefined();
      expect(problems).toEqual([]);
    });

    it('syncs a mirror now from the list', async () => {
      await mirrored(920_002, 'again');
      await open('/dashboard/mirrors');
      const row = page.locator('tr', { has: page.getByRole('link', { name: 'octocat/again' }) });
      await row.getByRole('button', { name: 'Sync now octocat/again', exact: true }).click();
      expect(await notice()).toContain('octocat/again is queued to sync.');
      await expect
        .poll(async () => (await server.pipeline.mirrors.runsOf(920_002, 5)).length, {
          timeout: 30_000,
        })
        .toBe(2);
      expect(problems).toEqual([]);
    });

    it('stops mirroring, keeping the OneDev project or deleting it', async () => {
      await mirrored(920_003, 'keep');
      await mirrored(920_004, 'drop');
      const stop = async (name: string, deleteProject: boolean) => {
        await open(`/dashboard/mirrors/octocat/${name}`);
        await page.getByRole('checkbox', { name: `Stop mirroring octocat/${name}` }).check();
        if (deleteProject) {
          await page.getByRole('checkbox', { name: 'Also delete the OneDev project' }).check();
        }
        await page.getByRole('button', { name: 'Stop mirroring', exact: true }).click();
        await page.waitForURL(`${server.url}/dashboard/mirrors`);
      };
      await stop('keep', false);
      expect(await notice()).toBe('Stopped mirroring octocat/keep.');
      expect(await server.pipeline.mirrors.findByName('octocat/keep')).toBeUndefined();
      expect(server.pipeline.onedev.projectByPath('github/octocat/keep')).toBeDefined();

      await stop('drop', true);
      expect(await notice()).toBe('Stopped mirroring octocat/drop and deleted its OneDev project.');
      expect(server.pipeline.onedev.projectByPath('github/octocat/drop')).toBeUndefined();
      expect(problems).toEqual([]);
    });

    it('starts, stops, restarts and rebuilds containers', async () => {
      await open('/dashboard/containers');
      server.containers.calls.length = 0;
      await page.getByRole('button', { name: 'Start docs-worker', exact: true }).click();
      expect(await notice()).toBe('Start of docs-worker done.');
      await page.getByRole('button', { name: 'Stop blog-web', exact: true }).click();
      await page.getByRole('button', { name: 'Restart blog-web', exact: true }).click();
      expect(await notice()).toBe('Restart of blog-web done.');
      await page.getByLabel('Compose service (empty for all)').fill('web');
      await page.getByRole('button', { name: 'Rebuild', exact: true }).click();
      expect(await notice()).toBe('Rebuild finished: rebuilt web');
      expect(server.containers.calls).toEqual([
        'start docs-worker',
        'stop blog-web',
        'restart blog-web',
        'rebuild web',
      ]);
      expect(problems).toEqual([]);
    });

    it('checks the OneDev and GitHub tokens from Settings', async () => {
      await open('/dashboard/settings');
      await page.getByRole('button', { name: 'Check the OneDev token' }).click();
      const onedev = page.getByRole('status').filter({ hasText: 'OneDev' });
      expect(await onedev.textContent()).toContain('accepts the token of admin');
      expect(await onedev.textContent()).toContain("can create projects under 'github'");
      await page.getByRole('button', { name: 'Check the GitHub token' }).click();
      const github = page.getByRole('status').filter({ hasText: 'GitHub accepts' });
      expect(await github.textContent()).toContain('act as octocat');
      expect(problems).toEqual([]);
    });

    it('never shows the session token or the password hash, on pages or in logs (A12)', async () => {
      await open('/dashboard/mirrors/nobody/nothing');
      const [cookie] = await browser.context.cookies(server.url);
      const token = cookie?.value ?? '';
      expect(token.length).toBeGreaterThan(20);
      const secrets = {
        token,
        tokenDigest: createHash('sha256').update(token).digest('hex'),
        passwordHash,
        hashPart: passwordHash.split('$').at(-1) ?? '',
        password: PASSWORD,
      };
      const logs = server.logs.text;
      expect(logs).toContain('dashboard');
      expect(bodies.length).toBeGreaterThan(10);
      for (const [what, secret] of Object.entries(secrets)) {
        expect(
          bodies.filter((body) => body.includes(secret)),
          what,
        ).toEqual([]);
        expect(logs.includes(secret), what).toBe(false);
      }
    });
  },
);
