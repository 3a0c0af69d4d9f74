import type { Executor } from '../db/executor.js';

/** Mirrors already failed when the service starts: their incidents are open, not new. */
export async function readFailedMirrors(
  db: Executor,
): Promise<Array<{ githubId: number; fullName: string }>> {
  const rows = await db
    .selectFrom('mirrors')
    .select(['github_id', 'full_name'])
    .where('status', '=', 'failed')
    .execute();
  return rows.map((r) => ({ githubId: r.github_id, fullName: r.full_name }));
}
