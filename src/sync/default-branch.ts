import type { GitRemote, RefMap } from '../git/git.port.js';
import type { SyncCalls } from './sync-calls.js';

// OneDev's default branch during a sync: kept off a branch the push deletes, then set to GitHub's.

/**
 * OneDev (like git) refuses to delete the branch HEAD names, and with --atomic that fails the whole
 * push: so when GitHub's default branch was renamed or replaced (main → trunk) and the push would
 * delete OneDev's default, OneDev's default moves to the new branch first, pushing that branch on
 * its own if OneDev does not have it yet (docs/reference/bad-inputs.md#g07).
 */
export async function moveDefaultOffDeletedBranch(
  calls: SyncCalls,
  move: {
    projectId: number;
    /** GitHub's default branch, present in the cache. */
    branch: string;
    target: GitRemote;
    cacheDir: string;
    /** OneDev's refs before the push, and what the push will leave. */
    before: RefMap;
    after: RefMap;
  },
): Promise<void> {
  const { projectId, branch, before, after } = move;
  const deletesHeads = Object.keys(before).some(
    (ref) => ref.startsWith('refs/heads/') && !(ref in after),
  );
  if (!deletesHeads) return;
  const current = await calls.getDefaultBranch(projectId);
  if (!current || current === branch || `refs/heads/${current}` in after) return;
  if (!(`refs/heads/${branch}` in before))
    await calls.pushBranch(move.cacheDir, move.target, branch);
  await calls.setDefaultBranch(projectId, branch);
}

/** Sets OneDev's default branch unless it already is `branch`. */
export async function ensureDefaultBranch(
  calls: SyncCalls,
  projectId: number,
  branch: string,
): Promise<void> {
  if ((await calls.getDefaultBranch(projectId)) !== branch)
    await calls.setDefaultBranch(projectId, branch);
}
