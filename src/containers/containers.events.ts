import type { HealthVerdict } from './health-wait.js';

/** What a restart came to. `gone`: removed between listing and restart (a warning). */
export type RestartResult =
  | 'restarted'
  | 'unhealthy'
  | 'not_running'
  | 'crash_looping'
  | 'gone'
  | 'failed'
  | 'timeout'
  | 'skipped';

/** One entry of a sync run's `containers` ledger column. */
export type LedgerEntry =
  | {
      kind: 'restart';
      container: string;
      id: string;
      result: RestartResult;
      /** What the health wait saw; absent when the restart itself failed or was skipped. */
      health?: HealthVerdict;
      message?: string;
      at: string;
      durationMs: number;
    }
  | {
      kind: 'checkout';
      path: string;
      result: 'updated' | 'failed';
      branch?: string;
      commit?: string;
      message?: string;
    }
  | { kind: 'skipped'; message: string };

/**
 * Events for whoever wants to count (metrics) or tell (notifications). `repo` is absent
 * for a restart asked for by container through the API or CLI.
 */
export interface ContainerEvents {
  'container:restarted': [
    {
      container: string;
      id: string;
      repo?: string;
      result: RestartResult;
      health?: HealthVerdict;
      durationMs: number;
    },
  ];
  'container:skipped': [{ repo: string; reason: string }];
  'containers:batch': [{ repo: string; runs: string[]; entries: LedgerEntry[] }];
}
