import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { expectedOrigin, servedOverHttps, type WebSettings } from './request-context.js';
import type { DashboardSession, SessionStore } from './sessions.service.js';

export type DashboardEnv = { Variables: { session: DashboardSession } };

export const SESSION_COOKIE = 'starbridge_session';
export const LOGIN_COOKIE = 'starbridge_login';

/**
 * Over https the cookie is `__Host-` prefixed and Secure (no Domain, Path=/: a sibling
 * subdomain cannot plant or read it). HttpOnly keeps it from scripts; SameSite=Strict
 * from cross-site requests (docs/reference/bad-inputs.md#a05).
 */
export function setDashboardCookie(
  c: Context,
  settings: WebSettings,
  name: string,
  value: string,
  maxAgeS: number,
): void {
  const base = { path: '/', httpOnly: true, sameSite: 'Strict', maxAge: maxAgeS } as const;
  if (servedOverHttps(c, settings))
    setCookie(c, name, value, { ...base, secure: true, prefix: 'host' });
  else setCookie(c, name, value, base);
}

export function readDashboardCookie(c: Context, settings: WebSettings, name: string) {
  return servedOverHttps(c, settings) ? getCookie(c, name, 'host') : getCookie(c, name);
}

export function clearDashboardCookie(c: Context, settings: WebSettings, name: string): void {
  if (servedOverHttps(c, settings))
    deleteCookie(c, name, { path: '/', secure: true, prefix: 'host' });
  else deleteCookie(c, name, { path: '/' });
}

/** Loads the session or hands over to `refuse` (the sign-in page with 401). */
export function requireSession(
  store: SessionStore,
  settings: WebSettings,
  refuse: (c: Context) => Promise<Response>,
): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const session = await store.find(readDashboardCookie(c, settings, SESSION_COOKIE));
    if (!session) return refuse(c);
    c.set('session', session);
    await next();
  };
}

/**
 * Why a state-changing request is refused, or undefined when it may proceed: a browser
 * says where a request comes from (Fetch Metadata, Origin), and the form must carry the
 * token only our pages know (docs/reference/bad-inputs.md#a04).
 */
export function crossSiteProblem(c: Context, settings: WebSettings): string | undefined {
  const site = c.req.header('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return `request from ${site}`;
  const origin = c.req.header('origin');
  if (origin && origin !== expectedOrigin(c, settings)) return 'request from another origin';
  return undefined;
}

export function tokensMatch(expected: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Form field or header, for plain forms and htmx requests alike. */
export async function presentedCsrf(c: Context): Promise<unknown> {
  const header = c.req.header('x-csrf-token');
  if (header) return header;
  const type = c.req.header('content-type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/.test(type)) return undefined;
  const body = await c.req.parseBody();
  return body._csrf;
}
