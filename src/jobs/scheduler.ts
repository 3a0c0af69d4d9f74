import type { DbHandle } from '../db/database.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { extendLease, findLease, tryAcquireLease } from './leases.repo.js';

export interface PeriodicTask {
  name: string;
  intervalMs: number;
  /** Tasks of one group run one after another in this process (they share state). */
  group: string;
  run: () => Promise<unknown>;
}

export interface SchedulerOptions {
  handle: DbHandle;
  clock: Clock;
  log: Logger;
  /** This replica's id in the leases table. */
  owner: string;
  tasks: PeriodicTask[];
  /** How often each replica looks for due tasks. */
  checkEveryMs: number;
}

const PREFIX = 'sources:';

/** Runs periodic tasks, each at most once per interval across every replica (by lease). */
export interface Scheduler {
  /** Runs, now, every task whose lease this replica can take; resolves when they finish. */
  runDue(): Promise<void>;
  /** Runs due tasks now and then every `checkEveryMs`. */
  start(): void;
  /** Stops starting tasks; waits up to `graceMs` for those running. */
  stop(graceMs: number): Promise<void>;
  /** When a task can next run (its lease's expiry), or null before its first run. */
  nextAt(name: string): Promise<string | null>;
}

/**
 * Runs periodic tasks on one replica at a time, once per interval: a task's lease lasts
 * its interval and is not released after the run, so whichever replica takes it runs
 * the task and nobody can take it again before the interval is over. A run that outlasts
 * its interval keeps extending the lease, so two runs never overlap. A replica that dies
 * only delays the next run until its lease expires.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const log = options.log.child({ component: 'scheduler' });
  const running = new Map<string, Promise<void>>();
  const groups = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const iso = (offsetMs = 0) => new Date(options.clock.now().getTime() + offsetMs).toISOString();

  async function runDue(): Promise<void> {
    const started: Promise<void>[] = [];
    for (const task of options.tasks) {
      if (stopped || running.has(task.name)) continue;
      const acquired = await tryAcquireLease(options.handle.db, {
        name: PREFIX + task.name,
        owner: options.owner,
        now: iso(),
        until: iso(task.intervalMs),
      }).catch((error: unknown) => {
        log.warn({ err: error, task: task.name }, 'lease check failed');
        return false;
      });
      if (!acquired) continue;
      const previous = groups.get(task.group) ?? Promise.resolve();
      const run = previous.then(() => execute(task));
      groups.set(task.group, run);
      running.set(task.name, run);
      started.push(run.finally(() => running.delete(task.name)));
    }
    await Promise.all(started);
  }

  async function execute(task: PeriodicTask): Promise<void> {
    const keepAlive = setInterval(
      () =>
        void extendLease(
          options.handle.db,
          PREFIX + task.name,
          options.owner,
          iso(task.intervalMs),
        ).catch(() => {}),
      Math.max(50, Math.floor(task.intervalMs / 2)),
    );
    try {
      await task.run();
    } catch (error) {
      log.warn({ err: error, task: task.name }, 'periodic task failed');
    } finally {
      clearInterval(keepAlive);
    }
  }

  return {
    runDue,
    start(): void {
      stopped = false;
      void runDue();
      timer = setInterval(() => void runDue(), options.checkEveryMs);
      timer.unref();
    },
    async stop(graceMs: number): Promise<void> {
      stopped = true;
      clearInterval(timer);
      const all = Promise.all(running.values());
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    },
    /** When a task can next run (its lease's expiry), or null before its first run. */
    async nextAt(name: string): Promise<string | null> {
      return (await findLease(options.handle.db, PREFIX + name))?.expires_at ?? null;
    },
  };
}
