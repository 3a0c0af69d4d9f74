import type { Executor } from '../../db/executor.js';

/** What GitHub last said about a mirror's repository. */
export interface ChangeHint {
  nodeId: string | null;
  pushedAt: string | null;
  /** When it was last looked at (the GraphQL round asks the longest unseen first). */
  seenAt?: string;
}

export async function readHints(db: Executor): Promise<Map<number, ChangeHint>> {
  const rows = await db
    .selectFrom('change_hints')
    .select(['github_id', 'node_id', 'pushed_at', 'seen_at'])
    .execute();
  return new Map(
    rows.map((r) => [
      Number(r.github_id),
      { nodeId: r.node_id, pushedAt: r.pushed_at, seenAt: r.seen_at },
    ]),
  );
}

/** Stores what an answer said; a known node id is kept when the answer had none. */
export async function saveHint(
  db: Executor,
  githubId: number,
  hint: ChangeHint,
  now: string,
): Promise<void> {
  const values = { node_id: hint.nodeId, pushed_at: hint.pushedAt, seen_at: now };
  await db
    .insertInto('change_hints')
    .values({ github_id: githubId, ...values })
    .onConflict((oc) =>
      oc.column('github_id').doUpdateSet((eb) => ({
        node_id: hint.nodeId ?? eb.ref('change_hints.node_id'),
        pushed_at: hint.pushedAt,
        seen_at: now,
      })),
    )
    .execute();
}
