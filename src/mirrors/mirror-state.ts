import type { MirrorRow, MirrorRowUpdate } from '../db/schema/index.js';

/**
 * The mirror row's life as a state machine: which change may follow which, and what each
 * one writes. Pure: `transition(row, event, now)` answers the patch to write or a refusal;
 * the repositories in this folder read the row, ask, and write the patch conditionally on
 * what they read, so a change that raced in makes them ask again.
 *
 * Statuses: `queued` (due at `next_attempt_at`), `syncing` (a worker, the CLI or a project
 * move holds the lease), `synced`, `retrying` (waiting out a backoff), `failed` (for good,
 * until an operator retries), `paused` (unstarred, deleted upstream…). A paused mirror with
 * `source_gone_at` is `source gone`: GitHub answered 404 or 451 for it; it is never deleted
 * by the unstar policy, and a successful sync (the repository is back) clears it.
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
  /** An operator's LFS setting for the mirror: 1 on, 0 off, null follows MIRROR_LFS. */
  | { kind: 'set-lfs'; lfs: 0 | 1 | null }
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

const refuse = (refusal: Refusal): Transition => ({ ok: false, refusal });
const accept = (patch: MirrorRowUpdate, request?: 'queued' | 'coalesced'): Transition => ({
  ok: true,
  patch,
  ...(request ? { request } : {}),
});

export function transition(row: MirrorState, event: MirrorEvent, now: string): Transition {
  switch (event.kind) {
    case 'request':
      return request(row, event, now);
    case 'claim':
      return claim(row, event, now);
    case 'renew':
      if (!holds(row, event.worker)) return refuse('lease_lost');
      return accept({ lease_expires_at: event.until });
    case 'release':
      if (!holds(row, event.worker)) return refuse('lease_lost');
      return accept(releasePatch(row, event.outcome, now));
    case 'reclaim':
      if (row.status !== 'syncing') return refuse('not_syncing');
      if (row.lease_expires_at === null || row.lease_expires_at >= now) return refuse('lease_live');
      return accept({ ...FREE, status: 'queued', next_attempt_at: now, updated_at: now });
    case 'reclaim-own':
      return reclaimOwn(row, event, now);
    case 'wait-upstream':
      return waitUpstream(row, event, now);
    case 'hold':
      if (row.status === 'syncing') return refuse('syncing');
      return accept({
        status: 'syncing',
        lease_owner: event.holder,
        lease_expires_at: event.until,
      });
    case 'unhold':
      if (row.lease_owner !== event.holder) return refuse('lease_lost');
      return accept({ ...afterLease(row, event.held, now), updated_at: now });
    case 'pause':
      return pause(row, event, now);
    case 'source-gone':
      return accept({
        status: 'paused',
        paused_reason: event.reason,
        source_gone_at: row.source_gone_at ?? now,
        source_gone_reason: event.reason,
        next_attempt_at: null,
        resync_requested: 0,
        delete_after: null,
        ...FREE,
        updated_at: now,
      });
    case 'resume':
      if (row.unstarred_at === null) return refuse('not_released');
      // An operator's pause outlives a re-star: only the operator lifts it.
      if (row.paused_by !== null) {
        return accept({ unstarred_at: null, delete_after: null, updated_at: now });
      }
      return accept({
        ...(row.status === 'paused' ? { status: 'queued', next_attempt_at: now } : {}),
        paused_reason: null,
        unstarred_at: null,
        delete_after: null,
        updated_at: now,
      });
    case 'operator-pause':
      if (row.paused_by !== null) return refuse('already_paused');
      return accept({
        ...pausePatch(now),
        paused_reason: 'paused by an operator',
        paused_by: event.by,
        paused_at: now,
      });
    case 'operator-resume':
      if (row.paused_by === null) return refuse('not_paused_by_operator');
      // Still released by the unstar policy: paused as it was before the operator's pause.
      if (row.unstarred_at !== null) return accept({ paused_by: null, paused_at: null });
      return accept({
        status: 'queued',
        next_attempt_at: now,
        paused_reason: null,
        paused_by: null,
        paused_at: null,
        updated_at: now,
      });
    case 'rename':
      return rename(row, event, now);
    case 'regroup':
      return regroup(row, event, now);
    case 'moved':
      return accept({
        onedev_path: event.path,
        onedev_name: event.name,
        onedev_conflict: null,
        onedev_move_pending: 0,
        updated_at: now,
      });
    case 'move-refused':
      return accept({ onedev_conflict: event.conflict, onedev_move_pending: 0, updated_at: now });
    case 'unstar':
      return accept({ starred: 0, updated_at: now });
    case 'restar':
      return accept({
        starred: 1,
        ...(event.starredAt !== undefined ? { starred_at: event.starredAt } : {}),
        updated_at: now,
      });
    case 'install':
      return accept({ installation_id: event.installationId, updated_at: now });
    case 'archive':
      return accept({ archived: event.archived ? 1 : 0, updated_at: now });
    case 'set-lfs':
      // A setting in any status: the next sync with changed refs applies it.
      return accept({ lfs: event.lfs, updated_at: now });
    case 'observe':
      // Flags only: they change nothing the queue or the OneDev path depends on.
      return accept({
        private: event.private ? 1 : 0,
        ...(event.defaultBranch ? { default_branch: event.defaultBranch } : {}),
        ...(event.starred ? { starred: 1 } : {}),
      });
    case 'project':
      return accept({
        onedev_name: event.name,
        onedev_path: event.path,
        onedev_project_id: event.projectId,
        updated_at: now,
      });
    case 'schedule-refresh':
      if (row.next_refresh_at !== event.from) return refuse('slot_taken');
      return accept({
        next_refresh_at: event.at,
        ...(event.everyMs !== undefined ? { refresh_every_ms: event.everyMs } : {}),
        ...(event.outcome !== undefined ? { refresh_outcome: event.outcome } : {}),
      });
  }
}

/**
 * The mirror's Star List (and with it its OneDev parent) changed. Like a rename: an existing
 * project is marked to move under the new parent; without one, the first sync creates it
 * there.
 */
function regroup(
  row: MirrorState,
  event: Extract<MirrorEvent, { kind: 'regroup' }>,
  now: string,
): Transition {
  if (row.star_list === event.list && row.onedev_parent === event.parent) {
    return refuse('unchanged');
  }
  if (row.onedev_parent === event.parent) return accept({ star_list: event.list, updated_at: now });
  const hasProject = row.onedev_project_id !== null;
  return accept({
    star_list: event.list,
    onedev_parent: event.parent,
    onedev_move_pending: hasProject ? 1 : 0,
    ...(hasProject ? {} : { onedev_path: null, onedev_name: null }),
    updated_at: now,
  });
}

/** The columns a freed lease clears. */
const FREE = { lease_owner: null, lease_expires_at: null } as const;

const holds = (row: MirrorState, worker: string) =>
  row.status === 'syncing' && row.lease_owner === worker;

/**
 * A lease of this instance's previous run goes back to the queue at once, however long it
 * still has; a lease of another instance (a replica, live or not) waits for `reclaim`.
 */
function reclaimOwn(
  row: MirrorState,
  event: Extract<MirrorEvent, { kind: 'reclaim-own' }>,
  now: string,
): Transition {
  if (row.status !== 'syncing') return refuse('not_syncing');
  if (row.lease_owner === event.currentOwner) return refuse('current_run');
  if (!row.lease_owner?.startsWith(`${event.instanceId}/`)) return refuse('other_instance');
  return accept({ ...FREE, status: 'queued', next_attempt_at: now, updated_at: now });
}

/**
 * Only a mirror its failed sync left waiting (retrying, or failed on its last attempt) gets
 * attempts back, and only ever fewer: a second give-back of the same faults changes nothing.
 */
function waitUpstream(
  row: MirrorState,
  event: Extract<MirrorEvent, { kind: 'wait-upstream' }>,
  now: string,
): Transition {
  if (row.status !== 'retrying' && row.status !== 'failed') return refuse('not_waiting');
  if (row.attempts <= event.attempts) return refuse('unchanged');
  return accept({
    status: 'retrying',
    attempts: event.attempts,
    next_attempt_at: now,
    last_error: event.message,
    updated_at: now,
  });
}

/**
 * Requests for a mirror already due, or waiting out a backoff, fold into that sync; one
 * for a mirror that is syncing sets a single follow-up. A failed or paused mirror is left
 * alone unless an operator forces it. A retrying mirror keeps its backoff: making it due
 * now would turn every push during an outage into an attempt (ignoring Retry-After and
 * using up the attempts).
 */
function request(
  row: MirrorState,
  event: Extract<MirrorEvent, { kind: 'request' }>,
  now: string,
): Transition {
  const reset = event.resetAttempts === true;
  // An operator's pause means no syncs at all, even asked for explicitly: resume first.
  if (row.paused_by !== null) return refuse('paused');
  if (row.status === 'syncing') {
    return accept(
      { resync_requested: 1, updated_at: now, ...(reset ? { attempts: 0 } : {}) },
      'coalesced',
    );
  }
  if (!event.force && (row.status === 'failed' || row.status === 'paused')) {
    return refuse(row.status);
  }
  if (row.status === 'retrying' && !event.force) return accept({}, 'coalesced');
  const alreadyDue =
    row.status === 'queued' && row.next_attempt_at !== null && row.next_attempt_at <= now;
  // Queued and due: no sync has started, so the next one fetches after this request.
  if (alreadyDue && !reset) return accept({}, 'coalesced');
  return accept(
    {
      status: 'queued',
      next_attempt_at: alreadyDue ? row.next_attempt_at : now,
      updated_at: now,
      ...(reset ? { attempts: 0, last_error: null, last_error_code: null } : {}),
    },
    alreadyDue ? 'coalesced' : 'queued',
  );
}

function claim(
  row: MirrorState,
  event: Extract<MirrorEvent, { kind: 'claim' }>,
  now: string,
): Transition {
  if (row.paused_by !== null) return refuse('paused');
  if (event.operator) {
    // An operator asked for this sync: a failed or paused mirror is taken too, but never
    // one another worker holds with a live lease (nor one an operator paused, above).
    const held = row.status === 'syncing' && row.lease_expires_at !== null;
    if (held && (row.lease_expires_at as string) >= now) return refuse('held');
  } else {
    if (!(CLAIMABLE_STATUSES as readonly string[]).includes(row.status)) {
      return refuse('not_claimable');
    }
    if (row.next_attempt_at === null || row.next_attempt_at > now) return refuse('not_due');
  }
  return accept(claimPatch(event.worker, event.until, now));
}

/** What a claim writes; the due-mirror claim picks its row in SQL and writes this. */
export function claimPatch(worker: string, until: string, now: string): MirrorRowUpdate {
  return {
    status: 'syncing',
    lease_owner: worker,
    lease_expires_at: until,
    last_attempt_at: now,
    updated_at: now,
  };
}

/**
 * The lease goes back with the sync's outcome. A sync requested while it ran makes the
 * mirror due now instead, unless it failed for good.
 */
function releasePatch(row: MirrorState, outcome: SyncOutcome, now: string): MirrorRowUpdate {
  const followUp = outcome.status !== 'failed' && row.resync_requested === 1;
  return {
    status: followUp ? 'queued' : outcome.status,
    next_attempt_at: followUp ? now : outcome.nextAttemptAt,
    resync_requested: 0,
    ...FREE,
    attempts: outcome.attempts,
    last_error: outcome.lastError,
    last_error_code: outcome.lastErrorCode,
    updated_at: now,
    ...(outcome.lastSyncedAt ? { last_synced_at: outcome.lastSyncedAt } : {}),
    // It synced, so GitHub has the repository again.
    ...(outcome.status === 'synced' && row.source_gone_at !== null
      ? { source_gone_at: null, source_gone_reason: null, paused_reason: null }
      : {}),
    ...(outcome.pushedRefs ? { pushed_refs: JSON.stringify(outcome.pushedRefs) } : {}),
    ...(outcome.defaultBranch !== undefined ? { default_branch: outcome.defaultBranch } : {}),
    ...(outcome.onedev
      ? {
          onedev_name: outcome.onedev.name,
          onedev_path: outcome.onedev.path,
          onedev_project_id: outcome.onedev.projectId,
        }
      : {}),
  };
}

/** A held mirror goes back as it was, or due now if a sync was requested meanwhile. */
function afterLease(
  row: MirrorState,
  held: Pick<MirrorRow, 'status' | 'next_attempt_at'>,
  now: string,
): MirrorRowUpdate {
  const followUp = row.resync_requested === 1;
  return {
    status: followUp ? 'queued' : held.status,
    next_attempt_at: followUp ? now : held.next_attempt_at,
    resync_requested: 0,
    ...FREE,
  };
}

/**
 * A running sync is not waited for: its release needs its lease, which a pause clears,
 * so it cannot overwrite the pause.
 */
function pause(
  row: MirrorState,
  event: Extract<MirrorEvent, { kind: 'pause' }>,
  now: string,
): Transition {
  if (event.letGo) {
    // A repository that vanished was not unstarred by anyone: the unstar policy stays out.
    if (row.source_gone_at !== null) return refuse('source_gone');
    if (row.unstarred_at !== null) return refuse('already_released');
    const held = row.source === 'manual' || row.starred === 1 || row.installation_id !== null;
    if (held) return refuse('still_held');
  }
  return accept({
    ...pausePatch(now),
    paused_reason: event.reason,
    ...(event.letGo ? { unstarred_at: now, delete_after: event.letGo.deleteAfter } : {}),
  });
}

/** What any pause writes: out of the queue, and a running sync loses its lease. */
function pausePatch(now: string): MirrorRowUpdate {
  return {
    status: 'paused',
    next_attempt_at: null,
    resync_requested: 0,
    ...FREE,
    updated_at: now,
  };
}

/**
 * GitHub renamed or transferred the repository (the numeric id is the identity). One rule
 * whoever noticed it (a webhook, a listing, a 301, a star): the name follows at once and
 * an existing OneDev project is marked to follow; without a project, the first sync
 * creates it under the new name.
 */
function rename(
  row: MirrorState,
  event: Extract<MirrorEvent, { kind: 'rename' }>,
  now: string,
): Transition {
  const fullName = `${event.owner}/${event.name}`;
  if (row.full_name === fullName) return refuse('unchanged');
  const hasProject = row.onedev_project_id !== null;
  return accept({
    owner: event.owner,
    name: event.name,
    full_name: fullName,
    full_name_key: fullName.toLowerCase(),
    onedev_move_pending: hasProject ? 1 : 0,
    ...(hasProject ? {} : { onedev_path: null, onedev_name: null }),
    updated_at: now,
  });
}
