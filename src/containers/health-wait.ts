import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerEngine, EngineContainerDetails } from '../engine/engine.port.js';

/** What the wait after a restart saw. Only `healthy` and `running` are a success. */
export type HealthVerdict = 'healthy' | 'running' | 'crash-looping' | 'unhealthy' | 'timeout';

export interface HealthWaitSettings {
  /** Consecutive good samples needed (running, and healthy where there is a check). */
  samples: number;
  /** Time between two samples once the container looked good. */
  intervalMs: number;
  /** The whole wait may not last longer than this. */
  timeoutMs: number;
  /** Time between samples while it is not up yet. */
  pollMs: number;
}

export interface HealthOutcome {
  verdict: HealthVerdict;
  /** The last state seen (for `timeout`: running or not). */
  state: string;
  message?: string;
}

const DOWN = new Set(['exited', 'dead', 'stopped', 'restarting']);

/**
 * Waits until the container is seen up in `samples` consecutive samples `intervalMs`
 * apart. One good look is not enough: a process that dies a few seconds after each start
 * looks fine right after the restart. Once it was seen running, a later sample that finds
 * it down, or started again (State.StartedAt or RestartCount changed: a restart policy
 * brought it back in between), is a crash loop. Engine errors are thrown to the caller.
 */
export async function waitForHealth(
  engine: ContainerEngine,
  id: string,
  settings: HealthWaitSettings,
  signal?: AbortSignal,
  now: () => number = Date.now,
): Promise<HealthOutcome> {
  const deadline = now() + settings.timeoutMs;
  let first: EngineContainerDetails | undefined;
  let good = 0;
  let seen: EngineContainerDetails | undefined;
  for (;;) {
    seen = await engine.inspect(id, signal);
    if (first && startedAgain(first, seen)) {
      return {
        verdict: 'crash-looping',
        state: seen.state,
        message: restartedMessage(first, seen),
      };
    }
    if (seen.state === 'running') {
      first ??= seen;
      good = seen.health === null || seen.health === 'healthy' ? good + 1 : 0;
      if (good >= settings.samples) {
        return { verdict: seen.health === null ? 'running' : 'healthy', state: seen.state };
      }
    } else if (first && DOWN.has(seen.state)) {
      return {
        verdict: 'crash-looping',
        state: seen.state,
        message: `${seen.state} again after it was seen running`,
      };
    } else {
      good = 0;
    }
    if (now() >= deadline || signal?.aborted) break;
    await sleep(good > 0 ? settings.intervalMs : settings.pollMs);
  }
  const waited = `after ${Math.round(settings.timeoutMs / 1000)} s`;
  if (seen.state === 'running' && seen.health === 'unhealthy') {
    return { verdict: 'unhealthy', state: seen.state, message: `running but unhealthy ${waited}` };
  }
  const what = seen.state === 'running' ? `running but ${seen.health}` : seen.state;
  const needed = `${settings.samples} good samples`;
  return { verdict: 'timeout', state: seen.state, message: `${what} ${waited} (${needed} needed)` };
}

function startedAgain(first: EngineContainerDetails, now: EngineContainerDetails): boolean {
  const count = first.restartCount !== null && now.restartCount !== null;
  return (
    (count && now.restartCount !== first.restartCount) ||
    (first.startedAt !== null && now.startedAt !== null && now.startedAt !== first.startedAt)
  );
}

function restartedMessage(first: EngineContainerDetails, now: EngineContainerDetails): string {
  const counts =
    first.restartCount !== null && now.restartCount !== first.restartCount
      ? ` (RestartCount ${first.restartCount} → ${now.restartCount})`
      : '';
  return `started again on its own during the health wait${counts}`;
}
