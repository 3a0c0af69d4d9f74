import { HttpError, sendEmpty, sendJson, sendRawString } from './http-util.js';
import { canAccess, isAdministrator } from './permissions.js';
import { toProjectData } from './project-data.js';
import { createProject, observeCreateName, updateProject } from './project-write.js';
import { parseProjectQuery, QuerySyntaxError } from './query.js';
import { runProjectQuery } from './query-eval.js';
import { removeRepo } from './repo.js';
import {
  jerseyNotFound,
  loadProject,
  longParam,
  type RestContext,
  requirePermission,
} from './rest-context.js';
import type { Route } from './rest-router.js';
import { versionAtLeast } from './state.js';

/** `/~api/projects` resources (docs/reference/onedev.md#endpoints-used, #project-query). */

const MAX_PAGE_SIZE = 100;

/** Jersey converts a primitive `int` query param; empty is 0, garbage is a 404. */
function intParam(value: string | null): number {
  if (value === null || value.trim() === '') return 0;
  if (!/^\s*-?\d+\s*$/.test(value)) throw jerseyNotFound();
  return Number(value);
}

function withId(ctx: RestContext): boolean {
  // docs/reference/onedev.md#versions: ProjectData carried no `id` on v12.0.0 exactly (fixed in
  // v12.0.1).
  return versionAtLeast(ctx.state.version, '12.0.1');
}

function queryProjects(ctx: RestContext): void {
  const { store } = ctx.state;
  const offset = intParam(ctx.query.get('offset'));
  const count = intParam(ctx.query.get('count'));
  if (!isAdministrator(ctx.caller) && count > MAX_PAGE_SIZE) {
    throw new HttpError(406, `Count should not be greater than ${MAX_PAGE_SIZE}`);
  }
  let parsed: ReturnType<typeof parseProjectQuery>;
  try {
    parsed = parseProjectQuery(ctx.query.get('query') ?? undefined);
  } catch (error) {
    if (error instanceof QuerySyntaxError) throw new HttpError(406, 'Invalid query');
    throw error;
  }
  // Hibernate's setFirstResult rejects a negative offset (IllegalArgumentException → 500).
  if (offset < 0) throw new HttpError(500, 'Server Error');
  const visible = store.all().filter((p) => canAccess(store, ctx.caller, p));
  const me = ctx.caller.kind === 'user' ? ctx.caller.user.name : undefined;
  const found = runProjectQuery(parsed, visible, { store, me });
  const page = found.slice(offset, offset + Math.max(count, 0));
  sendJson(
    ctx.res,
    page.map((p) => toProjectData(store, p, withId(ctx))),
  );
}

/**
 * `GET /~api/projects/ids/{path}`: one 404 text for both missing and inaccessible
 * (docs/reference/onedev.md#project-id-by-path).
 */
function getProjectId(ctx: RestContext): void {
  const { store } = ctx.state;
  const path = ctx.params[0] ?? '';
  const project = store.byPath(path);
  if (!project || !canAccess(store, ctx.caller, project)) {
    throw new HttpError(404, `Project not found or inaccessible: ${path}`);
  }
  sendRawString(ctx.res, String(project.id));
}

function getProject(ctx: RestContext): void {
  const project = loadProject(ctx, longParam(ctx.params[0]));
  requirePermission(ctx, project, 'access');
  sendJson(ctx.res, toProjectData(ctx.state.store, project, withId(ctx)));
}

async function deleteProject(ctx: RestContext): Promise<void> {
  const { store } = ctx.state;
  const project = loadProject(ctx, longParam(ctx.params[0]));
  requirePermission(ctx, project, 'manage');
  const removed = store.removeTree(project.id);
  await Promise.all(removed.map((p) => removeRepo(store.repoDir(p.id))));
  sendEmpty(ctx.res);
}

function getCloneUrl(ctx: RestContext): void {
  const { store, baseUrl } = ctx.state;
  const project = loadProject(ctx, longParam(ctx.params[0]));
  requirePermission(ctx, project, 'access');
  const path = store.pathOf(project);
  const host = new URL(baseUrl).hostname;
  sendJson(ctx.res, { http: `${baseUrl}/${path}.git`, ssh: `ssh://${host}:6611/${path}.git` });
}

export const PROJECT_ROUTES: Route[] = [
  {
    pattern: /^\/projects\/?$/,
    methods: {
      GET: {
        query: ['query', 'offset', 'count'],
        required: ['offset', 'count'],
        handler: queryProjects,
      },
      POST: { handler: createProject, observe: observeCreateName },
    },
  },
  {
    // `@Path("/ids/{path:.*}")`, added in v12.0.10 (docs/reference/onedev.md#versions); older
    // servers answer 404.
    pattern: /^\/projects\/ids\/(.*)$/,
    available: (state) => versionAtLeast(state.version, '12.0.10'),
    methods: { GET: { handler: getProjectId } },
  },
  {
    pattern: /^\/projects\/([^/]+)\/?$/,
    methods: {
      GET: { handler: getProject },
      POST: { handler: updateProject },
      DELETE: { handler: deleteProject },
    },
  },
  {
    pattern: /^\/projects\/([^/]+)\/clone-url\/?$/,
    methods: { GET: { handler: getCloneUrl } },
  },
];
