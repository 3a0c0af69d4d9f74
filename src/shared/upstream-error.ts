import { AppError } from './errors.js';

/**
 * A failure talking to GitHub, OneDev, git or the container engine. `retryable` is decided
 * once, where the failure is understood; the sync engine only reads it. `retryAfterMs`
 * carries a server's `Retry-After`.
 */
export class UpstreamError extends AppError {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** Machine-readable reason, e.g. `onedev_auth`, `github_not_found`, `git_network`. */
  readonly reason: string;

  constructor(
    reason: string,
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; cause?: unknown; status?: number },
  ) {
    super('Unavailable', message, options.status ?? 502, { cause: options.cause });
    this.reason = reason;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}
