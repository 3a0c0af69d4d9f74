/**
 * One upstream's circuit as pure state: `closed` counts the consecutive faults of syncs
 * (after their quick retries); `open` means the upstream fails for every mirror, so no sync
 * that needs it is started and the faults it causes cost no attempt. Only a probe closes it.
 * The functions answer the next state; the runtime (`upstream-circuits.ts`) keeps it, runs
 * the probes and tells the listeners.
 */

export interface CircuitSettings {
  /** Consecutive faults (after quick retries) that open the circuit. */
  threshold: number;
  /** Different mirrors those faults must come from: one broken repository is not an outage. */
  minMirrors: number;
  /** How long after a failed probe the next one runs. */
  probeIntervalMs: number;
}

/** A sync that failed on a fault of this upstream. */
export interface Fault {
  githubId: number;
  /** The mirror's attempts before this sync: what it goes back to while the upstream is out. */
  attemptsBefore: number;
  message: string;
}

export interface ClosedCircuit {
  state: 'closed';
  /** The consecutive faults since the upstream last answered. */
  faults: Fault[];
}

export interface OpenCircuit {
  state: 'open';
  since: string;
  lastError: string;
  nextProbeAt: string;
  /**
   * For each mirror whose faults opened the circuit, its attempts before the first of them:
   * those attempts are given back, and a later fault of the mirror is recorded with them.
   */
  restore: Record<number, number>;
}

export type Circuit = ClosedCircuit | OpenCircuit;

export const CLOSED: ClosedCircuit = { state: 'closed', faults: [] };

export interface FaultVerdict {
  circuit: Circuit;
  /** True when this fault opened the circuit. */
  opened: boolean;
  /** Open (now or already): the attempts the failed sync is recorded with; none spent. */
  attempts?: number;
}

/**
 * A sync failed on a fault of this upstream. Closed: counted; the threshold of consecutive
 * faults from at least `minMirrors` mirrors opens the circuit. Open: the fault costs the
 * mirror nothing, and the last error is kept for the status.
 */
export function onFault(
  circuit: Circuit,
  fault: Fault,
  now: Date,
  settings: CircuitSettings,
): FaultVerdict {
  if (circuit.state === 'open') {
    const attempts = circuit.restore[fault.githubId] ?? fault.attemptsBefore;
    return { circuit: { ...circuit, lastError: fault.message }, opened: false, attempts };
  }
  const faults = [...circuit.faults, fault];
  const mirrors = new Set(faults.map((f) => f.githubId));
  if (faults.length < settings.threshold || mirrors.size < settings.minMirrors) {
    return { circuit: { state: 'closed', faults }, opened: false };
  }
  const restore: Record<number, number> = {};
  // The earliest fault of each mirror tells what it had before the outage.
  for (const f of faults) restore[f.githubId] ??= f.attemptsBefore;
  const open = opened(now, fault.message, settings, restore);
  return { circuit: open, opened: true, attempts: restore[fault.githubId] };
}

/** The upstream answered a sync (or the sync failed for a reason of its own): the count starts over. */
export function onAnswer(circuit: Circuit): Circuit {
  return circuit.state === 'closed' && circuit.faults.length > 0 ? CLOSED : circuit;
}

/** A health check or probe of the upstream failed on a fault: open, or stay open until the next probe. */
export function onProbeFailure(
  circuit: Circuit,
  message: string,
  now: Date,
  settings: CircuitSettings,
): { circuit: Circuit; opened: boolean } {
  if (circuit.state === 'open') {
    const nextProbeAt = new Date(now.getTime() + settings.probeIntervalMs).toISOString();
    return { circuit: { ...circuit, lastError: message, nextProbeAt }, opened: false };
  }
  return { circuit: opened(now, message, settings, {}), opened: true };
}

/** A probe succeeded: the upstream answers again. */
export function onProbeSuccess(circuit: Circuit): { circuit: Circuit; closed: boolean } {
  return { circuit: CLOSED, closed: circuit.state === 'open' };
}

/** The attempts to give back to a mirror whose fault was counted before the circuit opened. */
export function restoreFor(circuit: Circuit, githubId: number): number | undefined {
  return circuit.state === 'open' ? circuit.restore[githubId] : undefined;
}

function opened(
  now: Date,
  message: string,
  settings: CircuitSettings,
  restore: Record<number, number>,
): OpenCircuit {
  return {
    state: 'open',
    since: now.toISOString(),
    lastError: message,
    nextProbeAt: new Date(now.getTime() + settings.probeIntervalMs).toISOString(),
    restore,
  };
}
