import { createHash } from 'node:crypto';
import type { Executor } from '../db/executor.js';

/**
 * Rendezvous (highest-random-weight) hashing: each mirror goes to the replica whose hash of
 * (replica, mirror) is highest. When a replica joins or leaves, only the mirrors it wins or
 * held move (about 1/n of them); every other mirror keeps its replica and so its git cache.
 */
export function preferredReplica(githubId: number, replicas: readonly string[]): string | null {
  let best: string | null = null;
  let bestWeight = -1;
  for (const replica of replicas) {
    const weight = createHash('sha1').update(`${replica}\n${githubId}`).digest().readUInt32BE(0);
    // Ties (1 in 2^32) go to the smaller id, so every replica computes the same answer.
    if (weight > bestWeight || (weight === bestWeight && best !== null && replica < best)) {
      best = replica;
      bestWeight = weight;
    }
  }
  return best;
}

/** Ids per UPDATE: well under SQLite's and PostgreSQL's bound-parameter limits. */
const BATCH = 2_000;

/**
 * Writes each mirror's preferred replica among `replicas` (the live set). Every replica
 * computes the same answer, so two doing it at once agree; only rows whose answer changed are
 * written, in batches of one UPDATE per replica. `onlyUnassigned`: just the new mirrors (null),
 * for the heartbeats between changes of the live set. Returns how many rows moved.
 */
export async function assignPreferredReplicas(
  db: Executor,
  replicas: readonly string[],
  options: { onlyUnassigned?: boolean } = {},
): Promise<number> {
  let query = db.selectFrom('mirrors').select(['github_id', 'preferred_replica']);
  if (options.onlyUnassigned) query = query.where('preferred_replica', 'is', null);
  const rows = await query.execute();
  const moves = new Map<string | null, number[]>();
  for (const row of rows) {
    const winner = preferredReplica(Number(row.github_id), replicas);
    if (winner === row.preferred_replica) continue;
    const ids = moves.get(winner) ?? [];
    ids.push(Number(row.github_id));
    moves.set(winner, ids);
  }
  let moved = 0;
  for (const [winner, ids] of moves) {
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH);
      await db
        .updateTable('mirrors')
        .set({ preferred_replica: winner })
        .where('github_id', 'in', batch)
        .execute();
      moved += batch.length;
    }
  }
  return moved;
}
