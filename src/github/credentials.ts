import type { Config } from '../config/config.js';
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

const basic = (token: string) =>
  `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;

/** PAT mode and App mode side by side: each mirror is fetched with what grants it access. */
export function createGitHubCredentials(
  config: Config,
  log: Logger,
  options: { fetch?: typeof fetch; observer?: GitHubApiObserver } = {},
): GitHubCredentials {
  const appConfig = config.github.app;
  const app = appConfig
    ? createAppApi({ apiUrl: config.github.apiUrl, ...appConfig, log, ...options })
    : undefined;
  const token = config.github.token;
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
        return basic(await app.installationToken(Number(target.installation_id)));
      }
      if (blocked(target)) throw tokenRejectedError();
      return token ? basic(token) : undefined;
    },
  };
}
