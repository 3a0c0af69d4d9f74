import type { Logger } from '../shared/logger.js';
import { type AppApi, createAppApi } from './app.api.js';
import type { GitHubApiObserver } from './github-api.js';
import { createTokenGuard, type TokenGuard, tokenRejectedError } from './token-guard.js';

/** The part of a mirror row that decides which credential fetches it. */
export interface CredentialTarget {
  installation_id: number | null;
}

export interface GitHubCredentials {
  /** The App API, when GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY are set. */
  app?: AppApi;
  /** Whether GitHub rejected GITHUB_TOKEN (the PAT); while it is, the PAT is not sent. */
  pat: TokenGuard;
  /** True when this mirror would be fetched with the PAT and GitHub rejected it. */
  blocked(target: CredentialTarget): boolean;
  /** `Authorization` for git: the installation's token for its repositories, else the PAT. */
  authorizationFor(target: CredentialTarget): Promise<string | undefined>;
}

/** The `Authorization` header GitHub's git endpoints take for a token (PAT or installation). */
export function basicAuthorization(token: string): string {
  return `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
}

/** What the credentials are made from: the API base, the PAT and the App's identity. */
export interface GitHubCredentialSettings {
  apiUrl: string;
  token?: string;
  app?: { appId: string; privateKey: string };
}

/** PAT mode and App mode side by side: each mirror is fetched with what grants it access. */
export function createGitHubCredentials(
  settings: GitHubCredentialSettings,
  log: Logger,
  options: { fetch?: typeof fetch; observer?: GitHubApiObserver } = {},
): GitHubCredentials {
  const app = settings.app
    ? createAppApi({ apiUrl: settings.apiUrl, ...settings.app, log, ...options })
    : undefined;
  const token = settings.token;
  const pat = createTokenGuard();
  const viaApp = (target: CredentialTarget) => Boolean(app) && target.installation_id !== null;
  const blocked = (target: CredentialTarget) =>
    Boolean(token) && pat.isRejected() && !viaApp(target);
  return {
    app,
    pat,
    blocked,
    async authorizationFor(target) {
      if (app && viaApp(target)) {
        return basicAuthorization(await app.installationToken(Number(target.installation_id)));
      }
      if (blocked(target)) throw tokenRejectedError();
      return token ? basicAuthorization(token) : undefined;
    },
  };
}
