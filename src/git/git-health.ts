import type { HealthProbe } from '../health/health.service.js';
import { checkGitInstallation, type GitCheckOptions } from './git-installation.js';

/**
 * The `git` component of GET /health: the same check as at start-up, so a git removed or
 * downgraded under a running service shows. Cached, as `/health` may be polled often.
 */
export function gitHealthProbe(options: GitCheckOptions & { cacheMs?: number } = {}): HealthProbe {
  const cacheMs = options.cacheMs ?? 60_000;
  let cached: { at: number; result: Awaited<ReturnType<HealthProbe['check']>> } | undefined;
  return {
    name: 'git',
    async check() {
      if (cached && Date.now() - cached.at < cacheMs) return cached.result;
      const result = await checkGitInstallation(options).then(
        ({ version }) => ({ status: 'ok' as const, version }),
        (error: Error) => ({ status: 'down' as const, message: error.message }),
      );
      cached = { at: Date.now(), result };
      return result;
    },
  };
}
