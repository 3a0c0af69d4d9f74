import { HttpError, sendEmpty, sendRawString } from './http-util.js';
import { canCreateRootProjects, canManage, canReadCode } from './permissions.js';
import { parseProjectData } from './project-data.js';
import { copyRepo, initBareRepo } from './repo.js';
import { loadProject, longParam, type RestContext, requirePermission } from './rest-context.js';
import type { DoubleState } from './state.js';
import type { Project, ProjectFields } from './types.js';

/**
 * Create and update of projects, with OneDev's order of checks
 * (docs/reference/onedev.md#create-checks, #full-replacement-update).
 */

/**
 * Records every name a create body carries, valid or not (docs/reference/onedev.md#create-checks,
 * #name-rule-not-enforced).
 */
export function observeCreateName(state: DoubleState, body: string): void {
  try {
    const name = (JSON.parse(body) as { name?: unknown }).name;
    if (typeof name !== 'string') return;
    state.createdNames.push(name);
    state.sentNames.push(name);
  } catch {
    // Not JSON: the 400 answer is the endpoint's business.
  }
}

/**
 * `checkProjectCreationPermission` (403 texts of docs/reference/onedev.md#create-checks). Loading
 * the parent may 404 first.
 */
function checkCreationPermission(ctx: RestContext, parentId: number | null): Project | undefined {
  const { store } = ctx.state;
  if (parentId === null) {
    if (!canCreateRootProjects(ctx.caller)) {
      throw new HttpError(403, 'Not authorized to create root project');
    }
    return undefined;
  }
  const parent = loadProject(ctx, parentId);
  if (!canManage(store, ctx.caller, parent)) {
    throw new HttpError(403, `Not authorized to create project under '${store.pathOf(parent)}'`);
  }
  return parent;
}

/**
 * `checkProjectNameDuplication`: case-insensitive among siblings → 500
 * (docs/reference/onedev.md#duplicate-name).
 */
function checkDuplicate(ctx: RestContext, fields: ProjectFields, self?: Project): void {
  const { store } = ctx.state;
  const same = store.findSibling(fields.parentId, fields.name);
  if (!same || same.id === self?.id) return;
  const parent = fields.parentId === null ? undefined : store.get(fields.parentId);
  throw new HttpError(
    500,
    parent
      ? `Name '${fields.name}' is already used by another project under '${store.pathOf(parent)}'`
      : `Name '${fields.name}' is already used by another root project`,
  );
}

export async function createProject(ctx: RestContext): Promise<void> {
  const { state, caller } = ctx;
  const { store } = state;
  const fields = parseProjectData(ctx.body, 'createProject', 'arg0');
  checkCreationPermission(ctx, fields.parentId);
  const source = fields.forkedFromId === null ? undefined : loadProject(ctx, fields.forkedFromId);
  if (source && !canReadCode(store, caller, source)) {
    throw new HttpError(403, `Not authorized to read code of project '${store.pathOf(source)}'`);
  }
  checkDuplicate(ctx, fields);
  // Check and insert happen without an await in between, so the double never has the duplicate race
  // of docs/reference/onedev.md#create-race; tests that want a duplicate create it explicitly.
  const project = store.add(fields);
  if (caller.kind === 'user') store.grant(project.id, caller.user.name, 'manage');
  await initBareRepo(store.repoDir(project.id), project.gitPackConfig);
  if (source) await copyRepo(store.repoDir(source.id), store.repoDir(project.id));

  const fault = state.faults.takeAfterCreate({
    method: 'POST',
    path: ctx.record.path,
    kind: 'rest',
  });
  if (fault === 'drop') {
    ctx.record.fault = 'createSucceedsThenDrop';
    ctx.record.status = 0;
    ctx.req.socket.destroy();
    return;
  }
  if (fault === 'respond500') {
    ctx.record.fault = 'createSucceedsThen500';
    throw new HttpError(500, 'Server Error');
  }
  if (fault === 'respond409') {
    ctx.record.fault = 'createSucceedsThen409';
    throw new HttpError(409, 'Conflict');
  }
  sendRawString(ctx.res, String(project.id));
}

export async function updateProject(ctx: RestContext): Promise<void> {
  const { store } = ctx.state;
  const fields = parseProjectData(ctx.body, 'updateProject', 'arg1');
  ctx.state.sentNames.push(fields.name);
  const project = loadProject(ctx, longParam(ctx.params[0]));
  requirePermission(ctx, project, 'manage');
  if (fields.parentId !== project.parentId) {
    const parent = checkCreationPermission(ctx, fields.parentId);
    if (parent && store.isSelfOrAncestorOf(project, parent)) {
      throw new HttpError(500, 'Cannot use current or descendant project as parent');
    }
  }
  if (fields.forkedFromId !== null) loadProject(ctx, fields.forkedFromId);
  checkDuplicate(ctx, fields, project);
  store.replace(project.id, fields);
  sendEmpty(ctx.res);
}
