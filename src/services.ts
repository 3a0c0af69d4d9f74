import { join } from 'node:path';
import type { Hono } from 'hono';
import { adminRoutes } from './admin/admin.routes.js';
import type { Config } from './config/config.js';
import { dashboardRoutes } from './dashboard/dashboard.routes.js';
import { createFreshnessCheck, type FreshnessCheck } from './dashboard/freshness.js';
import { createTokenChecks, type TokenChecks } from './dashboard/token-checks.js';
import type { DbHandle } from './db/database.js';
import { createDockerEngine } from './engine/docker-engine.client.js';
import { createEngineAccess, type EngineAccess } from './engine/engine-socket.js';
import { createGitEngine } from './git/git.adapter.js';
import type { GitEngine } from './git/git.port.js';
import { createGitHubCredentials, type GitHubCredentials } from './github/credentials.js';
import { createGitHubClient, type GitHubClient } from './github/github.client.js';
import { gitHealthProbe } from './health/git-health.js';
import { createHealthService } from './health/health.service.js';
import { integrationProbes } from './health/integrations.js';
import { describeSetup } from './health/setup.js';
import type { AppServices } from './http/app.js';
import { loadInstanceId } from './jobs/instance-id.js';
import type { Metrics } from './metrics/metrics.js';
import { createMirrorService, type MirrorService } from './mirrors/mirror.service.js';
import { findMirror } from './mirrors/mirrors.repo.js';
import { createOneDevClient, type OneDevClient } from './onedev/onedev.client.js';
import { type Clock, systemClock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';
import { Redactor } from './shared/redact.js';
import type { BackoffOptions } from './sync/retry-policy.js';
import { createSyncWorker, type SyncExecutor, type SyncWorker } from './sync/sync.worker.js';
import { createWebhookService, type WebhookService } from './webhooks/webhook.service.js';
import {
  type ContainerOverrides,
  type ContainersFeature,
  wireContainers,
} from './wiring/containers.js';
import { type KeysFeature, wireKeys } from './wiring/keys.js';
import { wireMetrics } from './wiring/metrics.js';
import { startNotifications } from './wiring/notify.js';
import { type SourcesFeature, wireSources } from './wiring/sources.js';
import { createSyncExecutor } from './wiring/sync.js';

/** The adapters to the outside world, each built once; tests may substitute any of them. */
export interface Adapters {
  /** GitHub's REST API with GITHUB_TOKEN (repository lookups, the admin API's adds). */
  github: GitHubClient;
  /** How each mirror authenticates to GitHub: the PAT, or its App installation's token. */
  credentials: GitHubCredentials;
  /** Undefined when ONEDEV_URL and ONEDEV_TOKEN are not set: nothing is synced. */
  onedev: OneDevClient | undefined;
  git: GitEngine;
  /** The container engine behind CONTAINER_SOCKET (or a detected socket), found lazily. */
  engine: EngineAccess;
}

/** What tests, the demo and the benchmarks change in the composition. */
export interface ServiceOverrides {
  clock?: Clock;
  /** Scrubs secrets from git output, errors and recorded messages. */
  redactor?: Redactor;
  /** The HTTP client the GitHub and OneDev adapters use. */
  fetch?: typeof fetch;
  /** PATH the git health probe searches; the git engine's default when unset. */
  gitPath?: string;
  adapters?: Partial<Adapters>;
  containers?: ContainerOverrides;
  worker?: { leaseMs?: number; pollMs?: number; backoff?: BackoffOptions };
  /** The GitHub sources' scheduler: this replica's lease name and how often it looks. */
  scheduler?: { owner?: string; checkEveryMs?: number };
}

/** Every feature of Starbridge, wired to the adapters; nothing runs until `start`. */
export interface Services extends AppServices {
  routes: Hono[];
  clock: Clock;
  handle: DbHandle;
  redactor: Redactor;
  adapters: Adapters;
  mirrors: MirrorService;
  /** The real sync; undefined when OneDev is not configured. */
  execute: SyncExecutor | undefined;
  /** The sync workers; undefined when OneDev is not configured (mirrors wait in the queue). */
  worker: SyncWorker | undefined;
  /** Lease and attempts the workers and the foreground sync share. */
  sync: { leaseMs: number; maxAttempts: number };
  sources: SourcesFeature;
  webhookService: WebhookService;
  containers: ContainersFeature;
  metrics: Metrics;
  freshness: FreshnessCheck | undefined;
  tokenChecks: TokenChecks;
  /** SSH deploy keys, and which mirror fetches with which. */
  keys: KeysFeature;
  /** Starts the workers, the GitHub sources' scheduler and the notifications. */
  start(): Promise<void>;
  /** Lets in-flight work finish within `graceMs`; the database stays open. */
  stop(graceMs: number): Promise<void>;
}

/** Builds every adapter once and every feature from them. The only reader of `Config`. */
export function buildServices(
  config: Config,
  log: Logger,
  handle: DbHandle,
  overrides: ServiceOverrides = {},
): Services {
  const clock = overrides.clock ?? systemClock;
  const redactor = overrides.redactor ?? new Redactor([]);
  const adapters = buildAdapters(config, log, redactor, overrides);
  const { onedev, credentials } = adapters;
  const keys = wireKeys({
    handle,
    clock,
    secret: config.keys.secret,
    ssh: config.githubSsh,
    // Called only once requests come in, after `mirrors` (built below, as it wakes the worker) exists.
    findMirror: (owner, name) => mirrors.findByName(`${owner}/${name}`),
  });
  const execute = onedev
    ? createSyncExecutor({
        handle,
        clock,
        git: adapters.git,
        onedev,
        githubGitUrl: config.github.gitUrl,
        onedevRoot: config.onedev?.rootProject ?? '',
        dataDir: config.dataDir,
        authorizationFor: credentials.authorizationFor,
        sshRemoteFor: keys.sshRemoteFor,
        quickRetries: config.sync.quickRetries,
      })
    : undefined;
  const sync = { leaseMs: config.sync.leaseMs, maxAttempts: config.sync.maxAttempts };
  const worker = execute
    ? createSyncWorker({
        handle,
        clock,
        log,
        execute,
        concurrency: config.sync.concurrency,
        ...sync,
        ...overrides.worker,
      })
    : undefined;
  const mirrors = createMirrorService({ handle, clock, onSyncRequested: () => worker?.wake() });
  const sources = wireSources({
    github: config.github,
    unstar: config.unstar,
    onedevRoot: config.onedev?.rootProject ?? '',
    syncConcurrency: config.sync.concurrency,
    handle,
    clock,
    log,
    mirrors,
    credentials,
    git: adapters.git,
    onedev,
    githubApi: adapters.github,
    usesDeployKey: async (githubId) => (await keys.service.keyOfMirror(githubId)) !== null,
    fetch: overrides.fetch,
    ...overrides.scheduler,
  });
  const containers = wireContainers({
    settings: config.containers,
    dataDir: config.dataDir,
    engine: adapters.engine,
    db: handle.db,
    log,
    redactor,
    findMirror: (fullName) => mirrors.findByName(fullName),
    overrides: overrides.containers,
  });
  const observability = wireMetrics({
    handle,
    clock,
    worker,
    containerEvents: containers.events,
    sources,
    token: config.metrics.token,
  });
  for (const listener of [sources.onSyncFinished, containers.onSyncFinished]) {
    worker?.events.on('sync:finished', listener);
  }
  const health = createHealthService({
    db: handle,
    dataDir: config.dataDir,
    probes: [
      ...integrationProbes(config, {
        onedevVersion: onedev && (() => onedev.version()),
        containersStatus: containers.service.status,
      }).filter((probe) => probe.name !== 'github'),
      sources.healthProbe,
      gitHealthProbe({ path: overrides.gitPath }),
    ],
  });
  const freshness = onedev
    ? createFreshnessCheck({
        git: adapters.git,
        onedev,
        githubGitUrl: config.github.gitUrl,
        redactor,
        // The same credential the workers use: an installation's repository needs its token.
        authorizationFor: async (mirror) =>
          credentials.authorizationFor(
            (await findMirror(handle.db, mirror.githubId)) ?? { installation_id: null },
          ),
        sshRemoteFor: (mirror) =>
          keys.sshRemoteFor({ github_id: mirror.githubId, owner: mirror.owner, name: mirror.name }),
      })
    : undefined;
  const tokenChecks = createTokenChecks({
    github: config.github,
    githubClient: adapters.github,
    onedev: config.onedev,
    fetch: overrides.fetch,
  });
  const webhookService = createWebhookService({
    handle,
    clock,
    mirrors,
    starsUser: config.github.starsUser,
    sources: sources.webhooks,
  });
  const routes = [
    adminRoutes({
      token: config.admin.token,
      handle,
      mirrors,
      github: adapters.github,
      onedev,
      sources,
      containers: containers.service,
      keys: keys.service,
    }),
    dashboardRoutes({
      config,
      log,
      handle,
      mirrors,
      health,
      github: adapters.github,
      onedev,
      containers: containers.service,
      sources,
      clock,
      freshness,
      tokenChecks,
      keys: keys.service,
    }),
    observability.routes,
  ];
  const stoppers: Array<(graceMs: number) => Promise<void>> = [];
  return {
    log,
    clock,
    handle,
    redactor,
    adapters,
    mirrors,
    execute,
    worker,
    sync,
    sources,
    webhookService,
    containers,
    metrics: observability.metrics,
    health,
    setup: describeSetup(config),
    freshness,
    tokenChecks,
    keys,
    webhooks: {
      secret: config.github.webhookSecret,
      service: webhookService,
      onDelivery: observability.metrics.recordDelivery,
    },
    routes,
    async start() {
      if (!worker)
        log.warn('ONEDEV_URL and ONEDEV_TOKEN are not set: mirrors are queued but not synced');
      const notifications = await startNotifications(config.notify, {
        handle,
        clock,
        log,
        worker,
        containerEvents: containers.events,
        sourcesEvents: sources.events,
      });
      if (notifications) stoppers.push(notifications);
      await worker?.start({ instanceId: await loadInstanceId(config.dataDir) });
      sources.start();
    },
    async stop(graceMs) {
      await Promise.all([
        worker?.stop(graceMs),
        containers.stop(graceMs),
        sources.stop(graceMs),
        ...stoppers.map((stop) => stop(graceMs)),
      ]);
    },
  };
}

/**
 * The adapters, each constructed here and nowhere else. http:// is allowed for git only
 * when an operator configured an http base URL (tests, a LAN OneDev).
 */
function buildAdapters(
  config: Config,
  log: Logger,
  redactor: Redactor,
  overrides: ServiceOverrides,
): Adapters {
  const given = overrides.adapters ?? {};
  const { github, onedev, containers } = config;
  const allowHttp = [github.gitUrl, onedev?.url ?? ''].some((url) => url.startsWith('http:'));
  const fetch = overrides.fetch;
  return {
    github:
      given.github ?? createGitHubClient({ apiUrl: github.apiUrl, token: github.token, fetch }),
    credentials: given.credentials ?? createGitHubCredentials(github, log, { fetch }),
    onedev:
      'onedev' in given
        ? given.onedev
        : onedev && createOneDevClient({ baseUrl: onedev.url, token: onedev.token, fetch }),
    git:
      given.git ??
      createGitEngine({ homeDir: join(config.dataDir, 'git-home'), allowHttp, redactor }),
    engine:
      given.engine ??
      createEngineAccess({
        socket: containers.socket,
        candidates: containers.socketCandidates,
        create: (socketPath) =>
          createDockerEngine({
            socketPath,
            requestTimeoutMs: overrides.containers?.requestTimeoutMs,
          }),
      }),
  };
}
