import type { DbHandle } from '../db/database.js';
import type { MirrorRow } from '../db/schema/index.js';
import type { Clock } from '../shared/clock.js';
import type { KnownMirror } from '../sources/reconcile.plan.js';
import type { MirrorRowLean } from './mirror-apply.repo.js';
import { finishMove, holdMirror, pendingMoves, unholdMirror } from './mirror-hold.repo.js';
import {
  claimRefreshSlot,
  claimRefreshSlots,
  dueForRefresh,
  type RefreshCandidate,
  type RefreshState,
  type RefreshVisit,
  refreshState,
  type SlotClaim,
  syncBacklog,
} from './mirror-refresh.repo.js';
import type { Refusal } from './mirror-state.js';
import { type WatchedMirror, watchedMirrors } from './mirror-watch.repo.js';
import { type Executor, renameMirror } from './mirrors.repo.js';
import {
  dueDeletions,
  findMirrorRow,
  type Holder,
  letGoMirror,
  loadKnown,
  markSourceGone,
  mirrorsOfInstallation,
  pauseMirror,
  regroupMirror,
  resumeMirror,
  setArchived,
  setSourceFlags,
} from './source-mirrors.repo.js';

export type { Holder, RefreshCandidate, RefreshState, RefreshVisit, WatchedMirror };

export interface HolderFlags {
  starred?: boolean;
  starredAt?: string | null;
  installationId?: number | null;
}

export type RenameResult = { renamed: false } | { renamed: true; from: string };
export type LetGoResult =
  | { ok: true; row: MirrorRowLean }
  | { ok: false; refusal: Refusal }
  | undefined;

/**
 * What the GitHub sources (stars, installations, webhooks, refresh, renames) do to mirror
 * rows: each is an event of the state machine. Methods that take `db` can run inside the
 * caller's transaction.
 */
export interface MirrorSourceOps {
  findRow(githubId: number, db?: Executor): Promise<MirrorRow | undefined>;
  /** Every mirror, reduced to what the reconcile planner compares. */
  known(holder: Holder): Promise<Map<number, KnownMirror>>;
  ofInstallation(installationId: number, db?: Executor): Promise<MirrorRow[]>;
  setHolders(githubId: number, flags: HolderFlags, db?: Executor): Promise<void>;
  setArchived(githubId: number, archived: boolean, db?: Executor): Promise<void>;
  /** GitHub's new name; the OneDev project is marked to follow. */
  rename(
    githubId: number,
    to: { owner: string; name: string },
    db?: Executor,
  ): Promise<RenameResult>;
  /** The chosen Star List holding the mirror, and its OneDev parent (a new one moves the project). */
  regroup(
    githubId: number,
    group: { list: string | null; parent: string | null },
    db?: Executor,
  ): Promise<boolean>;
  pause(githubId: number, reason: string, db?: Executor): Promise<void>;
  /** GitHub answers 404 or 451 for the repository: `source gone` (kept, no more syncs). */
  markSourceGone(githubId: number, reason: string, db?: Executor): Promise<void>;
  /** The unstar policy lets go of a mirror nothing holds any more. */
  letGo(
    githubId: number,
    reason: string,
    deleteAfter: string | null,
    db?: Executor,
  ): Promise<LetGoResult>;
  /** Lifts a release; the row as it was, or undefined when it was not released. */
  resume(githubId: number, db?: Executor): Promise<MirrorRowLean | undefined>;
  /** Released mirrors whose grace period is over by `now`. */
  dueDeletions(now: string): Promise<MirrorRow[]>;
  /** Holds a mirror for a OneDev project move; the row as it was, undefined when syncing. */
  hold(githubId: number, holder: string, until: string): Promise<MirrorRowLean | undefined>;
  unhold(held: MirrorRowLean, holder: string): Promise<void>;
  pendingMoves(): Promise<number[]>;
  finishMove(
    githubId: number,
    result: { path: string; name: string } | { conflict: string },
  ): Promise<void>;
  /** Synced, active mirrors whose refresh slot has come by `now`. */
  refreshCandidates(now: string, limit: number): Promise<RefreshCandidate[]>;
  /** Moves the mirror's refresh slot from `from` to the visit's; false if another replica had. */
  claimRefreshSlot(githubId: number, from: string | null, visit: RefreshVisit): Promise<boolean>;
  /** Many slots at once (a tick's), each only if still the one read; the ids moved. */
  claimRefreshSlots(claims: readonly SlotClaim[]): Promise<Set<number>>;
  /** One mirror's refresh schedule (slot, adaptive and operator's interval). */
  refreshState(githubId: number): Promise<RefreshState | undefined>;
  /** Mirrors due for a sync and not yet claimed, plus those syncing. */
  syncBacklog(): Promise<number>;
  /** Mirrors change detection watches for pushes (synced at least once, active). */
  watched(): Promise<WatchedMirror[]>;
}

export function createMirrorSourceOps(deps: { handle: DbHandle; clock: Clock }): MirrorSourceOps {
  const db = deps.handle.db;
  const now = () => deps.clock.now().toISOString();
  return {
    findRow: (githubId, on = db) => findMirrorRow(on, githubId),
    known: (holder) => loadKnown(db, holder),
    ofInstallation: (installationId, on = db) => mirrorsOfInstallation(on, installationId),
    setHolders: (githubId, flags, on = db) => setSourceFlags(on, githubId, flags, now()),
    setArchived: (githubId, archived, on = db) => setArchived(on, githubId, archived, now()),
    rename: (githubId, to, on = db) => renameMirror(on, githubId, to, now()),
    regroup: (githubId, group, on = db) => regroupMirror(on, githubId, group, now()),
    pause: (githubId, reason, on = db) => pauseMirror(on, githubId, reason, now()),
    markSourceGone: (githubId, reason, on = db) => markSourceGone(on, githubId, reason, now()),
    letGo: (githubId, reason, deleteAfter, on = db) =>
      letGoMirror(on, githubId, reason, now(), deleteAfter),
    resume: (githubId, on = db) => resumeMirror(on, githubId, now()),
    dueDeletions: (at) => dueDeletions(db, at),
    hold: (githubId, holder, until) => holdMirror(db, githubId, holder, until),
    unhold: (held, holder) => unholdMirror(db, held, holder, now()),
    pendingMoves: () => pendingMoves(db),
    finishMove: (githubId, result) => finishMove(db, githubId, result, now()),
    refreshCandidates: (at, limit) => dueForRefresh(db, at, limit),
    claimRefreshSlot: (githubId, from, visit) => claimRefreshSlot(db, githubId, from, visit, now()),
    claimRefreshSlots: (claims) => claimRefreshSlots(db, claims),
    refreshState: (githubId) => refreshState(db, githubId),
    syncBacklog: () => syncBacklog(db, now()),
    watched: () => watchedMirrors(db),
  };
}
