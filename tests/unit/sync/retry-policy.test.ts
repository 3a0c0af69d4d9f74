import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/shared/errors.js';
import { UpstreamError } from '../../../src/shared/upstream-error.js';
import { backoffDelay, decideFailure } from '../../../src/sync/retry-policy.js';

const now = new Date('2026-01-01T00:00:00.000Z');
const backoff = { baseMs: 1000, capMs: 60_000 };
const soft = new UpstreamError('onedev_unavailable', 'OneDev answered 503', { retryable: true });
const hard = new UpstreamError('onedev_auth', 'OneDev rejected the token', { retryable: false });

describe('decideFailure', () => {
  it('retries soft failures with growing delays until the last attempt', () => {
    const first = decideFailure(soft, 1, 5, now, backoff, () => 1);
    expect(first).toMatchObject({
      status: 'retrying',
      code: 'onedev_unavailable',
      nextAttemptAt: '2026-01-01T00:00:01.000Z',
    });
    const third = decideFailure(soft, 3, 5, now, backoff, () => 1);
    expect(third.nextAttemptAt).toBe('2026-01-01T00:00:04.000Z');
    const last = decideFailure(soft, 5, 5, now, backoff);
    expect(last.status).toBe('failed');
    expect(last.message).toMatch(/gave up after 5 attempts/);
  });

  it('fails hard errors at once', () => {
    expect(decideFailure(hard, 1, 10, now, backoff)).toMatchObject({
      status: 'failed',
      code: 'onedev_auth',
      nextAttemptAt: null,
    });
    expect(decideFailure(new ValidationError('bad name'), 1, 10, now, backoff).status).toBe(
      'failed',
    );
  });

  it('never retries sooner than Retry-After', () => {
    const limited = new UpstreamError('github_rate_limited', 'slow down', {
      retryable: true,
      retryAfterMs: 120_000,
    });
    expect(decideFailure(limited, 1, 10, now, backoff, () => 0).nextAttemptAt).toBe(
      '2026-01-01T00:02:00.000Z',
    );
  });

  it('caps the delay and jitters between half and all of it', () => {
    expect(backoffDelay(30, backoff, () => 0)).toBe(30_000);
    expect(backoffDelay(30, backoff, () => 1)).toBe(60_000);
  });
});
