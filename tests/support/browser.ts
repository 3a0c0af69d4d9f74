import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's Chromium, installed by `.ci/run` (apt-get install chromium). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * As root in a sandboxed machine: no sandbox, no GPU, and none of Chromium's background
 * connections (this network refuses them, many at a time).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Why browser tests cannot run here, or undefined when they can. Under CI the browser is
 * required: a missing one throws, so the suite fails instead of passing by skipping.
 */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const reason = `${CHROMIUM_PATH} is not installed (apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${reason}`);
  return reason;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A real headless Chromium with a fresh, throw-away profile (`--user-data-dir`). */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'starbridge-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Collects console errors, failed loads and uncaught exceptions of a page. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return problems;
}

/**
 * On the sign-in page: a wrong password gets the one generic refusal, then the right one
 * (typed, sent with Enter) lands on the overview at `baseUrl`/dashboard.
 */
export async function signInAfterAWrongPassword(
  page: Page,
  password: string,
  baseUrl: string,
): Promise<void> {
  await page.getByLabel('Dashboard password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect
    .poll(() => page.getByRole('alert').textContent())
    .toContain('That password is not right.');
  await page.getByLabel('Dashboard password').fill(password);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${baseUrl}/dashboard`);
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
}
