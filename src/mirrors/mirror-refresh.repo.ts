import { sql } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { MirrorRow } from '../db/schema/index.js';
import { applyMirrorEvent } from './mirror-apply.repo.js';
import { controlTables } from './mirror-control.repo.js';
import { CLAIMABLE_STATUSES } from './mirror-state.js';

/**
 * What the refresh compares: the mirror's name, its last pushed refs and its slot, its
 * adaptive interval, and its own refresh interval when an operator set one (null: none).
 */
export type RefreshCandidate = Pick<
  MirrorRow,
  | 'github_id'
  | 'owner'
  | 'name'
  | 'pushed_refs'
  | 'next_refresh_at'
  | 'refresh_every_ms'
  | 'installation_id'
  | 'onedev_path'
> & { refreshIntervalMs: number | null };

/** A mirror's refresh schedule as it stands: slot, adaptive interval, operator's interval. */
export type RefreshState = Pick<MirrorRow, 'github_id' | 'next_refresh_at' | 'refresh_every_ms'> & {
  refreshIntervalMs: number | null;
};

function withOption(db: Executor) {
  return controlTables(db)
    .selectFrom('mirrors')
    .leftJoin('mirror_options', (join) =>
      join
        .onRef('mirror_options.github_id', '=', 'mirrors.github_id')
        .on('mirror_options.key', '=', 'refreshIntervalMs'),
    );
}

const parseOption = (value: string | null) => (value === null ? null : Number(JSON.parse(value)));

/**
 * The two candidate queries: mirrors that never had a slot, and those whose slot has passed,
 * most overdue first. Two queries rather than one ORDER BY with NULLS FIRST (which SQLite's
 * indexes cannot serve), so both databases walk the `mirrors_refresh_due` index (status,
 * archived, next_refresh_at, github_id) and stop at the limit.
 */
export function refreshDueQueries(db: Executor, now: string) {
  const base = withOption(db)
    .select([
      'mirrors.github_id',
      'owner',
      'name',
      'pushed_refs',
      'next_refresh_at',
      'refresh_every_ms',
      'installation_id',
      'onedev_path',
      'mirror_options.value as refresh_interval',
    ])
    .where('status', '=', 'synced')
    .where('archived', '=', 0)
    .where('pushed_refs', 'is not', null);
  return {
    fresh: (limit: number) => base.where('next_refresh_at', 'is', null).limit(limit),
    overdue: (limit: number) =>
      base
        .where('next_refresh_at', '<=', now)
        .orderBy('next_refresh_at')
        .orderBy('mirrors.github_id')
        .limit(limit),
  };
}

/** Synced, active mirrors whose refresh slot has come: never placed first, then most overdue. */
export async function dueForRefresh(
  db: Executor,
  now: string,
  limit: number,
): Promise<RefreshCandidate[]> {
  const queries = refreshDueQueries(db, now);
  const fresh = await queries.fresh(limit).execute();
  const overdue = fresh.length < limit ? await queries.overdue(limit - fresh.length).execute() : [];
  return [...fresh, ...overdue].map(({ refresh_interval, refresh_every_ms, ...row }) => ({
    ...row,
    refresh_every_ms: refresh_every_ms === null ? null : Number(refresh_every_ms),
    refreshIntervalMs: parseOption(refresh_interval),
  }));
}

/** One mirror's refresh schedule; undefined when the mirror is not there. */
export async function refreshState(
  db: Executor,
  githubId: number,
): Promise<RefreshState | undefined> {
  const row = await withOption(db)
    .select([
      'mirrors.github_id',
      'next_refresh_at',
      'refresh_every_ms',
      'mirror_options.value as refresh_interval',
    ])
    .where('mirrors.github_id', '=', githubId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    github_id: row.github_id,
    next_refresh_at: row.next_refresh_at,
    refresh_every_ms: row.refresh_every_ms === null ? null : Number(row.refresh_every_ms),
    refreshIntervalMs: parseOption(row.refresh_interval),
  };
}

/** What one visit writes: the next slot, and optionally the interval and what it found. */
export interface RefreshVisit {
  at: string;
  everyMs?: number | null;
  outcome?: string;
}

/**
 * Moves the mirror's refresh slot from `from` to the visit's slot, only if it is still
 * `from` (two replicas never check one mirror twice). True when this call moved it.
 */
export async function claimRefreshSlot(
  db: Executor,
  githubId: number,
  from: string | null,
  visit: RefreshVisit,
  now: string,
): Promise<boolean> {
  const event = { kind: 'schedule-refresh', from, ...visit } as const;
  const applied = await applyMirrorEvent(db, githubId, event, now);
  return applied !== 'not_found' && applied.ok;
}

/** Slots per statement: three bound values each, well under both databases' limits. */
const SLOT_BATCH = 250;

/** One slot to take: from the slot read (`from`, null for none yet) to `at`. */
export interface SlotClaim {
  githubId: number;
  from: string | null;
  at: string;
}

/**
 * Takes a tick's slots at once, each on the same condition as a `schedule-refresh` event (the
 * slot is still the one read: two replicas never check one mirror twice), in one UPDATE per
 * 250 mirrors instead of a read and a write each, so planning a tick stays cheap at tens of
 * thousands of mirrors. Only the slot moves, as the event without a visit's outcome writes.
 * Returns the ids whose slot this call moved.
 */
export async function claimRefreshSlots(
  db: Executor,
  claims: readonly SlotClaim[],
): Promise<Set<number>> {
  const moved = new Set<number>();
  for (let i = 0; i < claims.length; i += SLOT_BATCH) {
    const batch = claims.slice(i, i + SLOT_BATCH);
    const cases = (value: (claim: SlotClaim) => string) =>
      sql.join(
        batch.map((c) => sql`when ${c.githubId} then ${value(c)}`),
        sql` `,
      );
    // '' stands for "no slot yet" (null) on both sides: slots are timestamps, never empty.
    const rows = await db
      .updateTable('mirrors')
      .set({ next_refresh_at: sql<string>`case github_id ${cases((c) => c.at)} end` })
      .where(
        'github_id',
        'in',
        batch.map((c) => c.githubId),
      )
      .where(
        sql<boolean>`coalesce(next_refresh_at, '') = case github_id ${cases((c) => c.from ?? '')} end`,
      )
      .returning('github_id')
      .execute();
    for (const row of rows) moved.add(Number(row.github_id));
  }
  return moved;
}

/**
 * The sync queue's backlog: mirrors due for a sync and not yet claimed, plus those syncing.
 * What the refresh weighs before asking for more syncs.
 */
export async function syncBacklog(db: Executor, now: string): Promise<number> {
  const row = await db
    .selectFrom('mirrors')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where((eb) =>
      eb.or([
        eb('status', '=', 'syncing'),
        eb.and([eb('status', 'in', CLAIMABLE_STATUSES), eb('next_attempt_at', '<=', now)]),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
