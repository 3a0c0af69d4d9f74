import { join } from 'node:path';
import type { DbHandle } from '../db/database.js';
import type { MirrorRow } from '../db/schema/index.js';
import type { GitEngine } from '../git/git.port.js';
import { mirrorCacheDir } from '../git/git-cache.js';
import type { HistoryService } from '../history/history.service.js';
import { recordOneDevProject } from '../mirrors/mirrors.repo.js';
import type { OneDevApi } from '../onedev/onedev.port.js';
import type { Clock } from '../shared/clock.js';
import type { SyncExecutor } from '../sync/sync.worker.js';
import { syncMirror } from '../sync/sync-mirror.js';

/** What one sync of a mirror runs with: git, OneDev and GitHub's per-mirror credential. */
export interface SyncExecutorPorts {
  handle: DbHandle;
  clock: Clock;
  git: GitEngine;
  onedev: OneDevApi;
  githubGitUrl: string;
  onedevRoot: string;
  dataDir: string;
  /** The installation's token for App repositories, else the PAT; undefined: anonymous. */
  authorizationFor: (mirror: MirrorRow) => Promise<string | undefined>;
  /** How many times a sync tries one failing idempotent call again at once (0: never). */
  quickRetries: number;
  /** Records the tips each push keeps. */
  history: Pick<HistoryService, 'record'>;
}

/** Bundles of kept tips, when OneDev refuses history refs: under DATA_DIR, by GitHub id. */
export function historyBundleDir(dataDir: string, githubId: number): string {
  return join(dataDir, 'history', String(githubId));
}

/** The real sync (git binary + OneDev REST) the workers and `starbridge sync` run. */
export function createSyncExecutor(ports: SyncExecutorPorts): SyncExecutor {
  return (mirror, signal, onPhase, onQuickRetry) =>
    syncMirror(
      mirror,
      {
        git: ports.git,
        onedev: ports.onedev,
        githubGitUrl: ports.githubGitUrl,
        githubAuthorization: () => ports.authorizationFor(mirror),
        onedevRoot: ports.onedevRoot,
        cacheDir: (githubId) => mirrorCacheDir(ports.dataDir, githubId),
        onProject: (project) =>
          recordOneDevProject(
            ports.handle.db,
            mirror.github_id,
            project,
            ports.clock.now().toISOString(),
          ),
        onPhase,
        onQuickRetry,
        quickRetries: ports.quickRetries,
        historyBundleDir: (githubId) => historyBundleDir(ports.dataDir, githubId),
        onHistory: (snapshots, where) =>
          ports.history.record(
            {
              githubId: mirror.github_id,
              fullName: mirror.full_name,
              defaultBranch: where.defaultBranch,
            },
            where.projectPath,
            snapshots,
          ),
        now: () => ports.clock.now(),
      },
      signal,
    );
}
