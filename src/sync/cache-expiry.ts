import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DbHandle } from '../db/database.js';
import { mirrorCacheDir } from '../git/git-cache.js';
import { holdMirror, unholdMirror } from '../mirrors/mirror-hold.repo.js';
import { findMirror } from '../mirrors/mirrors.repo.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

export interface CacheExpiryDeps {
  handle: DbHandle;
  clock: Clock;
  log: Logger;
  /** This replica's DATA_DIR: only its own caches are looked at. */
  dataDir: string;
  /** CACHE_EXPIRE_AFTER: a cache untouched this long goes. */
  expireAfterMs: number;
  /** The lease owner written while a cache is removed (no sync of the mirror can start). */
  holder: string;
  /** Told of each cache removed (the metric). */
  onExpired?: (githubId: number) => void;
}

const CACHE_NAME = /^(\d+)\.git$/;
/** How long the hold lasts if this process dies while removing: the lease is reclaimed after. */
const HOLD_MS = 10 * 60_000;

/**
 * Removes the git caches of this replica untouched for `expireAfterMs` (every fetch rewrites
 * FETCH_HEAD, so a synced cache is never old). The mirror is held with the workers' lease while
 * its cache goes, so no sync of it runs meanwhile; a mirror syncing now is left for the next
 * run. The next sync (here or on any replica) seeds the cache again from OneDev. Returns the
 * GitHub ids whose cache was removed.
 */
export async function expireCaches(deps: CacheExpiryDeps): Promise<number[]> {
  const log = deps.log.child({ component: 'cache-expiry' });
  const root = join(deps.dataDir, 'cache');
  const entries = await readdir(root).catch(() => [] as string[]);
  const removed: number[] = [];
  for (const entry of entries) {
    const githubId = Number(CACHE_NAME.exec(entry)?.[1] ?? Number.NaN);
    if (!Number.isSafeInteger(githubId)) continue;
    const cacheDir = mirrorCacheDir(deps.dataDir, githubId);
    const touched = await lastTouched(cacheDir);
    if (touched === undefined || !isOld(deps, touched)) continue;
    try {
      if (await removeHeld(deps, githubId, cacheDir)) {
        removed.push(githubId);
        deps.onExpired?.(githubId);
        const idleDays = Math.floor((deps.clock.now().getTime() - touched) / 86_400_000);
        log.info({ githubId, cacheDir, idleDays }, 'git cache expired and removed');
      }
    } catch (error) {
      log.warn({ err: error, githubId }, 'removing an expired git cache failed');
    }
  }
  return removed;
}

function isOld(deps: CacheExpiryDeps, touchedMs: number): boolean {
  return deps.clock.now().getTime() - touchedMs >= deps.expireAfterMs;
}

/** Holds the mirror, checks the cache is still old (a sync may have just ended), removes it. */
async function removeHeld(deps: CacheExpiryDeps, githubId: number, cacheDir: string) {
  const { db } = deps.handle;
  const now = () => deps.clock.now().toISOString();
  if (!(await findMirror(db, githubId))) {
    // No mirror any more: nothing can sync into this cache.
    await rm(cacheDir, { recursive: true, force: true });
    return true;
  }
  const until = new Date(deps.clock.now().getTime() + HOLD_MS).toISOString();
  const held = await holdMirror(db, githubId, deps.holder, until);
  if (!held) return false; // syncing (or just deleted): try again at the next run
  try {
    const touched = await lastTouched(cacheDir);
    if (touched === undefined || !isOld(deps, touched)) return false;
    await rm(cacheDir, { recursive: true, force: true });
    return true;
  } finally {
    await unholdMirror(db, held, deps.holder, now());
  }
}

/**
 * When the cache last changed: the newest modification time of its folder and the files and
 * folders directly in it (HEAD, FETCH_HEAD, packed-refs, objects…); undefined when it is gone.
 */
async function lastTouched(cacheDir: string): Promise<number | undefined> {
  let newest: number;
  try {
    newest = (await stat(cacheDir)).mtimeMs;
  } catch {
    return undefined;
  }
  for (const name of await readdir(cacheDir).catch(() => [] as string[])) {
    const info = await stat(join(cacheDir, name)).catch(() => undefined);
    if (info) newest = Math.max(newest, info.mtimeMs);
  }
  return newest;
}
