import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * The bare cache of a mirror under DATA_DIR, shared by the sync (which fetches into it)
 * and the working copies (which check out from it). Keyed by GitHub id: it survives
 * renames and never puts a repository name in a path.
 */
export function mirrorCacheDir(dataDir: string, githubId: number): string {
  return join(dataDir, 'cache', `${githubId}.git`);
}

/** Folders of a bare repository where git leaves `*.lock` files (loose objects never have any). */
const LOCK_AREAS = ['', 'refs', 'logs', 'objects/info', 'objects/pack'];

/**
 * Deletes every `*.lock` a crashed git left in the cache (docs/reference/bad-inputs.md#g15); git
 * would otherwise refuse to update those refs forever. Safe because operations on one cache are
 * serialized (in-process by {@link KeyedQueue}, across processes by the job lease). Returns the
 * paths removed, relative to the cache.
 */
export async function removeStaleLocks(cacheDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const area of LOCK_AREAS) {
    const recursive = area === 'refs' || area === 'logs';
    for (const file of await listFiles(join(cacheDir, area), recursive)) {
      if (!file.endsWith('.lock')) continue;
      await unlink(join(cacheDir, area, file)).catch(() => undefined);
      removed.push(join(area, file));
    }
  }
  return removed;
}

async function listFiles(dir: string, recursive: boolean): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true, recursive });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath.slice(dir.length), entry.name).replace(/^\//, ''));
  } catch {
    return [];
  }
}

/** True when `dir` exists (as anything). */
export async function exists(dir: string): Promise<boolean> {
  try {
    await stat(dir);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates a bare repository at `cacheDir` without ever leaving a half-made one there:
 * `init` writes into a temporary sibling that is renamed into place only once complete.
 * Leftover siblings from an earlier crash are deleted first.
 */
export async function createAtomically(
  cacheDir: string,
  init: (tempDir: string) => Promise<void>,
): Promise<void> {
  const parent = dirname(cacheDir);
  const prefix = `.${basename(cacheDir)}.init-`;
  await mkdir(parent, { recursive: true });
  for (const entry of await readdir(parent).catch(() => [] as string[])) {
    if (entry.startsWith(prefix)) await rm(join(parent, entry), { recursive: true, force: true });
  }
  const temp = join(parent, `${prefix}${randomBytes(6).toString('hex')}`);
  try {
    await init(temp);
    // An empty folder (made by the caller) is replaced; rmdir fails on anything else.
    await rmdir(cacheDir).catch(() => undefined);
    await rename(temp, cacheDir);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Runs tasks one at a time per key (here: per cache directory), in arrival order. */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

/**
 * What is at a cache path: nothing, an empty folder (safe to initialise), a bare
 * repository, or something else, which is never overwritten.
 */
export async function cacheState(dir: string): Promise<'missing' | 'empty' | 'repo' | 'invalid'> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'invalid';
  }
  if (entries.length === 0) return 'empty';
  const looksBare = ['HEAD', 'objects', 'refs'].every((name) => entries.includes(name));
  return looksBare ? 'repo' : 'invalid';
}
