import type { Executor } from '../db/executor.js';
import type { MirrorRow, MirrorWikiRow } from '../db/schema/index.js';
import type { GitRemote, RefMap } from '../git/git.port.js';
import { GitCommandError } from '../git/git-errors.js';
import { cloneUrl } from '../github/repo-name.js';
import { parseRefs } from '../mirrors/mirror.js';
import type { Clock } from '../shared/clock.js';
import { coerceError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { HistorySnapshot } from './history-step.js';
import { planHistory, pushWithHistory } from './history-step.js';
import { refChanges, sameRefs } from './ref-changes.js';
import type { RefChange } from './run.js';
import type { SyncCalls } from './sync-calls.js';
import { assertSameRefs, type SyncDeps, type SyncResult } from './sync-mirror.js';
import { findWiki, saveWiki } from './wikis.repo.js';

/** What the wiki step did; `absent`: GitHub has no wiki git repository for it (no project). */
export interface WikiOutcome {
  status: 'absent' | 'synced' | 'unchanged';
  refs: RefChange[];
  pushedRefs: RefMap;
  project?: { path: string; id: number };
  history: HistorySnapshot[];
}

/** What the wiki step needs besides the main sync's dependencies. */
export interface WikiDeps extends Pick<SyncDeps, 'git' | 'onedev' | 'githubGitUrl' | 'now'> {
  calls: SyncCalls;
  authorization: string | undefined;
  /** The wiki's bare cache. */
  cacheDir: string;
  bundleDir: string;
}

/** `https://github.com/o/n.git` → `https://github.com/o/n.wiki.git`, where GitHub serves the wiki. */
export function wikiUrl(githubGitUrl: string, mirror: Pick<MirrorRow, 'owner' | 'name'>): string {
  return cloneUrl(githubGitUrl, mirror).replace(/\.git$/, '.wiki.git');
}

/**
 * Mirrors a repository's GitHub wiki (`<name>.wiki.git`) to the child project `<project>/wiki`
 * with the main sync's guarantees: exact heads and tags by an atomic push keeping overwritten
 * tips, the default branch, verification, ref changes for the ledger. A wiki GitHub does not
 * serve (never created, or the feature is off: `has_wiki` false) is `absent`: no project, no
 * error.
 */
export async function syncWiki(
  mirror: MirrorRow,
  parentPath: string,
  stored: MirrorWikiRow | undefined,
  deps: WikiDeps,
): Promise<WikiOutcome> {
  const { calls } = deps;
  const source: GitRemote = {
    url: wikiUrl(deps.githubGitUrl, mirror),
    authorization: deps.authorization,
  };
  const listing = await calls.lsRemote(source, 'github').catch((error: unknown) => {
    if (error instanceof GitCommandError && error.kind === 'not_found') return undefined;
    throw error;
  });
  const none: WikiOutcome = { status: 'absent', refs: [], pushedRefs: {}, history: [] };
  if (!listing || Object.keys(listing.refs).length === 0) return none;
  const lastPushed = parseRefs(stored?.pushed_refs ?? null);
  const path = `${parentPath}/wiki`;
  if (
    stored?.onedev_project_id &&
    stored.onedev_path === path &&
    sameRefs(listing.refs, lastPushed)
  ) {
    const project = { path, id: stored.onedev_project_id };
    return { status: 'unchanged', refs: [], pushedRefs: lastPushed, project, history: [] };
  }

  const project = await calls.ensureProject(
    path,
    `Wiki of ${deps.githubGitUrl}/${mirror.owner}/${mirror.name}`,
  );
  const cacheRefs = await calls.fetchToCache(deps.cacheDir, source);
  const target: GitRemote = {
    url: deps.onedev.gitUrl(project.path),
    authorization: deps.onedev.gitAuthorization(),
  };
  const known = stored?.onedev_project_id === project.id && stored.pushed_refs !== null;
  const before = project.created
    ? {}
    : known
      ? lastPushed
      : (await calls.lsRemote(target, 'onedev')).refs;
  let history: HistorySnapshot[] = [];
  if (!sameRefs(before, cacheRefs)) {
    const isAncestor = (old: string, next: string) => deps.git.isAncestor(deps.cacheDir, old, next);
    const snapshots = await planHistory(before, cacheRefs, isAncestor, deps.now?.() ?? new Date());
    history = await pushWithHistory(
      {
        keepRefs: (dir, from, kept) => calls.keepRefs(dir, from, kept),
        push: (dir, remote, refs, alsoPush) => calls.pushFromCache(dir, remote, refs, alsoPush),
        bundleRef: (dir, ref, file) => deps.git.bundleRef(dir, ref, file),
      },
      { cacheDir: deps.cacheDir, target, cacheRefs, snapshots, bundleDir: deps.bundleDir },
    );
  }
  const branch =
    listing.headBranch && cacheRefs[`refs/heads/${listing.headBranch}`] ? listing.headBranch : null;
  if (branch && (await calls.getDefaultBranch(project.id)) !== branch)
    await calls.setDefaultBranch(project.id, branch);
  assertSameRefs(cacheRefs, (await calls.lsRemote(target, 'onedev')).refs);
  const refs = await refChanges(before, cacheRefs, (old, next) =>
    deps.git.isAncestor(deps.cacheDir, old, next),
  );
  return {
    status: 'synced',
    refs,
    pushedRefs: cacheRefs,
    project: { path: project.path, id: project.id },
    history,
  };
}

/** How long a wiki GitHub does not serve is taken as still absent. */
export const ABSENT_RECHECK_MS = 24 * 3_600_000;

/** What following one mirror's wiki after its sync needs. */
export interface WikiStepDeps {
  db: Executor;
  clock: Clock;
  log: Logger;
  wiki: Omit<WikiDeps, 'calls' | 'authorization' | 'cacheDir' | 'bundleDir'>;
  calls: SyncCalls;
  authorization: string | undefined;
  cacheDir: string;
  bundleDir: string;
  onHistory?: (snapshots: HistorySnapshot[], projectPath: string) => Promise<void>;
}

/**
 * Follows the mirror's wiki after a successful sync and records its own state (freshness,
 * last error): a wiki that fails never fails the repository's sync, it is shown and retried
 * with the next sync. Its ref changes join the run's ledger as `wiki:<ref>`.
 */
export async function followWiki(
  mirror: MirrorRow,
  main: SyncResult,
  deps: WikiStepDeps,
  signal?: AbortSignal,
): Promise<void> {
  const stored = await findWiki(deps.db, mirror.github_id);
  const now = () => deps.clock.now().toISOString();
  // Most repositories have no wiki: look again once a day (or after a wiki webhook), not on
  // every sync.
  const lookedAt = stored?.status === 'absent' ? Date.parse(stored.updated_at) : Number.NaN;
  if (deps.clock.now().getTime() - lookedAt < ABSENT_RECHECK_MS) return;
  const base = {
    github_id: mirror.github_id,
    onedev_path: stored?.onedev_path ?? null,
    onedev_project_id: stored?.onedev_project_id ?? null,
    pushed_refs: stored?.pushed_refs ?? null,
    last_synced_at: stored?.last_synced_at ?? null,
  };
  try {
    const wikiDeps = {
      ...deps.wiki,
      calls: deps.calls,
      authorization: deps.authorization,
      cacheDir: deps.cacheDir,
      bundleDir: deps.bundleDir,
    };
    const outcome = await syncWiki(mirror, main.onedev.path, stored, wikiDeps);
    if (outcome.project && outcome.history.length > 0)
      await deps.onHistory?.(outcome.history, outcome.project.path);
    main.refs.push(...outcome.refs.map((change) => ({ ...change, ref: `wiki:${change.ref}` })));
    await saveWiki(deps.db, {
      ...base,
      status: outcome.status === 'absent' ? 'absent' : 'synced',
      onedev_path: outcome.project?.path ?? base.onedev_path,
      onedev_project_id: outcome.project?.id ?? base.onedev_project_id,
      pushed_refs:
        outcome.status === 'absent' ? base.pushed_refs : JSON.stringify(outcome.pushedRefs),
      last_synced_at: outcome.status === 'absent' ? base.last_synced_at : now(),
      last_error: null,
      updated_at: now(),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    const message = coerceError(error).message;
    deps.log.warn({ err: error, repo: mirror.full_name }, 'wiki sync failed');
    await saveWiki(deps.db, { ...base, status: 'failed', last_error: message, updated_at: now() });
  }
}
