import type { MirrorRow } from '../db/schema/index.js';
import type { GitEngine, GitRemote, RefMap } from '../git/git.port.js';
import { cloneUrl } from '../github/repo-name.js';
import { parseRefs } from '../mirrors/mirror.js';
import type { OneDevApi } from '../onedev/onedev.port.js';
import { toOneDevName } from '../onedev/project-name.js';
import type { QuickRetryEvent } from '../shared/quick-retry.js';
import { UpstreamError } from '../shared/upstream-error.js';
import { ensureDefaultBranch, moveDefaultOffDeletedBranch } from './default-branch.js';
import { type DriftEntry, findDrift, onedevRefsNow } from './drift.js';
import { type HistorySnapshot, planHistory, pushWithHistory } from './history-step.js';
import { type LfsOutcome, type LfsStepDeps, mirrorLfs } from './lfs-step.js';
import { refChanges, sameRefs } from './ref-changes.js';
import type { RefChange, SyncPhase } from './run.js';
import { allSettledFirst } from './side-by-side.js';
import { createSyncCalls, type SyncCalls } from './sync-calls.js';

/** Everything one sync needs from the outside world. */
export interface SyncDeps {
  git: GitEngine;
  onedev: OneDevApi;
  /** Base of GitHub clone URLs (`GITHUB_GIT_URL`). */
  githubGitUrl: string;
  /** `Authorization` value for GitHub git, if a token is configured. */
  githubAuthorization?: () => Promise<string | undefined>;
  /** The SSH remote when the mirror is set to a deploy key; then no token is used for it. */
  githubSshRemote?: () => Promise<GitRemote | undefined>;
  /** Parent path of all mirrors in OneDev; '' for the top level. */
  onedevRoot: string;
  /** The persistent bare cache of one repository. */
  cacheDir: (githubId: number) => string;
  /** Called once the OneDev project is known, before any push (crash safety). */
  onProject?: (project: { name: string; path: string; projectId: number }) => Promise<void>;
  /** Told as each step starts, so a long sync can show where it is. */
  onPhase?: (phase: SyncPhase) => void;
  /** Told of each quick retry of a call that failed in a way that passes. */
  onQuickRetry?: (event: QuickRetryEvent) => void;
  /** Quick retries of one call (`SYNC_QUICK_RETRIES`); 5 unless given, 0 for none. */
  quickRetries?: number;
  /** LFS mirroring; undefined when it is off (MIRROR_LFS, or git-lfs missing). */
  lfs?: LfsStepDeps;
  /** Where a repository's history bundles go if OneDev refuses history refs. */
  historyBundleDir?: (githubId: number) => string;
  /** Told of the tips kept by a push, once it landed and before verification. */
  onHistory?: (
    snapshots: HistorySnapshot[],
    where: { projectPath: string; defaultBranch: string | null },
  ) => Promise<void>;
  /** The time kept tips are named by; the system clock unless given. */
  now?: () => Date;
}

export interface SyncResult {
  result: 'synced' | 'unchanged' | 'empty';
  refs: RefChange[];
  pushedRefs: RefMap;
  defaultBranch: string | null;
  onedev: { name: string; path: string; projectId: number };
  /** OneDev's refs differed from those last pushed (someone changed the mirror). */
  drift?: DriftEntry;
  /** What the LFS step moved; undefined when LFS mirroring is off. */
  lfs?: LfsOutcome;
  /** Tips the push overwrote or deleted, kept in OneDev's history namespace (or a bundle). */
  history?: HistorySnapshot[];
  /** Pack bytes git fetched from GitHub and pushed to OneDev (LFS objects not included). */
  bytes?: { fetched: number; pushed: number };
}

/**
 * Brings one OneDev mirror to exactly the GitHub repository's heads and tags:
 * ls-remote (skip when nothing changed since the last push) → project get-or-create →
 * fetch into the bare cache → atomic push → default branch → verify → ref ledger.
 * Each call to GitHub, OneDev or git is retried quickly when it fails in a way that passes.
 */
export async function syncMirror(
  mirror: MirrorRow,
  deps: SyncDeps,
  signal?: AbortSignal,
): Promise<SyncResult> {
  const calls = createSyncCalls(deps, signal);
  const source: GitRemote = (await calls.githubSshRemote()) ?? {
    url: cloneUrl(deps.githubGitUrl, { owner: mirror.owner, name: mirror.name }),
    authorization: await calls.githubAuthorization(),
  };
  deps.onPhase?.('comparing');
  const listing = calls.lsRemote(source, 'github');
  const lastPushed = parseRefs(mirror.pushed_refs);
  const onedevName = mirror.onedev_name ?? toOneDevName(mirror.name);
  const onedevPath =
    mirror.onedev_path ??
    [deps.onedevRoot, mirror.onedev_parent, mirror.owner, onedevName].filter(Boolean).join('/');

  // OneDev is compared too, so a change made there (drift) is found and undone even when
  // GitHub has not moved.
  let onedevBefore: RefMap | undefined;
  if (mirror.onedev_project_id !== null && mirror.pushed_refs !== null) {
    const onedevRemote = {
      url: deps.onedev.gitUrl(onedevPath),
      authorization: deps.onedev.gitAuthorization(),
    };
    const [upstream, onedevNow] = await allSettledFirst([
      listing,
      onedevRefsNow(() => calls.lsRemote(onedevRemote, 'onedev')),
    ]);
    onedevBefore = onedevNow;
    if (sameRefs(upstream.refs, lastPushed) && sameRefs(onedevBefore, lastPushed)) {
      const onedev = { name: onedevName, path: onedevPath, projectId: mirror.onedev_project_id };
      const defaultBranch = upstream.headBranch ?? mirror.default_branch;
      const bytes = { fetched: 0, pushed: 0 };
      return {
        result: 'unchanged',
        refs: [],
        pushedRefs: lastPushed,
        defaultBranch,
        onedev,
        bytes,
      };
    }
  }
  const drift = onedevBefore ? findDrift(lastPushed, onedevBefore) : [];

  // The listing (for the default branch; a first mirror has nothing to compare it with),
  // the project lookup (REST) and the fetch (git) do not depend on each other: overlap them.
  deps.onPhase?.('fetching');
  const [upstream, project, cacheRefs] = await allSettledFirst([
    listing,
    calls
      .ensureProject(onedevPath, `Mirror of ${deps.githubGitUrl}/${mirror.owner}/${mirror.name}`)
      .then(async (found) => {
        await deps.onProject?.({ name: onedevName, path: found.path, projectId: found.id });
        return found;
      }),
    calls.fetchToCache(deps.cacheDir(mirror.github_id), source, cacheSeed(mirror, deps)),
  ]);
  const defaultBranch = upstream.headBranch ?? mirror.default_branch;
  const onedev = { name: onedevName, path: project.path, projectId: project.id };
  if (Object.keys(cacheRefs).length === 0) {
    // An atomic prune push of nothing would delete every ref in OneDev: record, don't push.
    const found = drift.length > 0 ? { drift: { refs: drift, restored: false } } : {};
    const bytes = { ...calls.bytes };
    return {
      result: 'empty',
      refs: [],
      pushedRefs: {},
      defaultBranch: null,
      onedev,
      bytes,
      ...found,
    };
  }

  const target: GitRemote = {
    url: deps.onedev.gitUrl(project.path),
    authorization: deps.onedev.gitAuthorization(),
  };
  const known = mirror.onedev_project_id === project.id ? onedevBefore : undefined;
  const before = known ?? (await targetRefsBefore(mirror, project, target, calls));
  const branch = defaultBranch && cacheRefs[`refs/heads/${defaultBranch}`] ? defaultBranch : null;
  // LFS objects go first: no ref may reach OneDev before the objects it points at.
  const lfs = deps.lfs && (await syncLfs(deps.lfs, deps, mirror, { source, target }, signal));
  let history: HistorySnapshot[] = [];
  if (!sameRefs(before, cacheRefs)) {
    deps.onPhase?.('pushing');
    const cacheDir = deps.cacheDir(mirror.github_id);
    if (branch) {
      const move = { projectId: project.id, branch, target, cacheDir, before, after: cacheRefs };
      await moveDefaultOffDeletedBranch(calls, move);
    }
    history = await pushKeepingHistory(mirror, deps, calls, {
      cacheDir,
      target,
      before,
      cacheRefs,
    });
    const where = { projectPath: project.path, defaultBranch: branch };
    if (history.length > 0) await deps.onHistory?.(history, where);
  }

  // The verification (git), the default branch (REST) and the ledger (the local cache)
  // are independent of each other: overlap them.
  deps.onPhase?.('verifying');
  const [after, , refs] = await allSettledFirst([
    calls.lsRemote(target, 'onedev').then((listed) => listed.refs),
    branch ? ensureDefaultBranch(calls, project.id, branch) : undefined,
    refChanges(before, cacheRefs, (old, next) =>
      deps.git.isAncestor(deps.cacheDir(mirror.github_id), old, next),
    ),
  ]);
  assertSameRefs(cacheRefs, after);
  return {
    result: refs.length > 0 || (lfs?.objects ?? 0) > 0 ? 'synced' : 'unchanged',
    refs,
    pushedRefs: cacheRefs,
    defaultBranch: branch,
    onedev,
    ...(drift.length > 0 ? { drift: { refs: drift, restored: true } } : {}),
    ...(lfs ? { lfs } : {}),
    history,
    bytes: { ...calls.bytes },
  };
}

/** The push, keeping every tip it overwrites or deletes (src/sync/history-step.ts). */
async function pushKeepingHistory(
  mirror: MirrorRow,
  deps: SyncDeps,
  calls: SyncCalls,
  push: { cacheDir: string; target: GitRemote; before: RefMap; cacheRefs: RefMap },
): Promise<HistorySnapshot[]> {
  const { cacheDir, target, before, cacheRefs } = push;
  const at = deps.now?.() ?? new Date();
  const snapshots = await planHistory(
    before,
    cacheRefs,
    (old, next) => deps.git.isAncestor(cacheDir, old, next),
    at,
  );
  const bundleDir = deps.historyBundleDir?.(mirror.github_id) ?? `${cacheDir}-history`;
  return pushWithHistory(
    {
      keepRefs: (dir, from, kept) => calls.keepRefs(dir, from, kept),
      push: (dir, remote, refs, alsoPush) => calls.pushFromCache(dir, remote, refs, alsoPush),
      bundleRef: (dir, ref, file) => deps.git.bundleRef(dir, ref, file),
    },
    { cacheDir, target, cacheRefs, snapshots, bundleDir },
  );
}

/**
 * Where a missing cache (a new replica, a lost `DATA_DIR`) is filled from first: the mirror's
 * own OneDev project, which holds everything pushed so far, over the local network — GitHub
 * then sends only what changed since.
 */
function cacheSeed(mirror: MirrorRow, deps: SyncDeps): GitRemote | undefined {
  if (mirror.onedev_project_id === null || mirror.onedev_path === null) return undefined;
  return {
    url: deps.onedev.gitUrl(mirror.onedev_path),
    authorization: deps.onedev.gitAuthorization(),
  };
}

function syncLfs(
  lfs: LfsStepDeps,
  deps: SyncDeps,
  mirror: MirrorRow,
  { source, target }: { source: GitRemote; target: GitRemote },
  signal: AbortSignal | undefined,
): Promise<LfsOutcome> {
  deps.onPhase?.('pushing');
  return mirrorLfs(lfs, {
    cacheDir: deps.cacheDir(mirror.github_id),
    source,
    target,
    repository: `${mirror.owner}/${mirror.name}`,
    signal,
    onQuickRetry: deps.onQuickRetry,
    quickRetries: deps.quickRetries,
  });
}

/**
 * OneDev's refs before the push, for the ledger. A project created by this sync is empty;
 * one we pushed to before holds what we pushed (the verification after the push catches
 * anything else); otherwise ask OneDev.
 */
async function targetRefsBefore(
  mirror: MirrorRow,
  project: { id: number; created: boolean },
  target: GitRemote,
  calls: SyncCalls,
): Promise<RefMap> {
  if (project.created) return {};
  if (mirror.pushed_refs !== null && mirror.onedev_project_id === project.id)
    return parseRefs(mirror.pushed_refs);
  return (await calls.lsRemote(target, 'onedev')).refs;
}

/** After a push OneDev must hold exactly the source's heads and tags; anything else fails the run. */
export function assertSameRefs(expected: RefMap, actual: RefMap): void {
  const problems: string[] = [];
  for (const [ref, sha] of Object.entries(expected)) {
    if (actual[ref] !== sha)
      problems.push(`${ref}: expected ${short(sha)}, OneDev has ${short(actual[ref])}`);
  }
  for (const ref of Object.keys(actual)) {
    if (!(ref in expected)) problems.push(`${ref}: OneDev has it, GitHub does not`);
  }
  if (problems.length === 0) return;
  throw new UpstreamError(
    'verify_mismatch',
    `OneDev's refs differ from GitHub's after the push (${problems.length}): ${problems.slice(0, 10).join('; ')}`,
    { retryable: true },
  );
}

function short(sha: string | undefined): string {
  return sha ? sha.slice(0, 12) : 'nothing';
}
