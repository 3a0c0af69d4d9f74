import type { Executor } from '../db/executor.js';

/**
 * A working copy put back after its followers failed the health wait on a commit: it
 * stays on `good` while the branch's head is still `bad`. The table type lives here,
 * beside its only queries.
 */
export interface WorkingCopyHoldsTable {
  /** `owner/name`, as the mirror spells it. */
  repository: string;
  bad_commit: string;
  good_commit: string;
  /** The followers that failed, comma-separated (for messages and the plan). */
  container: string;
  held_at: string;
}

export interface WorkingCopyHold {
  repository: string;
  badCommit: string;
  goodCommit: string;
  containers: string[];
  heldAt: string;
}

/** Where rolled-back working copies are remembered, so a restart of Starbridge keeps them. */
export interface WorkingCopyHolds {
  get(repository: string): Promise<WorkingCopyHold | undefined>;
  /** Every hold (few: one per rolled-back repository). */
  list(): Promise<WorkingCopyHold[]>;
  set(hold: WorkingCopyHold): Promise<void>;
  /** Whether there was one to clear. */
  clear(repository: string): Promise<boolean>;
}

function holds(db: Executor) {
  return db.withTables<{ working_copy_holds: WorkingCopyHoldsTable }>();
}

const key = (repository: string) => repository;

export function createWorkingCopyHolds(db: Executor): WorkingCopyHolds {
  const toHold = (row: WorkingCopyHoldsTable): WorkingCopyHold => ({
    repository: row.repository,
    badCommit: row.bad_commit,
    goodCommit: row.good_commit,
    containers: row.container.split(',').filter(Boolean),
    heldAt: row.held_at,
  });
  return {
    async get(repository) {
      const row = await holds(db)
        .selectFrom('working_copy_holds')
        .selectAll()
        .where('repository', '=', key(repository))
        .executeTakeFirst();
      return row && { ...toHold(row), repository };
    },
    async list() {
      const rows = await holds(db).selectFrom('working_copy_holds').selectAll().execute();
      return rows.map(toHold);
    },
    async set(hold) {
      const row = {
        repository: key(hold.repository),
        bad_commit: hold.badCommit,
        good_commit: hold.goodCommit,
        container: hold.containers.join(','),
        held_at: hold.heldAt,
      };
      await holds(db)
        .deleteFrom('working_copy_holds')
        .where('repository', '=', row.repository)
        .execute();
      await holds(db).insertInto('working_copy_holds').values(row).execute();
    },
    async clear(repository) {
      const result = await holds(db)
        .deleteFrom('working_copy_holds')
        .where('repository', '=', key(repository))
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
