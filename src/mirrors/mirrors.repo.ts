import type { Executor } from '../db/executor.js';
import type { MirrorRow } from '../db/schema/index.js';

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
 * Makes a mirror due now. Requests for a mirror that is already due, or waiting to retry
 * after a failure, coalesce into that sync; for one that is syncing they set a single
 * follow-up. A `failed` or `paused` mirror is left alone, and a retrying one keeps its
 * backoff, unless `force` (an operator asked explicitly). Each update is
 * conditional on the status just read, so a worker claiming the row in between makes
 * the request go round again instead of getting lost.
 */
export async function requestSync(
  db: Executor,
  githubId: number,
  now: string,
  options: { force?: boolean; resetAttempts?: boolean } = {},
): Promise<SyncRequestOutcome> {
  for (let round = 0; round < 5; round++) {
    // Only the columns the decision needs: this runs for every push webhook.
    const row = await db
      .selectFrom('mirrors')
      .select(['status', 'next_attempt_at'])
      .where('github_id', '=', githubId)
      .executeTakeFirst();
    if (!row) return 'not_found';
    if (row.status === 'syncing') {
      const followUp = await db
        .updateTable('mirrors')
        .set({
          resync_requested: 1,
          updated_at: now,
          ...(options.resetAttempts ? { attempts: 0 } : {}),
        })
        .where('github_id', '=', githubId)
        .where('status', '=', 'syncing')
        .executeTakeFirst();
      if (Number(followUp.numUpdatedRows) > 0) return 'coalesced';
      continue;
    }
    if (!options.force && (row.status === 'failed' || row.status === 'paused')) {
      return row.status === 'failed' ? 'ignored_failed' : 'ignored_paused';
    }
    // A mirror waiting out its backoff keeps it: the retry fetches whatever this request
    // is about, and making it due now would turn every push during an outage into an
    // attempt (ignoring Retry-After and using up MAX_ATTEMPTS). An operator's explicit
    // sync or retry (`force`) still runs now.
    if (row.status === 'retrying' && !options.force) return 'coalesced';
    const alreadyDue =
      row.status === 'queued' && row.next_attempt_at !== null && row.next_attempt_at <= now;
    // A queued, due mirror has no sync started yet: whichever sync comes next fetches after
    // this request, so there is nothing to write (a push burst costs one read per delivery).
    if (alreadyDue && !options.resetAttempts) return 'coalesced';
    const updated = await db
      .updateTable('mirrors')
      .set({
        status: 'queued',
        next_attempt_at: alreadyDue ? row.next_attempt_at : now,
        updated_at: now,
        ...(options.resetAttempts ? { attempts: 0, last_error: null, last_error_code: null } : {}),
      })
      .where('github_id', '=', githubId)
      .where('status', '=', row.status)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) return alreadyDue ? 'coalesced' : 'queued';
  }
  throw new Error(`mirror ${githubId} kept changing while a sync was requested`);
}

/** Records where the OneDev project is as soon as it is known, so a crash does not lose it. */
export async function recordOneDevProject(
  db: Executor,
  githubId: number,
  project: { name: string; path: string; projectId: number },
  now: string,
): Promise<void> {
  await db
    .updateTable('mirrors')
    .set({
      onedev_name: project.name,
      onedev_path: project.path,
      onedev_project_id: project.projectId,
      updated_at: now,
    })
    .where('github_id', '=', githubId)
    .execute();
}
