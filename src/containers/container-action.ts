/**
 * What Starbridge did to a container (restart, start, stop) or a compose stack (rebuild),
 * as the service, the restart runner and the API see it. The SQL is in
 * `container-actions.repo.ts`.
 */

export type ContainerActionKind = 'restart' | 'start' | 'stop' | 'rebuild' | 'rollback';

/** One action as the API shows it. */
export interface ContainerActionRecord {
  id: string;
  kind: ContainerActionKind;
  container: string | null;
  containerId: string | null;
  repository: string | null;
  result: string;
  /** A restart: what the health wait saw (healthy, running, crash-looping, unhealthy, timeout). */
  health: string | null;
  /** A rollback: the commit the working copy left, and the one it was put back to. */
  fromCommit: string | null;
  toCommit: string | null;
  message: string | null;
  output: string | null;
  exitCode: number | null;
  startedAt: string;
  finishedAt: string;
}

export type NewContainerAction = Omit<ContainerActionRecord, OptionalField | 'id'> &
  Partial<Pick<ContainerActionRecord, OptionalField>>;

type OptionalField =
  | 'container'
  | 'containerId'
  | 'repository'
  | 'health'
  | 'fromCommit'
  | 'toCommit'
  | 'message'
  | 'output'
  | 'exitCode';

export interface ActionFilter {
  limit: number;
  kind?: ContainerActionKind;
  container?: string;
}

export interface LastRestart {
  at: string;
  result: string;
  message?: string;
}

/** The record of container actions; recording never fails the action it records. */
export interface ContainerActionLog {
  /** Stores one action (message and output redacted); a database error is only logged. */
  record(action: NewContainerAction): Promise<void>;
  /** Recorded actions, newest first. */
  list(filter: ActionFilter): Promise<ContainerActionRecord[]>;
  /** The latest restart of each named container, by name. */
  latestRestarts(names: readonly string[]): Promise<Map<string, LastRestart>>;
}
