import type { HealthProbe } from '../health/health.service.js';
import { GuardForbiddenError, type OneDevProtectionApi, withGuard } from '../onedev/protection.js';
import type { Clock } from '../shared/clock.js';
import { coerceError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

/**
 * The mirror guard: every mirror project carries a branch and a tag protection rule that
 * lets only Starbridge's own OneDev account create, move or delete refs there
 * (docs/reference/onedev.md#protection-rules). It is put in place after a sync and then
 * looked at again at most every `recheckMs` per project, so a sync costs no extra call most
 * of the time. The guard never fails a sync: when OneDev refuses (403) it says so in health
 * and on the dashboard, and mirroring goes on unguarded.
 */

export type GuardState = 'off' | 'pending' | 'ok' | 'forbidden' | 'failing';

export interface GuardStatus {
  state: GuardState;
  /** What is wrong and what to do; null when the guard is in place or off. */
  message: string | null;
  /** Projects whose setting carries the guard, as far as this process checked. */
  guarded: number;
  /** When OneDev was last asked. */
  checkedAt: string | null;
}

export interface MirrorGuard {
  /** Puts the guard on the project unless it was checked recently; never throws. */
  protect(project: { projectId: number; path: string }, signal?: AbortSignal): Promise<void>;
  status(): GuardStatus;
}

export interface MirrorGuardDeps {
  api: OneDevProtectionApi;
  enabled: boolean;
  clock: Clock;
  log: Logger;
  /** How long a project checked once is trusted before it is read again (1 h unless given). */
  recheckMs?: number;
}

export function createMirrorGuard(deps: MirrorGuardDeps): MirrorGuard {
  const log = deps.log.child({ component: 'mirror-guard' });
  const recheckMs = deps.recheckMs ?? 3_600_000;
  const checked = new Map<number, number>();
  let login: Promise<string> | undefined;
  let status: GuardStatus = {
    state: deps.enabled ? 'pending' : 'off',
    message: null,
    guarded: 0,
    checkedAt: null,
  };

  function settle(state: GuardState, message: string | null): void {
    if (state !== status.state || message !== status.message) {
      if (message) log.warn({ state }, message);
      else log.info({ state }, 'mirror guard in place');
    }
    status = { state, message, guarded: checked.size, checkedAt: deps.clock.now().toISOString() };
  }

  async function apply(projectId: number, signal?: AbortSignal): Promise<boolean> {
    login ??= deps.api.currentLogin(signal).catch((error: unknown) => {
      login = undefined;
      throw error;
    });
    const me = await login;
    const current = await deps.api.readSetting(projectId, signal);
    const next = withGuard(current, me);
    if (next.changed) await deps.api.writeSetting(projectId, next.setting, signal);
    return next.changed;
  }

  return {
    async protect(project, signal) {
      if (!deps.enabled) return;
      const now = deps.clock.now().getTime();
      const last = checked.get(project.projectId);
      if (last !== undefined && now - last < recheckMs) return;
      try {
        const changed = await apply(project.projectId, signal);
        checked.set(project.projectId, now);
        if (changed) log.info({ project: project.path }, 'mirror guard put on the project');
        settle('ok', null);
      } catch (thrown) {
        checked.delete(project.projectId);
        const error = coerceError(thrown);
        const forbidden = error instanceof GuardForbiddenError;
        settle(
          forbidden ? 'forbidden' : 'failing',
          `${project.path} is not guarded: ${error.message}`,
        );
      }
    },
    status: () => status,
  };
}

/** `onedev_guard` in /health: degraded while projects cannot be guarded. */
export function guardHealthProbe(guard: MirrorGuard): HealthProbe {
  return {
    name: 'onedev_guard',
    async check() {
      const s = guard.status();
      const bad = s.state === 'forbidden' || s.state === 'failing';
      return {
        status: bad ? 'degraded' : 'ok',
        state: s.state,
        guarded: s.guarded,
        ...(s.message ? { message: s.message } : {}),
      };
    },
  };
}
