import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DbHandle } from '../db/database.js';
import type { GitEngine } from '../git/git.port.js';
import { mirrorCacheDir } from '../git/git-cache.js';
import { createHistoryService, type HistoryService } from '../history/history.service.js';
import { createScheduler, type Scheduler } from '../jobs/scheduler.js';
import { findMirror } from '../mirrors/mirrors.repo.js';
import type { OneDevApi } from '../onedev/onedev.port.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

export interface HistoryFeature {
  service: HistoryService;
  /** Expires kept tips older than HISTORY_KEEP, on one replica at a time. */
  scheduler: Scheduler;
}

const HOUR = 3_600_000;

/** Kept history and its retention job (HISTORY_KEEP; none runs when it is `forever`). */
export function wireHistory(deps: {
  handle: DbHandle;
  clock: Clock;
  log: Logger;
  keepMs: number | null;
  dataDir: string;
  git: GitEngine;
  onedev: OneDevApi | undefined;
  notice: Parameters<typeof createHistoryService>[0]['notice'];
  owner?: string;
  checkEveryMs?: number;
}): HistoryFeature {
  const service = createHistoryService({
    ...deps,
    cacheDir: (githubId) => mirrorCacheDir(deps.dataDir, githubId),
    currentPath: async (githubId) => (await findMirror(deps.handle.db, githubId))?.onedev_path,
  });
  // A tenth of the retention, between a second and an hour: expiry is never far behind.
  const intervalMs =
    deps.keepMs === null ? HOUR : Math.min(HOUR, Math.max(1_000, deps.keepMs / 10));
  const scheduler = createScheduler({
    handle: deps.handle,
    clock: deps.clock,
    log: deps.log,
    owner: deps.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    tasks:
      deps.keepMs === null
        ? []
        : [{ name: 'history-expiry', group: 'history', intervalMs, run: service.expire }],
    checkEveryMs: deps.checkEveryMs ?? Math.min(intervalMs, 60_000),
  });
  return { service, scheduler };
}
