import type { GitHubClient, GitHubTokenCheck } from '../github/github.client.js';
import { checkOneDevToken, type OneDevTarget } from '../onedev/onedev-token-check.js';
import type { TokenReport } from '../onedev/token-report.js';

export type { TokenReport } from '../onedev/token-report.js';

export interface TokenChecks {
  github(): Promise<TokenReport>;
  onedev(): Promise<TokenReport>;
}

/**
 * The checks behind the Settings page's buttons. They report in words what a token can do;
 * nothing here logs or echoes a token.
 */
export function createTokenChecks(deps: {
  github: { apiUrl: string; token?: string };
  /** The GitHub adapter holding the token. */
  githubClient: Pick<GitHubClient, 'checkToken'>;
  onedev?: OneDevTarget;
  fetch?: typeof fetch;
}): TokenChecks {
  const fetchImpl = deps.fetch ?? fetch;
  const { githubClient } = deps;
  return {
    async github() {
      if (!deps.github.token) {
        return {
          ok: false,
          summary: 'GITHUB_TOKEN is not set',
          can: ['mirror public repositories (60 API requests an hour)'],
          cannot: ['read your stars', 'mirror private repositories'],
        };
      }
      return githubReport(await githubClient.checkToken());
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

/** What GitHub said about the token, in the Settings page's words. */
function githubReport(check: GitHubTokenCheck): TokenReport {
  if (check.kind === 'unreachable') {
    return { ok: false, summary: `GitHub is unreachable: ${check.message}`, can: [], cannot: [] };
  }
  if (check.kind === 'rejected') {
    const why =
      check.status === 401
        ? 'GitHub rejected the token (401): it is wrong, expired or revoked'
        : `GitHub answered ${check.status}`;
    return {
      ok: false,
      summary: why,
      can: [],
      cannot: ['read your stars', 'mirror private repositories'],
    };
  }
  const { login, scopes, rateLimit } = check;
  const can = [`act as ${login}`];
  const cannot: string[] = [];
  (check.canReadStars ? can : cannot).push(`read ${login}'s stars`);
  // Classic tokens list their scopes; fine-grained tokens do not send the header at all.
  if (scopes !== null) {
    (scopes.includes('repo') ? can : cannot).push('mirror private repositories (scope repo)');
  } else {
    can.push('mirror the private repositories this fine-grained token was granted');
  }
  if (rateLimit) {
    can.push(
      `make ${rateLimit.limit} API requests an hour (${rateLimit.remaining ?? '?'} left now)`,
    );
  }
  if (check.expiresAt) can.push(`be used until ${check.expiresAt.toISOString()}, when it expires`);
  const kind =
    scopes === null
      ? 'fine-grained token'
      : `classic token, scopes: ${scopes.join(', ') || 'none'}`;
  return { ok: true, summary: `GitHub accepts the token of ${login} (${kind})`, can, cannot };
}
