import type { Config } from '../config/config.js';
import type { DbHandle } from '../db/database.js';
import type { SourcesStatus } from '../github/sources.types.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { Redactor } from '../shared/redact.js';
import { createGitHubCredentials } from '../sources/git-auth.js';
import { createSourcesFeature } from '../sources/sources.feature.js';
import type { MirrorService } from '../sync/mirror.service.js';

const PAUSED_SHOWN = 20;

/** The GitHub sources part of `starbridge status`: poller, refresh, quota, paused mirrors. */
export async function printSourcesStatus(deps: {
  config: Config;
  handle: DbHandle;
  log: Logger;
  clock: Clock;
  mirrors: MirrorService;
  out: (line: string) => void;
}): Promise<void> {
  const { out } = deps;
  const sources = createSourcesFeature(deps.config, {
    ...deps,
    credentials: createGitHubCredentials(deps.config, deps.log),
    redactor: new Redactor([]),
  });
  const s = await sources.status();
  const stars = s.starsPoll;
  // Without any GitHub source configured there is nothing to say but the paused mirrors.
  if (stars.enabled || s.app.enabled) printSchedules(s, out);
  const paused = await deps.mirrors.list({ status: 'paused', limit: PAUSED_SHOWN, offset: 0 });
  if (paused.total === 0) return;
  out(`paused mirrors (${paused.total}):`);
  for (const m of paused.mirrors) {
    out(`  ${m.fullName} [source ${m.source}, starred ${m.starred}] ${m.pausedReason ?? ''}`);
  }
}

function printSchedules(s: SourcesStatus, out: (line: string) => void): void {
  const stars = s.starsPoll;
  if (!stars.enabled) out('stars poller: off (set GITHUB_TOKEN or GITHUB_STARS_USER)');
  else {
    out(
      `stars poller: ${stars.user ?? '(token user)'}; last ${stars.lastAt ?? 'never'} (${stars.lastResult ?? '-'}); next ${stars.nextAt ?? 'at start'}`,
    );
    if (stars.pausedReason) out(`  PAUSED: ${stars.pausedReason}`);
  }
  out(`refresh: last ${s.refresh.lastAt ?? 'never'}; next ${s.refresh.nextAt ?? 'at start'}`);
  if (s.rateLimit)
    out(
      `github rate limit: ${s.rateLimit.remaining}/${s.rateLimit.limit}, resets ${s.rateLimit.resetAt}`,
    );
  if (s.app.enabled) out(`github app: ${s.app.installations} installation(s)`);
}
