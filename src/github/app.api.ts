import { createAppAuth } from '@octokit/auth-app';
import type { Logger } from '../shared/logger.js';
import { createOctokit, type GitHubApiObserver, parseLink } from './github-api.js';
import { repoNameProblem } from './repo-name.js';
import { type ListedRepo, repoItem, toListed } from './stars.api.js';

export interface Installation {
  id: number;
  account: string;
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
export function createAppApi(options: AppApiOptions) {
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
  async function listInstallations(): Promise<Installation[]> {
    const octokit = createOctokit({ ...base, auth: await jwt() });
    const out: Installation[] = [];
    let url: string | undefined = 'GET /app/installations';
    while (url) {
      const response: { data: unknown; headers: Record<string, unknown> } = await octokit.request(
        url,
        { per_page: 100 },
      );
      for (const item of response.data as Array<{ id: number; account?: { login?: string } }>) {
        out.push({ id: item.id, account: item.account?.login ?? String(item.id) });
      }
      const next: string | undefined = parseLink(response.headers.link as string | undefined).next;
      url = next ? `GET ${next}` : undefined;
    }
    return out;
  }

  /** `GET /installation/repositories`, every page, with the installation's token. */
  async function listRepositories(installationId: number): Promise<ListedRepo[]> {
    const octokit = createOctokit({ ...base, auth: await installationToken(installationId) });
    const out: ListedRepo[] = [];
    let url: string | undefined = 'GET /installation/repositories';
    while (url) {
      const response: { data: unknown; headers: Record<string, unknown> } = await octokit.request(
        url,
        { per_page: 100 },
      );
      const body = response.data as { repositories?: unknown[] };
      if (!Array.isArray(body.repositories)) throw new Error('unexpected installation listing');
      for (const raw of body.repositories) {
        const repo = repoItem.parse(raw);
        if (!repoNameProblem(repo.owner.login, repo.name)) out.push(toListed(repo, null));
      }
      const next: string | undefined = parseLink(response.headers.link as string | undefined).next;
      url = next ? `GET ${next}` : undefined;
    }
    return out;
  }

  return { jwt, installationToken, listInstallations, listRepositories };
}

export type AppApi = ReturnType<typeof createAppApi>;
