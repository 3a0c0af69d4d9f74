/** Refname → object id, for `refs/heads/*` and `refs/tags/*` only. */
export type RefMap = Record<string, string>;

/** A remote repository and how to authenticate to it. */
export interface GitRemote {
  /** Built by Starbridge from validated parts; never taken from a payload. */
  url: string;
  /** Value of an `Authorization` header, passed to git through its environment, never argv. */
  authorization?: string;
  /** Set for `user@host:owner/name.git` remotes: fetched over SSH with this key. */
  ssh?: SshAccess;
}

/**
 * How to reach an SSH remote: the private key (written to a 0600 file for one command,
 * then deleted), the host keys to accept (nothing else is: StrictHostKeyChecking=yes),
 * and the port.
 */
export interface SshAccess {
  privateKey: string;
  /** known_hosts lines; a port other than 22 is written `[host]:port`. */
  knownHosts: string;
  port: number;
}

export interface LsRemoteResult {
  refs: RefMap;
  /** The branch HEAD points at (`main`, not `refs/heads/main`), when the server says. */
  headBranch?: string;
}

/** An old tip kept under its own ref (`refs/starbridge/...`) before a push moves or deletes it. */
export interface KeptRef {
  /** The ref that keeps it, e.g. `refs/starbridge/history/heads/main/20261207T185707Z`. */
  ref: string;
  /** The old tip. */
  sha: string;
  /** The head or tag that still points at it on the target, to fetch it from if need be. */
  source: string;
}

/** What kind of git failure happened; decides whether a sync retries. */
export type GitFailureKind =
  | 'auth'
  | 'not_found'
  | 'network'
  | 'timeout'
  | 'tls'
  | 'host_key'
  | 'rejected'
  | 'too_large'
  | 'corrupt'
  | 'disk_full'
  | 'aborted'
  | 'unknown';

/**
 * The git engine: every git operation a sync needs. One persistent bare cache per
 * repository makes updates fetch only the delta.
 */
export interface GitEngine {
  /** Heads and tags of a remote without fetching anything (no REST quota). */
  lsRemote(remote: GitRemote, signal?: AbortSignal): Promise<LsRemoteResult>;
  /**
   * Fetches exactly heads and tags (with prune) into the bare cache, creating it if needed;
   * returns the cache's refs. A new cache is first filled from `seed` when given (a copy
   * that already holds most of the objects), so `remote` sends only the difference; a seed
   * that cannot be read is passed over. `onBytes` is told the size of the pack `remote`
   * sent (0 when nothing was new; the seed's bytes are not counted).
   */
  fetchToCache(
    cacheDir: string,
    remote: GitRemote,
    signal?: AbortSignal,
    seed?: GitRemote,
    onBytes?: (bytes: number) => void,
  ): Promise<RefMap>;
  /**
   * Pushes the cache's heads and tags with --atomic --force --prune (never --mirror).
   * `cachedRefs`, when given, are the refs `fetchToCache` just returned for this cache; the
   * engine then skips reading and checking the cache again. `alsoPush` names kept refs of the
   * cache (see `keepRefs`) pushed in the same atomic push, to the same names. `onBytes` is
   * told the size of the pack sent (0 when the push only moved or deleted refs).
   */
  pushFromCache(
    cacheDir: string,
    remote: GitRemote,
    signal?: AbortSignal,
    cachedRefs?: RefMap,
    alsoPush?: string[],
    onBytes?: (bytes: number) => void,
  ): Promise<void>;
  /**
   * Writes kept refs into the cache at their old tips, fetching a tip the cache lacks from
   * `from` (where `source` still points at it), so a push or a bundle can carry it.
   */
  keepRefs(cacheDir: string, from: GitRemote, kept: KeptRef[], signal?: AbortSignal): Promise<void>;
  /** Writes a bundle of one kept ref of the cache to `file`. */
  bundleRef(cacheDir: string, ref: string, file: string): Promise<void>;
  /**
   * Deletes kept refs on `remote` (atomic; those already gone are skipped) and in the cache.
   * Creates an empty cache if there is none (git pushes from a repository).
   */
  deleteKeptRefs(
    cacheDir: string,
    remote: GitRemote,
    refs: string[],
    signal?: AbortSignal,
  ): Promise<void>;
  /**
   * Pushes one branch of the cache on its own (no prune), so it exists on the target
   * before the target's default branch is moved to it.
   */
  pushBranch(
    cacheDir: string,
    remote: GitRemote,
    branch: string,
    signal?: AbortSignal,
  ): Promise<void>;
  /** True when `ancestor` is an ancestor of `descendant` in the cache (fast-forward check). */
  isAncestor(cacheDir: string, ancestor: string, descendant: string): Promise<boolean>;
  /**
   * Paths of the files that differ between two commits of the cache (`git diff --name-only`),
   * for restarts scoped to paths. Undefined when a commit is not in the cache.
   */
  changedFiles(cacheDir: string, from: string, to: string): Promise<string[] | undefined>;
  /** The installed git version, e.g. `2.39.5`. */
  version(): Promise<string>;
}

/** Anything that scrubs secrets from text, such as the shared `Redactor`. */
export interface TextRedactor {
  redact(text: string): string;
}
