import { AppError } from '../shared/errors.js';
import { UpstreamError } from '../shared/upstream-error.js';

export interface BackoffOptions {
  /** Delay before the second attempt; doubles each attempt. */
  baseMs: number;
  /** Longest delay between attempts. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 30_000, capMs: 6 * 3_600_000 };

export interface FailureDecision {
  status: 'retrying' | 'failed';
  nextAttemptAt: string | null;
  message: string;
  code: string;
}

/**
 * Decides what a failed sync becomes. Soft failures (network, timeouts, 5xx, 429) retry
 * with exponential backoff and jitter, never sooner than a server's Retry-After, until
 * `maxAttempts`; hard ones (authentication, not found, invalid names, rejected pushes)
 * fail at once, because retrying cannot fix them and would only hammer the server.
 */
export function decideFailure(
  error: unknown,
  attempts: number,
  maxAttempts: number,
  now: Date,
  backoff: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): FailureDecision {
  const { retryable, code, retryAfterMs } = classify(error);
  const message = error instanceof Error ? error.message : String(error);
  if (!retryable) return { status: 'failed', nextAttemptAt: null, code, message };
  if (attempts >= maxAttempts) {
    return {
      status: 'failed',
      nextAttemptAt: null,
      code,
      message: `${message} (gave up after ${attempts} attempts; fix the cause, then retry the mirror)`,
    };
  }
  const delay = Math.max(backoffDelay(attempts, backoff, random), retryAfterMs ?? 0);
  return {
    status: 'retrying',
    nextAttemptAt: new Date(now.getTime() + delay).toISOString(),
    code,
    message,
  };
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread out. */
export function backoffDelay(
  attempts: number,
  backoff: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

function classify(error: unknown): { retryable: boolean; code: string; retryAfterMs?: number } {
  if (error instanceof UpstreamError) {
    return { retryable: error.retryable, code: error.reason, retryAfterMs: error.retryAfterMs };
  }
  if (error instanceof AppError) return { retryable: false, code: error.code };
  // Unknown errors may be transient (a dropped database connection); retry them, bounded.
  return { retryable: true, code: 'internal' };
}
