import type { IncomingMessage, ServerResponse } from 'node:http';
import { challengeError, HttpError, javaSetToString, readBody } from './http-util.js';
import type { RestContext } from './rest-context.js';
import { jerseyNotFound } from './rest-context.js';
import { PROJECT_ROUTES } from './rest-projects.js';
import { REPOSITORY_ROUTES } from './rest-repositories.js';
import { SETTING_ROUTES } from './rest-settings.js';
import type { DoubleState } from './state.js';
import type { Caller, RequestRecord } from './types.js';

/**
 * JAX-RS style dispatch for `/~api/*` (docs/reference/onedev.md#rest-conventions, #endpoints-used).
 * The order of checks is Jersey's: match the path (404) and method (405) and media types (415/406),
 * then the request filters AnonymousCheckFilter (401) and ParamCheckFilter (406), then read the
 * entity, then run the resource method.
 */

export interface Endpoint {
  /** Declared `@QueryParam`s. */
  query?: string[];
  /** Query params ParamCheckFilter treats as required (primitive `int`, @NotNull…). */
  required?: string[];
  handler: (ctx: RestContext) => Promise<void> | void;
  /** Sees the raw body before any check, e.g. to record every name sent to create. */
  observe?: (state: DoubleState, body: string) => void;
}

export interface Route {
  /** Matched against the path after `/~api`; capture groups become `params`. */
  pattern: RegExp;
  /**
   * Version gate, e.g. `/projects/ids` exists only since v12.0.10
   * (docs/reference/onedev.md#versions).
   */
  available?: (state: DoubleState) => boolean;
  methods: Partial<Record<'GET' | 'POST' | 'DELETE', Endpoint>>;
}

const ROUTES: Route[] = [...PROJECT_ROUTES, ...SETTING_ROUTES, ...REPOSITORY_ROUTES];

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function match(
  state: DoubleState,
  apiPath: string,
): { route: Route; params: string[] } | undefined {
  for (const route of ROUTES) {
    if (route.available && !route.available(state)) continue;
    const m = route.pattern.exec(apiPath);
    if (m) return { route, params: m.slice(1).map((p) => decodeParam(p ?? '')) };
  }
  return undefined;
}

function mediaTypeIsJson(header: string | undefined): boolean {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** @Produces(application/json): an Accept header that rules JSON out gets 406. */
function acceptsJson(header: string | undefined): boolean {
  if (!header) return true;
  return header
    .split(',')
    .map((part) => part.split(';')[0]?.trim().toLowerCase())
    .some((type) => type === '*/*' || type === 'application/*' || type === 'application/json');
}

function checkQueryParams(endpoint: Endpoint, query: URLSearchParams): void {
  const declared = endpoint.query ?? [];
  const supplied = [...new Set(query.keys())];
  const unexpected = supplied.filter((name) => !declared.includes(name));
  if (unexpected.length > 0) {
    throw new HttpError(406, `Unexpected query params: ${javaSetToString(unexpected)}`);
  }
  const missing = (endpoint.required ?? []).filter((name) => !query.has(name));
  if (missing.length > 0)
    throw new HttpError(406, `Missing query params: ${javaSetToString(missing)}`);
}

export async function handleRest(
  state: DoubleState,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  record: RequestRecord,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://double');
  const apiPath = url.pathname.slice('/~api'.length);
  const found = match(state, apiPath);
  if (!found) throw jerseyNotFound();
  const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
  const endpoint = found.route.methods[method as keyof Route['methods']];
  if (!endpoint) {
    const allow = Object.keys(found.route.methods).join(',');
    throw new HttpError(405, 'HTTP 405 Method Not Allowed', { Allow: allow });
  }
  // The body is read up front so observers see it even when a check below rejects the call.
  const body = method === 'POST' ? (await readBody(req)).toString('utf8') : '';
  if (body !== '') record.body = body;
  endpoint.observe?.(state, body);
  if (method === 'POST' && !mediaTypeIsJson(req.headers['content-type'])) {
    throw new HttpError(415, 'HTTP 415 Unsupported Media Type');
  }
  if (!acceptsJson(req.headers.accept)) throw new HttpError(406, 'HTTP 406 Not Acceptable');
  // AnonymousCheckFilter (docs/reference/onedev.md#anonymous-requests).
  if (caller.kind === 'anonymous' && (method !== 'GET' || !state.anonymousAccess)) {
    throw challengeError('Not authenticated');
  }
  checkQueryParams(endpoint, url.searchParams);
  await endpoint.handler({
    state,
    req,
    res,
    caller,
    record,
    params: found.params,
    query: url.searchParams,
    body,
  });
}
