import type { Executor } from '../db/executor.js';

/** Ids per UPDATE: well under SQLite's and PostgreSQL's bound-parameter limits. */
const BATCH = 2_000;

/**
 * Writes each mirror's preferred replica as `winnerOf` answers it (rendezvous hashing over
 * the live replicas). Every replica computes the same answer, so two doing it at once agree;
 * only rows whose answer changed are written, in batches of one UPDATE per replica.
 * `onlyUnassigned`: just the new mirrors (null), for the heartbeats between changes of the
 * live set. Returns how many rows moved.
 */
export async function assignPreferredReplicas(
  db: Executor,
  winnerOf: (githubId: number) => string | null,
  options: { onlyUnassigned?: boolean } = {},
): Promise<number> {
  let query = db.selectFrom('mirrors').select(['github_id', 'preferred_replica']);
  if (options.onlyUnassigned) query = query.where('preferred_replica', 'is', null);
  const rows = await query.execute();
  const moves = new Map<string | null, number[]>();
  for (const row of rows) {
    const winner = winnerOf(Number(row.github_id));
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
