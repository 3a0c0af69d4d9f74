import type { Insertable, Selectable } from 'kysely';

/** Tips a sync overwrote or deleted in OneDev, and where each is kept. */
export interface HistorySnapshotsTable {
  id: string;
  github_id: number;
  /** The OneDev project the tip was kept in (its path when taken). */
  project_path: string;
  /** The head or tag that moved or went. */
  ref: string;
  old_sha: string;
  /** Null when the ref was deleted. */
  new_sha: string | null;
  /** `force-push`, `deleted` or `tag-moved`. */
  reason: string;
  taken_at: string;
  /** `ref` (in OneDev under kept_ref) or `bundle` (a file under DATA_DIR). */
  location: string;
  kept_ref: string;
  bundle_path: string | null;
}

/** The GitHub wiki of a mirrored repository, mirrored to a child project. */
export interface MirrorWikisTable {
  github_id: number;
  /** `synced`, `absent` (no wiki git repository) or `failed`. */
  status: string;
  onedev_path: string | null;
  onedev_project_id: number | null;
  /** JSON refname → sha last pushed. */
  pushed_refs: string | null;
  last_synced_at: string | null;
  last_error: string | null;
  updated_at: string;
}

export type HistorySnapshotRow = Selectable<HistorySnapshotsTable>;
export type NewHistorySnapshotRow = Insertable<HistorySnapshotsTable>;
export type MirrorWikiRow = Selectable<MirrorWikisTable>;
