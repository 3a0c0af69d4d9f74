/**
 * How often the refresh compares a mirror with `git ls-remote`: a pure policy in the manner
 * of Software Heritage's scheduler. A check that found a change (or any successful sync,
 * whatever asked for it) brings the next one sooner; a quiet check pushes it later; failed
 * and vanished repositories cool down. Every interval stays within [min, max], so a quiet
 * mirror is still checked at least every `max` (the slow sweep that catches what webhooks
 * and change hints miss). An operator's per-mirror interval is kept exactly.
 */

/** What one visit of a mirror found. */
export type VisitOutcome =
  /** `ls-remote` saw refs that differ from those last pushed. */
  | 'changed'
  /** A sync finished, whatever asked for it (webhook, hint, operator, refresh). */
  | 'synced'
  /** Nothing changed. */
  | 'quiet'
  /** Network, 5xx or 429 from git: try again later, not sooner. */
  | 'failed'
  /** Git says the repository is not there. */
  | 'gone'
  /** Git refused the credential: the token's problem, not the repository's. */
  | 'auth';

export interface RefreshPolicy {
  /** REFRESH_INTERVAL: where a mirror with no history starts. */
  baseMs: number;
  /** REFRESH_MIN_INTERVAL: the most often a mirror is checked. */
  minMs: number;
  /** REFRESH_MAX_INTERVAL: the least often; the sweep's guarantee. */
  maxMs: number;
}

/** A change halves the interval; quiet doubles it; a failure quadruples it. */
const SHORTEN = 0.5;
const LENGTHEN = 2;
const COOL_DOWN = 4;
/** ±10 % on each slot, so mirrors added together do not stay in step. */
export const JITTER = 0.1;

const clamp = (ms: number, policy: RefreshPolicy) =>
  Math.round(Math.min(policy.maxMs, Math.max(policy.minMs, ms)));

/** The interval a mirror has now: its own, or the base one when it has none yet. */
export function currentInterval(everyMs: number | null, policy: RefreshPolicy): number {
  return clamp(everyMs ?? policy.baseMs, policy);
}

/**
 * The interval after a visit. `pinnedMs` is an operator's per-mirror interval: it is kept
 * as it is, whatever the visit found.
 */
export function nextInterval(
  everyMs: number | null,
  outcome: VisitOutcome,
  policy: RefreshPolicy,
  pinnedMs: number | null = null,
): number {
  if (pinnedMs !== null) return pinnedMs;
  const current = currentInterval(everyMs, policy);
  switch (outcome) {
    case 'changed':
    case 'synced':
      return clamp(current * SHORTEN, policy);
    case 'quiet':
      return clamp(current * LENGTHEN, policy);
    case 'failed':
      return clamp(current * COOL_DOWN, policy);
    case 'gone':
      return policy.maxMs;
    case 'auth':
      // A rejected token is not the repository's fault: nothing shortens, nothing grows.
      return current;
  }
}

/**
 * When the next check falls: `intervalMs` after `nowMs`, moved by up to ±10 %. `random`
 * returns a number in [0, 1) (Math.random in the service; a seeded one in tests).
 */
export function nextSlot(nowMs: number, intervalMs: number, random: () => number): number {
  const factor = 1 + JITTER * (2 * random() - 1);
  return nowMs + Math.round(intervalMs * factor);
}
