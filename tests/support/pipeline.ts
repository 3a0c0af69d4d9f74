import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Hono } from 'hono';
import { type Config, loadConfig } from '../../src/config/config.js';
import type { Dialect } from '../../src/db/database.js';
import type { GitHubCredentials } from '../../src/github/credentials.js';
import { createApp } from '../../src/http/app.js';
import type { Metrics } from '../../src/metrics/metrics.js';
import type { MirrorService } from '../../src/mirrors/mirror.service.js';
import { buildServices, type ServiceOverrides, type Services } from '../../src/services.js';
import type { Clock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { Redactor } from '../../src/shared/redact.js';
import type { SyncWorker } from '../../src/sync/sync.worker.js';
import { type GitHubDouble, startGitHubDouble } from './github-double/index.js';
import { type OneDevDouble, startOneDevDouble } from './onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from './onedev-double/test-kit.js';
import { createTestDb, type TestDb } from './test-db.js';
import { webhookRequest } from './webhooks.js';

export const GITHUB_TOKEN = 'ghp_pipelineTokenThatMustNeverLeak0000001';
export const WEBHOOK_SECRET = 'pipeline-webhook-secret';
export const ADMIN_TOKEN = 'pipeline-admin-token-0123456789abcdef';

export interface Pipeline {
  /** Every feature, wired by buildServices as the service does. */
  services: Services;
  /** How each mirror authenticates to GitHub git (the PAT, or its installation's token). */
  credentials: GitHubCredentials;
  github: GitHubDouble;
  onedev: OneDevDouble;
  handle: TestDb;
  config: Config;
  app: Hono;
  worker: SyncWorker;
  mirrors: MirrorService;
  metrics: Metrics;
  dataDir: string;
  /** Every log line the service wrote. */
  logs: string[];
  deliver(event: string, payload: unknown, deliveryId?: string): Promise<Response>;
  /** A request to the admin API (`/api/v1…`) with the admin token. */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  /** Resolves with the next finished sync of that repository (any result). */
  nextSync(githubId: number, timeoutMs?: number): Promise<{ result: string; error?: string }>;
  close(): Promise<void>;
}

/**
 * The whole mirror pipeline in one process: the GitHub and OneDev doubles on loopback,
 * a real database, the real git engine and OneDev client, the sync workers and the HTTP
 * app — everything but the listening socket.
 */
export async function startPipeline(options: {
  dialect: Dialect;
  onedevToken?: string;
  env?: Record<string, string>;
  backoffMs?: number;
  /** Longest delay between attempts; 500 ms unless given. */
  backoffCapMs?: number;
  clock?: Clock;
  scheduler?: ServiceOverrides['scheduler'];
  containers?: ServiceOverrides['containers'];
  adapters?: ServiceOverrides['adapters'];
  /** Where the GitHub double keeps its bare repositories (to serve them over SSH too). */
  githubReposDir?: string;
}): Promise<Pipeline> {
  const github = await startGitHubDouble({
    tokens: { [GITHUB_TOKEN]: 'octocat' },
    ...(options.githubReposDir ? { reposDir: options.githubReposDir } : {}),
  });
  const onedev = await startOneDevDouble(STANDARD_CAST);
  const handle = await createTestDb(options.dialect);
  const dataDir = mkdtempSync(join(tmpdir(), 'starbridge-pipeline-'));
  const config = loadConfig({
    GITHUB_API_URL: github.url,
    GITHUB_GIT_URL: github.url,
    GITHUB_TOKEN,
    GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ONEDEV_URL: onedev.url,
    ONEDEV_TOKEN: options.onedevToken ?? TOKENS.admin,
    ADMIN_TOKEN,
    // No container engine unless a test asks for one: restarts would look for real sockets.
    CONTAINER_SOCKET: '',
    DATA_DIR: dataDir,
    SYNC_CONCURRENCY: '2',
    MAX_ATTEMPTS: '4',
    ...options.env,
  });
  const logs: string[] = [];
  const redactor = new Redactor([GITHUB_TOKEN, config.onedev?.token, WEBHOOK_SECRET, ADMIN_TOKEN]);
  const log = createLogger({
    level: 'debug',
    redactor,
    destination: new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }) as never,
  });
  // As the service wires it, with quick retries and short leases.
  const services = buildServices(config, log, handle, {
    redactor,
    clock: options.clock,
    worker: {
      leaseMs: 5_000,
      pollMs: 50,
      backoff: { baseMs: options.backoffMs ?? 50, capMs: options.backoffCapMs ?? 500 },
    },
    scheduler: options.scheduler,
    containers: options.containers,
    adapters: options.adapters,
  });
  const { worker, mirrors, metrics } = services;
  const credentials = services.adapters.credentials;
  if (!worker) throw new Error('pipeline needs OneDev configured');
  const app = createApp(services);
  await worker.start();

  return {
    services,
    github,
    onedev,
    handle,
    config,
    credentials,
    app,
    worker,
    mirrors,
    metrics,
    dataDir,
    logs,
    async deliver(event, payload, deliveryId) {
      const request = webhookRequest({ event, payload, secret: WEBHOOK_SECRET, deliveryId });
      return app.request('/webhooks/github', {
        method: 'POST',
        body: request.body,
        headers: request.headers,
      });
    },
    async admin(method, path, body) {
      return app.request(path, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    },
    nextSync(githubId, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no sync of ${githubId} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const listener = (event: { githubId: number; result: string; error?: string }) => {
          if (event.githubId !== githubId) return;
          clearTimeout(timer);
          worker.events.off('sync:finished', listener);
          resolve({ result: event.result, error: event.error });
        };
        worker.events.on('sync:finished', listener);
      });
    },
    async close() {
      await services.stop(1_000);
      await handle.destroy();
      await Promise.all([github.close(), onedev.close()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Heads and tags only: what a mirror must reproduce. */
export function headsAndTags(refs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(refs).filter(
      ([ref]) => ref.startsWith('refs/heads/') || ref.startsWith('refs/tags/'),
    ),
  );
}
