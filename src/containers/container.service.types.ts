import type { ActionFilter, ContainerActionRecord } from './container-action.js';
import type { PlanRequest, RestartPlan } from './restart-plan.js';

export type { ActionFilter, ContainerActionRecord } from './container-action.js';
export type { PlanRequest, RestartPlan } from './restart-plan.js';

/** A container that carries the restart label, as the API, CLI and dashboard show it. */
export interface LabelledContainer {
  id: string;
  name: string;
  image: string;
  /** Engine state: running, exited, restarting, paused, created… */
  state: string;
  /** healthy, unhealthy, starting, or null without a health check. */
  health: string | null;
  /** The repositories named by its label: `name`, `owner/name`, optionally with `@branch`. */
  follows: Array<{ repo: string; branch?: string }>;
  /** The latest restart recorded for its name (after a sync, from the API or the CLI). */
  lastRestart: { at: string; result: string; message?: string } | null;
  /** Working copies it follows that were rolled back and are held on the older commit. */
  heldBack?: Array<{ repository: string; badCommit: string; goodCommit: string }>;
}

/** What a retry after a rollback did. */
export interface RetryResult {
  /** The repositories whose hold was lifted. */
  repositories: string[];
  results: Array<{ container: string; result: string; message?: string }>;
}

/** What the rest of Starbridge (admin API, CLI, dashboard) may do with labelled containers. */
export interface ContainerService {
  /** Whether a container engine is reachable, and why not. */
  status(): Promise<{ available: boolean; message?: string; engine?: string; apiVersion?: string }>;
  list(): Promise<LabelledContainer[]>;
  /** Only labelled containers can be acted on; others are NotFound. */
  start(idOrName: string): Promise<void>;
  stop(idOrName: string): Promise<void>;
  restart(idOrName: string): Promise<void>;
  /** Restarts every container following a repository (`owner/name`). */
  restartRepository(
    fullName: string,
  ): Promise<Array<{ container: string; result: string; message?: string }>>;
  /**
   * Lifts the hold on the rolled-back working copies this container follows, moves them
   * to the branch's head and restarts their followers (Conflict when nothing is held).
   */
  retry?(idOrName: string): Promise<RetryResult>;
  /**
   * What a change of a repository would restart, in which order, and why each labelled
   * container is or is not included; touches nothing.
   */
  plan?(request: PlanRequest): Promise<RestartPlan>;
  /** Runs the configured compose command (`up -d --build [service]`) and records its output. */
  rebuild(service?: string): Promise<{ exitCode: number; output: string }>;
  /** Recorded restarts, starts, stops and rebuilds, newest first (absent in stand-ins). */
  actions?(filter: ActionFilter): Promise<ContainerActionRecord[]>;
}
