import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { DbHandle } from '../db/database.js';
import type { MirrorRow } from '../db/schema/index.js';
import { createGitEngine } from '../git/git.adapter.js';
import { mirrorCacheDir } from '../git/git-cache.js';
import { recordOneDevProject } from '../mirrors/mirrors.repo.js';
import { createOneDevClient } from '../onedev/onedev.client.js';
import type { OneDevApi } from '../onedev/onedev.port.js';
import type { Clock } from '../shared/clock.js';
import type { Redactor } from '../shared/redact.js';
import type { SyncExecutor } from './sync.worker.js';
import { syncMirror } from './sync-mirror.js';

export interface SyncEngine {
  execute: SyncExecutor;
  onedev: OneDevApi;
}

/**
 * Builds the real sync executor (git binary + OneDev REST) from configuration, for the
 * service's workers and the CLI's foreground sync. Undefined when OneDev is not configured.
 */
export function createSyncEngine(
  config: Config,
  db: DbHandle,
  clock: Clock,
  redactor: Redactor,
  /** Per-mirror GitHub credential (App installations); the PAT for every mirror otherwise. */
  authorizationFor?: (mirror: MirrorRow) => Promise<string | undefined>,
): SyncEngine | undefined {
  const onedevConfig = config.onedev;
  if (!onedevConfig) return undefined;
  const onedev = createOneDevClient({ baseUrl: onedevConfig.url, token: onedevConfig.token });
  const git = createGitEngine({
    homeDir: join(config.dataDir, 'git-home'),
    // http only when an operator configured an http base URL (tests, a LAN OneDev).
    allowHttp: config.github.gitUrl.startsWith('http:') || onedevConfig.url.startsWith('http:'),
    redactor,
  });
  const token = config.github.token;
  const githubAuthorization = token
    ? async () => `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`
    : undefined;
  const execute: SyncExecutor = (mirror, signal, onPhase, onQuickRetry) =>
    syncMirror(
      mirror,
      {
        git,
        onedev,
        githubGitUrl: config.github.gitUrl,
        githubAuthorization: authorizationFor
          ? () => authorizationFor(mirror)
          : githubAuthorization,
        onedevRoot: onedevConfig.rootProject,
        cacheDir: (githubId) => mirrorCacheDir(config.dataDir, githubId),
        onProject: (project) =>
          recordOneDevProject(db.db, mirror.github_id, project, clock.now().toISOString()),
        onPhase,
        onQuickRetry,
        quickRetries: config.sync.quickRetries,
      },
      signal,
    );
  return { execute, onedev };
}
