import { setTimeout as sleep } from 'node:timers/promises';
import pRetry from 'p-retry';
import { AppError } from './errors.js';
import { UpstreamError } from './upstream-error.js';
import { isNetworkFailure, type Upstream } from './upstream-fault.js';

export type { Upstream } from './upstream-fault.js';

/** One quick retry of one call, as told to the caller (for the log, the metric and the run). */
export interface QuickRetryEvent {
  /** What was called, e.g. `onedev find project` or `git fetch`. */
  call: string;
  upstream: Upstream;
  /** Why it is retried: the failure's machine-readable reason, e.g. `onedev_unavailable`. */
  reason: string;
  /** 1 for the first retry of this call, 2 for the second… */
  retry: number;
  /** How long until the retry starts. */
  delayMs: number;
  /** The failure's message (already free of credentials). */
  message: string;
}

export interface QuickRetryOptions {
  call: string;
  upstream: Upstream;
  /** Aborts at once: no further attempt, no wait. */
  signal?: AbortSignal;
  onRetry?: (event: QuickRetryEvent) => void;
  /** Attempts in all, the first included; 6 unless given. */
  attempts?: number;
  /** Delay before the first retry (doubled each retry, then jittered by 1–2×); 100 ms unless given. */
  minDelayMs?: number;
  /** Longest delay between two attempts; 1.5 s unless given. */
  maxDelayMs?: number;
  /** Longest `Retry-After` waited out here; a longer one is left to the durable backoff. 5 s unless given. */
  maxRetryAfterMs?: number;
}

/** What the classifier makes of a failure. */
export type QuickRetryVerdict =
  | { retry: true; reason: string; retryAfterMs?: number }
  | { retry: false; reason: string; why: string };

/**
 * Six attempts over at most about 4.5 s: a call that fails half the time still succeeds
 * 63 times in 64, and an outage reaches the durable backoff within seconds.
 */
const DEFAULTS = { attempts: 6, minDelayMs: 100, maxDelayMs: 1_500, maxRetryAfterMs: 5_000 };

/** Failures a quick retry already gave up on: an enclosing quick retry does not multiply them. */
const exhausted = new WeakSet<object>();

/**
 * Runs one idempotent call, retrying it a few times within seconds when the failure is
 * one that passes: network errors, timeouts, 5xx, 408 and 429 (the typed errors say which
 * with `retryable`). A failure that will not pass by itself (4xx, a refused push, a
 * corrupt repository) is thrown at once, as is one whose `Retry-After` is longer than a
 * quick retry waits: the durable backoff in the database takes over from there.
 */
export async function quickRetry<T>(run: () => Promise<T>, options: QuickRetryOptions): Promise<T> {
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  const { signal } = options;
  let retries = 0;
  try {
    return await pRetry(run, {
      retries: Math.max(0, settings.attempts - 1),
      minTimeout: settings.minDelayMs,
      maxTimeout: settings.maxDelayMs,
      factor: 2,
      randomize: true,
      signal,
      async shouldRetry({ error, retryDelay }) {
        if (signal?.aborted) return false;
        const verdict = classifyForQuickRetry(error, settings.maxRetryAfterMs);
        if (!verdict.retry) return false;
        // p-retry waits `retryDelay` after this; a server's Retry-After may ask for more.
        const extraMs = Math.max(0, (verdict.retryAfterMs ?? 0) - retryDelay);
        retries++;
        options.onRetry?.({
          call: options.call,
          upstream: options.upstream,
          reason: verdict.reason,
          retry: retries,
          delayMs: retryDelay + extraMs,
          message: error.message,
        });
        if (extraMs > 0) await waitOrAbort(extraMs, signal);
        return true;
      },
    });
  } catch (error) {
    if (retries > 0 && typeof error === 'object' && error !== null) exhausted.add(error);
    throw error;
  }
}

/**
 * Whether a quick retry may help. Typed failures decided it where they were understood
 * (`UpstreamError.retryable`: 5xx, 408, 429, network and timeouts, never another 4xx);
 * untyped ones retry only when they are a network error or a timeout.
 */
export function classifyForQuickRetry(
  error: unknown,
  maxRetryAfterMs = DEFAULTS.maxRetryAfterMs,
): QuickRetryVerdict {
  if (typeof error === 'object' && error !== null && exhausted.has(error)) {
    return { retry: false, reason: reasonOf(error), why: 'already retried' };
  }
  if (error instanceof UpstreamError) return classifyUpstream(error, maxRetryAfterMs);
  if (error instanceof AppError) return { retry: false, reason: error.code, why: 'not transient' };
  const name = (error as { name?: unknown })?.name;
  if (name === 'AbortError') return { retry: false, reason: 'aborted', why: 'aborted' };
  if (name === 'TimeoutError') return { retry: true, reason: 'timeout' };
  if (isNetworkFailure(error)) return { retry: true, reason: 'network' };
  return { retry: false, reason: 'internal', why: 'not a network failure' };
}

function classifyUpstream(error: UpstreamError, maxRetryAfterMs: number): QuickRetryVerdict {
  const { reason } = error;
  // git's own abort is the caller stopping the sync, not a fault of the remote.
  if (reason === 'git_aborted') return { retry: false, reason, why: 'aborted' };
  if (!error.retryable) return { retry: false, reason, why: 'not retryable' };
  const retryAfterMs = error.retryAfterMs;
  if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs) {
    return { retry: false, reason, why: `Retry-After ${Math.ceil(retryAfterMs / 1000)} s` };
  }
  return retryAfterMs === undefined
    ? { retry: true, reason }
    : { retry: true, reason, retryAfterMs };
}

function reasonOf(error: object): string {
  return error instanceof UpstreamError ? error.reason : 'internal';
}

async function waitOrAbort(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    throw signal?.aborted ? signal.reason : error;
  }
}

function definedOnly(options: QuickRetryOptions): Partial<typeof DEFAULTS> {
  const { attempts, minDelayMs, maxDelayMs, maxRetryAfterMs } = options;
  return Object.fromEntries(
    Object.entries({ attempts, minDelayMs, maxDelayMs, maxRetryAfterMs }).filter(
      ([, value]) => value !== undefined,
    ),
  );
}
