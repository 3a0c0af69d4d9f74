import type { Executor } from '../db/executor.js';
import type { MirrorRow } from '../db/schema/index.js';
import { applyMirrorEvent } from './mirror-apply.repo.js';

/** What the refresh compares: the mirror's name, its last pushed refs and its slot. */
export type RefreshCandidate = Pick<
  MirrorRow,
  | 'github_id'
  | 'owner'
  | 'name'
  | 'pushed_refs'
  | 'next_refresh_at'
  | 'installation_id'
  | 'onedev_path'
>;

/** Synced, active mirrors whose refresh slot has come (or that have none yet). */
export function dueForRefresh(db: Executor, now: string, limit: number) {
  return db
    .selectFrom('mirrors')
    .select([
      'github_id',
      'owner',
      'name',
      'pushed_refs',
      'next_refresh_at',
      'installation_id',
      'onedev_path',
    ])
    .where('status', '=', 'synced')
    .where('archived', '=', 0)
    .where('pushed_refs', 'is not', null)
    .where((eb) => eb.or([eb('next_refresh_at', 'is', null), eb('next_refresh_at', '<=', now)]))
    .orderBy('next_refresh_at')
    .limit(limit)
    .execute();
}

/**
 * Moves the mirror's refresh slot to `at`, only if it is still the slot `read` (two
 * replicas never check one mirror twice). True when this call moved it.
 */
export async function claimRefreshSlot(
  db: Executor,
  mirror: RefreshCandidate,
  at: string,
  now: string,
): Promise<boolean> {
  const event = { kind: 'schedule-refresh', from: mirror.next_refresh_at, at } as const;
  const applied = await applyMirrorEvent(db, mirror.github_id, event, now);
  return applied !== 'not_found' && applied.ok;
}
