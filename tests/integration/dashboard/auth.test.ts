import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/dashboard/password.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';
import {
  cookieHeader,
  cookiesOf,
  csrfOf,
  dashboardApp,
  form,
  PASSWORD,
  signIn,
} from './dashboard-kit.js';

const BASE = 'http://localhost';

describe.each(DIALECTS)('dashboard sign-in, sessions and CSRF on %s', (dialect) => {
  let handle: TestDb | undefined;
  const open: TestDb[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((h) => h.destroy()));
  });
  async function start(options: Parameters<typeof dashboardApp>[1] = {}) {
    handle = await createTestDb(dialect);
    open.push(handle);
    return dashboardApp(handle, options);
  }
  const get = (
    app: { request: (url: string, init?: RequestInit) => Response | Promise<Response> },
    path: string,
    cookies: Record<string, string>,
  ) => app.request(`${BASE}${path}`, { headers: { cookie: cookieHeader(cookies) } });

  it('refuses a wrong password with a generic message and signs in with the right one', async () => {
    const { app, logs } = await start();
    const wrong = await signIn(app, 'guess');
    expect(wrong.response.status).toBe(401);
    expect(await wrong.response.text()).toContain('That password is not right.');
    expect(wrong.cookies.starbridge_session).toBeUndefined();
    const right = await signIn(app);
    expect(right.response.status).toBe(303);
    expect(right.response.headers.get('location')).toBe('/dashboard');
    const overview = await get(app, '/dashboard', right.cookies);
    expect(overview.status).toBe(200);
    expect(await overview.text()).toContain('<h1>Overview</h1>');
    expect(logs.text).not.toContain('guess');
    expect(logs.text).not.toContain(PASSWORD);
  });

  it('sets an HttpOnly SameSite=Strict cookie, Secure and __Host- prefixed over https', async () => {
    const { app } = await start({ env: { PUBLIC_URL: 'https://starbridge.example.com' } });
    const { response } = await signIn(app, PASSWORD, 'https://starbridge.example.com');
    const line = response.headers
      .getSetCookie()
      .find((l) => l.startsWith('__Host-starbridge_session='));
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; Secure/);
    expect(line).toMatch(/; SameSite=Strict/);
    expect(line).toMatch(/; Path=\//);
    expect(line).not.toMatch(/Domain=/i);
    const plain = await start();
    const http = await signIn(plain.app);
    const httpLine = http.response.headers
      .getSetCookie()
      .find((l) => l.startsWith('starbridge_session='));
    expect(httpLine).toMatch(/HttpOnly/);
    expect(httpLine).not.toMatch(/Secure/);
  });

  it('gives a new session id at each sign-in and stores only its hash', async () => {
    const { app } = await start();
    const first = (await signIn(app)).cookies.starbridge_session ?? '';
    const second = (await signIn(app)).cookies.starbridge_session ?? '';
    expect(first).not.toBe(second);
    const rows = await handle!.db
      .withTables<{ dashboard_sessions: { id: string } }>()
      .selectFrom('dashboard_sessions')
      .select('id')
      .execute();
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.id)).not.toContain(first);
  });

  it('ends the session on the server at sign-out: the old cookie gets 401', async () => {
    const { app } = await start();
    const { cookies } = await signIn(app);
    const page = await get(app, '/dashboard', cookies);
    const csrf = csrfOf(await page.text());
    const out = await app.request(
      `${BASE}/dashboard/logout`,
      form({ _csrf: csrf }, { cookie: cookieHeader(cookies), origin: BASE }),
    );
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/dashboard/login');
    expect((await get(app, '/dashboard', cookies)).status).toBe(401);
  });

  it('refuses forms without the token, with a wrong one, from another origin or a cross-site fetch', async () => {
    const { app } = await start();
    const { cookies } = await signIn(app);
    const csrf = csrfOf(await (await get(app, '/dashboard/mirrors', cookies)).text());
    const post = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
      app.request(
        `${BASE}/dashboard/mirrors/retry-failed`,
        form(fields, { cookie: cookieHeader(cookies), ...headers }),
      );
    expect((await post({})).status).toBe(403);
    expect((await post({ _csrf: `${csrf}x` })).status).toBe(403);
    expect((await post({ _csrf: csrf }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post({ _csrf: csrf }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const ok = await post({ _csrf: csrf }, { origin: BASE, 'sec-fetch-site': 'same-origin' });
    expect(ok.status).toBe(303);
    const after = await (await get(app, '/dashboard/mirrors', cookies)).text();
    expect(after).toContain('No failed mirror to retry.');
  });

  it('refuses a forged sign-in form (no login token) and a 1 MB password before hashing', async () => {
    const { app } = await start();
    const forged = await app.request(`${BASE}/dashboard/login`, form({ password: PASSWORD }));
    expect(forged.status).toBe(403);
    const page = await app.request(`${BASE}/dashboard/login`);
    const huge = await app.request(
      `${BASE}/dashboard/login`,
      form(
        { _csrf: csrfOf(await page.text()), password: 'x'.repeat(1_000_000) },
        { cookie: cookieHeader(cookiesOf(page)) },
      ),
    );
    expect(huge.status).toBe(413);
  });

  it('throttles repeated failures before checking the password', async () => {
    const { app } = await start({
      limits: { freeFailures: 2, baseDelayMs: 60_000, maxDelayMs: 60_000, globalPerMinute: 100 },
    });
    expect((await signIn(app, 'a')).response.status).toBe(401);
    expect((await signIn(app, 'b')).response.status).toBe(401);
    const blocked = await signIn(app, PASSWORD);
    expect(blocked.response.status).toBe(429);
    expect(blocked.response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(blocked.cookies.starbridge_session).toBeUndefined();
  });

  it('signs in with a scrypt hash from hash-password', async () => {
    const hash = await hashPassword('hashed secret', { N: 1024, r: 8, p: 1 });
    const { app } = await start({ env: { DASHBOARD_PASSWORD: '', DASHBOARD_PASSWORD_HASH: hash } });
    expect((await signIn(app, 'wrong')).response.status).toBe(401);
    expect((await signIn(app, 'hashed secret')).response.status).toBe(303);
  });

  it('is off with a clear 404 page when no password is configured', async () => {
    const { app } = await start({ env: { DASHBOARD_PASSWORD: '' } });
    const off = await app.request(`${BASE}/dashboard`);
    expect(off.status).toBe(404);
    expect(await off.text()).toContain('DASHBOARD_PASSWORD');
  });

  it('sends a CSP without unsafe-inline, and answers signed-out pages with 401 and the sign-in form', async () => {
    const { app } = await start();
    const page = await app.request(`${BASE}/dashboard/mirrors?status=failed`);
    expect(page.status).toBe(401);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('name="next" value="/dashboard/mirrors?status=failed"');
    const htmx = await app.request(`${BASE}/dashboard/mirrors`, {
      headers: { 'hx-request': 'true' },
    });
    expect(htmx.headers.get('hx-redirect')).toBe('/dashboard/login');
    // Mounted at the root, the dashboard leaves every other path alone.
    expect((await app.request(`${BASE}/nowhere`)).status).toBe(404);
    expect((await app.request(`${BASE}/health/live`)).status).toBe(200);
    const asset = await app.request(`${BASE}/dashboard/assets/htmx.min.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
  });
});
