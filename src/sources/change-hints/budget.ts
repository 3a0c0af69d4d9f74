import type { Clock } from '../../shared/clock.js';

const HOUR = 3_600_000;

export type SpendKind = 'rest' | 'graphql';

/** GitHub requests and points change detection may spend: GITHUB_BUDGET_PER_HOUR. */
export interface Budget {
  /** Takes `n` points if the bucket holds them; false (nothing taken) otherwise. */
  take(n: number, kind: SpendKind): boolean;
  /** Settles a take once GitHub said the real cost (a 304 costs 0, a query its `cost`). */
  settle(taken: number, actual: number, kind: SpendKind): void;
  /** Points in the bucket now. */
  available(): number;
  /** Points spent in the last hour (what the dashboard shows against the budget). */
  spentLastHour(): number;
  /** Points spent since start, by kind (the metrics' counters). */
  spentTotal(): Record<SpendKind, number>;
  perHour: number;
}

/**
 * A token bucket: it holds at most an hour's budget and refills continuously at
 * `perHour` per hour, so a quiet hour cannot be followed by more than one hour's spending,
 * and a spent bucket lets work resume gradually rather than all at the top of the hour.
 */
export function createBudget(perHour: number, clock: Clock): Budget {
  let tokens = perHour;
  let at = clock.now().getTime();
  const spent: Array<{ at: number; n: number }> = [];
  const total: Record<SpendKind, number> = { rest: 0, graphql: 0 };

  function refill(): number {
    const now = clock.now().getTime();
    tokens = Math.min(perHour, tokens + ((now - at) / HOUR) * perHour);
    at = now;
    return now;
  }

  function record(n: number, kind: SpendKind) {
    if (n === 0) return;
    spent.push({ at: clock.now().getTime(), n });
    total[kind] += n;
  }

  return {
    perHour,
    take(n, kind) {
      refill();
      if (tokens < n) return false;
      tokens -= n;
      record(n, kind);
      return true;
    },
    settle(taken, actual, kind) {
      refill();
      // A query may cost more than guessed: the bucket goes below zero and waits longer.
      tokens -= actual - taken;
      record(actual - taken, kind);
    },
    available: () => {
      refill();
      return Math.floor(tokens);
    },
    spentLastHour() {
      const now = refill();
      while (spent.length > 0 && (spent[0]?.at ?? now) <= now - HOUR) spent.shift();
      return spent.reduce((sum, s) => sum + s.n, 0);
    },
    spentTotal: () => ({ ...total }),
  };
}
