import type { RefMap } from './git.port.js';
import { cacheState, createAtomically, removeStaleLocks } from './git-cache.js';
import { refusal } from './git-errors.js';
import { parseRefList } from './git-refs.js';
import type { GitRunner } from './git-runner.js';

/** Every cache command names its repository explicitly, so git never searches parent folders. */
export function gitDir(cacheDir: string): string {
  return `--git-dir=${cacheDir}`;
}

/** The cache's heads and tags. */
export async function readCacheRefs(git: GitRunner, cacheDir: string): Promise<RefMap> {
  const args = [gitDir(cacheDir), 'for-each-ref', '--format=%(objectname) %(refname)'];
  const result = await git.run('for-each-ref', [...args, 'refs/heads', 'refs/tags']);
  return parseRefList(result.stdout);
}

/** Creates the bare cache if missing; a half-made one can never be left at `cacheDir`. */
export async function ensureCache(
  git: GitRunner,
  cacheDir: string,
): Promise<'created' | 'existing'> {
  const state = await cacheState(cacheDir);
  if (state === 'repo') return 'existing';
  if (state === 'invalid') {
    throw refusal(
      'corrupt',
      `git cache ${cacheDir} exists but is not a bare repository; delete it`,
    );
  }
  await createAtomically(cacheDir, async (temp) => {
    const init = ['init', '--bare', '--quiet', '--template=', '--', temp];
    await git.run('init', ['-c', 'init.defaultBranch=main', ...init]);
  });
  return 'created';
}

/** Readies an existing cache for a transfer: clears crash leftovers, refuses a shallow one. */
export async function prepareCache(git: GitRunner, cacheDir: string): Promise<void> {
  if ((await cacheState(cacheDir)) !== 'repo') {
    throw refusal('unknown', `git cache ${cacheDir} does not exist; fetch before pushing`);
  }
  await removeStaleLocks(cacheDir);
  const args = [gitDir(cacheDir), 'rev-parse', '--is-shallow-repository'];
  const shallow = await git.run('rev-parse', args);
  if (shallow.stdout.trim() !== 'false') {
    throw refusal('corrupt', `git cache ${cacheDir} is shallow; delete it and fetch again`);
  }
}

/**
 * Deletes cache heads and tags that `remote` no longer has, in one transaction (a fetch
 * from an empty remote may not prune). Returns whether anything was deleted.
 */
export async function pruneAgainst(
  git: GitRunner,
  cacheDir: string,
  cached: RefMap,
  remote: RefMap,
): Promise<boolean> {
  const stale = Object.entries(cached).filter(([name]) => !(name in remote));
  if (stale.length === 0) return false;
  const input = stale.map(([name, sha]) => `delete ${name} ${sha}\n`).join('');
  await git.run('update-ref', [gitDir(cacheDir), 'update-ref', '--stdin'], { input });
  return true;
}
