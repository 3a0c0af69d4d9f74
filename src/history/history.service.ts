import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { DbHandle } from '../db/database.js';
import type { HistorySnapshotRow } from '../db/schema/index.js';
import type { GitEngine } from '../git/git.port.js';
import { GitCommandError } from '../git/git-errors.js';
import type { OneDevApi } from '../onedev/onedev.port.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { HistoryReason, HistorySnapshot } from '../sync/history-step.js';
import {
  deleteSnapshots,
  expiredSnapshots,
  insertSnapshots,
  listSnapshots,
} from './history.repo.js';

/** One kept tip as the API and the dashboard show it. */
export interface HistoryEntry {
  ref: string;
  oldSha: string;
  newSha: string | null;
  reason: HistoryReason;
  takenAt: string;
  location: 'ref' | 'bundle';
  keptRef: string;
  /** The command that gets the tip back. */
  fetchCommand: string;
  bundlePath: string | null;
}

/** Kept tips of overwritten and deleted refs: record, list, expire (HISTORY_KEEP). */
export interface HistoryService {
  /** Records what a sync kept; tells once of a force push of the default branch. */
  record(
    mirror: { githubId: number; fullName: string; defaultBranch: string | null },
    projectPath: string,
    snapshots: HistorySnapshot[],
  ): Promise<void>;
  list(githubId: number): Promise<HistoryEntry[]>;
  /** Deletes tips older than HISTORY_KEEP from OneDev, the data directory and the table. */
  expire(): Promise<number>;
  /** HISTORY_KEEP in ms; null: forever. */
  keepMs: number | null;
}

export interface HistoryServiceDeps {
  handle: DbHandle;
  clock: Clock;
  log: Logger;
  keepMs: number | null;
  git: Pick<GitEngine, 'deleteKeptRefs'>;
  onedev: Pick<OneDevApi, 'gitUrl' | 'gitAuthorization'> | undefined;
  cacheDir: (githubId: number) => string;
  /** The mirror's OneDev project path now (it follows GitHub renames); undefined if unknown. */
  currentPath?: (githubId: number) => Promise<string | null | undefined>;
  /** A message for people (the notifications). */
  notice: (notice: { kind: string; message: string; githubId: number; fullName: string }) => void;
}

export function createHistoryService(deps: HistoryServiceDeps): HistoryService {
  const log = deps.log.child({ component: 'history' });

  function fetchCommand(row: HistorySnapshotRow, path: string): string {
    if (row.location === 'bundle') return `git fetch ${row.bundle_path} ${row.kept_ref}`;
    const url = deps.onedev?.gitUrl(path) ?? path;
    return `git fetch ${url} ${row.kept_ref}`;
  }

  /**
   * Where a kept tip is now: the project moves with GitHub renames, and a wiki's with its
   * repository's (`<project>/wiki`).
   */
  async function pathNow(row: HistorySnapshotRow): Promise<string> {
    const current = await deps.currentPath?.(row.github_id);
    if (!current || current === row.project_path) return row.project_path;
    return row.project_path.endsWith('/wiki') ? `${current}/wiki` : current;
  }

  async function record(
    mirror: { githubId: number; fullName: string; defaultBranch: string | null },
    projectPath: string,
    snapshots: HistorySnapshot[],
  ): Promise<void> {
    const takenAt = deps.clock.now().toISOString();
    await insertSnapshots(
      deps.handle.db,
      snapshots.map((s) => ({
        id: randomUUID(),
        github_id: mirror.githubId,
        project_path: projectPath,
        ref: s.ref,
        old_sha: s.oldSha,
        new_sha: s.newSha,
        reason: s.reason,
        taken_at: takenAt,
        location: s.location,
        kept_ref: s.keptRef,
        bundle_path: s.bundlePath,
      })),
    );
    const main = mirror.defaultBranch && `refs/heads/${mirror.defaultBranch}`;
    const forced = snapshots.find((s) => s.ref === main && s.reason === 'force-push');
    if (forced) {
      const where =
        forced.location === 'bundle' ? `the bundle ${forced.bundlePath}` : forced.keptRef;
      deps.notice({
        kind: 'history:force-push',
        message: `${mirror.fullName}: ${mirror.defaultBranch} was force-pushed on GitHub (${forced.oldSha.slice(0, 12)} → ${forced.newSha?.slice(0, 12)}); the mirror followed and the old tip is kept as ${where}`,
        githubId: mirror.githubId,
        fullName: mirror.fullName,
      });
    }
    for (const s of snapshots.filter((x) => x.location === 'bundle'))
      log.warn(
        { repo: mirror.fullName, ref: s.ref, bundle: s.bundlePath },
        'OneDev refused history refs; old tip kept as a bundle',
      );
  }

  async function list(githubId: number): Promise<HistoryEntry[]> {
    const rows = await listSnapshots(deps.handle.db, githubId);
    const entries: HistoryEntry[] = [];
    for (const row of rows) entries.push(entryOf(row, await pathNow(row)));
    return entries;
  }

  function entryOf(row: HistorySnapshotRow, path: string): HistoryEntry {
    return {
      ref: row.ref,
      oldSha: row.old_sha,
      newSha: row.new_sha,
      reason: row.reason as HistoryReason,
      takenAt: row.taken_at,
      location: row.location === 'bundle' ? 'bundle' : 'ref',
      keptRef: row.kept_ref,
      fetchCommand: fetchCommand(row, path),
      bundlePath: row.bundle_path,
    };
  }

  async function expire(): Promise<number> {
    if (deps.keepMs === null) return 0;
    const before = new Date(deps.clock.now().getTime() - deps.keepMs).toISOString();
    const rows = await expiredSnapshots(deps.handle.db, before);
    let removed = 0;
    for (const [key, group] of groupByProject(rows)) {
      try {
        await removeGroup(group);
        await deleteSnapshots(
          deps.handle.db,
          group.map((row) => row.id),
        );
        removed += group.length;
      } catch (error) {
        // The project is gone (deleted in OneDev, or the mirror was removed): nothing to keep.
        if (error instanceof GitCommandError && error.kind === 'not_found') {
          await deleteSnapshots(
            deps.handle.db,
            group.map((row) => row.id),
          );
          removed += group.length;
          continue;
        }
        log.warn({ err: error, project: key }, 'expiring kept history failed; will retry');
      }
    }
    if (removed > 0) log.info({ removed }, 'expired kept history');
    return removed;
  }

  /** One push deletes a project's expired refs; bundles are files. */
  async function removeGroup(group: HistorySnapshotRow[]): Promise<void> {
    const first = group[0] as HistorySnapshotRow;
    const refs = group.map((row) => row.kept_ref);
    const onedev = deps.onedev;
    if (onedev) {
      const remote = {
        url: onedev.gitUrl(await pathNow(first)),
        authorization: onedev.gitAuthorization(),
      };
      await deps.git.deleteKeptRefs(deps.cacheDir(first.github_id), remote, refs);
    }
    for (const row of group) if (row.bundle_path) await rm(row.bundle_path, { force: true });
  }

  return { record, list, expire, keepMs: deps.keepMs };
}

function groupByProject(rows: HistorySnapshotRow[]): Map<string, HistorySnapshotRow[]> {
  const groups = new Map<string, HistorySnapshotRow[]>();
  for (const row of rows) {
    const key = `${row.github_id} ${row.project_path}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return groups;
}
