import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { DbHandle } from '../db/database.js';
import { createGitEngine } from '../git/git.adapter.js';
import type { GitHubCredentials } from '../github/credentials.js';
import { createGitHubClient } from '../github/github.client.js';
import type { MirrorService } from '../mirrors/mirror.service.js';
import { createOneDevClient } from '../onedev/onedev.client.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Redactor } from '../shared/redact.js';
import { createRepoCheck } from './repo-check.js';
import { createGitHubSources } from './sources.service.js';

/**
 * Builds the GitHub sources from configuration for the service: its own OneDev client
 * (renames need the project editor) and git engine (refresh needs `ls-remote`).
 */
export function createSourcesFeature(
  config: Config,
  deps: {
    handle: DbHandle;
    clock: Clock;
    log: Logger;
    mirrors: MirrorService;
    credentials: GitHubCredentials;
    redactor: Redactor;
    fetch?: typeof fetch;
    owner?: string;
    checkEveryMs?: number;
  },
) {
  const onedev = config.onedev
    ? createOneDevClient({
        baseUrl: config.onedev.url,
        token: config.onedev.token,
        fetch: deps.fetch,
      })
    : undefined;
  const git = createGitEngine({
    homeDir: join(config.dataDir, 'git-home'),
    allowHttp: config.github.gitUrl.startsWith('http:'),
    redactor: deps.redactor,
  });
  const sources = createGitHubSources({ ...deps, config, git, onedev });
  const github = createGitHubClient({
    apiUrl: config.github.apiUrl,
    token: config.github.token,
    fetch: deps.fetch,
  });
  const repoCheck = createRepoCheck({
    ...deps,
    github,
    renames: sources.renames,
    tokenRejected: deps.credentials.pat.isRejected,
    onTokenRejected: sources.poller.tokenRejected,
  });
  const check = async (githubId: number): Promise<void> => {
    await repoCheck.check(githubId).catch((error: unknown) => {
      deps.log.warn({ err: error, githubId }, 'repository check failed');
    });
  };
  sources.onMissing(check);
  return {
    ...sources,
    checkRepository: repoCheck.check,
    /** A sync that failed for good may mean the repository moved or went away: ask the API. */
    onSyncFinished: (event: { githubId: number; result: string }) => {
      if (event.result === 'failed') void check(event.githubId);
    },
  };
}

export type SourcesFeature = ReturnType<typeof createSourcesFeature>;
