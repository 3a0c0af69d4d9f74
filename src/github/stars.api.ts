import type { z } from 'zod';
import { UpstreamError } from '../shared/upstream-error.js';
import { type GitHubOctokit, onApiOrigin, parseLink, statusOf } from './github-api.js';
import { repoNameProblem } from './repo-name.js';
import { type repoItem, starItem, userBody } from './rest-shapes.js';

/** One repository of a listing (stars or an installation), as the planner needs it. */
export interface ListedRepo {
  githubId: number;
  owner: string;
  name: string;
  private: boolean;
  defaultBranch: string | null;
  archived: boolean;
  starredAt: string | null;
}

/** Whose stars: `own` uses `GET /user/starred` (private stars included). */
export interface StarsTarget {
  user: string;
  own: boolean;
}

export type StarsPage =
  | { notModified: true }
  | { notModified: false; items: ListedRepo[]; etag?: string; next?: string; lastPage?: number };

export const PER_PAGE = 100;

/**
 * Whether the pages of a listing add up to the whole list: every page before the last is
 * full, and as many pages came as the first page's `rel="last"` said (when it said).
 */
export function pagesAddUp(pageSizes: number[], lastPage: number | undefined): boolean {
  const shortBeforeLast = pageSizes.slice(0, -1).some((size) => size !== PER_PAGE);
  return !shortBeforeLast && (lastPage === undefined || pageSizes.length === lastPage);
}
const STAR_JSON = 'application/vnd.github.star+json';

export function toListed(repo: z.infer<typeof repoItem>, starredAt: string | null): ListedRepo {
  return {
    githubId: repo.id,
    owner: repo.owner.login,
    name: repo.name,
    private: repo.private ?? false,
    defaultBranch: repo.default_branch ?? null,
    archived: repo.archived ?? false,
    starredAt,
  };
}

/**
 * One page of the star list, newest star first. `url` is a `Link: rel="next"` from a
 * previous page (followed only on the API's own origin: the token goes with it); without
 * it, page 1, sent with `If-None-Match` when an ETag is known — a 304 costs no quota.
 */
export async function fetchStarsPage(
  octokit: GitHubOctokit,
  target: StarsTarget,
  options: { url?: string; etag?: string; apiUrl: string },
): Promise<StarsPage> {
  const headers: Record<string, string> = { accept: STAR_JSON };
  if (options.etag && !options.url) headers['if-none-match'] = options.etag;
  let response: Awaited<ReturnType<GitHubOctokit['request']>>;
  try {
    if (options.url) {
      response = await octokit.request(`GET ${onApiOrigin(options.url, options.apiUrl)}`, {
        headers,
      });
    } else {
      const route = target.own ? 'GET /user/starred' : 'GET /users/{username}/starred';
      response = await octokit.request(route, {
        username: target.user,
        per_page: PER_PAGE,
        sort: 'created',
        direction: 'desc',
        headers,
      });
    }
  } catch (error) {
    if (statusOf(error) === 304) return { notModified: true };
    throw error;
  }
  const link = parseLink(response.headers.link as string | undefined);
  const lastPage = link.last ? Number(new URL(link.last).searchParams.get('page')) : undefined;
  return {
    notModified: false,
    items: parseStars(response.data),
    etag: response.headers.etag as string | undefined,
    next: link.next,
    lastPage: Number.isFinite(lastPage) ? lastPage : undefined,
  };
}

/**
 * Items GitHub sent in the star+json shape. An item whose name we would refuse anyway is
 * dropped, but a body that is not a list at all fails the page (and so the listing).
 */
function parseStars(data: unknown): ListedRepo[] {
  if (!Array.isArray(data)) {
    throw new UpstreamError('github_bad_response', 'GitHub sent a star list that is not a list', {
      retryable: true,
    });
  }
  const out: ListedRepo[] = [];
  for (const raw of data) {
    const parsed = starItem.safeParse(raw);
    if (!parsed.success) {
      throw new UpstreamError('github_bad_response', 'GitHub sent a star item we cannot read', {
        retryable: true,
      });
    }
    const { repo, starred_at } = parsed.data;
    if (repoNameProblem(repo.owner.login, repo.name)) continue;
    out.push(toListed(repo, starred_at ?? null));
  }
  return out;
}

/** `GET /user/starred/{owner}/{repo}`: 204 starred, 404 not. A cheap check before acting on an unstar. */
export async function isStarred(octokit: GitHubOctokit, owner: string, name: string) {
  try {
    await octokit.request('GET /user/starred/{owner}/{repo}', { owner, repo: name });
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

/** The login of the token's user (`GET /user`). */
export async function tokenLogin(octokit: GitHubOctokit): Promise<string> {
  const response = await octokit.request('GET /user');
  const parsed = userBody.safeParse(response.data);
  if (!parsed.success) {
    throw new UpstreamError('github_bad_response', 'GitHub sent a user we cannot read', {
      retryable: true,
    });
  }
  return parsed.data.login;
}
