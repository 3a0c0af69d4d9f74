import { UpstreamError } from '../shared/upstream-error.js';
import { type GitHubOctokit, onApiOrigin, parseLink, statusOf } from './github-api.js';
import { repoNameProblem } from './repo-name.js';
import { pushedItem } from './rest-shapes.js';

/** A starred repository and when it was last pushed to. */
export interface PushedRepo {
  githubId: number;
  nodeId: string | null;
  owner: string;
  name: string;
  pushedAt: string | null;
}

export type PushedPage =
  | { notModified: true }
  | { notModified: false; items: PushedRepo[]; etag?: string; next?: string };

/**
 * One page of the token user's stars, most recently pushed first
 * (`sort=updated&direction=desc`). Page 1 goes with `If-None-Match` when an ETag is known:
 * a 304 means nothing was pushed since, and costs no quota. `url` is a previous page's
 * `Link: rel="next"`, followed only on the API's origin (the token goes with it).
 */
export async function fetchPushedPage(
  octokit: GitHubOctokit,
  options: { url?: string; etag?: string; apiUrl: string },
): Promise<PushedPage> {
  const headers: Record<string, string> = { accept: 'application/vnd.github+json' };
  if (options.etag && !options.url) headers['if-none-match'] = options.etag;
  let response: Awaited<ReturnType<GitHubOctokit['request']>>;
  try {
    response = options.url
      ? await octokit.request(`GET ${onApiOrigin(options.url, options.apiUrl)}`, { headers })
      : await octokit.request('GET /user/starred', {
          sort: 'updated',
          direction: 'desc',
          per_page: 100,
          headers,
        });
  } catch (error) {
    if (statusOf(error) === 304) return { notModified: true };
    throw error;
  }
  if (!Array.isArray(response.data)) throw badAnswer('a star list that is not a list');
  const items: PushedRepo[] = [];
  for (const raw of response.data) {
    const parsed = pushedItem.safeParse(raw);
    if (!parsed.success) throw badAnswer('a star item we cannot read');
    const repo = parsed.data;
    if (repoNameProblem(repo.owner.login, repo.name)) continue;
    items.push({
      githubId: repo.id,
      nodeId: repo.node_id ?? null,
      owner: repo.owner.login,
      name: repo.name,
      pushedAt: repo.pushed_at ?? null,
    });
  }
  return {
    notModified: false,
    items,
    etag: response.headers.etag as string | undefined,
    next: parseLink(response.headers.link as string | undefined).next,
  };
}

function badAnswer(what: string): UpstreamError {
  return new UpstreamError('github_bad_response', `GitHub sent ${what}`, { retryable: true });
}
