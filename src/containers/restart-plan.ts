import type { EngineContainer } from '../engine/engine.port.js';
import type { RefChange } from '../sync/run.js';
import { type ChangedFiles, decidePaths } from './path-scope.js';
import {
  type FollowEntry,
  namesRepository,
  parseRestartLabel,
  pathMatches,
} from './restart-label.js';
import { dependenciesOf, restartWaves } from './restart-order.js';

/** The change a plan is asked about: a branch moved, with these files or this commit range. */
export interface PlanRequest {
  repository: string;
  /** Default: the repository's default branch. */
  branch?: string;
  /** Files the change would touch (as if a push changed exactly these). */
  paths?: string[];
  /** Commits of the mirror's bare cache; the files are `git diff --name-only from to`. */
  range?: { from: string; to: string };
}

export interface PlannedContainer {
  name: string;
  id: string;
  included: boolean;
  /** Why it is or is not included. */
  reason: string;
  /** 1-based wave: 1 restarts first; null when not included. */
  wave: number | null;
  /** Included containers it waits for (their health wait first). */
  after: string[];
}

export interface RestartPlan {
  repository: string;
  branch: string | null;
  /** How the changed files were known: given, from a commit range, or unknown (any change). */
  files: 'given' | 'range' | 'unknown';
  containers: PlannedContainer[];
  /** The working copy is held after a rollback: it stays on goodCommit. */
  heldBack?: { badCommit: string; goodCommit: string };
}

export interface PlanInputs {
  labelKey: string;
  containers: EngineContainer[];
  isSelf: (container: EngineContainer) => boolean;
  defaultBranch: string | null;
  /** Diff of two commits of the repository's bare cache; absent when it has none. */
  changedFiles?: ChangedFiles;
}

/**
 * What a change of `request.repository` would restart, in which order, and why each
 * labelled container is or is not included: the same label, branch, path and order rules
 * as a restart after a sync, evaluated without touching anything.
 */
export async function planRestarts(
  request: PlanRequest,
  inputs: PlanInputs,
): Promise<Omit<RestartPlan, 'heldBack'>> {
  const branch = request.branch ?? inputs.defaultBranch;
  const files = request.paths ? 'given' : request.range ? 'range' : 'unknown';
  const decided = await Promise.all(
    inputs.containers.map(async (container) => ({
      container,
      ...(await decide(container, request, inputs, branch)),
    })),
  );
  const included = decided.filter((d) => d.included).map((d) => d.container);
  const waves = restartWaves(dependenciesOf(included, inputs.labelKey));
  const placed = new Map<string, { wave: number; after: string[] }>();
  waves.forEach((wave, i) => {
    for (const f of wave) placed.set(f.container.name, { wave: i + 1, after: f.after });
  });
  const containers = decided
    .map(({ container, included, reason }) => ({
      name: container.name,
      id: container.id,
      included,
      reason,
      wave: placed.get(container.name)?.wave ?? null,
      after: placed.get(container.name)?.after ?? [],
    }))
    .sort((a, b) => (a.wave ?? 1e9) - (b.wave ?? 1e9) || a.name.localeCompare(b.name));
  return { repository: request.repository, branch, files, containers };
}

async function decide(
  container: EngineContainer,
  request: PlanRequest,
  inputs: PlanInputs,
  branch: string | null,
): Promise<{ included: boolean; reason: string }> {
  const { follows } = parseRestartLabel(container.labels[inputs.labelKey] ?? '');
  const named = follows.filter((e) => namesRepository(e, request.repository));
  if (named.length === 0) {
    const others = follows.map(describe).join(', ') || 'nothing valid';
    return { included: false, reason: `follows ${others}, not ${request.repository}` };
  }
  if (inputs.isSelf(container)) {
    return { included: false, reason: "Starbridge's own container: never restarted" };
  }
  const reasons: string[] = [];
  for (const entry of named) {
    const verdict = await decideEntry(entry, request, inputs, branch);
    if (verdict.included)
      return { included: true, reason: `${describe(entry)}: ${verdict.reason}` };
    reasons.push(`${describe(entry)}: ${verdict.reason}`);
  }
  return { included: false, reason: reasons.join('; ') };
}

async function decideEntry(
  entry: FollowEntry,
  request: PlanRequest,
  inputs: PlanInputs,
  branch: string | null,
): Promise<{ included: boolean; reason: string }> {
  if (entry.branch && entry.branch.toLowerCase() !== branch?.toLowerCase()) {
    return { included: false, reason: `follows only ${entry.branch}, not ${branch ?? '?'}` };
  }
  const paths = entry.paths ?? [];
  if (paths.length === 0)
    return { included: true, reason: `any change of ${branch ?? 'a branch'}` };
  if (request.paths) {
    const hit = request.paths.find((file) => pathMatches(paths, file));
    return hit
      ? { included: true, reason: `${hit} is under ${paths.join(', ')}` }
      : { included: false, reason: `no given file is under ${paths.join(', ')}` };
  }
  if (request.range && branch && inputs.changedFiles) {
    const ref = `refs/heads/${branch}`;
    const refs: RefChange[] = [
      { ref, kind: 'updated', old: request.range.from, new: request.range.to },
    ];
    const decision = await decidePaths(entry, refs, inputs.changedFiles);
    return { included: decision.concerned, reason: decision.reason };
  }
  return {
    included: false,
    reason: `only when a file under ${paths.join(', ')} changes (give paths or a commit range)`,
  };
}

function describe(entry: FollowEntry): string {
  const branch = entry.branch ? `@${entry.branch}` : '';
  const paths = entry.paths ? `:${entry.paths.join(',')}` : '';
  return `${entry.repo}${branch}${paths}`;
}
