import type { GitHubClient } from '../github/github.client.js';
import type { MirrorService } from '../mirrors/mirror.service.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { UpstreamError } from '../shared/upstream-error.js';
import type { Renames } from './renames.js';

export type RepoCheckResult = 'renamed' | 'gone' | 'paused' | 'unchanged' | 'skipped';

/** Asks GitHub's API about one mirrored repository that git could not find. */
export interface RepoCheck {
  /**
   * Follows a rename, marks a repository GitHub answers 404 or 451 for as `source gone`, pauses
   * one whose name now belongs to another repository, or says nothing changed (`skipped`: the
   * token is rejected, so nothing could be learnt).
   */
  check(githubId: number): Promise<RepoCheckResult>;
}

/**
 * Asks the API about one mirrored repository when git says it is gone or a sync failed
 * for good: `GET /repos/{owner}/{name}` answers a renamed or transferred repository with
 * a 301 to its id, which the client follows — so the new name arrives here; a 404 or 451
 * (deleted, blocked, or turned private out of the token's sight) marks the mirror `source
 * gone` with the reason and keeps the OneDev project, whatever the unstar policy. While GitHub rejects the
 * token, no check is sent (a failed sync per repository would otherwise send one each).
 */
export function createRepoCheck(deps: {
  clock: Clock;
  log: Logger;
  mirrors: Pick<MirrorService, 'findRow' | 'pause' | 'markSourceGone' | 'setArchived'>;
  github: Pick<GitHubClient, 'getRepository'>;
  renames: Renames;
  /** GitHub rejected the token: no check is sent with it. */
  tokenRejected: () => boolean;
  /** A check answered 401: the poller pauses and alerts once. */
  onTokenRejected: () => Promise<void>;
  /** Whether the mirror fetches over SSH with a deploy key (then a 404 does not mean gone). */
  usesDeployKey?: (githubId: number) => Promise<boolean>;
}): RepoCheck {
  const log = deps.log.child({ component: 'repo-check' });

  async function check(githubId: number): Promise<RepoCheckResult> {
    if (deps.tokenRejected()) return 'skipped';
    const row = await deps.mirrors.findRow(githubId);
    if (!row) return 'unchanged';
    let repo: Awaited<ReturnType<GitHubClient['getRepository']>>;
    try {
      repo = await deps.github.getRepository(row.owner, row.name);
    } catch (error) {
      if (error instanceof UpstreamError && error.reason === 'github_auth') {
        await deps.onTokenRejected();
        return 'skipped';
      }
      if (!(error instanceof UpstreamError) || error.reason !== 'github_not_found') throw error;
      // A deploy key reads one private repository the token may not see at all
      // (docs/reference/github.md#deploy-keys): the API's 404 says nothing about it then.
      if (await deps.usesDeployKey?.(githubId)) return 'unchanged';
      const legal = /451/.test(error.message) ? ' (HTTP 451: unavailable for legal reasons)' : '';
      const reason = `${row.full_name} is gone from GitHub (deleted, or no longer visible to the token)${legal}; the OneDev project is kept`;
      await deps.mirrors.markSourceGone(githubId, reason);
      log.warn({ repo: row.full_name }, 'repository gone upstream; mirror kept as source gone');
      return 'gone';
    }
    if (repo.githubId !== githubId) {
      // The old name was taken by a new repository: GitHub's redirect is gone.
      const reason = `${row.full_name} now names another GitHub repository (id ${repo.githubId}); the original was renamed or deleted`;
      await deps.mirrors.pause(githubId, reason);
      return 'paused';
    }
    await deps.mirrors.setArchived(githubId, repo.archived);
    if (!(await deps.renames.rename(githubId, repo.owner, repo.name))) return 'unchanged';
    await deps.renames.processPending();
    return 'renamed';
  }

  return { check };
}
