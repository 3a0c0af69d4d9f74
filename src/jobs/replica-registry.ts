import type { DbHandle } from '../db/database.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { assignPreferredReplicas } from './rendezvous.js';
import {
  heartbeatReplica,
  liveReplicas,
  pruneReplicas,
  registerReplica,
  removeReplica,
} from './replicas.repo.js';

export interface ReplicaRegistryOptions {
  handle: DbHandle;
  clock: Clock;
  log: Logger;
  /** This replica's id: the instance id of its DATA_DIR. */
  id: string;
  host: string;
  heartbeatMs: number;
  /**
   * Keep each mirror's preferred replica up to date (rendezvous over the live set). Off on
   * SQLite, where one replica runs and claims in plain queue order.
   */
  assign: boolean;
}

/** The running replicas: this one's registration, heartbeat and the mirrors' preferences. */
export interface ReplicaRegistry {
  id: string;
  /** A replica whose heartbeat is older than this is not live (three missed heartbeats). */
  liveMs: number;
  /** Registers, assigns the preferences, and heartbeats every `heartbeatMs`. */
  start(): Promise<void>;
  /** One heartbeat now (the timer calls it; tests too). */
  beat(): Promise<void>;
  /** Leaves the registry (a clean shutdown): the others take this replica's mirrors at once. */
  stop(): Promise<void>;
}

/** Replicas silent this long are forgotten (a restart registers again). */
const FORGET_AFTER_MS = 86_400_000;

/**
 * Each replica registers in the `replicas` table and heartbeats. Whichever replica first sees
 * the live set change (a replica joined, stopped or went silent) recomputes every mirror's
 * preferred replica; all compute the same answer, so two doing it at once agree. Between
 * changes a heartbeat only assigns the mirrors added since (still null).
 */
export function createReplicaRegistry(options: ReplicaRegistryOptions): ReplicaRegistry {
  const { handle, clock, id, host } = options;
  const log = options.log.child({ component: 'replicas', replica: id });
  const liveMs = 3 * options.heartbeatMs;
  const iso = (offsetMs = 0) => new Date(clock.now().getTime() + offsetMs).toISOString();
  let seen = '';
  let timer: NodeJS.Timeout | undefined;
  let beating: Promise<void> = Promise.resolve();

  async function reassign(): Promise<void> {
    const live = (await liveReplicas(handle.db, iso(-liveMs))).map((r) => r.id);
    const key = live.join(',');
    const changed = key !== seen;
    const moved = await assignPreferredReplicas(handle.db, live, { onlyUnassigned: !changed });
    if (changed) log.info({ live, moved }, 'live replicas changed; mirrors reassigned');
    seen = key;
  }

  async function beat(): Promise<void> {
    await heartbeatReplica(handle.db, { id, host, now: iso() });
    if (options.assign) await reassign();
  }

  /** One heartbeat at a time; a failed one is logged and the next tries again. */
  function tick(): Promise<void> {
    beating = beating.then(() =>
      beat().catch((error: unknown) => log.warn({ err: error }, 'replica heartbeat failed')),
    );
    return beating;
  }

  return {
    id,
    liveMs,
    async start() {
      await registerReplica(handle.db, { id, host, now: iso() });
      await pruneReplicas(handle.db, iso(-FORGET_AFTER_MS));
      log.info({ heartbeatMs: options.heartbeatMs }, 'replica registered');
      await tick();
      timer = setInterval(() => void tick(), options.heartbeatMs);
      timer.unref();
    },
    beat: tick,
    async stop() {
      clearInterval(timer);
      await beating;
      try {
        await removeReplica(handle.db, id);
        if (options.assign) await reassign();
        log.info('replica left the registry');
      } catch (error) {
        log.warn({ err: error }, 'leaving the replica registry failed');
      }
    },
  };
}
