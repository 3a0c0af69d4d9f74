import { Counter, Histogram, type Registry } from 'prom-client';

const OUTCOMES = new Set(['changed', 'synced', 'quiet', 'failed', 'gone', 'auth']);
const MINUTE = 60;
const HOUR = 60 * MINUTE;

/** The adaptive refresh's metrics: what each tick admitted or deferred, and the intervals chosen. */
export interface RefreshMetrics {
  /** One refresh tick: mirrors whose check it took, and those left due for want of sync room. */
  recordRefreshTick(admitted: number, deferred: number): void;
  /** A mirror's next interval, chosen after a check or a sync, by what was found. */
  recordRefreshInterval(outcome: string, everyMs: number): void;
}

/**
 * `starbridge_refresh_admitted_total`, `starbridge_refresh_deferred_total` and the
 * `starbridge_refresh_interval_seconds` histogram (buckets from the 15-minute floor to a week,
 * the longest interval an operator may set).
 */
export function refreshMetrics(registry: Registry): RefreshMetrics {
  const admitted = new Counter({
    name: 'starbridge_refresh_admitted_total',
    help: 'Mirrors the refresh took for a git ls-remote check.',
    registers: [registry],
  });
  const deferred = new Counter({
    name: 'starbridge_refresh_deferred_total',
    help: 'Due mirrors a refresh tick left for the next because the sync queue was full (counted per tick).',
    registers: [registry],
  });
  const interval = new Histogram({
    name: 'starbridge_refresh_interval_seconds',
    help: 'The refresh interval chosen for a mirror after a check or a sync, by what it found.',
    labelNames: ['outcome'] as const,
    buckets: [
      15 * MINUTE,
      30 * MINUTE,
      HOUR,
      2 * HOUR,
      4 * HOUR,
      8 * HOUR,
      16 * HOUR,
      24 * HOUR,
      168 * HOUR,
    ],
    registers: [registry],
  });
  return {
    recordRefreshTick(taken: number, left: number): void {
      admitted.inc(taken);
      deferred.inc(left);
    },
    recordRefreshInterval(outcome: string, everyMs: number): void {
      interval.observe({ outcome: OUTCOMES.has(outcome) ? outcome : 'other' }, everyMs / 1000);
    },
  };
}
