import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { operations } from '../../../src/admin/admin.operations.js';
import { tokensEqual } from '../../../src/admin/admin-auth.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';
import { ADMIN_TOKEN, adminApp, auth, expectError, seedMirror } from './admin-kit.js';

/** One concrete request per admin route, with path parameters filled in. */
const EVERY_ROUTE = Object.values(operations)
  .filter((op) => op.auth !== false)
  .map((op) => ({
    method: op.method.toUpperCase(),
    path: op.path.replace('{owner}', 'octocat').replace('{name}', 'hello'),
  }));

describe.each(DIALECTS)('admin API authentication on %s', (dialect) => {
  let handle: TestDb;
  beforeEach(async () => {
    handle = await createTestDb(dialect);
    await seedMirror(handle, 'octocat/hello');
  });
  afterEach(async () => handle.destroy());

  it('refuses a request without a token: 401, WWW-Authenticate: Bearer, the error shape', async () => {
    const { app } = adminApp(handle);
    const response = await app.request('/api/v1/mirrors');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await expectError(response, 401, 'Unauthorized', /Authorization: Bearer/);
  });

  it.each([
    ['a wrong token', 'Bearer not-the-token'],
    ['a prefix of the token', `Bearer ${ADMIN_TOKEN.slice(0, 10)}`],
    ['the token with a suffix', `Bearer ${ADMIN_TOKEN}x`],
    ['another scheme', `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`],
    ['the bare token without a scheme', ADMIN_TOKEN],
    ['an empty bearer', 'Bearer '],
    ['a 1 MB token', `Bearer ${'x'.repeat(1_000_000)}`],
  ])('refuses %s with 401', async (_what, authorization) => {
    const { app } = adminApp(handle);
    const response = await app.request('/api/v1/mirrors', { headers: { authorization } });
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await expectError(response, 401, 'Unauthorized', /invalid bearer token|missing/);
  });

  it('gives nothing for the webhook secret or a session cookie (A09)', async () => {
    const { app } = adminApp(handle);
    const secret = await app.request('/api/v1/mirrors', {
      headers: { authorization: 'Bearer webhook-secret' },
    });
    await expectError(secret, 401, 'Unauthorized');
    const cookie = await app.request('/api/v1/mirrors', {
      headers: { cookie: '__Host-starbridge=session' },
    });
    await expectError(cookie, 401, 'Unauthorized');
  });

  it.each(['token', 'access_token'])(
    'refuses ?%s= even when it is right, and never logs it (A03)',
    async (param) => {
      const { app, logs } = adminApp(handle);
      const response = await app.request(`/api/v1/mirrors?${param}=${ADMIN_TOKEN}`, {
        headers: auth,
      });
      await expectError(response, 401, 'Unauthorized', /URL/);
      expect(logs.text).not.toContain(ADMIN_TOKEN);
    },
  );

  it('accepts the right token, with any case of the scheme', async () => {
    const { app, logs } = adminApp(handle);
    for (const authorization of [`Bearer ${ADMIN_TOKEN}`, `bearer ${ADMIN_TOKEN}`]) {
      const response = await app.request('/api/v1/mirrors', { headers: { authorization } });
      expect(response.status).toBe(200);
      expect(response.headers.get('www-authenticate')).toBeNull();
    }
    expect(logs.text).not.toContain(ADMIN_TOKEN);
  });

  it('compares through the constant-time path, for right and wrong tokens alike (A02)', async () => {
    const equals = vi.fn(tokensEqual);
    const { app } = adminApp(handle, { tokenEquals: equals });
    await app.request('/api/v1/mirrors', { headers: { authorization: 'Bearer short' } });
    await app.request('/api/v1/mirrors', { headers: auth });
    expect(equals.mock.calls).toEqual([
      [ADMIN_TOKEN, 'short'],
      [ADMIN_TOKEN, ADMIN_TOKEN],
    ]);
    expect(equals.mock.results.map((r) => r.value)).toEqual([false, true]);
  });

  it('answers 503 NotConfigured on every route when ADMIN_TOKEN is unset, except the OpenAPI document', async () => {
    const { app } = adminApp(handle, { token: null });
    for (const { method, path } of EVERY_ROUTE) {
      const response = await app.request(path, { method, headers: auth });
      await expectError(response, 503, 'NotConfigured', /set ADMIN_TOKEN to enable the admin API/);
    }
    const unknown = await app.request('/api/v1/anything', { headers: auth });
    await expectError(unknown, 503, 'NotConfigured');
    const document = await app.request('/api/v1/openapi.json');
    expect(document.status).toBe(200);
  });

  it('serves the OpenAPI document without a token', async () => {
    const { app } = adminApp(handle);
    const response = await app.request('/api/v1/openapi.json');
    expect(response.status).toBe(200);
    expect(((await response.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('requires the token on every route, and does not reveal which routes exist', async () => {
    const { app } = adminApp(handle);
    for (const { method, path } of EVERY_ROUTE) {
      await expectError(await app.request(path, { method }), 401, 'Unauthorized');
    }
    await expectError(await app.request('/api/v1/nothing-here'), 401, 'Unauthorized');
    await expectError(
      await app.request('/api/v1/nothing-here', { headers: auth }),
      404,
      'NotFound',
    );
  });
});
