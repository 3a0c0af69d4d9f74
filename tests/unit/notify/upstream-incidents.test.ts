import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Notification, Notifier } from '../../../src/notify/notifier.js';
import { notifyUpstreamIncidents } from '../../../src/notify/upstream-incidents.js';
import type { CircuitEvents } from '../../../src/upstreams/upstream-circuits.js';
import { eventually } from '../../support/eventually.js';

/** A notifier (the port) that records what it is asked to send. */
function recording(): Notifier & { sent: Notification[] } {
  const sent: Notification[] = [];
  return { sent, send: (n) => void sent.push(n), drain: async () => {} };
}

const opened = (since: string) => ({
  upstream: 'onedev' as const,
  label: 'OneDev',
  since,
  error: 'OneDev answered 500: Server Error',
});
const closed = (since: string, until: string) => ({
  upstream: 'onedev' as const,
  label: 'OneDev',
  since,
  until,
});

describe('outage notifications', () => {
  it('tells an outage once and its end once the circuit stayed closed', async () => {
    const events = new EventEmitter<CircuitEvents>();
    const notifier = recording();
    notifyUpstreamIncidents(events, notifier, 30);
    events.emit('circuit:opened', opened('T1'));
    expect(notifier.sent.map((n) => n.kind)).toEqual(['upstream.unreachable']);
    expect(notifier.sent[0]?.text).toMatch(/OneDev unreachable since T1 \(OneDev answered 500/);
    events.emit('circuit:closed', closed('T1', 'T2'));
    expect(notifier.sent).toHaveLength(1);
    await eventually('the recovery', () => notifier.sent.length === 2);
    expect(notifier.sent[1]).toMatchObject({
      kind: 'upstream.recovered',
      upstream: 'onedev',
      since: 'T1',
      until: 'T2',
    });
  });

  it('a circuit that opens again while its recovery settles continues the same incident', async () => {
    const events = new EventEmitter<CircuitEvents>();
    const notifier = recording();
    const { flush } = notifyUpstreamIncidents(events, notifier, 60_000);
    events.emit('circuit:opened', opened('T1'));
    for (const [since, until] of [
      ['T1', 'T2'],
      ['T3', 'T4'],
    ]) {
      events.emit('circuit:closed', closed(since as string, until as string));
      events.emit('circuit:opened', opened('T3'));
    }
    events.emit('circuit:closed', closed('T5', 'T6'));
    expect(notifier.sent.map((n) => n.kind)).toEqual(['upstream.unreachable']);
    // At shutdown the settling recovery is told at once, from the first opening to the last closing.
    flush();
    expect(notifier.sent.map((n) => n.kind)).toEqual([
      'upstream.unreachable',
      'upstream.recovered',
    ]);
    expect(notifier.sent[1]).toMatchObject({ since: 'T1', until: 'T6' });
    flush();
    expect(notifier.sent).toHaveLength(2);
  });
});
