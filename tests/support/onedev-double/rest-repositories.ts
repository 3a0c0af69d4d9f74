import { challengeError, HttpError, sendEmpty, sendJson, sendRawString } from './http-util.js';
import { branchExists, defaultBranch, listBranches, setHead } from './repo.js';
import { loadProject, longParam, type RestContext, requirePermission } from './rest-context.js';
import type { Route } from './rest-router.js';

/**
 * Repository, version and user resources (docs/reference/onedev.md#endpoints-used,
 * #default-branch). `String` results are raw (not JSON-quoted), as Jersey writes them
 * (docs/reference/onedev.md#rest-conventions).
 */

async function getDefaultBranch(ctx: RestContext): Promise<void> {
  const { store } = ctx.state;
  const project = loadProject(ctx, longParam(ctx.params[0]));
  requirePermission(ctx, project, 'readCode');
  const branch = await defaultBranch(store.repoDir(project.id));
  // A null String result is Jersey's 204 No Content (unborn HEAD,
  // docs/reference/onedev.md#default-branch-after-first-push).
  if (branch === null) sendEmpty(ctx.res, 204);
  else sendRawString(ctx.res, branch);
}

/** The body is a JSON string literal such as `"main"`; anything else fails parsing → 500. */
function parseBranchBody(body: string): string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new HttpError(500, 'Server Error');
  }
  if (typeof value !== 'string') throw new HttpError(500, 'Server Error');
  return value;
}

async function setDefaultBranch(ctx: RestContext): Promise<void> {
  const { store } = ctx.state;
  const project = loadProject(ctx, longParam(ctx.params[0]));
  requirePermission(ctx, project, 'manage');
  const branch = parseBranchBody(ctx.body);
  const dir = store.repoDir(project.id);
  // GitUtils#setDefaultBranch throws an ExplicitException → 500
  // (docs/reference/onedev.md#default-branch).
  if (!(await branchExists(dir, branch))) throw new HttpError(500, `Branch not exist: ${branch}`);
  await setHead(dir, branch);
  sendEmpty(ctx.res);
}

async function getBranches(ctx: RestContext): Promise<void> {
  const project = loadProject(ctx, longParam(ctx.params[0]));
  requirePermission(ctx, project, 'readCode');
  sendJson(ctx.res, await listBranches(ctx.state.store.repoDir(project.id)));
}

function getServerVersion(ctx: RestContext): void {
  sendRawString(ctx.res, ctx.state.version);
}

/**
 * A limited token has no auth user, so `getMe` refuses it
 * (docs/reference/onedev.md#token-permissions).
 */
function getMe(ctx: RestContext): void {
  const { caller } = ctx;
  if (caller.kind === 'anonymous') throw challengeError('Not authenticated');
  if (caller.token && !caller.token.hasOwnerPermissions) throw new HttpError(403, 'Not authorized');
  const id = [...ctx.state.users.keys()].indexOf(caller.user.name) + 1;
  sendJson(ctx.res, {
    id,
    name: caller.user.name,
    fullName: null,
    disabled: false,
    serviceAccount: false,
  });
}

export const REPOSITORY_ROUTES: Route[] = [
  {
    pattern: /^\/repositories\/([^/]+)\/default-branch\/?$/,
    methods: { GET: { handler: getDefaultBranch }, POST: { handler: setDefaultBranch } },
  },
  {
    pattern: /^\/repositories\/([^/]+)\/branches\/?$/,
    methods: { GET: { handler: getBranches } },
  },
  { pattern: /^\/version\/server\/?$/, methods: { GET: { handler: getServerVersion } } },
  { pattern: /^\/users\/me\/?$/, methods: { GET: { handler: getMe } } },
];
