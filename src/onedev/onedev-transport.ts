import type { UpstreamError } from '../shared/upstream-error.js';
import {
  looksLikeHtml,
  onedevHttpError,
  onedevNetworkError,
  onedevNotJsonError,
} from './onedev-errors.js';

export interface OneDevClientOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Per request; OneDev queues pack work, but REST calls should be quick. */
  timeoutMs?: number;
}

/** OneDev's answer to one call, read in full (its errors are often text/plain or HTML). */
export interface Answer {
  status: number;
  text: string;
  contentType: string;
  retryAfter: string | null;
}

/**
 * OneDev's base URL (no trailing slash) and one authenticated call to its REST API, with a
 * timeout, never following a redirect, and network failures turned into errors that say
 * what was being done.
 */
export function createOneDevTransport(options: OneDevClientOptions) {
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const base = options.baseUrl.replace(/\/+$/, '');

  async function call(
    method: string,
    path: string,
    what: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<Answer> {
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetchImpl(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        // Never follow a redirect with the token to wherever it points
        // (docs/reference/bad-inputs.md#o17).
        redirect: 'manual',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw onedevNetworkError(error, what, timeout.aborted);
    }
    const text = await response.text().catch(() => '');
    const contentType = response.headers.get('content-type') ?? '';
    // OneDev never answers a REST call with a web page: a 2xx page comes from something in front of
    // it (a login page), and reading it as data would fake a success
    // (docs/reference/bad-inputs.md#o07).
    if (response.ok && looksLikeHtml(contentType, text)) {
      throw onedevNotJsonError(response.status, contentType, text, what);
    }
    return {
      status: response.status,
      text,
      contentType,
      retryAfter: response.headers.get('retry-after'),
    };
  }

  /** The answer's body as JSON, or an error saying OneDev answered something else. */
  function json<T>(answer: Answer, what: string): T {
    try {
      return JSON.parse(answer.text) as T;
    } catch {
      throw onedevNotJsonError(answer.status, answer.contentType, answer.text, what);
    }
  }

  function failure(answer: Answer, what: string): UpstreamError {
    return onedevHttpError(answer.status, answer.contentType, answer.text, what, answer.retryAfter);
  }

  return { base, call, failure, json };
}
