import { UpstreamError } from '../shared/upstream-error.js';
import { transportFailureOf } from './transport.js';

/** GitHub asks clients that hit a secondary limit without `retry-after` to wait a minute. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

export interface GitHubAnswer {
  status: number;
  headers: Headers;
  /** GitHub's `message` field, when the body had one. */
  message: string | undefined;
}

/**
 * Maps a GitHub REST answer to an UpstreamError that says what to do, deciding once
 * whether a retry can help (house style: never retry 401/403/404/410/422/451; retry
 * 408, 429, 5xx, honouring `retry-after` or the rate-limit reset). Messages never carry
 * the token: they are built from the status, the repository and GitHub's own message.
 */
export function githubHttpError(
  answer: GitHubAnswer,
  what: string,
  repo: string,
  nowMs: number,
): UpstreamError {
  const { status, headers } = answer;
  const detail = answer.message ? `: ${excerpt(answer.message)}` : '';
  if (status === 404 || status === 410 || status === 451) {
    const legal = status === 451 ? ' (HTTP 451: unavailable for legal reasons)' : '';
    return new UpstreamError(
      'github_not_found',
      `repository ${repo} not found on GitHub, or private and GITHUB_TOKEN cannot see it${legal}`,
      { retryable: false },
    );
  }
  if (status === 401) {
    return new UpstreamError(
      'github_auth',
      `GitHub rejected GITHUB_TOKEN while ${what} (401${detail}); check the token`,
      {
        retryable: false,
      },
    );
  }
  const retryAfterMs = rateLimitWait(status, headers, answer.message, nowMs);
  if (retryAfterMs !== undefined) {
    return new UpstreamError(
      'github_rate_limited',
      `GitHub rate limit reached while ${what} (HTTP ${status}); retry in ${Math.ceil(retryAfterMs / 1000)} s`,
      { retryable: true, retryAfterMs, status: 503 },
    );
  }
  if (status === 403) {
    return new UpstreamError(
      'github_forbidden',
      `GitHub refused ${what} (403${detail}); the token may lack access to ${repo}`,
      { retryable: false },
    );
  }
  if (status === 408 || status >= 500) {
    return new UpstreamError(
      'github_unavailable',
      `GitHub failed while ${what} (HTTP ${status}); will retry`,
      {
        retryable: true,
      },
    );
  }
  return new UpstreamError('github_rejected', `GitHub rejected ${what} (HTTP ${status}${detail})`, {
    retryable: false,
  });
}

/** A network failure or a timeout: always worth another try. */
export function githubNetworkError(cause: unknown, what: string, timedOut: boolean): UpstreamError {
  if (timedOut) {
    return new UpstreamError(
      'github_timeout',
      `GitHub did not answer in time while ${what}; will retry`,
      {
        retryable: true,
        cause,
      },
    );
  }
  const code = (cause as { cause?: { code?: string } })?.cause?.code;
  return new UpstreamError(
    'github_network',
    `could not reach GitHub while ${what}${code ? ` (${code})` : ''}; check GITHUB_API_URL and the network`,
    { retryable: true, cause },
  );
}

/**
 * Any failure of an Octokit request as an UpstreamError: the transport's own failures
 * (network, timeout, a refused redirect) and GitHub's error answers. Anything else (a
 * caller's abort, a bug) is returned as it was.
 */
export function githubRequestError(
  error: unknown,
  what: string,
  repo: string,
  nowMs: number,
): unknown {
  if (error instanceof UpstreamError) return error;
  const failure = transportFailureOf(error);
  if (failure?.kind === 'redirect') {
    return new UpstreamError('github_redirect', failure.message, { retryable: false });
  }
  if (failure) return githubNetworkError(failure.cause, what, failure.kind === 'timeout');
  const answer = answerOf(error);
  return answer ? githubHttpError(answer, what, repo, nowMs) : error;
}

/** The answer an Octokit `RequestError` carries, when GitHub did answer. */
function answerOf(error: unknown): GitHubAnswer | undefined {
  const { status, response } = (error ?? {}) as {
    status?: unknown;
    response?: { headers?: Record<string, unknown>; data?: unknown };
  };
  if (typeof status !== 'number' || !response) return undefined;
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    if (value !== undefined) headers.set(name, String(value));
  }
  const message = (response.data as { message?: unknown } | undefined)?.message;
  return { status, headers, message: typeof message === 'string' ? message : undefined };
}

/**
 * How long to wait when the answer is a rate limit, or undefined when it is not one.
 * Primary limit: 403/429 with `x-ratelimit-remaining: 0`, wait until `x-ratelimit-reset`.
 * Secondary limit: `retry-after` seconds, or a minute when GitHub omits it.
 */
function rateLimitWait(
  status: number,
  headers: Headers,
  message: string | undefined,
  nowMs: number,
): number | undefined {
  if (status !== 403 && status !== 429) return undefined;
  const retryAfter = Number(headers.get('retry-after'));
  if (headers.get('retry-after') !== null && Number.isFinite(retryAfter) && retryAfter >= 0)
    return retryAfter * 1000;
  if (headers.get('x-ratelimit-remaining') === '0') {
    const reset = Number(headers.get('x-ratelimit-reset'));
    return Number.isFinite(reset) && reset > 0
      ? Math.max(0, reset * 1000 - nowMs)
      : DEFAULT_RATE_LIMIT_WAIT_MS;
  }
  if (status === 429 || /rate limit/i.test(message ?? '')) return DEFAULT_RATE_LIMIT_WAIT_MS;
  return undefined;
}

function excerpt(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length > 200 ? `${clean.slice(0, 197)}...` : clean;
}
