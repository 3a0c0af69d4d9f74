import { type ProjectStore, roleAtLeast, strongerRole } from './store.js';
import type { Caller, Project, Role, UserSpec } from './types.js';

/**
 * Shiro permission checks as docs/reference/onedev.md#token-permissions describes them:
 * - a token with owner permissions acts exactly as its owner;
 * - a limited token has only its per-project authorizations, and only where the owner can
 *   manage, and never system permissions (admin, create root projects);
 * - project roles reach descendant projects (`ProjectPermission#implies`).
 */

/** A user, or a token acting with its owner's permissions. */
function isFullUser(caller: Extract<Caller, { kind: 'user' }>): boolean {
  return caller.token === undefined || !!caller.token.hasOwnerPermissions;
}

export function isAdministrator(caller: Caller): boolean {
  return caller.kind === 'user' && isFullUser(caller) && !!caller.user.admin;
}

export function canCreateRootProjects(caller: Caller): boolean {
  if (caller.kind !== 'user' || !isFullUser(caller)) return false;
  return !!caller.user.admin || !!caller.user.canCreateRootProjects;
}

/** Role of a user acting with all of its own permissions. */
function userRole(store: ProjectStore, user: UserSpec, project: Project): Role | undefined {
  if (user.admin) return 'manage';
  let role: Role | undefined;
  for (const p of store.selfAndAncestors(project))
    role = strongerRole(role, store.directRole(p.id, user.name));
  return role;
}

export function roleOn(store: ProjectStore, caller: Caller, project: Project): Role | undefined {
  if (caller.kind === 'anonymous') return undefined;
  if (isFullUser(caller)) return userRole(store, caller.user, project);
  let role: Role | undefined;
  for (const auth of caller.token?.authorizations ?? []) {
    const target = store.byPath(auth.path);
    if (!target || !store.isSelfOrAncestorOf(target, project)) continue;
    if (userRole(store, caller.user, target) !== 'manage') continue;
    role = strongerRole(role, auth.role);
  }
  return role;
}

export function canAccess(store: ProjectStore, caller: Caller, project: Project): boolean {
  return roleOn(store, caller, project) !== undefined;
}

export function canReadCode(store: ProjectStore, caller: Caller, project: Project): boolean {
  return roleAtLeast(roleOn(store, caller, project), 'read');
}

export function canWriteCode(store: ProjectStore, caller: Caller, project: Project): boolean {
  return roleAtLeast(roleOn(store, caller, project), 'write');
}

/**
 * ManageProject; the Owner role also carries CreateChildren
 * (docs/reference/onedev.md#create-checks).
 */
export function canManage(store: ProjectStore, caller: Caller, project: Project): boolean {
  return roleAtLeast(roleOn(store, caller, project), 'manage');
}
