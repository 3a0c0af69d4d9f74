import type { SourcesStatus } from '../github/sources.types.js';
import type { Mirror } from '../mirrors/mirror.js';
import type { MirrorService } from '../mirrors/mirror.service.js';

const PAUSED_SHOWN = 20;
const PAGE = 500;

/**
 * The GitHub sources part of `starbridge status`: poller, refresh, quota, the token's expiry,
 * paused mirrors; with `eachMirror`, every mirror with its source and next refresh.
 */
export async function printSourcesStatus(deps: {
  sources: { status(): Promise<SourcesStatus> };
  mirrors: MirrorService;
  out: (line: string) => void;
  eachMirror?: boolean;
}): Promise<void> {
  const { out } = deps;
  const s = await deps.sources.status();
  const stars = s.starsPoll;
  // Without any GitHub source configured there is nothing to say but the paused mirrors.
  if (stars.enabled || s.app.enabled) printSchedules(s, out);
  if (deps.eachMirror) await printEachMirror(deps.mirrors, out);
  const paused = await deps.mirrors.list({ status: 'paused', limit: PAUSED_SHOWN, offset: 0 });
  if (paused.total === 0) return;
  out(`paused mirrors (${paused.total}):`);
  for (const m of paused.mirrors) {
    const by = m.pausedBy ? ` (by ${m.pausedBy}, ${m.pausedAt})` : '';
    out(`  ${m.fullName} [source ${m.source}, starred ${m.starred}] ${m.pausedReason ?? ''}${by}`);
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
  if (s.tokenExpiresAt) out(`github token: expires ${s.tokenExpiresAt}`);
  if (s.app.enabled) out(`github app: ${s.app.installations} installation(s)`);
}

/** `status --mirrors`: one line per mirror, by name. */
async function printEachMirror(mirrors: MirrorService, out: (line: string) => void) {
  out('each mirror (source, starred, next refresh):');
  for (let offset = 0; ; offset += PAGE) {
    const page = await mirrors.list({ limit: PAGE, offset });
    for (const m of page.mirrors) out(`  ${m.fullName} [${m.status}] ${describeMirror(m)}`);
    if (offset + PAGE >= page.total) return;
  }
}

function describeMirror(m: Mirror): string {
  const source = `source ${m.source}${m.starred ? ', starred' : ''}`;
  return `${source}; ${refreshOf(m)}`;
}

/** Refresh compares only synced, active mirrors; say why the others are not compared. */
function refreshOf(m: Mirror): string {
  if (m.status === 'paused') return 'not refreshed (paused)';
  if (m.archived) return 'not refreshed (archived)';
  if (m.status !== 'synced') return 'refreshed once synced';
  return m.nextRefreshAt
    ? `next refresh ${m.nextRefreshAt}`
    : 'next refresh: a slot at the next refresh tick';
}
