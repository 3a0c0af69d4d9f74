import { createTokenChecks, type TokenChecks } from '../../src/dashboard/token-checks.js';
import { createGitHubClient } from '../../src/github/github.client.js';
import type { OneDevTarget } from '../../src/onedev/onedev-token-check.js';

/** The Settings page's token checks with a GitHub adapter of their own, as the service builds them. */
export function tokenChecksFor(deps: {
  github: { apiUrl: string; token?: string };
  onedev?: OneDevTarget;
  fetch?: typeof fetch;
}): TokenChecks {
  const githubClient = createGitHubClient({
    apiUrl: deps.github.apiUrl,
    token: deps.github.token,
    fetch: deps.fetch,
  });
  return createTokenChecks({ ...deps, githubClient });
}
