import type { Executor } from '../db/executor.js';

/** The failure codes of the mirrors already failed at start: open token incidents among them. */
export async function readFailedErrorCodes(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('mirrors')
    .select('last_error_code')
    .distinct()
    .where('status', '=', 'failed')
    .execute();
  return rows.flatMap((r) => (r.last_error_code ? [r.last_error_code] : []));
}

/**
 * How the mirror's last settled run before `runId` ended — settled meaning it decided the
 * mirror's state (retrying, aborted and running runs did not). Read from the run ledger, so
 * every replica, and a restarted one, sees the same history.
 */
export async function previousSettledRun(
  db: Executor,
  githubId: number,
  runId: string,
): Promise<{ result: string; errorCode: string | null } | undefined> {
  const row = await db
    .selectFrom('sync_runs')
    .select(['result', 'error_code'])
    .where('github_id', '=', githubId)
    .where('result', 'not in', ['running', 'retrying', 'aborted'])
    .where('started_at', '<', (eb) =>
      eb.selectFrom('sync_runs').select('started_at').where('id', '=', runId),
    )
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { result: row.result, errorCode: row.error_code } : undefined;
}
