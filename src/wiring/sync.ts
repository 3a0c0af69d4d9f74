import type { DbHandle } from '../db/database.js';
import type { MirrorRow } from '../db/schema/index.js';
import type { GitEngine, GitRemote } from '../git/git.port.js';
import { mirrorCacheDir } from '../git/git-cache.js';
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
  /** The SSH remote of a mirror set to a deploy key; undefined: HTTPS with the above. */
  sshRemoteFor?: (mirror: MirrorRow) => Promise<GitRemote | undefined>;
  /** How many times a sync tries one failing idempotent call again at once (0: never). */
  quickRetries: number;
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
        githubSshRemote: async () => ports.sshRemoteFor?.(mirror),
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
      },
      signal,
    );
}
