import type { Clock } from '../shared/clock.js';

export interface LoginLimits {
  /** Failures a client may make before it has to wait. */
  freeFailures: number;
  /** The first wait; it doubles with each further failure, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Password checks per minute for all clients together (the one account). */
  globalPerMinute: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  freeFailures: 5,
  baseDelayMs: 2_000,
  maxDelayMs: 15 * 60_000,
  globalPerMinute: 30,
};

const MAX_CLIENTS = 10_000;

interface ClientState {
  failures: number;
  blockedUntil: number;
}

/** Throttles dashboard sign-in attempts per client and for all clients together. */
export interface LoginLimiter {
  /** Whether a client may try now; a permitted attempt counts against the global budget. */
  take(client: string): { allowed: true } | { allowed: false; retryAfterMs: number };
  /** Records a wrong password: after a few, the client waits longer each time. */
  fail(client: string): void;
  /** Forgets a client's failures after it signed in. */
  succeed(client: string): void;
}

/**
 * Throttles login attempts before any hashing (docs/reference/bad-inputs.md#a01): per client, an
 * exponential wait after a few failures; for all clients together, a cap on checks per minute, so
 * attempts spread over many addresses still cannot burn the CPU. In memory: each replica limits its
 * own share, which is enough to keep guessing hopeless.
 */
export function createLoginLimiter(
  clock: Clock,
  limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
): LoginLimiter {
  const clients = new Map<string, ClientState>();
  let recent: number[] = [];

  /** Whether a client may try now; a permitted attempt counts against the global budget. */
  function take(client: string): { allowed: true } | { allowed: false; retryAfterMs: number } {
    const now = clock.now().getTime();
    const state = clients.get(client);
    if (state && state.blockedUntil > now) {
      return { allowed: false, retryAfterMs: state.blockedUntil - now };
    }
    recent = recent.filter((t) => t > now - 60_000);
    if (recent.length >= limits.globalPerMinute) {
      return { allowed: false, retryAfterMs: (recent[0] ?? now) + 60_000 - now };
    }
    recent.push(now);
    return { allowed: true };
  }

  function fail(client: string): void {
    const now = clock.now().getTime();
    const state = clients.get(client) ?? { failures: 0, blockedUntil: 0 };
    state.failures++;
    const over = state.failures - limits.freeFailures;
    if (over >= 0) {
      state.blockedUntil = now + Math.min(limits.maxDelayMs, limits.baseDelayMs * 2 ** over);
    }
    clients.delete(client);
    clients.set(client, state);
    // Oldest first in insertion order: a flood of addresses cannot grow memory without bound.
    if (clients.size > MAX_CLIENTS) clients.delete(clients.keys().next().value as string);
  }

  return { take, fail, succeed: (client: string) => void clients.delete(client) };
}
