import type { LsRemoteResult, RefMap } from '../git/git.port.js';
import { GitCommandError } from '../git/git-errors.js';

/**
 * Drift: OneDev's heads and tags differ from what Starbridge last pushed there — someone
 * pushed into the mirror, or added, moved or deleted a branch or tag in OneDev. A sync that
 * finds it pushes the source's refs again, which undoes it, and the run records it.
 */

/** One ref that was not what Starbridge left: `expected` is what it pushed, `found` what OneDev had (null: absent). */
export interface DriftRef {
  ref: string;
  kind: 'added' | 'moved' | 'deleted';
  expected: string | null;
  found: string | null;
}

/** The drift a run found; `restored` once the sync made OneDev equal to the source again. */
export interface DriftEntry {
  refs: DriftRef[];
  restored: boolean;
}

/** The refs of `found` (OneDev now) that differ from `expected` (last pushed), in name order. */
export function findDrift(expected: RefMap, found: RefMap): DriftRef[] {
  const names = [...new Set([...Object.keys(expected), ...Object.keys(found)])].sort();
  const drift: DriftRef[] = [];
  for (const ref of names) {
    const was = expected[ref] ?? null;
    const now = found[ref] ?? null;
    if (was === now) continue;
    const kind = was === null ? 'added' : now === null ? 'deleted' : 'moved';
    drift.push({ ref, kind, expected: was, found: now });
  }
  return drift;
}

/** One line for logs and notifications: `refs/heads/x added, refs/tags/v1 moved`. */
export function describeDrift(refs: DriftRef[], limit = 5): string {
  const shown = refs.slice(0, limit).map((r) => `${r.ref} ${r.kind}`);
  const more = refs.length > limit ? ` and ${refs.length - limit} more` : '';
  return `${shown.join(', ')}${more}`;
}

/**
 * OneDev's heads and tags now. A project someone deleted in OneDev holds none: every ref
 * drifted, and the sync creates the project again and pushes them back.
 */
export async function onedevRefsNow(list: () => Promise<LsRemoteResult>): Promise<RefMap> {
  try {
    return (await list()).refs;
  } catch (error) {
    if (error instanceof GitCommandError && error.kind === 'not_found') return {};
    throw error;
  }
}
