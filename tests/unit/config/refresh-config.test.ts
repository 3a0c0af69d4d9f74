import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';

const MINUTE = 60_000;

describe('the refresh settings', () => {
  it('default to a 15-minute floor and a daily sweep around the hourly start', () => {
    const { github } = loadConfig({});
    expect(github.refreshIntervalMs).toBe(60 * MINUTE);
    expect(github.refreshMinIntervalMs).toBe(15 * MINUTE);
    expect(github.refreshMaxIntervalMs).toBe(24 * 60 * MINUTE);
  });

  it('take the bounds as durations', () => {
    const { github } = loadConfig({ REFRESH_MIN_INTERVAL: '5m', REFRESH_MAX_INTERVAL: '12h' });
    expect(github.refreshMinIntervalMs).toBe(5 * MINUTE);
    expect(github.refreshMaxIntervalMs).toBe(12 * 60 * MINUTE);
  });

  it('widen the bounds to include REFRESH_INTERVAL, so it is never clamped away', () => {
    const short = loadConfig({ REFRESH_INTERVAL: '1m' }).github;
    expect(short.refreshMinIntervalMs).toBe(MINUTE);
    const long = loadConfig({ REFRESH_INTERVAL: '48h' }).github;
    expect(long.refreshMaxIntervalMs).toBe(48 * 60 * MINUTE);
  });

  it('give a fixed schedule when both bounds equal REFRESH_INTERVAL', () => {
    const { github } = loadConfig({
      REFRESH_INTERVAL: '2h',
      REFRESH_MIN_INTERVAL: '2h',
      REFRESH_MAX_INTERVAL: '2h',
    });
    expect([github.refreshMinIntervalMs, github.refreshMaxIntervalMs]).toEqual([
      120 * MINUTE,
      120 * MINUTE,
    ]);
  });
});
