import { createHash } from 'node:crypto';
import type { Executor } from '../db/executor.js';
import { assignPreferredReplicas as assignPreferred } from '../mirrors/mirror-replica.repo.js';

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

/**
 * Writes each mirror's preferred replica among `replicas` (the live set); the rows are the
 * mirrors module's, which writes them. Returns how many rows moved.
 */
export function assignPreferredReplicas(
  db: Executor,
  replicas: readonly string[],
  options: { onlyUnassigned?: boolean } = {},
): Promise<number> {
  return assignPreferred(db, (githubId) => preferredReplica(githubId, replicas), options);
}
