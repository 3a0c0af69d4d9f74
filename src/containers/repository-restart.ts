import type { ContainerEngine, EngineContainer } from '../engine/engine.port.js';
import type { RefChange } from '../sync/run.js';
import type { LedgerEntry } from './containers.events.js';
import { type ChangedFiles, decidePaths } from './path-scope.js';
import { checkoutBranch, type FollowEntry, matchingEntries } from './restart-label.js';
import { dependenciesOf, mapLimit, type OrderedFollower, restartWaves } from './restart-order.js';
import { HEALTH_FAILURES, type RestartEntry, type RestartRunner } from './restart-runner.js';
import { type RollbackDeps, rollBack } from './rollback.js';
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
  /** Rollback of working copies; absent without working copies or with RESTART_ROLLBACK=off. */
  rollback?: RollbackDeps;
  /** Independent followers restarted at the same time (default 4). */
  parallel?: number;
  /** `git diff --name-only` in a bare cache, for entries scoped to paths. */
  changedFiles?: (cacheDir: string, from: string, to: string) => Promise<string[] | undefined>;
}

type Follower = { container: EngineContainer; entries: FollowEntry[] };

/**
 * The containers following `fullName` that this change concerns. The engine was asked
 * for containers carrying the label, but the label is checked again here: an engine or
 * proxy that ignores the filter must not get unlabelled containers restarted.
 */
export function followersOf(
  containers: EngineContainer[],
  labelKey: string,
  change: RepositoryChange,
): Follower[] {
  return containers
    .map((container) => ({
      container,
      entries: matchingEntries(container.labels, labelKey, change.fullName, change.refs),
    }))
    .filter((follower) => follower.entries.length > 0);
}

/**
 * Updates the working copy (if configured), then restarts every follower once, in
 * dependency order: a follower waits until what it depends on passed its health wait;
 * independent ones restart together (bounded). A follower that fails its health wait on a
 * commit the working copy just moved to triggers a rollback (once per change).
 */
export async function restartFollowers(
  engine: ContainerEngine,
  deps: RepositoryRestartDeps,
  change: RepositoryChange,
  signal?: AbortSignal,
): Promise<LedgerEntry[]> {
  const listed = await engine.listLabelled(deps.labelKey, signal);
  const followers = await scopedToPaths(followersOf(listed, deps.labelKey, change), deps, change);
  if (followers.length === 0) return [];
  const entries: LedgerEntry[] = [];
  const checkout = await updateWorkingCopy(
    deps,
    change,
    followers.flatMap((f) => f.entries),
    signal,
  );
  if (checkout) entries.push(checkout);
  const moved = movedBy(checkout);
  const ordered = dependenciesOf(
    followers.map((f) => f.container),
    deps.labelKey,
  );
  const state: RunState = { failed: new Map(), rolledBack: false };
  for (const wave of restartWaves(ordered)) {
    const results = await mapLimit(wave, deps.parallel ?? 4, (f) =>
      restartOne(engine, deps, change, f, state, moved, signal),
    );
    entries.push(...results);
    const failed = wave.flatMap((f, i) => {
      const entry = results[i];
      return entry && HEALTH_FAILURES.has(entry.result) ? [{ container: f.container, entry }] : [];
    });
    if (failed.length > 0 && moved && deps.rollback && !state.rolledBack) {
      state.rolledBack = true;
      const request = { fullName: change.fullName, name: repositoryName(change.fullName) };
      const rolled = await rollBack(
        engine,
        deps.rollback,
        { ...request, ...moved, failed },
        signal,
      );
      entries.push(...rolled.ledger);
      for (const entry of rolled.final) note(state, entry);
    }
  }
  return entries;
}

/**
 * Keeps the followers with an entry the change concerns: one without paths, or one with a
 * file changed under its paths. A manual restart (no refs) concerns every entry.
 */
export async function scopedToPaths(
  followers: Follower[],
  deps: Pick<RepositoryRestartDeps, 'changedFiles'>,
  change: RepositoryChange,
): Promise<Follower[]> {
  const { refs, cacheDir } = change;
  const diff = deps.changedFiles;
  if (!refs || !cacheDir || !diff) return followers;
  const changed: ChangedFiles = (from, to) => diff(cacheDir, from, to);
  const kept = await Promise.all(
    followers.map(async (f) => {
      const decisions = await Promise.all(f.entries.map((e) => decidePaths(e, refs, changed)));
      const entries = f.entries.filter((_, i) => decisions[i]?.concerned);
      return entries.length > 0 ? { ...f, entries } : undefined;
    }),
  );
  return kept.filter((f): f is Follower => f !== undefined);
}

type CheckoutEntry = Extract<LedgerEntry, { kind: 'checkout' }>;

interface Move {
  path: string;
  branch: string;
  from: string;
  to: string;
}

/** The move a checkout made (from the new commit back `to` the one before), if any. */
function movedBy(checkout: CheckoutEntry | undefined): Move | undefined {
  if (checkout?.result !== 'updated' || !checkout.branch || !checkout.commit) return undefined;
  if (!checkout.previous || checkout.previous === checkout.commit) return undefined;
  return {
    path: checkout.path,
    branch: checkout.branch,
    from: checkout.commit,
    to: checkout.previous,
  };
}

/** What a change's restarts came to so far: failures (by name) block their dependents. */
interface RunState {
  failed: Map<string, string>;
  rolledBack: boolean;
}

function note(state: RunState, entry: RestartEntry): void {
  if (entry.result === 'restarted') state.failed.delete(entry.container);
  else state.failed.set(entry.container, entry.result);
}

/** Restarts one follower unless something it depends on did not come up. */
async function restartOne(
  engine: ContainerEngine,
  deps: RepositoryRestartDeps,
  change: RepositoryChange,
  follower: OrderedFollower,
  state: RunState,
  moved: Move | undefined,
  signal?: AbortSignal,
): Promise<RestartEntry> {
  const blocker = follower.after.find((name) => state.failed.has(name));
  const { container } = follower;
  if (blocker) {
    const message = `not restarted: it depends on ${blocker}, which ended ${state.failed.get(blocker)}`;
    const at = new Date().toISOString();
    const who = { container: container.name, id: container.id };
    return { kind: 'restart', ...who, result: 'skipped', message, at, durationMs: 0 };
  }
  const step = moved && deps.rollback && !state.rolledBack ? 'possible' : undefined;
  const entry = await deps.runner.restart(engine, container, change.fullName, signal, step);
  note(state, entry);
  return entry;
}

const repositoryName = (fullName: string) => fullName.slice(fullName.indexOf('/') + 1);

/** A failed checkout is recorded, and the containers restart anyway (on the old files). */
async function updateWorkingCopy(
  deps: RepositoryRestartDeps,
  change: RepositoryChange,
  entries: FollowEntry[],
  signal?: AbortSignal,
): Promise<CheckoutEntry | undefined> {
  if (!deps.workingCopies || !change.cacheDir) return undefined;
  const name = repositoryName(change.fullName);
  const branch = checkoutBranch(entries, change.defaultBranch);
  if (!branch) {
    return { kind: 'checkout', path: name, result: 'failed', message: 'no default branch known' };
  }
  try {
    const hold = await deps.rollback?.holds.get(change.fullName);
    const updated = await deps.workingCopies.update(
      {
        fullName: change.fullName,
        name,
        cacheDir: change.cacheDir,
        branch,
        ...(hold ? { holdAt: hold.badCommit } : {}),
      },
      signal,
    );
    const { held, ...where } = updated;
    if (held) {
      const message = `held on ${where.commit.slice(0, 12)}: ${branch} is still on ${hold?.badCommit.slice(0, 12)}, which ${hold?.containers.join(', ')} failed on; push a fix or retry`;
      return { kind: 'checkout', result: 'held', ...where, message };
    }
    // A newer commit arrived: the hold has done its job.
    if (hold) await deps.rollback?.holds.clear(change.fullName);
    return { kind: 'checkout', result: 'updated', ...where };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'checkout', path: name, branch, result: 'failed', message };
  }
}
