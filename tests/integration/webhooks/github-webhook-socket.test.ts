import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHealthService } from '../../../src/health/health.service.js';
import { createApp } from '../../../src/http/app.js';
import { listen } from '../../../src/http/listen.js';
import { createMirrorService } from '../../../src/mirrors/mirror.service.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createWebhookService } from '../../../src/webhooks/webhook.service.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';
import { webhookExample, webhookRequest, withRepository } from '../../support/webhooks.js';

const SECRET = 'socket-secret';
const HEADERS_TIMEOUT_MS = 500;
const REQUEST_TIMEOUT_MS = 1_000;

interface TrickleResult {
  /** What the server wrote before it closed the connection. */
  answer: string;
  /** How many of the trickled bytes were written before the server closed. */
  sent: number;
}

/**
 * Writes `head` at once, then `tail` one byte every `everyMs`, until the server closes
 * the connection or `tail` ends (then waits for the answer); never longer than `limitMs`.
 */
function trickle(
  port: number,
  head: string,
  tail: string,
  everyMs: number,
  limitMs = 15_000,
): Promise<TrickleResult> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    let closed = false;
    const limit = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${limitMs} ms`));
    }, limitMs);
    socket.on('data', (chunk) => {
      answer += String(chunk);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      clearTimeout(limit);
      resolve({ answer, sent });
    });
    socket.on('connect', async () => {
      socket.write(head);
      for (const byte of tail) {
        await sleep(everyMs);
        if (closed) return;
        socket.write(byte);
        sent++;
      }
    });
  });
}

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
    // As the service listens, with its limits shortened so the test ends quickly.
    server = await listen(app.fetch, {
      hostname: '127.0.0.1',
      port: 0,
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/github`;
  });
  afterEach(async () => {
    server.closeAllConnections();
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

  const port = () => (server.address() as AddressInfo).port;
  const deliveries = () => handle.db.selectFrom('webhook_deliveries').selectAll().execute();

  function signedWatch(id: number) {
    const payload = withRepository(webhookExample('watch', 'started'), {
      id,
      owner: 'octocat',
      name: `slow-${id}`,
    });
    return webhookRequest({ event: 'watch', payload, secret: SECRET, deliveryId: `slow-${id}` });
  }

  function rawHead(headers: Record<string, string>, contentLength: number): string {
    const lines = Object.entries(headers)
      .filter(([name]) => name.toLowerCase() !== 'content-length')
      .map(([name, value]) => `${name}: ${value}`);
    return [
      'POST /webhooks/github HTTP/1.1',
      'Host: 127.0.0.1',
      ...lines,
      `Content-Length: ${contentLength}`,
      '',
      '',
    ].join('\r\n');
  }

  it('cuts off a client trickling its headers (slow loris, W19) with 408', async () => {
    const request = signedWatch(81);
    const head = rawHead(request.headers, Buffer.byteLength(request.body));
    // Everything but the blank line that ends the headers arrives at once; then one byte of
    // a never-ending header every 100 ms.
    const trickled = await trickle(port(), head.slice(0, -2), `X-Padding: ${'a'.repeat(200)}`, 100);
    expect(trickled.answer).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    expect(trickled.sent).toBeLessThan(200);
    expect(await deliveries()).toEqual([]);
  });

  it('cuts off a client trickling a signed body (W19) with 408, storing nothing and holding nothing', async () => {
    const request = signedWatch(82);
    const slow = [0, 1, 2].map(() =>
      trickle(port(), rawHead(request.headers, Buffer.byteLength(request.body)), request.body, 100),
    );
    // While the slow clients hold their sockets, an ordinary delivery is stored at once:
    // no worker or database connection waits for them.
    const normal = signedWatch(83);
    const res = await fetch(`http://127.0.0.1:${port()}/webhooks/github`, {
      method: 'POST',
      body: normal.body,
      headers: normal.headers,
    });
    expect(res.status).toBe(202);
    for (const result of await Promise.all(slow)) {
      expect(result.answer).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
      expect(result.sent).toBeLessThan(Buffer.byteLength(request.body));
    }
    expect((await deliveries()).map((d) => d.delivery_id)).toEqual(['slow-83']);
  });
});
