import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/shared/logger.js';
import { UpstreamError } from '../../../src/shared/upstream-error.js';
import {
  type CircuitClosedEvent,
  type CircuitOpenedEvent,
  createUpstreamCircuits,
  type UpstreamCircuits,
} from '../../../src/upstreams/upstream-circuits.js';
import { upstreamsHealthProbe } from '../../../src/upstreams/upstreams.health.js';
import { eventually } from '../../support/eventually.js';

const log = createLogger({ level: 'silent' });
const unavailable = () =>
  new UpstreamError('onedev_unavailable', 'OneDev answered 500: Server Error', { retryable: true });
const refused = () =>
  new UpstreamError('onedev_auth', 'OneDev refused the token', { retryable: false });

/** Circuits whose OneDev probe fails until `answering` is set; the probe is their only port. */
function start() {
  const state = { answering: false, probes: 0 };
  const circuits = createUpstreamCircuits({
    clock: { now: () => new Date() },
    log,
    settings: { threshold: 3, minMirrors: 2, probeIntervalMs: 30 },
    probes: {
      onedev: async () => {
        state.probes++;
        if (!state.answering) throw unavailable();
      },
    },
  });
  const opened: CircuitOpenedEvent[] = [];
  const closed: CircuitClosedEvent[] = [];
  circuits.events.on('circuit:opened', (event) => opened.push(event));
  circuits.events.on('circuit:closed', (event) => closed.push(event));
  return { circuits, state, opened, closed };
}

describe('the upstream circuits of a process', () => {
  let running: UpstreamCircuits | undefined;
  afterEach(() => running?.stop());

  it('opens on faults from two mirrors, probes while open, and closes once at the first answer', async () => {
    const { circuits, state, opened, closed } = start();
    running = circuits;
    const fault = (githubId: number) =>
      circuits.fault('onedev', { githubId, attemptsBefore: 0, message: 'OneDev answered 500' });
    expect(fault(1)).toEqual({ waiting: false });
    expect(fault(2)).toEqual({ waiting: false });
    expect(circuits.blocked()).toBe(false);
    const tripped = fault(1);
    expect(tripped).toMatchObject({
      waiting: true,
      attempts: 0,
      message: expect.stringMatching(/^waiting for OneDev to answer again \(unreachable since /),
      giveBack: [
        { githubId: 1, attempts: 0 },
        { githubId: 2, attempts: 0 },
      ],
    });
    expect(circuits.blocked()).toBe(true);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ upstream: 'onedev', label: 'OneDev' });
    // Faults while open tell nothing new.
    expect(fault(3)).toMatchObject({ waiting: true, giveBack: [] });
    expect(opened).toHaveLength(1);

    await eventually('two failed probes', () => state.probes >= 2);
    expect(circuits.blocked()).toBe(true);
    state.answering = true;
    await eventually('closed', () => !circuits.blocked());
    expect(closed).toHaveLength(1);
    expect(closed[0]?.since).toBe(opened[0]?.since);
    expect(circuits.views().find((v) => v.upstream === 'onedev')).toMatchObject({
      state: 'closed',
      opens: 1,
      faults: 0,
    });
    const probesAtClose = state.probes;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(state.probes).toBe(probesAtClose);
  });

  it('a refusal is an answer: it neither counts nor keeps a circuit open', async () => {
    const { circuits, opened } = start();
    running = circuits;
    circuits.checked('onedev', refused());
    expect(opened).toHaveLength(0);
    circuits.checked('onedev', unavailable());
    expect(circuits.blocked()).toBe(true);
    circuits.checked('onedev');
    expect(circuits.blocked()).toBe(false);
  });

  it('shows each circuit on /health, degraded while one is open', async () => {
    const { circuits } = start();
    running = circuits;
    const probe = upstreamsHealthProbe(circuits);
    expect(await probe.check()).toMatchObject({
      status: 'ok',
      circuits: { onedev: { state: 'closed' }, github: { state: 'closed' } },
    });
    circuits.checked('onedev', unavailable());
    const health = await probe.check();
    expect(health).toMatchObject({
      status: 'degraded',
      message: expect.stringMatching(/^OneDev unreachable since \S+ \(OneDev answered 500/),
      circuits: {
        onedev: {
          state: 'open',
          since: expect.any(String),
          lastError: 'OneDev answered 500: Server Error',
          nextProbeAt: expect.any(String),
        },
        github: { state: 'closed', since: null },
      },
    });
  });
});
