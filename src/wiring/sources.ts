import type { GitHubClient } from '../github/github.client.js';
import { createRepoCheck } from '../sources/repo-check.js';
import { createGitHubSources, type GitHubSourcesDeps } from '../sources/sources.service.js';

export interface SourcesWiringDeps extends GitHubSourcesDeps {
  /** The REST client the repository check asks whether a repository moved or went away. */
  githubApi: GitHubClient;
}

/**
 * The GitHub sources with the repository check behind them: when git says a repository is
 * gone, or a sync failed for good, the API is asked whether it moved or was deleted.
 */
export function wireSources(deps: SourcesWiringDeps) {
  const sources = createGitHubSources(deps);
  const repoCheck = createRepoCheck({
    ...deps,
    github: deps.githubApi,
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

export type SourcesFeature = ReturnType<typeof wireSources>;
