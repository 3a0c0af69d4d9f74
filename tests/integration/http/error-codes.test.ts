import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../../src/admin/admin.routes.js';
import { createGitHubClient } from '../../../src/github/github.client.js';
import { createHealthService } from '../../../src/health/health.service.js';
import { createApp } from '../../../src/http/app.js';
import { createMetrics } from '../../../src/metrics/metrics.js';
import { metricsRoutes } from '../../../src/metrics/metrics.routes.js';
import { createMirrorService } from '../../../src/mirrors/mirror.service.js';
import { systemClock } from '../../../src/shared/clock.js';
import {
  ERROR_CODES,
  type ErrorCode,
  ForbiddenError,
  RateLimitedError,
} from '../../../src/shared/errors.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createWebhookService } from '../../../src/webhooks/webhook.service.js';
import { createTestDb, type TestDb } from '../../support/test-db.js';
import { signWebhook, webhookRequest } from '../../support/webhooks.js';
import { ADMIN_TOKEN, auth, seedMirror } from '../admin/admin-kit.js';

const SECRET = 'webhook-secret-for-error-codes';
const METRICS_TOKEN = 'metrics-token-for-error-codes';
const log = createLogger({ level: 'silent' });

/** A route that raises what no JSON route of the product raises today, through the same edge. */
function probeRoutes(): Hono {
  return new Hono()
    .get('/probe/forbidden', () => {
      throw new ForbiddenError('not for you');
    })
    .get('/probe/rate-limited', () => {
      throw new RateLimitedError('too many requests; wait a little', 30);
    })
    .get('/probe/http-exception', () => {
      throw new HTTPException(400, { message: 'malformed request' });
    })
    .get('/probe/bug', () => {
      throw new Error('password=hunter2 in an internal message');
    });
}

interface Apps {
  /** Admin API, webhooks, metrics behind a token, and the probes: the product's routes. */
  full: Hono;
  /** No ADMIN_TOKEN and no webhook secret. */
  unconfigured: Hono;
  /** A webhook service whose store is down. */
  storeDown: Hono;
}

function buildApps(handle: TestDb): Apps {
  const mirrors = createMirrorService({ handle, clock: systemClock });
  const health = createHealthService({ db: handle, dataDir: '/tmp', probes: [] });
  const github = createGitHubClient({ apiUrl: 'http://127.0.0.1:9', timeoutMs: 1_000 });
  const webhookService = createWebhookService({
    handle,
    clock: systemClock,
    mirrors,
    starsUser: 'starrer',
  });
  const metrics = createMetrics({ handle, clock: systemClock });
  const admin = (token: string | undefined) => adminRoutes({ token, handle, mirrors, github });
  return {
    full: createApp({
      log,
      health,
      webhooks: { secret: SECRET, service: webhookService, maxBytes: 1_000 },
      routes: [admin(ADMIN_TOKEN), metricsRoutes(metrics, METRICS_TOKEN), probeRoutes()],
    }),
    unconfigured: createApp({
      log,
      health,
      webhooks: { secret: undefined, service: webhookService },
      routes: [admin(undefined)],
    }),
    storeDown: createApp({
      log,
      health,
      webhooks: {
        secret: SECRET,
        service: {
          receive: async () => {
            throw new Error('connection refused');
          },
        },
      },
    }),
  };
}

const webhookBody = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
const signedPing = (body = webhookBody) =>
  webhookRequest({ event: 'ping', body, secret: SECRET }).headers;

interface Case {
  name: string;
  app: keyof Apps;
  path: string;
  init?: RequestInit;
  status: number;
  code: ErrorCode;
  message: RegExp;
  headers?: Record<string, RegExp>;
}

const json = (body: string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  body,
  headers: { ...auth, 'content-type': 'application/json', ...headers },
});

const CASES: Case[] = [
  {
    name: 'an admin body that fails validation',
    app: 'full',
    path: '/api/v1/mirrors',
    init: json('{}'),
    status: 400,
    code: 'ValidationError',
    message: /repo: is required/,
  },
  {
    name: 'an admin body that is not JSON',
    app: 'full',
    path: '/api/v1/mirrors',
    init: json('{"repo": '),
    status: 400,
    code: 'InvalidJson',
    message: /not valid JSON/,
  },
  {
    name: 'a webhook body that is not JSON',
    app: 'full',
    path: '/webhooks/github',
    init: { method: 'POST', body: '{"zen":', headers: signedPing('{"zen":') },
    status: 400,
    code: 'InvalidJson',
    message: /not valid JSON/,
  },
  {
    name: 'a webhook body that is JSON of the wrong shape',
    app: 'full',
    path: '/webhooks/github',
    init: { method: 'POST', body: '[1]', headers: signedPing('[1]') },
    status: 400,
    code: 'InvalidPayload',
    message: /payload not understood/,
  },
  {
    name: 'a webhook without its event header',
    app: 'full',
    path: '/webhooks/github',
    init: {
      method: 'POST',
      body: webhookBody,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signWebhook(SECRET, webhookBody),
      },
    },
    status: 400,
    code: 'MissingHeader',
    message: /X-GitHub-Event and X-GitHub-Delivery headers are required/,
  },
  {
    name: 'a framework refusal (HTTPException 400)',
    app: 'full',
    path: '/probe/http-exception',
    status: 400,
    code: 'BadRequest',
    message: /malformed request/,
  },
  {
    name: 'the admin API without a token',
    app: 'full',
    path: '/api/v1/mirrors',
    status: 401,
    code: 'Unauthorized',
    message: /missing bearer token/,
    headers: { 'www-authenticate': /^Bearer realm="starbridge"$/ },
  },
  {
    name: 'metrics with a wrong token',
    app: 'full',
    path: '/metrics',
    init: { headers: { authorization: 'Bearer wrong' } },
    status: 401,
    code: 'Unauthorized',
    message: /METRICS_TOKEN/,
    headers: { 'www-authenticate': /^Bearer$/ },
  },
  {
    name: 'a webhook with a wrong signature',
    app: 'full',
    path: '/webhooks/github',
    init: {
      method: 'POST',
      body: webhookBody,
      headers: { ...signedPing(), 'x-hub-signature-256': signWebhook('other', webhookBody) },
    },
    status: 401,
    code: 'InvalidSignature',
    message: /signature does not match/,
  },
  {
    name: 'a forbidden action',
    app: 'full',
    path: '/probe/forbidden',
    status: 403,
    code: 'Forbidden',
    message: /not for you/,
  },
  {
    name: 'an unknown route',
    app: 'full',
    path: '/nowhere',
    status: 404,
    code: 'NotFound',
    message: /no route for GET \/nowhere/,
  },
  {
    name: 'an unknown mirror',
    app: 'full',
    path: '/api/v1/mirrors/nobody/nothing',
    init: { headers: auth },
    status: 404,
    code: 'NotFound',
    message: /nobody\/nothing/,
  },
  {
    name: 'GET on the webhook endpoint',
    app: 'full',
    path: '/webhooks/github',
    status: 405,
    code: 'MethodNotAllowed',
    message: /delivered with POST/,
    headers: { allow: /^POST$/ },
  },
  {
    name: 'PUT on the mirror list',
    app: 'full',
    path: '/api/v1/mirrors',
    init: { method: 'PUT', headers: auth },
    status: 405,
    code: 'MethodNotAllowed',
    message: /PUT is not allowed here; \/api\/v1\/mirrors takes GET, POST/,
    headers: { allow: /^GET, POST$/ },
  },
  {
    name: 'GET on an action that only takes POST',
    app: 'full',
    path: '/api/v1/mirrors/octocat/hello/sync',
    init: { headers: auth },
    status: 405,
    code: 'MethodNotAllowed',
    message: /takes POST/,
    headers: { allow: /^POST$/ },
  },
  {
    name: 'POST on the public OpenAPI document',
    app: 'full',
    path: '/api/v1/openapi.json',
    init: { method: 'POST' },
    status: 405,
    code: 'MethodNotAllowed',
    message: /takes GET/,
    headers: { allow: /^GET$/ },
  },
  {
    name: 'retrying a mirror that has not failed',
    app: 'full',
    path: '/api/v1/mirrors/octocat/synced-fine/retry',
    init: { method: 'POST', headers: auth },
    status: 409,
    code: 'Conflict',
    message: /not failed or retrying/,
  },
  {
    name: 'an admin body above its limit',
    app: 'full',
    path: '/api/v1/mirrors',
    init: json(JSON.stringify({ repo: 'x'.repeat(20_000) })),
    status: 413,
    code: 'PayloadTooLarge',
    message: /limited to 16384 bytes/,
  },
  {
    name: 'a webhook body above its limit',
    app: 'full',
    path: '/webhooks/github',
    init: { method: 'POST', body: 'x'.repeat(2_000), headers: signedPing('x'.repeat(2_000)) },
    status: 413,
    code: 'PayloadTooLarge',
    message: /limited to 1000 bytes/,
  },
  {
    name: 'a form-encoded webhook',
    app: 'full',
    path: '/webhooks/github',
    init: {
      method: 'POST',
      body: 'payload=%7B%7D',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
    status: 415,
    code: 'UnsupportedMediaType',
    message: /content type application\/json/,
  },
  {
    name: 'too many requests',
    app: 'full',
    path: '/probe/rate-limited',
    status: 429,
    code: 'RateLimited',
    message: /wait a little/,
    headers: { 'retry-after': /^30$/ },
  },
  {
    name: 'the admin API without ADMIN_TOKEN',
    app: 'unconfigured',
    path: '/api/v1/mirrors',
    init: { headers: auth },
    status: 503,
    code: 'NotConfigured',
    message: /set ADMIN_TOKEN/,
  },
  {
    name: 'webhooks without GITHUB_WEBHOOK_SECRET',
    app: 'unconfigured',
    path: '/webhooks/github',
    init: { method: 'POST', body: webhookBody, headers: signedPing() },
    status: 503,
    code: 'NotConfigured',
    message: /set GITHUB_WEBHOOK_SECRET/,
  },
  {
    name: 'a delivery that cannot be stored',
    app: 'storeDown',
    path: '/webhooks/github',
    init: { method: 'POST', body: webhookBody, headers: signedPing() },
    status: 503,
    code: 'Unavailable',
    message: /could not be stored; redeliver it/,
  },
  {
    name: 'a bug',
    app: 'full',
    path: '/probe/bug',
    status: 500,
    code: 'InternalError',
    message: /^internal error; see the server log$/,
  },
];

describe('error answers through the real app', () => {
  let handle: TestDb;
  let apps: Apps;
  beforeAll(async () => {
    handle = await createTestDb('sqlite');
    apps = buildApps(handle);
    await seedMirror(handle, 'octocat/synced-fine', { status: 'synced' });
  });
  afterAll(async () => {
    await handle.destroy();
  });

  it.each(CASES)('$name: $status $code', async (c) => {
    const response = await apps[c.app].request(c.path, c.init);
    expect(response.status).toBe(c.status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(Object.keys(body)).toEqual(['error']);
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
    expect(body.error.code).toBe(c.code);
    expect(body.error.message).toMatch(c.message);
    for (const [name, value] of Object.entries(c.headers ?? {}))
      expect(response.headers.get(name)).toMatch(value);
  });

  it('has a case for every error code except the migration failure (not an HTTP answer)', () => {
    const covered = new Set(CASES.map((c) => c.code));
    expect(ERROR_CODES.filter((code) => !covered.has(code))).toEqual(['MigrationError']);
  });
});
