import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { Executor } from '../db/executor.js';
import { createDockerEngine } from '../engine/docker-engine.client.js';
import { createEngineAccess } from '../engine/engine-socket.js';
import { mirrorCacheDir } from '../git/git-cache.js';
import type { Logger } from '../shared/logger.js';
import type { Redactor } from '../shared/redact.js';
import type { SyncFinishedEvent } from '../sync/sync.events.js';
import { createContainerService } from './container.service.js';
import { createContainerActionLog } from './container-actions.repo.js';
import type { ContainerEvents } from './containers.events.js';
import { createRestartAfterSync } from './restart-after-sync.js';
import { createRestartRunner } from './restart-runner.js';
import { readSelfIdentity, type SelfIdentity } from './self-container.js';
import { createWorkingCopies } from './working-copy.adapter.js';

export interface ContainersFeatureDeps {
  db: Executor;
  log: Logger;
  /** The mirror of `owner/name`, if any (its id locates the bare cache). */
  findMirror: (
    fullName: string,
  ) => Promise<{ githubId: number; defaultBranch: string | null } | undefined>;
  /** Removes secrets from recorded messages and rebuild output (credential patterns without it). */
  redactor?: Redactor;
  /** Tests shorten the waits and pretend to be inside a container. */
  overrides?: {
    stopTimeoutSec?: number;
    requestTimeoutMs?: number;
    pollMs?: number;
    self?: SelfIdentity;
  };
}

/**
 * The container feature wired from configuration: the engine (found lazily), restarts
 * after syncs, working copies and the service the API, CLI and dashboard use. Subscribe
 * `onSyncFinished` to the sync worker's `sync:finished` event and call `stop` on shutdown.
 */
export function createContainersFeature(config: Config, deps: ContainersFeatureDeps) {
  const settings = config.containers;
  const overrides = deps.overrides ?? {};
  const events = new EventEmitter<ContainerEvents>();
  const stopTimeoutSec = overrides.stopTimeoutSec ?? 10;
  const self = overrides.self ?? readSelfIdentity();
  const engine = createEngineAccess({
    socket: settings.socket,
    candidates: settings.socketCandidates,
    create: (socketPath) =>
      createDockerEngine({ socketPath, requestTimeoutMs: overrides.requestTimeoutMs }),
  });
  const redactor = deps.redactor;
  const actions = createContainerActionLog({
    db: deps.db,
    log: deps.log,
    ...(redactor ? { redact: (text: string) => redactor.redact(text) } : {}),
  });
  const runner = createRestartRunner({
    actions,
    self,
    stopTimeoutSec,
    waitMs: settings.waitMs,
    pollMs: overrides.pollMs,
    events,
  });
  const workingCopies = settings.checkoutDir
    ? createWorkingCopies({
        checkoutDir: settings.checkoutDir,
        homeDir: join(config.dataDir, 'git-home'),
      })
    : undefined;
  const cacheDir = (githubId: number) => mirrorCacheDir(config.dataDir, githubId);
  const shared = { labelKey: settings.restartLabel, runner, workingCopies };
  const restarter = createRestartAfterSync({
    ...shared,
    db: deps.db,
    engine,
    debounceMs: settings.debounceMs,
    cacheDir,
    log: deps.log,
    events,
  });
  const service = createContainerService({
    ...shared,
    engine,
    self,
    stopTimeoutSec,
    compose: settings.compose,
    log: deps.log,
    events,
    actions,
    findMirror: async (fullName) => {
      const mirror = await deps.findMirror(fullName);
      return mirror && { cacheDir: cacheDir(mirror.githubId), defaultBranch: mirror.defaultBranch };
    },
  });
  return {
    service,
    events,
    onSyncFinished: (event: SyncFinishedEvent) => restarter.onSyncFinished(event),
    flush: () => restarter.flush(),
    async stop(graceMs: number): Promise<void> {
      await restarter.stop(graceMs);
      await engine.close();
    },
  };
}

export type ContainersFeature = ReturnType<typeof createContainersFeature>;
