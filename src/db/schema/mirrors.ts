import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * One row per GitHub repository, keyed by GitHub's numeric id (it survives renames).
 * The row is also the sync queue: `next_attempt_at` says when it is due, the lease
 * columns say which worker holds it.
 */
export interface MirrorsTable {
  github_id: number;
  owner: string;
  name: string;
  full_name: string;
  /** Lower-cased `owner/name`: GitHub names compare case-insensitively. */
  full_name_key: string;
  status: string;
  source: string;
  starred: number;
  private: number;
  default_branch: string | null;
  onedev_name: string | null;
  onedev_path: string | null;
  onedev_project_id: number | null;
  attempts: number;
  last_error: string | null;
  last_error_code: string | null;
  last_synced_at: string | null;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  /** A sync was requested while one ran: run once more after it (requests coalesce). */
  resync_requested: number;
  lease_owner: string | null;
  lease_expires_at: string | null;
  /** JSON object refname → sha, as last pushed to OneDev. */
  pushed_refs: string | null;
  unstarred_at: string | null;
  delete_after: string | null;
  /** Why a `paused` mirror is paused (unstarred, deleted upstream…), for people. */
  paused_reason: string | null;
  archived: Generated<number>;
  starred_at: string | null;
  /** When the refresh scheduler next compares the mirror with `git ls-remote`. */
  next_refresh_at: string | null;
  /** The refresh's current interval for this mirror (adaptive); null: REFRESH_INTERVAL. */
  refresh_every_ms: number | null;
  /** What the last refresh check found: changed, quiet, failed, gone, auth or synced. */
  refresh_outcome: string | null;
  /** The GitHub App installation that grants access, when the source is an installation. */
  installation_id: number | null;
  /** A rename could not move the OneDev project (the new path is taken): what to do. */
  onedev_conflict: string | null;
  /** GitHub renamed the repository; the OneDev project has not followed yet. */
  onedev_move_pending: Generated<number>;
  /** Who paused the mirror by hand (dashboard or admin API); null when nobody did. */
  paused_by: string | null;
  paused_at: string | null;
  /** When GitHub stopped having (or showing) the repository: 404 or 451; null while it exists. */
  source_gone_at: string | null;
  /** What GitHub answered, for people. */
  source_gone_reason: string | null;
  /**
   * No longer read: migration 0020 moved it into mirror_options (key `lfs`), the one place a
   * mirror's LFS setting lives. Kept because dropping a column on SQLite rebuilds the table.
   */
  lfs: number | null;
  /**
   * The live replica that syncs this mirror first (its git cache is there): rendezvous hashing
   * over the live replicas, recomputed when they change. Null until assigned (any replica may
   * claim it then).
   */
  preferred_replica: string | null;
  /** The slug of the chosen Star List the mirror came from (GITHUB_STAR_LISTS); null without lists. */
  star_list: string | null;
  /** The OneDev parent below ONEDEV_ROOT_PROJECT that list maps to; null for the root itself. */
  onedev_parent: string | null;
  created_at: string;
  updated_at: string;
}

export type MirrorRow = Selectable<MirrorsTable>;
export type NewMirrorRow = Insertable<MirrorsTable>;
export type MirrorRowUpdate = Updateable<MirrorsTable>;
