import { join } from 'node:path';
import type { DbHandle } from '../db/database.js';
import type { MirrorRow } from '../db/schema/index.js';
import type { GitEngine, GitRemote } from '../git/git.port.js';
import { mirrorCacheDir } from '../git/git-cache.js';
import type { LfsEngine } from '../git/lfs.port.js';
import type { HistoryService } from '../history/history.service.js';
import { readOptions } from '../mirrors/mirror-control.repo.js';
import { switchOn } from '../mirrors/mirror-options.js';
import { recordOneDevProject } from '../mirrors/mirrors.repo.js';
import type { OneDevApi } from '../onedev/onedev.port.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { QuickRetryEvent } from '../shared/quick-retry.js';
import type { LfsStepDeps } from '../sync/lfs-step.js';
import type { MirrorGuard } from '../sync/mirror-guard.js';
import type { SyncPhase } from '../sync/run.js';
import type { SyncExecutor } from '../sync/sync.worker.js';
import { createSyncCalls } from '../sync/sync-calls.js';
import { type SyncResult, syncMirror } from '../sync/sync-mirror.js';
import { followWiki } from '../sync/wiki.js';

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
  /** Puts the mirror guard on each synced project (a no-op when ONEDEV_GUARD=off). */
  guard?: MirrorGuard;
  /**
   * LFS mirroring: `enabled` is MIRROR_LFS, which a mirror's own setting overrides; it also needs
   * git-lfs installed.
   */
  lfs: { engine: LfsEngine; enabled: boolean; maxBytes?: number };
  /** Records the tips each push keeps. */
  history: Pick<HistoryService, 'record'>;
  /** MIRROR_WIKIS: follow each repository's GitHub wiki into a child project (a mirror's own `wiki` option overrides it). */
  wikis: boolean;
  log: Logger;
}

/** Bundles of kept tips, when OneDev refuses history refs: under DATA_DIR, by GitHub id. */
export function historyBundleDir(dataDir: string, githubId: number): string {
  return join(dataDir, 'history', String(githubId));
}

/** The real sync (git binary + OneDev REST) the workers and `starbridge sync` run. */
export function createSyncExecutor(ports: SyncExecutorPorts): SyncExecutor {
  const lfsStep = lfsWhenInstalled(ports.lfs, ports.clock);
  return async (mirror, signal, onPhase, onQuickRetry) => {
    // The mirror's own options (its `lfs` and `wiki` switches) over MIRROR_LFS and MIRROR_WIKIS.
    const options = await readOptions(ports.handle.db, mirror.github_id);
    const lfs = switchOn(options, 'lfs', ports.lfs.enabled) ? await lfsStep() : undefined;
    const result = await syncRepository(ports, mirror, signal, onPhase, onQuickRetry, lfs);
    // After the sync, so the guard never delays or fails it; it answers for itself in health.
    await ports.guard?.protect(
      { projectId: result.onedev.projectId, path: result.onedev.path },
      signal,
    );
    if (switchOn(options, 'wiki', ports.wikis))
      await syncWikiOf(ports, mirror, result, signal, onQuickRetry);
    return result;
  };
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

/** MIRROR_WIKIS or the mirror's `wiki` option: the repository's wiki follows into `<project>/wiki` after each sync. */
async function syncWikiOf(
  ports: SyncExecutorPorts,
  mirror: MirrorRow,
  result: SyncResult,
  signal: AbortSignal,
  onQuickRetry: ((event: QuickRetryEvent) => void) | undefined,
): Promise<void> {
  const authorization = await ports.authorizationFor(mirror);
  const calls = createSyncCalls(
    { git: ports.git, onedev: ports.onedev, onQuickRetry, quickRetries: ports.quickRetries },
    signal,
  );
  const wikiId = `${mirror.github_id}.wiki`;
  await followWiki(
    mirror,
    result,
    {
      db: ports.handle.db,
      clock: ports.clock,
      log: ports.log,
      wiki: {
        git: ports.git,
        onedev: ports.onedev,
        githubGitUrl: ports.githubGitUrl,
        now: () => ports.clock.now(),
      },
      calls,
      authorization,
      cacheDir: join(ports.dataDir, 'cache', `${wikiId}.git`),
      bundleDir: join(ports.dataDir, 'history', wikiId),
      onHistory: (snapshots, projectPath) =>
        ports.history.record(
          {
            githubId: mirror.github_id,
            fullName: `${mirror.full_name} (wiki)`,
            defaultBranch: null,
          },
          projectPath,
          snapshots,
        ),
    },
    signal,
  );
}

function syncRepository(
  ports: SyncExecutorPorts,
  mirror: MirrorRow,
  signal: AbortSignal,
  onPhase: ((phase: SyncPhase) => void) | undefined,
  onQuickRetry: ((event: QuickRetryEvent) => void) | undefined,
  lfs: LfsStepDeps | undefined,
): Promise<SyncResult> {
  return syncMirror(
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
      lfs,
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
