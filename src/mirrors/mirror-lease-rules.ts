import type { MirrorRow, MirrorRowUpdate } from '../db/schema/index.js';
import {
  accept,
  CLAIMABLE_STATUSES,
  type MirrorEvent,
  type MirrorState,
  refuse,
  type SyncOutcome,
  type Transition,
} from './mirror-events.js';

/**
 * The state machine's rules about leases: who may take a mirror, what taking, releasing and
 * reclaiming it write, and how a mirror waits for its upstream. Pure, like `transition`.
 */

/** The columns a freed lease clears. */
export const FREE = { lease_owner: null, lease_expires_at: null } as const;

export const holds = (row: MirrorState, worker: string) =>
  row.status === 'syncing' && row.lease_owner === worker;

/**
 * A lease of this instance's previous run goes back to the queue at once, however long it
 * still has; a lease of another instance (a replica, live or not) waits for `reclaim`.
 */
export function reclaimOwn(
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
export function waitUpstream(
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

export function claim(
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
export function releasePatch(row: MirrorState, outcome: SyncOutcome, now: string): MirrorRowUpdate {
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
export function afterLease(
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
