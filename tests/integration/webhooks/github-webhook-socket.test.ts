import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app.js';
import { createHealthService } from '../../../src/health/health.service.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createMirrorService } from '../../../src/sync/mirror.service.js';
import { createWebhookService } from '../../../src/webhooks/webhook.service.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';
import { webhookExample, webhookRequest, withRepository } from '../../support/webhooks.js';

const SECRET = 'socket-secret';

// Through a real listening socket the body is read from Node's request, not a web stream.
describe.each(DIALECTS)('POST /webhooks/github over a socket on %s', (dialect) => {
  let handle: TestDb;
  let server: Server;
  let url: string;
  beforeEach(async () => {
    handle = await createTestDb(dialect);
    const mirrors = createMirrorService({ handle, clock: systemClock });
    const service = createWebhookService({ handle, clock: systemClock, mirrors });
    const app = createApp({
      log: createLogger({ level: 'silent' }),
      health: createHealthService({ db: handle, dataDir: '/tmp', probes: [] }),
      webhooks: { secret: SECRET, service, maxBytes: 64 * 1024 },
    });
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () =>
        resolve(s as Server),
      ) as Server;
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/github`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await handle.destroy();
  });

  it('stores a signed delivery read from the socket', async () => {
    const payload = withRepository(webhookExample('watch', 'started'), {
      id: 77,
      owner: 'octocat',
      name: 'sock',
    });
    const request = webhookRequest({ event: 'watch', payload, secret: SECRET });
    const res = await fetch(url, { method: 'POST', body: request.body, headers: request.headers });
    expect(res.status).toBe(202);
    expect(await handle.db.selectFrom('webhook_deliveries').selectAll().execute()).toHaveLength(1);
  });

  it('refuses a body over the limit, declared or streamed without a length, and stores nothing', async () => {
    const big = JSON.stringify({ padding: 'x'.repeat(100 * 1024) });
    const declared = webhookRequest({ event: 'push', body: big, secret: SECRET });
    expect(
      (await fetch(url, { method: 'POST', body: declared.body, headers: declared.headers })).status,
    ).toBe(413);
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++)
          controller.enqueue(new TextEncoder().encode('x'.repeat(8 * 1024)));
        controller.close();
      },
    });
    const streamed = await fetch(url, {
      method: 'POST',
      body: chunks,
      headers: declared.headers,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await handle.db.selectFrom('webhook_deliveries').selectAll().execute()).toEqual([]);
  });
});
