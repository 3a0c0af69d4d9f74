import { sql } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { MirrorRow } from '../db/schema/index.js';
import type { KnownMirror } from '../sources/reconcile.plan.js';

/**
 * The columns the GitHub sources own on a mirror row (starred, installation, archived,
 * paused reason, refresh slot, rename state). Queue columns stay with the sync feature.
 */

export type Holder = { kind: 'stars' } | { kind: 'installation'; id: number };

/** Every mirror, reduced to what the planner compares, keyed by GitHub id. */
export async function loadKnown(db: Executor, holder: Holder): Promise<Map<number, KnownMirror>> {
  const rows = await db
    .selectFrom('mirrors')
    .select(['github_id', 'full_name', 'starred', 'installation_id', 'unstarred_at', 'archived'])
    .execute();
  const known = new Map<number, KnownMirror>();
  for (const row of rows) {
    const held =
      holder.kind === 'stars' ? row.starred === 1 : Number(row.installation_id) === holder.id;
    known.set(row.github_id, {
      githubId: row.github_id,
      fullName: row.full_name,
      held,
      released: held && row.unstarred_at !== null,
      archived: row.archived === 1,
    });
  }
  return known;
}

export async function setSourceFlags(
  db: Executor,
  githubId: number,
  flags: { starred?: boolean; starredAt?: string | null; installationId?: number | null },
  now: string,
): Promise<void> {
  await db
    .updateTable('mirrors')
    .set({
      updated_at: now,
      ...(flags.starred !== undefined ? { starred: flags.starred ? 1 : 0 } : {}),
      ...(flags.starredAt !== undefined ? { starred_at: flags.starredAt } : {}),
      ...(flags.installationId !== undefined ? { installation_id: flags.installationId } : {}),
    })
    .where('github_id', '=', githubId)
    .execute();
}

export async function setArchived(db: Executor, githubId: number, archived: boolean, now: string) {
  await db
    .updateTable('mirrors')
    .set({ archived: archived ? 1 : 0, updated_at: now })
    .where('github_id', '=', githubId)
    .execute();
}

/**
 * Pauses a mirror with a reason people can read. A running sync is not waited for: its
 * release is conditional on `syncing`, so it cannot overwrite the pause.
 */
export async function pauseMirror(
  db: Executor,
  githubId: number,
  reason: string,
  now: string,
  release?: { deleteAfter: string | null },
): Promise<void> {
  await db
    .updateTable('mirrors')
    .set({
      status: 'paused',
      paused_reason: reason,
      next_attempt_at: null,
      resync_requested: 0,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: now,
      ...(release ? { unstarred_at: now, delete_after: release.deleteAfter } : {}),
    })
    .where('github_id', '=', githubId)
    .execute();
}

/** Lifts a pause (a re-star, an installation adding it back): due now, reason cleared. */
export async function resumeMirror(db: Executor, githubId: number, now: string): Promise<void> {
  await db
    .updateTable('mirrors')
    .set({
      status: sql`case when status = 'paused' then 'queued' else status end`,
      next_attempt_at: sql`case when status = 'paused' then ${now} else next_attempt_at end`,
      paused_reason: null,
      unstarred_at: null,
      delete_after: null,
      updated_at: now,
    })
    .where('github_id', '=', githubId)
    .execute();
}

export function findMirrorRow(db: Executor, githubId: number): Promise<MirrorRow | undefined> {
  return db.selectFrom('mirrors').selectAll().where('github_id', '=', githubId).executeTakeFirst();
}

/** Released mirrors whose grace period is over (UNSTAR_POLICY=delete). */
export function dueDeletions(db: Executor, now: string): Promise<MirrorRow[]> {
  return db
    .selectFrom('mirrors')
    .selectAll()
    .where('delete_after', 'is not', null)
    .where('delete_after', '<=', now)
    .where('unstarred_at', 'is not', null)
    .execute();
}

export function mirrorsOfInstallation(db: Executor, installationId: number): Promise<MirrorRow[]> {
  return db
    .selectFrom('mirrors')
    .selectAll()
    .where('installation_id', '=', installationId)
    .execute();
}
