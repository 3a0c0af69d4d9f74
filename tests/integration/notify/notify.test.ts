import { createHmac } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import type { ContainerEvents } from '../../../src/containers/containers.events.js';
import { createOneDevClient } from '../../../src/onedev/onedev.client.js';
import { buildServices } from '../../../src/services.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createSourcesEvents } from '../../../src/sources/sources.events.js';
import { createUnstarPolicy } from '../../../src/sources/unstar.policy.js';
import type { SyncWorker } from '../../../src/sync/sync.worker.js';
import { startNotifications } from '../../../src/wiring/notify.js';
import { eventually } from '../../support/eventually.js';
import { RepoBuilder } from '../../support/git-repos.js';
import { TOKENS } from '../../support/onedev-double/test-kit.js';
import { type Pipeline, startPipeline } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';

const SECRET = 'notify-secret';
const log = createLogger({ level: 'silent' });

interface Received {
  body: string;
  signature: string | undefined;
  contentType: string | undefined;
  title: string | undefined;
}

/**
 * A chat-like receiver on loopback that records every POST. `failFirst` answers 502 that
 * many times; `hang` never answers (a receiver that is down behind a proxy that holds on).
 */
async function startReceiver(options: { failFirst?: number; hang?: boolean } = {}) {
  const received: Received[] = [];
  const pending: Array<() => void> = [];
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
        contentType: req.headers['content-type'],
        title: req.headers.title as string | undefined,
      });
      if (options.hang) pending.push(() => res.destroy());
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    /** Requests accepted but not answered yet. */
    unanswered: () => pending.length,
    messages: () =>
      received.map((m) => JSON.parse(m.body) as Record<string, string> & { kind: string }),
    close: () => {
      for (const end of pending) end();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** startNotifications exactly as the service calls it, from NOTIFY_* configuration. */
async function notificationsFor(
  p: Pick<Pipeline, 'handle' | 'worker'>,
  env: Record<string, string>,
) {
  const containerEvents = new EventEmitter<ContainerEvents>();
  const sourcesEvents = createSourcesEvents();
  const stop = await startNotifications(loadConfig(env).notify, {
    handle: p.handle,
    clock: systemClock,
    log,
    worker: p.worker,
    containerEvents,
    sourcesEvents,
  });
  if (!stop) throw new Error('NOTIFY_URL set but notifications are off');
  return { stop, containerEvents, sourcesEvents };
}

async function addRepo(p: Pipeline, name: string) {
  const record = p.github.addRepo({ owner: 'octocat', name });
  await new RepoBuilder(p.github.repoPath('octocat', name)).commit('main', {
    files: { a: 'a\n' },
  });
  return record;
}

function star(p: Pipeline, record: { id: number }, name: string) {
  return p.deliver(
    'watch',
    withRepository(webhookExample('watch', 'started'), { id: record.id, owner: 'octocat', name }),
  );
}

describe('failure notifications from NOTIFY_URL and NOTIFY_SECRET', () => {
  let pipeline: Pipeline | undefined;
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await pipeline?.close();
    await receiver?.close();
    pipeline = undefined;
    receiver = undefined;
  });

  it('sends one signed message for a mirror that fails ten times and again when retried, and one when it recovers', async () => {
    receiver = await startReceiver({ failFirst: 1 });
    const p = await startPipeline({
      dialect: 'sqlite',
      // One quick retry per call keeps twenty-two failing attempts within the test's time.
      env: { MAX_ATTEMPTS: '10', SYNC_QUICK_RETRIES: '1' },
      backoffMs: 20,
    });
    pipeline = p;
    const { stop } = await notificationsFor(p, { NOTIFY_URL: receiver.url, NOTIFY_SECRET: SECRET });
    const results: string[] = [];
    p.worker.events.on('sync:finished', (event) => results.push(event.result));

    const record = await addRepo(p, 'unlucky');
    p.onedev.faults.serviceUnavailable();
    /** Starts syncs of the mirror and resolves when one of them ends `failed`. */
    const failsAgain = async (start: () => Promise<unknown>) => {
      const failed = new Promise<void>((resolve) => {
        const listener = (e: { result: string }) => {
          if (e.result !== 'failed') return;
          p.worker.events.off('sync:finished', listener);
          resolve();
        };
        p.worker.events.on('sync:finished', listener);
      });
      await start();
      await failed;
    };
    await failsAgain(() => star(p, record, 'unlucky'));
    expect(results).toEqual([...Array(9).fill('retrying'), 'failed']);
    await eventually('the failure message', () => receiver?.received.length === 1);

    // The operator retries it (ten more attempts) and forces two syncs: it fails each time,
    // still the same incident, so the receiver hears nothing more.
    await failsAgain(() => p.mirrors.retry(record.id));
    await failsAgain(() => p.mirrors.syncById(record.id, { force: true }));
    await failsAgain(() => p.mirrors.syncById(record.id, { force: true }));
    expect(results).toEqual([
      ...[...Array(9).fill('retrying'), 'failed'],
      ...[...Array(9).fill('retrying'), 'failed'],
      'failed',
      'failed',
    ]);

    p.onedev.faults.clear();
    const synced = p.nextSync(record.id);
    await p.mirrors.syncById(record.id, { force: true, resetAttempts: true });
    expect((await synced).result).toBe('synced');
    // The first POST was refused (502) and retried: the receiver has both messages once.
    // Messages go out in order, so once the recovery is in, any repeat would be too.
    await eventually('the recovery message', () =>
      Boolean(receiver?.messages().some((m) => m.kind === 'mirror.recovered')),
    );
    await stop(5_000);

    const messages = receiver.messages();
    expect(messages.map((m) => m.kind)).toEqual(['mirror.failed', 'mirror.recovered']);
    expect(messages[0]?.text).toMatch(/octocat\/unlucky failed: .*503/);
    expect(messages[1]).toMatchObject({ repository: 'octocat/unlucky' });
    for (const message of messages) expect(message.content).toBe(message.text);
    for (const message of receiver.received) {
      expect(message.signature).toBe(
        `sha256=${createHmac('sha256', SECRET).update(message.body).digest('hex')}`,
      );
    }
  });

  it('tells when an unstarred mirror’s deletion is scheduled and when it is done', async () => {
    receiver = await startReceiver();
    const p = await startPipeline({ dialect: 'sqlite' });
    pipeline = p;
    const { stop, sourcesEvents } = await notificationsFor(p, { NOTIFY_URL: receiver.url });
    const policy = createUnstarPolicy({
      handle: p.handle,
      clock: systemClock,
      log,
      events: sourcesEvents,
      mirrors: p.mirrors,
      policy: { policy: 'delete', graceMs: 0 },
      onedev: createOneDevClient({ baseUrl: p.onedev.url, token: TOKENS.admin }),
    });
    const record = await addRepo(p, 'fading');
    const synced = p.nextSync(record.id);
    await star(p, record, 'fading');
    expect((await synced).result).toBe('synced');

    await p.handle.db.updateTable('mirrors').set({ starred: 0 }).execute();
    expect(await policy.release(record.id, 'unstarred')).toBe('released');
    expect(await policy.expireDeletions()).toBe(1);
    await eventually('two messages', () => receiver?.received.length === 2);
    await stop(5_000);

    const [scheduled, deleted] = receiver.messages();
    expect(scheduled).toMatchObject({ kind: 'notice.mirror:released' });
    expect(scheduled?.text).toMatch(/octocat\/fading: unstarred .* will be deleted after/);
    expect(deleted).toMatchObject({ kind: 'notice.mirror:deleted' });
    expect(deleted?.text).toMatch(
      /octocat\/fading: OneDev project github\/octocat\/fading deleted/,
    );
  });

  it('sends one message per container whose restarts fail, and one when it restarts fine again', async () => {
    receiver = await startReceiver();
    const p = await startPipeline({ dialect: 'sqlite' });
    pipeline = p;
    const { stop, containerEvents } = await notificationsFor(p, { NOTIFY_URL: receiver.url });
    const restart = (
      container: string,
      result: ContainerEvents['container:restarted'][0]['result'],
    ) =>
      containerEvents.emit('container:restarted', {
        container,
        id: `${container}-id`,
        repo: 'octocat/app',
        result,
        durationMs: 5,
      });
    restart('web', 'unhealthy');
    restart('web', 'failed');
    restart('web', 'timeout');
    restart('worker', 'skipped');
    restart('worker', 'gone');
    restart('web', 'restarted');
    restart('web', 'restarted');
    await eventually('two messages', () => receiver?.received.length === 2);
    await stop(5_000);

    const messages = receiver.messages();
    expect(messages.map((m) => [m.kind, m.container])).toEqual([
      ['container.restart_failed', 'web'],
      ['container.recovered', 'web'],
    ]);
    expect(messages[0]?.text).toContain(
      'restarting container web after octocat/app changed ended unhealthy',
    );
  });

  it('a rollback is one message: the failure it rolled back and the restart after it say nothing of their own', async () => {
    receiver = await startReceiver();
    const p = await startPipeline({ dialect: 'sqlite' });
    pipeline = p;
    const { stop, containerEvents } = await notificationsFor(p, { NOTIFY_URL: receiver.url });
    const base = { container: 'site', id: 'site-id', repo: 'octocat/site', durationMs: 5 };
    containerEvents.emit('container:restarted', {
      ...base,
      result: 'crash_looping',
      health: 'crash-looping',
      rollback: 'pending',
    });
    containerEvents.emit('container:restarted', {
      ...base,
      result: 'restarted',
      rollback: 'after',
    });
    containerEvents.emit('container:rolled-back', {
      repo: 'octocat/site',
      containers: ['site'],
      from: 'b'.repeat(40),
      to: 'a'.repeat(40),
      failure: 'crash_looping',
      result: 'restarted',
    });
    // Fine again later: no "recovered", the rollback message already said it runs.
    containerEvents.emit('container:restarted', { ...base, result: 'restarted' });
    await eventually('one message', () => receiver?.received.length === 1);
    await stop(5_000);
    const messages = receiver.messages();
    expect(messages.map((m) => m.kind)).toEqual(['container.rolled_back']);
    expect(messages[0]?.text).toContain(
      `site crash-looping after octocat/site moved to ${'b'.repeat(12)}; the working copy is back on ${'a'.repeat(12)} and it runs again`,
    );
  });

  it('posts the bare text with a Title header with NOTIFY_FORMAT=ntfy, still signed', async () => {
    receiver = await startReceiver();
    const p = await startPipeline({ dialect: 'sqlite' });
    pipeline = p;
    const { stop, containerEvents } = await notificationsFor(p, {
      NOTIFY_URL: receiver.url,
      NOTIFY_SECRET: SECRET,
      NOTIFY_FORMAT: 'ntfy',
    });
    containerEvents.emit('container:restarted', {
      container: 'web',
      id: 'web-id',
      result: 'failed',
      durationMs: 5,
    });
    await eventually('one message', () => receiver?.received.length === 1);
    await stop(5_000);

    const [message] = receiver.received;
    expect(message?.body).toBe('🔁 Starbridge: restarting container web ended failed.');
    expect(message?.contentType).toMatch(/^text\/plain/);
    expect(message?.title).toBe('Starbridge');
    expect(message?.signature).toBe(
      `sha256=${createHmac('sha256', SECRET)
        .update(message?.body ?? '')
        .digest('hex')}`,
    );
  });

  it('never holds up a sync while the receiver hangs', async () => {
    receiver = await startReceiver({ hang: true });
    const p = await startPipeline({ dialect: 'sqlite', env: { MAX_ATTEMPTS: '1' } });
    pipeline = p;
    const { stop } = await notificationsFor(p, { NOTIFY_URL: receiver.url });
    const broken = await addRepo(p, 'broken');
    p.onedev.faults.serviceUnavailable();
    const failed = p.nextSync(broken.id);
    await star(p, broken, 'broken');
    expect((await failed).result).toBe('failed');
    await eventually(
      'the receiver to hold the failure message',
      () => receiver?.unanswered() === 1,
    );

    p.onedev.faults.clear();
    const fine = await addRepo(p, 'fine');
    const synced = p.nextSync(fine.id);
    await star(p, fine, 'fine');
    expect((await synced).result).toBe('synced');
    // The sync finished while the message about the first mirror was still unanswered.
    expect(receiver.unanswered()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    await stop(50);
  });
});

describe('incidents that share a cause', () => {
  let pipeline: Pipeline | undefined;
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await pipeline?.close();
    await receiver?.close();
    pipeline = undefined;
    receiver = undefined;
  });

  it('groups mirrors failing on a rejected token (API or git) into one alert and one recovery', async () => {
    receiver = await startReceiver();
    const p = await startPipeline({ dialect: 'sqlite' });
    pipeline = p;
    const { stop } = await notificationsFor(p, { NOTIFY_URL: receiver.url });
    const common = (githubId: number) => ({
      githubId,
      fullName: `o/r${githubId}`,
      run: `run-${githubId}`,
      durationMs: 1,
    });
    const fail = (githubId: number, errorCode: string) =>
      p.worker.events.emit('sync:finished', {
        ...common(githubId),
        result: 'failed',
        error: 'authentication failed',
        errorCode,
      });
    const succeed = (githubId: number) =>
      p.worker.events.emit('sync:finished', {
        ...common(githubId),
        result: 'synced',
        detail: {
          result: 'synced',
          refs: [],
          pushedRefs: {},
          defaultBranch: 'main',
          onedev: { name: `r${githubId}`, path: `github/o/r${githubId}`, projectId: githubId },
        },
      });
    for (let id = 1; id <= 3; id++) fail(id, 'onedev_auth');
    for (let id = 4; id <= 5; id++) fail(id, 'git_auth');
    for (let id = 1; id <= 5; id++) succeed(id);
    await eventually('four messages', () => receiver?.received.length === 4);
    await stop(5_000);

    // One alert and one recovery per token incident, and nothing per mirror.
    expect(receiver.messages().map((m) => [m.kind, m.code])).toEqual([
      ['token.rejected', 'onedev_auth'],
      ['token.rejected', 'git_auth'],
      ['token.recovered', 'onedev_auth'],
      ['token.recovered', 'git_auth'],
    ]);
  });
});

describe.each(DIALECTS)('mirror incidents across replicas on %s', (dialect) => {
  let pipeline: Pipeline | undefined;
  let receiver: Receiver | undefined;
  let replica: SyncWorker | undefined;
  let replicaDir: string | undefined;
  afterEach(async () => {
    await replica?.stop(1_000);
    if (replicaDir) rmSync(replicaDir, { recursive: true, force: true });
    await pipeline?.close();
    await receiver?.close();
    pipeline = undefined;
    receiver = undefined;
    replica = undefined;
  });

  it('tells the recovery from a replica that did not see the failure, once', async () => {
    receiver = await startReceiver();
    const p = await startPipeline({ dialect, env: { MAX_ATTEMPTS: '2' }, backoffMs: 20 });
    pipeline = p;
    // A second replica on the same database, listened to by the notifications; the
    // pipeline's own worker is the first replica, which nobody listens to.
    // Each replica has its own DATA_DIR (git caches are per replica).
    replicaDir = mkdtempSync(join(tmpdir(), 'starbridge-replica-'));
    const replicaConfig = {
      ...p.config,
      dataDir: replicaDir,
      sync: { ...p.config.sync, concurrency: 1, maxAttempts: 2 },
    };
    const second = buildServices(replicaConfig, log, p.handle, {
      worker: { leaseMs: 5_000, pollMs: 50, backoff: { baseMs: 20, capMs: 100 } },
    }).worker;
    if (!second) throw new Error('OneDev is configured');
    replica = second;
    const { stop } = await notificationsFor(
      { handle: p.handle, worker: second },
      {
        NOTIFY_URL: receiver.url,
      },
    );

    const record = await addRepo(p, 'shared');
    p.onedev.faults.serviceUnavailable();
    const failed = new Promise<void>((resolve) =>
      p.worker.events.on('sync:finished', (e) => e.result === 'failed' && resolve()),
    );
    await star(p, record, 'shared');
    await failed;
    await p.worker.stop(1_000);

    p.onedev.faults.clear();
    await second.start();
    const synced = new Promise<string>((resolve) =>
      second.events.on('sync:finished', (e) =>
        resolve(`${e.result} ${'error' in e ? e.error : ''}`.trim()),
      ),
    );
    await p.mirrors.syncById(record.id, { force: true, resetAttempts: true });
    expect(await synced).toBe('synced');
    await eventually('the recovery message', () => receiver?.received.length === 1);
    await stop(5_000);
    expect(receiver.messages().map((m) => [m.kind, m.repository])).toEqual([
      ['mirror.recovered', 'octocat/shared'],
    ]);
  });
});
