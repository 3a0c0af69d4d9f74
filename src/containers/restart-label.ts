import type { RefChange } from '../sync/run.js';

/** One entry of a restart label: `name`, `owner/name`, either with an optional `@branch`. */
export interface FollowEntry {
  /** As written (for display): `name` or `owner/name`. */
  repo: string;
  branch?: string;
}

const PART = /^[A-Za-z0-9_.-]+$/;

/**
 * Parses a restart label value: comma-separated entries, whitespace trimmed. Entries that
 * are not a repository name (`*`, `a/b/c`, `..`, empty) are reported, never matched: no
 * wildcard ever matches every repository.
 */
export function parseRestartLabel(value: string): { follows: FollowEntry[]; invalid: string[] } {
  const follows: FollowEntry[] = [];
  const invalid: string[] = [];
  for (const raw of value.split(',')) {
    const text = raw.trim();
    if (text === '') continue;
    const entry = parseEntry(text);
    if (entry) follows.push(entry);
    else invalid.push(text);
  }
  return { follows, invalid };
}

function parseEntry(text: string): FollowEntry | undefined {
  const at = text.indexOf('@');
  const repo = (at === -1 ? text : text.slice(0, at)).trim();
  const branch = at === -1 ? undefined : text.slice(at + 1).trim();
  const parts = repo.split('/');
  if (parts.length > 2 || !parts.every((p) => PART.test(p) && !/^\.+$/.test(p))) return undefined;
  if (branch !== undefined && !/^[^\s@,~^:?*[\\]+$/.test(branch)) return undefined;
  return branch === undefined ? { repo } : { repo, branch };
}

/** Whether an entry names the repository `owner/name` (case-insensitive). */
export function namesRepository(entry: FollowEntry, fullName: string): boolean {
  const wanted = entry.repo.toLowerCase();
  const full = fullName.toLowerCase();
  return wanted.includes('/') ? wanted === full : wanted === full.slice(full.indexOf('/') + 1);
}

/**
 * Whether a sync that moved `refs` of `fullName` concerns this entry: any moved ref for a
 * plain entry; for `@branch`, that branch created or moved (a deleted branch has nothing
 * to run).
 */
export function entryTriggered(entry: FollowEntry, fullName: string, refs: RefChange[]): boolean {
  if (!namesRepository(entry, fullName) || refs.length === 0) return false;
  if (entry.branch === undefined) return true;
  const ref = `refs/heads/${entry.branch}`.toLowerCase();
  return refs.some((change) => change.ref.toLowerCase() === ref && change.kind !== 'deleted');
}

/** The entries of a container's label that a sync (or a manual restart) concerns. */
export function matchingEntries(
  labels: Record<string, string>,
  labelKey: string,
  fullName: string,
  refs?: RefChange[],
): FollowEntry[] {
  const value = labels[labelKey];
  if (value === undefined) return [];
  const { follows } = parseRestartLabel(value);
  return follows.filter((entry) =>
    refs ? entryTriggered(entry, fullName, refs) : namesRepository(entry, fullName),
  );
}

/**
 * The branch a working copy should follow: the one branch the matched entries name, or
 * the default branch when an entry names none or they disagree.
 */
export function checkoutBranch(
  entries: FollowEntry[],
  defaultBranch: string | null,
): string | null {
  const named = new Set(entries.map((e) => e.branch));
  const only = named.size === 1 ? [...named][0] : undefined;
  return only ?? defaultBranch;
}
