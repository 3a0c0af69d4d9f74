import type { GitHubClient } from '../github/github.client.js';
import { createRepoCheck, type RepoCheck } from '../sources/repo-check.js';
import {
  createGitHubSources,
  type GitHubSources,
  type GitHubSourcesDeps,
} from '../sources/sources.service.js';

const SUCCEEDED = new Set(['synced', 'unchanged', 'empty']);

export interface SourcesWiringDeps extends GitHubSourcesDeps {
  /** The REST client the repository check asks whether a repository moved or went away. */
  githubApi: GitHubClient;
  /** Whether a mirror fetches with an SSH deploy key (the API may not see its repository). */
  usesDeployKey?: (githubId: number) => Promise<boolean>;
}

/** The GitHub sources as the service uses them: with the API check behind missing repositories. */
export interface SourcesFeature extends GitHubSources {
  /** Asks the API whether a mirrored repository moved or went away, and acts on the answer. */
  checkRepository: RepoCheck['check'];
  /** A sync that failed for good may mean the repository moved or went away. */
  onSyncFinished(event: { githubId: number; result: string }): void;
}

/**
 * The GitHub sources with the repository check behind them: when git says a repository is
 * gone, or a sync failed for good, the API is asked whether it moved or was deleted.
 */
export function wireSources(deps: SourcesWiringDeps): SourcesFeature {
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
  sources.onGoneCheck(async (githubId) => (await repoCheck.check(githubId)) === 'gone');
  return {
    ...sources,
    checkRepository: repoCheck.check,
    /** A sync that failed for good may mean the repository moved or went away: ask the API. */
    onSyncFinished: (event: { githubId: number; result: string }) => {
      if (event.result === 'failed') void check(event.githubId);
      // Any sync that left the mirror up to date counts as a visit that found a change.
      if (SUCCEEDED.has(event.result)) {
        void sources.refresh?.synced(event.githubId).catch((error: unknown) => {
          deps.log.warn({ err: error, githubId: event.githubId }, 'refresh schedule not updated');
        });
      }
    },
  };
}
