import type { Executor } from '../db/executor.js';
import type { MirrorRow } from '../db/schema/index.js';
import { applyMirrorEvent, type MirrorRowLean } from './mirror-apply.repo.js';

/**
 * Holds a mirror with the workers' own lease columns while its OneDev project is moved,
 * so no sync runs against the old path meanwhile (it would re-create the project there:
 * a duplicate). Only a mirror that is not syncing can be held. Returns the row as it was.
 */
export async function holdMirror(
  db: Executor,
  githubId: number,
  holder: string,
  until: string,
): Promise<MirrorRowLean | undefined> {
  const applied = await applyMirrorEvent(db, githubId, { kind: 'hold', holder, until }, until);
  return applied !== 'not_found' && applied.ok ? applied.before : undefined;
}

/**
 * Gives the mirror back in the status it had; a sync requested meanwhile (it set
 * `resync_requested`) makes it due now instead, as a worker's release does.
 */
export async function unholdMirror(
  db: Executor,
  held: Pick<MirrorRow, 'github_id' | 'status' | 'next_attempt_at'>,
  holder: string,
  now: string,
): Promise<void> {
  await applyMirrorEvent(db, held.github_id, { kind: 'unhold', holder, held }, now);
}

/** Mirrors renamed on GitHub whose OneDev project has not followed yet. */
export async function pendingMoves(db: Executor): Promise<number[]> {
  const rows = await db
    .selectFrom('mirrors')
    .select('github_id')
    .where('onedev_move_pending', '=', 1)
    .execute();
  return rows.map((r) => r.github_id);
}

/** The OneDev project moved to `path`, or could not (`conflict` says why). */
export async function finishMove(
  db: Executor,
  githubId: number,
  result: { path: string; name: string } | { conflict: string },
  now: string,
): Promise<void> {
  const event =
    'conflict' in result
      ? ({ kind: 'move-refused', conflict: result.conflict } as const)
      : ({ kind: 'moved', ...result } as const);
  await applyMirrorEvent(db, githubId, event, now);
}
