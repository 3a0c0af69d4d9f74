import { Octokit } from '@octokit/core';
import { throttling } from '@octokit/plugin-throttling';
import type { Logger } from '../shared/logger.js';
import { UpstreamError } from '../shared/upstream-error.js';
import { createGitHubTransport } from './transport.js';

/**
 * Octokit with the throttling plugin, for every GitHub REST call (repository lookups, the
 * stars poller, the App, the token check): it queues requests (at most 10 at once, writes
 * spaced), waits out `retry-after` and secondary limits, and waits for a primary reset
 * when it is near. Timeouts, redirects and network failures are the transport's
 * (`transport.ts`), the same for all.
 */
const Throttled = Octokit.plugin(throttling);
export type GitHubOctokit = InstanceType<typeof Throttled>;

export interface RateLimitSnapshot {
  limit: number;
  remaining: number;
  resetAt: string;
}

/** What the API layer tells its owner about, whichever request it was. */
export interface GitHubApiObserver {
  rateLimit?(snapshot: RateLimitSnapshot): void;
  /** GitHub said when the token expires (`github-authentication-token-expiration`). */
  tokenExpiration?(expiresAt: Date): void;
  /** A rate limit is being waited out. */
  waiting?(kind: 'primary' | 'secondary', seconds: number): void;
}

export interface OctokitOptions {
  apiUrl: string;
  auth?: string;
  /** Passed through for App mode (`createAppAuth`). */
  authStrategy?: unknown;
  fetch?: typeof fetch;
  log: Logger;
  observer?: GitHubApiObserver;
  /** Longest rate-limit wait the plugin sits out before giving up (the poller retries later). */
  maxWaitSeconds?: number;
  /** Per request; the transport's default otherwise. */
  timeoutMs?: number;
}

type Headers = Record<string, string | number | undefined>;

export function createOctokit(options: OctokitOptions): GitHubOctokit {
  const maxWait = options.maxWaitSeconds ?? 120;
  const log = options.log;
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const transport = createGitHubTransport({
    apiUrl,
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
  });
  const octokit = new Throttled({
    baseUrl: apiUrl,
    userAgent: 'starbridge',
    ...(options.authStrategy ? { authStrategy: options.authStrategy as never } : {}),
    request: { fetch: transport },
    // Octokit writes to console by default; route it to pino.
    log: {
      debug: () => {},
      info: () => {},
      warn: (message: string) => log.warn({ component: 'octokit' }, message),
      error: (message: string) => log.warn({ component: 'octokit' }, message),
    },
    throttle: {
      onRateLimit: (retryAfter: number, _opts: unknown, _o: unknown, retryCount: number) =>
        shouldWait('primary', retryAfter, retryCount),
      onSecondaryRateLimit: (retryAfter: number, _opts: unknown, _o: unknown, retryCount: number) =>
        shouldWait('secondary', retryAfter, retryCount),
    },
  });

  function shouldWait(kind: 'primary' | 'secondary', seconds: number, retryCount: number) {
    // GitHub warns that continuing while limited may ban the integration: wait, twice at
    // most, and only when the wait is short; otherwise fail and let the schedule retry.
    if (retryCount >= 2 || seconds > maxWait) {
      log.warn({ kind, seconds }, 'github rate limit; giving up until the next run');
      return false;
    }
    log.info({ kind, seconds }, 'github rate limit; waiting');
    options.observer?.waiting?.(kind, seconds);
    return true;
  }

  const token = options.auth;
  if (token) {
    // GitHub documents `Bearer` for every token kind; Octokit would write `token` for a PAT.
    octokit.hook.before('request', (request) => {
      request.headers.authorization = `Bearer ${token}`;
    });
  }
  const observe = (headers: Headers | undefined) => {
    if (!headers) return;
    observeHeaders(headers, options.observer);
  };
  octokit.hook.after('request', (response) => observe(response.headers as Headers));
  octokit.hook.error('request', (error) => {
    observe((error as { response?: { headers?: Headers } }).response?.headers);
    throw error;
  });
  return octokit;
}

/** Reads the rate-limit and token-expiry headers GitHub puts on every REST answer. */
export function observeHeaders(headers: Headers, observer: GitHubApiObserver | undefined): void {
  const limit = Number(headers['x-ratelimit-limit']);
  const remaining = Number(headers['x-ratelimit-remaining']);
  const reset = Number(headers['x-ratelimit-reset']);
  if (
    headers['x-ratelimit-limit'] !== undefined &&
    [limit, remaining, reset].every(Number.isFinite)
  ) {
    observer?.rateLimit?.({ limit, remaining, resetAt: new Date(reset * 1000).toISOString() });
  }
  const expiresAt = tokenExpiryOf(headers['github-authentication-token-expiration']);
  if (expiresAt) observer?.tokenExpiration?.(expiresAt);
}

/** `github-authentication-token-expiration`: GitHub writes `2024-05-01 12:00:00 UTC` (sometimes with an offset instead of UTC). */
export function tokenExpiryOf(header: string | number | undefined): Date | null {
  if (typeof header !== 'string') return null;
  const parsed = Date.parse(header.replace(' UTC', 'Z').replace(' ', 'T'));
  return Number.isNaN(parsed) ? null : new Date(parsed);
}

/** The HTTP status of an octokit error (304 included: octokit throws on Not Modified). */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown })?.status;
  return typeof status === 'number' ? status : undefined;
}

/** `Link: <url>; rel="next", <url>; rel="last"` → { next: url, last: url }. */
export function parseLink(header: string | undefined): Record<string, string> {
  const rels: Record<string, string> = {};
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="([^"]+)"/.exec(part);
    if (match?.[1] && match[2]) rels[match[2]] = match[1];
  }
  return rels;
}

/**
 * A `Link` URL to follow, refused unless it is on the API's own origin: octokit sends the
 * token with every request, so a link elsewhere would hand it to another host.
 */
export function onApiOrigin(url: string, apiUrl: string): string {
  if (new URL(url).origin !== new URL(apiUrl).origin) {
    throw new UpstreamError('github_redirect', 'GitHub paginated to another host; refused', {
      retryable: false,
    });
  }
  return url;
}
