import type { DbHandle } from '../db/database.js';
import type { MirrorRow } from '../db/schema/index.js';
import type { GitEngine } from '../git/git.port.js';
import { mirrorCacheDir } from '../git/git-cache.js';
import type { LfsEngine } from '../git/lfs.port.js';
import { mirrorsLfs } from '../mirrors/mirror.js';
import { recordOneDevProject } from '../mirrors/mirrors.repo.js';
import type { OneDevApi } from '../onedev/onedev.port.js';
import type { Clock } from '../shared/clock.js';
import type { LfsStepDeps } from '../sync/lfs-step.js';
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
  /**
   * LFS mirroring: `enabled` is MIRROR_LFS, which a mirror's own setting overrides; it also needs
   * git-lfs installed.
   */
  lfs: { engine: LfsEngine; enabled: boolean; maxBytes?: number };
}

/** The real sync (git binary + OneDev REST) the workers and `starbridge sync` run. */
export function createSyncExecutor(ports: SyncExecutorPorts): SyncExecutor {
  const lfsStep = lfsWhenInstalled(ports.lfs, ports.clock);
  return async (mirror, signal, onPhase, onQuickRetry) =>
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
        lfs: mirrorsLfs(mirror, ports.lfs.enabled) ? await lfsStep() : undefined,
      },
      signal,
    );
}

/**
 * The LFS step's dependencies while git-lfs is installed, else undefined (LFS mirroring is then
 * off, as GET /health says). Asked again a minute after a miss, so installing git-lfs needs no
 * restart.
 */
function lfsWhenInstalled(
  lfs: { engine: LfsEngine; maxBytes?: number },
  clock: Clock,
): () => Promise<LfsStepDeps | undefined> {
  let checked: { at: number; installed: Promise<boolean> } | undefined;
  return async () => {
    const now = clock.now().getTime();
    if (!checked || (now - checked.at > 60_000 && !(await checked.installed))) {
      checked = { at: now, installed: lfs.engine.version().then(Boolean, () => false) };
    }
    if (!(await checked.installed)) return undefined;
    return { lfs: lfs.engine, ...(lfs.maxBytes === undefined ? {} : { maxBytes: lfs.maxBytes }) };
  };
}
