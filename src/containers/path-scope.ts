import type { RefChange } from '../sync/run.js';
import { type FollowEntry, pathMatches } from './restart-label.js';

/** The files two commits of the mirror's bare cache differ in; undefined: a commit is missing. */
export type ChangedFiles = (from: string, to: string) => Promise<string[] | undefined>;

/** Whether a path-scoped entry is concerned, and why (for the ledger's log and the plan). */
export interface PathDecision {
  concerned: boolean;
  reason: string;
}

/** One range per branch a batch moved: the first `old` and the last `new` (syncs merged). */
export function branchRanges(refs: RefChange[]): Map<string, { from: string | null; to: string }> {
  const ranges = new Map<string, { from: string | null; to: string }>();
  for (const change of refs) {
    if (!change.ref.startsWith('refs/heads/') || change.kind === 'deleted' || !change.new) continue;
    const branch = change.ref.slice('refs/heads/'.length).toLowerCase();
    const known = ranges.get(branch);
    ranges.set(branch, { from: known ? known.from : change.old, to: change.new });
  }
  return ranges;
}

/**
 * Decides a path-scoped entry from what changed on its branch (any moved branch when it
 * names none). A branch just created, or a commit the cache no longer has (a force push
 * pruned it), cannot be compared: the entry is concerned, since skipping a restart that
 * was needed is worse than one too many.
 */
export async function decidePaths(
  entry: FollowEntry,
  refs: RefChange[],
  changedFiles: ChangedFiles,
): Promise<PathDecision> {
  const paths = entry.paths ?? [];
  if (paths.length === 0) return { concerned: true, reason: 'any change' };
  const ranges = branchRanges(refs);
  const wanted = entry.branch?.toLowerCase();
  const relevant = [...ranges.entries()].filter(([branch]) => !wanted || branch === wanted);
  if (relevant.length === 0) return { concerned: false, reason: 'no branch it follows moved' };
  for (const [branch, range] of relevant) {
    if (!range.from) return { concerned: true, reason: `${branch} was created` };
    const files = await changedFiles(range.from, range.to);
    if (!files) return { concerned: true, reason: `${branch}: commits not comparable` };
    const hit = files.find((file) => pathMatches(paths, file));
    if (hit) return { concerned: true, reason: `${hit} changed on ${branch}` };
  }
  return { concerned: false, reason: `no change under ${paths.join(', ')}` };
}
