import type { MirrorRow } from '../db/schema/index.js';

export type MirrorStatus = 'queued' | 'syncing' | 'synced' | 'retrying' | 'failed' | 'paused';
export type MirrorSource = 'star' | 'webhook' | 'manual' | 'installation';

/** A mirror's wiki: `synced`, `absent` (GitHub serves no wiki git repository) or `failed`. */
export interface WikiView {
  status: 'synced' | 'absent' | 'failed';
  onedevPath: string | null;
  lastSyncedAt: string | null;
  lastError: string | null;
}

/** A mirror as the API, dashboard and CLI show it. */
export interface Mirror {
  githubId: number;
  fullName: string;
  owner: string;
  name: string;
  status: MirrorStatus;
  source: MirrorSource;
  starred: boolean;
  private: boolean;
  onedevPath: string | null;
  onedevProjectId: number | null;
  /** Set when the GitHub name had to be changed to be a valid OneDev name. */
  onedevName: string | null;
  defaultBranch: string | null;
  attempts: number;
  lastError: string | null;
  lastErrorCode: string | null;
  lastSyncedAt: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  // The GitHub sources' fields are optional for literal builders elsewhere; mirrorFromRow
  // always sets them.
  /** Why a `paused` mirror is paused (unstarred, deleted upstream…). */
  pausedReason?: string | null;
  /** Archived on GitHub: shown, and no longer refreshed on a schedule. */
  archived?: boolean;
  /** When the refresh scheduler next compares it with `git ls-remote`. */
  nextRefreshAt?: string | null;
  /** The refresh's current interval for it (adaptive); null until its first check. */
  refreshEveryMs?: number | null;
  /** What its last refresh check (or sync) found: changed, synced, quiet, failed, gone, auth. */
  refreshOutcome?: string | null;
  /** A GitHub rename the OneDev project could not follow (the new path is taken). */
  onedevConflict?: string | null;
  /** Who paused it by hand (dashboard or admin API) and when; null when nobody did. */
  pausedBy?: string | null;
  pausedAt?: string | null;
  /** The repository's GitHub wiki and its child project, once a sync looked (MIRROR_WIKIS). */
  wiki?: WikiView | null;
  /** GitHub answered 404 or 451 for the repository: when, and why (the mirror is kept). */
  sourceGone?: { at: string; reason: string } | null;
  /**
   * This mirror's LFS option: `on`, `off`, or null to follow MIRROR_LFS. Read from the mirror's
   * options by the service (the old `mirrors.lfs` column is no longer read).
   */
  lfs?: MirrorLfsMode | null;
  createdAt: string;
  updatedAt: string;
}

export type MirrorLfsMode = 'on' | 'off';

export function mirrorFromRow(row: MirrorRow): Mirror {
  return {
    githubId: row.github_id,
    fullName: row.full_name,
    owner: row.owner,
    name: row.name,
    status: row.status as MirrorStatus,
    source: row.source as MirrorSource,
    starred: row.starred === 1,
    private: row.private === 1,
    onedevPath: row.onedev_path,
    onedevProjectId: row.onedev_project_id,
    onedevName: row.onedev_name,
    defaultBranch: row.default_branch,
    attempts: row.attempts,
    lastError: row.last_error,
    lastErrorCode: row.last_error_code,
    lastSyncedAt: row.last_synced_at,
    lastAttemptAt: row.last_attempt_at,
    nextAttemptAt: row.next_attempt_at,
    pausedReason: row.paused_reason ?? null,
    archived: row.archived === 1,
    nextRefreshAt: row.next_refresh_at ?? null,
    refreshEveryMs: row.refresh_every_ms === null ? null : Number(row.refresh_every_ms),
    refreshOutcome: row.refresh_outcome ?? null,
    onedevConflict: row.onedev_conflict ?? null,
    pausedBy: row.paused_by ?? null,
    pausedAt: row.paused_at ?? null,
    sourceGone: row.source_gone_at
      ? { at: row.source_gone_at, reason: row.source_gone_reason ?? '' }
      : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function parseRefs(json: string | null): Record<string, string> {
  if (!json) return {};
  return JSON.parse(json) as Record<string, string>;
}
