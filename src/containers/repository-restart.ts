import type { ContainerEngine, EngineContainer } from '../engine/engine.port.js';
import type { RefChange } from '../sync/run.js';
import type { LedgerEntry } from './containers.events.js';
import { checkoutBranch, type FollowEntry, matchingEntries } from './restart-label.js';
import type { RestartRunner } from './restart-runner.js';
import type { WorkingCopies } from './working-copy.adapter.js';

export interface RepositoryChange {
  fullName: string;
  /** Where the bare cache is, for the working copy; absent when the mirror is unknown. */
  cacheDir?: string;
  defaultBranch: string | null;
  /** Refs the syncs moved; absent for a manual restart (every follower restarts). */
  refs?: RefChange[];
}

export interface RepositoryRestartDeps {
  labelKey: string;
  runner: RestartRunner;
  workingCopies?: WorkingCopies;
}

/**
 * The containers following `fullName` that this change concerns. The engine was asked
 * for containers carrying the label, but the label is checked again here: an engine or
 * proxy that ignores the filter must not get unlabelled containers restarted.
 */
export function followersOf(
  containers: EngineContainer[],
  labelKey: string,
  change: RepositoryChange,
): Array<{ container: EngineContainer; entries: FollowEntry[] }> {
  return containers
    .map((container) => ({
      container,
      entries: matchingEntries(container.labels, labelKey, change.fullName, change.refs),
    }))
    .filter((follower) => follower.entries.length > 0);
}

/** Updates the working copy (if configured), then restarts every follower once. */
export async function restartFollowers(
  engine: ContainerEngine,
  deps: RepositoryRestartDeps,
  change: RepositoryChange,
  signal?: AbortSignal,
): Promise<LedgerEntry[]> {
  const listed = await engine.listLabelled(deps.labelKey, signal);
  const followers = followersOf(listed, deps.labelKey, change);
  if (followers.length === 0) return [];
  const entries: LedgerEntry[] = [];
  const checkout = await updateWorkingCopy(
    deps,
    change,
    followers.flatMap((f) => f.entries),
    signal,
  );
  if (checkout) entries.push(checkout);
  const restarts = await Promise.all(
    followers.map(({ container }) =>
      deps.runner.restart(engine, container, change.fullName, signal),
    ),
  );
  return [...entries, ...restarts];
}

/** A failed checkout is recorded, and the containers restart anyway (on the old files). */
async function updateWorkingCopy(
  deps: RepositoryRestartDeps,
  change: RepositoryChange,
  entries: FollowEntry[],
  signal?: AbortSignal,
): Promise<LedgerEntry | undefined> {
  if (!deps.workingCopies || !change.cacheDir) return undefined;
  const name = change.fullName.slice(change.fullName.indexOf('/') + 1);
  const branch = checkoutBranch(entries, change.defaultBranch);
  if (!branch) {
    return { kind: 'checkout', path: name, result: 'failed', message: 'no default branch known' };
  }
  try {
    const updated = await deps.workingCopies.update(
      { fullName: change.fullName, name, cacheDir: change.cacheDir, branch },
      signal,
    );
    return { kind: 'checkout', result: 'updated', ...updated };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'checkout', path: name, branch, result: 'failed', message };
  }
}
