import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../src/db/database.js';
import { RepoBuilder } from '../support/git-repos.js';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import { type OneDevDouble, startOneDevDouble } from '../support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../support/onedev-double/test-kit.js';
import { type ServiceProcess, startServiceProcess } from '../support/service-process.js';
import {
  sendWebhook,
  webhookExample,
  webhookRequest,
  withRepository,
} from '../support/webhooks.js';

/**
 * Graceful shutdown of `starbridge serve` (SIGTERM): work in flight may finish within
 * SHUTDOWN_GRACE, is cut off when it ends, and the process then closes the database, logs
 * "stopped" and exits 0. Each test runs the service as a separate process on SQLite.
 */

const SECRET = 'shutdown-webhook-secret';
const GITHUB_TOKEN = 'ghp_shutdownTestToken_0123456789abcdef';

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Log lines (JSON) whose message is `msg`. */
function logged(service: ServiceProcess, msg: string): boolean {
  return service.output().includes(`"msg":"${msg}"`);
}

/**
 * A raw HTTP connection that sends a signed delivery's headers with `Expect: 100-continue`
 * and its body only when told. Node answers `100 Continue` once it has handed the request
 * to the service, which tells the test the request is in flight.
 */
class SlowDelivery {
  answer = '';
  readonly closed: Promise<void>;
  private readonly socket: Socket;
  private readonly body: string;

  constructor(url: string, githubId: number) {
    const payload = withRepository(webhookExample('ping'), {
      id: githubId,
      owner: 'octocat',
      name: 'slow',
    });
    const request = webhookRequest({
      event: 'ping',
      payload,
      secret: SECRET,
      deliveryId: `slow-${githubId}`,
    });
    const headers = Object.entries(request.headers)
      .filter(([name]) => name.toLowerCase() !== 'content-length')
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    this.body = request.body;
    const { port } = new URL(url);
    this.socket = connect(Number(port), '127.0.0.1');
    this.socket.on('data', (chunk) => {
      this.answer += String(chunk);
    });
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()));
    this.socket.write(
      `POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}` +
        `Content-Length: ${Buffer.byteLength(request.body)}\r\nExpect: 100-continue\r\n\r\n`,
    );
  }

  /** Resolves once the service has the request. */
  inFlight(): Promise<true> {
    return until('the request to reach the service', () =>
      this.answer.startsWith('HTTP/1.1 100 Continue') ? true : undefined,
    );
  }

  /** Sends the body. */
  finish(): void {
    this.socket.write(this.body);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

describe('graceful shutdown with work in flight', () => {
  let dir: string;
  let services: ServiceProcess[] = [];
  let reader: DbHandle | undefined;
  let github: GitHubDouble | undefined;
  let onedev: OneDevDouble | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'starbridge-shutdown-'));
  });
  afterEach(async () => {
    for (const service of services)
      if (service.child.exitCode === null) await service.stop('SIGKILL');
    services = [];
    await reader?.destroy();
    reader = undefined;
    await Promise.all([github?.close(), onedev?.close()]);
    github = undefined;
    onedev = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const database = () => join(dir, 'starbridge.db');

  async function serve(env: Record<string, string>): Promise<ServiceProcess> {
    const service = await startServiceProcess({
      cwd: dir,
      env: {
        DATABASE_URL: `sqlite:${database()}`,
        DATA_DIR: join(dir, 'data'),
        GITHUB_WEBHOOK_SECRET: SECRET,
        ...env,
      },
    });
    services.push(service);
    return service;
  }

  function openDatabase(): DbHandle {
    reader = createDb({ dialect: 'sqlite', path: database() });
    return reader;
  }

  async function deliveryIds(): Promise<string[]> {
    const rows = await openDatabase().db.selectFrom('webhook_deliveries').selectAll().execute();
    return rows.map((row) => row.delivery_id);
  }

  describe('a request', () => {
    it('in flight when SIGTERM arrives is answered within the grace period', async () => {
      const service = await serve({ SHUTDOWN_GRACE: '30s' });
      const slow = new SlowDelivery(service.url, 501);
      await slow.inFlight();
      service.child.kill('SIGTERM');
      await until('the service to begin shutting down', () =>
        logged(service, 'shutting down') ? true : undefined,
      );
      slow.finish();
      await until(
        'the answer',
        () => (/HTTP\/1\.1 200 /.test(slow.answer) ? true : undefined),
        20_000,
      );
      expect(slow.answer).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
      slow.destroy();
      expect(await service.exited).toBe(0);
      expect(logged(service, 'stopped')).toBe(true);
      expect(logged(service, 'grace period over; closing remaining connections')).toBe(false);
      expect(await deliveryIds()).toEqual(['slow-501']);
    }, 60_000);

    it('still unfinished when the grace period ends is cut off, and the process exits', async () => {
      const service = await serve({ SHUTDOWN_GRACE: '1s' });
      const slow = new SlowDelivery(service.url, 502);
      await slow.inFlight();
      service.child.kill('SIGTERM');
      // The client never sends its body.
      await slow.closed;
      expect(slow.answer).toBe('HTTP/1.1 100 Continue\r\n\r\n');
      expect(await service.exited).toBe(0);
      expect(logged(service, 'grace period over; closing remaining connections')).toBe(true);
      expect(logged(service, 'stopped')).toBe(true);
      expect(await deliveryIds()).toEqual([]);
    }, 60_000);
  });

  describe('a sync', () => {
    async function syncInFlight(grace: string, pushDelayMs: number) {
      github = await startGitHubDouble({ tokens: { [GITHUB_TOKEN]: 'octocat' } });
      onedev = await startOneDevDouble(STANDARD_CAST);
      const repo = github.addRepo({ owner: 'octocat', name: 'held', defaultBranch: 'main' });
      await new RepoBuilder(github.repoPath('octocat', 'held')).commit('main');
      // Hold OneDev's answer to the pack upload, so the push is in flight at SIGTERM.
      onedev.faults.latency(pushDelayMs, {
        scope: 'git',
        times: 1,
        match: (r) => r.method === 'POST' && r.path.endsWith('git-receive-pack'),
      });
      const service = await serve({
        SHUTDOWN_GRACE: grace,
        GITHUB_API_URL: github.url,
        GITHUB_GIT_URL: github.url,
        GITHUB_TOKEN,
        ONEDEV_URL: onedev.url,
        ONEDEV_TOKEN: TOKENS.admin,
      });
      const payload = withRepository(webhookExample('watch', 'started'), {
        id: repo.id,
        owner: 'octocat',
        name: 'held',
      });
      const res = await sendWebhook(`${service.url}/webhooks/github`, {
        event: 'watch',
        payload,
        secret: SECRET,
      });
      expect(res.status).toBe(202);
      const double = onedev;
      await until('a push in flight', () =>
        double.requests.some(
          (r) =>
            r.method === 'POST' && r.path.endsWith('git-receive-pack') && r.status === undefined,
        )
          ? true
          : undefined,
      );
      service.child.kill('SIGTERM');
      return { service, exited: await service.exited };
    }

    async function runsAndMirror() {
      const db = openDatabase().db;
      return {
        runs: await db.selectFrom('sync_runs').select(['result']).execute(),
        mirror: await db.selectFrom('mirrors').selectAll().executeTakeFirstOrThrow(),
      };
    }

    it('in flight when SIGTERM arrives finishes within the grace period', async () => {
      const { service, exited } = await syncInFlight('60s', 2_000);
      expect(exited).toBe(0);
      expect(logged(service, 'sync finished')).toBe(true);
      expect(logged(service, 'stopped')).toBe(true);
      const { runs, mirror } = await runsAndMirror();
      expect(runs.map((r) => r.result)).toEqual(['synced']);
      expect(mirror).toMatchObject({ status: 'synced', lease_owner: null });
      expect(Object.keys(await (onedev as OneDevDouble).refs('github/octocat/held'))).toEqual([
        'refs/heads/main',
      ]);
    }, 120_000);

    it('still running when the grace period ends is aborted, and the mirror is left to resume', async () => {
      const { service, exited } = await syncInFlight('1s', 60_000);
      expect(exited).toBe(0);
      expect(logged(service, 'stopped')).toBe(true);
      const { runs, mirror } = await runsAndMirror();
      expect(runs.map((r) => r.result)).toEqual(['aborted']);
      expect(mirror.status).not.toBe('syncing');
      expect(mirror.lease_owner).toBeNull();
      expect(await (onedev as OneDevDouble).refs('github/octocat/held')).toEqual({});
    }, 120_000);
  });
});
