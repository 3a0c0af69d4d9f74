import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LfsStore, readBatch, sendLfsJson, speaksLfs } from '../lfs-store.js';
import { canReadCode, canWriteCode } from './permissions.js';
import type { DoubleState } from './state.js';
import type { Caller, Project } from './types.js';

/**
 * OneDev's GitLfsFilter (docs/reference/onedev.md#lfs): it takes a request when the query has
 * `lfs-objects=true` (object transfer) or the content type or Accept is the LFS media type (batch
 * and locks). Objects live in the project's repository folder in git-lfs's layout. No verify
 * action is offered; an object over the size limit gets a per-object 406 error; uploads whose
 * sha256 is not the object id are deleted and answered 500.
 */

export function isLfsRequest(req: IncomingMessage, url: URL): boolean {
  return url.searchParams.get('lfs-objects') === 'true' || speaksLfs(req);
}

/** `StringUtils.substringBeforeLast(pathInfo, ".git/")`: the whole path when there is none. */
function projectPathOf(pathInfo: string): string {
  const at = pathInfo.lastIndexOf('.git/');
  return at < 0 ? pathInfo : pathInfo.slice(0, at);
}

function sendAuthorizationError(res: ServerResponse, caller: Caller): void {
  if (caller.kind === 'user') {
    sendLfsJson(res, 403, { message: 'Permission denied' });
    return;
  }
  sendLfsJson(
    res,
    401,
    { message: 'Authentication required' },
    { 'LFS-Authenticate': 'Basic realm="OneDev"' },
  );
}

export async function handleLfs(
  state: DoubleState,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  url: URL,
): Promise<void> {
  const pathInfo = url.pathname.replace(/^\/+/, '');
  const projectPath = projectPathOf(pathInfo);
  if (projectPath.trim() === '') return sendLfsJson(res, 400, { message: 'Project not specified' });
  const project = state.store.byPath(projectPath);
  if (url.searchParams.get('lfs-objects') === 'true') {
    // findByPath answers null for an unknown path and the permission check then fails on it.
    if (!project) return sendLfsJson(res, 500, { message: 'Server Error' });
    return transferObject(
      state,
      req,
      res,
      caller,
      project,
      pathInfo.slice(pathInfo.lastIndexOf('/') + 1),
    );
  }
  if (!project) return sendLfsJson(res, 404, { message: `Project not found: ${projectPath}` });
  if (pathInfo.endsWith('/batch')) return processBatch(state, req, res, caller, project);
  if (pathInfo.endsWith('/locks/verify')) {
    if (!canWriteCode(state.store, caller, project)) return sendAuthorizationError(res, caller);
    return sendLfsJson(res, 200, { ours: [], theirs: [] });
  }
  if (pathInfo.endsWith('/locks') && req.method === 'GET') {
    if (!canReadCode(state.store, caller, project)) return sendAuthorizationError(res, caller);
    return sendLfsJson(res, 200, { locks: [] });
  }
  sendLfsJson(res, 501, { message: 'not modelled by the double' });
}

async function transferObject(
  state: DoubleState,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  project: Project,
  oid: string,
): Promise<void> {
  const store = new LfsStore(state.store.repoDir(project.id));
  if (req.method === 'GET') {
    if (!canReadCode(state.store, caller, project)) return sendAuthorizationError(res, caller);
    if (!(await store.has(oid))) return sendLfsJson(res, 500, { message: 'Server Error' });
    return store.send(oid, res);
  }
  if (!canWriteCode(state.store, caller, project)) return sendAuthorizationError(res, caller);
  if (!/^[0-9a-f]{64}$/.test(oid) || !(await store.receive(oid, req))) {
    // "Invalid uploaded content: hash not equals to object id", a RuntimeException.
    return sendLfsJson(res, 500, { message: 'Server Error' });
  }
  state.lfsUploads.push(oid);
  res.writeHead(200);
  res.end();
}

async function processBatch(
  state: DoubleState,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  project: Project,
): Promise<void> {
  const batch = await readBatch(req);
  if (!batch) return sendLfsJson(res, 500, { message: 'Server Error' });
  if (batch.transfers && !batch.transfers.includes('basic')) {
    return sendLfsJson(res, 406, { message: 'This server can only accept basic transfer' });
  }
  if (batch.hash_algo !== undefined && batch.hash_algo !== 'sha256') {
    return sendLfsJson(res, 406, { message: 'This server can only accept sha256 hash algorithm' });
  }
  const upload = batch.operation === 'upload';
  const allowed = upload
    ? canWriteCode(state.store, caller, project)
    : canReadCode(state.store, caller, project);
  if (!allowed) return sendAuthorizationError(res, caller);
  const store = new LfsStore(state.store.repoDir(project.id));
  const action = (oid: string) => ({
    href: `${state.baseUrl}/${state.store.pathOf(project)}.git/lfs/objects/${oid}?lfs-objects=true`,
    ...(caller.kind === 'user'
      ? { header: { Authorization: `Bearer ${temporalToken(state, caller)}` } }
      : {}),
  });
  const objects = [];
  for (const { oid, size } of batch.objects) {
    const entry: Record<string, unknown> = { oid, size };
    const exists = await store.has(oid);
    if (size > state.lfsMaxBytes) {
      entry.error = {
        code: 406,
        message: `Exceeded max acceptable LFS file size ${state.lfsMaxBytes}`,
      };
    } else if (upload) {
      if (!exists) entry.actions = { upload: action(oid) };
    } else if (exists) {
      entry.actions = { download: action(oid) };
    } else {
      entry.error = { code: 404, message: 'Object not found' };
    }
    objects.push(entry);
  }
  sendLfsJson(res, 200, { objects });
}

/** `createTemporalAccessTokenIfUserPrincipal(300)`: a short-lived token acting as the caller. */
function temporalToken(state: DoubleState, caller: Extract<Caller, { kind: 'user' }>): string {
  const value = randomBytes(20).toString('hex');
  state.tokens.set(value, {
    value,
    owner: caller.user.name,
    hasOwnerPermissions: caller.token ? !!caller.token.hasOwnerPermissions : true,
    ...(caller.token?.authorizations ? { authorizations: caller.token.authorizations } : {}),
  });
  return value;
}
