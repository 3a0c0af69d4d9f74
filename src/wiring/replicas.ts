import { hostname } from 'node:os';
import type { DbHandle } from '../db/database.js';
import { createReplicaRegistry, type ReplicaRegistry } from '../jobs/replica-registry.js';
import { createScheduler, type Scheduler } from '../jobs/scheduler.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { expireCaches } from '../sync/cache-expiry.js';

export interface ReplicaSettings {
  /** How often a replica heartbeats; it is not live after three missed heartbeats. */
  heartbeatMs: number;
  /** How long a due mirror waits for its preferred replica before any replica takes it. */
  claimGraceMs: number;
  /** How often the cache expiry looks (default: a tenth of CACHE_EXPIRE_AFTER, 1 s to 1 h). */
  cacheCheckEveryMs?: number;
}

export const REPLICA_DEFAULTS: ReplicaSettings = { heartbeatMs: 10_000, claimGraceMs: 30_000 };

export interface ReplicasFeature {
  /** What the sync workers claim first with, on PostgreSQL; undefined on SQLite (one replica). */
  preferOwn: { liveMs: number; graceMs: number } | undefined;
  /** This replica's registration, once started. */
  registry(): ReplicaRegistry | undefined;
  /** Runs the cache expiry now, outside the schedule; the GitHub ids whose cache went. */
  expireNow(): Promise<number[]>;
  start(instanceId: string): Promise<void>;
  stop(graceMs: number): Promise<void>;
}

const HOUR = 3_600_000;

/**
 * The replica registry (heartbeats, each mirror's preferred replica) and this replica's git
 * cache expiry (CACHE_EXPIRE_AFTER; none when null). The expiry is a scheduler task named by
 * the replica, so every replica runs its own, on its own DATA_DIR.
 */
export function wireReplicas(deps: {
  handle: DbHandle;
  clock: Clock;
  log: Logger;
  dataDir: string;
  expireAfterMs: number | null;
  settings: ReplicaSettings;
  onCacheExpired: () => void;
}): ReplicasFeature {
  const { handle, settings } = deps;
  const multi = handle.dialect === 'postgres';
  let registry: ReplicaRegistry | undefined;
  let scheduler: Scheduler | undefined;
  let expire: () => Promise<number[]> = async () => [];
  return {
    preferOwn: multi
      ? { liveMs: 3 * settings.heartbeatMs, graceMs: settings.claimGraceMs }
      : undefined,
    registry: () => registry,
    expireNow: () => expire(),
    async start(instanceId) {
      registry = createReplicaRegistry({
        handle,
        clock: deps.clock,
        log: deps.log,
        id: instanceId,
        host: hostname(),
        heartbeatMs: settings.heartbeatMs,
        assign: multi,
      });
      await registry.start();
      const expireAfterMs = deps.expireAfterMs;
      if (expireAfterMs === null) return;
      const intervalMs =
        settings.cacheCheckEveryMs ?? Math.min(HOUR, Math.max(1_000, expireAfterMs / 10));
      expire = () =>
        expireCaches({
          handle,
          clock: deps.clock,
          log: deps.log,
          dataDir: deps.dataDir,
          expireAfterMs,
          holder: `${instanceId}/cache-expiry`,
          onExpired: deps.onCacheExpired,
        });
      scheduler = createScheduler({
        handle,
        clock: deps.clock,
        log: deps.log,
        owner: `${instanceId}/cache-expiry`,
        tasks: [
          { name: `cache-expiry:${instanceId}`, group: 'cache-expiry', intervalMs, run: expire },
        ],
        checkEveryMs: Math.min(intervalMs, 60_000),
      });
      scheduler.start();
    },
    async stop(graceMs) {
      await scheduler?.stop(graceMs);
      await registry?.stop();
    },
  };
}
