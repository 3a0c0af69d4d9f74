import type { GitHubApiObserver, RateLimitSnapshot } from '../github/github-api.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { SourcesEvents } from './sources.events.js';

/** Warn this long before GitHub says the token expires. */
export const EXPIRY_WARNING_MS = 7 * 86_400_000;

/** What GitHub's answers say about the quota and the token. */
export interface GitHubWatch {
  /** Told about every GitHub answer. */
  observer: GitHubApiObserver;
  /** The latest rate-limit numbers, or null before the first answer. */
  rateLimit(): RateLimitSnapshot | null;
  /** When GitHub says the token expires, or null when it does not say. */
  tokenExpiresAt(): Date | null;
  /** Whether the coming expiry was already warned about. */
  expiryWarned(): boolean;
}

/**
 * Watches what every GitHub answer says about quota and the token: the latest rate-limit
 * numbers (for /health and status), and the token's expiry, warned about once.
 */
export function createGitHubWatch(deps: {
  clock: Clock;
  log: Logger;
  events: SourcesEvents;
  /** A new expiry was seen (kept in the database for `starbridge status` and other replicas). */
  onExpiry?: (at: Date) => void;
}): GitHubWatch {
  let rate: RateLimitSnapshot | null = null;
  let expiresAt: Date | null = null;
  let warned = false;

  const observer: GitHubApiObserver = {
    rateLimit(snapshot) {
      rate = snapshot;
    },
    tokenExpiration(at) {
      if (expiresAt?.getTime() !== at.getTime()) deps.onExpiry?.(at);
      expiresAt = at;
      const left = at.getTime() - deps.clock.now().getTime();
      if (warned || left > EXPIRY_WARNING_MS) return;
      warned = true;
      const message = `the GitHub token expires at ${at.toISOString()}; create a new one and set GITHUB_TOKEN before then`;
      deps.log.warn({ expiresAt: at.toISOString() }, message);
      deps.events.emit('alert', { kind: 'github_token_expiring', message });
    },
  };

  return {
    observer,
    rateLimit: () => rate,
    tokenExpiresAt: () => expiresAt,
    expiryWarned: () => warned,
  };
}
