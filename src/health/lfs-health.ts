import { cachedProbe } from './cached-probe.js';
import type { HealthProbe } from './health.service.js';

/**
 * The `lfs` component of GET /health: the git-lfs version when LFS mirroring is on, or why it is
 * off. A missing git-lfs leaves mirroring running without LFS objects, so it is `degraded`, not
 * `down`. Cached: it starts a process each time.
 */
export function lfsHealthProbe(options: {
  enabled: boolean;
  version: () => Promise<string | undefined>;
  cacheMs?: number;
}): HealthProbe {
  return cachedProbe(
    {
      name: 'lfs',
      check: async () => {
        if (!options.enabled) {
          return {
            status: 'not_configured' as const,
            message: 'LFS mirroring is off (MIRROR_LFS=false): LFS objects are not mirrored',
          };
        }
        const version = await options.version().catch(() => undefined);
        if (version) return { status: 'ok' as const, version };
        return {
          status: 'degraded' as const,
          message:
            'git-lfs is not installed, so LFS mirroring is off: refs are mirrored without their LFS objects. Install git-lfs (Debian: apt-get install git-lfs) or set MIRROR_LFS=false',
        };
      },
    },
    { ms: options.cacheMs ?? 60_000 },
  );
}
