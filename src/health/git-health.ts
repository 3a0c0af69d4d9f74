import { checkGitInstallation, type GitCheckOptions } from '../git/git-installation.js';
import { cachedProbe } from './cached-probe.js';
import type { HealthProbe } from './health.service.js';

/**
 * The `git` component of GET /health: the same check as at start-up, so a git removed or
 * downgraded under a running service shows. Cached: it starts a process each time.
 */
export function gitHealthProbe(options: GitCheckOptions & { cacheMs?: number } = {}): HealthProbe {
  return cachedProbe(
    {
      name: 'git',
      check: () =>
        checkGitInstallation(options).then(
          ({ version }) => ({ status: 'ok' as const, version }),
          (error: Error) => ({ status: 'down' as const, message: error.message }),
        ),
    },
    { ms: options.cacheMs ?? 60_000 },
  );
}
