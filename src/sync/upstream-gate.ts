import type { Upstream } from '../shared/quick-retry.js';

/** A sync that failed on a fault of one upstream, after its quick retries. */
export interface UpstreamFault {
  githubId: number;
  /** The mirror's attempts before this sync. */
  attemptsBefore: number;
  message: string;
}

/** What becomes of a sync that failed on an upstream's fault. */
export type UpstreamFaultVerdict =
  /** The circuit is closed: the retry policy counts the attempt as usual. */
  | { waiting: false }
  /**
   * The upstream is out for every mirror: the sync is recorded with `attempts` (none spent)
   * and waits; the mirrors in `giveBack` get back the attempts their faults used before.
   */
  | {
      waiting: true;
      attempts: number;
      /** Why the mirror waits, for its last error. */
      message: string;
      giveBack: Array<{ githubId: number; attempts: number }>;
    };

/**
 * The upstream circuits as the sync workers see them: whether to claim, and what a fault
 * costs. Every sync reads GitHub and writes OneDev, so either circuit open stops claims.
 */
export interface UpstreamGate {
  /** True while any upstream's circuit is open: the workers claim nothing. */
  blocked(): boolean;
  fault(upstream: Upstream, fault: UpstreamFault): UpstreamFaultVerdict;
  /** These upstreams answered a sync: their counts of consecutive faults start over. */
  answered(upstreams: readonly Upstream[]): void;
  /**
   * After a fault was counted as an attempt: the attempts to give back when the circuit
   * opened meanwhile (another worker's fault tripped it), with the message to show.
   */
  giveBackFor(
    upstream: Upstream,
    githubId: number,
  ): { attempts: number; message: string } | undefined;
}
