import type { DbHandle } from '../db/database.js';
import { type GitHubOctokit, statusOf } from '../github/github-api.js';
import { isStarred, type StarsTarget, tokenLogin } from '../github/stars.api.js';
import { TOKEN_RECHECK_MS, type TokenGuard } from '../github/token-guard.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { type ApplyDeps, type ApplyResult, applyPlan } from './apply-plan.js';
import { planReconcile, type ReconcilePlan } from './reconcile.plan.js';
import { patchState, readState } from './source-state.repo.js';
import type { SourcesEvents } from './sources.events.js';
import type { ListsListing, ListsLook, StarListSummary, StarListsReader } from './star-lists.js';
import { listAllStars, listNewStars } from './stars.listing.js';

/** The poller's row in `source_state`. */
export interface StarsState {
  etag?: string;
  login?: string;
  lastAt?: string;
  lastResult?: string;
  lastFullAt?: string;
  pausedReason?: string;
  /** Which token the pause is about: a new token lifts it. */
  pausedToken?: string;
  /** When the paused token was last tried (`GET /user`); it is tried every TOKEN_RECHECK_MS. */
  pausedCheckedAt?: string;
  /** GITHUB_STAR_LISTS: the chosen lists' stamp at the last walk (a new one means walk again). */
  listsStamp?: string;
  /** The chosen lists at the last walk, with the stars each selected. */
  lists?: StarListSummary[];
  /** Chosen lists GitHub does not have for this user, for the status and `/health`. */
  listsMissing?: string[];
}

export interface StarsPollerDeps extends ApplyDeps {
  handle: DbHandle;
  clock: Clock;
  log: Logger;
  events: SourcesEvents;
  octokit: GitHubOctokit;
  apiUrl: string;
  /** GITHUB_STARS_USER; undefined means the token's own user. */
  starsUser?: string;
  hasToken: boolean;
  /** A short fingerprint of the token (never the token). */
  tokenFingerprint: string;
  maxNewPerRun?: number;
  /** Shared with everything else that would send the token. */
  pat: TokenGuard;
  /** GITHUB_STAR_LISTS is set: only the stars in these lists are mirrored. */
  lists?: StarListsReader;
}

const STATE = 'stars';
const REJECTED =
  'GitHub rejected the token (401 Bad credentials): the stars poller, refresh and syncs that need it are paused, and the token is tried again every 15 minutes; fix GITHUB_TOKEN and restart, or POST /api/v1/reconcile to try again';

/** Mirrors the stars of one GitHub user: quick polls for new stars, full listings for the rest. */
export interface StarsPoller {
  /** Looks only at the newest stars (cheap, ETag-cached); returns what it did. */
  quick(): Promise<string>;
  /** Lists every star, then adds, unstars and renames by the plan; returns what it did. */
  full(): Promise<string>;
  /** The plan of a full listing without acting on it (`reconcile --dry-run`). */
  dryRun(): Promise<ReconcilePlan>;
  /** An operator asked to try again (or the token works again): lift a pause. */
  resume(): Promise<void>;
  /** The poller's stored state: last runs, ETag, pause. */
  state(): Promise<StarsState>;
  /** GitHub answered 401: pause, and say so once. */
  tokenRejected(): Promise<void>;
  /** Something else was refused by GitHub: one `GET /user` says whether the token is. */
  confirmToken(): Promise<void>;
  /** The plan of the last full listing in this process, if any. */
  lastPlan(): ReconcilePlan | undefined;
}

/**
 * The stars poller: the star list is the source of truth (no webhook says "a repository
 * I starred"). A quick conditional check of page 1 every poll interval, a full listing
 * and set difference at start and every hour (the only way to see an old unstar).
 */
export function createStarsPoller(deps: StarsPollerDeps): StarsPoller {
  const log = deps.log.child({ component: 'stars-poller' });
  let lastPlan: ReconcilePlan | undefined;
  const now = () => deps.clock.now().toISOString();
  const state = (): Promise<StarsState> =>
    readState<StarsState>(deps.handle.db, STATE).then((s) => s ?? {});
  const save = (patch: Partial<StarsState>) => patchState(deps.handle.db, STATE, patch, now());

  async function target(current: StarsState): Promise<StarsTarget> {
    if (!deps.hasToken) return { user: deps.starsUser as string, own: false };
    const login = current.login ?? (await tokenLogin(deps.octokit));
    if (!current.login) await save({ login });
    const user = deps.starsUser ?? login;
    return { user, own: user.toLowerCase() === login.toLowerCase() };
  }

  /** Runs one poll unless paused; a rejected token pauses it with one alert. */
  async function guarded(kind: 'quick' | 'full', work: (s: StarsState) => Promise<string>) {
    const current = await state();
    try {
      if (adoptStoredPause(current) && !(await tokenWorksAgain(current))) return 'paused';
      const result = await work(current);
      await save({ lastAt: now(), lastResult: result, pausedReason: undefined });
      deps.events.emit('poll:finished', { kind, result });
      return result;
    } catch (error) {
      const result = await failed(error);
      deps.events.emit('poll:finished', { kind, result });
      return result;
    }
  }

  /**
   * Whether the stored state pauses this token, and the shared guard set to match, so
   * refresh and syncs follow a pause or a lift decided by another replica or an operator.
   */
  function adoptStoredPause(current: StarsState): boolean {
    if (!current.pausedReason || current.pausedToken !== deps.tokenFingerprint) {
      deps.pat.accept(); // lifted elsewhere (another replica's re-check, an operator)
      return false;
    }
    // Another replica (or an earlier run of this one) found the token rejected.
    deps.pat.reject();
    return true;
  }

  /**
   * The token is tried again, with one `GET /user`, once every TOKEN_RECHECK_MS (an
   * operator may have renewed it on GitHub); until then nothing is sent with it.
   */
  async function tokenWorksAgain(current: StarsState): Promise<boolean> {
    const checkedAt = Date.parse(current.pausedCheckedAt ?? '') || 0;
    if (deps.clock.now().getTime() - checkedAt < TOKEN_RECHECK_MS) return false;
    await save({ pausedCheckedAt: now() });
    await tokenLogin(deps.octokit); // a 401 throws, and the pause stays
    await resume();
    log.warn('GitHub accepts the token again: the stars poller, refresh and syncs resume');
    deps.events.emit('notice', {
      kind: 'github_token_accepted',
      message: 'GitHub accepts GITHUB_TOKEN again; polling, refresh and syncs resume',
    });
    return true;
  }

  async function failed(error: unknown): Promise<string> {
    const status = statusOf(error);
    if (status === 401) {
      await tokenRejected();
      return 'paused';
    }
    const result = `failed: ${status ? `HTTP ${status}` : (error as Error).message}`;
    log.warn({ err: error }, 'star poll failed; nothing was unstarred');
    await save({ lastAt: now(), lastResult: result });
    return result;
  }

  /**
   * GitHub answered 401 (here or to a repository check): pause, and say so once. Refresh,
   * repository checks and syncs stop sending the token through the shared guard.
   */
  async function tokenRejected(): Promise<void> {
    const current = await state();
    const known = current.pausedToken === deps.tokenFingerprint && current.pausedReason;
    await save({
      lastAt: now(),
      lastResult: 'token rejected',
      pausedReason: REJECTED,
      pausedToken: deps.tokenFingerprint,
      pausedCheckedAt: now(),
    });
    if (!deps.pat.reject() || known) return;
    log.error({ status: 401 }, REJECTED);
    deps.events.emit('alert', { kind: 'github_token_rejected', message: REJECTED });
  }

  /** Full listing → plan (unstar candidates double-checked when we can). */
  async function fullPlan(current: StarsState): Promise<{
    plan: ReconcilePlan;
    etag?: string;
    lists?: ListsListing;
  }> {
    const who = await target(current);
    if (deps.lists) return listsPlan(deps.lists, who, await deps.lists.look(who));
    const listing = await listAllStars(deps.octokit, who, deps.apiUrl, log);
    const known = await deps.mirrors.known({ kind: 'stars' });
    const plan = planReconcile(listing.items, known, {
      complete: listing.complete,
      maxNew: deps.maxNewPerRun,
      groups: true,
    });
    if (who.own) await confirmUnstars(plan);
    return { plan, etag: listing.etag };
  }

  /**
   * GITHUB_STAR_LISTS: the chosen lists' items are the listing. Leaving every chosen list is
   * a release, like an unstar, so there is no star check; a named list that is missing, or
   * one that changed during the walk, makes the listing incomplete and releases nothing.
   */
  async function listsPlan(lists: StarListsReader, who: StarsTarget, look: ListsLook) {
    const listing = await lists.walk(who, look);
    const known = await deps.mirrors.known({ kind: 'stars' });
    const plan = planReconcile(listing.items, known, {
      complete: listing.complete,
      maxNew: deps.maxNewPerRun,
      groups: true,
      emptyIsWhole: true,
    });
    return { plan, lists: listing };
  }

  /** What a walk of the lists leaves in the state; a newly missing list is said once. */
  async function listsSeen(current: StarsState, listing: ListsListing): Promise<void> {
    const missing = listing.missing;
    if (missing.length > 0 && missing.join() !== (current.listsMissing ?? []).join()) {
      log.warn({ lists: missing }, missingMessage(missing));
      deps.events.emit('alert', { kind: 'star_lists_missing', message: missingMessage(missing) });
    }
    await save({ lists: listing.summary, listsMissing: missing, listsStamp: listing.stamp });
  }

  /** "Check the star set again before deleting": a listing that shifted mid-walk can miss one. */
  async function confirmUnstars(plan: ReconcilePlan): Promise<void> {
    const confirmed = [];
    for (const mirror of plan.toUnstar) {
      const [owner = '', name = ''] = mirror.fullName.split('/');
      if (!(await isStarred(deps.octokit, owner, name))) confirmed.push(mirror);
    }
    plan.toUnstar = confirmed;
  }

  async function full(): Promise<string> {
    return guarded('full', async (current) => {
      const { plan, etag, lists } = await fullPlan(current);
      lastPlan = plan;
      const applied = await applyPlan(plan, { kind: 'stars' }, deps);
      if (lists) await listsSeen(current, keepStampWhileDeferred(lists, plan));
      await save({ etag, lastFullAt: now() });
      return describe(applied, plan.unchanged);
    });
  }

  async function quick(): Promise<string> {
    return guarded('quick', async (current) => {
      const who = await target(current);
      if (deps.lists) return quickLists(deps.lists, who, current);
      const known = await deps.mirrors.known({ kind: 'stars' });
      const isKnown = (id: number) => known.get(id)?.held === true;
      const listing = await listNewStars(deps.octokit, who, {
        ...deps,
        etag: current.etag,
        isKnown,
      });
      if (listing.notModified) return 'not modified';
      const plan = planReconcile(listing.items, known, {
        complete: listing.complete,
        maxNew: deps.maxNewPerRun,
      });
      const applied = await applyPlan(plan, { kind: 'stars' }, deps);
      // Keep the old ETag while new mirrors wait behind the cap: the next poll must see them.
      if (plan.deferred.length === 0) await save({ etag: listing.etag });
      return describe(applied, plan.unchanged);
    });
  }

  /** One cheap look at the chosen lists; their items are walked only when a stamp moved. */
  async function quickLists(lists: StarListsReader, who: StarsTarget, current: StarsState) {
    const look = await lists.look(who);
    if (look.stamp === current.listsStamp) return 'not modified';
    const { plan, lists: listing } = await listsPlan(lists, who, look);
    const applied = await applyPlan(plan, { kind: 'stars' }, deps);
    await listsSeen(current, keepStampWhileDeferred(listing, plan));
    return describe(applied, plan.unchanged);
  }

  /** The plan of a full listing without acting on it (`reconcile --dry-run`). */
  async function dryRun(): Promise<ReconcilePlan> {
    return fullPlan(await state()).then((r) => r.plan);
  }

  /** An operator asked to try again (or the token works again): lift a pause. */
  async function resume(): Promise<void> {
    await save({ pausedReason: undefined, pausedToken: undefined, pausedCheckedAt: undefined });
    deps.pat.accept();
  }

  /** Something else was refused by GitHub: one `GET /user` says whether the token is. */
  async function confirmToken(): Promise<void> {
    if (!deps.hasToken || deps.pat.isRejected()) return;
    try {
      await tokenLogin(deps.octokit);
    } catch (error) {
      if (statusOf(error) === 401) await tokenRejected();
    }
  }

  return {
    quick,
    full,
    dryRun,
    resume,
    state,
    tokenRejected,
    confirmToken,
    lastPlan: () => lastPlan,
  };
}

/** New mirrors left behind STARS_MAX_NEW_PER_RUN: no stamp is kept, so the next quick look walks again. */
function keepStampWhileDeferred(listing: ListsListing, plan: ReconcilePlan): ListsListing {
  return plan.deferred.length > 0 ? { ...listing, stamp: '' } : listing;
}

function missingMessage(missing: string[]): string {
  const names = missing.map((m) => `"${m}"`).join(', ');
  return `GITHUB_STAR_LISTS names ${missing.length === 1 ? 'a list' : 'lists'} GitHub does not show for this user: ${names} (check the name or slug; another user's private lists are not visible); nothing is released while a named list is missing`;
}

function describe(applied: ApplyResult, unchanged: number): string {
  const parts = Object.entries(applied)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  return parts.length > 0 ? parts.join(', ') : `no change (${unchanged} starred)`;
}
