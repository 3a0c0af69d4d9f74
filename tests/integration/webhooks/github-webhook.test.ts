import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHealthService } from '../../../src/health/health.service.js';
import { createApp } from '../../../src/http/app.js';
import { createMirrorService } from '../../../src/mirrors/mirror.service.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createWebhookService } from '../../../src/webhooks/webhook.service.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';
import {
  signWebhook,
  webhookExample,
  webhookRequest,
  withRepository,
} from '../../support/webhooks.js';

const SECRET = 'webhook-secret-for-tests';
const log = createLogger({ level: 'silent' });
const REPO = { id: 4242, owner: 'octocat', name: 'hello-world', defaultBranch: 'trunk' };

describe.each(DIALECTS)('POST /webhooks/github on %s', (dialect) => {
  let handle: TestDb;
  let wakes = 0;
  beforeEach(async () => {
    handle = await createTestDb(dialect);
    wakes = 0;
  });
  afterEach(async () => {
    await handle.destroy();
  });

  function app(options: { secret?: string | undefined; maxBytes?: number } = { secret: SECRET }) {
    const mirrors = createMirrorService({
      handle,
      clock: systemClock,
      onSyncRequested: () => wakes++,
    });
    const service = createWebhookService({
      handle,
      clock: systemClock,
      mirrors,
      starsUser: 'starrer',
    });
    const health = createHealthService({ db: handle, dataDir: '/tmp', probes: [] });
    return createApp({
      log,
      health,
      webhooks: { secret: options.secret, service, maxBytes: options.maxBytes },
    });
  }

  const watchPayload = () => withRepository(webhookExample('watch', 'started'), REPO);
  const post = async (
    hono: ReturnType<typeof app>,
    request: { body: string; headers: Record<string, string> },
  ): Promise<Response> =>
    hono.request('/webhooks/github', {
      method: 'POST',
      body: request.body,
      headers: request.headers,
    });

  async function counts() {
    const deliveries = await handle.db.selectFrom('webhook_deliveries').selectAll().execute();
    const mirrors = await handle.db.selectFrom('mirrors').selectAll().execute();
    return { deliveries, mirrors };
  }

  it('turns a signed watch delivery into a queued mirror and answers 202 with the outcome', async () => {
    const res = await post(
      app(),
      webhookRequest({ event: 'watch', payload: watchPayload(), secret: SECRET }),
    );
    expect(res.status).toBe(202);
    const body = (await res.json()) as { delivery: string; outcome: string };
    expect(body.outcome).toBe('queued');
    const { deliveries, mirrors } = await counts();
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({
      event: 'watch',
      action: 'started',
      github_id: 4242,
      outcome: 'queued',
      id: body.delivery,
    });
    expect(mirrors).toHaveLength(1);
    expect(mirrors[0]).toMatchObject({
      github_id: 4242,
      full_name: 'octocat/hello-world',
      source: 'webhook',
      status: 'queued',
      default_branch: 'trunk',
    });
    expect(wakes).toBe(1);
  });

  it('stores one delivery and one sync for a delivery sent ten times, and for twenty sent at once', async () => {
    const hono = app();
    const request = webhookRequest({ event: 'watch', payload: watchPayload(), secret: SECRET });
    const sequential = [];
    for (let i = 0; i < 10; i++) sequential.push((await post(hono, request)).status);
    expect(sequential).toEqual([202, ...Array(9).fill(200)]);
    const burst = webhookRequest({
      event: 'star',
      payload: withRepository(webhookExample('star', 'created'), REPO),
      secret: SECRET,
    });
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => post(hono, burst).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(19);
    const { deliveries, mirrors } = await counts();
    expect(deliveries).toHaveLength(2);
    expect(mirrors).toHaveLength(1);
    expect(mirrors[0]?.status).toBe('queued');
  });

  it('changes nothing when a push already handled is redelivered after its sync', async () => {
    const hono = app();
    await post(hono, webhookRequest({ event: 'watch', payload: watchPayload(), secret: SECRET }));
    // The worker synced the mirror since.
    await handle.db
      .updateTable('mirrors')
      .set({ status: 'synced', next_attempt_at: null })
      .execute();
    const push = webhookRequest({
      event: 'push',
      payload: withRepository(webhookExample('push'), REPO),
      secret: SECRET,
    });
    expect(await (await post(hono, push)).json()).toMatchObject({ outcome: 'queued' });
    await handle.db
      .updateTable('mirrors')
      .set({ status: 'synced', next_attempt_at: null })
      .execute();
    const wakesBefore = wakes;
    const again = await post(hono, push);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ outcome: 'duplicate' });
    const { deliveries, mirrors } = await counts();
    expect(deliveries.map((d) => d.outcome).sort()).toEqual(['queued', 'queued']);
    expect(mirrors[0]).toMatchObject({ status: 'synced', next_attempt_at: null });
    expect(wakes).toBe(wakesBefore);
  });

  it('treats the same delivery id from another hook as a separate delivery', async () => {
    const hono = app();
    const a = webhookRequest({
      event: 'ping',
      payload: webhookExample('ping'),
      secret: SECRET,
      deliveryId: 'same',
      hookId: 1,
    });
    const b = webhookRequest({
      event: 'ping',
      payload: webhookExample('ping'),
      secret: SECRET,
      deliveryId: 'same',
      hookId: 2,
    });
    expect((await post(hono, a)).status).toBe(200);
    expect((await post(hono, b)).status).toBe(200);
    expect((await counts()).deliveries.map((d) => d.outcome)).toEqual(['pong', 'pong']);
  });

  it.each([
    ['no signature', (h: Record<string, string>) => delete h['x-hub-signature-256'], 401],
    [
      'another secret',
      (h: Record<string, string>) => (h['x-hub-signature-256'] = signWebhook('other', 'x')),
      401,
    ],
    [
      '63 hex digits',
      (h: Record<string, string>) =>
        (h['x-hub-signature-256'] = h['x-hub-signature-256']?.slice(0, -1) ?? ''),
      401,
    ],
    [
      'upper-case prefix',
      (h: Record<string, string>) =>
        (h['x-hub-signature-256'] = h['x-hub-signature-256']?.replace('sha256', 'SHA256') ?? ''),
      401,
    ],
    [
      'non-hex digits of the right length',
      (h: Record<string, string>) => (h['x-hub-signature-256'] = `sha256=${'g'.repeat(64)}`),
      401,
    ],
    [
      'the right signature with its first digits made non-hex',
      (h: Record<string, string>) =>
        (h['x-hub-signature-256'] = `sha256=zz${h['x-hub-signature-256']?.slice(9)}`),
      401,
    ],
    [
      'a space after sha256=',
      (h: Record<string, string>) =>
        (h['x-hub-signature-256'] = h['x-hub-signature-256']?.replace('=', '= ') ?? ''),
      401,
    ],
    [
      'a space before =',
      (h: Record<string, string>) =>
        (h['x-hub-signature-256'] = h['x-hub-signature-256']?.replace('=', ' =') ?? ''),
      401,
    ],
    [
      'a space inside the digits',
      (h: Record<string, string>) => {
        const valid = h['x-hub-signature-256'] ?? '';
        h['x-hub-signature-256'] = `${valid.slice(0, 39)} ${valid.slice(39)}`;
      },
      401,
    ],
    [
      // GitHub sends lower-case hex, and @octokit/webhooks compares the text as sent.
      'the right signature in upper-case hex',
      (h: Record<string, string>) =>
        (h['x-hub-signature-256'] = `sha256=${h['x-hub-signature-256']?.slice(7).toUpperCase()}`),
      401,
    ],
    [
      'a 1 MB header',
      (h: Record<string, string>) => (h['x-hub-signature-256'] = `sha256=${'a'.repeat(1_000_000)}`),
      401,
    ],
    ['no delivery id', (h: Record<string, string>) => delete h['x-github-delivery'], 400],
    ['no event', (h: Record<string, string>) => delete h['x-github-event'], 400],
    [
      'form encoding',
      (h: Record<string, string>) => (h['content-type'] = 'application/x-www-form-urlencoded'),
      415,
    ],
  ])('refuses %s and stores nothing', async (_name, change, status) => {
    const request = webhookRequest({ event: 'watch', payload: watchPayload(), secret: SECRET });
    change(request.headers);
    const res = await post(app(), request);
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.message.length).toBeGreaterThan(10);
    expect(await counts()).toEqual({ deliveries: [], mirrors: [] });
  });

  it('refuses a legacy SHA-1-only signature', async () => {
    const request = webhookRequest({ event: 'watch', payload: watchPayload(), secret: SECRET });
    delete request.headers['x-hub-signature-256'];
    request.headers['x-hub-signature'] = 'sha1=0000000000000000000000000000000000000000';
    const res = await post(app(), request);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/SHA-1/);
  });

  it('refuses an oversized body with 413 before checking it', async () => {
    const body = JSON.stringify({ padding: 'x'.repeat(2048) });
    const request = webhookRequest({ event: 'push', body, secret: SECRET });
    const res = await post(app({ secret: SECRET, maxBytes: 1024 }), request);
    expect(res.status).toBe(413);
    expect((await counts()).deliveries).toEqual([]);
  });

  it('refuses invalid JSON and hostile repository names with 400 and stores nothing (W09, W21)', async () => {
    const hono = app();
    expect(
      (await post(hono, webhookRequest({ event: 'watch', body: '{nope', secret: SECRET }))).status,
    ).toBe(400);
    for (const name of ['-oProxyCommand=x', '..', 'a\nb']) {
      const payload = watchPayload();
      payload.repository.name = name;
      payload.repository.full_name = `octocat/${name}`;
      expect(
        (await post(hono, webhookRequest({ event: 'watch', payload, secret: SECRET }))).status,
      ).toBe(400);
    }
    expect(await counts()).toEqual({ deliveries: [], mirrors: [] });
  });

  it('answers 503 and explains when no secret is configured', async () => {
    const res = await post(
      app({ secret: undefined }),
      webhookRequest({ event: 'ping', payload: {}, secret: SECRET }),
    );
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /GITHUB_WEBHOOK_SECRET/,
    );
  });

  it('answers 405 to other methods', async () => {
    expect((await app().request('/webhooks/github')).status).toBe(405);
    expect((await app().request('/webhooks/github', { method: 'PUT' })).status).toBe(405);
  });

  it('answers 503, not 2xx, when the delivery cannot be stored, and accepts the redelivery later (W11, W20)', async () => {
    const hono = app();
    const request = webhookRequest({ event: 'watch', payload: watchPayload(), secret: SECRET });
    await handle.db.schema
      .alterTable('webhook_deliveries')
      .renameTo('webhook_deliveries_away')
      .execute();
    expect((await post(hono, request)).status).toBe(503);
    await handle.db.schema
      .alterTable('webhook_deliveries_away')
      .renameTo('webhook_deliveries')
      .execute();
    expect((await counts()).mirrors).toEqual([]);
    expect((await post(hono, request)).status).toBe(202);
  });

  it('syncs a pushed mirror, explains pushes to unmirrored repositories, and records the rest', async () => {
    const hono = app();
    const push = () => withRepository(webhookExample('push'), REPO);
    const unknown = await post(
      hono,
      webhookRequest({ event: 'push', payload: push(), secret: SECRET }),
    );
    expect(unknown.status).toBe(202);
    expect(await unknown.json()).toMatchObject({
      outcome: 'ignored',
      detail: 'repository is not mirrored',
    });
    await post(hono, webhookRequest({ event: 'watch', payload: watchPayload(), secret: SECRET }));
    await handle.db
      .updateTable('mirrors')
      .set({ status: 'synced', next_attempt_at: null })
      .execute();
    const known = await post(
      hono,
      webhookRequest({ event: 'push', payload: push(), secret: SECRET }),
    );
    expect(await known.json()).toMatchObject({ outcome: 'queued' });
    const again = await post(
      hono,
      webhookRequest({ event: 'push', payload: push(), secret: SECRET }),
    );
    expect(await again.json()).toMatchObject({ outcome: 'coalesced' });
    const unstar = await post(
      hono,
      webhookRequest({
        event: 'star',
        payload: withRepository(webhookExample('star', 'deleted'), REPO),
        secret: SECRET,
      }),
    );
    expect(await unstar.json()).toMatchObject({ outcome: 'recorded' });
    const renamed = await post(
      hono,
      webhookRequest({
        event: 'repository',
        payload: withRepository(webhookExample('repository', 'renamed'), REPO),
        secret: SECRET,
      }),
    );
    expect(await renamed.json()).toMatchObject({ outcome: 'recorded' });
    const issues = await post(
      hono,
      webhookRequest({ event: 'issues', payload: { action: 'opened' }, secret: SECRET }),
    );
    expect(await issues.json()).toMatchObject({ outcome: 'ignored' });
  });
});
