import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { type DashboardServer, signInPage, startDashboardServer } from './e2e-kit.js';

const KEYS_SECRET = 'browser-keys-secret-0123456789abcdefghij';
const skip = browserSkipReason();

/** The fingerprint `ssh-keygen -l` computes for a public key line. */
function sshKeygenFingerprint(publicKey: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'starbridge-pubkey-'));
  try {
    writeFileSync(join(dir, 'key.pub'), `${publicKey}\n`);
    const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'key.pub')]);
    return out.toString().split(' ')[1] ?? '';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(skip !== undefined).each(DIALECTS)(
  `SSH deploy keys in the dashboard, in Chromium on %s${skip ? ` (skipped: ${skip})` : ''}`,
  (dialect) => {
    let server: DashboardServer;
    let browser: Browser;
    let page: Page;
    let problems: string[];
    const bodies: string[] = [];

    beforeAll(async () => {
      [server, browser] = await Promise.all([
        startDashboardServer(dialect, { env: { KEYS_SECRET } }),
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

    const notice = () => page.getByRole('status').first().textContent();
    const keyRow = (name: string) => page.locator(`#ssh-keys tr[data-key="${name}"]`);

    it('generates a named key and shows its public key and fingerprint, never the private key', async () => {
      await page.goto(`${server.url}/dashboard/settings`);
      await page.getByLabel('Key name').fill('octocat-private');
      await page.getByRole('button', { name: 'Generate key' }).click();
      await page.waitForURL(`${server.url}/dashboard/settings#ssh-keys`);
      expect(await notice()).toContain('Generated key octocat-private (SHA256:');

      const row = keyRow('octocat-private');
      const publicKey = (await row.locator('code.public-key').textContent()) ?? '';
      const fingerprint = (await row.locator('code.fingerprint').textContent()) ?? '';
      expect(publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\S+ starbridge-octocat-private$/);
      // What the page shows is what OpenSSH computes for that public key.
      expect(fingerprint).toBe(sshKeygenFingerprint(publicKey));
      expect(await notice()).toContain(fingerprint);

      // A second key of the same name is refused with a readable notice.
      await page.getByLabel('Key name').fill('octocat-private');
      await page.getByRole('button', { name: 'Generate key' }).click();
      await page.waitForURL(`${server.url}/dashboard/settings#ssh-keys`);
      expect(await notice()).toContain('a key named octocat-private already exists');

      expect(bodies.join('\n')).not.toMatch(/PRIVATE KEY|b3BlbnNzaC1rZXktdjE/);
      expect(problems).toEqual([]);
    });

    it('sets a mirror to the key, refuses to delete a key in use, and deletes it once unused', async () => {
      const p = server.pipeline;
      p.github.addRepo({ id: 4242, owner: 'octocat', name: 'keyed', defaultBranch: 'main' });
      const repo = new RepoBuilder(p.github.repoPath('octocat', 'keyed'));
      await repo.commit('main', { files: { 'README.md': '# keyed\n' } });
      const synced = p.nextSync(4242);
      const payload = withRepository(webhookExample('watch', 'started'), {
        id: 4242,
        owner: 'octocat',
        name: 'keyed',
        defaultBranch: 'main',
      });
      await sendWebhook(`${server.url}/webhooks/github`, {
        event: 'watch',
        payload,
        secret: WEBHOOK_SECRET,
      });
      await synced;

      await page.goto(`${server.url}/dashboard/mirrors/octocat/keyed`);
      expect(await page.locator('#ssh-key').textContent()).toContain('Fetched over HTTPS');
      await page.getByLabel('Deploy key').selectOption('octocat-private');
      await page.getByRole('button', { name: 'Use this key' }).click();
      await page.waitForURL(`${server.url}/dashboard/mirrors/octocat/keyed`);
      expect(await notice()).toContain('fetches over SSH with key octocat-private');
      expect(await page.locator('#ssh-key').textContent()).toContain(
        'Fetched over SSH with the deploy key octocat-private',
      );

      await page.goto(`${server.url}/dashboard/settings`);
      const row = keyRow('octocat-private');
      expect(await row.textContent()).toContain('octocat/keyed');
      expect(
        await row.getByRole('button', { name: 'Delete key octocat-private' }).isDisabled(),
      ).toBe(true);

      await page.goto(`${server.url}/dashboard/mirrors/octocat/keyed`);
      await page.getByLabel('Deploy key').selectOption('');
      await page.getByRole('button', { name: 'Use this key' }).click();
      await page.waitForURL(`${server.url}/dashboard/mirrors/octocat/keyed`);
      expect(await notice()).toContain('fetches over HTTPS');

      await page.goto(`${server.url}/dashboard/settings`);
      await keyRow('octocat-private')
        .getByRole('button', { name: 'Delete key octocat-private' })
        .click();
      await page.waitForURL(`${server.url}/dashboard/settings#ssh-keys`);
      expect(await notice()).toContain('Deleted key octocat-private');
      expect(await keyRow('octocat-private').count()).toBe(0);
      expect(problems).toEqual([]);
    });
  },
);
