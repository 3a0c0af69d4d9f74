import type { Config } from '../config/config.js';
import type { DbHandle } from '../db/database.js';
import type { SourcesStatus } from '../github/sources.types.js';
import type { HealthProbe } from '../health/health.service.js';
import type { Clock } from '../shared/clock.js';
import type { GitHubWatch } from './github-watch.js';
import { listInstallationIds, readState, writeState } from './source-state.repo.js';
import type { SourcesEvents } from './sources.events.js';
import type { StarsState } from './stars.poller.js';

export interface StatusDeps {
  handle: DbHandle;
  github: Config['github'];
  watch: GitHubWatch;
  starsEnabled: boolean;
  appEnabled: boolean;
  refreshEnabled: boolean;
  /** When a periodic task can next run. */
  nextAt: (task: string) => Promise<string | null>;
}

/** The `source_state` row with the token's expiry as GitHub last reported it. */
export const TOKEN_STATE = 'github-token';

/**
 * The `SourcesStatus` contract (dashboard, API, CLI) and the `/health` probe, read from the
 * shared state rows so any replica answers the same.
 */
export function createSourcesStatus(deps: StatusDeps) {
  const gh = deps.github;

  async function status(): Promise<SourcesStatus> {
    const stars = (await readState<StarsState>(deps.handle.db, 'stars')) ?? {};
    const refresh = await readState<{ lastAt?: string }>(deps.handle.db, 'refresh');
    const token = await readState<{ expiresAt?: string }>(deps.handle.db, TOKEN_STATE);
    return {
      starsPoll: {
        enabled: deps.starsEnabled,
        ...(deps.starsEnabled ? { user: gh.starsUser ?? stars.login } : {}),
        lastAt: stars.lastAt ?? null,
        lastResult: stars.lastResult ?? null,
        nextAt: deps.starsEnabled ? await deps.nextAt('stars-quick') : null,
        ...(stars.pausedReason ? { pausedReason: stars.pausedReason } : {}),
        ...(deps.github.starLists.length > 0 ? { lists: followedLists(deps.github, stars) } : {}),
      },
      refresh: {
        lastAt: refresh?.lastAt ?? null,
        nextAt: deps.refreshEnabled ? await deps.nextAt('refresh') : null,
      },
      rateLimit: deps.watch.rateLimit(),
      tokenExpiresAt: deps.watch.tokenExpiresAt()?.toISOString() ?? token?.expiresAt ?? null,
      app: {
        enabled: deps.appEnabled,
        installations: (await listInstallationIds(deps.handle.db)).length,
      },
    };
  }

  const healthProbe: HealthProbe = {
    name: 'github',
    async check() {
      if (!gh.token && !deps.appEnabled && !gh.starsUser) {
        return {
          status: 'not_configured',
          message: 'set GITHUB_TOKEN (or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY)',
        };
      }
      const s = await status();
      const missing = s.starsPoll.lists?.filter((l) => l.missing).map((l) => `"${l.list}"`);
      const listsMessage = missing?.length
        ? `GITHUB_STAR_LISTS: GitHub shows no list ${missing.join(', ')} for this user; nothing is released while a named list is missing`
        : undefined;
      const message = s.starsPoll.pausedReason ?? listsMessage;
      const degraded = Boolean(message) || deps.watch.expiryWarned();
      return {
        status: degraded ? 'degraded' : 'ok',
        ...(message ? { message } : {}),
        rateLimit: s.rateLimit,
        tokenExpiresAt: s.tokenExpiresAt,
        starsPoll: s.starsPoll,
        app: s.app,
      };
    },
  };

  return { status, healthProbe };
}

/** The chosen lists as configured, with what the last walk of them found. */
function followedLists(github: Config['github'], stars: StarsState) {
  return github.starLists.map((choice) => {
    const seen = stars.lists?.find((l) => l.list === choice.list);
    return {
      list: choice.list,
      ...(seen?.slug ? { slug: seen.slug } : {}),
      ...(choice.parent ? { parent: choice.parent } : {}),
      stars: seen?.stars ?? 0,
      ...(seen?.missing ? { missing: true } : {}),
    };
  });
}

/** The refresh's last run is shared state (status pages on any replica). */
export function recordRefreshRuns(events: SourcesEvents, handle: DbHandle, clock: Clock): void {
  events.on('refresh:finished', () => {
    const now = clock.now().toISOString();
    void writeState(handle.db, 'refresh', { lastAt: now }, now).catch(() => {});
  });
}
