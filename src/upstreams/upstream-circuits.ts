import { EventEmitter } from 'node:events';
import type { Clock } from '../shared/clock.js';
import { coerceError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { isUpstreamFault, type Upstream } from '../shared/upstream-fault.js';
import type { UpstreamFault, UpstreamFaultVerdict, UpstreamGate } from '../sync/upstream-gate.js';
import {
  type Circuit,
  type CircuitSettings,
  CLOSED,
  onAnswer,
  onFault,
  onProbeFailure,
  onProbeSuccess,
  restoreFor,
} from './circuit-state.js';

export const UPSTREAMS: readonly Upstream[] = ['onedev', 'github'];

const LABELS: Record<Upstream, string> = { onedev: 'OneDev', github: 'GitHub' };

/** One upstream's circuit as /health, the dashboard and the metrics show it. */
export interface CircuitView {
  upstream: Upstream;
  label: string;
  state: 'closed' | 'open';
  /** When it opened; null while closed. */
  since: string | null;
  lastError: string | null;
  nextProbeAt: string | null;
  /** Consecutive faults counted while closed. */
  faults: number;
  /** Times it opened since the process started. */
  opens: number;
}

export interface CircuitOpenedEvent {
  upstream: Upstream;
  label: string;
  since: string;
  error: string;
}

export interface CircuitClosedEvent {
  upstream: Upstream;
  label: string;
  since: string;
  until: string;
}

export interface CircuitEvents {
  'circuit:opened': [CircuitOpenedEvent];
  'circuit:closed': [CircuitClosedEvent];
}

/** The circuits of this process, one per upstream; see docs/operations.md. */
export interface UpstreamCircuits extends UpstreamGate {
  events: EventEmitter<CircuitEvents>;
  views(): CircuitView[];
  /** A health check of the upstream ended: a fault opens its circuit, an answer closes it. */
  checked(upstream: Upstream, error?: unknown): void;
  /** Stops the probes. */
  stop(): void;
}

export interface UpstreamCircuitsDeps {
  clock: Clock;
  log: Logger;
  settings: CircuitSettings;
  /** Cheap calls that succeed when the upstream answers (OneDev's version, GitHub's rate limit). */
  probes: Partial<Record<Upstream, () => Promise<unknown>>>;
}

/**
 * The upstream circuits: counts faults, opens a circuit when an upstream fails for every
 * mirror, probes it every `probeIntervalMs` while open, and closes it at the first answer.
 * The state lives in this process; each replica keeps its own.
 */
export function createUpstreamCircuits(deps: UpstreamCircuitsDeps): UpstreamCircuits {
  const { clock, settings } = deps;
  const log = deps.log.child({ component: 'upstream-circuit' });
  const events = new EventEmitter<CircuitEvents>();
  const circuits: Record<Upstream, Circuit> = { onedev: CLOSED, github: CLOSED };
  const opens: Record<Upstream, number> = { onedev: 0, github: 0 };
  const timers = new Map<Upstream, NodeJS.Timeout>();
  let stopped = false;

  function opened(upstream: Upstream): void {
    const circuit = circuits[upstream];
    if (circuit.state !== 'open') return;
    opens[upstream]++;
    const event = { upstream, label: LABELS[upstream], since: circuit.since };
    log.warn({ ...event, error: circuit.lastError }, 'upstream circuit opened');
    schedule(upstream);
    tell('circuit:opened', { ...event, error: circuit.lastError });
  }

  function close(upstream: Upstream): void {
    const before = circuits[upstream];
    const { circuit, closed } = onProbeSuccess(before);
    circuits[upstream] = circuit;
    if (!closed || before.state !== 'open') return;
    clearTimeout(timers.get(upstream));
    timers.delete(upstream);
    const event = {
      upstream,
      label: LABELS[upstream],
      since: before.since,
      until: clock.now().toISOString(),
    };
    log.info(event, 'upstream circuit closed');
    tell('circuit:closed', event);
  }

  function schedule(upstream: Upstream): void {
    if (stopped || !deps.probes[upstream]) return;
    clearTimeout(timers.get(upstream));
    const timer = setTimeout(() => void probe(upstream), settings.probeIntervalMs);
    timer.unref();
    timers.set(upstream, timer);
  }

  async function probe(upstream: Upstream): Promise<void> {
    try {
      await deps.probes[upstream]?.();
      close(upstream);
    } catch (error) {
      if (!isUpstreamFault(error)) {
        // It answered (even with a refusal): reachable again; syncs tell the rest.
        close(upstream);
        return;
      }
      const message = coerceError(error).message;
      circuits[upstream] = onProbeFailure(
        circuits[upstream],
        message,
        clock.now(),
        settings,
      ).circuit;
      log.debug({ upstream, err: error }, 'upstream probe failed');
      schedule(upstream);
    }
  }

  /** A listener that throws is logged: it cannot change the circuit or stop a worker. */
  function tell<K extends keyof CircuitEvents>(name: K, ...args: CircuitEvents[K]): void {
    for (const listener of events.rawListeners(name)) {
      try {
        (listener as (...a: CircuitEvents[K]) => unknown)(...args);
      } catch (error) {
        log.error({ err: coerceError(error) }, `a ${name} listener failed`);
      }
    }
  }

  function waitingMessage(upstream: Upstream, error: string): string {
    const circuit = circuits[upstream];
    const since = circuit.state === 'open' ? ` (unreachable since ${circuit.since})` : '';
    return `waiting for ${LABELS[upstream]} to answer again${since}: ${error}`;
  }

  function fault(upstream: Upstream, fault: UpstreamFault): UpstreamFaultVerdict {
    const verdict = onFault(circuits[upstream], fault, clock.now(), settings);
    circuits[upstream] = verdict.circuit;
    if (verdict.attempts === undefined) return { waiting: false };
    if (verdict.opened) opened(upstream);
    const restore = verdict.circuit.state === 'open' ? verdict.circuit.restore : {};
    return {
      waiting: true,
      attempts: verdict.attempts,
      message: waitingMessage(upstream, fault.message),
      giveBack: verdict.opened
        ? Object.entries(restore).map(([id, attempts]) => ({ githubId: Number(id), attempts }))
        : [],
    };
  }

  function view(upstream: Upstream): CircuitView {
    const circuit = circuits[upstream];
    const open = circuit.state === 'open';
    return {
      upstream,
      label: LABELS[upstream],
      state: circuit.state,
      since: open ? circuit.since : null,
      lastError: open ? circuit.lastError : null,
      nextProbeAt: open ? circuit.nextProbeAt : null,
      faults: open ? 0 : circuit.faults.length,
      opens: opens[upstream],
    };
  }

  return {
    events,
    blocked: () => UPSTREAMS.some((upstream) => circuits[upstream].state === 'open'),
    fault,
    answered(upstreams) {
      for (const upstream of upstreams) circuits[upstream] = onAnswer(circuits[upstream]);
    },
    giveBackFor(upstream, githubId) {
      const circuit = circuits[upstream];
      const attempts = restoreFor(circuit, githubId);
      if (attempts === undefined || circuit.state !== 'open') return undefined;
      return { attempts, message: waitingMessage(upstream, circuit.lastError) };
    },
    checked(upstream, error) {
      if (error === undefined) return close(upstream);
      if (!isUpstreamFault(error) || circuits[upstream].state === 'open') return;
      const message = coerceError(error).message;
      circuits[upstream] = onProbeFailure(
        circuits[upstream],
        message,
        clock.now(),
        settings,
      ).circuit;
      opened(upstream);
    },
    views: () => UPSTREAMS.map(view),
    stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
