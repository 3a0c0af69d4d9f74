/**
 * The REST API version every request asks for. 2026-03-10 drops fields Starbridge does not
 * read (`master_branch`, `has_downloads`, …); the contract test checks that the fields it
 * does read are still in this version's published description.
 */
export const GITHUB_API_VERSION = '2026-03-10';

/** GitHub's own JSON media type; answers to it are what the API version describes. */
export const GITHUB_JSON = 'application/vnd.github+json';

/** Per request, unless the caller says otherwise. */
export const DEFAULT_TIMEOUT_MS = 15_000;

/** Renames answer 301 once; a longer chain is not a rename. */
const MAX_REDIRECTS = 3;

export type TransportFailureKind = 'network' | 'timeout' | 'redirect';

/**
 * A request that got no usable answer: the connection failed, the time ran out, or GitHub
 * redirected somewhere the token must not go. The message names the request, never its
 * headers, so it carries no credential.
 */
export class GitHubTransportFailure extends Error {
  constructor(
    readonly kind: TransportFailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GitHubTransportFailure';
  }
}

/** A transport failure, whether thrown as is or wrapped by Octokit (it keeps it as `cause`). */
export function transportFailureOf(error: unknown): GitHubTransportFailure | undefined {
  if (error instanceof GitHubTransportFailure) return error;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause instanceof GitHubTransportFailure ? cause : undefined;
}

export interface TransportOptions {
  /** The REST base; redirects are followed only on its origin. */
  apiUrl: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * The one way Starbridge reaches GitHub's REST API, as a `fetch` for Octokit. It decides for
 * every call: the API version header, a timeout, redirects followed only on the API's own
 * origin (the token goes with each request, so it must never follow a `Location` to
 * another host) and at most MAX_REDIRECTS times, and one immediate retry of a GET whose
 * connection failed before any answer (most often a pooled keep-alive socket the server
 * had just closed).
 */
export function createGitHubTransport(options: TransportOptions): typeof fetch {
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const origin = new URL(options.apiUrl).origin;

  async function once(url: URL, init: RequestInit, what: string): Promise<Response> {
    const idempotent = (init.method ?? 'GET') === 'GET' || init.method === 'HEAD';
    for (let attempt = 1; ; attempt++) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const caller = init.signal ?? undefined;
      try {
        return await fetchImpl(url, {
          ...init,
          redirect: 'manual',
          signal: caller ? AbortSignal.any([caller, timeout]) : timeout,
        });
      } catch (error) {
        if (caller?.aborted) throw error;
        if (timeout.aborted) {
          throw new GitHubTransportFailure('timeout', `GitHub did not answer ${what} in time`, {
            cause: error,
          });
        }
        if (!idempotent || attempt >= 2) {
          throw new GitHubTransportFailure('network', `could not reach GitHub for ${what}`, {
            cause: error,
          });
        }
      }
    }
  }

  return (async (input: Parameters<typeof fetch>[0], init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    let url = new URL(String(input instanceof Request ? input.url : input));
    const what = `${method} ${url.pathname}`;
    const headers = withVersion(init.headers);
    for (let hop = 0; ; hop++) {
      const response = await once(url, { ...init, headers }, what);
      const location = response.headers.get('location');
      const redirected = response.status >= 300 && response.status < 400 && response.status !== 304;
      if (!redirected || !location || (method !== 'GET' && method !== 'HEAD')) return response;
      await response.body?.cancel();
      const next = new URL(location, url);
      if (next.origin !== origin || hop >= MAX_REDIRECTS) {
        throw new GitHubTransportFailure(
          'redirect',
          `GitHub redirected ${what} to ${next.origin === origin ? 'too many places' : 'another host'}; not followed`,
        );
      }
      url = next;
    }
  }) as typeof fetch;
}

/** The request's headers with the pinned API version, and GitHub's JSON type by default. */
function withVersion(headers: RequestInit['headers']): Headers {
  const out = new Headers(headers);
  out.set('x-github-api-version', GITHUB_API_VERSION);
  // Octokit's default names API v3, which the versioned API replaces.
  const accept = out.get('accept');
  if (!accept || accept === 'application/vnd.github.v3+json') out.set('accept', GITHUB_JSON);
  return out;
}
