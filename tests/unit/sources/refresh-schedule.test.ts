import { describe, expect, it } from 'vitest';
import {
  currentInterval,
  nextInterval,
  nextSlot,
  type RefreshPolicy,
} from '../../../src/sources/refresh-schedule.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const policy: RefreshPolicy = { baseMs: HOUR, minMs: 15 * MIN, maxMs: 24 * HOUR };

describe('the adaptive refresh interval', () => {
  it('starts from the base interval', () => {
    expect(currentInterval(null, policy)).toBe(HOUR);
    expect(nextInterval(null, 'quiet', policy)).toBe(2 * HOUR);
  });

  it('halves after a change or a sync, down to the minimum', () => {
    expect(nextInterval(HOUR, 'changed', policy)).toBe(30 * MIN);
    expect(nextInterval(HOUR, 'synced', policy)).toBe(30 * MIN);
    expect(nextInterval(20 * MIN, 'synced', policy)).toBe(15 * MIN);
    expect(nextInterval(15 * MIN, 'changed', policy)).toBe(15 * MIN);
  });

  it('doubles after a quiet check, up to the maximum', () => {
    expect(nextInterval(4 * HOUR, 'quiet', policy)).toBe(8 * HOUR);
    expect(nextInterval(16 * HOUR, 'quiet', policy)).toBe(24 * HOUR);
    expect(nextInterval(24 * HOUR, 'quiet', policy)).toBe(24 * HOUR);
  });

  it('reaches the daily sweep from the base in five quiet checks', () => {
    let every: number | null = null;
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      every = nextInterval(every, 'quiet', policy);
      seen.push(every / HOUR);
    }
    expect(seen).toEqual([2, 4, 8, 16, 24, 24]);
  });

  it('cools a failing mirror down four times over, bounded by the maximum', () => {
    expect(nextInterval(HOUR, 'failed', policy)).toBe(4 * HOUR);
    expect(nextInterval(8 * HOUR, 'failed', policy)).toBe(24 * HOUR);
  });

  it('waits the maximum for a repository that is gone', () => {
    expect(nextInterval(15 * MIN, 'gone', policy)).toBe(24 * HOUR);
  });

  it('neither shortens nor lengthens after an auth failure', () => {
    expect(nextInterval(2 * HOUR, 'auth', policy)).toBe(2 * HOUR);
    expect(nextInterval(null, 'auth', policy)).toBe(HOUR);
  });

  it("keeps an operator's interval exactly, whatever the visit found", () => {
    for (const outcome of ['changed', 'synced', 'quiet', 'failed', 'gone', 'auth'] as const) {
      expect(nextInterval(4 * HOUR, outcome, policy, 2 * MIN)).toBe(2 * MIN);
    }
  });

  it('brings a stored interval back within bounds changed since', () => {
    expect(currentInterval(5 * MIN, policy)).toBe(15 * MIN);
    expect(currentInterval(48 * HOUR, policy)).toBe(24 * HOUR);
  });
});

describe('the next slot', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');

  it('is the interval away, moved by at most ten per cent either way', () => {
    expect(nextSlot(now, HOUR, () => 0.5)).toBe(now + HOUR);
    expect(nextSlot(now, HOUR, () => 0)).toBe(now + 0.9 * HOUR);
    expect(nextSlot(now, HOUR, () => 0.999_999)).toBeLessThanOrEqual(now + 1.1 * HOUR);
    expect(nextSlot(now, HOUR, () => 0.999_999)).toBeGreaterThan(now + 1.099 * HOUR);
  });

  it('spreads mirrors checked together over the whole jitter range', () => {
    let seed = 42;
    // A small linear congruential generator: deterministic, and spread over [0, 1).
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const slots = Array.from({ length: 1_000 }, () => nextSlot(now, HOUR, random) - now);
    expect(Math.min(...slots)).toBeGreaterThanOrEqual(0.9 * HOUR);
    expect(Math.max(...slots)).toBeLessThanOrEqual(1.1 * HOUR);
    expect(Math.min(...slots)).toBeLessThan(0.91 * HOUR);
    expect(Math.max(...slots)).toBeGreaterThan(1.09 * HOUR);
    expect(new Set(slots).size).toBeGreaterThan(900);
  });
});
