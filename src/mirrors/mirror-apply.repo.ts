import type { Executor } from '../db/executor.js';
import type { MirrorRow } from '../db/schema/index.js';
import { type MirrorEvent, type Refusal, type Transition, transition } from './mirror-state.js';

/**
 * A mirror row without its pushed refs: events never need them, and the refs of a large
 * repository would otherwise be read on every push webhook and every lease renewal.
 */
export type MirrorRowLean = Omit<MirrorRow, 'pushed_refs'>;

const LEAN_COLUMNS = [
  'github_id',
  'owner',
  'name',
  'full_name',
  'full_name_key',
  'status',
  'source',
  'starred',
  'private',
  'default_branch',
  'onedev_name',
  'onedev_path',
  'onedev_project_id',
  'attempts',
  'last_error',
  'last_error_code',
  'last_synced_at',
  'last_attempt_at',
  'next_attempt_at',
  'resync_requested',
  'lease_owner',
  'lease_expires_at',
  'unstarred_at',
  'delete_after',
  'paused_reason',
  'archived',
  'starred_at',
  'next_refresh_at',
  'refresh_every_ms',
  'refresh_outcome',
  'installation_id',
  'onedev_conflict',
  'onedev_move_pending',
  'paused_by',
  'paused_at',
  'source_gone_at',
  'source_gone_reason',
  'lfs',
  'preferred_replica',
  'star_list',
  'onedev_parent',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof MirrorRowLean)[];

export type Applied =
  | {
      ok: true;
      request?: 'queued' | 'coalesced';
      /** The row as read before the change. */
      before: MirrorRowLean;
      /** The whole row as written, when asked for and something was written. */
      row?: MirrorRow;
    }
  | { ok: false; refusal: Refusal; before: MirrorRowLean };

/**
 * Events whose patch does not depend on the row: they are written whatever changed in
 * between. Every other patch is written only if the row is still as it was read.
 */
const UNCONDITIONAL = new Set<MirrorEvent['kind']>([
  'unstar',
  'restar',
  'install',
  'archive',
  'observe',
  'project',
  'moved',
  'move-refused',
]);

/** The columns whose change since the read makes a conditional write ask again. */
const GUARDED = [
  'status',
  'next_attempt_at',
  'resync_requested',
  'lease_owner',
  'lease_expires_at',
  'full_name',
  'unstarred_at',
  'next_refresh_at',
  'paused_by',
  'updated_at',
] as const;

const ROUNDS = 5;

/**
 * Reads the mirror, asks the state machine, writes its patch. The write is conditional on
 * the row being as read, so a worker claiming it (or any change) in between makes the
 * event go round again instead of being lost or overwriting that change.
 */
export async function applyMirrorEvent(
  db: Executor,
  githubId: number,
  event: MirrorEvent,
  now: string,
  options: { returnRow?: boolean } = {},
): Promise<Applied | 'not_found'> {
  for (let round = 0; round < ROUNDS; round++) {
    const before = await db
      .selectFrom('mirrors')
      .select(LEAN_COLUMNS)
      .where('github_id', '=', githubId)
      .executeTakeFirst();
    if (!before) return 'not_found';
    const decided: Transition = transition(before, event, now);
    if (!decided.ok) return { ok: false, refusal: decided.refusal, before };
    if (Object.keys(decided.patch).length === 0) {
      return { ok: true, request: decided.request, before };
    }
    let update = db.updateTable('mirrors').set(decided.patch).where('github_id', '=', githubId);
    if (!UNCONDITIONAL.has(event.kind)) {
      for (const column of GUARDED) {
        const value = before[column];
        update =
          value === null ? update.where(column, 'is', null) : update.where(column, '=', value);
      }
    }
    if (options.returnRow) {
      const row = await update.returningAll().executeTakeFirst();
      if (row) return { ok: true, request: decided.request, before, row };
    } else if (Number((await update.executeTakeFirst()).numUpdatedRows) > 0) {
      return { ok: true, request: decided.request, before };
    }
  }
  throw new Error(`mirror ${githubId} kept changing while applying "${event.kind}"`);
}
