import type { Executor } from '../db/executor.js';
import type { MirrorRow } from '../db/schema/index.js';
import type { KnownMirror } from '../sources/reconcile.plan.js';
import { applyMirrorEvent, type MirrorRowLean } from './mirror-apply.repo.js';
import type { Refusal } from './mirror-state.js';

/**
 * What the GitHub sources change on a mirror row (holders, archived, pauses), as events
 * of the state machine.
 */

export type Holder = { kind: 'stars' } | { kind: 'installation'; id: number };

/** Every mirror, reduced to what the planner compares, keyed by GitHub id. */
export async function loadKnown(db: Executor, holder: Holder): Promise<Map<number, KnownMirror>> {
  const rows = await db
    .selectFrom('mirrors')
    .select([
      'github_id',
      'full_name',
      'starred',
      'installation_id',
      'unstarred_at',
      'archived',
      'star_list',
      'onedev_parent',
    ])
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
      list: row.star_list,
      parent: row.onedev_parent,
    });
  }
  return known;
}

/** A holder (a star, an installation) took or let go of the mirror. */
export async function setSourceFlags(
  db: Executor,
  githubId: number,
  flags: { starred?: boolean; starredAt?: string | null; installationId?: number | null },
  now: string,
): Promise<void> {
  if (flags.starred === true) {
    await applyMirrorEvent(db, githubId, { kind: 'restar', starredAt: flags.starredAt }, now);
  } else if (flags.starred === false) {
    await applyMirrorEvent(db, githubId, { kind: 'unstar' }, now);
  }
  if (flags.installationId !== undefined) {
    const event = { kind: 'install', installationId: flags.installationId } as const;
    await applyMirrorEvent(db, githubId, event, now);
  }
}

/** The chosen Star List that holds the mirror now and its OneDev parent; true when it changed. */
export async function regroupMirror(
  db: Executor,
  githubId: number,
  group: { list: string | null; parent: string | null },
  now: string,
): Promise<boolean> {
  const applied = await applyMirrorEvent(db, githubId, { kind: 'regroup', ...group }, now);
  return applied !== 'not_found' && applied.ok;
}

export async function setArchived(db: Executor, githubId: number, archived: boolean, now: string) {
  await applyMirrorEvent(db, githubId, { kind: 'archive', archived }, now);
}

/**
 * Pauses a mirror with a reason people can read. A running sync is not waited for: its
 * release needs the lease, which the pause clears, so it cannot overwrite the pause.
 */
export async function pauseMirror(
  db: Executor,
  githubId: number,
  reason: string,
  now: string,
): Promise<void> {
  await applyMirrorEvent(db, githubId, { kind: 'pause', reason }, now);
}

/** GitHub no longer has (or shows) the repository: `source gone`, paused, kept in OneDev. */
export async function markSourceGone(
  db: Executor,
  githubId: number,
  reason: string,
  now: string,
): Promise<void> {
  await applyMirrorEvent(db, githubId, { kind: 'source-gone', reason }, now);
}

/**
 * The unstar policy lets go of a mirror nothing holds any more: paused, with the time
 * and the deletion date. Refused when it was let go already or something still holds it.
 */
export async function letGoMirror(
  db: Executor,
  githubId: number,
  reason: string,
  now: string,
  deleteAfter: string | null,
): Promise<{ ok: true; row: MirrorRowLean } | { ok: false; refusal: Refusal } | undefined> {
  const event = { kind: 'pause', reason, letGo: { deleteAfter } } as const;
  const applied = await applyMirrorEvent(db, githubId, event, now);
  if (applied === 'not_found') return undefined;
  return applied.ok ? { ok: true, row: applied.before } : applied;
}

/**
 * Lifts a release (a re-star, an installation adding it back): a paused mirror is due
 * now, reason and pending deletion cleared. The row as it was, or undefined when it was
 * not released.
 */
export async function resumeMirror(
  db: Executor,
  githubId: number,
  now: string,
): Promise<MirrorRowLean | undefined> {
  const applied = await applyMirrorEvent(db, githubId, { kind: 'resume' }, now);
  return applied !== 'not_found' && applied.ok ? applied.before : undefined;
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
