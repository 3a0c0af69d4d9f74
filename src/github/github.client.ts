import { z } from 'zod';
import { ValidationError } from '../shared/errors.js';
import { UpstreamError } from '../shared/upstream-error.js';
import { githubHttpError, githubNetworkError } from './github-errors.js';
import { repoNameProblem } from './repo-name.js';

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
}

const MAX_REDIRECTS = 3;

const repositoryBody = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  owner: z.object({ login: z.string() }),
  private: z.boolean(),
  default_branch: z.string().nullish(),
  archived: z.boolean().optional(),
});

/** GitHub's REST API over an injected fetch. Errors are UpstreamErrors that say whether to retry. */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const now = options.now ?? Date.now;
  const base = new URL(`${options.apiUrl.replace(/\/+$/, '')}/`);
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'user-agent': 'starbridge',
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  };

  /**
   * One GET; a redirect is followed only while it stays on the configured API origin
   * (docs/reference/bad-inputs.md#r07).
   */
  async function get(
    path: string,
    what: string,
    repo: string,
    signal?: AbortSignal,
  ): Promise<unknown> {
    let url = new URL(path, base);
    for (let hop = 0; ; hop++) {
      const response = await send(url, what, signal);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        const next = new URL(location, url);
        if (next.origin !== base.origin || hop >= MAX_REDIRECTS) {
          throw new UpstreamError(
            'github_redirect',
            `GitHub redirected ${what} to ${next.origin === base.origin ? 'too many places' : 'another host'}; not followed`,
            { retryable: false },
          );
        }
        url = next;
        continue;
      }
      const text = await response.text().catch(() => '');
      const body = parseJson(text);
      if (response.status !== 200) {
        const message =
          typeof (body as { message?: unknown })?.message === 'string'
            ? (body as { message: string }).message
            : undefined;
        throw githubHttpError(
          { status: response.status, headers: response.headers, message },
          what,
          repo,
          now(),
        );
      }
      return body;
    }
  }

  /**
   * One request. A GET is idempotent, so a connection that fails before any answer (most
   * often a pooled keep-alive socket the server had just closed: ECONNRESET) is tried once
   * more at once; anything longer is the caller's retry.
   */
  async function send(url: URL, what: string, signal?: AbortSignal): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        return await fetchImpl(url, {
          headers,
          // Never let fetch carry the token to wherever a Location points.
          redirect: 'manual',
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (error) {
        if (signal?.aborted) throw error;
        if (timeout.aborted || attempt >= 2) throw githubNetworkError(error, what, timeout.aborted);
      }
    }
  }

  return {
    async getRepository(owner, name, signal) {
      const problem = repoNameProblem(owner, name);
      if (problem) throw new ValidationError(problem);
      const repo = `${owner}/${name}`;
      const what = `looking up ${repo}`;
      const body = await get(
        `repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`,
        what,
        repo,
        signal,
      );
      const parsed = repositoryBody.safeParse(body);
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
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
