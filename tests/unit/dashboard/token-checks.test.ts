import { describe, expect, it } from 'vitest';
import { tokenChecksFor } from '../../support/token-checks.js';

/** A fetch that answers by URL path; records what was asked. */
function fakeFetch(
  answers: Record<string, { status: number; body?: string; headers?: Record<string, string> }>,
) {
  const seen: string[] = [];
  const impl = (async (input: string | URL | Request) => {
    const url = new URL(String(input));
    seen.push(url.pathname);
    const answer = answers[url.pathname] ?? { status: 404 };
    return new Response(answer.body ?? '', { status: answer.status, headers: answer.headers });
  }) as typeof fetch;
  return { impl, seen };
}

describe('token checks', () => {
  it('says what a classic GitHub token can do', async () => {
    const { impl } = fakeFetch({
      '/user': {
        status: 200,
        body: '{"login":"octocat"}',
        headers: {
          'x-oauth-scopes': 'read:user',
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '4999',
        },
      },
      '/user/starred': { status: 200, body: '[]' },
    });
    const report = await tokenChecksFor({
      github: { apiUrl: 'https://api.test', token: 'ghp_x' },
      fetch: impl,
    }).github();
    expect(report.ok).toBe(true);
    expect(report.summary).toContain('octocat');
    expect(report.can).toContain("read octocat's stars");
    expect(report.cannot).toContain('mirror private repositories (scope repo)');
    expect(JSON.stringify(report)).not.toContain('ghp_x');
  });

  it('says when a fine-grained GitHub token expires, as GitHub states it', async () => {
    const { impl } = fakeFetch({
      '/user': {
        status: 200,
        body: '{"login":"octocat"}',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'github-authentication-token-expiration': '2031-01-02 03:04:05 UTC',
        },
      },
    });
    const report = await tokenChecksFor({
      github: { apiUrl: 'https://api.test', token: 'github_pat_x' },
      fetch: impl,
    }).github();
    expect(report).toMatchObject({
      ok: true,
      summary: 'GitHub accepts the token of octocat (fine-grained token)',
    });
    expect(report.can).toContain('be used until 2031-01-02T03:04:05.000Z, when it expires');
    expect(report.cannot).toContain("read octocat's stars");
  });

  it('reports a rejected GitHub token and a missing one', async () => {
    const { impl } = fakeFetch({ '/user': { status: 401 } });
    const rejected = await tokenChecksFor({
      github: { apiUrl: 'https://api.test', token: 't' },
      fetch: impl,
    }).github();
    expect(rejected).toMatchObject({
      ok: false,
      summary: expect.stringMatching(/rejected the token/),
    });
    const missing = await tokenChecksFor({
      github: { apiUrl: 'https://api.test' },
      fetch: impl,
    }).github();
    expect(missing.summary).toBe('GITHUB_TOKEN is not set');
  });

  it('turns an unreachable server into a report', async () => {
    const failing = (async () => {
      throw new Error('connect ECONNREFUSED');
    }) as typeof fetch;
    const report = await tokenChecksFor({
      github: { apiUrl: 'https://api.test' },
      onedev: { url: 'https://od.test', token: 'od', rootProject: 'github' },
      fetch: failing,
    }).onedev();
    expect(report).toMatchObject({
      ok: false,
      summary: 'OneDev is unreachable: connect ECONNREFUSED',
    });
    const github = await tokenChecksFor({
      github: { apiUrl: 'https://api.test', token: 'ghp_x' },
      fetch: failing,
    }).github();
    expect(github).toEqual({
      ok: false,
      summary: 'GitHub is unreachable: connect ECONNREFUSED',
      can: [],
      cannot: [],
    });
  });
});
