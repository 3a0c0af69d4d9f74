import { checkOneDevToken, type OneDevTarget } from '../onedev/onedev-token-check.js';
import type { TokenReport } from '../onedev/token-report.js';
import { coerceError } from '../shared/errors.js';

export type { TokenReport } from '../onedev/token-report.js';

export interface TokenChecks {
  github(): Promise<TokenReport>;
  onedev(): Promise<TokenReport>;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * One GET with a timeout; never follows a redirect with the token
 * (docs/reference/bad-inputs.md#r07, #o17).
 */
async function get(fetchImpl: typeof fetch, url: string, headers: Record<string, string>) {
  const response = await fetchImpl(url, {
    headers,
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A network failure as a report; the URL is ours and carries no credential. */
function unreachable(what: string, error: unknown): TokenReport {
  return {
    ok: false,
    summary: `${what} is unreachable: ${coerceError(error).message}`,
    can: [],
    cannot: [],
  };
}

/**
 * The checks behind the Settings page's buttons. They report in words what a token can do;
 * nothing here logs or echoes a token.
 */
export function createTokenChecks(deps: {
  github: { apiUrl: string; token?: string };
  onedev?: OneDevTarget;
  fetch?: typeof fetch;
}): TokenChecks {
  const fetchImpl = deps.fetch ?? fetch;
  return {
    async github() {
      const token = deps.github.token;
      if (!token) {
        return {
          ok: false,
          summary: 'GITHUB_TOKEN is not set',
          can: ['mirror public repositories (60 API requests an hour)'],
          cannot: ['read your stars', 'mirror private repositories'],
        };
      }
      const headers = {
        accept: 'application/vnd.github+json',
        'user-agent': 'starbridge',
        authorization: `Bearer ${token}`,
      };
      try {
        const user = await get(fetchImpl, `${deps.github.apiUrl}/user`, headers);
        if (user.status !== 200) return githubRejected(user);
        const stars = await get(
          fetchImpl,
          `${deps.github.apiUrl}/user/starred?per_page=1`,
          headers,
        );
        return githubReport(user, stars.status === 200);
      } catch (error) {
        return unreachable('GitHub', error);
      }
    },
    async onedev() {
      const onedev = deps.onedev;
      if (!onedev) {
        return {
          ok: false,
          summary: 'ONEDEV_URL and ONEDEV_TOKEN are not set',
          can: [],
          cannot: ['mirror anything into OneDev'],
        };
      }
      return checkOneDevToken(onedev, fetchImpl);
    },
  };
}

function githubRejected(answer: Answer): TokenReport {
  const why =
    answer.status === 401
      ? 'GitHub rejected the token (401): it is wrong, expired or revoked'
      : `GitHub answered ${answer.status}`;
  return {
    ok: false,
    summary: why,
    can: [],
    cannot: ['read your stars', 'mirror private repositories'],
  };
}

function githubReport(user: Answer, canReadStars: boolean): TokenReport {
  const login = String((safeJson(user.text) as { login?: unknown })?.login ?? 'unknown');
  // Classic tokens list their scopes; fine-grained tokens do not send the header at all.
  const scopes = user.headers.get('x-oauth-scopes');
  const remaining = user.headers.get('x-ratelimit-remaining');
  const limit = user.headers.get('x-ratelimit-limit');
  const can = [`act as ${login}`];
  const cannot: string[] = [];
  (canReadStars ? can : cannot).push(`read ${login}'s stars`);
  if (scopes !== null) {
    const list = scopes
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    (list.includes('repo') ? can : cannot).push('mirror private repositories (scope repo)');
  } else {
    can.push('mirror the private repositories this fine-grained token was granted');
  }
  if (limit) can.push(`make ${limit} API requests an hour (${remaining ?? '?'} left now)`);
  const kind =
    scopes === null ? 'fine-grained token' : `classic token, scopes: ${scopes || 'none'}`;
  return { ok: true, summary: `GitHub accepts the token of ${login} (${kind})`, can, cannot };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
