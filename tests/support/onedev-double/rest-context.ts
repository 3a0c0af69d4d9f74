import type { IncomingMessage, ServerResponse } from 'node:http';
import { challengeError, HttpError } from './http-util.js';
import { canAccess, canManage, canReadCode } from './permissions.js';
import type { DoubleState } from './state.js';
import type { Caller, Project, RequestRecord } from './types.js';

/** What a REST handler gets: the request, its caller and the matched path parameters. */
export interface RestContext {
  state: DoubleState;
  req: IncomingMessage;
  res: ServerResponse;
  caller: Caller;
  record: RequestRecord;
  /** Decoded path parameters captured by the route pattern. */
  params: string[];
  query: URLSearchParams;
  /** Request body as text (POST only). */
  body: string;
}

/** Jersey's answer when a path or a path/query parameter cannot be matched or converted. */
export function jerseyNotFound(): HttpError {
  return new HttpError(404, 'HTTP 404 Not Found');
}

/** A `Long` path parameter; a value Jersey cannot convert is a 404. */
export function longParam(text: string | undefined): number {
  if (text === undefined || !/^-?\d+$/.test(text)) throw jerseyNotFound();
  return Number(text);
}

/**
 * `projectManager.load(id)`: a Hibernate proxy whose first use throws ObjectNotFoundException → 404
 * (docs/reference/onedev.md#endpoints-used and #no-create-by-path, UNVERIFIED wording of
 * Hibernate's message).
 */
export function loadProject(ctx: RestContext, id: number): Project {
  const project = ctx.state.store.get(id);
  if (!project) {
    throw new HttpError(
      404,
      `No row with the given identifier exists: [io.onedev.server.model.Project#${id}]`,
    );
  }
  return project;
}

/**
 * Shiro UnauthorizedException: 401 + challenge for anonymous callers, otherwise 403
 * (docs/reference/onedev.md#error-statuses).
 */
export function notAuthorized(caller: Caller, message = 'Not authorized'): HttpError {
  return caller.kind === 'anonymous' ? challengeError(message) : new HttpError(403, message);
}

export type Permission = 'access' | 'readCode' | 'manage';

export function requirePermission(ctx: RestContext, project: Project, needed: Permission): void {
  const { store } = ctx.state;
  const ok =
    needed === 'access'
      ? canAccess(store, ctx.caller, project)
      : needed === 'readCode'
        ? canReadCode(store, ctx.caller, project)
        : canManage(store, ctx.caller, project);
  if (!ok) throw notAuthorized(ctx.caller);
}
