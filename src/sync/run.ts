import type { DriftEntry } from './drift.js';

/**
 * A sync run as the rest of Starbridge sees it: its result, the step it reached and the
 * refs it moved. The SQL that stores runs is in `runs.repo.ts`.
 */

export type RunResult =
  | 'running'
  | 'synced'
  | 'unchanged'
  | 'empty'
  | 'retrying'
  | 'failed'
  | 'aborted';

/**
 * The step a running sync is in: comparing GitHub's refs with those last pushed,
 * fetching into the cache (and getting the OneDev project), pushing to OneDev, verifying
 * OneDev's refs (and setting the default branch).
 */
export type SyncPhase = 'comparing' | 'fetching' | 'pushing' | 'verifying';

/** One ref a sync moved on OneDev: `old`/`new` are null when the ref was created/deleted. */
export interface RefChange {
  ref: string;
  kind: 'created' | 'updated' | 'forced' | 'deleted';
  old: string | null;
  new: string | null;
}

export interface SyncRun {
  id: string;
  githubId: number;
  trigger: string;
  attempt: number;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  result: RunResult;
  error: string | null;
  errorCode: string | null;
  refs: RefChange[];
  containers: unknown[];
  /** The step a running sync is in; for a finished one, the last step it reached. */
  phase: SyncPhase | null;
  /** How many of the run's calls needed a quick retry (0 while it runs). */
  quickRetries: number;
  /** OneDev's refs had been changed by someone else; null when they were as last pushed. */
  drift: DriftEntry | null;
  /** What the run's LFS step did; null when it had none (LFS off, or nothing changed). */
  lfs: RunLfs | null;
  /** Pack bytes git fetched from GitHub and pushed to OneDev; null for failed or older runs. */
  bytes: RunBytes | null;
}

/** What a run moved through git: the packs fetched from GitHub and pushed to OneDev. */
export interface RunBytes {
  fetched: number;
  pushed: number;
}

/** LFS objects and bytes a run uploaded to OneDev, and how many the mirror's refs point at. */
export interface RunLfs {
  objects: number;
  bytes: number;
  totalObjects: number;
  totalBytes: number;
}
