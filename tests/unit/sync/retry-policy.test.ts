import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../../src/shared/errors.js';
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

describe('decideFailure, every case (5 attempts, 1 s base, 60 s cap, no jitter)', () => {
  const limited = new UpstreamError('github_rate_limited', 'slow down', {
    retryable: true,
    retryAfterMs: 90_000,
  });
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
  const rows: Array<
    [string, unknown, number, { status: string; code: string; nextAttemptAt: string | null }]
  > = [
    ['a soft upstream failure, first attempt', soft, 1, retrying('onedev_unavailable', at(1_000))],
    ['a soft upstream failure, fourth attempt', soft, 4, retrying('onedev_unavailable', at(8_000))],
    ['a soft upstream failure, last attempt', soft, 5, failed('onedev_unavailable')],
    ['a soft upstream failure past the last attempt', soft, 7, failed('onedev_unavailable')],
    ['a hard upstream failure, first attempt', hard, 1, failed('onedev_auth')],
    [
      'a rate limit: Retry-After beats the backoff',
      limited,
      1,
      retrying('github_rate_limited', at(90_000)),
    ],
    ['a rate limit on the last attempt', limited, 5, failed('github_rate_limited')],
    ['our own validation error', new ValidationError('bad name'), 1, failed('ValidationError')],
    ['our own not-found error', new NotFoundError('no such mirror'), 1, failed('NotFound')],
    [
      'an unknown error, first attempt',
      new Error('socket hang up'),
      1,
      retrying('internal', at(1_000)),
    ],
    ['an unknown error, last attempt', new Error('socket hang up'), 5, failed('internal')],
    ['a thrown string', 'boom', 2, retrying('internal', at(2_000))],
  ];
  it.each(rows)('%s', (_, error, attempts, expected) => {
    expect(decideFailure(error, attempts, 5, now, backoff, () => 1)).toMatchObject(expected);
  });

  it('says the attempts were used up only when they were', () => {
    expect(decideFailure(soft, 5, 5, now, backoff).message).toBe(
      'OneDev answered 503 (gave up after 5 attempts; fix the cause, then retry the mirror)',
    );
    expect(decideFailure(hard, 1, 5, now, backoff).message).toBe('OneDev rejected the token');
    expect(decideFailure('boom', 1, 5, now, backoff).message).toBe('boom');
  });
});

function retrying(code: string, nextAttemptAt: string) {
  return { status: 'retrying', code, nextAttemptAt };
}

function failed(code: string) {
  return { status: 'failed', code, nextAttemptAt: null };
}
