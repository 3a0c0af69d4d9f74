import type { GitRemote } from './git.port.js';

/** One LFS object a mirrored ref points at (through a pointer file committed in its place). */
export interface LfsObject {
  /** sha256 of the content, 64 hex digits. */
  oid: string;
  size: number;
  /** A path the pointer was committed at, for messages. */
  path: string;
}

export interface LfsScan {
  /** Every object reachable from the cache's heads and tags, once per object id. */
  objects: LfsObject[];
  /** The objects the cache's LFS store does not hold yet. */
  missingLocally: LfsObject[];
}

/** What an LFS server answered for each object of a download batch request. */
export interface LfsServerHolding {
  held: string[];
  /** Objects it does not hold (or refuses), with its per-object message. */
  missing: Array<{ oid: string; message: string; code?: number }>;
}

/**
 * LFS objects of a bare cache, moved with the `git-lfs` binary under the same rules as git
 * (environment only, credential never in argv, a URL or a file), and the batch API asked directly
 * which objects a server holds.
 */
export interface LfsEngine {
  /** The installed git-lfs version (`3.3.0`), or undefined when git-lfs is missing. */
  version(): Promise<string | undefined>;
  /** Lists the LFS objects of every head and tag of the cache, and which are not stored locally. */
  scan(cacheDir: string, signal?: AbortSignal): Promise<LfsScan>;
  /** Downloads the objects of every head and tag the cache's store lacks (`git lfs fetch --all`). */
  fetch(cacheDir: string, remote: GitRemote, signal?: AbortSignal): Promise<void>;
  /** Uploads exactly these objects from the cache's store (`git lfs push --object-id`). */
  push(cacheDir: string, remote: GitRemote, oids: string[], signal?: AbortSignal): Promise<void>;
  /** Asks the server's batch API which of these objects it holds (a download request). */
  holding(
    remote: GitRemote,
    objects: ReadonlyArray<{ oid: string; size: number }>,
    signal?: AbortSignal,
  ): Promise<LfsServerHolding>;
}
