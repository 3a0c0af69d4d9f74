import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createIncidentTracker } from '../../../src/notify/incidents.js';
import { createNotifier } from '../../../src/notify/notifier.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { RepoBuilder } from '../../support/git-repos.js';
import { type Pipeline, startPipeline } from '../../support/pipeline.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';

const SECRET = 'notify-secret';

/** A chat-like receiver on loopback that records every POST with its signature header. */
async function startReceiver(options: { failFirst?: number } = {}) {
  const received: Array<{ body: string; signature: string | undefined }> = [];
  let failures = options.failFirst ?? 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      if (failures > 0) {
        failures--;
        res.writeHead(502).end();
        return;
      }
      received.push({
        body,
        signature: req.headers['x-starbridge-signature-256'] as string | undefined,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('failure notifications', () => {
  let pipeline: Pipeline | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  afterEach(async () => {
    await pipeline?.close();
    await receiver?.close();
    pipeline = undefined;
  });

  it('sends one signed message for a mirror that fails ten times, and one when it recovers', async () => {
    receiver = await startReceiver({ failFirst: 1 });
    const p = await startPipeline({
      dialect: 'sqlite',
      env: { MAX_ATTEMPTS: '10' },
      backoffMs: 20,
    });
    pipeline = p;
    const notifier = createNotifier({
      url: receiver.url,
      secret: SECRET,
      clock: systemClock,
      log: createLogger({ level: 'silent' }),
      retryDelayMs: 10,
    });
    const tracker = createIncidentTracker(notifier);
    const results: string[] = [];
    p.worker.events.on('sync:finished', (event) => {
      results.push(event.result);
      tracker.onSyncFinished(event);
    });

    const record = p.github.addRepo({ owner: 'octocat', name: 'unlucky' });
    await new RepoBuilder(p.github.repoPath('octocat', 'unlucky')).commit('main', {
      files: { a: 'a\n' },
    });
    p.onedev.faults.serviceUnavailable();
    const failed = new Promise<void>((resolve) =>
      p.worker.events.on('sync:finished', (e) => e.result === 'failed' && resolve()),
    );
    await p.deliver(
      'watch',
      withRepository(webhookExample('watch', 'started'), {
        id: record.id,
        owner: 'octocat',
        name: 'unlucky',
      }),
    );
    await failed;
    expect(results).toEqual([...Array(9).fill('retrying'), 'failed']);

    p.onedev.faults.clear();
    const synced = p.nextSync(record.id);
    await p.mirrors.syncById(record.id, { force: true, resetAttempts: true });
    expect((await synced).result).toBe('synced');
    await notifier.drain();

    const messages = receiver.received.map(
      (m) => JSON.parse(m.body) as { kind: string; text: string; repository: string },
    );
    expect(messages.map((m) => m.kind)).toEqual(['mirror.failed', 'mirror.recovered']);
    expect(messages[0]?.text).toMatch(/octocat\/unlucky failed: .*503/);
    expect(messages[1]).toMatchObject({ repository: 'octocat/unlucky' });
    for (const message of receiver.received) {
      expect(message.signature).toBe(
        `sha256=${createHmac('sha256', SECRET).update(message.body).digest('hex')}`,
      );
    }
  });

  it('sends one token alert for many mirrors failing on a rejected token', async () => {
    receiver = await startReceiver();
    const notifier = createNotifier({
      url: receiver.url,
      clock: systemClock,
      log: createLogger({ level: 'silent' }),
    });
    const tracker = createIncidentTracker(notifier);
    for (let id = 1; id <= 5; id++) {
      tracker.onSyncFinished({
        githubId: id,
        fullName: `o/r${id}`,
        result: 'failed',
        error: 'rejected',
        errorCode: 'onedev_auth',
      });
    }
    await notifier.drain();
    expect(receiver.received.map((m) => JSON.parse(m.body).kind)).toEqual(['token.rejected']);
    expect(receiver.received[0]?.signature).toBeUndefined();
  });
});
