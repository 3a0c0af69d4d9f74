import { createAppAuth } from '@octokit/auth-app';
import type { Logger } from '../shared/logger.js';
import {
  createOctokit,
  type GitHubApiObserver,
  type GitHubOctokit,
  onApiOrigin,
  parseLink,
} from './github-api.js';
import { repoNameProblem } from './repo-name.js';
import { installationItem, installationRepositoriesPage, repoItem } from './rest-shapes.js';
import { type ListedRepo, PER_PAGE, pagesAddUp, toListed } from './stars.api.js';

export interface Installation {
  id: number;
  account: string;
}

/** A listing and whether it is the whole list (every page arrived and they add up). */
export interface Paged<T> {
  items: T[];
  complete: boolean;
}

/** GitHub App mode: the App's installations, their repositories, and their tokens. */
export interface AppApi {
  /** The App's own JWT (RS256, signed with the configured key). */
  jwt(): Promise<string>;
  /** An installation's token, cached until shortly before it expires. */
  installationToken(installationId: number): Promise<string>;
  /** `GET /app/installations`, every page. */
  listInstallations(): Promise<Paged<Installation>>;
  /** `GET /installation/repositories` of one installation, every page. */
  listRepositories(installationId: number): Promise<Paged<ListedRepo>>;
}

export interface AppApiOptions {
  apiUrl: string;
  appId: string;
  privateKey: string;
  fetch?: typeof fetch;
  log: Logger;
  observer?: GitHubApiObserver;
}

/**
 * GitHub App mode. `@octokit/auth-app` signs the App JWT (RS256, with the configured key)
 * and mints installation tokens, caching each until shortly before it expires; the same
 * cached token serves the API and git (`x-access-token`).
 */
export function createAppApi(options: AppApiOptions): AppApi {
  const base = {
    apiUrl: options.apiUrl,
    fetch: options.fetch,
    log: options.log,
    observer: options.observer,
  };
  // Token minting goes through a throttled client on the configured API URL too.
  const auth = createAppAuth({
    appId: options.appId,
    privateKey: options.privateKey,
    request: createOctokit(base).request,
  });

  async function jwt(): Promise<string> {
    return (await auth({ type: 'app' })).token;
  }

  async function installationToken(installationId: number): Promise<string> {
    return (await auth({ type: 'installation', installationId })).token;
  }

  /** `GET /app/installations`, every page, authenticated with the App JWT. */
  async function listInstallations(): Promise<Paged<Installation>> {
    const octokit = createOctokit({ ...base, auth: await jwt() });
    const walked = await walkPages(octokit, 'GET /app/installations', options.apiUrl, (data) => {
      if (!Array.isArray(data)) throw new Error('unexpected installations listing');
      return data;
    });
    const items = walked.raw.map((raw) => {
      const item = installationItem.parse(raw);
      return { id: item.id, account: item.account?.login ?? String(item.id) };
    });
    return { items, complete: walked.complete };
  }

  /**
   * `GET /installation/repositories`, every page, with the installation's token. Complete
   * only when the pages add up and hold as many repositories as `total_count` says.
   */
  async function listRepositories(installationId: number): Promise<Paged<ListedRepo>> {
    const octokit = createOctokit({ ...base, auth: await installationToken(installationId) });
    let total: number | undefined;
    const walked = await walkPages(
      octokit,
      'GET /installation/repositories',
      options.apiUrl,
      (data) => {
        const page = installationRepositoriesPage.safeParse(data);
        if (!page.success) throw new Error('unexpected installation listing');
        total ??= page.data.total_count;
        return page.data.repositories;
      },
    );
    const items: ListedRepo[] = [];
    for (const raw of walked.raw) {
      const repo = repoItem.parse(raw);
      if (!repoNameProblem(repo.owner.login, repo.name)) items.push(toListed(repo, null));
    }
    const complete = walked.complete && (total === undefined || total === walked.raw.length);
    if (!complete) {
      options.log.warn(
        { installationId, listed: walked.raw.length, total },
        'installation listing inconsistent; nothing is released from it',
      );
    }
    return { items, complete };
  }

  return { jwt, installationToken, listInstallations, listRepositories };
}

/**
 * Every page of a listing, following `Link: rel="next"` on the API's own origin only. Not
 * complete when a page before the last is short or fewer pages came than `rel="last"` said.
 */
async function walkPages(
  octokit: GitHubOctokit,
  route: string,
  apiUrl: string,
  read: (data: unknown) => unknown[],
): Promise<{ raw: unknown[]; complete: boolean }> {
  const raw: unknown[] = [];
  const pageSizes: number[] = [];
  let url: string | undefined = route;
  let lastPage: number | undefined;
  while (url) {
    const response: { data: unknown; headers: Record<string, unknown> } = await octokit.request(
      url,
      pageSizes.length === 0 ? { per_page: PER_PAGE } : {},
    );
    const items = read(response.data);
    raw.push(...items);
    const link = parseLink(response.headers.link as string | undefined);
    if (pageSizes.length === 0 && link.last) {
      const page = Number(new URL(link.last).searchParams.get('page'));
      lastPage = Number.isFinite(page) ? page : undefined;
    }
    pageSizes.push(items.length);
    url = link.next ? `GET ${onApiOrigin(link.next, apiUrl)}` : undefined;
  }
  return { raw, complete: pagesAddUp(pageSizes, lastPage) };
}
