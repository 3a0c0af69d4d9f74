import type { GitEngine, GitRemote, RefMap } from '../git/git.port.js';
import { cloneUrl } from '../github/repo-name.js';
import type { Mirror } from '../mirrors/mirror.js';
import type { OneDevApi } from '../onedev/onedev.port.js';
import { coerceError } from '../shared/errors.js';
import type { Redactor } from '../shared/redact.js';

/** GitHub's latest commit against the one in OneDev, for the mirror detail page. */
export interface Freshness {
  state: 'up_to_date' | 'update_available' | 'not_mirrored' | 'unknown';
  branch: string | null;
  githubSha: string | null;
  onedevSha: string | null;
  /** Heads and tags that differ between the two, when both could be read. */
  differingRefs: number;
  message?: string;
}

export type FreshnessCheck = (mirror: Mirror) => Promise<Freshness>;

/** What the freshness check reads with: the adapters the sync uses and its credentials. */
export interface FreshnessPorts {
  git: Pick<GitEngine, 'lsRemote'>;
  onedev: Pick<OneDevApi, 'gitUrl' | 'gitAuthorization'>;
  /** Base URL of GitHub's git endpoints (`GITHUB_GIT_URL`). */
  githubGitUrl: string;
  /** The credential the workers fetch this mirror with (the PAT or its installation's token). */
  authorizationFor: (mirror: Mirror) => Promise<string | undefined>;
  /** The SSH remote of a mirror set to a deploy key, which the workers then fetch from. */
  sshRemoteFor?: (mirror: Mirror) => Promise<GitRemote | undefined>;
  redactor: Redactor;
}

/**
 * Compares both sides with `git ls-remote` (no REST quota, nothing fetched). Called from a
 * lazily loaded fragment, so a slow remote never holds up the page itself.
 */
export function createFreshnessCheck(ports: FreshnessPorts): FreshnessCheck {
  return async (mirror) => {
    try {
      const github = (await ports.sshRemoteFor?.(mirror)) ?? {
        url: cloneUrl(ports.githubGitUrl, mirror),
        authorization: await ports.authorizationFor(mirror),
      };
      return await compare(mirror, ports.git, ports.onedev, github);
    } catch (error) {
      return { ...unknownFreshness(), message: ports.redactor.redact(coerceError(error).message) };
    }
  };
}

function unknownFreshness(): Freshness {
  return {
    state: 'unknown',
    branch: null,
    githubSha: null,
    onedevSha: null,
    differingRefs: 0,
  };
}

async function compare(
  mirror: Mirror,
  git: Pick<GitEngine, 'lsRemote'>,
  onedev: Pick<OneDevApi, 'gitUrl' | 'gitAuthorization'>,
  github: GitRemote,
): Promise<Freshness> {
  const source = await git.lsRemote(github);
  const branch = source.headBranch ?? mirror.defaultBranch;
  const githubSha = branch ? (source.refs[`refs/heads/${branch}`] ?? null) : null;
  if (!mirror.onedevPath) {
    return { ...unknownFreshness(), state: 'not_mirrored', branch, githubSha };
  }
  const target = await git.lsRemote({
    url: onedev.gitUrl(mirror.onedevPath),
    authorization: onedev.gitAuthorization(),
  });
  const onedevSha = branch ? (target.refs[`refs/heads/${branch}`] ?? null) : null;
  const differingRefs = countDiffering(source.refs, target.refs);
  const state = differingRefs === 0 && githubSha === onedevSha ? 'up_to_date' : 'update_available';
  return { state, branch, githubSha, onedevSha, differingRefs };
}

function countDiffering(a: RefMap, b: RefMap): number {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  let differing = 0;
  for (const name of names) if (a[name] !== b[name]) differing++;
  return differing;
}
