import type { IncomingMessage, ServerResponse } from 'node:http';
import { runGitHttpBackend } from '../git-http-backend.js';
import { hookEnv } from './hooks.js';
import { challengeError, HttpError } from './http-util.js';
import { canAccess, canManage, canReadCode, canWriteCode } from './permissions.js';
import { notAuthorized } from './rest-context.js';
import type { DoubleState } from './state.js';
import type { Caller, Project } from './types.js';

/**
 * Git smart HTTP, as GitFilter serves it (docs/reference/onedev.md#git-urls, #git-status-codes):
 * the project path is looked up as given (case-insensitive), then without a trailing `.git`;
 * permission failures use GitFilter's texts; pack work runs through the real `git http-backend`,
 * with OneDev-like hooks in every repository (docs/reference/onedev.md#push-rules).
 */

export interface GitRequest {
  /** Path before the service suffix, as sent (leading/trailing slashes stripped). */
  projectInfo: string;
  /** Suffix handed to http-backend: `info/refs`, `git-upload-pack` or `git-receive-pack`. */
  suffix: string;
  upload: boolean;
  pack: boolean;
}

/** JGit's GitSmartHttpTools checks; everything else falls through to the web UI. */
export function parseGitRequest(req: IncomingMessage): GitRequest | undefined {
  const url = new URL(req.url ?? '/', 'http://double');
  const path = url.pathname;
  const strip = (s: string) => s.replace(/^\/+|\/+$/g, '');
  if (req.method === 'GET' && path.endsWith('/info/refs')) {
    const service = url.searchParams.get('service');
    if (service !== 'git-upload-pack' && service !== 'git-receive-pack') return undefined;
    const projectInfo = strip(path.slice(0, -'/info/refs'.length));
    return { projectInfo, suffix: 'info/refs', upload: service === 'git-upload-pack', pack: false };
  }
  for (const service of ['git-upload-pack', 'git-receive-pack']) {
    if (req.method === 'POST' && path.endsWith(`/${service}`)) {
      const projectInfo = strip(path.slice(0, -(service.length + 1)));
      return { projectInfo, suffix: service, upload: service === 'git-upload-pack', pack: true };
    }
  }
  return undefined;
}

function resolveProject(state: DoubleState, caller: Caller, info: string): Project {
  const { store } = state;
  let path = info;
  let project = store.byPath(path);
  if (!project && path.endsWith('.git')) {
    path = path.slice(0, -'.git'.length);
    project = store.byPath(path);
  }
  if (path.trim() === '') throw new HttpError(500, 'Project not specified');
  if (!project || !canAccess(store, caller, project)) {
    if (caller.kind === 'anonymous') throw challengeError('Authentication required');
    throw new HttpError(404, `Project not found or inaccessible: ${path}`);
  }
  return project;
}

/**
 * OneDev queues pack work on a bounded executor (docs/reference/onedev.md#pack-queue); extra
 * requests wait, never fail.
 */
async function acquirePackSlot(state: DoubleState): Promise<() => void> {
  while (
    state.faults.packConcurrency !== undefined &&
    state.activePacks >= state.faults.packConcurrency
  ) {
    await new Promise<void>((resolve) => state.packWaiters.push(resolve));
  }
  state.activePacks++;
  state.maxActivePacks = Math.max(state.maxActivePacks, state.activePacks);
  return () => {
    state.activePacks--;
    state.packWaiters.shift()?.();
  };
}

export async function handleGit(
  state: DoubleState,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  git: GitRequest,
): Promise<void> {
  const { store } = state;
  const project = resolveProject(state, caller, git.projectInfo);
  if (git.upload && !canReadCode(store, caller, project)) {
    throw notAuthorized(caller, 'You do not have permission to pull from this project.');
  }
  if (!git.upload && !canWriteCode(store, caller, project)) {
    throw notAuthorized(caller, 'You do not have permission to push to this project.');
  }
  const release = git.pack ? await acquirePackSlot(state) : () => {};
  try {
    const hierarchy = store.selfAndAncestors(project);
    await runGitHttpBackend(req, res, {
      projectRoot: store.reposDir,
      pathInfo: `/${project.id}.git/${git.suffix}`,
      ...(caller.kind === 'user' ? { remoteUser: caller.user.name } : {}),
      env: hookEnv({
        canManage: canManage(store, caller, project),
        user: caller.kind === 'user' ? caller.user.name : '',
        branchProtections: hierarchy.flatMap((p) => p.branchProtections),
        tagProtections: hierarchy.flatMap((p) => p.tagProtections),
        projectUrl: `${state.baseUrl}/${store.pathOf(project)}`,
        projectId: project.id,
        refusedRefPrefixes: state.refusedRefPrefixes,
      }),
    });
  } finally {
    release();
  }
  if (git.pack && !git.upload) store.touch(project.id);
}
