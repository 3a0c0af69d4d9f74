import { UpstreamError } from '../shared/upstream-error.js';

/** How often a rejected token is tried again, with one cheap `GET /user`. */
export const TOKEN_RECHECK_MS = 15 * 60_000;

/** Whether GitHub rejected GITHUB_TOKEN; see createTokenGuard. */
export interface TokenGuard {
  isRejected(): boolean;
  /** Marks the token rejected; true when it was not known yet (say it once). */
  reject(): boolean;
  /** The token works again; true when it had been rejected. */
  accept(): boolean;
}

/**
 * Whether GitHub rejected GITHUB_TOKEN, shared by everything in this process that would
 * send it (the stars poller, refresh, repository checks, the syncs' git credentials), so
 * a rejected token is not sent again for every repository. The stars poller persists the
 * pause and tries the token again every TOKEN_RECHECK_MS; a new token (restart) or
 * `POST /api/v1/reconcile` lifts it too.
 */
export function createTokenGuard(): TokenGuard {
  let rejected = false;
  return {
    isRejected: () => rejected,
    /** Marks the token rejected; true when it was not known yet (say it once). */
    reject(): boolean {
      const news = !rejected;
      rejected = true;
      return news;
    },
    /** The token works again; true when it had been rejected. */
    accept(): boolean {
      const was = rejected;
      rejected = false;
      return was;
    },
  };
}

/** What a sync that needs the rejected token fails with: a retry after the next re-check. */
export function tokenRejectedError(): UpstreamError {
  return new UpstreamError(
    'github_auth',
    'GitHub rejected GITHUB_TOKEN, so it is not sent for this repository until it works again; fix GITHUB_TOKEN (restart) or POST /api/v1/reconcile once fixed',
    { retryable: true, retryAfterMs: TOKEN_RECHECK_MS },
  );
}
