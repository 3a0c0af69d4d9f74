import type { Executor } from '../db/executor.js';
import type { OpenMirrorIncident } from './incidents.js';

/** Mirrors already failed when the service starts: their incidents are open, not new. */
export async function readFailedMirrors(db: Executor): Promise<OpenMirrorIncident[]> {
  const rows = await db
    .selectFrom('mirrors')
    .select(['github_id', 'full_name', 'last_error_code'])
    .where('status', '=', 'failed')
    .execute();
  return rows.map((r) => ({
    githubId: r.github_id,
    fullName: r.full_name,
    errorCode: r.last_error_code,
  }));
}
