import { describe, expect, it } from 'vitest';
import {
  type Circuit,
  type CircuitSettings,
  CLOSED,
  type Fault,
  onAnswer,
  onFault,
  onProbeFailure,
  onProbeSuccess,
  restoreFor,
} from '../../../src/upstreams/circuit-state.js';

const SETTINGS: CircuitSettings = { threshold: 3, minMirrors: 2, probeIntervalMs: 5_000 };
const NOW = new Date('2026-01-01T12:00:00.000Z');
const fault = (githubId: number, attemptsBefore = 0, message = 'OneDev answered 500'): Fault => ({
  githubId,
  attemptsBefore,
  message,
});

/** Feeds the faults in order and answers the last verdict. */
function feed(circuit: Circuit, ...faults: Fault[]) {
  let verdict = { circuit, opened: false } as ReturnType<typeof onFault>;
  for (const f of faults) verdict = onFault(verdict.circuit, f, NOW, SETTINGS);
  return verdict;
}

describe('the upstream circuit', () => {
  it('counts faults while closed: below the threshold they are attempts as usual', () => {
    const verdict = feed(CLOSED, fault(1), fault(2));
    expect(verdict).toEqual({
      circuit: { state: 'closed', faults: [fault(1), fault(2)] },
      opened: false,
    });
    expect(verdict.attempts).toBeUndefined();
  });

  it('opens at the threshold of consecutive faults from two mirrors, and the tripping fault spends nothing', () => {
    const verdict = feed(CLOSED, fault(1, 0), fault(2, 1), fault(1, 1, 'connect ECONNREFUSED'));
    expect(verdict.opened).toBe(true);
    expect(verdict.circuit).toEqual({
      state: 'open',
      since: NOW.toISOString(),
      lastError: 'connect ECONNREFUSED',
      nextProbeAt: '2026-01-01T12:00:05.000Z',
      // Each mirror goes back to what it had before its first fault of the run of faults.
      restore: { 1: 0, 2: 1 },
    });
    expect(verdict.attempts).toBe(0);
  });

  it('never opens on one mirror alone, however many faults: that is the repository, not an outage', () => {
    const verdict = feed(CLOSED, fault(7), fault(7), fault(7), fault(7), fault(7));
    expect(verdict.opened).toBe(false);
    expect(verdict.circuit.state).toBe('closed');
    // A second mirror failing too is an outage.
    expect(onFault(verdict.circuit, fault(8), NOW, SETTINGS).opened).toBe(true);
  });

  it('starts counting over when the upstream answers', () => {
    const counted = feed(CLOSED, fault(1), fault(2)).circuit;
    const answered = onAnswer(counted);
    expect(answered).toEqual(CLOSED);
    expect(feed(answered, fault(3)).opened).toBe(false);
  });

  it('while open, a fault costs the mirror nothing and keeps the last error', () => {
    const open = feed(CLOSED, fault(1, 2), fault(2), fault(3)).circuit;
    const later = onFault(open, fault(1, 3, 'timeout'), NOW, SETTINGS);
    expect(later.opened).toBe(false);
    // Mirror 1 had 2 attempts before the outage: its later fault is recorded with 2.
    expect(later.attempts).toBe(2);
    expect(later.circuit).toMatchObject({ state: 'open', lastError: 'timeout' });
    // A mirror not among those that opened it keeps what it had.
    expect(onFault(open, fault(9, 4), NOW, SETTINGS).attempts).toBe(4);
  });

  it('an answer while open does not close it: only a probe does', () => {
    const open = feed(CLOSED, fault(1), fault(2), fault(3)).circuit;
    expect(onAnswer(open)).toBe(open);
  });

  it('a failed health check opens it at once; a failed probe moves the next probe on', () => {
    const { circuit, opened } = onProbeFailure(CLOSED, 'OneDev is unreachable', NOW, SETTINGS);
    expect(opened).toBe(true);
    expect(circuit).toMatchObject({ state: 'open', since: NOW.toISOString(), restore: {} });
    const later = new Date(NOW.getTime() + 5_000);
    const again = onProbeFailure(circuit, 'still down', later, SETTINGS);
    expect(again.opened).toBe(false);
    expect(again.circuit).toMatchObject({
      state: 'open',
      since: NOW.toISOString(),
      lastError: 'still down',
      nextProbeAt: '2026-01-01T12:00:10.000Z',
    });
  });

  it('a successful probe closes it, with nothing counted', () => {
    const open = feed(CLOSED, fault(1), fault(2), fault(3)).circuit;
    expect(onProbeSuccess(open)).toEqual({ circuit: CLOSED, closed: true });
    expect(onProbeSuccess(CLOSED)).toEqual({ circuit: CLOSED, closed: false });
  });

  it('tells what to give back to a mirror whose fault was counted before it opened', () => {
    const open = feed(CLOSED, fault(1, 1), fault(2, 0), fault(3, 0)).circuit;
    expect(restoreFor(open, 1)).toBe(1);
    expect(restoreFor(open, 4)).toBeUndefined();
    expect(restoreFor(feed(CLOSED, fault(1)).circuit, 1)).toBeUndefined();
  });
});
