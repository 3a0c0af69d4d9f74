import type { MirrorRow, MirrorRowUpdate } from '../db/schema/index.js';

/**
 * The vocabulary of the mirror row's state machine (`mirror-state.ts`): the columns its rules
 * read, the events that may change a row, the refusals and what a transition answers.
 */

/** Statuses a worker may claim once due. */
export const CLAIMABLE_STATUSES = ['queued', 'retrying'] as const;

/** The columns the rules read. */
export type MirrorState = Pick<
  MirrorRow,
  | 'status'
  | 'next_attempt_at'
  | 'attempts'
  | 'resync_requested'
  | 'lease_owner'
  | 'lease_expires_at'
  | 'full_name'
  | 'onedev_project_id'
  | 'source'
  | 'starred'
  | 'installation_id'
  | 'unstarred_at'
  | 'next_refresh_at'
  | 'paused_by'
  | 'source_gone_at'
  | 'star_list'
  | 'onedev_parent'
>;

/** What a finished sync writes: the retry policy has already chosen the status. */
export interface SyncOutcome {
  status: 'synced' | 'retrying' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastErrorCode: string | null;
  lastSyncedAt?: string;
  pushedRefs?: Record<string, string>;
  defaultBranch?: string | null;
  onedev?: { name: string; path: string; projectId: number };
}

export type MirrorEvent =
  /** A sync was asked for; `force` is an operator's explicit request. */
  | { kind: 'request'; force?: boolean; resetAttempts?: boolean }
  /** A worker takes a due mirror; `operator` takes it whatever its status unless it is held. */
  | { kind: 'claim'; worker: string; until: string; operator?: boolean }
  | { kind: 'renew'; worker: string; until: string }
  | { kind: 'release'; worker: string; outcome: SyncOutcome }
  /** The holder's lease expired (its process died): back to the queue. */
  | { kind: 'reclaim' }
  /**
   * The upstream a failed sync needed turned out to be out for every mirror (its circuit
   * opened): the attempts its faults used are given back, and the mirror waits, due, until
   * the circuit closes.
   */
  | { kind: 'wait-upstream'; attempts: number; message: string }
  /**
   * At start, an instance takes back what its previous run held: `instanceId` prefixes the
   * lease owners of its runs, `currentOwner` is this run's. Only one process runs per data
   * directory (and so per instance id), so that run is gone whatever its lease says.
   */
  | { kind: 'reclaim-own'; instanceId: string; currentOwner: string }
  /** A OneDev project move holds the row with the workers' lease, then gives it back. */
  | { kind: 'hold'; holder: string; until: string }
  | { kind: 'unhold'; holder: string; held: Pick<MirrorRow, 'status' | 'next_attempt_at'> }
  /** No more updates; `letGo` is the unstar policy releasing a mirror nothing holds any more. */
  | { kind: 'pause'; reason: string; letGo?: { deleteAfter: string | null } }
  /**
   * GitHub answers 404 or 451 for the repository (deleted, blocked, or private and out of
   * the token's sight): no more syncs, and any pending deletion is cancelled.
   */
  | { kind: 'source-gone'; reason: string }
  /** A re-star or re-install lifts a release (and its pending deletion). */
  | { kind: 'resume' }
  /** An operator stops all syncs (and so restarts) until they resume it; `by` says who. */
  | { kind: 'operator-pause'; by: string }
  /** An operator lifts their own pause: due at once. */
  | { kind: 'operator-resume' }
  | { kind: 'rename'; owner: string; name: string }
  /** Where the OneDev project ended after a move, or why it could not move. */
  | { kind: 'moved'; path: string; name: string }
  | { kind: 'move-refused'; conflict: string }
  | { kind: 'unstar' }
  | { kind: 'restar'; starredAt?: string | null }
  | { kind: 'install'; installationId: number | null }
  | { kind: 'archive'; archived: boolean }
  /** The chosen Star List that holds the mirror now, and the OneDev parent it maps to. */
  | { kind: 'regroup'; list: string | null; parent: string | null }
  /** GitHub's current flags of the repository (not its name: that is `rename`). */
  | { kind: 'observe'; private: boolean; defaultBranch: string | null; starred?: boolean }
  | { kind: 'project'; name: string; path: string; projectId: number }
  /**
   * The refresh takes its slot: only from the slot it read (another replica may have). With
   * `everyMs`/`outcome` it also records the mirror's next interval and what the check found.
   */
  | {
      kind: 'schedule-refresh';
      from: string | null;
      at: string;
      everyMs?: number | null;
      outcome?: string;
    };

export type Refusal =
  | 'failed'
  | 'paused'
  | 'not_claimable'
  | 'not_due'
  | 'held'
  | 'lease_lost'
  | 'lease_live'
  | 'other_instance'
  | 'current_run'
  | 'not_syncing'
  | 'syncing'
  | 'unchanged'
  | 'already_released'
  | 'still_held'
  | 'not_released'
  | 'slot_taken'
  | 'not_waiting'
  | 'already_paused'
  | 'not_paused_by_operator'
  | 'source_gone';

export type Transition =
  | {
      ok: true;
      /** Empty: nothing to write. */
      patch: MirrorRowUpdate;
      /** For `request`: a new sync, or folded into one already due or running. */
      request?: 'queued' | 'coalesced';
    }
  | { ok: false; refusal: Refusal };

export const refuse = (refusal: Refusal): Transition => ({ ok: false, refusal });
export const accept = (patch: MirrorRowUpdate, request?: 'queued' | 'coalesced'): Transition => ({
  ok: true,
  patch,
  ...(request ? { request } : {}),
});
