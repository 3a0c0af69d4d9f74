import { describe, expect, it } from 'vitest';
import { createLoginLimiter } from '../../../src/dashboard/login-limiter.js';

function clockAt(start: number) {
  let now = start;
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('login limiter', () => {
  const limits = { freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 8000, globalPerMinute: 100 };

  it('lets a few failures through, then makes a client wait twice as long each time, up to a cap', () => {
    const clock = clockAt(0);
    const limiter = createLoginLimiter(clock, limits);
    for (let i = 0; i < 3; i++) {
      expect(limiter.take('ip').allowed).toBe(true);
      limiter.fail('ip');
    }
    expect(limiter.take('ip')).toEqual({ allowed: false, retryAfterMs: 1000 });
    expect(limiter.take('other').allowed).toBe(true);
    clock.advance(1000);
    expect(limiter.take('ip').allowed).toBe(true);
    limiter.fail('ip');
    expect(limiter.take('ip')).toEqual({ allowed: false, retryAfterMs: 2000 });
    for (let i = 0; i < 5; i++) limiter.fail('ip');
    expect(limiter.take('ip')).toEqual({ allowed: false, retryAfterMs: 8000 });
  });

  it('forgets a client after a success', () => {
    const limiter = createLoginLimiter(clockAt(0), limits);
    for (let i = 0; i < 3; i++) limiter.fail('ip');
    limiter.succeed('ip');
    expect(limiter.take('ip').allowed).toBe(true);
  });

  it('caps checks per minute across all clients (guesses spread over many addresses)', () => {
    const clock = clockAt(0);
    const limiter = createLoginLimiter(clock, { ...limits, globalPerMinute: 5 });
    for (let i = 0; i < 5; i++) expect(limiter.take(`10.0.0.${i}`).allowed).toBe(true);
    expect(limiter.take('10.0.0.99')).toEqual({ allowed: false, retryAfterMs: 60_000 });
    clock.advance(60_001);
    expect(limiter.take('10.0.0.99').allowed).toBe(true);
  });
});
