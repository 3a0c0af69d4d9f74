import type { IncomingMessage, ServerResponse } from 'node:http';
import { runGitHttpBackend } from '../git-http-backend.js';
import type { GitHubState } from './state.js';

/**
 * Git smart HTTP at `/<owner>/<name>.git/...` (the `.git` suffix is optional, as on GitHub),
 * served by the real `git http-backend` so clients run genuine pack negotiation.
 */

/** Matches the paths a git client requests; REST paths never end in these. */
const GIT_PATH =
  /^\/([^/]+)\/([^/]+?)(?:\.git)?(\/(?:info\/refs|git-upload-pack|git-receive-pack|HEAD|objects\/.+))$/;

export function matchGitPath(
  pathname: string,
): { owner: string; name: string; rest: string } | undefined {
  const m = GIT_PATH.exec(pathname);
  if (!m) return undefined;
  const [, owner = '', name = '', rest = ''] = m;
  return { owner: decodeURIComponent(owner), name: decodeURIComponent(name), rest };
}

export interface GitAuth {
  login?: string;
  /** A token was sent but is unknown. */
  badToken: boolean;
}

export async function serveGit(
  req: IncomingMessage,
  res: ServerResponse,
  state: GitHubState,
  target: { owner: string; name: string; rest: string },
  auth: GitAuth,
  onBodyBytes?: (bytes: number) => void,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const pushing =
    target.rest === '/git-receive-pack' || url.searchParams.get('service') === 'git-receive-pack';
  if (auth.badToken) return challenge(res, 'Invalid username or token.');
  // `<name>.wiki.git` is the repository's wiki: served while the feature is on and a page exists.
  const wanted = target.name.endsWith('.wiki')
    ? { name: target.name.slice(0, -'.wiki'.length), wiki: true }
    : { name: target.name, wiki: false };
  // Old names keep working for git after a rename/transfer; serve the repo where it lives now.
  const repo = state.resolve(target.owner, wanted.name)?.repo;
  if (!repo || (wanted.wiki && !(repo.hasWiki && repo.wikiPath))) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Repository not found.\n');
    return;
  }
  // GitHub challenges (401 + WWW-Authenticate) rather than saying "not found" to anonymous
  // callers of a private repo; with GIT_TERMINAL_PROMPT=0 git then fails without prompting.
  if ((repo.private || pushing) && !auth.login) return challenge(res, 'Authentication required.');
  await runGitHttpBackend(req, res, {
    projectRoot: state.reposDir,
    pathInfo: `/${repo.owner}/${repo.name}${wanted.wiki ? '.wiki' : ''}.git${target.rest}`,
    // http-backend only enables receive-pack for a named user.
    ...(auth.login ? { remoteUser: auth.login } : {}),
    ...(onBodyBytes ? { onBodyBytes } : {}),
  });
}

function challenge(res: ServerResponse, message: string): void {
  res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="GitHub"' });
  res.end(`${message}\n`);
}
