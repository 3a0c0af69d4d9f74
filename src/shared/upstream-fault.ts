import { AppError } from './errors.js';
import { UpstreamError } from './upstream-error.js';

/** The service a call talks to: the metric's `upstream` label, the circuit's name. */
export type Upstream = 'github' | 'onedev';

/** Which upstream a failed call was talking to, told by the call that made it. */
const calledUpstream = new WeakMap<object, Upstream>();

/** Remembers that `error` came from a call to `upstream`; returns it, to be thrown. */
export function tagUpstream(error: unknown, upstream: Upstream): unknown {
  if (typeof error === 'object' && error !== null && !calledUpstream.has(error)) {
    calledUpstream.set(error, upstream);
  }
  return error;
}

/** The upstream whose call failed with `error`, when one was told. */
export function upstreamOf(error: unknown): Upstream | undefined {
  return typeof error === 'object' && error !== null ? calledUpstream.get(error) : undefined;
}

/**
 * Whether `error` says the upstream itself is out (network, timeout, 5xx, 408, 429) rather
 * than that it answered no (a refused token, a missing project, a rejected push). The typed
 * errors decided `retryable` where they were understood; git's own abort is the caller's.
 */
export function isUpstreamFault(error: unknown): boolean {
  if (error instanceof UpstreamError) return error.retryable && error.reason !== 'git_aborted';
  if (error instanceof AppError) return false;
  const name = (error as { name?: unknown })?.name;
  if (name === 'TimeoutError') return true;
  if (name === 'AbortError') return false;
  return isNetworkFailure(error);
}

/** Node's and undici's codes for a connection that failed or was cut. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** A network error somewhere in the chain of causes (a few levels deep). */
export function isNetworkFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (e instanceof TypeError && e.message === 'fetch failed') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
