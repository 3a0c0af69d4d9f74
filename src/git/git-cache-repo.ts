import type { RefMap } from './git.port.js';
import { cacheState, createAtomically, removeStaleLocks } from './git-cache.js';
import { refusal } from './git-errors.js';
import { parseRefList } from './git-refs.js';
import type { GitRunner, RunOptions } from './git-runner.js';

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

/** Whether `cacheDir` still has to be made (missing or an empty folder); never overwrites. */
export async function cacheIsNew(cacheDir: string): Promise<boolean> {
  const state = await cacheState(cacheDir);
  if (state === 'invalid') {
    throw refusal(
      'corrupt',
      `git cache ${cacheDir} exists but is not a bare repository; delete it`,
    );
  }
  return state !== 'repo';
}

/** Creates an empty bare cache; a half-made one can never be left at `cacheDir`. */
export async function initCache(git: GitRunner, cacheDir: string): Promise<void> {
  await createAtomically(cacheDir, async (temp) => {
    const init = ['init', '--bare', '--quiet', '--template=', '--', temp];
    await git.run('init', ['-c', 'init.defaultBranch=main', ...init]);
  });
}

/**
 * Makes a new cache with `git clone --bare`, which takes exactly heads and tags and writes
 * their refs into one packed-refs file (a fetch into an empty cache writes one file per
 * ref). The clone's remote entry is dropped: every transfer names its URL. If the clone
 * fails, an empty cache is made instead, so per-repository settings an error names (such
 * as `fetch.fsck.<check>=ignore`) have a place to go, and the error is passed on.
 */
export async function cloneIntoCache(
  git: GitRunner,
  cacheDir: string,
  url: string,
  options: RunOptions,
): Promise<void> {
  try {
    await createAtomically(cacheDir, async (temp) => {
      const clone = ['clone', '--bare', '--quiet', '--template=', '--', url, temp];
      await git.run('clone', ['-c', 'init.defaultBranch=main', ...clone], options);
      await git.run('config', [gitDir(temp), 'config', '--remove-section', 'remote.origin']);
    });
  } catch (error) {
    // The clone's error is the one to report, even if this fails too.
    await initCache(git, cacheDir).catch(() => undefined);
    throw error;
  }
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
