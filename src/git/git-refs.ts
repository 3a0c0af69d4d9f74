import type { LsRemoteResult, RefMap } from './git.port.js';

/** Only branches and tags are ever mirrored; `refs/pull/*` and the like never are. */
export function isMirroredRef(refname: string): boolean {
  return (
    (refname.startsWith('refs/heads/') || refname.startsWith('refs/tags/')) &&
    !refname.endsWith('^{}')
  );
}

/**
 * Parses `git ls-remote --symref` output: `<sha>\t<ref>` lines plus
 * `ref: refs/heads/main\tHEAD`. Peeled tags (`^{}`) and every ref outside heads and tags
 * are dropped.
 */
export function parseLsRemote(stdout: string): LsRemoteResult {
  const refs: RefMap = {};
  let headBranch: string | undefined;
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const left = line.slice(0, tab);
    const name = line.slice(tab + 1).trim();
    if (left.startsWith('ref: ')) {
      const target = left.slice('ref: '.length).trim();
      if (name === 'HEAD' && target.startsWith('refs/heads/')) {
        headBranch = target.slice('refs/heads/'.length);
      }
      continue;
    }
    if (/^[0-9a-f]{40,64}$/.test(left) && isMirroredRef(name)) refs[name] = left;
  }
  return headBranch === undefined ? { refs } : { refs, headBranch };
}

/** Parses `git for-each-ref --format='%(objectname) %(refname)'`, keeping heads and tags. */
export function parseRefList(stdout: string): RefMap {
  const refs: RefMap = {};
  for (const line of stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const name = line.slice(space + 1).trim();
    if (isMirroredRef(name)) refs[name] = line.slice(0, space);
  }
  return refs;
}
