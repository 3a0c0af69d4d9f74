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
import {
  currentInterval,
  nextInterval,
  nextSlot,
  type RefreshPolicy,
  type VisitOutcome,
} from './refresh-schedule.js';
import type { SourcesEvents } from './sources.events.js';

export interface RefreshTarget {
  github_id: number;
  owner: string;
  name: string;
  pushed_refs: string | null;
  next_refresh_at: string | null;
  refresh_every_ms: number | null;
  installation_id: number | null;
  onedev_path: string | null;
  /** An operator's interval for this mirror: kept exactly, no adaptation. */
  refreshIntervalMs: number | null;
}

export interface RefreshDeps {
  handle: DbHandle;
  clock: Clock;
  log: Logger;
  events: SourcesEvents;
  git: Pick<GitEngine, 'lsRemote'>;
  mirrors: Pick<
    MirrorService,
    'syncById' | 'refreshCandidates' | 'claimRefreshSlot' | 'claimRefreshSlots' | 'refreshState'
  >;
  githubGitUrl: string;
  authorizationFor: (mirror: RefreshTarget) => Promise<string | undefined>;
  /** A mirror whose credential GitHub rejected: its slot passes without a check. */
  blocked?: (mirror: RefreshTarget) => boolean;
  /**
   * Git refused the credential (HTTP 401/403): ask the API whether the token itself is
   * rejected (a 403 may only be one organisation's policy). Asked at most once per tick.
   */
  onAuthFailed?: () => Promise<void>;
  /** REFRESH_INTERVAL and its adaptive bounds. */
  policy: RefreshPolicy;
  concurrency: number;
  /** A repository git says is gone: check it on the API (renamed without redirect, deleted). */
  onMissing?: (githubId: number) => Promise<void>;
  /** Most mirrors compared per tick. */
  batch?: number;
  /**
   * How many more syncs the sync worker can take now (free slots less its backlog): a tick
   * checks no more mirrors than that, since each may ask for a sync. Unlimited when absent.
   */
  room?: () => Promise<number>;
  /** In [0, 1): the jitter's source (Math.random unless given). */
  random?: () => number;
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
  /** Where in the refresh interval a mirror's first slot falls, in milliseconds from its start. */
  offset(githubId: number): number;
  /** A sync finished (webhook, hint, operator or refresh): the mirror is checked sooner. */
  synced(githubId: number): Promise<void>;
}

/**
 * Freshness without webhooks: each active mirror is compared with `git ls-remote` at its
 * slot — no REST quota — and only a mirror whose refs differ from those last pushed is asked
 * to sync. Each mirror's interval adapts (`refresh-schedule.ts`): sooner after a change,
 * later after quiet or failed checks, within REFRESH_MIN_INTERVAL..REFRESH_MAX_INTERVAL.
 * The most overdue mirrors go first, and a tick checks no more than the sync worker can
 * take; the rest stay due and lead the next tick. Archived and paused mirrors are not
 * refreshed.
 */
export function createRefresh(deps: RefreshDeps): Refresh {
  const log = deps.log.child({ component: 'refresh' });
  const { policy } = deps;
  const random = deps.random ?? Math.random;
  const iso = (ms: number) => new Date(ms).toISOString();

  /** Where a mirror's first slot falls: a fixed fraction of the interval from its id. */
  const offset = (githubId: number, interval = policy.baseMs) =>
    Math.floor((((githubId * 2654435761) % 2 ** 32) / 2 ** 32) * interval);

  /** The first slot after `now` in the same phase as `previous`, `every` apart. */
  function phaseSlot(previous: number, nowMs: number, every: number): number {
    const behind = Math.max(0, Math.floor((nowMs - previous) / every) + 1);
    return previous + behind * every;
  }

  const intervalOf = (row: RefreshTarget) =>
    row.refreshIntervalMs ?? currentInterval(row.refresh_every_ms, policy);

  /** The slot a check takes before it runs (another replica sees it taken). */
  const provisionalSlot = (row: RefreshTarget, nowMs: number) =>
    row.refreshIntervalMs !== null && row.next_refresh_at !== null
      ? // An operator's interval keeps its phase: checks land exactly that far apart.
        phaseSlot(Date.parse(row.next_refresh_at), nowMs, row.refreshIntervalMs)
      : nextSlot(nowMs, intervalOf(row), random);

  async function tick(): Promise<{ checked: number; changed: number }> {
    const nowMs = deps.clock.now().getTime();
    const rows = await deps.mirrors.refreshCandidates(iso(nowMs), deps.batch ?? 500);
    // A mirror with no slot yet gets one spread over its interval (so 1,000 mirrors added
    // together are not all checked at once); it is not checked now.
    const firstSlots = rows
      .filter((r) => r.next_refresh_at === null)
      .map((row) => ({
        githubId: row.github_id,
        from: null,
        at: iso(nowMs + offset(row.github_id, intervalOf(row))),
      }));
    await deps.mirrors.claimRefreshSlots(firstSlots);
    const overdue = rows.filter((r) => r.next_refresh_at !== null);
    const room = deps.room ? Math.max(0, await deps.room()) : overdue.length;
    // Not admitted: their slot stays where it is, so they are the most overdue next tick.
    const admitted = overdue.slice(0, room);
    const deferred = overdue.length - admitted.length;
    const claims = admitted.map((row) => ({
      row,
      githubId: row.github_id,
      from: row.next_refresh_at,
      at: iso(provisionalSlot(row, nowMs)),
    }));
    // Conditional on the slots just read: two replicas never check one mirror twice.
    const taken = await deps.mirrors.claimRefreshSlots(claims);
    const due = claims
      .filter((c) => taken.has(Number(c.githubId)))
      .map(({ row, at }) => ({ row, slot: at }));
    const isBlocked = (row: RefreshTarget) => deps.blocked?.(row) ?? false;
    const checkable = due.filter(({ row }) => !isBlocked(row));
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
    await inParallel(checkable, deps.concurrency, async ({ row, slot }) => {
      // A token found rejected earlier in this tick is not sent for the rest.
      if (isBlocked(row)) return;
      const outcome = await visit(row, authFailed);
      await record(row, slot, outcome);
      if (outcome !== 'changed') return;
      changed++;
      await deps.mirrors.syncById(row.github_id);
    });
    const checked = checkable.length;
    if (checked > 0 || deferred > 0)
      log.info({ checked, changed, deferred }, 'refresh checked mirrors');
    deps.events.emit('refresh:finished', { checked, changed, admitted: due.length, deferred });
    return { checked, changed };
  }

  /** Writes the interval the visit earned and the slot that follows from it. */
  async function record(row: RefreshTarget, slot: string, outcome: VisitOutcome) {
    if (row.refreshIntervalMs !== null) {
      await deps.mirrors.claimRefreshSlot(row.github_id, slot, { at: slot, outcome });
      return;
    }
    // A change is counted once: its sync, when it finishes, brings the next check sooner.
    const everyMs =
      outcome === 'changed'
        ? currentInterval(row.refresh_every_ms, policy)
        : nextInterval(row.refresh_every_ms, outcome, policy);
    const at = iso(nextSlot(deps.clock.now().getTime(), everyMs, random));
    await deps.mirrors.claimRefreshSlot(row.github_id, slot, { at, everyMs, outcome });
    deps.events.emit('refresh:scheduled', { githubId: row.github_id, everyMs, outcome });
  }

  /** Compares the mirror with GitHub (and OneDev); what it found. */
  async function visit(row: RefreshTarget, authFailed: () => Promise<void>): Promise<VisitOutcome> {
    try {
      const url = cloneUrl(deps.githubGitUrl, row);
      const remote = { url, authorization: await deps.authorizationFor(row) };
      const { refs } = await deps.git.lsRemote(remote);
      const pushed = parseRefs(row.pushed_refs);
      if (sameRefs(refs, pushed) && !(await onedevDrifted(row, pushed))) return 'quiet';
      return 'changed';
    } catch (error) {
      log.warn({ err: error, repo: `${row.owner}/${row.name}` }, 'refresh check failed');
      if (error instanceof GitCommandError && error.kind === 'not_found') {
        await deps.onMissing?.(row.github_id).catch(() => {});
        return 'gone';
      }
      if (error instanceof GitCommandError && error.kind === 'auth') {
        await authFailed();
        return 'auth';
      }
      return 'failed';
    }
  }

  /**
   * A sync finished (webhook, hint, operator, or the refresh's own find): it counts as a
   * visit that found a change, so the next check comes sooner, timed from the sync. A
   * mirror the refresh has not placed yet keeps waiting for its first, spread slot.
   */
  async function synced(githubId: number): Promise<void> {
    const state = await deps.mirrors.refreshState(githubId);
    if (!state || state.next_refresh_at === null || state.refreshIntervalMs !== null) return;
    const everyMs = nextInterval(state.refresh_every_ms, 'synced', policy);
    const at = iso(nextSlot(deps.clock.now().getTime(), everyMs, random));
    const visit = { at, everyMs, outcome: 'synced' };
    if (await deps.mirrors.claimRefreshSlot(githubId, state.next_refresh_at, visit))
      deps.events.emit('refresh:scheduled', { githubId, everyMs, outcome: 'synced' });
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

  return { tick, offset: (githubId) => offset(githubId), synced };
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
