import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { createContainerService } from '../containers/container.service.js';
import type { ContainerService } from '../containers/container.service.types.js';
import { createContainerActionLog } from '../containers/container-actions.repo.js';
import type { ContainerEvents } from '../containers/containers.events.js';
import { createRestartAfterSync } from '../containers/restart-after-sync.js';
import { createRestartRunner } from '../containers/restart-runner.js';
import { readSelfIdentity, type SelfIdentity } from '../containers/self-container.js';
import { createWorkingCopies } from '../containers/working-copy.adapter.js';
import { createWorkingCopyHolds } from '../containers/working-copy-holds.repo.js';
import type { Executor } from '../db/executor.js';
import type { EngineAccess } from '../engine/engine-socket.js';
import { mirrorCacheDir } from '../git/git-cache.js';
import type { Logger } from '../shared/logger.js';
import type { Redactor } from '../shared/redact.js';
import type { SyncFinishedEvent } from '../sync/sync.events.js';

export interface ContainersFeatureDeps {
  /** The container settings (label, socket, waits, compose command, working copies). */
  settings: Config['containers'];
  /** Where the bare caches and git's HOME live. */
  dataDir: string;
  /** The container engine, found lazily on first use. */
  engine: EngineAccess;
  db: Executor;
  log: Logger;
  /** The mirror of `owner/name`, if any (its id locates the bare cache). */
  findMirror: (
    fullName: string,
  ) => Promise<{ githubId: number; defaultBranch: string | null } | undefined>;
  /** `git diff --name-only` between two commits of a bare cache (the git adapter's port). */
  changedFiles?: (cacheDir: string, from: string, to: string) => Promise<string[] | undefined>;
  /** Removes secrets from recorded messages and rebuild output (credential patterns without it). */
  redactor?: Redactor;
  /** Tests shorten the waits and pretend to be inside a container. */
  overrides?: ContainerOverrides;
}

export interface ContainerOverrides {
  stopTimeoutSec?: number;
  /** Per request to the engine's socket. */
  requestTimeoutMs?: number;
  pollMs?: number;
  self?: SelfIdentity;
}

/** The container feature as the service uses it. */
export interface ContainersFeature {
  /** Lists, starts, stops, restarts and rebuilds labelled containers (API, CLI, dashboard). */
  service: ContainerService;
  /** Restarts and container actions as they happen (metrics, notifications). */
  events: EventEmitter<ContainerEvents>;
  /** Restarts the followers of a repository a sync changed. */
  onSyncFinished(event: SyncFinishedEvent): void;
  /** Runs the restarts waiting out their debounce now. */
  flush(): Promise<void>;
  /** Lets running restarts finish within `graceMs`, then closes the engine connection. */
  stop(graceMs: number): Promise<void>;
}

/**
 * The container feature wired from its settings: the engine (found lazily), restarts
 * after syncs, working copies and the service the API, CLI and dashboard use. Subscribe
 * `onSyncFinished` to the sync worker's `sync:finished` event and call `stop` on shutdown.
 */
export function wireContainers(deps: ContainersFeatureDeps): ContainersFeature {
  const { settings, engine } = deps;
  const overrides = deps.overrides ?? {};
  const events = new EventEmitter<ContainerEvents>();
  const stopTimeoutSec = overrides.stopTimeoutSec ?? 10;
  const self = overrides.self ?? readSelfIdentity();
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
    health: settings.health,
    pollMs: overrides.pollMs,
    events,
  });
  const workingCopies = settings.checkoutDir
    ? createWorkingCopies({
        checkoutDir: settings.checkoutDir,
        homeDir: join(deps.dataDir, 'git-home'),
      })
    : undefined;
  const cacheDir = (githubId: number) => mirrorCacheDir(deps.dataDir, githubId);
  const rollback =
    workingCopies && settings.rollback
      ? { workingCopies, holds: createWorkingCopyHolds(deps.db), actions, events, runner }
      : undefined;
  const shared = {
    labelKey: settings.restartLabel,
    runner,
    workingCopies,
    parallel: settings.parallel,
    ...(rollback ? { rollback } : {}),
    ...(deps.changedFiles ? { changedFiles: deps.changedFiles } : {}),
  };
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
