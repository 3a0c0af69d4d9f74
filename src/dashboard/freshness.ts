import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { createGitEngine } from '../git/git.adapter.js';
import type { GitEngine, RefMap } from '../git/git.port.js';
import { cloneUrl } from '../github/repo-name.js';
import type { Mirror } from '../mirrors/mirror.js';
import { createOneDevClient } from '../onedev/onedev.client.js';
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

/**
 * Compares both sides with `git ls-remote` (no REST quota, nothing fetched). Undefined when
 * OneDev is not configured. Called from a lazily loaded fragment, so a slow remote never
 * holds up the page itself.
 */
export function createFreshnessCheck(
  config: Config,
  redactor: Redactor,
  git?: GitEngine,
): FreshnessCheck | undefined {
  const onedevConfig = config.onedev;
  if (!onedevConfig) return undefined;
  const onedev = createOneDevClient({ baseUrl: onedevConfig.url, token: onedevConfig.token });
  const engine =
    git ??
    createGitEngine({
      homeDir: join(config.dataDir, 'git-home'),
      allowHttp: config.github.gitUrl.startsWith('http:') || onedevConfig.url.startsWith('http:'),
      redactor,
    });
  const token = config.github.token;
  const githubAuth = token
    ? `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`
    : undefined;
  return (mirror) =>
    compare(mirror, engine, onedev, {
      url: cloneUrl(config.github.gitUrl, mirror),
      authorization: githubAuth,
    }).catch((error: unknown) => ({
      ...unknownFreshness(),
      message: redactor.redact(coerceError(error).message),
    }));
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
  git: GitEngine,
  onedev: Pick<OneDevApi, 'gitUrl' | 'gitAuthorization'>,
  github: { url: string; authorization?: string },
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
