import type { EventEmitter } from 'node:events';
import type { ContainerEngine, EngineContainer } from '../engine/engine.port.js';
import { ContainerEngineError } from '../engine/engine-errors.js';
import type { ContainerActionLog } from './container-action.js';
import type { ContainerEvents, LedgerEntry, RestartResult } from './containers.events.js';
import { type HealthOutcome, type HealthVerdict, waitForHealth } from './health-wait.js';
import { isSelf, type SelfIdentity } from './self-container.js';

export type RestartEntry = Extract<LedgerEntry, { kind: 'restart' }>;

export interface RestartRunnerOptions {
  self: SelfIdentity;
  /** The engine's SIGTERM → SIGKILL grace (`t`). */
  stopTimeoutSec: number;
  /** How long to wait for running (and healthy) after the restart answered. */
  waitMs: number;
  /** Consecutive good samples, and the time between them, that make a restart succeed. */
  health?: { samples: number; intervalMs: number };
  pollMs?: number;
  now?: () => Date;
  events: EventEmitter<ContainerEvents>;
  /** Where each restart is recorded (the last restart per container is read from there). */
  actions: ContainerActionLog;
}

/** Restarts one container and waits for it to run (and be healthy). */
export interface RestartRunner {
  /** Restarts `container`, waits for it, records the restart; never throws for the engine's failures. */
  restart(
    engine: ContainerEngine,
    container: EngineContainer,
    repo?: string,
    signal?: AbortSignal,
    rollback?: RollbackStep,
  ): Promise<RestartEntry>;
}

/**
 * `possible`: a failed health wait will be rolled back (its event says `pending`, so the
 * rollback tells about it); `after`: the restart on the commit the working copy went back to.
 */
export type RollbackStep = 'possible' | 'after';

/** Results where the container was restarted but did not stay up: a rollback may help. */
export const HEALTH_FAILURES: ReadonlySet<RestartResult> = new Set<RestartResult>([
  'crash_looping',
  'unhealthy',
  'not_running',
]);

/** Restarts containers one call each, waits for them, and records each restart. */
export function createRestartRunner(options: RestartRunnerOptions): RestartRunner {
  const now = options.now ?? (() => new Date());

  async function restart(
    engine: ContainerEngine,
    container: EngineContainer,
    repo?: string,
    signal?: AbortSignal,
    rollback?: RollbackStep,
  ): Promise<RestartEntry> {
    const entry = await attempt(engine, container, repo, signal, rollback);
    await options.actions.record({
      kind: 'restart',
      container: container.name,
      containerId: container.id,
      repository: repo ?? null,
      result: entry.result,
      health: entry.health ?? null,
      message: entry.message ?? null,
      startedAt: entry.at,
      finishedAt: new Date(Date.parse(entry.at) + entry.durationMs).toISOString(),
    });
    return entry;
  }

  async function attempt(
    engine: ContainerEngine,
    container: EngineContainer,
    repo: string | undefined,
    signal: AbortSignal | undefined,
    rollback: RollbackStep | undefined,
  ): Promise<RestartEntry> {
    const started = now();
    const done: Done = (result, message, health) => {
      const entry: RestartEntry = {
        kind: 'restart',
        container: container.name,
        id: container.id,
        result,
        ...(health ? { health } : {}),
        ...(message ? { message } : {}),
        at: started.toISOString(),
        durationMs: now().getTime() - started.getTime(),
      };
      options.events.emit('container:restarted', {
        container: container.name,
        id: container.id,
        ...(repo ? { repo } : {}),
        result,
        ...(health ? { health } : {}),
        durationMs: entry.durationMs,
        ...rollbackMark(rollback, result),
      });
      return entry;
    };
    if (isSelf(options.self, container)) {
      return done('skipped', "this is Starbridge's own container; restart it yourself");
    }
    try {
      await engine.act(container.id, 'restart', { stopTimeoutSec: options.stopTimeoutSec, signal });
    } catch (error) {
      return failed(error, done);
    }
    return waitUntilUp(engine, container.id, done, signal);
  }

  async function waitUntilUp(
    engine: ContainerEngine,
    id: string,
    done: Done,
    signal?: AbortSignal,
  ): Promise<RestartEntry> {
    let outcome: HealthOutcome;
    try {
      outcome = await waitForHealth(
        engine,
        id,
        {
          samples: options.health?.samples ?? 1,
          intervalMs: options.health?.intervalMs ?? 0,
          timeoutMs: options.waitMs,
          pollMs: options.pollMs ?? 250,
        },
        signal,
        () => now().getTime(),
      );
    } catch (error) {
      return failed(error, done);
    }
    return done(RESULT_OF[outcome.verdict](outcome.state), outcome.message, outcome.verdict);
  }

  return { restart };
}

function rollbackMark(
  step: RollbackStep | undefined,
  result: RestartResult,
): { rollback?: 'pending' | 'after' } {
  if (step === 'after') return { rollback: 'after' };
  return step === 'possible' && HEALTH_FAILURES.has(result) ? { rollback: 'pending' } : {};
}

/** The ledger's result for each verdict (`timeout`: whether it was at least running). */
const RESULT_OF: Record<HealthVerdict, (state: string) => RestartResult> = {
  healthy: () => 'restarted',
  running: () => 'restarted',
  'crash-looping': () => 'crash_looping',
  unhealthy: () => 'unhealthy',
  timeout: (state) => (state === 'running' ? 'unhealthy' : 'not_running'),
};

type Done = (result: RestartResult, message?: string, health?: HealthVerdict) => RestartEntry;

function failed(error: unknown, done: Done): RestartEntry {
  if (error instanceof ContainerEngineError) {
    if (error.failure === 'not_found') return done('gone', 'removed before it could be restarted');
    return done(error.failure === 'timeout' ? 'timeout' : 'failed', error.message);
  }
  return done('failed', error instanceof Error ? error.message : String(error));
}
