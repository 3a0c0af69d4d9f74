import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LfsStore, readBatch, sendLfsJson } from '../lfs-store.js';
import type { GitAuth } from './git.js';
import type { GitHubState } from './state.js';

/**
 * GitHub's LFS server for the double's repositories (docs/reference/github.md#lfs): the batch API at
 * `/<owner>/<name>.git/info/lfs/objects/batch`, objects stored beside the bare repository in
 * git-lfs's layout. Download actions point at `…/info/lfs/objects/<oid>` with a one-off
 * `RemoteAuth` header, as GitHub's point at its storage host with their own credential; an object
 * GitHub lacks comes back with a per-object 404 error.
 */

const LFS_PATH = /^\/([^/]+)\/([^/]+?)(?:\.git)?\/info\/lfs\/objects(?:\/(batch|[0-9a-f]{64}))$/;

export function matchLfsPath(
  pathname: string,
): { owner: string; name: string; target: string } | undefined {
  const m = LFS_PATH.exec(pathname);
  if (!m) return undefined;
  const [, owner = '', name = '', target = ''] = m;
  return { owner: decodeURIComponent(owner), name: decodeURIComponent(name), target };
}

/** RemoteAuth values handed out in download actions; an object GET must carry one. */
const issued = new Set<string>();

export async function serveLfs(
  req: IncomingMessage,
  res: ServerResponse,
  state: GitHubState,
  target: { owner: string; name: string; target: string },
  auth: GitAuth,
  base: string,
): Promise<void> {
  const found = state.resolve(target.owner, target.name)?.repo;
  if (target.target !== 'batch') {
    // The transfer link carries its own credential (RemoteAuth), not the caller's token.
    const values = req.headersDistinct.authorization ?? [];
    if (req.method !== 'GET' || !values.some((v) => issued.has(v))) {
      return sendLfsJson(res, 401, { message: 'Invalid RemoteAuth' });
    }
    const store = found && new LfsStore(state.repoPath(found.owner, found.name));
    if (!store || !(await store.has(target.target)))
      return sendLfsJson(res, 404, { message: 'Not Found' });
    return store.send(target.target, res);
  }
  if (auth.badToken) return sendLfsJson(res, 401, { message: 'Bad credentials' });
  if (!found || (found.private && !auth.login)) {
    // Private repositories are as invisible over LFS as over git.
    if (!auth.login) {
      return sendLfsJson(
        res,
        401,
        { message: 'Authentication required' },
        { 'LFS-Authenticate': 'Basic realm="GitHub"' },
      );
    }
    return sendLfsJson(res, 404, { message: 'Repository not found' });
  }
  const store = new LfsStore(state.repoPath(found.owner, found.name));
  const batch = req.method === 'POST' ? await readBatch(req) : undefined;
  if (!batch) return sendLfsJson(res, 422, { message: 'Validation Failed' });
  if (batch.operation === 'upload') {
    return sendLfsJson(res, 403, { message: 'upload is not served by this double' });
  }
  const href = `${base}/${found.owner}/${found.name}.git/info/lfs/objects`;
  const objects = [];
  for (const { oid, size } of batch.objects) {
    if (!(await store.has(oid))) {
      objects.push({ oid, size, error: { code: 404, message: 'Object does not exist' } });
      continue;
    }
    const remoteAuth = `RemoteAuth ${randomBytes(12).toString('hex')}`;
    issued.add(remoteAuth);
    const download = { href: `${href}/${oid}`, header: { Authorization: remoteAuth } };
    objects.push({ oid, size, authenticated: true, actions: { download } });
  }
  sendLfsJson(res, 200, { transfer: 'basic', objects });
}

/** The double's LFS store of one repository, for test setup and assertions. */
export function lfsStoreOf(state: GitHubState, owner: string, name: string): LfsStore {
  const found = state.resolve(owner, name)?.repo;
  if (!found) throw new Error(`GitHub double: no repository ${owner}/${name}`);
  return new LfsStore(state.repoPath(found.owner, found.name));
}
