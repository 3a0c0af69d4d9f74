import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  browserSkipReason,
  launchBrowser,
  watchConsole,
} from '../../support/browser.js';
import { type InProcessService, startInProcessService } from '../../support/service-in-process.js';

const skip = browserSkipReason();
const SHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
const WIDTHS = [
  [1280, 900, 'desktop'],
  [390, 844, 'phone'],
] as const;

/**
 * A first run as `starbridge serve` wires it: a browser opening `/` sees what to set up,
 * and once a dashboard password is set, `/` leads to the sign-in page.
 */
describe.skipIf(skip !== undefined)(
  `the first-run page in Chromium${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(() => browser?.close());

    async function withService(env: Record<string, string>, run: (url: string) => Promise<void>) {
      let service: InProcessService | undefined;
      try {
        service = await startInProcessService({ env: { CONTAINER_SOCKET: '', ...env } });
        await run(service.url);
      } finally {
        await service?.close();
      }
    }

    it('shows the setup page at / without a dashboard password or OneDev', async () => {
      // Empty values count as unset, as in a fresh .env.
      await withService({ ONEDEV_URL: '', ONEDEV_TOKEN: '' }, async (url) => {
        const page = await browser.context.newPage();
        const problems = watchConsole(page);

        for (const [width, height, label] of WIDTHS) {
          await page.setViewportSize({ width, height });
          await page.goto(`${url}/`);
          expect(page.url()).toBe(`${url}/`);
          expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
            'Set up Starbridge',
          );
          const onedev = page.locator('tr', { hasText: 'OneDev' });
          expect(await onedev.getByText('missing').isVisible()).toBe(true);
          expect(await onedev.locator('code').allTextContents()).toEqual([
            'ONEDEV_URL',
            'ONEDEV_TOKEN',
          ]);
          const github = page.locator('tr', { hasText: 'read your stars' });
          expect(await github.getByText('configured').isVisible()).toBe(true);
          await page.screenshot({ path: `${SHOTS}setup-${label}.png`, fullPage: true });
        }
        expect(problems).toEqual([]);
        const guide = page.getByRole('link', { name: 'getting-started guide' });
        await page.goto(new URL((await guide.getAttribute('href')) ?? '', url).href);
        expect(await page.locator('body').textContent()).toMatch(/^# Getting started/);
        await page.close();
      });
    });

    it('leads from / to the sign-in page once DASHBOARD_PASSWORD is set', async () => {
      await withService({ DASHBOARD_PASSWORD: 'first run dashboard password' }, async (url) => {
        const page = await browser.context.newPage();
        await page.goto(`${url}/`);
        // The dashboard answers a visitor without a session with its sign-in form.
        expect(page.url()).toBe(`${url}/dashboard`);
        await page.getByLabel('Dashboard password').waitFor();
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
        await page.close();
      });
    });
  },
);
