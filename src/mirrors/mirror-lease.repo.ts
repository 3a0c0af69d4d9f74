import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db/database.js';
import type { Executor } from '../db/executor.js';
import type { Database, MirrorRow } from '../db/schema/index.js';
import { abortStaleRuns } from '../sync/runs.repo.js';
import { applyMirrorEvent } from './mirror-apply.repo.js';
import { CLAIMABLE_STATUSES, claimPatch, type SyncOutcome } from './mirror-state.js';

export type { SyncOutcome };

export interface Lease {
  worker: string;
  now: string;
  until: string;
}

/**
 * Which due mirrors a replica takes first when several share the database: those it is the
 * preferred replica of (their git cache is here), and only when it has none of those, a due
 * mirror whose preferred replica is not live (or none is assigned yet), or that has waited
 * past a grace (its replica is busy), so nothing waits on a dead or overloaded replica.
 */
export interface ClaimPreference {
  /** This replica's id. */
  replica: string;
  /** A replica whose heartbeat is at or after this is live. */
  liveSince: string;
  /** A mirror due since before this may be taken by any replica. */
  graceBefore: string;
}

/** The preference of `replica` at `now`, given its live window and grace; none without both. */
export function preferenceAt(
  replica: string | undefined,
  window: { liveMs: number; graceMs: number } | undefined,
  now: Date,
): ClaimPreference | undefined {
  if (!replica || !window) return undefined;
  const before = (ms: number) => new Date(now.getTime() - ms).toISOString();
  return { replica, liveSince: before(window.liveMs), graceBefore: before(window.graceMs) };
}

/**
 * Claims the mirror that has been due longest, with a lease. The candidate is picked in
 * SQL (no row is known beforehand); the state machine's claimable statuses are checked
 * again on the row being updated, and its claim patch is what is written. SQLite has one
 * writer at a time, so the status re-check in the WHERE is enough there. With `prefer`, the
 * candidate is this replica's own due mirror if any, else the fallback — still one statement.
 */
export function claimDueMirror(
  db: Kysely<Database>,
  dialect: Dialect,
  lease: Lease,
  prefer?: ClaimPreference,
): Promise<MirrorRow | undefined> {
  return claimDueStatement(db, dialect, lease, prefer).executeTakeFirst();
}

/** The due-mirror claim as one UPDATE … RETURNING, unexecuted (the scale benchmark explains it). */
export function claimDueStatement(
  db: Kysely<Database>,
  dialect: Dialect,
  lease: Lease,
  prefer?: ClaimPreference,
) {
  const statuses = sql.join(CLAIMABLE_STATUSES.map((s) => sql.lit(s)));
  const due = sql`status in (${statuses}) and next_attempt_at <= ${lease.now}`;
  const pick = sql`order by next_attempt_at, github_id limit 1${lockFor(dialect)}`;
  const candidate = prefer
    ? sql<number>`coalesce((select github_id from mirrors where preferred_replica = ${prefer.replica} and ${due} ${pick}), (select github_id from mirrors where ${due} and (next_attempt_at < ${prefer.graceBefore} or not exists (select 1 from replicas where replicas.id = mirrors.preferred_replica and replicas.heartbeat_at >= ${prefer.liveSince})) ${pick}))`
    : sql<number>`(select github_id from mirrors where ${due} ${pick})`;
  // A single UPDATE with a sub-select is portable.
  return db
    .updateTable('mirrors')
    .set(claimPatch(lease.worker, lease.until, lease.now))
    .where('github_id', '=', candidate)
    .where(sql<boolean>`status in (${statuses})`)
    .returningAll();
}

/**
 * Claims one named mirror whatever its status (an operator asked for this sync
 * explicitly, so a failed or paused mirror is claimed too), unless another worker holds
 * it: `syncing` with a lease that has not expired. Undefined when it is held (or gone).
 */
export async function claimMirror(
  db: Executor,
  githubId: number,
  lease: Lease,
): Promise<MirrorRow | undefined> {
  const event = {
    kind: 'claim',
    worker: lease.worker,
    until: lease.until,
    operator: true,
  } as const;
  const applied = await applyMirrorEvent(db, githubId, event, lease.now, { returnRow: true });
  return applied !== 'not_found' && applied.ok ? applied.row : undefined;
}

/**
 * PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent workers (on several replicas) skip a
 * row another one is claiming instead of queueing behind it.
 */
function lockFor(dialect: Dialect) {
  return dialect === 'postgres' ? sql` for update skip locked` : sql``;
}

/** Extends a held lease; false when the lease was lost (reclaimed after expiring). */
export async function renewLease(
  db: Executor,
  githubId: number,
  worker: string,
  leaseUntil: string,
): Promise<boolean> {
  const event = { kind: 'renew', worker, until: leaseUntil } as const;
  const applied = await applyMirrorEvent(db, githubId, event, leaseUntil);
  return applied !== 'not_found' && applied.ok;
}

/**
 * Returns mirrors whose worker died (lease expired) to the queue, due now, so a crash
 * never leaves a row `syncing`. Their unfinished runs are closed as aborted.
 */
export async function reclaimExpiredLeases(db: Kysely<Database>, now: string): Promise<number[]> {
  return db.transaction().execute(async (trx) => {
    const expired = await trx
      .selectFrom('mirrors')
      .select('github_id')
      .where('status', '=', 'syncing')
      .where('lease_expires_at', '<', now)
      .execute();
    const ids: number[] = [];
    for (const { github_id } of expired) {
      const applied = await applyMirrorEvent(trx, github_id, { kind: 'reclaim' }, now);
      if (applied !== 'not_found' && applied.ok) ids.push(github_id);
    }
    if (ids.length === 0) return [];
    await abortStaleRuns(trx, ids, now, { requeued: true });
    return ids;
  });
}

/**
 * Returns to the queue, due now, the mirrors this instance's previous run held: only one
 * process runs per data directory, so that run is gone and its leases need not be waited
 * out. A replica's leases (another instance id) are left to `reclaimExpiredLeases`. Their
 * unfinished runs are closed as aborted.
 */
export async function reclaimOwnLeases(
  db: Kysely<Database>,
  owner: { instanceId: string; currentOwner: string },
  now: string,
): Promise<number[]> {
  const event = { kind: 'reclaim-own', ...owner } as const;
  return db.transaction().execute(async (trx) => {
    const held = await trx
      .selectFrom('mirrors')
      .select('github_id')
      .where('status', '=', 'syncing')
      .where('lease_owner', 'like', `${owner.instanceId}/%`)
      .where('lease_owner', '<>', owner.currentOwner)
      .execute();
    const ids: number[] = [];
    for (const { github_id } of held) {
      const applied = await applyMirrorEvent(trx, github_id, event, now);
      if (applied !== 'not_found' && applied.ok) ids.push(github_id);
    }
    if (ids.length === 0) return [];
    await abortStaleRuns(trx, ids, now, { requeued: true });
    return ids;
  });
}

/**
 * Releases the lease with the sync's outcome; a sync requested while this one ran sends
 * the mirror back to the queue (due now) instead. The write is conditional on the row as
 * read, so a request arriving at the same moment cannot be lost. Returns false when the
 * lease had already been lost.
 */
export async function releaseMirror(
  db: Executor,
  githubId: number,
  worker: string,
  outcome: SyncOutcome,
  now: string,
): Promise<boolean> {
  const applied = await applyMirrorEvent(db, githubId, { kind: 'release', worker, outcome }, now);
  return applied !== 'not_found' && applied.ok;
}

/**
 * Gives a mirror back the attempts its faults used before its upstream's circuit opened;
 * false when there was nothing to give back (already given, or the mirror moved on).
 */
export async function giveBackAttempts(
  db: Executor,
  githubId: number,
  wait: { attempts: number; message: string },
  now: string,
): Promise<boolean> {
  const applied = await applyMirrorEvent(db, githubId, { kind: 'wait-upstream', ...wait }, now);
  return applied !== 'not_found' && applied.ok;
}
