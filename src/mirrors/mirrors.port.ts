import type { SyncRun } from '../sync/run.js';
import type { Mirror, MirrorSource } from './mirror.js';
import type { ControlOutcome } from './mirror-control.repo.js';
import type { MirrorOptions } from './mirror-options.js';
import type { MirrorFilter } from './mirror-queries.repo.js';
import type { MirrorSourceOps } from './mirror-sources.js';
import type { Executor, SyncRequestOutcome } from './mirrors.repo.js';

/** A GitHub repository as a source of a mirror: identity and what we know of it. */
export interface SourceRepository {
  githubId: number;
  owner: string;
  name: string;
  private: boolean;
  defaultBranch: string | null;
}

export interface EnsureResult {
  created: boolean;
  outcome: SyncRequestOutcome;
  mirror: Mirror;
}

/**
 * The one surface on mirrors that webhooks, the GitHub sources, the admin API, the
 * dashboard and the CLI call. Methods that take `db` can run inside the caller's
 * transaction (and then leave waking the workers to the caller, after commit).
 */
export interface MirrorService extends MirrorSourceOps {
  /** Creates the mirror if it does not exist (due now), otherwise asks it to sync. */
  ensureMirror(
    repo: SourceRepository,
    source: MirrorSource,
    options?: { starred?: boolean; db?: Executor },
  ): Promise<EnsureResult>;
  /** An operator adds a repository by `owner/name` (looked up on GitHub). */
  addManual(
    repo: string,
    lookUp: (owner: string, name: string) => Promise<SourceRepository>,
  ): Promise<EnsureResult>;
  syncById(
    githubId: number,
    options?: { force?: boolean; resetAttempts?: boolean; db?: Executor },
  ): Promise<SyncRequestOutcome>;
  findByName(fullName: string): Promise<Mirror | undefined>;
  findById(githubId: number, db?: Executor): Promise<Mirror | undefined>;
  /** Wakes the workers when a request queued work (after the caller's commit). */
  notify(outcome: SyncRequestOutcome): void;
  list(filter: MirrorFilter): Promise<{ mirrors: Mirror[]; total: number }>;
  /** An operator's retry of a failed or retrying mirror; anything else is a conflict. */
  retry(githubId: number): Promise<SyncRequestOutcome>;
  retryFailed(): Promise<number>;
  /** Deletes the row and its run ledger; with `deleteProject`, the OneDev project first. */
  remove(
    githubId: number,
    options?: { deleteProject?: (projectId: number) => Promise<void> },
  ): Promise<{ projectDeleted: boolean }>;
  runsOf(githubId: number, limit?: number): Promise<SyncRun[]>;
  summary(failureLimit?: number): Promise<{ counts: Record<string, number>; failures: Mirror[] }>;
  /**
   * An operator pauses mirrors (no syncs, so no restarts) until they resume them; `actor`
   * says who, and is stored with the time. One outcome per id, in order.
   */
  pauseByOperator(githubIds: number[], actor: string): Promise<ControlOutcome[]>;
  /** Lifts an operator's pause: due at once. `unchanged` when no operator paused it. */
  resumeByOperator(githubIds: number[], actor: string): Promise<ControlOutcome[]>;
  /** The options set on a mirror (overrides of global settings), with who and when. */
  optionsOf(githubId: number): Promise<MirrorOptions>;
  /** Sets options from what a person typed or an API sent; `null` or '' returns to default. */
  setOptions(
    githubId: number,
    input: Record<string, unknown>,
    actor: string,
  ): Promise<MirrorOptions>;
  /** The mirror longest without a successful sync, and how many never had one. */
  oldestSuccess(): Promise<{ oldest: Mirror | undefined; neverSynced: number }>;
  /** What operators changed on a mirror, newest first. */
  changesOf(githubId: number, limit?: number): Promise<MirrorChange[]>;
}

/** One operator change of a mirror (pause, resume, an option). */
export interface MirrorChange {
  change: string;
  detail: string | null;
  actor: string;
  at: string;
}
