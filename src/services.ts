import { adminRoutes } from './admin/admin.routes.js';
import type { Config } from './config/config.js';
import { dashboardRoutes } from './dashboard/dashboard.routes.js';
import { createFreshnessCheck } from './dashboard/freshness.js';
import { createTokenChecks } from './dashboard/token-checks.js';
import type { DbHandle } from './db/database.js';
import { gitHealthProbe } from './health/git-health.js';
import { createHealthService } from './health/health.service.js';
import { integrationProbes } from './health/integrations.js';
import { lfsHealthProbe } from './health/lfs-health.js';
import { describeSetup } from './health/setup.js';
import { loadInstanceId } from './jobs/instance-id.js';
import { createMirrorService } from './mirrors/mirror.service.js';
import { findMirror } from './mirrors/mirrors.repo.js';
import { buildAdapters } from './services.adapters.js';
import type { Adapters, ServiceOverrides, Services } from './services.types.js';
import { type Clock, systemClock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';
import { Redactor } from './shared/redact.js';
import { createMirrorGuard, guardHealthProbe, type MirrorGuard } from './sync/mirror-guard.js';
import { createSyncWorker } from './sync/sync.worker.js';
import { forgetAbsentWiki } from './sync/wikis.repo.js';
import type { UpstreamCircuits } from './upstreams/upstream-circuits.js';
import { createWebhookService } from './webhooks/webhook.service.js';
import { wireContainers } from './wiring/containers.js';
import { wireHistory } from './wiring/history.js';
import { wireKeys } from './wiring/keys.js';
import { wireMetrics } from './wiring/metrics.js';
import { startNotifications } from './wiring/notify.js';
import { REPLICA_DEFAULTS, wireReplicas } from './wiring/replicas.js';
import { wireSources } from './wiring/sources.js';
import { createSyncExecutor } from './wiring/sync.js';
import { wireUpstreams } from './wiring/upstreams.js';

export type { Adapters, ServiceOverrides, Services } from './services.types.js';

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
  const guard = buildGuard(config, adapters, clock, log);
  // History protection: kept tips, their API and their retention (HISTORY_KEEP).
  const history = wireHistory({
    handle,
    clock,
    log,
    keepMs: config.history.keepMs,
    dataDir: config.dataDir,
    git: adapters.git,
    onedev,
    notice: (notice) => sources.events.emit('notice', notice),
    ...overrides.scheduler,
  });
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
        guard,
        lfs: { engine: adapters.lfs, ...config.lfs },
        history: history.service,
        wikis: config.wikis.enabled,
        log,
      })
    : undefined;
  const sync = { leaseMs: config.sync.leaseMs, maxAttempts: config.sync.maxAttempts };
  // Upstream circuits: an outage of OneDev or GitHub stops claims and costs no attempts.
  const upstreams = wireUpstreams({
    clock,
    log,
    ...config.upstreams,
    onedevProbe: onedev && (() => onedev.version()),
    githubProbe: () => adapters.github.ping(),
  });
  // Replicas: each mirror is synced first where its git cache is; old caches expire.
  const replicas = wireReplicas({
    handle,
    clock,
    log,
    dataDir: config.dataDir,
    expireAfterMs: config.caches.expireAfterMs,
    settings: { ...REPLICA_DEFAULTS, ...overrides.replicas },
    onCacheExpired: () => observability.metrics.recordCacheExpired(),
  });
  const worker = execute
    ? createSyncWorker({
        handle,
        clock,
        log,
        execute,
        concurrency: config.sync.concurrency,
        ...sync,
        gate: upstreams.circuits,
        preferOwn: replicas.preferOwn,
        ...overrides.worker,
      })
    : undefined;
  upstreams.circuits.events.on('circuit:closed', () => worker?.wake());
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
    changedFiles: (cacheDir, from, to) => adapters.git.changedFiles(cacheDir, from, to),
    overrides: overrides.containers,
  });
  const observability = wireMetrics({
    handle,
    clock,
    worker,
    containerEvents: containers.events,
    sources,
    token: config.metrics.token,
    circuits: upstreams.circuits,
  });
  for (const listener of [sources.onSyncFinished, containers.onSyncFinished]) {
    worker?.events.on('sync:finished', listener);
  }
  const health = createHealthService({
    db: handle,
    dataDir: config.dataDir,
    probes: [
      ...integrationProbes(config, {
        onedevVersion: onedev && (() => checkedBy(upstreams.circuits, onedev.version())),
        containersStatus: containers.service.status,
      }).filter((probe) => probe.name !== 'github'),
      sources.healthProbe,
      upstreams.healthProbe,
      gitHealthProbe({ path: overrides.gitPath }),
      ...(guard ? [guardHealthProbe(guard)] : []),
      lfsHealthProbe({ enabled: config.lfs.enabled, version: () => adapters.lfs.version() }),
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
    starListsOnly: config.github.starLists.length > 0,
    sources: sources.webhooks,
    onWikiEdited: (githubId, db) => forgetAbsentWiki(db, githubId),
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
      history: history.service,
      keys: keys.service,
      githubWebUrl: config.github.gitUrl,
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
      history: history.service,
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
    circuits: upstreams.circuits,
    health,
    setup: describeSetup(config),
    freshness,
    tokenChecks,
    history,
    keys,
    replicas,
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
        circuitEvents: upstreams.circuits.events,
        // An outage ends once its circuit stays closed this long (several probes' worth).
        circuitSettleMs: 6 * config.upstreams.probeIntervalMs,
      });
      if (notifications) stoppers.push(notifications);
      const instanceId = await loadInstanceId(config.dataDir);
      await replicas.start(instanceId);
      await worker?.start({ instanceId });
      sources.start();
      history.scheduler.start();
    },
    async stop(graceMs) {
      await Promise.all([
        // The replica leaves the registry once its syncs are done.
        (async () => {
          await worker?.stop(graceMs);
          await replicas.stop(graceMs);
        })(),
        containers.stop(graceMs),
        sources.stop(graceMs),
        history.scheduler.stop(graceMs),
        ...stoppers.map((stop) => stop(graceMs)),
      ]);
      upstreams.circuits.stop();
    },
  };
}

/** The health check's answer also tells the circuit: a fault opens it, an answer closes it. */
async function checkedBy<T>(circuits: UpstreamCircuits, check: Promise<T>): Promise<T> {
  try {
    const answer = await check;
    circuits.checked('onedev');
    return answer;
  } catch (error) {
    circuits.checked('onedev', error);
    throw error;
  }
}

/** The mirror guard (ONEDEV_GUARD), when OneDev is configured. */
function buildGuard(
  config: Config,
  adapters: Adapters,
  clock: Clock,
  log: Logger,
): MirrorGuard | undefined {
  if (!adapters.onedevProtection) return undefined;
  return createMirrorGuard({
    api: adapters.onedevProtection,
    enabled: config.guard.enabled,
    clock,
    log,
  });
}
