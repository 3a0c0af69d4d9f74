import type { RefMap } from '../git/git.port.js';
import type { RefChange } from './run.js';

/** Whether two ref maps name exactly the same refs at exactly the same commits. */
export function sameRefs(a: RefMap, b: RefMap): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** The ledger entry: which refs moved on OneDev, old → new, and whether history was rewritten. */
export async function refChanges(
  before: RefMap,
  after: RefMap,
  isAncestor: (old: string, next: string) => Promise<boolean>,
): Promise<RefChange[]> {
  const changes: RefChange[] = [];
  for (const ref of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const old = before[ref] ?? null;
    const next = after[ref] ?? null;
    if (old === next) continue;
    if (old === null) changes.push({ ref, kind: 'created', old, new: next });
    else if (next === null) changes.push({ ref, kind: 'deleted', old, new: next });
    else
      changes.push({
        ref,
        kind: (await isAncestor(old, next)) ? 'updated' : 'forced',
        old,
        new: next,
      });
  }
  return changes;
}
