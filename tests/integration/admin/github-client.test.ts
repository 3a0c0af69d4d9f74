import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../../src/github/github.client.js';
import { ValidationError } from '../../../src/shared/errors.js';
import { UpstreamError } from '../../../src/shared/upstream-error.js';
import { type GitHubDouble, startGitHubDouble } from '../../support/github-double/index.js';

const TOKEN = 'ghp_secret_token_for_tests_0123456789';

/** The error a promise rejects with, asserted to be an UpstreamError. */
async function upstreamFailure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  expect((error as Error).message).not.toContain(TOKEN);
  return error as UpstreamError;
}

/** A fetch that answers from a list, recording each URL. */
function scripted(answers: Array<() => Response>) {
  const urls: string[] = [];
  const fetchImpl = (async (input: Parameters<typeof fetch>[0]) => {
    urls.push(String(input));
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    return next();
  }) as typeof fetch;
  return { fetch: fetchImpl, urls };
}

describe('GitHub client against the GitHub double', () => {
  let github: GitHubDouble;
  beforeAll(async () => {
    github = await startGitHubDouble({ tokens: { [TOKEN]: 'operator' } });
    github.addRepo({ owner: 'octocat', name: 'Hello-World', id: 1296269, defaultBranch: 'master' });
    github.addRepo({
      owner: 'acme',
      name: 'private-thing',
      id: 77,
      private: true,
      defaultBranch: 'trunk',
      archived: true,
    });
    github.addRepo({ owner: 'octocat', name: 'old-name', id: 555 });
    github.rename('octocat/old-name', 'new-name');
  });
  afterAll(async () => github.close());
  beforeEach(() => {
    github.faults.reset();
    github.clearRequests();
  });

  const client = (options: { token?: string; timeoutMs?: number } = { token: TOKEN }) =>
    createGitHubClient({ apiUrl: github.url, token: options.token, timeoutMs: options.timeoutMs });

  it('reads a repository: id, owner, name, privacy, default branch, archived', async () => {
    expect(await client().getRepository('OCTOCAT', 'hello-world')).toEqual({
      githubId: 1296269,
      owner: 'octocat',
      name: 'Hello-World',
      private: false,
      defaultBranch: 'master',
      archived: false,
    });
    const [request] = github.requests;
    expect(request).toMatchObject({
      method: 'GET',
      path: '/repos/OCTOCAT/hello-world',
      authenticated: true,
      accept: 'application/vnd.github+json',
    });
  });

  it('sends the API version header and the token as a bearer', async () => {
    const seen: Headers[] = [];
    const fetchImpl = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      seen.push(new Headers(init?.headers));
      return fetch(input, init);
    }) as typeof fetch;
    await createGitHubClient({ apiUrl: github.url, token: TOKEN, fetch: fetchImpl }).getRepository(
      'octocat',
      'Hello-World',
    );
    expect(seen[0]?.get('x-github-api-version')).toBe('2026-03-10');
    expect(seen[0]?.get('authorization')).toBe(`Bearer ${TOKEN}`);
    const anonymous: Headers[] = [];
    await createGitHubClient({
      apiUrl: github.url,
      fetch: (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
        anonymous.push(new Headers(init?.headers));
        return fetch(input, init);
      }) as typeof fetch,
    }).getRepository('octocat', 'Hello-World');
    expect(anonymous[0]?.has('authorization')).toBe(false);
  });

  it('sees a private repository with the token; without it, github_not_found (non-retryable)', async () => {
    expect(await client().getRepository('acme', 'private-thing')).toMatchObject({
      githubId: 77,
      private: true,
      archived: true,
      defaultBranch: 'trunk',
    });
    const error = await upstreamFailure(client({}).getRepository('acme', 'private-thing'));
    expect(error).toMatchObject({ reason: 'github_not_found', retryable: false });
    expect(error.message).toBe(
      'repository acme/private-thing not found on GitHub, or private and GITHUB_TOKEN cannot see it',
    );
  });

  it('follows a rename (301 on the same host) to the repository under its new name', async () => {
    expect(await client().getRepository('octocat', 'old-name')).toMatchObject({
      githubId: 555,
      name: 'new-name',
    });
    expect(github.requests.map((r) => r.status)).toEqual([301, 200]);
  });

  it('refuses to follow a redirect to another host, and never sends the token there', async () => {
    const script = scripted([
      () =>
        new Response(null, {
          status: 301,
          headers: { location: 'https://evil.example/repositories/1' },
        }),
    ]);
    const api = createGitHubClient({
      apiUrl: 'https://api.github.com',
      token: TOKEN,
      fetch: script.fetch,
    });
    const error = await upstreamFailure(api.getRepository('octocat', 'moved'));
    expect(error).toMatchObject({ reason: 'github_redirect', retryable: false });
    expect(script.urls).toEqual(['https://api.github.com/repos/octocat/moved']);
  });

  it('keeps a GitHub Enterprise path prefix', async () => {
    const script = scripted([
      () =>
        Response.json({
          id: 1,
          name: 'r',
          owner: { login: 'o' },
          private: false,
          default_branch: 'main',
        }),
    ]);
    await createGitHubClient({
      apiUrl: 'https://ghe.example.com/api/v3/',
      fetch: script.fetch,
    }).getRepository('o', 'r');
    expect(script.urls).toEqual(['https://ghe.example.com/api/v3/repos/o/r']);
  });

  it('maps a bad token to github_auth without echoing it', async () => {
    const error = await upstreamFailure(
      client({ token: `${TOKEN}-revoked` }).getRepository('octocat', 'Hello-World'),
    );
    expect(error).toMatchObject({ reason: 'github_auth', retryable: false });
    expect(error.message).toMatch(/GitHub rejected GITHUB_TOKEN/);
    expect(error.message).not.toContain('revoked');
  });

  it('maps the primary rate limit to a retryable github_rate_limited, waiting until the reset', async () => {
    const now = Date.now();
    github.setRateLimit('operator', { reset: Math.floor(now / 1000) + 120 });
    github.faults.primaryRateLimit(1);
    const api = createGitHubClient({ apiUrl: github.url, token: TOKEN, now: () => now });
    const error = await upstreamFailure(api.getRepository('octocat', 'Hello-World'));
    expect(error).toMatchObject({ reason: 'github_rate_limited', retryable: true });
    expect(error.retryAfterMs).toBeGreaterThan(115_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it.each([403, 429] as const)(
    'maps a secondary rate limit (%i + retry-after) to github_rate_limited',
    async (status) => {
      github.faults.secondaryRateLimit(1, { status, retryAfter: 7 });
      const error = await upstreamFailure(client().getRepository('octocat', 'Hello-World'));
      expect(error).toMatchObject({
        reason: 'github_rate_limited',
        retryable: true,
        retryAfterMs: 7_000,
      });
    },
  );

  it('waits a minute on a secondary limit without retry-after', async () => {
    github.faults.secondaryRateLimit(1, { retryAfter: null });
    const error = await upstreamFailure(client().getRepository('octocat', 'Hello-World'));
    expect(error).toMatchObject({ reason: 'github_rate_limited', retryAfterMs: 60_000 });
  });

  it('maps any other 403 to github_forbidden (non-retryable)', async () => {
    const script = scripted([
      () =>
        Response.json(
          { message: 'Resource not accessible by personal access token' },
          { status: 403 },
        ),
    ]);
    const api = createGitHubClient({
      apiUrl: 'https://api.github.com',
      token: TOKEN,
      fetch: script.fetch,
    });
    const error = await upstreamFailure(api.getRepository('octocat', 'x'));
    expect(error).toMatchObject({ reason: 'github_forbidden', retryable: false });
    expect(error.message).toMatch(/Resource not accessible/);
  });

  it('maps 451 to github_not_found', async () => {
    const script = scripted([
      () => Response.json({ message: 'Repository access blocked' }, { status: 451 }),
    ]);
    const api = createGitHubClient({ apiUrl: 'https://api.github.com', fetch: script.fetch });
    const error = await upstreamFailure(api.getRepository('octocat', 'blocked'));
    expect(error).toMatchObject({ reason: 'github_not_found', retryable: false });
    expect(error.message).toMatch(/^repository octocat\/blocked not found on GitHub.*451/);
  });

  it('maps 5xx to a retryable github_unavailable', async () => {
    github.faults.serverError(1, { status: 503 });
    const error = await upstreamFailure(client().getRepository('octocat', 'Hello-World'));
    expect(error).toMatchObject({ reason: 'github_unavailable', retryable: true });
  });

  it('tries a dropped connection once more, then reports a retryable github_network', async () => {
    github.faults.networkError(1);
    expect(await client().getRepository('octocat', 'Hello-World')).toMatchObject({
      githubId: 1296269,
    });
    github.faults.networkError(2);
    const error = await upstreamFailure(client().getRepository('octocat', 'Hello-World'));
    expect(error).toMatchObject({ reason: 'github_network', retryable: true });
  });

  it('gives up after the timeout with a retryable github_timeout', async () => {
    github.faults.latency(1_000);
    const error = await upstreamFailure(
      client({ token: TOKEN, timeoutMs: 100 }).getRepository('octocat', 'Hello-World'),
    );
    expect(error).toMatchObject({ reason: 'github_timeout', retryable: true });
  });

  it('refuses an invalid name before any request', async () => {
    await expect(client().getRepository('--upload-pack=x', 'y')).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(client().getRepository('octocat', '..')).rejects.toBeInstanceOf(ValidationError);
    expect(github.requests).toEqual([]);
  });

  it('treats an answer of the wrong shape as github_bad_response', async () => {
    const script = scripted([() => Response.json({ hello: 'world' })]);
    const api = createGitHubClient({ apiUrl: 'https://api.github.com', fetch: script.fetch });
    const error = await upstreamFailure(api.getRepository('octocat', 'x'));
    expect(error).toMatchObject({ reason: 'github_bad_response', retryable: false });
  });
});
