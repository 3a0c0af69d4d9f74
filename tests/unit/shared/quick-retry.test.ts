import { describe, expect, it } from 'vitest';
import { GitCommandError } from '../../../src/git/git-errors.js';
import { onedevHttpError, onedevNetworkError } from '../../../src/onedev/onedev-errors.js';
import { ValidationError } from '../../../src/shared/errors.js';
import {
  classifyForQuickRetry,
  type QuickRetryEvent,
  quickRetry,
} from '../../../src/shared/quick-retry.js';
import { UpstreamError } from '../../../src/shared/upstream-error.js';

const onedev = (status: number, retryAfter: string | null = null) =>
  onedevHttpError(status, 'text/plain', 'Server Error', 'looking up project a/b', retryAfter);

const fast = {
  call: 'test call',
  upstream: 'onedev' as const,
  attempts: 4,
  minDelayMs: 1,
  maxDelayMs: 5,
};

/** A call that fails with `errors` in turn, then answers `ok`; counts its calls. */
function flaky(errors: unknown[]) {
  const state = { calls: 0 };
  const run = async () => {
    const error = errors[state.calls++];
    if (error !== undefined) throw error;
    return 'ok';
  };
  return { state, run };
}

describe('classifyForQuickRetry', () => {
  it('retries 5xx, 408, 429 and 503, network errors and timeouts', () => {
    for (const status of [500, 502, 503, 504, 408, 429]) {
      expect(classifyForQuickRetry(onedev(status)), String(status)).toEqual({
        retry: true,
        reason: 'onedev_unavailable',
      });
    }
    const reset = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    });
    expect(classifyForQuickRetry(onedevNetworkError(reset, 'x', false))).toMatchObject({
      retry: true,
      reason: 'onedev_network',
    });
    expect(classifyForQuickRetry(onedevNetworkError(reset, 'x', true))).toMatchObject({
      retry: true,
      reason: 'onedev_timeout',
    });
    // Untyped failures: only a network error or a timeout is worth a quick retry.
    expect(classifyForQuickRetry(reset)).toMatchObject({ retry: true, reason: 'network' });
    expect(
      classifyForQuickRetry(new DOMException('The operation timed out.', 'TimeoutError')),
    ).toMatchObject({ retry: true, reason: 'timeout' });
    expect(classifyForQuickRetry(new Error('boom'))).toMatchObject({ retry: false });
    expect(classifyForQuickRetry(new TypeError('x is not a function'))).toMatchObject({
      retry: false,
    });
  });

  it('never retries other 4xx, redirects, or failures that are not transient', () => {
    for (const status of [400, 401, 403, 404, 409, 410, 422, 302]) {
      expect(classifyForQuickRetry(onedev(status)).retry, String(status)).toBe(false);
    }
    expect(classifyForQuickRetry(new ValidationError('bad name')).retry).toBe(false);
    expect(
      classifyForQuickRetry(new UpstreamError('github_auth', 'refused', { retryable: false })),
    ).toEqual({ retry: false, reason: 'github_auth', why: 'not retryable' });
  });

  it('retries git network failures and timeouts, not refusals, corruption or an abort', () => {
    const git = (kind: ConstructorParameters<typeof GitCommandError>[0], retryable: boolean) =>
      classifyForQuickRetry(new GitCommandError(kind, `git ${kind}`, { retryable }));
    expect(git('network', true)).toEqual({ retry: true, reason: 'git_network' });
    expect(git('timeout', true)).toEqual({ retry: true, reason: 'git_timeout' });
    expect(git('rejected', false).retry).toBe(false);
    expect(git('auth', false).retry).toBe(false);
    expect(git('corrupt', false).retry).toBe(false);
    // Retryable for the durable backoff (shutdown is nobody's fault), but never here.
    expect(git('aborted', true)).toMatchObject({ retry: false, why: 'aborted' });
  });

  it('honours a short Retry-After and leaves a long one to the durable backoff', () => {
    expect(classifyForQuickRetry(onedev(503, '2'))).toEqual({
      retry: true,
      reason: 'onedev_unavailable',
      retryAfterMs: 2_000,
    });
    expect(classifyForQuickRetry(onedev(429, '120'))).toEqual({
      retry: false,
      reason: 'onedev_unavailable',
      why: 'Retry-After 120 s',
    });
    expect(classifyForQuickRetry(onedev(503, '8'), 10_000).retry).toBe(true);
  });
});

describe('quickRetry', () => {
  it('retries a failure that passes, reporting each retry with its reason', async () => {
    const { state, run } = flaky([onedev(500), onedev(503)]);
    const events: QuickRetryEvent[] = [];
    expect(await quickRetry(run, { ...fast, onRetry: (e) => events.push(e) })).toBe('ok');
    expect(state.calls).toBe(3);
    expect(events.map((e) => [e.call, e.upstream, e.reason, e.retry])).toEqual([
      ['test call', 'onedev', 'onedev_unavailable', 1],
      ['test call', 'onedev', 'onedev_unavailable', 2],
    ]);
    expect(events[0]?.message).toMatch(/HTTP 500/);
  });

  it('calls a 401 once and throws its error as it is', async () => {
    const refused = onedev(401);
    const { state, run } = flaky([refused]);
    const events: QuickRetryEvent[] = [];
    await expect(quickRetry(run, { ...fast, onRetry: (e) => events.push(e) })).rejects.toBe(
      refused,
    );
    expect(state.calls).toBe(1);
    expect(events).toEqual([]);
  });

  it('gives up after its attempts with the last failure', async () => {
    const last = onedev(502);
    const { state, run } = flaky([onedev(500), onedev(500), onedev(500), last]);
    await expect(quickRetry(run, fast)).rejects.toBe(last);
    expect(state.calls).toBe(4);
    // Six attempts unless told otherwise.
    const again = flaky(Array.from({ length: 7 }, () => onedev(500)));
    const { attempts: _attempts, ...defaults } = fast;
    await expect(quickRetry(again.run, defaults)).rejects.toMatchObject({
      reason: 'onedev_unavailable',
    });
    expect(again.state.calls).toBe(6);
  });

  it('waits out a short Retry-After, and not a long one at all', async () => {
    const short = flaky([onedev(503, '0.3')]);
    const started = performance.now();
    const events: QuickRetryEvent[] = [];
    expect(await quickRetry(short.run, { ...fast, onRetry: (e) => events.push(e) })).toBe('ok');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(events[0]?.delayMs).toBeGreaterThanOrEqual(300);

    const long = flaky([onedev(429, '60')]);
    const before = performance.now();
    await expect(quickRetry(long.run, fast)).rejects.toMatchObject({ retryAfterMs: 60_000 });
    expect(long.state.calls).toBe(1);
    expect(performance.now() - before).toBeLessThan(200);
  });

  it('jitters its delays within the configured bounds', async () => {
    const delays: number[] = [];
    const { run } = flaky([onedev(500), onedev(500), onedev(500)]);
    await quickRetry(run, {
      ...fast,
      minDelayMs: 20,
      maxDelayMs: 50,
      onRetry: (e) => delays.push(e.delayMs),
    });
    // 20 ms doubling each retry, times a random factor of 1–2, capped at 50 ms.
    expect(delays[0]).toBeGreaterThanOrEqual(20);
    expect(delays[0]).toBeLessThanOrEqual(40);
    expect(delays[1]).toBeGreaterThanOrEqual(40);
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(50);
  });

  it('stops at once when the signal aborts during a wait: no further attempt', async () => {
    const controller = new AbortController();
    const { state, run } = flaky([onedev(500), onedev(500)]);
    const started = performance.now();
    const pending = quickRetry(run, {
      ...fast,
      minDelayMs: 5_000,
      maxDelayMs: 5_000,
      signal: controller.signal,
      onRetry: () => setTimeout(() => controller.abort(new Error('lease lost')), 20),
    });
    await expect(pending).rejects.toThrow('lease lost');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(state.calls).toBe(1);
  });

  it('stops at once during a long Retry-After wait when the signal aborts', async () => {
    const controller = new AbortController();
    const { state, run } = flaky([onedev(503, '4')]);
    const started = performance.now();
    const pending = quickRetry(run, {
      ...fast,
      signal: controller.signal,
      onRetry: () => setTimeout(() => controller.abort(new Error('shutdown')), 20),
    });
    await expect(pending).rejects.toThrow('shutdown');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(state.calls).toBe(1);
  });

  it('does not start when the signal is already aborted', async () => {
    const { state, run } = flaky([]);
    const signal = AbortSignal.abort(new Error('stopped'));
    await expect(quickRetry(run, { ...fast, signal })).rejects.toThrow('stopped');
    expect(state.calls).toBe(0);
  });

  it('does not retry again a failure an inner quick retry already gave up on', async () => {
    const inner = flaky([onedev(500), onedev(500), onedev(500), onedev(500)]);
    let outerCalls = 0;
    await expect(
      quickRetry(
        () => {
          outerCalls++;
          return quickRetry(inner.run, fast);
        },
        { ...fast, call: 'outer' },
      ),
    ).rejects.toMatchObject({ reason: 'onedev_unavailable' });
    expect(outerCalls).toBe(1);
    expect(inner.state.calls).toBe(4);
  });
});
