import type { MirrorRowUpdate } from '../db/schema/index.js';

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

import {
  accept,
  type MirrorEvent,
  type MirrorState,
  refuse,
  type Transition,
} from './mirror-events.js';
import {
  afterLease,
  claim,
  FREE,
  holds,
  reclaimOwn,
  releasePatch,
  waitUpstream,
} from './mirror-lease-rules.js';

export {
  CLAIMABLE_STATUSES,
  type MirrorEvent,
  type MirrorState,
  type Refusal,
  type SyncOutcome,
  type Transition,
} from './mirror-events.js';
export { claimPatch } from './mirror-lease-rules.js';

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
