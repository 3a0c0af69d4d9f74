import type { Executor } from '../db/executor.js';
import type { MirrorRow } from '../db/schema/index.js';
import { applyMirrorEvent } from './mirror-apply.repo.js';

export type { Executor };

export interface NewMirror {
  githubId: number;
  owner: string;
  name: string;
  source: string;
  starred: boolean;
  private: boolean;
  defaultBranch: string | null;
}

export function findMirror(db: Executor, githubId: number): Promise<MirrorRow | undefined> {
  return db.selectFrom('mirrors').selectAll().where('github_id', '=', githubId).executeTakeFirst();
}

export function findMirrorByName(
  db: Executor,
  fullNameKey: string,
): Promise<MirrorRow | undefined> {
  return db
    .selectFrom('mirrors')
    .selectAll()
    .where('full_name_key', '=', fullNameKey)
    .orderBy('updated_at', 'desc')
    .executeTakeFirst();
}

/**
 * Inserts a mirror, due now, unless one with that GitHub id exists; either way the
 * row's name follows GitHub's current name. Returns whether it was created.
 */
export async function insertMirrorIfAbsent(
  db: Executor,
  mirror: NewMirror,
  now: string,
): Promise<boolean> {
  const result = await db
    .insertInto('mirrors')
    .values({
      github_id: mirror.githubId,
      owner: mirror.owner,
      name: mirror.name,
      full_name: `${mirror.owner}/${mirror.name}`,
      full_name_key: `${mirror.owner}/${mirror.name}`.toLowerCase(),
      status: 'queued',
      source: mirror.source,
      starred: mirror.starred ? 1 : 0,
      private: mirror.private ? 1 : 0,
      default_branch: mirror.defaultBranch,
      attempts: 0,
      resync_requested: 0,
      next_attempt_at: now,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('github_id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export type SyncRequestOutcome =
  | 'queued'
  | 'coalesced'
  | 'ignored_failed'
  | 'ignored_paused'
  | 'not_found';

/**
 * Makes a mirror due now, by the `request` rules of the state machine: a request folds
 * into a sync already due, running or waiting out a backoff; a `failed` or `paused`
 * mirror is left alone unless `force` (an operator asked explicitly).
 */
export async function requestSync(
  db: Executor,
  githubId: number,
  now: string,
  options: { force?: boolean; resetAttempts?: boolean } = {},
): Promise<SyncRequestOutcome> {
  const event = {
    kind: 'request',
    force: options.force,
    resetAttempts: options.resetAttempts,
  } as const;
  const applied = await applyMirrorEvent(db, githubId, event, now);
  if (applied === 'not_found') return 'not_found';
  if (!applied.ok) return applied.refusal === 'failed' ? 'ignored_failed' : 'ignored_paused';
  return applied.request ?? 'queued';
}

/** Records where the OneDev project is as soon as it is known, so a crash does not lose it. */
export async function recordOneDevProject(
  db: Executor,
  githubId: number,
  project: { name: string; path: string; projectId: number },
  now: string,
): Promise<void> {
  await applyMirrorEvent(db, githubId, { kind: 'project', ...project }, now);
}

/** Records GitHub's new name (and marks the OneDev move); false when it is unchanged. */
export async function renameMirror(
  db: Executor,
  githubId: number,
  to: { owner: string; name: string },
  now: string,
): Promise<{ renamed: false } | { renamed: true; from: string }> {
  const applied = await applyMirrorEvent(db, githubId, { kind: 'rename', ...to }, now);
  if (applied === 'not_found' || !applied.ok) return { renamed: false };
  return { renamed: true, from: applied.before.full_name };
}
