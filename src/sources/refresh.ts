import type { DbHandle } from '../db/database.js';
import type { GitEngine, GitRemote, RefMap } from '../git/git.port.js';
import { GitCommandError } from '../git/git-errors.js';
import { cloneUrl } from '../github/repo-name.js';
import { parseRefs } from '../mirrors/mirror.js';
import type { MirrorService } from '../mirrors/mirror.service.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { onedevRefsNow } from '../sync/drift.js';
import { sameRefs } from '../sync/ref-changes.js';
import type { SourcesEvents } from './sources.events.js';

export interface RefreshTarget {
  github_id: number;
  owner: string;
  name: string;
  pushed_refs: string | null;
  next_refresh_at: string | null;
  installation_id: number | null;
  onedev_path: string | null;
}

export interface RefreshDeps {
  handle: DbHandle;
  clock: Clock;
  log: Logger;
  events: SourcesEvents;
  git: Pick<GitEngine, 'lsRemote'>;
  mirrors: Pick<MirrorService, 'syncById' | 'refreshCandidates' | 'claimRefreshSlot'> &
    Partial<Pick<MirrorService, 'claimRefreshSlots'>>;
  githubGitUrl: string;
  authorizationFor: (mirror: RefreshTarget) => Promise<string | undefined>;
  /** A mirror whose credential GitHub rejected: its slot passes without a check. */
  blocked?: (mirror: RefreshTarget) => boolean;
  /**
   * Git refused the credential (HTTP 401/403): ask the API whether the token itself is
   * rejected (a 403 may only be one organisation's policy). Asked at most once per tick.
   */
  onAuthFailed?: () => Promise<void>;
  intervalMs: number;
  concurrency: number;
  /** A repository git says is gone: check it on the API (renamed without redirect, deleted). */
  onMissing?: (githubId: number) => Promise<void>;
  /** Most mirrors compared per tick. */
  batch?: number;
  /**
   * Where the mirror lives in OneDev, for git: when given, a mirror whose GitHub refs are
   * unchanged is compared with OneDev too, so a change made there (drift) is undone.
   */
  onedevRemote?: (mirror: RefreshTarget) => GitRemote | undefined;
}

/** Freshness without webhooks: each active mirror compared with `git ls-remote` at its slot. */
export interface Refresh {
  /** Compares the mirrors whose slot came; returns how many were compared and how many differed. */
  tick(): Promise<{ checked: number; changed: number }>;
  /** Where in the refresh interval a mirror's slot falls, in milliseconds from its start. */
  offset(githubId: number): number;
}

/**
 * Freshness without webhooks: each active mirror gets a slot in the refresh interval
 * (spread by its id, so 1,000 mirrors do not all run at once) and at its slot is compared
 * with `git ls-remote` — no REST quota. Only a mirror whose refs differ from what was
 * last pushed is asked to sync. Archived and paused mirrors are not refreshed.
 */
export function createRefresh(deps: RefreshDeps): Refresh {
  const log = deps.log.child({ component: 'refresh' });
  const interval = deps.intervalMs;

  /** Where in the interval a mirror's slot falls: a fixed fraction from its id. */
  const offset = (githubId: number) =>
    Math.floor((((githubId * 2654435761) % 2 ** 32) / 2 ** 32) * interval);

  /** The first slot after `now` in the same phase as `previous`, `every` apart. */
  function nextSlot(previous: number, nowMs: number, every: number): number {
    const behind = Math.max(0, Math.floor((nowMs - previous) / every) + 1);
    return previous + behind * every;
  }

  async function tick(): Promise<{ checked: number; changed: number }> {
    const nowMs = deps.clock.now().getTime();
    const now = new Date(nowMs).toISOString();
    const rows = await deps.mirrors.refreshCandidates(now, deps.batch ?? 500);
    const claims = rows.map((row) => {
      const slot = row.next_refresh_at
        ? // A mirror's own interval (set on its page) overrides the global one.
          nextSlot(Date.parse(row.next_refresh_at), nowMs, row.refreshIntervalMs ?? interval)
        : nowMs + (offset(row.github_id) % (row.refreshIntervalMs ?? interval));
      return { mirror: row, at: new Date(slot).toISOString() };
    });
    // Conditional on the slot just read: two replicas never check one mirror twice.
    const claimed = await claimSlots(claims);
    const due = rows.filter(
      (row) => claimed.has(Number(row.github_id)) && row.next_refresh_at !== null,
    );
    const isBlocked = (row: RefreshTarget) => deps.blocked?.(row) ?? false;
    const checkable = due.filter((row) => !isBlocked(row));
    if (checkable.length < due.length) {
      // One line per tick, not one error per repository: the token's alert says the rest.
      const skipped = due.length - checkable.length;
      log.info({ skipped }, 'refresh skipped mirrors: GitHub rejected the token');
    }
    let changed = 0;
    // One question per tick, and every lane waits for its answer before the next mirror.
    let authCheck: Promise<void> | undefined;
    const authFailed = () => {
      authCheck ??= (deps.onAuthFailed?.() ?? Promise.resolve()).catch(() => {});
      return authCheck;
    };
    await inParallel(checkable, deps.concurrency, async (row) => {
      // A token found rejected earlier in this tick is not sent for the rest.
      if (isBlocked(row)) return;
      if (await differs(row, authFailed)) changed++;
    });
    const checked = checkable.length;
    if (checked > 0) log.info({ checked, changed }, 'refresh checked mirrors');
    deps.events.emit('refresh:finished', { checked, changed });
    return { checked, changed };
  }

  /** The whole batch's slots in a few statements where the mirrors module offers it. */
  async function claimSlots(
    claims: Array<{ mirror: Parameters<MirrorService['claimRefreshSlot']>[0]; at: string }>,
  ) {
    if (deps.mirrors.claimRefreshSlots) return deps.mirrors.claimRefreshSlots(claims);
    const claimed = new Set<number>();
    for (const { mirror, at } of claims) {
      if (await deps.mirrors.claimRefreshSlot(mirror, at)) claimed.add(Number(mirror.github_id));
    }
    return claimed;
  }

  async function differs(row: RefreshTarget, authFailed: () => Promise<void>): Promise<boolean> {
    try {
      const url = cloneUrl(deps.githubGitUrl, row);
      const remote = { url, authorization: await deps.authorizationFor(row) };
      const { refs } = await deps.git.lsRemote(remote);
      const pushed = parseRefs(row.pushed_refs);
      if (sameRefs(refs, pushed) && !(await onedevDrifted(row, pushed))) return false;
      await deps.mirrors.syncById(row.github_id);
      return true;
    } catch (error) {
      if (error instanceof GitCommandError && error.kind === 'not_found') {
        await deps.onMissing?.(row.github_id).catch(() => {});
      }
      if (error instanceof GitCommandError && error.kind === 'auth') await authFailed();
      log.warn({ err: error, repo: `${row.owner}/${row.name}` }, 'refresh check failed');
      return false;
    }
  }

  /** One ls-remote to OneDev: do its heads and tags still equal those last pushed? */
  async function onedevDrifted(row: RefreshTarget, pushed: RefMap): Promise<boolean> {
    const remote = deps.onedevRemote?.(row);
    if (!remote) return false;
    try {
      const refs = await onedevRefsNow(() => deps.git.lsRemote(remote));
      return !sameRefs(refs, pushed);
    } catch (error) {
      // OneDev's failure says nothing about GitHub's token or repository: only logged here;
      // the next sync meets it and reports it.
      log.warn({ err: error, repo: `${row.owner}/${row.name}` }, 'refresh could not read OneDev');
      return false;
    }
  }

  return { tick, offset };
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(lanes);
}
