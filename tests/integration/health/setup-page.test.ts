import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import type { HealthService } from '../../../src/health/health.service.js';
import { describeSetup } from '../../../src/health/setup.js';
import { createApp } from '../../../src/http/app.js';
import { urlToOpen } from '../../../src/http/listen.js';
import { createLogger } from '../../../src/shared/logger.js';

const log = createLogger({ level: 'silent' });

/** The page must answer from the configuration alone: any probe (database, network) fails it. */
const untouchedHealth: HealthService = {
  ready: () => Promise.reject(new Error('the setup page must not check readiness')),
  report: () => Promise.reject(new Error('the setup page must not probe integrations')),
};

function appWith(env: Record<string, string>) {
  return createApp({ log, health: untouchedHealth, setup: describeSetup(loadConfig(env)) });
}

/** The table row of one integration, tags stripped. */
function rowText(html: string, name: string): string {
  const row = html.split('<tr>').find((r) => r.includes(`<strong>${name}</strong>`)) ?? '';
  return row.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

describe('the first-run page at /', () => {
  it('lists each integration as configured or missing with the variables to set, and no secret', async () => {
    const secrets = {
      GITHUB_TOKEN: 'ghp_setupPageSecretToken0001',
      ADMIN_TOKEN: 'admin-setup-secret-01',
    };
    const res = await appWith({ ...secrets, CONTAINER_SOCKET: '' }).request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('<h1>Set up Starbridge</h1>');
    expect(rowText(html, 'GitHub')).toMatch(
      /configured GITHUB_TOKEN or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY/,
    );
    expect(rowText(html, 'OneDev')).toMatch(/ missing ONEDEV_URL and ONEDEV_TOKEN/);
    expect(rowText(html, 'Admin API')).toMatch(/ configured ADMIN_TOKEN/);
    expect(rowText(html, 'Dashboard')).toMatch(
      / off DASHBOARD_PASSWORD or DASHBOARD_PASSWORD_HASH/,
    );
    expect(rowText(html, 'Container restarts')).toMatch(/ off CONTAINER_SOCKET/);
    expect(rowText(html, 'GitHub webhooks')).toMatch(/ off GITHUB_WEBHOOK_SECRET/);
    expect(html).toMatch(/Nothing is mirrored until OneDev is configured/);
    expect(html).toContain('<a href="/getting-started">getting-started guide</a>');
    for (const value of Object.values(secrets)) expect(html).not.toContain(value);
  });

  it('serves the getting-started guide it links to', async () => {
    const res = await appWith({}).request('/getting-started');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toMatch(/^# Getting started/);
  });

  it('redirects to the dashboard once it has a password', async () => {
    const withPassword: Array<Record<string, string>> = [
      { DASHBOARD_PASSWORD: 'a dashboard password' },
      { DASHBOARD_PASSWORD_HASH: 'scrypt$131072$8$1$c2FsdA$c2VjcmV0' },
    ];
    for (const env of withPassword) {
      const res = await appWith(env).request('/');
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/dashboard');
    }
  });
});

describe('the URL the startup line says to open', () => {
  it('is PUBLIC_URL, else the bound address with localhost for a wildcard host', () => {
    expect(urlToOpen({ host: '0.0.0.0' }, 3000)).toBe('http://localhost:3000/');
    expect(urlToOpen({ host: '::' }, 8080)).toBe('http://localhost:8080/');
    expect(urlToOpen({ host: '127.0.0.1' }, 3000)).toBe('http://127.0.0.1:3000/');
    expect(urlToOpen({ host: '::1' }, 3000)).toBe('http://[::1]:3000/');
    expect(urlToOpen({ host: '0.0.0.0', publicUrl: 'https://sb.example.org/' }, 3000)).toBe(
      'https://sb.example.org/',
    );
  });
});
