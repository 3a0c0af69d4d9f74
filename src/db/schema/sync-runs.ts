import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/** The ledger: one row per sync attempt, with what it moved. */
export interface SyncRunsTable {
  id: string;
  github_id: number;
  trigger: string;
  attempt: number;
  worker: string | null;
  started_at: string;
  finished_at: string | null;
  result: string;
  error: string | null;
  error_code: string | null;
  /** JSON array of { ref, kind, old, new }. */
  refs: string | null;
  /** JSON array of container restart outcomes. */
  containers: string | null;
  /** While running: the step under way (see SyncPhase); the last one reached afterwards. */
  phase: string | null;
  /** How many calls of the run needed a quick retry (defaults to 0 on insert). */
  quick_retries: Generated<number>;
  /** JSON { refs: [{ ref, kind, expected, found }], restored } when OneDev had drifted; else null. */
  drift: string | null;
  /** LFS objects and bytes the run uploaded to OneDev; null when it had no LFS step. */
  lfs_objects: number | null;
  /** bigint: PostgreSQL returns it as a string. */
  lfs_bytes: number | string | null;
  /** LFS objects and bytes the mirrored refs point at, as the run found them. */
  lfs_total_objects: number | null;
  lfs_total_bytes: number | string | null;
  /** Pack bytes git fetched from GitHub and pushed to OneDev (bigint); null when unknown. */
  bytes_fetched: number | string | null;
  bytes_pushed: number | string | null;
}

export type SyncRunRow = Selectable<SyncRunsTable>;
export type NewSyncRunRow = Insertable<SyncRunsTable>;
export type SyncRunRowUpdate = Updateable<SyncRunsTable>;
