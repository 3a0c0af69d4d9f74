import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { RepoBuilder } from './git-repos.js';
import type { LfsStore } from './lfs-store.js';

export { LfsStore, lfsPointer } from './lfs-store.js';

/**
 * Why LFS tests cannot run here, or undefined when they can. Under CI git-lfs is required: a
 * missing one throws, so the suite fails instead of passing by skipping.
 */
export function lfsSkipReason(): string | undefined {
  try {
    execFileSync('git', ['lfs', 'version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    const reason = 'git-lfs is not installed (apt-get install git-lfs)';
    if (process.env.CI === 'true') throw new Error(`CI=true but ${reason}`);
    return reason;
  }
}

/** The `.gitattributes` line `git lfs track '*.bin'` writes. */
export const LFS_ATTRIBUTES = '*.bin filter=lfs diff=lfs merge=lfs -text\n';

/**
 * Commits LFS files on `branch` as git-lfs would: pointer files in the tree (with the
 * `.gitattributes` that routes them through the lfs filter) and the contents in the server's LFS
 * store. Returns the commit and the objects, in the order of `names`.
 */
export async function commitLfsFiles(
  repo: RepoBuilder,
  store: LfsStore,
  branch: string,
  names: string[],
  sizeOf: (index: number) => number = () => 2048,
): Promise<{ sha: string; objects: Array<{ oid: string; size: number; path: string }> }> {
  const files: Record<string, string> = { '.gitattributes': LFS_ATTRIBUTES };
  const objects = [];
  for (const [i, path] of names.entries()) {
    const made = await store.put(randomBytes(sizeOf(i)));
    files[path] = made.pointer;
    objects.push({ oid: made.oid, size: made.size, path });
  }
  const sha = await repo.commit(branch, { files });
  return { sha, objects };
}
