import { ValidationError } from '../shared/errors.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { UpstreamError } from '../shared/upstream-error.js';
import { createOctokit, type GitHubApiObserver } from './github-api.js';
import { githubRequestError } from './github-errors.js';
import { repoNameProblem } from './repo-name.js';
import { repositoryBody } from './rest-shapes.js';
import { checkGitHubToken, type GitHubTokenCheck } from './token-check.js';

export type { GitHubTokenCheck } from './token-check.js';

/** What Starbridge needs to know of a GitHub repository to mirror it. */
export interface GitHubRepository {
  /** GitHub's numeric id: survives renames and transfers. */
  githubId: number;
  owner: string;
  name: string;
  private: boolean;
  defaultBranch: string | null;
  archived: boolean;
}

export interface GitHubClient {
  /** `GET /repos/{owner}/{repo}`; follows a rename (301) on the same host only. */
  getRepository(owner: string, name: string, signal?: AbortSignal): Promise<GitHubRepository>;
  /** Who the token belongs to and what it may do (`GET /user`, `GET /user/starred`). */
  checkToken(): Promise<GitHubTokenCheck>;
  /**
   * `GET /rate_limit`, which costs no quota and answers even when it is used up
   * (docs/reference/github.md#rate-limits): resolves when GitHub's API answers.
   */
  ping(): Promise<void>;
}

export interface GitHubClientOptions {
  /** REST base, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`. */
  apiUrl: string;
  token?: string;
  fetch?: typeof fetch;
  /** Per request. */
  timeoutMs?: number;
  /** For rate-limit reset arithmetic; tests pin it. */
  now?: () => number;
  /** Where Octokit's warnings go; silent otherwise. */
  log?: Logger;
  /** Told about the rate limit and the token's expiry from every answer. */
  observer?: GitHubApiObserver;
}

/**
 * The one-off lookups (manual adds, rename checks, the token check) on the shared
 * Octokit transport. A rate limit is never waited out here: the caller gets a retryable
 * `github_rate_limited` at once and its own schedule decides. Errors are UpstreamErrors
 * that say whether to retry.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const now = options.now ?? Date.now;
  const octokit = createOctokit({
    apiUrl: options.apiUrl,
    auth: options.token,
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    log: options.log ?? createLogger({ level: 'silent' }),
    observer: options.observer,
    maxWaitSeconds: 0,
  });

  return {
    async getRepository(owner, name, signal) {
      const problem = repoNameProblem(owner, name);
      if (problem) throw new ValidationError(problem);
      const repo = `${owner}/${name}`;
      const what = `looking up ${repo}`;
      let data: unknown;
      try {
        const response = await octokit.request('GET /repos/{owner}/{repo}', {
          owner,
          repo: name,
          request: signal ? { signal } : {},
        });
        data = response.data;
      } catch (error) {
        throw githubRequestError(error, what, repo, now());
      }
      const parsed = repositoryBody.safeParse(data);
      if (!parsed.success) {
        throw new UpstreamError(
          'github_bad_response',
          `unexpected answer from GitHub while ${what}`,
          { retryable: false },
        );
      }
      const r = parsed.data;
      return {
        githubId: r.id,
        owner: r.owner.login,
        name: r.name,
        private: r.private,
        defaultBranch: r.default_branch ?? null,
        archived: r.archived ?? false,
      };
    },
    checkToken: () => checkGitHubToken(octokit),
    async ping() {
      try {
        await octokit.request('GET /rate_limit');
      } catch (error) {
        throw githubRequestError(error, 'checking that GitHub answers', '', now());
      }
    },
  };
}
