import type { Server } from 'node:http';
import { adminRoutes } from './admin/admin.routes.js';
import type { Config } from './config/config.js';
import { createContainersFeature } from './containers/containers.feature.js';
import { dashboardRoutes } from './dashboard/dashboard.routes.js';
import { createFreshnessCheck } from './dashboard/freshness.js';
import { createTokenChecks } from './dashboard/token-checks.js';
import { createDb, type DbHandle } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { waitForDatabase } from './db/wait-for-database.js';
import { checkGitInstallation } from './git/git-installation.js';
import { createGitHubCredentials } from './github/credentials.js';
import { createGitHubClient } from './github/github.client.js';
import { gitHealthProbe } from './health/git-health.js';
import { createHealthService } from './health/health.service.js';
import { integrationProbes } from './health/integrations.js';
import { describeSetup } from './health/setup.js';
import { createApp } from './http/app.js';
import { listen, urlToOpen } from './http/listen.js';
import { createMetricsFeature } from './metrics/metrics.feature.js';
import { createMirrorService } from './mirrors/mirror.service.js';
import { startNotifications } from './notify/notify.feature.js';
import { createOneDevClient } from './onedev/onedev.client.js';
import { type Clock, systemClock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';
import { Redactor } from './shared/redact.js';
import { createSourcesFeature } from './sources/sources.feature.js';
import { createSyncWorker, type SyncWorker } from './sync/sync.worker.js';
import { createSyncEngine, type SyncEngine } from './sync/sync-engine.js';
import { createWebhookService } from './webhooks/webhook.service.js';

export interface RunningService {
  /** The port actually bound (useful when configured as 0). */
  port: number;
  /** Stops accepting, lets in-flight work finish within the grace period, then closes the database. */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  redactor?: Redactor;
  clock?: Clock;
  /** PATH the start-up check and the health probe search for git; the git engine's default when unset. */
  gitPath?: string;
}

/** Opens the database, migrates it, wires the features, starts the sync workers and serves HTTP. */
export async function startService(
  config: Config,
  log: Logger,
  options: ServiceOptions = {},
): Promise<RunningService> {
  const clock = options.clock ?? systemClock;
  // Refuse to start without a safe git (G14): every sync would fail, or fetch unsafely.
  const git = await checkGitInstallation({ path: options.gitPath });
  const db = createDb(config.db, log);
  try {
    const applied = await waitForDatabase(() => migrateToLatest(db), log);
    if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const redactor = options.redactor ?? new Redactor([]);
  // PAT and App credentials side by side: installation repositories clone with their token.
  const credentials = createGitHubCredentials(config, log);
  const engine = createSyncEngine(config, db, clock, redactor, credentials.authorizationFor);
  const worker = createWorker(config, db, log, clock, engine);
  const mirrors = createMirrorService({ handle: db, clock, onSyncRequested: () => worker?.wake() });
  const sources = createSourcesFeature(config, {
    handle: db,
    clock,
    log,
    mirrors,
    credentials,
    redactor,
  });
  worker?.events.on('sync:finished', sources.onSyncFinished);
  const webhooks = createWebhookService({
    handle: db,
    clock,
    mirrors,
    starsUser: config.github.starsUser,
    sources: sources.webhooks,
  });
  const containers = createContainersFeature(config, {
    db: db.db,
    log,
    redactor,
    findMirror: (fullName) => mirrors.findByName(fullName),
  });
  worker?.events.on('sync:finished', containers.onSyncFinished);
  const health = createHealthService({
    db,
    dataDir: config.dataDir,
    probes: [
      ...integrationProbes(config, {
        onedevVersion: config.onedev && onedevVersion(config.onedev),
        containersStatus: containers.service.status,
      }).filter((probe) => probe.name !== 'github'),
      sources.healthProbe,
      gitHealthProbe({ path: options.gitPath }),
    ],
  });
  const github = createGitHubClient({ apiUrl: config.github.apiUrl, token: config.github.token });
  const admin = adminRoutes({
    token: config.admin.token,
    handle: db,
    mirrors,
    github,
    onedev: engine?.onedev,
    sources,
    containers: containers.service,
  });
  const dashboard = dashboardRoutes({
    config,
    log,
    handle: db,
    mirrors,
    health,
    github,
    onedev: engine?.onedev,
    containers: containers.service,
    sources,
    clock,
    freshness: createFreshnessCheck(config, options.redactor ?? new Redactor([])),
    tokenChecks: createTokenChecks({ github: config.github, onedev: config.onedev }),
  });
  const observability = createMetricsFeature({
    handle: db,
    clock,
    worker,
    containerEvents: containers.events,
    sources,
    token: config.metrics.token,
  });
  const notifications = await startNotifications(config, {
    handle: db,
    clock,
    log,
    worker,
    containerEvents: containers.events,
    sourcesEvents: sources.events,
  });
  const app = createApp({
    log,
    health,
    setup: describeSetup(config),
    webhooks: {
      secret: config.github.webhookSecret,
      service: webhooks,
      onDelivery: observability.metrics.recordDelivery,
    },
    routes: [admin, dashboard, observability.routes],
  });
  const server = await listen(app.fetch, { hostname: config.http.host, port: config.http.port });
  await worker?.start();
  sources.start();
  // Background features (pollers, schedulers, restarters) register how to stop them here.
  const stoppers: Array<(graceMs: number) => Promise<void>> = [containers.stop, sources.stop];
  if (notifications) stoppers.push(notifications);
  const port = (server.address() as { port: number }).port;
  log.info(
    {
      host: config.http.host,
      port,
      database: config.db.dialect,
      git: git.version,
      open: urlToOpen(config.http, port),
    },
    'starbridge listening',
  );
  return {
    port,
    stop: () =>
      stopService({ server, db, worker, stoppers, log, graceMs: config.http.shutdownGraceMs }),
  };
}

/** The sync workers run only when OneDev is configured; without it mirrors wait in the queue. */
function createWorker(
  config: Config,
  db: DbHandle,
  log: Logger,
  clock: Clock,
  engine: SyncEngine | undefined,
): SyncWorker | undefined {
  if (!engine) {
    log.warn('ONEDEV_URL and ONEDEV_TOKEN are not set: mirrors are queued but not synced');
    return undefined;
  }
  return createSyncWorker({
    handle: db,
    clock,
    log,
    concurrency: config.sync.concurrency,
    maxAttempts: config.sync.maxAttempts,
    leaseMs: config.sync.leaseMs,
    execute: engine.execute,
  });
}

async function stopService(deps: {
  server: Server;
  db: DbHandle;
  worker: SyncWorker | undefined;
  stoppers: Array<(graceMs: number) => Promise<void>>;
  log: Logger;
  graceMs: number;
}): Promise<void> {
  const { server, db, worker, stoppers, log, graceMs } = deps;
  log.info({ graceMs }, 'shutting down');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => {
    log.warn('grace period over; closing remaining connections');
    server.closeAllConnections();
  }, graceMs);
  timer.unref();
  await Promise.all([closed, worker?.stop(graceMs), ...stoppers.map((stop) => stop(graceMs))]);
  clearTimeout(timer);
  await db.destroy();
  log.info('stopped');
}

/** OneDev's version endpoint for the health check: a cheap call that needs the token. */
function onedevVersion(onedev: { url: string; token: string }): () => Promise<string> {
  return createOneDevClient({ baseUrl: onedev.url, token: onedev.token, timeoutMs: 5000 }).version;
}
