import { join } from 'node:path';
import type { Project, ProjectFields, Role } from './types.js';

const RANK: Record<Role, number> = { read: 1, write: 2, manage: 3 };

export function strongerRole(a: Role | undefined, b: Role | undefined): Role | undefined {
  if (!a) return b;
  if (!b) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

export function roleAtLeast(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && RANK[role] >= RANK[needed];
}

/**
 * The in-memory project table plus user authorizations. Paths are never stored, only computed from
 * the parent chain (`Project#calcPath`, docs/reference/onedev.md#project-data), so a rename or move
 * re-paths every descendant for free (docs/reference/onedev.md#full-replacement-update).
 * Repositories live under their id, as OneDev keeps them, so renames never move directories.
 */
export class ProjectStore {
  private readonly projects = new Map<number, Project>();
  private readonly grants = new Map<number, Map<string, Role>>();
  private nextId = 1;
  private activity = 0;

  constructor(readonly reposDir: string) {}

  get(id: number): Project | undefined {
    return this.projects.get(id);
  }

  all(): Project[] {
    return [...this.projects.values()];
  }

  pathOf(project: Project): string {
    const names: string[] = [];
    for (let p: Project | undefined = project; p; p = this.parentOf(p)) names.unshift(p.name);
    return names.join('/');
  }

  parentOf(project: Project): Project | undefined {
    return project.parentId === null ? undefined : this.projects.get(project.parentId);
  }

  /**
   * `ProjectCache.findByPath`: exact path, compared case-insensitively
   * (docs/reference/onedev.md#project-id-by-path).
   */
  byPath(path: string): Project | undefined {
    const wanted = path.toLowerCase();
    return this.all().find((p) => this.pathOf(p).toLowerCase() === wanted);
  }

  children(id: number | null): Project[] {
    return this.all().filter((p) => p.parentId === id);
  }

  /** The project itself first, then its parent, up to the root. */
  selfAndAncestors(project: Project): Project[] {
    const chain: Project[] = [];
    for (let p: Project | undefined = project; p; p = this.parentOf(p)) chain.push(p);
    return chain;
  }

  isSelfOrAncestorOf(ancestor: Project, project: Project): boolean {
    return this.selfAndAncestors(project).some((p) => p.id === ancestor.id);
  }

  /**
   * `DPS#find(parent, name)`: siblings compared with equalsIgnoreCase
   * (docs/reference/onedev.md#duplicate-name).
   */
  findSibling(parentId: number | null, name: string): Project | undefined {
    const wanted = name.toLowerCase();
    return this.children(parentId).find((p) => p.name.toLowerCase() === wanted);
  }

  add(fields: ProjectFields): Project {
    const now = new Date();
    const project: Project = {
      ...fields,
      id: this.nextId++,
      createDate: now,
      lastActivity: ++this.activity,
      lastActivityDate: now,
      branchProtections: [],
      tagProtections: [],
      otherSettings: {},
    };
    this.projects.set(project.id, project);
    return project;
  }

  /** Full replacement of the writable fields (docs/reference/onedev.md#full-replacement-update). */
  replace(id: number, fields: ProjectFields): Project {
    const project = this.projects.get(id);
    if (!project) throw new Error(`no project ${id}`);
    Object.assign(project, fields);
    return project;
  }

  /**
   * Removes the project and all descendants (docs/reference/onedev.md#delete-project); returns what
   * was removed.
   */
  removeTree(id: number): Project[] {
    const root = this.projects.get(id);
    if (!root) return [];
    const removed = [root, ...this.children(id).flatMap((c) => this.removeTree(c.id))];
    this.projects.delete(id);
    this.grants.delete(id);
    return removed;
  }

  touch(id: number): void {
    const project = this.projects.get(id);
    if (!project) return;
    project.lastActivity = ++this.activity;
    project.lastActivityDate = new Date();
  }

  grant(id: number, userName: string, role: Role): void {
    let forProject = this.grants.get(id);
    if (!forProject) {
      forProject = new Map();
      this.grants.set(id, forProject);
    }
    forProject.set(userName, strongerRole(forProject.get(userName), role) ?? role);
  }

  /** The direct authorization of a user on exactly this project. */
  directRole(id: number, userName: string): Role | undefined {
    return this.grants.get(id)?.get(userName);
  }

  owners(id: number): string[] {
    return [...(this.grants.get(id) ?? new Map<string, Role>())]
      .filter(([, role]) => role === 'manage')
      .map(([user]) => user);
  }

  repoDir(id: number): string {
    return join(this.reposDir, `${id}.git`);
  }
}
