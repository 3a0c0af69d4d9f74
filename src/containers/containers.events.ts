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
      /** `held`: the branch is still on a commit its followers failed on; it stayed put. */
      result: 'updated' | 'held' | 'failed';
      branch?: string;
      commit?: string;
      /** The commit checked out before (null: a new working copy). */
      previous?: string | null;
      message?: string;
    }
  | {
      kind: 'rollback';
      /** The followers that failed on `from` and were restarted on `to`. */
      containers: string[];
      path: string;
      from: string;
      to: string;
      /** How the restart on `to` went (the worst of them). */
      result: RestartResult;
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
      /**
       * Part of a rollback: a failure about to be rolled back, or the restart after it.
       * The rollback tells about both in one `container:rolled-back`.
       */
      rollback?: 'pending' | 'after';
    },
  ];
  'container:rolled-back': [
    {
      repo: string;
      containers: string[];
      from: string;
      to: string;
      /** What the failed restart came to on `from`, and the restart on `to`. */
      failure: RestartResult;
      result: RestartResult;
    },
  ];
  'container:skipped': [{ repo: string; reason: string }];
  'containers:batch': [{ repo: string; runs: string[]; entries: LedgerEntry[] }];
}
