import type { RefChange } from '../sync/run.js';

/**
 * One entry of a restart label: `name`, `owner/name`, either with an optional `@branch`
 * and an optional `:path,path…` (restart only when a file under those paths changed).
 */
export interface FollowEntry {
  /** As written (for display): `name` or `owner/name`. */
  repo: string;
  branch?: string;
  /** Files or folders (ending in `/`) of the repository; absent: any change counts. */
  paths?: string[];
}

const PART = /^[A-Za-z0-9_.-]+$/;

/**
 * Parses a restart label value: comma-separated entries, whitespace trimmed. Entries that
 * are not a repository name (`*`, `a/b/c`, `..`, empty) are reported, never matched: no
 * wildcard ever matches every repository. An entry with `:` takes the items after it as
 * its paths (`acme/site@main:docs/,config/app.yml`), up to the next entry with `:` or a
 * `;`, which also separates entries (`acme/site:docs/; acme/api`).
 */
export function parseRestartLabel(value: string): { follows: FollowEntry[]; invalid: string[] } {
  const follows: FollowEntry[] = [];
  const invalid: string[] = [];
  for (const group of value.split(';')) {
    let scoped: FollowEntry | undefined;
    for (const raw of group.split(',')) {
      const text = raw.trim();
      if (scoped && !text.includes(':')) {
        addPath(scoped, text);
        continue;
      }
      if (text === '') continue;
      const entry = parseEntry(text);
      // The paths after an invalid entry with `:` are its own, not entries of their own.
      scoped = entry?.paths ? entry : text.includes(':') ? { repo: '', paths: [] } : undefined;
      if (entry) follows.push(entry);
      else invalid.push(text);
    }
  }
  for (const entry of follows) if (entry.paths?.length === 0) delete entry.paths;
  return { follows, invalid };
}

function parseEntry(text: string): FollowEntry | undefined {
  const colon = text.indexOf(':');
  const head = colon === -1 ? text : text.slice(0, colon);
  const at = head.indexOf('@');
  const repo = (at === -1 ? head : head.slice(0, at)).trim();
  const branch = at === -1 ? undefined : head.slice(at + 1).trim();
  const parts = repo.split('/');
  if (parts.length > 2 || !parts.every((p) => PART.test(p) && !/^\.+$/.test(p))) return undefined;
  if (branch !== undefined && !/^[^\s@,~^:?*[\\]+$/.test(branch)) return undefined;
  const entry: FollowEntry = branch === undefined ? { repo } : { repo, branch };
  if (colon !== -1) {
    entry.paths = [];
    addPath(entry, text.slice(colon + 1));
  }
  return entry;
}

/**
 * A path as the repository spells it, relative to its root. `*` and empty add nothing (an
 * entry whose paths are all like that follows every change, as if it named none); `..`
 * segments could never match a file of the repository and are dropped the same way.
 */
function addPath(entry: FollowEntry, raw: string): void {
  const path = raw
    .trim()
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '');
  if (path === '' || path === '*' || path.split('/').some((p) => p === '..')) return;
  entry.paths?.push(path);
}

/** Whether a changed file is one of `paths`: the file itself, or under a folder of them. */
export function pathMatches(paths: string[], file: string): boolean {
  return paths.some((path) =>
    path.endsWith('/') ? file.startsWith(path) : file === path || file.startsWith(`${path}/`),
  );
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
