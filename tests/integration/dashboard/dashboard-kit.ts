import { tmpdir } from 'node:os';
import type { Hono } from 'hono';
import { type Config, loadConfig } from '../../../src/config/config.js';
import { dashboardRoutes } from '../../../src/dashboard/dashboard.routes.js';
import type { LoginLimits } from '../../../src/dashboard/login-limiter.js';
import type { DbHandle } from '../../../src/db/database.js';
import { createGitHubClient } from '../../../src/github/github.client.js';
import { createHealthService, type HealthProbe } from '../../../src/health/health.service.js';
import { createApp } from '../../../src/http/app.js';
import { createMirrorService } from '../../../src/mirrors/mirror.service.js';
import { createLogger } from '../../../src/shared/logger.js';
import { LogCapture } from '../admin/admin-kit.js';

export const PASSWORD = 'correct horse battery staple';

export interface DashboardApp {
  app: Hono;
  logs: LogCapture;
}

/** The real app with the dashboard mounted, on a test database; no socket. */
export function dashboardApp(
  handle: DbHandle,
  options: {
    env?: Record<string, string>;
    limits?: LoginLimits;
    /** Integration probes, built from the configuration this kit loads. */
    probes?: (config: Config) => HealthProbe[];
  } = {},
): DashboardApp {
  const logs = new LogCapture();
  const log = createLogger({ level: 'debug', destination: logs });
  const config = loadConfig({ DASHBOARD_PASSWORD: PASSWORD, ...options.env });
  const clock = { now: () => new Date() };
  const health = createHealthService({
    db: handle,
    dataDir: tmpdir(),
    probes: options.probes?.(config) ?? [],
  });
  const routes = dashboardRoutes({
    config,
    log,
    handle,
    mirrors: createMirrorService({ handle, clock }),
    health,
    github: createGitHubClient({ apiUrl: 'http://127.0.0.1:9' }),
    clock,
    loginLimits: options.limits,
  });
  return {
    app: createApp({
      log,
      health,
      routes: [routes],
    }),
    logs,
  };
}

/** The `name=value` pairs of every Set-Cookie, for sending back. */
export function cookiesOf(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of response.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const at = pair.indexOf('=');
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

export const cookieHeader = (cookies: Record<string, string>) =>
  Object.entries(cookies)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');

export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF field on the page');
  return match[1];
}

export function form(
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  };
}

/** Opens the sign-in page and posts the password; returns the answer and the cookies. */
export async function signIn(app: Hono, password = PASSWORD, base = 'http://localhost') {
  const page = await app.request(`${base}/dashboard/login`);
  const cookies = cookiesOf(page);
  const csrf = csrfOf(await page.text());
  const response = await app.request(
    `${base}/dashboard/login`,
    form({ _csrf: csrf, password, next: '/dashboard' }, { cookie: cookieHeader(cookies) }),
  );
  return { response, cookies: { ...cookies, ...cookiesOf(response) } };
}
