import { join } from 'node:path';
import type { GitRemote, KeptRef, RefMap } from '../git/git.port.js';
import { GitCommandError } from '../git/git-errors.js';

/** Where overwritten tips are kept in OneDev (docs/reference/onedev.md#other-refs). */
export const HISTORY_PREFIX = 'refs/starbridge/history/';

/** Why an old tip was kept. */
export type HistoryReason = 'force-push' | 'deleted' | 'tag-moved';

/** One overwritten or deleted tip, as a sync kept it. */
export interface HistorySnapshot {
  /** The head or tag that moved or went, e.g. `refs/heads/main`. */
  ref: string;
  oldSha: string;
  /** Where the ref went; null when it was deleted. */
  newSha: string | null;
  reason: HistoryReason;
  /** `ref`: kept in OneDev under `keptRef`; `bundle`: OneDev refused it, a bundle holds it. */
  location: 'ref' | 'bundle';
  /** The ref under `refs/starbridge/history/` (in OneDev unless location is `bundle`). */
  keptRef: string;
  /** The bundle file, when location is `bundle`. */
  bundlePath: string | null;
}

/** `20261207T185707Z`: a UTC time that is a valid ref name component (no `:`). */
export function refTime(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll('-', '')
    .replaceAll(':', '');
}

/** `refs/heads/main` at a time → `refs/starbridge/history/heads/main/<UTC time>`. */
export function historyRefName(ref: string, at: Date): string {
  return `${HISTORY_PREFIX}${ref.slice('refs/'.length)}/${refTime(at)}`;
}

/**
 * The tips a push from `before` to `after` would lose: a branch deleted or moved to a commit
 * that does not contain it (a force push), a tag deleted or moved. A fast-forward loses nothing.
 */
export async function planHistory(
  before: RefMap,
  after: RefMap,
  isAncestor: (old: string, next: string) => Promise<boolean>,
  at: Date,
): Promise<HistorySnapshot[]> {
  const kept: HistorySnapshot[] = [];
  for (const ref of Object.keys(before).sort()) {
    const oldSha = before[ref] as string;
    const newSha = after[ref] ?? null;
    if (newSha === oldSha) continue;
    let reason: HistoryReason;
    if (newSha === null) reason = 'deleted';
    else if (ref.startsWith('refs/tags/')) reason = 'tag-moved';
    else if (await isAncestor(oldSha, newSha)) continue;
    else reason = 'force-push';
    const keptRef = historyRefName(ref, at);
    kept.push({ ref, oldSha, newSha, reason, location: 'ref', keptRef, bundlePath: null });
  }
  return kept;
}

export interface HistoryPush {
  cacheDir: string;
  target: GitRemote;
  cacheRefs: RefMap;
  snapshots: HistorySnapshot[];
  /** Where bundles go when OneDev refuses the history refs. */
  bundleDir: string;
}

/** What the history step needs of git (quick-retried where the sync retries). */
export interface HistoryGit {
  keepRefs(cacheDir: string, from: GitRemote, kept: KeptRef[]): Promise<void>;
  push(cacheDir: string, target: GitRemote, cacheRefs: RefMap, alsoPush: string[]): Promise<void>;
  bundleRef(cacheDir: string, ref: string, file: string): Promise<void>;
}

/**
 * The atomic push that follows the source exactly and keeps each lost tip under
 * `refs/starbridge/history/` in the same push, so OneDev never loses a commit without a ref
 * holding it. If OneDev refuses those refs, each tip goes into a bundle in the data
 * directory and the heads and tags are pushed alone. Returns the snapshots as kept.
 */
export async function pushWithHistory(
  git: HistoryGit,
  push: HistoryPush,
): Promise<HistorySnapshot[]> {
  const { cacheDir, target, cacheRefs, snapshots } = push;
  if (snapshots.length === 0) {
    await git.push(cacheDir, target, cacheRefs, []);
    return [];
  }
  const kept = snapshots.map((s) => ({ ref: s.keptRef, sha: s.oldSha, source: s.ref }));
  await git.keepRefs(cacheDir, target, kept);
  try {
    await git.push(
      cacheDir,
      target,
      cacheRefs,
      kept.map((k) => k.ref),
    );
    return snapshots;
  } catch (error) {
    if (!refusedHistory(error)) throw error;
  }
  const bundled: HistorySnapshot[] = [];
  for (const snapshot of snapshots) {
    const name = snapshot.keptRef.slice(HISTORY_PREFIX.length).replaceAll('/', '_');
    const file = join(push.bundleDir, `${name}.bundle`);
    await git.bundleRef(cacheDir, snapshot.keptRef, file);
    bundled.push({ ...snapshot, location: 'bundle', bundlePath: file });
  }
  await git.push(cacheDir, target, cacheRefs, []);
  return bundled;
}

/** A push OneDev refused because of a history ref (not because of a head or a tag). */
function refusedHistory(error: unknown): boolean {
  if (!(error instanceof GitCommandError) || error.kind !== 'rejected') return false;
  // OneDev names the ref its hook refused (docs/reference/onedev.md#push-rules).
  return /ERROR PUSHING REF: refs\/starbridge\//.test(`${error.message}\n${error.stderrTail}`);
}
