import type { GitEngine, GitRemote, KeptRef, LsRemoteResult, RefMap } from '../git/git.port.js';
import type { OneDevApi, OneDevProject } from '../onedev/onedev.port.js';
import { type QuickRetryEvent, quickRetry, type Upstream } from '../shared/quick-retry.js';
import { tagUpstream } from '../shared/upstream-fault.js';

/**
 * The calls one sync makes to GitHub, OneDev and git, each retried quickly when it fails
 * in a way that passes (see quickRetry). Every one of them is safe to repeat: reads,
 * setting a value to the same value, fetching into the cache, and pushes that set
 * OneDev's refs to exactly the cache's (see `push`).
 */
export interface SyncCalls {
  githubAuthorization(): Promise<string | undefined>;
  githubSshRemote(): Promise<GitRemote | undefined>;
  lsRemote(remote: GitRemote, upstream: Upstream): Promise<LsRemoteResult>;
  fetchToCache(cacheDir: string, remote: GitRemote, seed?: GitRemote): Promise<RefMap>;
  /** Pack bytes fetched from GitHub and pushed to OneDev so far, every attempt included. */
  readonly bytes: { fetched: number; pushed: number };
  pushFromCache(
    cacheDir: string,
    remote: GitRemote,
    cachedRefs: RefMap,
    alsoPush?: string[],
  ): Promise<void>;
  keepRefs(cacheDir: string, from: GitRemote, kept: KeptRef[]): Promise<void>;
  pushBranch(cacheDir: string, remote: GitRemote, branch: string): Promise<void>;
  ensureProject(path: string, description: string): Promise<OneDevProject & { created: boolean }>;
  getDefaultBranch(projectId: number): Promise<string | undefined>;
  setDefaultBranch(projectId: number, branch: string): Promise<void>;
}

export interface SyncCallDeps {
  git: GitEngine;
  onedev: OneDevApi;
  githubAuthorization?: () => Promise<string | undefined>;
  githubSshRemote?: () => Promise<GitRemote | undefined>;
  onQuickRetry?: (event: QuickRetryEvent) => void;
  /** Quick retries of one call; quickRetry's default unless given, 0 for none. */
  quickRetries?: number;
}

export function createSyncCalls(deps: SyncCallDeps, signal?: AbortSignal): SyncCalls {
  const { git, onedev } = deps;
  const retried = <T>(call: string, upstream: Upstream, run: () => Promise<T>): Promise<T> =>
    quickRetry(run, {
      call,
      upstream,
      signal,
      onRetry: deps.onQuickRetry,
      attempts: deps.quickRetries === undefined ? undefined : deps.quickRetries + 1,
    }).catch((error: unknown) => {
      // The worker's upstream circuit needs to know whose fault a failed sync was.
      throw tagUpstream(error, upstream);
    });

  // Each attempt of a quickly retried transfer moved its bytes, so all of them count.
  const bytes = { fetched: 0, pushed: 0 };
  const fetched = (n: number) => {
    bytes.fetched += n;
  };
  const pushed = (n: number) => {
    bytes.pushed += n;
  };

  return {
    bytes,
    githubAuthorization: () =>
      retried('github credential', 'github', async () => deps.githubAuthorization?.()),
    githubSshRemote: () =>
      retried('ssh deploy key', 'github', async () => deps.githubSshRemote?.()),
    lsRemote: (remote, upstream) =>
      retried('git ls-remote', upstream, () => git.lsRemote(remote, signal)),
    fetchToCache: (cacheDir, remote, seed) =>
      retried('git fetch', 'github', () =>
        git.fetchToCache(cacheDir, remote, signal, seed, fetched),
      ),
    // An atomic force push of the cache's refs is idempotent: it sets each of OneDev's refs
    // to the same object whether or not a failed attempt already landed (all of it or none,
    // being atomic), so pushing again after an unclear failure cannot do anything twice.
    // Kept history refs ride in the same push; pushing one again to the same object is a no-op.
    pushFromCache: (cacheDir, remote, cachedRefs, alsoPush) =>
      retried('git push', 'onedev', () =>
        git.pushFromCache(cacheDir, remote, signal, cachedRefs, alsoPush, pushed),
      ),
    // Writing cache refs to fixed objects (after fetching the missing ones) can be repeated.
    keepRefs: (cacheDir, from, kept) =>
      retried('git keep history', 'onedev', () => git.keepRefs(cacheDir, from, kept, signal)),
    // Pushing one branch to the object it already has on OneDev changes nothing.
    pushBranch: (cacheDir, remote, branch) =>
      retried('git push', 'onedev', () => git.pushBranch(cacheDir, remote, branch, signal)),
    // Each look-up inside is retried on its own. The whole is retried too, because every
    // attempt looks the path up before creating anything: a create is only ever sent again
    // after OneDev said the project is not there (never blindly after an unclear answer).
    ensureProject: (path, description) =>
      retried('onedev ensure project', 'onedev', () =>
        onedev.ensureProject(
          path,
          {
            description,
            retryLookup: (lookup) => retried('onedev find project', 'onedev', lookup),
          },
          signal,
        ),
      ),
    getDefaultBranch: (projectId) =>
      retried('onedev get default branch', 'onedev', () =>
        onedev.getDefaultBranch(projectId, signal),
      ),
    setDefaultBranch: (projectId, branch) =>
      retried('onedev set default branch', 'onedev', () =>
        onedev.setDefaultBranch(projectId, branch, signal),
      ),
  };
}
