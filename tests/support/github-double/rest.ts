import type { IncomingHttpHeaders } from 'node:http';
import { repoJson, userJson } from './json.js';
import type { RateLimiter } from './limits.js';
import type { GitHubState, RepoRecord } from './state.js';

/**
 * The REST endpoints a star mirror needs. Handlers are pure (state in, status/body out); the
 * server adds rate-limit headers, ETags and 304s around them, as GitHub's edge does.
 */

export interface RestContext {
  state: GitHubState;
  rate: RateLimiter;
  /** The double's own URL, used in Link headers and resource URLs. */
  base: string;
  login?: string;
  url: URL;
  headers: IncomingHttpHeaders;
}

export interface RestResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** `GET /rate_limit` is free; everything else costs one request. */
  free?: boolean;
}

const DOCS = 'https://docs.github.com/rest';
export const notFound = (): RestResult => ({
  status: 404,
  body: { message: 'Not Found', documentation_url: DOCS, status: '404' },
});
const requiresAuth = (): RestResult => ({
  status: 401,
  body: { message: 'Requires authentication', documentation_url: DOCS, status: '401' },
});

type Handler = (ctx: RestContext, p: string[]) => RestResult;
const routes: Array<[method: string, pattern: RegExp, handler: Handler]> = [
  [
    'GET',
    /^\/user$/,
    (c) =>
      c.login ? { status: 200, body: userJson(c.state.user(c.login), c.base) } : requiresAuth(),
  ],
  [
    'GET',
    /^\/users\/([^/]+)$/,
    (c, [u = '']) => {
      const user = c.state.users.get(u.toLowerCase());
      return user ? { status: 200, body: userJson(user, c.base) } : notFound();
    },
  ],
  ['GET', /^\/user\/starred$/, (c) => (c.login ? starred(c, c.login, true) : requiresAuth())],
  [
    'GET',
    /^\/users\/([^/]+)\/starred$/,
    (c, [u = '']) =>
      // Someone else's list (or your own, via this endpoint) shows public repositories only.
      c.state.users.has(u.toLowerCase()) ? starred(c, u, false) : notFound(),
  ],
  [
    'GET',
    /^\/user\/starred\/([^/]+)\/([^/]+)$/,
    (c, [o = '', n = '']) => {
      if (!c.login) return requiresAuth();
      const repo = c.state.find(o, n);
      const starred = repo && c.state.starsOf(c.login).some((s) => s.repoId === repo.id);
      return starred ? { status: 204 } : notFound();
    },
  ],
  [
    'GET',
    /^\/repos\/([^/]+)\/([^/]+)$/,
    (c, [o = '', n = '']) => {
      const hit = c.state.resolve(o, n);
      if (!hit || !visible(c, hit.repo)) return notFound();
      if (hit.moved) {
        // GitHub answers an old name with 301 to the id-based URL (see @octokit/fixtures rename-repository).
        const url = `${c.base}/repositories/${hit.repo.id}`;
        return {
          status: 301,
          headers: { location: url },
          body: { message: 'Moved Permanently', url, documentation_url: DOCS },
        };
      }
      return {
        status: 200,
        body: repoJson(c.state, hit.repo, { base: c.base, full: true, permissions: !!c.login }),
      };
    },
  ],
  [
    'GET',
    /^\/repositories\/(\d+)$/,
    (c, [id = '']) => {
      const repo = c.state.repos.get(Number(id));
      if (!repo || !visible(c, repo)) return notFound();
      return {
        status: 200,
        body: repoJson(c.state, repo, { base: c.base, full: true, permissions: !!c.login }),
      };
    },
  ],
  [
    'GET',
    /^\/rate_limit$/,
    (c) => {
      const core = c.rate.bucket(c.login);
      const core2 = { ...core, resource: 'core' };
      return { status: 200, free: true, body: { resources: { core: core2 }, rate: core2 } };
    },
  ],
];

export function routeRest(method: string, ctx: RestContext): RestResult {
  for (const [m, pattern, handler] of routes) {
    const match = pattern.exec(ctx.url.pathname);
    if (match && m === method) return handler(ctx, match.slice(1).map(decodeURIComponent));
  }
  return notFound();
}

/**
 * The double has no collaborator model: a private repository is visible to any valid token
 * (think "classic PAT with repo scope") and invisible — 404, as GitHub hides it — without one.
 */
function visible(c: RestContext, r: RepoRecord): boolean {
  return !r.private || !!c.login;
}

const STAR_MEDIA = /application\/vnd\.github(?:\.v3)?\.star\+json/i;

function starred(c: RestContext, login: string, includePrivate: boolean): RestResult {
  const q = c.url.searchParams;
  const sort = q.get('sort') === 'updated' ? 'updated' : 'created';
  const asc = q.get('direction') === 'asc';
  const items = c.state
    .starsOf(login)
    .filter((s) => includePrivate || !s.repo.private)
    .map((s) => ({
      ...s,
      json: repoJson(c.state, s.repo, { base: c.base, permissions: !!c.login }),
    }));
  // `created` = when starred; `updated` = when the repository was last pushed to.
  const keyOf = (s: (typeof items)[number]) =>
    sort === 'created' ? s.starredAt : String(s.json.pushed_at);
  items.sort((a, b) => keyOf(a).localeCompare(keyOf(b)) || a.seq - b.seq);
  if (!asc) items.reverse();

  const wrap = STAR_MEDIA.test(String(c.headers.accept ?? ''));
  const { slice, link } = paginate(items, c);
  const body = slice.map((s) => (wrap ? { starred_at: s.starredAt, repo: s.json } : s.json));
  const headers: Record<string, string> = {
    'x-github-media-type': wrap ? 'github.v3; param=star; format=json' : 'github.v3; format=json',
  };
  if (link) headers.link = link;
  return { status: 200, body, headers };
}

/**
 * `per_page` (default 30, max 100) and `page`, with a Link header in GitHub's order
 * (prev, next, last, first) built from the request URL so other parameters survive.
 */
export function paginate<T>(items: T[], c: RestContext): { slice: T[]; link?: string } {
  const q = c.url.searchParams;
  const perPage = clamp(Number.parseInt(q.get('per_page') ?? '', 10) || 30, 1, 100);
  const page = Math.max(1, Number.parseInt(q.get('page') ?? '', 10) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const at = (n: number) => {
    const u = new URL(c.url.pathname + c.url.search, c.base);
    u.searchParams.set('page', String(n));
    return `<${u.href}>`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`${at(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) rels.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
  if (page > 1) rels.push(`${at(1)}; rel="first"`);
  return rels.length ? { slice, link: rels.join(', ') } : { slice };
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
