import { sql } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { MirrorRow } from '../db/schema/index.js';
import { applyMirrorEvent } from './mirror-apply.repo.js';
import { controlTables } from './mirror-control.repo.js';

/**
 * What the refresh compares: the mirror's name, its last pushed refs and its slot, and its
 * own refresh interval when an operator set one (null: the global one).
 */
export type RefreshCandidate = Pick<
  MirrorRow,
  | 'github_id'
  | 'owner'
  | 'name'
  | 'pushed_refs'
  | 'next_refresh_at'
  | 'installation_id'
  | 'onedev_path'
> & { refreshIntervalMs: number | null };

/** Synced, active mirrors whose refresh slot has come (or that have none yet). */
export async function dueForRefresh(
  db: Executor,
  now: string,
  limit: number,
): Promise<RefreshCandidate[]> {
  const rows = await controlTables(db)
    .selectFrom('mirrors')
    .leftJoin('mirror_options', (join) =>
      join
        .onRef('mirror_options.github_id', '=', 'mirrors.github_id')
        .on('mirror_options.key', '=', 'refreshIntervalMs'),
    )
    .select([
      'mirrors.github_id',
      'owner',
      'name',
      'pushed_refs',
      'next_refresh_at',
      'installation_id',
      'onedev_path',
      'mirror_options.value as refresh_interval',
    ])
    .where('status', '=', 'synced')
    .where('archived', '=', 0)
    .where('pushed_refs', 'is not', null)
    .where((eb) => eb.or([eb('next_refresh_at', 'is', null), eb('next_refresh_at', '<=', now)]))
    .orderBy('next_refresh_at')
    .limit(limit)
    .execute();
  return rows.map(({ refresh_interval, ...row }) => ({
    ...row,
    refreshIntervalMs: refresh_interval === null ? null : Number(JSON.parse(refresh_interval)),
  }));
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

/** Slots per statement: four bound values each, well under both databases' limits. */
const SLOT_BATCH = 250;

/**
 * Takes the refresh slots of a batch at once: per mirror the same condition as
 * {@link claimRefreshSlot} (the slot is still the one read), in one UPDATE per 250 mirrors
 * instead of a read and a write each, so planning a tick stays cheap at tens of thousands of
 * mirrors. Returns the ids whose slot this call moved.
 */
export async function claimRefreshSlots(
  db: Executor,
  claims: ReadonlyArray<{ mirror: RefreshCandidate; at: string }>,
): Promise<Set<number>> {
  const moved = new Set<number>();
  for (let i = 0; i < claims.length; i += SLOT_BATCH) {
    const batch = claims.slice(i, i + SLOT_BATCH);
    const cases = (value: (claim: (typeof batch)[number]) => string) =>
      sql.join(
        batch.map((c) => sql`when ${c.mirror.github_id} then ${value(c)}`),
        sql` `,
      );
    const ids = batch.map((c) => c.mirror.github_id);
    // '' stands for "no slot yet" (null) on both sides: slots are timestamps, never empty.
    const rows = await db
      .updateTable('mirrors')
      .set({ next_refresh_at: sql<string>`case github_id ${cases((c) => c.at)} end` })
      .where('github_id', 'in', ids)
      .where(
        sql<boolean>`coalesce(next_refresh_at, '') = case github_id ${cases((c) => c.mirror.next_refresh_at ?? '')} end`,
      )
      .returning('github_id')
      .execute();
    for (const row of rows) moved.add(Number(row.github_id));
  }
  return moved;
}
